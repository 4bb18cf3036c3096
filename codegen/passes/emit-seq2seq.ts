/**
 * Pass 3b, "emit module" for seq2seq specs: a class implementing `Seq2SeqModule<Encoded, DecoderState>`.
 *
 *   encode(src, srcLen)            the source side once, time-batched          → Encoded
 *   initDecoderState(encoded)      the decoder's start (init states, zeros, encoded values per row)
 *   decodeStep(tokens, state)      the target side for one step               → log-probs [N, V]
 *   forward(batch)                 teacher-forced, target side time-batched (loops per step) → logits [B, T, V]
 *   forwardStepwise(batch)         the same through decodeStep's path (scheduled sampling, checks)
 *   loss / trainStep               masked cross-entropy; gradients, clipping, optimizer step
 *   greedy / beam / exhaustive     the runtime's searches over decodeStep
 *   attentionWeights(batch)        with attention over the source: its teacher-forced weights (emit-attention.ts)
 */
import type { ClassDeclarationStructure, MethodDeclarationStructure, OptionalKind } from 'ts-morph';
import { Scope as TsScope } from 'ts-morph';
import { TF } from '../framework/imports.js';
import type { CodeBlockWriter } from 'ts-morph';
import { numberLiteral, stringLiteral } from '../framework/text.js';
import type { DenseNode } from '../../src/spec/types.js';
import type { IRNode } from '../ir/types.js';
import { widthText, type Scope } from '../emit/scope.js';
import { stateTensors } from '../emit/ops/recurrent.js';
import { cloneField, initCrossing, outputValue, stateCastFor, writeBatchedTarget, writeEncodeBody, writeTargetStep } from './bodies.js';
import { property, type Gen } from './context.js';
import { commonMethods, commonProperties, constructorOf } from './emit-common.js';
import { carriedCrossings, type CrossingField } from './layout.js';
import { searchMethods } from './emit-search.js';
import { attentionMethods, attentionProperties } from './emit-attention.js';

type Method = OptionalKind<MethodDeclarationStructure>;

export function seq2seqClass(g: Gen): OptionalKind<ClassDeclarationStructure> {
  const S = g.names.state;
  const E = g.names.encoded;
  const i = g.imports;
  return {
    name: g.ir.className,
    isDefaultExport: true,
    implements: [`${i.type('Seq2SeqModule')}<${E}, ${S}>`],
    properties: [
      ...commonProperties(g),
      ...attentionProperties(g),
      {
        name: 'searchModel', scope: TsScope.Private, isReadonly: true, type: `${i.type('SearchModel')}<${S}>`,
        docs: ['decodeStep as the searches see it.'],
        initializer: (w) => w.inlineBlock(() => {
          w.writeLine(g.layout.attention !== null
            ? 'step: (tokens, state, opts) => this.decodeStep(tokens, state, opts),'
            : 'step: (tokens, state) => this.decodeStep(tokens, state),');
          w.writeLine('select: (state, rows) => this.selectState(state, rows),');
          w.writeLine('dispose: (state) => this.disposeState(state),');
        }),
      },
    ],
    ctors: constructorOf(g),
    methods: [...commonMethods(g), ...encodeMethods(g), ...stepMethods(g), ...trainingMethods(g), ...searchMethods(g)],
  };
}

function encodeMethods(g: Gen): Method[] {
  const E = g.names.encoded;
  const S = g.names.state;
  return [
    {
      name: 'encode',
      docs: ['The source side, once over [B, T_src]: everything the decoder reads from it.'],
      parameters: [{ name: 'src', type: 'tf.Tensor2D' }, { name: 'srcLen', type: 'tf.Tensor1D' }, { name: 'training', type: 'boolean' }],
      returnType: E,
      statements: (w) => {
        w.writeLine("checkShape('src', src, [null, null]);");
        w.writeLine("checkShape('srcLen', srcLen, [src.shape[0]]);");
        w.write('return tidy(() => ').inlineBlock(() => writeEncodeBody(w, g)).write(');').newLine();
      },
    },
    {
      name: 'initDecoderState',
      docs: ['The decoder state before the first step: one row per sentence (the encoded values are copied).'],
      parameters: [{ name: 'encoded', type: E }, { name: 'srcLen', type: 'tf.Tensor1D' }],
      returnType: S,
      statements: (w) => {
        w.write('return tidy(() => ').inlineBlock(() => {
          const zeros = g.layout.prevs.length > 0 || g.layout.recurrent.some(({ node }) => initCrossing(g, node) === null);
          if (zeros) w.writeLine('const rows = srcLen.shape[0];');
          w.write('return ').inlineBlock(() => {
            for (const { node, key } of g.layout.recurrent) {
              const init = initCrossing(g, node);
              const start = init !== null
                ? cloneField(g, init, `encoded.${init.key}`)
                : stateCastFor(g, node, `${g.imports.use('zeroState')}(this.cells.${node.id}, rows)`);
              w.writeLine(`${key}: ${start},`);
            }
            for (const { node, key } of g.layout.prevs) {
              w.writeLine(`${key}: ${TF}.zeros([rows, ${node.out.width.map((t) => (typeof t === 'number' ? t : `this.config.vocab.${t}`)).join(' + ')}]) as tf.Tensor2D,`);
            }
            for (const c of carriedCrossings(g.layout)) w.writeLine(`${c.key}: ${cloneField(g, c, `encoded.${c.key}`)},`);
            for (const p of g.layout.projectedKeys) {
              w.writeLine(`${p.key}: ${g.imports.use('projectAttentionKeys')}(this.params.${p.node.id}, encoded.${p.keys.key}),`);
            }
          }).write(';').newLine();
        }).write(');').newLine();
      },
    },
    {
      name: 'disposeEncoded',
      parameters: [{ name: 'encoded', type: E }],
      returnType: 'void',
      statements: [`${TF}.dispose([${g.layout.crossings.flatMap((c) => fieldTensors(c, `encoded.${c.key}`)).join(', ')}]);`],
    },
  ];
}

function fieldTensors(c: CrossingField, expr: string): string[] {
  return c.crossing.part === 'state' ? stateTensors(c.node!, expr) : [expr];
}

function stepMethods(g: Gen): Method[] {
  const S = g.names.state;
  const gather = (expr: string, axis: number): string => `${TF}.gather(${expr}, rows${axis === 0 ? '' : `, ${axis}`})`;
  const stateTensorsAll = [
    ...g.layout.recurrent.flatMap(({ node, key }) => stateTensors(node, `state.${key}`)),
    ...g.layout.prevs.map(({ key }) => `state.${key}`),
    ...carriedCrossings(g.layout).flatMap((c) => fieldTensors(c, `state.${c.key}`)),
    ...g.layout.projectedKeys.map((p) => `state.${p.key}`),
  ];
  const attn = g.layout.attention;
  return [
    attn === null ? {
      name: 'decodeStep',
      docs: ['One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state.'],
      parameters: [{ name: 'tokens', type: 'tf.Tensor1D' }, { name: 'state', type: S }],
      returnType: `{ logProbs: tf.Tensor2D; state: ${S} }`,
      statements: (w) => {
        w.writeLine("checkShape('tokens', tokens, [null]);");
        w.write('return tidy(() => ').inlineBlock(() => {
          w.writeLine('const step = this.stepLogits(tokens, state, false);');
          w.writeLine(`return { logProbs: ${g.imports.use('logSoftmax')}(step.logits), state: step.state };`);
        }).write(');').newLine();
      },
    } : {
      name: 'decodeStep',
      docs: [[
        'One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state;',
        `with \`{ attention: true }\` also ${attn.node.name}'s weights over the source [N, T_src].`,
      ].join('\n')],
      parameters: [
        { name: 'tokens', type: 'tf.Tensor1D' }, { name: 'state', type: S },
        { name: 'opts', type: g.imports.type('DecodeStepOptions'), initializer: '{}' },
      ],
      returnType: `{ logProbs: tf.Tensor2D; state: ${S}; attention?: tf.Tensor2D }`,
      statements: (w) => {
        w.writeLine("checkShape('tokens', tokens, [null]);");
        w.write('return tidy(() => ').inlineBlock(() => {
          w.writeLine('const step = this.stepLogits(tokens, state, false);');
          w.writeLine(`const out = { logProbs: ${g.imports.use('logSoftmax')}(step.logits), state: step.state };`);
          w.writeLine('return opts.attention ? { ...out, attention: step.attention } : out;');
        }).write(');').newLine();
      },
    },
    {
      name: 'stepLogits',
      scope: TsScope.Private,
      docs: [attn === null
        ? 'The target side for one step: every node on [N, D]; logits [N, V_target].'
        : `The target side for one step: every node on [N, D]; logits [N, V_target] and ${attn.node.name}'s weights [N, T_src].`],
      parameters: [{ name: 'tokens', type: 'tf.Tensor1D' }, { name: 'state', type: S }, { name: 'training', type: 'boolean' }],
      returnType: `{ logits: tf.Tensor2D; state: ${S}${attn === null ? '' : '; attention: tf.Tensor2D'} }`,
      statements: (w) => {
        w.write('return tidy(() => ').inlineBlock(() => {
          const scope = writeTargetStep(w, g, S);
          const weights = attn === null ? null : scope.attentionWeights(attn);
          w.writeLine(`return { ${property('logits', outputValue(g, scope))}, state: next${weights === null ? '' : `, ${property('attention', weights)}`} };`);
        }).write(');').newLine();
      },
    },
    {
      name: 'selectState',
      docs: ['Row i of the result is row rows[i] of state (beam reordering).'],
      parameters: [{ name: 'state', type: S }, { name: 'rows', type: 'tf.Tensor1D' }],
      returnType: S,
      statements: (w) => {
        w.write('return tidy(() => (').inlineBlock(() => {
          for (const { node, key } of g.layout.recurrent) {
            const fields = node.recurrent!.cell === 'lstm' ? ['h', 'c'] : ['h'];
            w.writeLine(`${key}: { ${fields.map((f) => `${f}: ${gather(`state.${key}.${f}`, 1)}`).join(', ')} },`);
          }
          for (const { key } of g.layout.prevs) w.writeLine(`${key}: ${gather(`state.${key}`, 0)},`);
          for (const c of carriedCrossings(g.layout)) {
            if (c.crossing.part === 'state') {
              const fields = c.node!.recurrent!.cell === 'lstm' ? ['h', 'c'] : ['h'];
              w.writeLine(`${c.key}: { ${fields.map((f) => `${f}: ${gather(`state.${c.key}.${f}`, 1)}`).join(', ')} },`);
            } else {
              w.writeLine(`${c.key}: ${gather(`state.${c.key}`, 0)},`);
            }
          }
          for (const p of g.layout.projectedKeys) w.writeLine(`${p.key}: ${gather(`state.${p.key}`, 0)},`);
        }).write('));').newLine();
      },
    },
    {
      name: 'disposeState',
      parameters: [{ name: 'state', type: S }],
      returnType: 'void',
      statements: [`${TF}.dispose([${stateTensorsAll.join(', ')}]);`],
    },
  ];
}

/**
 * The output layer when the loss can apply it to valid target tokens only: a time-batched `dense`
 * that nothing else reads, under full teacher forcing. forward then applies it to `features`, and
 * loss uses maskedDenseCrossEntropy (the widest product of a step skips the padding).
 */
export function outputLayer(g: Pick<Gen, 'ir'>): (IRNode & { node: DenseNode }) | null {
  const out = g.ir.output;
  if (out.node.op !== 'dense' || out.loop !== null || g.ir.spec.train.teacher_forcing < 1) return null;
  if (g.ir.nodes.some((n) => n.inputs.some(({ ref }) => ref.base === out.node.name))) return null;
  if (out.inputs[0]?.info.time === null) return null;
  return out as IRNode & { node: DenseNode };
}

/**
 * Whether the loss may stop the target side's recurrences at each sentence's length: every
 * target-side node is position-wise (a value at step t depends on steps ≤ t only: embeddings,
 * dense, concat, repeat, dropout, unidirectional recurrences; no attention, no per-step loop). Then
 * the valid positions are the same with or without the stop, and the recurrences skip the padding.
 */
function canStopAtLengths(g: Gen): boolean {
  if (g.ir.loops.length > 0) return false;
  return g.ir.decode.every((n) => n.node.op !== 'attention' && (n.recurrent === null || n.recurrent.dirs === 1));
}

function trainingMethods(g: Gen): Method[] {
  const i = g.imports;
  const layer = outputLayer(g);
  const batchParams = [{ name: 'batch', type: i.type('Seq2SeqBatch') }, { name: 'training', type: 'boolean' }];
  const teacherForced = (w: CodeBlockWriter, skip?: IRNode, recurrentLengths?: string): Scope => {
    w.writeLine("checkShape('tgtIn', batch.tgtIn, [batch.src.shape[0], null]);");
    w.writeLine('const encoded = this.encode(batch.src, batch.srcLen, training);');
    return writeBatchedTarget(w, g, {
      ids: 'batch.tgtIn', encoded: 'encoded', carried: null, ...(skip ? { skip } : {}), ...(recurrentLengths ? { recurrentLengths } : {}),
    }).scope;
  };
  if (layer !== null) {
    const stop = canStopAtLengths(g) && g.ir.decode.some((n) => n.recurrent !== null && n.loop === null);
    const dense = i.use('dense');
    const act = stringLiteral(layer.node.activation);
    const x = layer.node.input;
    return [
      {
        name: 'features',
        scope: TsScope.Private,
        docs: [[
          `Teacher-forced ${x.raw} [B, T_tgt, ${widthText(layer.inputWidth)}], what the output layer \`${layer.node.name}\` reads: the target side time-batched, loops per step.`,
          ...(stop ? ['With `tgtLen` the target-side recurrences stop at each sentence\'s length (the loss: it reads valid positions only, which are the same either way).'] : []),
        ].join('\n')],
        parameters: stop ? [...batchParams, { name: 'tgtLen', type: 'tf.Tensor1D | null', initializer: 'null' }] : batchParams,
        returnType: 'tf.Tensor3D',
        statements: (w) => {
          w.write('return tidy(() => ').inlineBlock(() => {
            const scope = teacherForced(w, layer, stop ? 'tgtLen ?? undefined' : undefined);
            w.writeLine(`return ${scope.value({ ...x, raw: x.raw })};`);
          }).write(');').newLine();
        },
      },
      {
        name: 'forward',
        docs: ['Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`.'],
        parameters: batchParams,
        returnType: 'tf.Tensor3D',
        statements: [`return tidy(() => ${dense}(this.params.${layer.id}, this.features(batch, training), ${act})); // [B, T_tgt, ${widthText(layer.out.width)}]`],
      },
      ...stepwiseMethods(g),
      ...attentionMethods(g),
      {
        name: 'loss',
        docs: ['Masked cross-entropy of the teacher-forced logits (mean over valid target tokens); the output layer runs on those tokens only.'],
        parameters: batchParams,
        returnType: i.type('LossResult'),
        statements: [`return tidy(() => ${i.use('maskedDenseCrossEntropy')}(this.params.${layer.id}, ${act}, this.features(batch, training${stop ? ', batch.tgtLen' : ''}), batch.tgtOut, batch.tgtLen));`],
      },
      trainStepMethod(g),
    ];
  }
  return [
    {
      name: 'forward',
      docs: ['Teacher-forced logits [B, T_tgt, V_target]: the target side time-batched, loops per step.'],
      parameters: batchParams,
      returnType: 'tf.Tensor3D',
      statements: (w) => {
        w.write('return tidy(() => ').inlineBlock(() => {
          const scope = teacherForced(w);
          w.writeLine(`return ${outputValue(g, scope)};`);
        }).write(');').newLine();
      },
    },
    ...stepwiseMethods(g),
    ...attentionMethods(g),
    plainLossMethod(g),
    trainStepMethod(g),
  ];
}

/** forwardStepwise (the decoding path, scheduled sampling) and its mixInputs. */
function stepwiseMethods(g: Gen): Method[] {
  const i = g.imports;
  return [
    {
      name: 'forwardStepwise',
      docs: [[
        'Logits [B, T_tgt, V_target] through the decoding path, one decodeStep-like step at a time. Each',
        'step feeds the gold token with probability `teacherForcing`, else the previous step\'s argmax.',
      ].join('\n')],
      parameters: [{ name: 'batch', type: i.type('Seq2SeqBatch') }, { name: 'training', type: 'boolean' }, { name: 'teacherForcing', initializer: '1' }],
      returnType: 'tf.Tensor3D',
      statements: (w) => {
        w.write('return tidy(() => ').inlineBlock(() => {
          w.writeLine('const encoded = this.encode(batch.src, batch.srcLen, training);');
          w.writeLine('let state = this.initDecoderState(encoded, batch.srcLen);');
          w.writeLine(`const gold = ${TF}.unstack(batch.tgtIn, 1) as tf.Tensor1D[]; // T_tgt × [B]`);
          w.writeLine('const steps: tf.Tensor2D[] = [];');
          w.write('for (let t = 0; t < gold.length; t++) ').block(() => {
            w.writeLine('const tokens = t === 0 || teacherForcing >= 1 ? gold[t]! : this.mixInputs(gold[t]!, steps[t - 1]!, teacherForcing);');
            w.writeLine('const step = this.stepLogits(tokens, state, training);');
            w.writeLine('state = step.state;');
            w.writeLine('steps.push(step.logits);');
          });
          w.writeLine(`return ${TF}.stack(steps, 1) as tf.Tensor3D;`);
        }).write(');').newLine();
      },
    },
    {
      name: 'mixInputs',
      scope: TsScope.Private,
      docs: [[
        'Per row: the gold token with probability p, else the argmax of the previous logits. Built from',
        'plain values, so no gradient flows into the choice (token ids are not differentiable).',
      ].join('\n')],
      parameters: [{ name: 'gold', type: 'tf.Tensor1D' }, { name: 'prevLogits', type: 'tf.Tensor2D' }, { name: 'p', type: 'number' }],
      returnType: 'tf.Tensor1D',
      statements: [
        'const golds = gold.dataSync();',
        `const predicted = tidy(() => ${TF}.argMax(prevLogits, 1)).dataSync();`,
        'const mixed = Int32Array.from(golds, (g, i) => (this.rng.next() < p ? g : predicted[i]!));',
        `return ${TF}.tensor1d(mixed, 'int32');`,
      ],
    },
  ];
}

/** The loss over forward's logits (or forwardStepwise's, under scheduled sampling). */
function plainLossMethod(g: Gen): Method {
  const i = g.imports;
  const tf = g.ir.spec.train.teacher_forcing;
  const lossLogits = tf < 1
    ? `training ? this.forwardStepwise(batch, true, ${numberLiteral(tf)}) : this.forward(batch, false)`
    : 'this.forward(batch, training)';
  return {
    name: 'loss',
    docs: ['Masked cross-entropy of the teacher-forced logits (mean over valid target tokens).'],
    parameters: [{ name: 'batch', type: i.type('Seq2SeqBatch') }, { name: 'training', type: 'boolean' }],
    returnType: i.type('LossResult'),
    statements: [`return tidy(() => ${i.use('maskedCrossEntropy')}(${lossLogits}, batch.tgtOut, batch.tgtLen));`],
  };
}

function trainStepMethod(g: Gen): Method {
  const i = g.imports;
  return {
    name: 'trainStep',
    docs: ['One optimizer step on the masked loss, gradients clipped to global norm `clipNorm`.'],
    parameters: [{ name: 'batch', type: i.type('Seq2SeqBatch') }, { name: 'optimizer', type: 'tf.Optimizer' }, { name: 'clipNorm', type: 'number | null' }],
    returnType: i.type('StepResult'),
    statements: (w) => {
      w.writeLine('let tokens = 0;');
      w.write(`const result = ${i.use('trainStep')}(() => `).inlineBlock(() => {
        w.writeLine('const loss = this.loss(batch, true);');
        w.writeLine('tokens = loss.count;');
        w.writeLine('return loss.mean;');
      }).write(', this.variables(), optimizer, clipNorm);').newLine();
      w.writeLine('return { ...result, tokens };');
    },
  };
}
