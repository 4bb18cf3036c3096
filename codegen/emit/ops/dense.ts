/**
 * `dense`: an affine map (plus activation) on the last axis; over a sequence it is one matMul on
 * [B·T, In].
 *
 * For the YAML node
 *
 *     logits: { op: dense, input: decoder, units: target.vocab }
 *
 * we generate
 *
 *     const logits = dense(this.params.logits, decoder.output, 'none'); // [B, T_tgt, V_target]
 *
 * and its parameters `logits: createDenseParams(32, v.target, rng)` (checkpoint: `<weights>.weight`
 * [V_target, 32], `<weights>.bias` [V_target]).
 */
import { stringLiteral } from '../../framework/text.js';
import { declare, widthExpr } from '../scope.js';
import type { NodeOf, OpEmitter } from './types.js';

export const denseEmitter: OpEmitter<'dense'> = {
  op: 'dense',
  params: {
    type: (imports) => imports.type('ParamMap'),
    create: (node, imports) => `${imports.use('createDenseParams')}(${widthExpr(node.inputWidth, 'v')}, ${unitsExpr(node)}, rng)`,
    torchKind: 'dense',
    torchConfig: (node) => `{ inSize: ${widthExpr(node.inputWidth, 'v')}, outSize: ${unitsExpr(node)} }`,
  },
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    const act = stringLiteral(node.node.activation);
    declare(w, node.id, `${scope.imports.use('dense')}(${scope.paramsOf(node)}, ${x}, ${act})`, scope.shape(node.out));
  },
};

function unitsExpr(node: NodeOf<'dense'>): string {
  return typeof node.node.units === 'number' ? String(node.node.units) : `v.${node.node.units.vocab}`;
}
