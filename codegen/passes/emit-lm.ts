/**
 * Pass 3b, "emit module" for language-model specs: a class implementing `LanguageModelModule<State>`.
 *
 *   initState(batch)               zeros for every recurrent node (and `.prev` value)
 *   forward(x, state)              logits [B, T, V] time-batched, with the state after the last step
 *                                  (carried across sequential batches when `carry_state`)
 *   decodeStep(tokens, state)      one step for sampling → log-probs [N, V]
 *   loss / trainStep               masked cross-entropy over all T; the state comes back detached
 */
import type { ClassDeclarationStructure, MethodDeclarationStructure, OptionalKind } from 'ts-morph';
import { TF } from '../framework/imports.js';
import { stateTensors } from '../emit/ops/recurrent.js';
import { widthExpr } from '../emit/scope.js';
import { outputValue, stateCastFor, writeBatchedTarget, writeTargetStep } from './bodies.js';
import { property, type Gen } from './context.js';
import { commonMethods, commonProperties, constructorOf } from './emit-common.js';

type Method = OptionalKind<MethodDeclarationStructure>;

export function languageModelClass(g: Gen): OptionalKind<ClassDeclarationStructure> {
  return {
    name: g.ir.className,
    isDefaultExport: true,
    implements: [`${g.imports.type('LanguageModelModule')}<${g.names.state}>`],
    properties: commonProperties(g),
    ctors: constructorOf(g),
    methods: [...commonMethods(g), ...lmMethods(g)],
  };
}

function lmMethods(g: Gen): Method[] {
  const S = g.names.state;
  const i = g.imports;
  const tensorsOf = (holder: string): string[] => [
    ...g.layout.recurrent.flatMap(({ node, key }) => stateTensors(node, `${holder}.${key}`)),
    ...g.layout.prevs.map(({ key }) => `${holder}.${key}`),
  ];
  return [
    {
      name: 'initState',
      docs: ['The state before the first token: zeros, `batch` rows.'],
      parameters: [{ name: 'batch', type: 'number' }],
      returnType: S,
      statements: (w) => {
        w.write('return ').inlineBlock(() => {
          for (const { node, key } of g.layout.recurrent) {
            w.writeLine(`${key}: ${stateCastFor(g, node, `${i.use('zeroState')}(this.cells.${node.id}, batch)`)},`);
          }
          for (const { node, key } of g.layout.prevs) {
            w.writeLine(`${key}: ${TF}.zeros([batch, ${widthExpr(node.out.width, 'this.config.vocab')}]) as tf.Tensor2D,`);
          }
        }).write(';').newLine();
      },
    },
    {
      name: 'forward',
      docs: ['Logits [B, T, V_tokens], time-batched, from `state` (null: zeros); returns the state after the last step.'],
      parameters: [{ name: 'x', type: 'tf.Tensor2D' }, { name: 'state', type: `${S} | null` }, { name: 'training', type: 'boolean' }],
      returnType: `{ logits: tf.Tensor3D; state: ${S} }`,
      statements: (w) => {
        w.writeLine("checkShape('x', x, [null, null]);");
        w.write('return tidy(() => ').inlineBlock(() => {
          const { scope, prevLocals } = writeBatchedTarget(w, g, { ids: 'x', encoded: null, carried: 'state' });
          const out = outputValue(g, scope);
          w.write(`const next: ${S} = `).inlineBlock(() => {
            for (const { node, key } of g.layout.recurrent) w.writeLine(`${key}: ${stateCastFor(g, node, `${node.id}.state`)},`);
            for (const { node, key } of g.layout.prevs) w.writeLine(`${key}: ${TF}.clone(${prevLocals.get(node.node.name)!}),`);
          }).write(';').newLine();
          w.writeLine(`return { ${property('logits', out)}, state: next };`);
        }).write(');').newLine();
      },
    },
    {
      name: 'decodeStep',
      docs: ['One step for N rows (sampling): tokens [N] → log-probabilities [N, V_tokens] and the next state.'],
      parameters: [{ name: 'tokens', type: 'tf.Tensor1D' }, { name: 'state', type: S }],
      returnType: `{ logProbs: tf.Tensor2D; state: ${S} }`,
      statements: (w) => {
        w.writeLine("checkShape('tokens', tokens, [null]);");
        w.write('return tidy(() => ').inlineBlock(() => {
          w.writeLine('const training = false;');
          const scope = writeTargetStep(w, g, S);
          w.writeLine(`return { logProbs: ${g.imports.use('logSoftmax')}(${outputValue(g, scope)}), state: next };`);
        }).write(');').newLine();
      },
    },
    {
      name: 'disposeState',
      parameters: [{ name: 'state', type: S }],
      returnType: 'void',
      statements: [`${TF}.dispose([${tensorsOf('state').join(', ')}]);`],
    },
    {
      name: 'loss',
      docs: ['Mean cross-entropy over all B·T next-token predictions, and the state after the batch.'],
      parameters: [{ name: 'batch', type: i.type('LmBatch') }, { name: 'state', type: `${S} | null` }, { name: 'training', type: 'boolean' }],
      returnType: `${i.type('LossResult')} & { state: ${S} }`,
      statements: (w) => {
        w.write('return tidy(() => ').inlineBlock(() => {
          w.writeLine('const out = this.forward(batch.x, state, training);');
          w.writeLine(`const lengths = ${TF}.fill([batch.x.shape[0]], batch.x.shape[1], 'int32') as tf.Tensor1D; // [B], all T valid`);
          w.writeLine(`return { ...${i.use('maskedCrossEntropy')}(out.logits, batch.y, lengths), state: out.state };`);
        }).write(');').newLine();
      },
    },
    {
      name: 'trainStep',
      docs: ['One optimizer step; returns the state after the batch (no gradient flows through it later).'],
      parameters: [
        { name: 'batch', type: i.type('LmBatch') }, { name: 'state', type: `${S} | null` },
        { name: 'optimizer', type: 'tf.Optimizer' }, { name: 'clipNorm', type: 'number | null' },
      ],
      returnType: `${i.type('StepResult')} & { state: ${S} }`,
      statements: (w) => {
        w.writeLine('let tokens = 0;');
        w.writeLine(`const carried: { state?: ${S} } = {};`);
        w.write(`const result = ${i.use('trainStep')}(() => `).inlineBlock(() => {
          w.writeLine('const loss = this.loss(batch, state, true);');
          w.writeLine('tokens = loss.count;');
          w.writeLine('carried.state = loss.state;');
          for (const t of tensorsOf('loss.state')) w.writeLine(`${TF}.keep(${t});`);
          w.writeLine('return loss.mean;');
        }).write(', this.variables(), optimizer, clipNorm);').newLine();
        w.writeLine('return { ...result, tokens, state: carried.state! };');
      },
    },
  ];
}

