/**
 * `embedding`: token ids → vectors, one gather for all time steps.
 *
 * For the YAML node
 *
 *     tgt_emb: { op: embedding, input: target, dim: 32 }
 *
 * we generate, in `forward` (time-batched) and `decodeStep` (one step):
 *
 *     const tgt_emb = embedding(this.params.tgt_emb, batch.tgtIn); // [B, T_tgt, 32]
 *     const tgt_emb = embedding(this.params.tgt_emb, tokens); // [N, 32]
 *
 * and its parameters `tgt_emb: createEmbeddingParams(v.target, 32, rng)` (checkpoint:
 * `<weights>.weight`, [V_target, 32]).
 */
import { declare } from '../scope.js';
import type { OpEmitter } from './types.js';

export const embeddingEmitter: OpEmitter<'embedding'> = {
  op: 'embedding',
  params: {
    type: (imports) => imports.type('ParamMap'),
    create: (node, imports) => `${imports.use('createEmbeddingParams')}(v.${node.node.input.base}, ${node.node.dim}, rng)`,
    torchKind: 'embedding',
    torchConfig: (node) => `{ vocab: v.${node.node.input.base}, dim: ${node.node.dim} }`,
  },
  emit(w, node, scope) {
    const ids = scope.value(node.node.input);
    declare(w, node.id, `${scope.imports.use('embedding')}(${scope.paramsOf(node)}, ${ids})`, scope.shape(node.out));
  },
};
