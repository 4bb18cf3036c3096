/**
 * Whole-graph checks, once every shape is known: which stream each node depends on, delays that
 * close no loop or run on the wrong time axis, bidirectional cells where decoding must go step by
 * step, the output (a dense over the target vocabulary, on the target's time axis), unused nodes.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { Spec } from '../spec/types.js';
import * as D from './diagnostics.js';
import type { OpResult } from './ops.js';
import { keyPath, keyRange, nameRange, siteOf, type Resolution } from './references.js';
import { stronglyConnectedComponents } from './scc.js';
import { decodeAxis, type Side } from './types.js';

/** Which stream each node depends on (seq2seq: `target` wins over `source`), through all edges. */
export function computeSides(spec: Spec, res: Resolution, order: readonly string[]): Map<string, Side | null> {
  const rank = (s: Side | null): number => (s === null ? 0 : s === 'source' ? 1 : 2);
  const sides = new Map<string, Side | null>(order.map((n) => [n, null]));
  for (let changed = true; changed;) {
    changed = false;
    for (const name of order) {
      let side = sides.get(name)!;
      for (const r of res.refs.get(name) ?? []) {
        const s: Side | null = r.target.kind === 'stream' ? r.target.stream : sides.get(r.target.node)!;
        if (rank(s) > rank(side)) side = s;
      }
      if (side !== sides.get(name)) { sides.set(name, side); changed = true; }
    }
  }
  return sides;
}

/** Node → its consumers through every edge (delays included). */
export function consumersOf(res: Resolution, names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const name of names) {
    for (const r of res.refs.get(name) ?? []) if (r.target.kind === 'node') out.get(r.target.node)!.push(name);
  }
  return out;
}

export function checkGraph(spec: Spec, res: Resolution, order: readonly string[], results: Map<string, OpResult | null>, sides: Map<string, Side | null>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const consumers = consumersOf(res, order);
  const components = stronglyConnectedComponents(order, (n) => consumers.get(n)!);
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((n) => componentOf.set(n, i)));

  for (const name of order) {
    for (const r of res.refs.get(name) ?? []) {
      if (!r.delayed || r.target.kind !== 'node') continue;
      const site = siteOf(spec, r.ref.range, keyPath(name, r.role));
      if (componentOf.get(name) !== componentOf.get(r.target.node)) {
        diagnostics.push(D.delayOutsideLoop(site, r.ref.raw, name, r.target.node));
      }
    }
  }

  const decodingSide = checkDecodingSide(spec, res, order, results, sides);
  diagnostics.push(...decodingSide);

  for (const node of spec.nodes) {
    const side = sides.get(node.name);
    if (node.op === 'recurrent' && node.bidirectional && (side === 'target' || side === 'tokens')) {
      diagnostics.push(D.bidirectionalDecoder(siteOf(spec, keyRange(node, 'bidirectional'), keyPath(node.name, 'bidirectional')), node.name, side));
    }
  }

  // A decoding-side value over T_src (G030) also puts the output there: report the cause only.
  if (res.output) diagnostics.push(...checkOutput(spec, res, res.output, results, decodingSide.some((d) => d.code === 'G030')));

  if (res.output) {
    const used = usedNodes(res, res.output);
    for (const node of spec.nodes) {
      if (!used.has(node.name) && res.byName.get(node.name) === node) {
        diagnostics.push(D.unusedNode(siteOf(spec, nameRange(node), `/graph/${node.name}`), node.name, res.output));
      }
    }
  }
  return diagnostics;
}

/**
 * The decoding side runs one target step at a time: none of its values may run over T_src (only the
 * first such node is reported: the rest follow from it), and no recurrent `init` may come from it.
 */
function checkDecodingSide(spec: Spec, res: Resolution, order: readonly string[], results: Map<string, OpResult | null>, sides: Map<string, Side | null>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const decoding = (s: Side | null | undefined): boolean => s === 'target' || s === 'tokens';
  if (spec.task === 'seq2seq') {
    const first = order.find((n) => sides.get(n) === 'target' && results.get(n)?.output.kind === 'sequence'
      && (results.get(n)!.output as { time: string }).time === 'T_src');
    if (first) {
      const via = (res.refs.get(first) ?? []).find((r) => r.role !== 'keys' && r.role !== 'values' && r.role !== 'mask'
        && r.target.kind === 'node' && sides.get(r.target.node) === 'source') ?? res.refs.get(first)![0]!;
      out.push(D.decodeSideOverSource(siteOf(spec, via.ref.range, keyPath(first, via.role)), first, via.ref.raw));
    }
  }
  for (const name of order) {
    const init = (res.refs.get(name) ?? []).find((r) => r.role === 'init');
    if (init?.target.kind === 'node' && decoding(sides.get(init.target.node))) {
      const stream = sides.get(init.target.node)!;
      out.push(D.initFromDecodeSide(siteOf(spec, init.ref.range, keyPath(name, 'init')), name, init.ref.raw, stream));
    }
  }
  return out;
}

/** The output must be logits: a dense over the vocabulary the loss predicts, on the decoding axis. */
function checkOutput(spec: Spec, res: Resolution, output: string, results: Map<string, OpResult | null>, skipTime: boolean): Diagnostic[] {
  const node = res.byName.get(output)!;
  const stream = spec.task === 'seq2seq' ? 'target' : 'tokens';
  const vocab = `${stream}.vocab`;
  const outSite = siteOf(spec, spec.output.range, '/output');
  const named = { message: `\`${output}\` is named the output here`, range: spec.output.range };
  if (node.op !== 'dense') {
    return [D.outputNotVocab(outSite, output, `is ${node.op === 'attention' || node.op === 'embedding' ? 'an' : 'a'} ${node.op} node`, vocab,
      { message: `\`${output}\` is defined here`, range: nameRange(node) })];
  }
  if (typeof node.units === 'number' || node.units.vocab !== stream) {
    const units = typeof node.units === 'number' ? String(node.units) : node.units.raw;
    return [D.outputNotVocab(siteOf(spec, keyRange(node, 'units'), keyPath(output, 'units')), output, `has \`units: ${units}\``, vocab, named)];
  }
  const out = results.get(output)?.output;
  const axis = decodeAxis(spec.task);
  if (out && !skipTime && (out.kind !== 'sequence' || out.time !== axis)) {
    const time = out.kind === 'sequence' ? out.time : 'no time axis (one vector per example)';
    return [D.outputTimeAxis(siteOf(spec, node.input.range, keyPath(output, 'input')), output, time, axis, named)];
  }
  return [];
}

/** Nodes the output depends on (through every edge), the output included. */
export function usedNodes(res: Resolution, output: string): Set<string> {
  const used = new Set<string>([output]);
  const stack = [output];
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const r of res.refs.get(n) ?? []) {
      if (r.target.kind === 'node' && !used.has(r.target.node)) { used.add(r.target.node); stack.push(r.target.node); }
    }
  }
  return used;
}
