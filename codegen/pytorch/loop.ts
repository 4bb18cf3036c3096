/**
 * A loop of a time-batched body: nodes strongly connected through `.prev` run per time step, the
 * rest stays time-batched (the planner's PlanLoop, as ../passes/emit-loop.ts writes it for tfjs).
 * For d2l's Bahdanau decoder we generate
 *
 *     # loop over T_tgt: attn, dec_in, decoder (closed by .prev), one step at a time
 *     attn_keys = sl.project_keys(self.attn, encoded.encoder_output)  # keys · W_k, once for all steps
 *     decoder_carry = encoded.encoder_state
 *     decoder_steps: List[Tensor] = []
 *     for t in range(tgt_in.shape[1]):
 *         attn = sl.attention("additive", self.attn, sl.state_top(decoder_carry), …)  # [B, 32]
 *         dec_in = torch.cat([attn, tgt_emb[:, t]], -1)  # [B, 64]
 *         decoder, decoder_state = sl.recurrent_step(self.decoder, dec_in, decoder_carry)  # …
 *         decoder_carry = decoder_state
 *         decoder_steps.append(decoder)
 *     decoder = torch.stack(decoder_steps, 1)  # [B, T_tgt, 32]
 *
 * A `.prev` read inside the step sees the carried value, updated only once the step is done.
 */
import type { IRNode } from '../ir/types.js';
import { widthText } from '../emit/scope.js';
import { emitPyNode } from './ops.js';
import { pyComment } from './names.js';
import { PyScope, pyWidth } from './scope.js';
import type { PyWriter } from './writer.js';

export interface PyLoopContext {
  /** Expression of the number of steps (`tgt_in.shape[1]`) and of the rows (`tgt_in.shape[0]`). */
  steps: string;
  rows: string;
  /** Start state of a recurrent loop node (null: zeros). */
  startState(node: IRNode): string | null;
  /** Start value of a `.prev` non-recurrent node (null: zeros). */
  startPrev(node: IRNode): string | null;
  /** Loop nodes whose sequence output is read after the loop. */
  neededAfter(node: IRNode): boolean;
  /** Expression of the device new tensors go to (`tgt_in.device`). */
  device(): string;
  /** Told the local that holds a node's `.prev` value (its final value once the loop ends). */
  prevLocal?(node: IRNode, local: string): void;
}

export function emitPyLoop(w: PyWriter, loop: IRNode[], outer: PyScope, ctx: PyLoopContext): void {
  const names = new Set(loop.map((n) => n.node.name));
  const inner = new PyScope(outer.ir, outer.symbols, 'step', 'B');
  w.line(`# loop over ${outer.ir.stream === 'target' ? 'T_tgt' : 'T'}: ${pyComment(loop.map((n) => n.node.name).join(', '))} (closed by .prev), one step at a time`);
  const loopAxis = loop[0]!.out.time;
  for (const node of loop) {
    for (const { ref, info } of node.inputs) {
      if (ref.delayed || names.has(ref.base)) continue;
      if (ref.base === 'source') inner.bindStreamLengths('source', outer.streamLengths('source'));
      else if (info.kind !== 'state' && info.time !== null && info.time === loopAxis) inner.bind(ref, `${outer.value(ref)}[:, t]`);
      else inner.bind(ref, outer.value(ref));
    }
  }
  for (const node of loop) {
    if (node.node.op !== 'attention' || node.node.kind !== 'additive') continue;
    const keys = node.node.keys;
    if (keys.delayed || names.has(keys.base)) continue;
    const projected = inner.local(node, 'keys');
    w.line(`${projected} = sl.project_keys(${outer.layer(node)}, ${outer.value(keys)})  # keys · W_k, once for all steps`);
    inner.bindProjectedKeys(node, projected);
  }
  const carry = new Map<IRNode, string>();
  const prev = new Map<IRNode, string>();
  const steps = new Map<IRNode, string>();
  for (const node of loop) {
    if (!node.recurrent) continue;
    const v = inner.local(node, 'carry');
    carry.set(node, v);
    w.line(`${v} = ${ctx.startState(node) ?? `sl.zero_state(${outer.layer(node)}, ${ctx.rows})`}`);
    inner.bindStartState(node, v);
    inner.bind({ base: node.node.name, part: 'output', delayed: true }, `sl.state_top(${v})`);
  }
  for (const node of loop) {
    const delayedRead = loop.some((m) => m.inputs.some(({ ref }) => ref.delayed && ref.base === node.node.name));
    if (!node.recurrent && delayedRead) {
      const v = inner.local(node, 'prev');
      prev.set(node, v);
      const zeros = `torch.zeros(${ctx.rows}, ${pyWidth(node.out.width, 'method')}, device=${ctx.device()})`;
      w.line(`${v} = ${ctx.startPrev(node) ?? zeros}`);
      inner.bind({ base: node.node.name, part: 'output', delayed: true }, v);
    }
    if (ctx.neededAfter(node)) {
      const v = inner.local(node, 'steps');
      steps.set(node, v);
      w.line(`${v}: List[Tensor] = []`);
    }
  }
  w.block(`for t in range(${ctx.steps}):`, () => {
    for (const node of loop) emitPyNode(w, node, inner);
    for (const [node, v] of carry) w.line(`${v} = ${inner.local(node, 'state')}`);
    for (const [node, v] of prev) w.line(`${v} = ${inner.id(node)}`);
    for (const [node, v] of steps) w.line(`${v}.append(${inner.id(node)})`);
  });
  for (const node of loop) {
    const v = steps.get(node);
    if (v !== undefined) w.line(`${outer.id(node)} = torch.stack(${v}, 1)  # [B, ${loopAxis}, ${widthText(node.out.width)}]`);
    // After the loop, a recurrent node's state is its carried value (as if it had run time-batched).
    const c = carry.get(node);
    if (c !== undefined) outer.bind({ base: node.node.name, part: 'state', delayed: false }, c);
    if (c !== undefined && node.recurrent) {
      outer.bind({ base: node.node.name, part: 'state.top', delayed: false }, `sl.state_top(${c}${node.recurrent.dirs === 2 ? ', bidirectional=True' : ''})`);
    }
    const p = prev.get(node);
    if (p !== undefined) ctx.prevLocal?.(node, p);
  }
}
