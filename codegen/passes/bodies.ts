/**
 * The bodies that run the graph: `encode` (source side, time-batched), the target side
 * time-batched with its loops (teacher-forced `forward`), and the target side for one step
 * (`decodeStep`). Each binds what lies outside the nodes (streams, encoded values, carried state),
 * then lets the op emitters write one line per node.
 */
import type { CodeBlockWriter } from 'ts-morph';
import { TF } from '../framework/imports.js';
import type { IRNode } from '../ir/types.js';
import { emitterFor } from '../emit/ops/index.js';
import type { NodeOf } from '../emit/ops/types.js';
import { Scope, widthExpr } from '../emit/scope.js';
import { emitLoop } from './emit-loop.js';
import type { Gen } from './context.js';
import type { CrossingField } from './layout.js';

/** Writes a node's line; in time-batched bodies a folded concat/repeat (ir/folds.ts) has none. */
function emitNode(w: CodeBlockWriter, node: IRNode, scope: Scope): void {
  if (scope.mode === 'batched' && scope.ir.folds.skipped.has(node.node.name)) return;
  emitterFor(node.node.op).emit(w, node as NodeOf<never>, scope);
}

/** Binds every crossing to `<holder>.<key>` (`encoded.encoder_state`, `state.encoder_output`). */
function bindCrossings(scope: Scope, crossings: readonly CrossingField[], holder: string): void {
  for (const c of crossings) {
    const expr = `${holder}.${c.key}`;
    if (c.crossing.part === 'lengths') scope.bindStreamLengths('source', expr);
    else scope.bind({ base: c.crossing.from, part: c.crossing.part, delayed: false }, expr);
  }
}

/** The start of a target-side recurrent node: its `init` crossing, or null (zeros). */
export function initCrossing(g: Pick<Gen, 'ir' | 'layout'>, node: IRNode): CrossingField | null {
  const carried = g.ir.plan.stepState.find((c) => c.node === node.node.name);
  if (!carried || carried.initial.kind === 'zeros') return null;
  const key = carried.initial.crossing;
  const field = g.layout.crossings.find((c) => c.crossing.key === key);
  if (!field) throw new Error(`codegen: ${node.node.name} starts from ${carried.initial.from}, which is not computed by encode()`);
  return field;
}

/**
 * Where a target-side node starts in a time-batched body: with `carried` (a language model's state
 * from the previous batch) its field of that state, else its `init` crossing of `encoded`; null
 * when it starts from zeros.
 */
export function startField(g: Pick<Gen, 'ir' | 'layout'>, node: IRNode, carried: boolean): string | null {
  if (carried) return [...g.layout.recurrent, ...g.layout.prevs].find((r) => r.node === node)?.key ?? null;
  return initCrossing(g, node)?.key ?? null;
}

/** `encode`: the source side once over [B, T_src]; returns the crossings. */
export function writeEncodeBody(w: CodeBlockWriter, g: Gen): void {
  const scope = new Scope(g.ir, g.imports, g.symbols, 'batched', 'training');
  scope.bind({ base: 'source', part: 'output', delayed: false }, 'src');
  scope.bindStreamLengths('source', 'srcLen');
  for (const node of g.ir.encode) {
    if (node.recurrent) scope.bindLengths(node, 'srcLen');
    emitNode(w, node, scope);
  }
  w.write('return ').inlineBlock(() => {
    for (const c of g.layout.crossings) {
      if (c.crossing.part === 'lengths') { w.writeLine(`${c.key}: ${TF}.clone(srcLen),`); continue; }
      const value = scope.value({ base: c.crossing.from, part: c.crossing.part, delayed: false, raw: c.crossing.from });
      w.writeLine(`${c.key}: ${c.crossing.part === 'state' ? stateCastFor(g, c.node!, value) : value},`);
    }
  }).write(';').newLine();
}

export interface BatchedTarget {
  /** Expression of the stream's ids [B, T] (`batch.tgtIn`, `x`). */
  ids: string;
  /** Where crossings live (`encoded`), or null for a language model. */
  encoded: string | null;
  /** Language models: the carried state expression (`state`, may be null at run time). */
  carried: string | null;
  /** A batched node not to evaluate (the output layer, when the caller applies it itself). */
  skip?: IRNode;
  /** Valid lengths for the time-batched recurrent nodes of this side (`tgtLen ?? undefined`). */
  recurrentLengths?: string;
}

/**
 * The target side over the whole time axis: batched nodes once, loops per step. Returns the scope
 * (so callers can read the output and final states) and the final `.prev` locals of loop nodes.
 */
export function writeBatchedTarget(w: CodeBlockWriter, g: Gen, t: BatchedTarget): { scope: Scope; prevLocals: Map<string, string> } {
  const scope = new Scope(g.ir, g.imports, g.symbols, 'batched', 'training');
  scope.bind({ base: g.ir.stream, part: 'output', delayed: false }, t.ids);
  if (t.encoded !== null) bindCrossings(scope, g.layout.crossings, t.encoded);
  const start = (node: IRNode): string | null => {
    const key = startField(g, node, t.carried !== null);
    return key === null ? null : t.carried !== null ? `${t.carried}?.${key}` : `${t.encoded}.${key}`;
  };
  const prevLocals = new Map<string, string>();
  for (const step of g.ir.plan.main.steps) {
    if (step.kind === 'batched') {
      const node = g.ir.byName.get(step.node)!;
      if (node === t.skip) continue;
      if (node.recurrent) scope.bindStartState(node, start(node));
      if (node.recurrent && t.recurrentLengths !== undefined) scope.bindLengths(node, t.recurrentLengths);
      emitNode(w, node, scope);
      continue;
    }
    const loop = g.ir.loops[step.loop]!;
    const loopNames = new Set(loop.map((n) => n.node.name));
    const outside = g.ir.decode.filter((n) => !loopNames.has(n.node.name));
    emitLoop(w, loop, scope, g.symbols, {
      rows: `${t.ids}.shape[0]`,
      steps: `${t.ids}.shape[1]`,
      startState: (node) => {
        const s = start(node);
        if (s === null) return null;
        return t.carried !== null ? `${s} ?? ${g.imports.use('zeroState')}(${scope.cellOf(node)}, ${t.ids}.shape[0])` : s;
      },
      startPrev: (node) => {
        const s = start(node);
        return s === null ? null : `${s} ?? ${TF}.zeros([${t.ids}.shape[0], ${widthExpr(node.out.width, 'this.config.vocab')}]) as tf.Tensor2D`;
      },
      neededAfter: (node) => node === g.ir.output ||
        outside.some((o) => o.inputs.some(({ ref }) => ref.base === node.node.name && !ref.delayed)),
      prevLocal: (node, local) => prevLocals.set(node.node.name, local),
    });
  }
  return { scope, prevLocals };
}

/**
 * One step of the target side for N rows: `tokens` [N] and the carried `state` in, each node on
 * [N, D]. Declares `next` (the state after this step); returns the scope (see outputValue). The
 * layout's attention node also keeps its weights (`scope.attentionWeights`).
 */
export function writeTargetStep(w: CodeBlockWriter, g: Gen, stateType: string): Scope {
  const scope = new Scope(g.ir, g.imports, g.symbols, 'step', 'training');
  scope.bind({ base: g.ir.stream, part: 'output', delayed: false }, 'tokens');
  bindCrossings(scope, g.layout.crossings.filter((c) => !c.initOnly), 'state');
  for (const { node, key } of g.layout.recurrent) {
    scope.bindStartState(node, `state.${key}`);
    scope.bind({ base: node.node.name, part: 'output', delayed: true }, `${g.imports.use('stateTop')}(state.${key})`);
  }
  for (const { node, key } of g.layout.prevs) scope.bind({ base: node.node.name, part: 'output', delayed: true }, `state.${key}`);
  for (const { node, key } of g.layout.projectedKeys) scope.bindProjectedKeys(node, `state.${key}`);
  if (g.layout.attention !== null) scope.bindAttentionWeights(g.layout.attention, scope.local(g.layout.attention, 'weights'));
  for (const node of g.ir.decode) emitNode(w, node, scope);
  w.write(`const next: ${stateType} = `).inlineBlock(() => {
    for (const { node, key } of g.layout.recurrent) w.writeLine(`${key}: ${stateCastFor(g, node, `${node.id}.state`)},`);
    for (const { node, key } of g.layout.prevs) w.writeLine(`${key}: ${TF}.clone(${node.id}),`);
    for (const c of g.layout.crossings.filter((x) => !x.initOnly)) w.writeLine(`${c.key}: ${cloneField(g, c, `state.${c.key}`)},`);
    for (const { key } of g.layout.projectedKeys) w.writeLine(`${key}: ${TF}.clone(state.${key}),`);
  }).write(';').newLine();
  return scope;
}

/** The output node's value in a scope (`logits`, or `decoder.output` for a recurrent output). */
export function outputValue(g: Gen, scope: Scope): string {
  return scope.value({ base: g.ir.output.node.name, part: 'output', delayed: false, raw: g.ir.output.node.name });
}

export function stateCastFor(g: Gen, node: IRNode, expr: string): string {
  const cell = node.recurrent!.cell;
  return `${expr} as ${g.imports.type(cell === 'lstm' ? 'LstmState' : cell === 'gru' ? 'GruState' : 'RnnState')}`;
}

/** A copy of a carried field that shares data but not the handle (the search disposes old states). */
export function cloneField(g: Gen, c: CrossingField, expr: string): string {
  if (c.crossing.part === 'state') {
    const fields = c.node!.recurrent!.cell === 'lstm' ? ['h', 'c'] : ['h'];
    return `{ ${fields.map((f) => `${f}: ${TF}.clone(${expr}.${f})`).join(', ')} }`;
  }
  return `${TF}.clone(${expr})`;
}
