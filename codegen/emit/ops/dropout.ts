/**
 * `dropout`: inverted dropout while training (masks drawn from the module's seeded generator), the
 * identity otherwise.
 *
 * For the YAML node
 *
 *     emb_drop: { op: dropout, input: src_emb, rate: 0.1 }
 *
 * we generate
 *
 *     const emb_drop = dropout(src_emb, 0.1, training, this.rng); // [B, T_src, 32]
 */
import { numberLiteral } from '../../framework/text.js';
import { declare } from '../scope.js';
import type { OpEmitter } from './types.js';

export const dropoutEmitter: OpEmitter<'dropout'> = {
  op: 'dropout',
  params: null,
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    const call = `${scope.imports.use('dropout')}(${x}, ${numberLiteral(node.node.rate)}, ${scope.training}, this.rng)`;
    declare(w, node.id, call, scope.shape(node.out));
  },
};
