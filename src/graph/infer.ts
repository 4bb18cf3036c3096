/**
 * Shape inference over the whole graph. Nodes are visited in a topological order of the non-delay
 * edges; a delayed input `x.prev` needs x's shape, which comes later in that order, so inference
 * runs to a fixed point: the first pass seeds each delayed value with what its node alone implies
 * (a recurrent node's width is `hidden·dirs`, a dense node's is `units`, the time axis pending),
 * later passes use the previous pass's shapes, and a last pass reports diagnostics.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { GraphNode, Spec } from '../spec/types.js';
import * as D from './diagnostics.js';
import { inferOp, stateOf, vocabOf, type InputValue, type OpResult, type Shape } from './ops.js';
import { keyPath, nameRange, siteOf, type Resolution, type ResolvedRef } from './references.js';
import { decodeAxis, STREAM_TIME } from './types.js';

export interface Inference { results: Map<string, OpResult | null>; diagnostics: Diagnostic[] }

/** The shape a delayed reference to `node` has before anything else is known, if any. */
function intrinsicDelayed(node: GraphNode): Shape | null {
  if (node.op === 'recurrent') return { kind: 'sequence', time: '?', width: node.hidden * (node.bidirectional ? 2 : 1) };
  if (node.op === 'dense') {
    return { kind: 'sequence', time: '?', width: typeof node.units === 'number' ? node.units : vocabOf(node.units.vocab) };
  }
  return null;
}

export function inferShapes(spec: Spec, order: readonly string[], res: Resolution): Inference {
  const delayedTargets = new Set<string>();
  for (const list of res.refs.values()) for (const r of list) if (r.delayed && r.target.kind === 'node') delayedTargets.add(r.target.node);

  const seed = (results: Map<string, OpResult | null> | null): Map<string, Shape> => {
    const m = new Map<string, Shape>();
    for (const t of delayedTargets) {
      const s = results?.get(t)?.output ?? intrinsicDelayed(res.byName.get(t)!);
      if (s) m.set(t, s);
    }
    return m;
  };
  let delayed = seed(null);
  for (let i = 0; i <= order.length + 1; i++) {
    const next = seed(runPass(spec, order, res, delayed, null).results);
    if (JSON.stringify([...next]) === JSON.stringify([...delayed])) break;
    delayed = next;
  }
  const diagnostics: Diagnostic[] = [];
  const pass = runPass(spec, order, res, delayed, diagnostics);
  if (diagnostics.length === 0) {
    for (const r of pass.pending) {
      diagnostics.push(D.widthUnknown(r.site, `the shape of \`${r.use.ref.raw}\` cannot be inferred: \`${r.use.ref.base}\` depends on itself through \`.prev\``,
        'break the loop with a node whose width is set (a recurrent or dense node)'));
    }
  }
  if (diagnostics.length === 0) {
    for (const name of order) {
      const out = pass.results.get(name)?.output;
      if (out?.kind === 'sequence' && out.time === '?') {
        const node = res.byName.get(name)!;
        diagnostics.push(D.noStream(siteOf(spec, nameRange(node), `/graph/${name}`), name));
      }
    }
  }
  return { results: pass.results, diagnostics };
}

interface Pass { results: Map<string, OpResult | null>; pending: Array<{ use: ResolvedRef; site: InputValue['site'] }> }

/** One visit of every node; `report` null runs silently (fixed-point iterations). */
function runPass(spec: Spec, order: readonly string[], res: Resolution, delayed: Map<string, Shape>, report: Diagnostic[] | null): Pass {
  const results = new Map<string, OpResult | null>();
  const pending: Pass['pending'] = [];
  const emit = (d: Diagnostic): void => { report?.push(d); };
  for (const name of order) {
    const node = res.byName.get(name)!;
    const inputs = new Map<string, InputValue>();
    for (const use of res.refs.get(name) ?? []) {
      const site = siteOf(spec, use.ref.range, keyPath(name, use.role));
      inputs.set(use.role, { use, site, shape: inputShape(spec, use, site, results, delayed, res, emit, pending) });
    }
    results.set(name, inferOp({ spec, node, byName: res.byName, inputs, report: emit }));
  }
  return { results, pending };
}

function inputShape(
  spec: Spec, use: ResolvedRef, site: InputValue['site'], results: Map<string, OpResult | null>, delayed: Map<string, Shape>,
  res: Resolution, emit: (d: Diagnostic) => void, pending: Pass['pending'],
): Shape | null {
  if (use.target.kind === 'stream') {
    const s = use.target.stream;
    return { kind: 'ids', time: STREAM_TIME[s], vocab: vocabOf(s) };
  }
  const node = res.byName.get(use.target.node)!;
  if (use.delayed) {
    const s = delayed.get(node.name);
    if (!s) { pending.push({ use, site }); return null; }
    if (s.kind !== 'sequence') {
      emit(D.invalidDelay(site, use.ref.raw, `\`${node.name}\` is ${D.describeShape(s)}, not a sequence; \`.prev\` reads the previous time step`));
      return null;
    }
    const axis = decodeAxis(spec.task);
    if (s.time !== '?' && s.time !== axis) {
      emit(D.invalidDelay(site, use.ref.raw, `\`${node.name}\` runs over ${s.time}; only the decoding side (${axis}) runs step by step`));
      return null;
    }
    if (use.part === 'state.top' && node.op === 'recurrent') {
      const st = stateOf(node);
      return { kind: 'sequence', time: s.time, width: st.hidden * st.dirs };
    }
    return s;
  }
  if (node.op === 'recurrent' && use.part === 'state') return { kind: 'state', state: stateOf(node) };
  if (node.op === 'recurrent' && use.part === 'state.top') {
    const st = stateOf(node);
    return { kind: 'vector', width: st.hidden * st.dirs };
  }
  return results.get(node.name)?.output ?? null;
}
