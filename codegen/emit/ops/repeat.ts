/**
 * `repeat`: a per-sentence vector at every time step of another sequence (d2l's context vector).
 *
 * For the YAML node
 *
 *     context: { op: repeat, input: encoder.state.top, like: tgt_emb }
 *
 * we generate, time-batched and for one step (where repeating is the identity):
 *
 *     const context = repeatOverTime(encoded.encoder_state_top, tgt_emb.shape[1]); // [B, T_tgt, 32]
 *     const context = state.encoder_state_top; // [N, 32]
 */
import { declare } from '../scope.js';
import type { OpEmitter } from './types.js';

export const repeatEmitter: OpEmitter<'repeat'> = {
  op: 'repeat',
  params: null,
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    if (scope.mode === 'step') {
      declare(w, node.id, x, scope.shape(node.out));
      return;
    }
    const steps = `${scope.value(node.node.like)}.shape[1]`;
    declare(w, node.id, `${scope.imports.use('repeatOverTime')}(${x}, ${steps})`, scope.shape(node.out));
  },
};
