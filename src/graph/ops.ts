/**
 * Shape rules, one per op: given the shapes of a node's inputs, its output shape, state and
 * parameter sizes — and a located diagnostic for every input that does not fit. An input whose
 * shape is unknown (null: an upstream error, or a delay not yet resolved) silences the checks that
 * need it, so one mistake yields one diagnostic.
 */
import type { Site } from '../diagnostics/factories.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { GraphNode, RecurrentNode, Spec, StreamName } from '../spec/types.js';
import * as D from './diagnostics.js';
import { keyRange, type ResolvedRef } from './references.js';
import { STREAM_VOCAB, type ParamShapes, type StateShape, type TimeAxis, type VocabSymbol, type Width } from './types.js';

/** A time axis, or '?' while a loop's axis is still being inferred. */
export type PendingTime = TimeAxis | '?';
export type Shape =
  | { kind: 'ids'; time: TimeAxis; vocab: VocabSymbol }
  | { kind: 'sequence'; time: PendingTime; width: Width }
  | { kind: 'vector'; width: Width }
  | { kind: 'state'; state: StateShape };

export interface InputValue { use: ResolvedRef; shape: Shape | null; site: Site }
export interface OpResult { output: Shape; state: StateShape | null; params: ParamShapes | null }

export interface OpContext {
  spec: Spec;
  node: GraphNode;
  byName: ReadonlyMap<string, GraphNode>;
  inputs: ReadonlyMap<string, InputValue>;
  report(d: Diagnostic): void;
}

export function vocabOf(stream: StreamName): VocabSymbol {
  return STREAM_VOCAB[stream];
}

export function stateOf(node: RecurrentNode): StateShape {
  return { cell: node.cell, layers: node.layers, dirs: node.bidirectional ? 2 : 1, hidden: node.hidden };
}

const sameTime = (a: PendingTime, b: PendingTime): boolean => a === '?' || b === '?' || a === b;
const knownTime = (...ts: PendingTime[]): PendingTime => ts.find((t) => t !== '?') ?? '?';

/** An input used as features: a sequence or a vector, never token ids or a whole state. */
function feature(ctx: OpContext, role: string): (InputValue & { shape: Extract<Shape, { kind: 'sequence' | 'vector' }> }) | null {
  const v = ctx.inputs.get(role);
  if (!v?.shape) return null;
  if (v.shape.kind === 'ids') { ctx.report(D.idsNeedEmbedding(v.site, v.use.ref.raw)); return null; }
  if (v.shape.kind === 'state') { ctx.report(D.stateOutsideInit(v.site, v.use.ref.raw, v.shape)); return null; }
  return v as InputValue & { shape: Extract<Shape, { kind: 'sequence' | 'vector' }> };
}

function sequence(ctx: OpContext, role: string, what: string, help?: string) {
  const v = feature(ctx, role);
  if (!v) return null;
  if (v.shape.kind !== 'sequence') { ctx.report(D.expectedSequence(v.site, what, v.use.ref.raw, v.shape, help)); return null; }
  return { ...v, shape: v.shape };
}

export function inferOp(ctx: OpContext): OpResult | null {
  const node = ctx.node;
  switch (node.op) {
    case 'embedding': {
      const v = ctx.inputs.get('input');
      if (!v?.shape) return null;
      if (v.shape.kind !== 'ids') {
        ctx.report(D.embeddingInputNotStream(v.site, v.use.ref.raw, v.shape, streamsOf(ctx)));
        return null;
      }
      return { output: { kind: 'sequence', time: v.shape.time, width: node.dim }, state: null, params: { op: 'embedding', vocab: v.shape.vocab, dim: node.dim } };
    }
    case 'recurrent': {
      const state = stateOf(node);
      const x = sequence(ctx, 'input', 'a recurrent input', 'repeat a vector over time first: `{ op: repeat, input: …, like: <a sequence> }`');
      const initOk = node.init ? checkInit(ctx, node, state) : true;
      if (!x || !initOk) return null;
      return {
        output: { kind: 'sequence', time: x.shape.time, width: node.hidden * state.dirs }, state,
        params: { op: 'recurrent', cell: node.cell, inputSize: x.shape.width, hidden: node.hidden, layers: node.layers, dirs: state.dirs },
      };
    }
    case 'dense': {
      const x = feature(ctx, 'input');
      if (!x) return null;
      const units: Width = typeof node.units === 'number' ? node.units : vocabOf(node.units.vocab);
      const output: Shape = x.shape.kind === 'sequence' ? { kind: 'sequence', time: x.shape.time, width: units } : { kind: 'vector', width: units };
      return { output, state: null, params: { op: 'dense', inSize: x.shape.width, outSize: units } };
    }
    case 'dropout': {
      const x = feature(ctx, 'input');
      return x ? { output: x.shape, state: null, params: null } : null;
    }
    case 'concat': return inferConcat(ctx, node.inputs.length);
    case 'repeat': {
      const x = feature(ctx, 'input');
      const like = ctx.inputs.get('like');
      let ok = x !== null && like?.shape != null;
      if (x && x.shape.kind === 'sequence') { ctx.report(D.repeatOfSequence(x.site, x.use.ref.raw, x.shape)); ok = false; }
      if (like?.shape && like.shape.kind !== 'sequence' && like.shape.kind !== 'ids') {
        ctx.report(D.expectedSequence(like.site, '`like`', like.use.ref.raw, like.shape, 'name a sequence whose time steps to copy, e.g. the target embedding'));
        ok = false;
      }
      if (!ok || !x || !like?.shape || like.shape.kind === 'vector' || like.shape.kind === 'state') return null;
      return { output: { kind: 'sequence', time: like.shape.time, width: x.shape.width }, state: null, params: null };
    }
    case 'attention': return inferAttention(ctx, node);
  }
}

function streamsOf(ctx: OpContext): readonly StreamName[] {
  return ctx.spec.task === 'seq2seq' ? ['source', 'target'] : ['tokens'];
}

/** `init` must be a whole state of the same kind, depth, width and directions. */
function checkInit(ctx: OpContext, node: RecurrentNode, mine: StateShape): boolean {
  const v = ctx.inputs.get('init');
  if (!v?.shape) return false;
  if (v.shape.kind !== 'state') { ctx.report(D.initNotState(v.site, v.use.ref.raw, v.shape)); return false; }
  const theirs = v.shape.state;
  const source = ctx.byName.get(v.use.ref.base)!;
  const at = (key: string, range = keyRange(node, key)): Site => ({ ...v.site, range, path: `/graph/${node.name}/${key}` });
  let ok = true;
  const mismatch = (code: 'G010' | 'G011' | 'G012' | 'G013', key: string, site: Site): void => {
    ctx.report(D.initMismatch(code, site, node.name, source.name, mine, theirs, keyRange(source, key)));
    ok = false;
  };
  if ((mine.cell === 'lstm') !== (theirs.cell === 'lstm')) mismatch('G010', 'cell', at('cell'));
  if (mine.layers !== theirs.layers) mismatch('G011', 'layers', at('layers'));
  if (mine.hidden !== theirs.hidden) mismatch('G012', 'hidden', at('hidden'));
  if (mine.dirs !== theirs.dirs) mismatch('G013', 'bidirectional', node.keyRanges['bidirectional'] ? at('bidirectional') : v.site);
  return ok;
}

function inferConcat(ctx: OpContext, count: number): OpResult | null {
  const parts = Array.from({ length: count }, (_, i) => feature(ctx, `inputs.${i}`));
  if (parts.some((p) => p === null)) return null;
  const ps = parts as NonNullable<(typeof parts)[number]>[];
  const firstSeq = ps.find((p) => p.shape.kind === 'sequence');
  const vector = ps.find((p) => p.shape.kind === 'vector');
  if (firstSeq && vector) {
    ctx.report(D.concatRankMismatch(vector.site, vector.use.ref.raw, vector.shape, firstSeq.use.ref.raw, firstSeq.site.range));
    return null;
  }
  let time: PendingTime = '?';
  let timed: (typeof ps)[number] | undefined;
  for (const p of ps) {
    if (p.shape.kind !== 'sequence' || p.shape.time === '?') continue;
    if (timed && !sameTime(time, p.shape.time)) {
      ctx.report(D.timeMismatch(p.site, 'concat over different time axes', p.use.ref.raw, p.shape.time, timed.use.ref.raw, time, timed.site.range));
      return null;
    }
    if (!timed) { timed = p; time = p.shape.time; }
  }
  const symbolic = ps.find((p) => typeof p.shape.width !== 'number');
  if (symbolic) {
    ctx.report(D.widthUnknown(symbolic.site, `concat of \`${symbolic.use.ref.raw}\`, whose width is the vocabulary size ${symbolic.shape.width}, is not supported`));
    return null;
  }
  const width = ps.reduce((sum, p) => sum + (p.shape.width as number), 0);
  return { output: firstSeq ? { kind: 'sequence', time, width } : { kind: 'vector', width }, state: null, params: null };
}

function inferAttention(ctx: OpContext, node: Extract<GraphNode, { op: 'attention' }>): OpResult | null {
  const q = feature(ctx, 'query');
  const k = sequence(ctx, 'keys', 'attention keys');
  const v = sequence(ctx, 'values', 'attention values');
  let ok = q !== null && k !== null && v !== null;
  if (k && v && !sameTime(k.shape.time, v.shape.time)) {
    ctx.report(D.keysValuesMismatch(v.site, v.use.ref.raw, v.shape.time, k.use.ref.raw, k.shape.time, k.site.range));
    ok = false;
  }
  const m = ctx.inputs.get('mask');
  if (m?.shape) {
    if (m.use.target.kind !== 'stream') {
      ctx.report(D.invalidMask(m.site, `a mask must be a stream whose lengths mark the valid keys; \`${m.use.ref.raw}\` is a node`, 'use the stream the keys were computed from, e.g. `mask: source`'));
      ok = false;
    } else if (k && m.shape.kind === 'ids' && !sameTime(m.shape.time, k.shape.time)) {
      ctx.report(D.invalidMask(m.site, `mask \`${m.use.ref.raw}\` runs over ${m.shape.time} but keys \`${k.use.ref.raw}\` over ${k.shape.time}`,
        undefined, { message: `keys \`${k.use.ref.raw}\``, range: k.site.range }));
      ok = false;
    }
  }
  if (q && k && node.kind === 'dot' && q.shape.width !== k.shape.width) {
    ctx.report(D.attentionWidthMismatch(q.site, q.use.ref.raw, String(q.shape.width), k.use.ref.raw, String(k.shape.width), k.site.range));
    ok = false;
  }
  if (!ok || !q || !k || !v) return null;
  const output: Shape = q.shape.kind === 'sequence'
    ? { kind: 'sequence', time: knownTime(q.shape.time), width: v.shape.width }
    : { kind: 'vector', width: v.shape.width };
  const hidden = node.kind === 'dot' ? null : (node.hidden ?? q.shape.width);
  return {
    output, state: null,
    params: { op: 'attention', kind: node.kind, queryDim: q.shape.width, keyDim: k.shape.width, valueDim: v.shape.width, hidden },
  };
}
