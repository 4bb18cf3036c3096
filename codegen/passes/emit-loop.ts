/**
 * A loop of the teacher-forced forward pass: nodes strongly connected through `.prev` run per time
 * step, everything outside them stays time-batched. For d2l's Bahdanau decoder
 *
 *     attn:    { op: attention, query: decoder.prev, keys: encoder, values: encoder, mask: source }
 *     dec_in:  { op: concat, inputs: [attn, tgt_emb] }
 *     decoder: { op: recurrent, cell: gru, input: dec_in, init: encoder.state }
 *
 * we generate (tgt_emb was computed for all steps before the loop, logits are computed after it):
 *
 *     const tgt_emb_t = tf.unstack(tgt_emb, 1) as tf.Tensor2D[]; // T_tgt × [B, 32]
 *     let decoder_state: RecurrentState = encoded.encoder_state;
 *     const decoder_steps: tf.Tensor2D[] = [];
 *     for (let t = 0; t < steps; t++) {
 *       const attn = attention('additive', this.params.attn, stateTop(decoder_state), …).context; // [B, 32]
 *       const dec_in = tf.concat([attn, tgt_emb_t[t]!], -1) as tf.Tensor2D; // [B, 64]
 *       const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, decoder_state, …);
 *       decoder_state = decoder.state;
 *       decoder_steps.push(decoder.output);
 *     }
 *     const decoder = { output: tf.stack(decoder_steps, 1) as tf.Tensor3D, state: decoder_state }; // [B, T_tgt, 32]
 */
import type { CodeBlockWriter } from 'ts-morph';
import { TF } from '../framework/imports.js';
import { commentText } from '../framework/text.js';
import type { SymbolTable } from '../framework/symbols.js';
import type { IRNode } from '../ir/types.js';
import { emitterFor } from '../emit/ops/index.js';
import type { NodeOf } from '../emit/ops/types.js';
import { Scope, widthExpr, widthText } from '../emit/scope.js';

export interface LoopContext {
  /** Rows of the batch (`batch.tgtIn.shape[0]`) and number of steps (`batch.tgtIn.shape[1]`). */
  rows: string;
  steps: string;
  /** Start state of a recurrent loop node (null: zeros). */
  startState(node: IRNode): string | null;
  /** Start value of a `.prev` non-recurrent node (null: zeros). */
  startPrev(node: IRNode): string | null;
  /** Loop nodes whose values are needed after the loop (outside it, the output, the final state). */
  neededAfter(node: IRNode): boolean;
  /** Told the local that holds a node's `.prev` value (its final value once the loop ends). */
  prevLocal(node: IRNode, local: string): void;
}

export function emitLoop(w: CodeBlockWriter, loop: IRNode[], outer: Scope, symbols: SymbolTable, ctx: LoopContext): void {
  const names = new Set(loop.map((n) => n.node.name));
  const imports = outer.imports;
  const inner = new Scope(outer.ir, imports, symbols, 'step', outer.training, 'B');
  const local = (node: IRNode, suffix: string): string => symbols.declare(`${node.node.name}#${suffix}`, `${node.id}_${suffix}`);
  const members = commentText(loop.map((n) => n.node.name).join(', '));
  w.writeLine(`// loop over ${outer.ir.stream === 'target' ? 'T_tgt' : 'T'}: ${members} (closed by .prev), one step at a time`);

  // Inputs from outside the loop: sequences on the loop's axis are sliced per step; the rest is used as is.
  const loopAxis = loop[0]!.out.time;
  const sliced = new Set<string>();
  for (const node of loop) {
    for (const { ref, info } of node.inputs) {
      if (ref.delayed || names.has(ref.base)) continue;
      if (info.kind !== 'state' && info.time !== null && info.time === loopAxis && ref.base !== 'source') {
        const base = outer.ir.byName.get(ref.base);
        const slices = symbols.declare(`slices:${ref.base}|${ref.part}`, `${base?.id ?? ref.base}_t`);
        if (!sliced.has(slices)) {
          sliced.add(slices);
          w.writeLine(`const ${slices} = ${TF}.unstack(${outer.value(ref)}, 1) as tf.Tensor2D[]; // ${loopAxis} × [B, ${widthText(info.width)}]`);
        }
        inner.bind(ref, `${slices}[t]!`);
      } else if (ref.base === 'source') {
        inner.bindStreamLengths('source', outer.streamLengths('source'));
      } else {
        inner.bind(ref, outer.value(ref));
      }
    }
  }
  // Additive attention over keys fixed during the loop: project the keys once, before it.
  for (const node of loop) {
    if (node.node.op !== 'attention' || node.node.kind !== 'additive') continue;
    const keys = node.node.keys;
    if (keys.delayed || names.has(keys.base)) continue;
    const projected = inner.local(node, 'keys');
    const projection = `${imports.use('projectAttentionKeys')}(${outer.paramsOf(node)}, ${outer.value(keys)})`;
    w.writeLine(`const ${projected} = ${projection}; // keys · W_k, once for all steps`);
    inner.bindProjectedKeys(node, projected);
  }
  // Carried values: recurrent states, `.prev` values, per-step outputs kept for after the loop.
  const stateVar = new Map<IRNode, string>();
  const prevVar = new Map<IRNode, string>();
  const stepsVar = new Map<IRNode, string>();
  for (const node of loop) {
    if (node.recurrent) {
      const v = local(node, 'state');
      stateVar.set(node, v);
      const start = ctx.startState(node) ?? `${imports.use('zeroState')}(${outer.cellOf(node)}, ${ctx.rows})`;
      w.writeLine(`let ${v}: ${imports.type('RecurrentState')} = ${start};`);
      inner.bindStartState(node, v);
      inner.bind({ base: node.node.name, part: 'output', delayed: true }, `${imports.use('stateTop')}(${v})`);
    }
  }
  for (const node of loop) {
    const delayedRead = loop.some((m) => m.inputs.some(({ ref }) => ref.delayed && ref.base === node.node.name));
    if (!node.recurrent && delayedRead) {
      const v = local(node, 'prev');
      prevVar.set(node, v);
      const start = ctx.startPrev(node) ?? `${TF}.zeros([${ctx.rows}, ${widthExpr(node.out.width, 'this.config.vocab')}]) as tf.Tensor2D`;
      w.writeLine(`let ${v} = ${start};`);
      ctx.prevLocal(node, v);
      inner.bind({ base: node.node.name, part: 'output', delayed: true }, v);
    }
    if (ctx.neededAfter(node)) {
      const v = local(node, 'steps');
      stepsVar.set(node, v);
      w.writeLine(`const ${v}: tf.Tensor2D[] = [];`);
    }
  }
  w.write(`for (let t = 0; t < ${ctx.steps}; t++) `).block(() => {
    for (const node of loop) emitterFor(node.node.op).emit(w, node as NodeOf<never>, inner);
    for (const [node, v] of stateVar) w.writeLine(`${v} = ${node.id}.state;`);
    for (const [node, v] of prevVar) w.writeLine(`${v} = ${node.id};`);
    for (const [node, v] of stepsVar) w.writeLine(`${v}.push(${node.recurrent ? `${node.id}.output` : node.id});`);
  });
  // After the loop, each needed node is bound like its time-batched counterpart.
  for (const node of loop) {
    const steps = stepsVar.get(node);
    const stacked = steps ? `${TF}.stack(${steps}, 1) as tf.Tensor3D` : null;
    const shape = `[B, ${loopAxis}, ${widthText(node.out.width)}]`;
    if (node.recurrent) {
      const fields = [...(stacked ? [`output: ${stacked}`] : []), `state: ${stateVar.get(node)!}`];
      w.writeLine(`const ${node.id} = { ${fields.join(', ')} }; // output ${shape}`);
    } else if (stacked) {
      w.writeLine(`const ${node.id} = ${stacked}; // ${shape}`);
    }
  }
}
