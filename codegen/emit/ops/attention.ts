/**
 * `attention`: additive (Bahdanau) or dot-product attention of a query over keys/values, with keys
 * past each sentence's valid length masked out (`mask: source`).
 *
 * For the YAML node (Bahdanau: the query is the decoder's previous hidden state, which closes a loop)
 *
 *     attn: { op: attention, kind: additive, query: decoder.prev, keys: encoder, values: encoder, mask: source }
 *
 * we generate, inside the per-step loop of `forward` and in `decodeStep`:
 *
 *     const attn = attention('additive', this.params.attn, stateTop(decoder_state), encoded.encoder, encoded.encoder, batch.srcLen).context; // [B, 32]
 *
 * and its parameters `attn: createAttentionParams('additive', 32, 32, 32, rng)` (checkpoint names:
 * the runtime's torch-layout converter, d2l's `W_q.weight`, `W_k.weight`, `w_v.weight`). A query
 * over a whole sequence outside any loop runs the same call once per step and stacks the contexts.
 */
import { TF } from '../../framework/imports.js';
import { stringLiteral } from '../../framework/text.js';
import { declare, widthExpr } from '../scope.js';
import type { NodeOf, OpEmitter } from './types.js';

export const attentionEmitter: OpEmitter<'attention'> = {
  op: 'attention',
  params: {
    type: (imports) => imports.type('ParamMap'),
    create: (node, imports) => {
      const s = attentionSizes(node);
      return `${imports.use('createAttentionParams')}(${stringLiteral(node.node.kind)}, ${s.queryDim}, ${s.keyDim}, ${s.hidden}, rng)`;
    },
    torchKind: 'attention',
    torchConfig: (node) => {
      const s = attentionSizes(node);
      return `{ kind: ${stringLiteral(node.node.kind)}, queryDim: ${s.queryDim}, keyDim: ${s.keyDim}, hidden: ${s.hidden} }`;
    },
  },
  emit(w, node, scope) {
    const n = node.node;
    const kind = stringLiteral(n.kind);
    const query = scope.value(n.query);
    const keys = scope.value(n.keys);
    const values = scope.value(n.values);
    const queryInfo = node.inputs.find((i) => i.role === 'query')!.info;
    let projected = scope.projectedKeys(node);
    if (projected === null && n.kind === 'additive' && scope.mode === 'batched' && queryInfo.time !== null) {
      // One query per step below: project the keys once for all of them.
      projected = scope.local(node, 'keys');
      const projection = `${scope.imports.use('projectAttentionKeys')}(${scope.paramsOf(node)}, ${keys})`;
      declare(w, projected, projection, `[B, T_src, ${attentionHidden(node)}]`);
    }
    const mask = n.mask ? `, ${scope.streamLengths(n.mask.base as 'source')}` : (projected !== null ? ', undefined' : '');
    const opts = projected !== null ? `, { projectedKeys: ${projected} }` : '';
    const run = (q: string): string => `${scope.imports.use('attention')}(${kind}, ${scope.paramsOf(node)}, ${q}, ${keys}, ${values}${mask}${opts})`;
    if (scope.mode === 'batched' && queryInfo.time !== null) {
      const perStep = `${TF}.unstack(${query}, 1).map((q) => ${run('q as tf.Tensor2D')}.context)`;
      declare(w, node.id, `${TF}.stack(${perStep}, 1) as tf.Tensor3D`, scope.shape(node.out));
      return;
    }
    const weights = scope.attentionWeights(node);
    if (weights !== null) {
      // The weights are wanted too (decoding's attention output): keep both results of the call.
      w.writeLine(`const { context: ${node.id}, weights: ${weights} } = ${run(query)}; // ${scope.shape(node.out)}; weights [${scope.rows}, T_src]`);
      return;
    }
    declare(w, node.id, `${run(query)}.context`, scope.shape(node.out));
  },
};

/** Query and key widths, and the additive scorer's hidden width (default: the query width). */
function attentionSizes(node: NodeOf<'attention'>): { queryDim: string; keyDim: string; hidden: string } {
  const query = node.inputs.find((i) => i.role === 'query')!;
  const keys = node.inputs.find((i) => i.role === 'keys')!;
  const queryDim = widthExpr(query.info.width, 'v');
  return { queryDim, keyDim: widthExpr(keys.info.width, 'v'), hidden: node.node.hidden !== null ? String(node.node.hidden) : queryDim };
}

/** The additive scorer's hidden width, for comments. */
export function attentionHidden(node: NodeOf<'attention'>): string {
  return attentionSizes(node).hidden.replace(/v\./g, 'V_');
}
