/**
 * `concat`: features side by side on the last axis.
 *
 * For the YAML node
 *
 *     dec_in: { op: concat, inputs: [tgt_emb, context] }
 *
 * we generate
 *
 *     const dec_in = tf.concat([tgt_emb, context], -1); // [B, T_tgt, 64]   (decodeStep: [N, 64])
 */
import { TF } from '../../framework/imports.js';
import { declare } from '../scope.js';
import type { OpEmitter } from './types.js';

export const concatEmitter: OpEmitter<'concat'> = {
  op: 'concat',
  params: null,
  emit(w, node, scope) {
    const parts = node.node.inputs.map((r) => scope.value(r));
    const cast = scope.mode === 'step' || node.out.time === null ? 'tf.Tensor2D' : 'tf.Tensor3D';
    declare(w, node.id, `${TF}.concat([${parts.join(', ')}], -1) as ${cast}`, scope.shape(node.out));
  },
};
