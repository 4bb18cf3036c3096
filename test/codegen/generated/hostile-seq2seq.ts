/**
 * @generated from test/codegen/specs/hostile-seq2seq.yaml — DO NOT EDIT
 *
 * The seq2seq model `gru-state` as a typed TensorFlow.js module (class GruStateModel).
 * Regenerate with `seqloom generate test/codegen/specs/hostile-seq2seq.yaml`.
 *
 * Plan:
 *   encode (once per source batch, over T_src): tf, src
 *   target, time-batched over T_tgt: batch, tidy, x, t
 *   target, per step (a loop closed by .prev): attn, attn_keys, next
 *   target, time-batched over T_tgt: next_state
 *   src reads its input as parts: tf via its projected table when V < B·T (tf not evaluated time-batched)
 */

import * as tf from '@tensorflow/tfjs';
import {
  UserError,
  attention,
  beamSearch,
  createAttentionParams,
  createDenseParams,
  createEmbeddingParams,
  createRecurrentParams,
  createRng,
  dense,
  disposeParams,
  dropout,
  embedded,
  embedding,
  exhaustiveSearch,
  fromTorchTensors,
  greedySearch,
  logSoftmax,
  maskedDenseCrossEntropy,
  paramVariables,
  projectAttentionKeys,
  recurrentStep,
  repeatOverTime,
  runRecurrent,
  stateTop,
  toTorchTensors,
  torchParamNames,
  trainStep,
  type DecodeStepOptions,
  type GruState,
  type Hypothesis,
  type LossResult,
  type ModuleConfig,
  type ParamMap,
  type RecurrentConfig,
  type RecurrentState,
  type Rng,
  type SearchModel,
  type SearchOptions,
  type Seq2SeqBatch,
  type Seq2SeqModule,
  type StepResult,
  type TensorDict,
} from 'seqloom/runtime';

/** Vocabulary sizes (known once data is loaded) and the seed for initialization and dropout. */
export interface GruStateModelConfig extends ModuleConfig {
  vocab: { source: number; target: number };
}

/** Configuration of each recurrent node. */
export interface GruStateModelCells {
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.src (recurrent gru, 2 layer(s), hidden 8) */
  src_: RecurrentConfig;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.next (recurrent gru, 2 layer(s), hidden 8) */
  next_: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface GruStateModelParams {
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.tf (embedding) */
  tf_: ParamMap;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.src (recurrent gru, 2 layer(s), hidden 8) */
  src_: ParamMap;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.batch (embedding) */
  batch_: ParamMap;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.attn (attention) */
  attn: ParamMap;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.next (recurrent gru, 2 layer(s), hidden 8) */
  next_: ParamMap;
  /** test/codegen/specs/hostile-seq2seq.yaml: graph.next_state (dense) */
  next_state: ParamMap;
}

/** What `encode` hands to the decoder: every source-side value the target side reads. */
export interface GruStateModelEncoded {
  /** src.state.top — [B, 8] */
  src_state_top: tf.Tensor2D;
  /** src — [B, T_src, 8] */
  src_output: tf.Tensor3D;
  /** source lengths — [B] int32 */
  source_lengths: tf.Tensor1D;
  /** src.state — h [2, B, 8] */
  src_state: GruState;
}

/** What one decoder step carries, one row per sentence (× beam): N rows. */
export interface GruStateModelDecoderState {
  /** next state — h [2, N, 8] */
  next_state: GruState;
  /** src.state.top — [N, 8] */
  src_state_top: tf.Tensor2D;
  /** src — [N, T_src, 8] */
  src_output: tf.Tensor3D;
  /** source lengths — [N] int32 */
  source_lengths: tf.Tensor1D;
  /** attn: keys · W_k, once per sentence — [N, T_src, 8] */
  attn_keys: tf.Tensor3D;
}

export default class GruStateModel implements Seq2SeqModule<GruStateModelEncoded, GruStateModelDecoderState> {
  static readonly specName = 'gru-state';
  static readonly task = 'seq2seq';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 10, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = GruStateModel.specName;
  readonly task = 'seq2seq' as const;
  readonly config: GruStateModelConfig;
  readonly cells: GruStateModelCells;
  readonly params: GruStateModelParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;
  /** The attention node whose weights decoding returns with `{ attention: true }`. */
  static readonly attentionNode = 'attn';
  readonly attentionNode = GruStateModel.attentionNode;
  /** decodeStep as the searches see it. */
  private readonly searchModel: SearchModel<GruStateModelDecoderState> = {
      step: (tokens, state, opts) => this.decodeStep(tokens, state, opts),
      select: (state, rows) => this.selectState(state, rows),
      dispose: (state) => this.disposeState(state),
    };

  constructor(config: ModuleConfig) {
    const v = { source: vocabSize(config, 'source'), target: vocabSize(config, 'target') };
    this.config = { seed: config.seed, vocab: v };
    const cells: GruStateModelCells = {
      src_: { cell: 'gru', inputSize: 8, hidden: 8, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
      next_: { cell: 'gru', inputSize: 24, hidden: 8, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      tf_: createEmbeddingParams(v.source, 8, rng),
      src_: createRecurrentParams(cells.src_, rng),
      batch_: createEmbeddingParams(v.target, 8, rng),
      attn: createAttentionParams('additive', 8, 8, 8, rng),
      next_: createRecurrentParams(cells.next_, rng),
      next_state: createDenseParams(8, v.target, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.tf_, this.params.src_, this.params.batch_, this.params.attn, this.params.next_, this.params.next_state);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.source, dim: 8 }, this.params.tf_, 'tf'),
      ...toTorchTensors('recurrent', this.cells.src_, this.params.src_, 'src'),
      ...toTorchTensors('embedding', { vocab: v.target, dim: 8 }, this.params.batch_, 'batch'),
      ...toTorchTensors('attention', { kind: 'additive', queryDim: 8, keyDim: 8, hidden: 8 }, this.params.attn, 'attn'),
      ...toTorchTensors('recurrent', this.cells.next_, this.params.next_, 'next'),
      ...toTorchTensors('dense', { inSize: 8, outSize: v.target }, this.params.next_state, 'encoded.state_1'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.source, dim: 8 }, 'tf'),
      ...torchParamNames('recurrent', this.cells.src_, 'src'),
      ...torchParamNames('embedding', { vocab: v.target, dim: 8 }, 'batch'),
      ...torchParamNames('attention', { kind: 'additive', queryDim: 8, keyDim: 8, hidden: 8 }, 'attn'),
      ...torchParamNames('recurrent', this.cells.next_, 'next'),
      ...torchParamNames('dense', { inSize: 8, outSize: v.target }, 'encoded.state_1'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.source, dim: 8 }, tensors, this.params.tf_, 'tf');
    fromTorchTensors('recurrent', this.cells.src_, tensors, this.params.src_, 'src');
    fromTorchTensors('embedding', { vocab: v.target, dim: 8 }, tensors, this.params.batch_, 'batch');
    fromTorchTensors('attention', { kind: 'additive', queryDim: 8, keyDim: 8, hidden: 8 }, tensors, this.params.attn, 'attn');
    fromTorchTensors('recurrent', this.cells.next_, tensors, this.params.next_, 'next');
    fromTorchTensors('dense', { inSize: 8, outSize: v.target }, tensors, this.params.next_state, 'encoded.state_1');
  }

  /** The dropout (and scheduled-sampling) generator's state, saved with checkpoints for exact `--resume`. */
  rngState(): number[] {
    return this.rng.getState();
  }

  /** Restores a state from `rngState`: dropout masks continue as in an uninterrupted run. */
  setRngState(state: number[]): void {
    this.rng.setState(state);
  }

  /** Frees every parameter. */
  dispose(): void {
    disposeParams(this.params.tf_, this.params.src_, this.params.batch_, this.params.attn, this.params.next_, this.params.next_state);
  }

  /** The source side, once over [B, T_src]: everything the decoder reads from it. */
  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D, training: boolean): GruStateModelEncoded {
    checkShape('src', src, [null, null]);
    checkShape('srcLen', srcLen, [src.shape[0]]);
    return tidy(() => {
      // input as parts: tf via its projected table when V < B·T
      const src_ = runRecurrent(this.cells.src_, this.params.src_, [embedded(this.params.tf_, src)], { lengths: srcLen, training, rng: this.rng }); // output [B, T_src, 8]; h [2, B, 8]
      return {
        src_state_top: stateTop(src_.state),
        src_output: src_.output,
        source_lengths: tf.clone(srcLen),
        src_state: src_.state as GruState,
      };
    });
  }

  /** The decoder state before the first step: one row per sentence (the encoded values are copied). */
  initDecoderState(encoded: GruStateModelEncoded, srcLen: tf.Tensor1D): GruStateModelDecoderState {
    return tidy(() => {
      return {
        next_state: { h: tf.clone(encoded.src_state.h) },
        src_state_top: tf.clone(encoded.src_state_top),
        src_output: tf.clone(encoded.src_output),
        source_lengths: tf.clone(encoded.source_lengths),
        attn_keys: projectAttentionKeys(this.params.attn, encoded.src_output),
      };
    });
  }

  disposeEncoded(encoded: GruStateModelEncoded): void {
    tf.dispose([encoded.src_state_top, encoded.src_output, encoded.source_lengths, encoded.src_state.h]);
  }

  /**
   * One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state;
   * with `{ attention: true }` also attn's weights over the source [N, T_src].
   */
  decodeStep(tokens: tf.Tensor1D, state: GruStateModelDecoderState, opts: DecodeStepOptions = {}): { logProbs: tf.Tensor2D; state: GruStateModelDecoderState; attention?: tf.Tensor2D } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const step = this.stepLogits(tokens, state, false);
      const out = { logProbs: logSoftmax(step.logits), state: step.state };
      return opts.attention ? { ...out, attention: step.attention } : out;
    });
  }

  /** The target side for one step: every node on [N, D]; logits [N, V_target] and attn's weights [N, T_src]. */
  private stepLogits(tokens: tf.Tensor1D, state: GruStateModelDecoderState, training: boolean): { logits: tf.Tensor2D; state: GruStateModelDecoderState; attention: tf.Tensor2D } {
    return tidy(() => {
      const batch_ = embedding(this.params.batch_, tokens); // [N, 8]
      const tidy_ = state.src_state_top; // [N, 8]
      const x_ = tf.concat([batch_, tidy_], -1) as tf.Tensor2D; // [N, 16]
      const t_ = dropout(x_, 0.1, training, this.rng); // [N, 16]
      const { context: attn, weights: attn_weights } = attention('additive', this.params.attn, stateTop(state.next_state), state.src_output, state.src_output, state.source_lengths, { projectedKeys: state.attn_keys }); // [N, 8]; weights [N, T_src]
      const attn_keys = tf.concat([attn, t_], -1) as tf.Tensor2D; // [N, 24]
      const next_ = recurrentStep(this.cells.next_, this.params.next_, attn_keys, state.next_state, { training, rng: this.rng }); // output [N, 8]; h [2, N, 8]
      const next_state = dense(this.params.next_state, next_.output, 'none'); // [N, V_target]
      const next: GruStateModelDecoderState = {
        next_state: next_.state as GruState,
        src_state_top: tf.clone(state.src_state_top),
        src_output: tf.clone(state.src_output),
        source_lengths: tf.clone(state.source_lengths),
        attn_keys: tf.clone(state.attn_keys),
      };
      return { logits: next_state, state: next, attention: attn_weights };
    });
  }

  /** Row i of the result is row rows[i] of state (beam reordering). */
  selectState(state: GruStateModelDecoderState, rows: tf.Tensor1D): GruStateModelDecoderState {
    return tidy(() => ({
      next_state: { h: tf.gather(state.next_state.h, rows, 1) },
      src_state_top: tf.gather(state.src_state_top, rows),
      src_output: tf.gather(state.src_output, rows),
      source_lengths: tf.gather(state.source_lengths, rows),
      attn_keys: tf.gather(state.attn_keys, rows),
    }));
  }

  disposeState(state: GruStateModelDecoderState): void {
    tf.dispose([state.next_state.h, state.src_state_top, state.src_output, state.source_lengths, state.attn_keys]);
  }

  /** Teacher-forced next [B, T_tgt, 8], what the output layer `next_state` reads: the target side time-batched, loops per step. */
  private features(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tidy(() => {
      checkShape('tgtIn', batch.tgtIn, [batch.src.shape[0], null]);
      const encoded = this.encode(batch.src, batch.srcLen, training);
      const batch_ = embedding(this.params.batch_, batch.tgtIn); // [B, T_tgt, 8]
      const tidy_ = repeatOverTime(encoded.src_state_top, batch_.shape[1]); // [B, T_tgt, 8]
      const x_ = tf.concat([batch_, tidy_], -1) as tf.Tensor3D; // [B, T_tgt, 16]
      const t_ = dropout(x_, 0.1, training, this.rng); // [B, T_tgt, 16]
      // loop over T_tgt: attn, attn_keys, next (closed by .prev), one step at a time
      const t__t = tf.unstack(t_, 1) as tf.Tensor2D[]; // T_tgt × [B, 16]
      const attn_keys_ = projectAttentionKeys(this.params.attn, encoded.src_output); // keys · W_k, once for all steps
      let next__state: RecurrentState = encoded.src_state;
      const next__steps: tf.Tensor2D[] = [];
      for (let t = 0; t < batch.tgtIn.shape[1]; t++) {
        const attn = attention('additive', this.params.attn, stateTop(next__state), encoded.src_output, encoded.src_output, encoded.source_lengths, { projectedKeys: attn_keys_ }).context; // [B, 8]
        const attn_keys = tf.concat([attn, t__t[t]!], -1) as tf.Tensor2D; // [B, 24]
        const next_ = recurrentStep(this.cells.next_, this.params.next_, attn_keys, next__state, { training, rng: this.rng }); // output [B, 8]; h [2, B, 8]
        next__state = next_.state;
        next__steps.push(next_.output);
      }
      const next_ = { output: tf.stack(next__steps, 1) as tf.Tensor3D, state: next__state }; // output [B, T_tgt, 8]
      return next_.output;
    });
  }

  /** Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`. */
  forward(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tidy(() => dense(this.params.next_state, this.features(batch, training), 'none')); // [B, T_tgt, V_target]
  }

  /**
   * Logits [B, T_tgt, V_target] through the decoding path, one decodeStep-like step at a time. Each
   * step feeds the gold token with probability `teacherForcing`, else the previous step's argmax.
   */
  forwardStepwise(batch: Seq2SeqBatch, training: boolean, teacherForcing = 1): tf.Tensor3D {
    return tidy(() => {
      const encoded = this.encode(batch.src, batch.srcLen, training);
      let state = this.initDecoderState(encoded, batch.srcLen);
      const gold = tf.unstack(batch.tgtIn, 1) as tf.Tensor1D[]; // T_tgt × [B]
      const steps: tf.Tensor2D[] = [];
      for (let t = 0; t < gold.length; t++) {
        const tokens = t === 0 || teacherForcing >= 1 ? gold[t]! : this.mixInputs(gold[t]!, steps[t - 1]!, teacherForcing);
        const step = this.stepLogits(tokens, state, training);
        state = step.state;
        steps.push(step.logits);
      }
      return tf.stack(steps, 1) as tf.Tensor3D;
    });
  }

  /**
   * Per row: the gold token with probability p, else the argmax of the previous logits. Built from
   * plain values, so no gradient flows into the choice (token ids are not differentiable).
   */
  private mixInputs(gold: tf.Tensor1D, prevLogits: tf.Tensor2D, p: number): tf.Tensor1D {
    const golds = gold.dataSync();
    const predicted = tidy(() => tf.argMax(prevLogits, 1)).dataSync();
    const mixed = Int32Array.from(golds, (g, i) => (this.rng.next() < p ? g : predicted[i]!));
    return tf.tensor1d(mixed, 'int32');
  }

  /**
   * Teacher-forced weights of attn [B, T_tgt, T_src] through the decoding path: step t reads
   * batch.tgtIn[:, t] (row t: the weights that produce target token t). No dropout.
   */
  attentionWeights(batch: Seq2SeqBatch): tf.Tensor3D {
    return tidy(() => {
      const encoded = this.encode(batch.src, batch.srcLen, false);
      let state = this.initDecoderState(encoded, batch.srcLen);
      const weights: tf.Tensor2D[] = [];
      for (const tokens of tf.unstack(batch.tgtIn, 1) as tf.Tensor1D[]) {
        const step = this.stepLogits(tokens, state, false);
        state = step.state;
        weights.push(step.attention);
      }
      return tf.stack(weights, 1) as tf.Tensor3D;
    });
  }

  /** Masked cross-entropy of the teacher-forced logits (mean over valid target tokens); the output layer runs on those tokens only. */
  loss(batch: Seq2SeqBatch, training: boolean): LossResult {
    return tidy(() => maskedDenseCrossEntropy(this.params.next_state, 'none', this.features(batch, training), batch.tgtOut, batch.tgtLen));
  }

  /** One optimizer step on the masked loss, gradients clipped to global norm `clipNorm`. */
  trainStep(batch: Seq2SeqBatch, optimizer: tf.Optimizer, clipNorm: number | null): StepResult {
    let tokens = 0;
    const result = trainStep(() => {
      const loss = this.loss(batch, true);
      tokens = loss.count;
      return loss.mean;
    }, this.variables(), optimizer, clipNorm);
    return { ...result, tokens };
  }

  /** Greedy decoding: per sentence, one hypothesis. */
  greedy(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => greedySearch(this.searchModel, init, { ...opts, batch: src.shape[0], sourceLengths: srcLen }));
  }

  /** Beam search: per sentence, the n-best finished hypotheses. */
  beam(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => beamSearch(this.searchModel, init, { ...opts, batch: src.shape[0], beamSize: opts.beamSize ?? GruStateModel.decodeDefaults.beamSize, sourceLengths: srcLen }));
  }

  /** Every sequence up to maxLen (tiny vocabularies): the oracle for beam search. */
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => exhaustiveSearch(this.searchModel, init, { ...opts, batch: src.shape[0], sourceLengths: srcLen }));
  }

  private runSearch(src: tf.Tensor2D, srcLen: tf.Tensor1D, search: (init: GruStateModelDecoderState) => Hypothesis[][]): Hypothesis[][] {
    const init = tidy(() => this.initDecoderState(this.encode(src, srcLen, false), srcLen));
    try {
      return search(init);
    } finally {
      this.disposeState(init);
    }
  }
}

/** `tf.tidy` for results that are typed objects of tensors (kept; every intermediate is freed). */
function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/** A module-boundary check: `tensor` has `shape` (null: any size), or a UserError saying what it got. */
function checkShape(what: string, tensor: tf.Tensor, shape: readonly (number | null)[]): void {
  if (tensor.rank !== shape.length || shape.some((d, i) => d !== null && d !== tensor.shape[i])) {
    const want = shape.map((d) => d ?? '*').join(', ');
    throw new UserError(`${GruStateModel.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${GruStateModel.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
