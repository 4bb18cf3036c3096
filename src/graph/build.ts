/**
 * `buildGraph(spec)`: references → cycles → shapes → whole-graph checks → the `ModelGraph`. Each
 * stage's errors stop the build (later stages would only repeat them); warnings pass through.
 */
import { MultiDirectedGraph } from 'graphology';
import { hasErrors, sortDiagnostics } from '../diagnostics/factories.js';
import type { Diagnostic, RelatedNote, Result } from '../diagnostics/types.js';
import { TASK_STREAMS, type Spec } from '../spec/types.js';
import { checkGraph, computeSides } from './checks.js';
import * as D from './diagnostics.js';
import { inferShapes } from './infer.js';
import { vocabOf, type Shape } from './ops.js';
import { keyPath, resolveReferences, siteOf, type Resolution, type ResolvedRef } from './references.js';
import { isCycle, stronglyConnectedComponents, topologicalOrder } from './scc.js';
import {
  STREAM_TIME, type GraphEdgeAttributes, type GraphNodeAttributes, type ModelGraph, type NodeInfo, type ResolvedInput, type ValueShape,
} from './types.js';

export function buildGraph(spec: Spec): Result<ModelGraph> {
  const res = resolveReferences(spec);
  if (hasErrors(res.diagnostics)) return { value: null, diagnostics: sortDiagnostics(res.diagnostics) };
  const names = [...res.byName.keys()];
  const direct = (n: string): string[] =>
    (res.refs.get(n) ?? []).filter((r) => !r.delayed && r.target.kind === 'node').map((r) => (r.target as { node: string }).node);
  // Successors through non-delay edges: producer → consumers.
  const consumers = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const n of names) for (const p of direct(n)) consumers.get(p)!.push(n);

  const cycles = cycleDiagnostics(spec, res, names, (n) => consumers.get(n)!);
  if (cycles.length > 0) return { value: null, diagnostics: sortDiagnostics([...res.diagnostics, ...cycles]) };
  const order = topologicalOrder(names, (n) => consumers.get(n)!)!;

  const inference = inferShapes(spec, order, res);
  const diagnostics = [...res.diagnostics, ...inference.diagnostics];
  if (hasErrors(diagnostics)) return { value: null, diagnostics: sortDiagnostics(diagnostics) };
  const sides = computeSides(spec, res, order);
  diagnostics.push(...checkGraph(spec, res, order, inference.results, sides));
  if (hasErrors(diagnostics) || !res.output) return { value: null, diagnostics: sortDiagnostics(diagnostics) };

  const nodes: Record<string, NodeInfo> = {};
  for (const name of order) {
    const node = res.byName.get(name)!;
    const result = inference.results.get(name)!;
    const output = finalShape(result.output);
    const inputs: ResolvedInput[] = (res.refs.get(name) ?? []).map((r) => ({
      role: r.role, ref: r.ref, target: r.target, part: r.part, delayed: r.delayed, shape: inputShapeOf(r, nodes),
    }));
    nodes[name] = {
      name, op: node.op, spec: node, index: spec.nodes.indexOf(node), inputs, output,
      width: output.kind === 'sequence' || output.kind === 'vector' ? output.width : 0,
      time: output.kind === 'sequence' ? output.time : null,
      state: result.state, params: result.params, side: sides.get(name)!,
    };
  }
  // Delayed inputs read nodes later in the order: fill their shapes now that all are known.
  for (const info of Object.values(nodes)) {
    info.inputs = info.inputs.map((i) => (i.delayed && i.target.kind === 'node' ? { ...i, shape: delayedShape(nodes[i.target.node]!, i.part) } : i));
  }
  const value: ModelGraph = {
    spec, task: spec.task, streams: TASK_STREAMS[spec.task], graph: toGraphology(spec, nodes, order), nodes, order, output: res.output,
  };
  return { value, diagnostics: sortDiagnostics(diagnostics) };
}

function finalShape(s: Shape): ValueShape {
  if (s.kind === 'sequence' && s.time === '?') throw new Error('internal: time axis left pending after inference');
  return s as ValueShape;
}

function inputShapeOf(r: ResolvedRef, nodes: Record<string, NodeInfo>): ValueShape {
  if (r.target.kind === 'stream') return { kind: 'ids', time: STREAM_TIME[r.target.stream], vocab: vocabOf(r.target.stream) };
  const producer = nodes[r.target.node];
  if (!producer) return { kind: 'vector', width: 0 }; // delayed: filled in after all nodes are known
  if (r.part === 'state') return { kind: 'state', state: producer.state! };
  if (r.part === 'state.top') return { kind: 'vector', width: producer.state!.hidden * producer.state!.dirs };
  return producer.output;
}

function delayedShape(producer: NodeInfo, part: ResolvedInput['part']): ValueShape {
  if (part === 'state.top' && producer.state) {
    return { kind: 'sequence', time: producer.time!, width: producer.state.hidden * producer.state.dirs };
  }
  return producer.output;
}

/** One G004 per cycle of non-delay edges, at the reference that reads a node defined later. */
function cycleDiagnostics(spec: Spec, res: Resolution, names: string[], successors: (n: string) => string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const position = new Map(names.map((n, i) => [n, i]));
  for (const component of stronglyConnectedComponents(names, successors)) {
    if (!isCycle(component, successors)) continue;
    const members = new Set(component);
    // The closing edge: a consumer reading a producer written at or after it (some edge of any cycle does).
    const candidates = component.flatMap((consumer) => (res.refs.get(consumer) ?? [])
      .filter((r) => !r.delayed && r.target.kind === 'node' && members.has(r.target.node) && position.get(r.target.node)! >= position.get(consumer)!)
      .map((r) => ({ consumer, r })));
    candidates.sort((a, b) => a.r.ref.range.start - b.r.ref.range.start);
    const { consumer, r } = candidates[0]!;
    const producer = (r.target as { node: string }).node;
    // Data flows consumer → … → producer, and the reference closes the loop back to the consumer.
    const path = pathWithin(consumer, producer, members, successors);
    const notes: RelatedNote[] = [];
    for (let i = 1; i < path.length; i++) {
      const edge = (res.refs.get(path[i]!) ?? []).find((x) => !x.delayed && x.target.kind === 'node' && x.target.node === path[i - 1]);
      if (edge) notes.push({ message: `\`${path[i]}\` reads \`${edge.ref.raw}\` here`, range: edge.ref.range });
    }
    const site = siteOf(spec, r.ref.range, keyPath(consumer, r.role));
    diagnostics.push(D.cycleWithoutDelay(site, consumer, producer, [...path, consumer], notes));
  }
  return diagnostics;
}

/** Shortest path producer → … → consumer inside one component (BFS over non-delay edges). */
function pathWithin(from: string, to: string, members: Set<string>, successors: (n: string) => string[]): string[] {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (n === to) break;
    for (const s of successors(n)) if (members.has(s) && !parent.has(s)) { parent.set(s, n); queue.push(s); }
  }
  const path: string[] = [];
  for (let n: string | null | undefined = to; n != null; n = parent.get(n)) path.unshift(n);
  return path;
}

function toGraphology(spec: Spec, nodes: Record<string, NodeInfo>, order: string[]) {
  const g = new MultiDirectedGraph<GraphNodeAttributes, GraphEdgeAttributes>();
  for (const s of TASK_STREAMS[spec.task]) {
    g.addNode(s, { kind: 'stream', name: s, shape: { kind: 'ids', time: STREAM_TIME[s], vocab: vocabOf(s) } });
  }
  for (const name of order) {
    const info = nodes[name]!;
    g.addNode(name, { kind: 'op', name, op: info.op, shape: info.output, info });
  }
  for (const name of order) {
    for (const i of nodes[name]!.inputs) {
      const from = i.target.kind === 'stream' ? i.target.stream : i.target.node;
      g.addEdgeWithKey(`${name}:${i.role}`, from, name, { role: i.role, raw: i.ref.raw, part: i.part, delayed: i.delayed, shape: i.shape });
    }
  }
  return g;
}
