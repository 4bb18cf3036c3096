/**
 * Pass 3d, "emit module": attention weights out of a seq2seq module whose target side attends over
 * the source (the layout's `attention` node, e.g. d2l's Bahdanau `attn`). Besides `decodeStep`'s
 * `{ attention: true }` (emit-seq2seq.ts) and the searches' `sourceLengths` (emit-search.ts):
 *
 *   static readonly attentionNode = 'attn';        which node decoding reports
 *   attentionWeights(batch)                         its teacher-forced weights [B, T_tgt, T_src]
 *
 * Modules without such a node get none of these, so their code is unchanged.
 */
import type { MethodDeclarationStructure, OptionalKind, PropertyDeclarationStructure } from 'ts-morph';
import { TF } from '../framework/imports.js';
import { stringLiteral } from '../framework/text.js';
import type { Gen } from './context.js';

type Method = OptionalKind<MethodDeclarationStructure>;
type Property = OptionalKind<PropertyDeclarationStructure>;

export function attentionProperties(g: Gen): Property[] {
  const attn = g.layout.attention;
  if (attn === null) return [];
  return [
    {
      name: 'attentionNode', isStatic: true, isReadonly: true, initializer: stringLiteral(attn.node.name),
      docs: ['The attention node whose weights decoding returns with `{ attention: true }`.'],
    },
    { name: 'attentionNode', isReadonly: true, initializer: `${g.ir.className}.attentionNode` },
  ];
}

export function attentionMethods(g: Gen): Method[] {
  const attn = g.layout.attention;
  if (attn === null) return [];
  return [{
    name: 'attentionWeights',
    docs: [[
      `Teacher-forced weights of ${attn.node.name} [B, T_tgt, T_src] through the decoding path: step t reads`,
      'batch.tgtIn[:, t] (row t: the weights that produce target token t). No dropout.',
    ].join('\n')],
    parameters: [{ name: 'batch', type: g.imports.type('Seq2SeqBatch') }],
    returnType: 'tf.Tensor3D',
    statements: (w) => {
      w.write('return tidy(() => ').inlineBlock(() => {
        w.writeLine('const encoded = this.encode(batch.src, batch.srcLen, false);');
        w.writeLine('let state = this.initDecoderState(encoded, batch.srcLen);');
        w.writeLine('const weights: tf.Tensor2D[] = [];');
        w.write(`for (const tokens of ${TF}.unstack(batch.tgtIn, 1) as tf.Tensor1D[]) `).block(() => {
          w.writeLine('const step = this.stepLogits(tokens, state, false);');
          w.writeLine('state = step.state;');
          w.writeLine('weights.push(step.attention);');
        });
        w.writeLine(`return ${TF}.stack(weights, 1) as tf.Tensor3D;`);
      }).write(');').newLine();
    },
  }];
}
