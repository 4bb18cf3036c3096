/**
 * What a rendered graph shows, gathered once: nodes with shapes, phases, parameter counts and
 * activation memory; edges with the reference and shape they carry; the plan and the estimate.
 */
import { describeShape } from './diagnostics.js';
import { estimateResources, type ResourceDimsInput, type ResourceEstimate } from './estimate.js';
import { planGraph } from './plan.js';
import type { Phase, Plan } from './plan-types.js';
import type { ModelGraph, NodeInfo, ValueShape } from './types.js';

export interface ViewNode {
  name: string;
  /** `stream` for the task's inputs. */
  op: string;
  phase: Phase | 'stream' | 'unused';
  loop: number | null;
  /** One-line summary of the op's settings (`gru ×2, hidden 32`). */
  detail: string;
  shape: string;
  params: number;
  activationBytes: number;
  /** 1-based line of the node in the spec (streams: null). */
  line: number | null;
}
export interface ViewEdge { from: string; to: string; role: string; ref: string; delayed: boolean; shape: string }
export interface GraphView {
  name: string;
  task: string;
  output: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
  plan: Plan;
  estimate: ResourceEstimate;
}

/** `[B, T_src, 32]`: a value's shape, as diagrams label it. */
export function shapeLabel(shape: ValueShape): string {
  return shape.kind === 'ids' ? `[B, ${shape.time}]` : describeShape(shape);
}

function detailOf(info: NodeInfo): string {
  const s = info.spec;
  switch (s.op) {
    case 'embedding': return `dim ${s.dim}`;
    case 'recurrent': {
      const extra = [s.bidirectional ? 'bidirectional' : '', s.cell === 'rnn' ? s.nonlinearity : '', s.dropout > 0 ? `dropout ${s.dropout}` : '']
        .filter(Boolean);
      return [`${s.cell} ×${s.layers}, hidden ${s.hidden}`, ...extra].join(', ');
    }
    case 'dense': return `units ${typeof s.units === 'number' ? s.units : s.units.raw}${s.activation !== 'none' ? `, ${s.activation}` : ''}`;
    case 'concat': return `${s.inputs.length} inputs`;
    case 'repeat': return `over ${s.like.raw}`;
    case 'dropout': return `rate ${s.rate}`;
    case 'attention': return `${s.kind}${info.params?.op === 'attention' && info.params.hidden !== null ? `, hidden ${info.params.hidden}` : ''}`;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function graphView(g: ModelGraph, dims?: ResourceDimsInput): GraphView {
  const plan = planGraph(g);
  const estimate = estimateResources(g, dims);
  const nodes: ViewNode[] = g.streams.map((s) => ({
    name: s, op: 'stream', phase: 'stream', loop: null, detail: '', line: null, params: 0, activationBytes: 0,
    shape: shapeLabel(g.graph.getNodeAttributes(s).shape),
  }));
  for (const name of g.order) {
    const info = g.nodes[name]!;
    const planned = plan.nodes[name];
    nodes.push({
      name, op: info.op, phase: planned?.phase ?? 'unused', loop: planned?.loop ?? null, detail: detailOf(info),
      shape: shapeLabel(info.output), params: estimate.nodes[name]!.params, activationBytes: estimate.nodes[name]!.activationBytes,
      line: lineAt(g.spec.source, info.spec.range.start),
    });
  }
  const edges: ViewEdge[] = [];
  g.graph.forEachEdge((_key, a, from, to) => {
    edges.push({ from, to, role: a.role, ref: a.raw, delayed: a.delayed, shape: shapeLabel(a.shape) });
  });
  return { name: g.spec.name, task: g.task, output: g.output, nodes, edges, plan, estimate };
}

/** `12,345`, and bytes as `1.5 MiB`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
