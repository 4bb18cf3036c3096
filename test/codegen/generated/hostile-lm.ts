/**
 * @generated from test/codegen/specs/hostile-lm.yaml — DO NOT EDIT
 *
 * The language model `object` as a typed TensorFlow.js module (class ObjectModel).
 * Regenerate with `seqloom generate test/codegen/specs/hostile-lm.yaml`.
 *
 * Plan:
 *   tokens, time-batched over T: type, async, _, of, v
 *   async reads its input as parts: type via its projected table when V < B·T (type not evaluated time-batched)
 */

import * as tf from '@tensorflow/tfjs';
import {
  UserError,
  createDenseParams,
  createEmbeddingParams,
  createRecurrentParams,
  createRng,
  dense,
  disposeParams,
  dropout,
  embedded,
  embedding,
  fromTorchTensors,
  logSoftmax,
  maskedCrossEntropy,
  paramVariables,
  recurrentStep,
  runRecurrent,
  stateTop,
  toTorchTensors,
  torchParamNames,
  trainStep,
  zeroState,
  type LanguageModelModule,
  type LmBatch,
  type LossResult,
  type ModuleConfig,
  type ParamMap,
  type RecurrentConfig,
  type Rng,
  type RnnState,
  type StepResult,
  type TensorDict,
} from 'seqloom/runtime';

/** Vocabulary sizes (known once data is loaded) and the seed for initialization and dropout. */
export interface ObjectModelConfig extends ModuleConfig {
  vocab: { tokens: number };
}

/** Configuration of each recurrent node. */
export interface ObjectModelCells {
  /** test/codegen/specs/hostile-lm.yaml: graph.async (recurrent rnn, 2 layer(s), hidden 8) */
  async_: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface ObjectModelParams {
  /** test/codegen/specs/hostile-lm.yaml: graph.type (embedding) */
  type_: ParamMap;
  /** test/codegen/specs/hostile-lm.yaml: graph.async (recurrent rnn, 2 layer(s), hidden 8) */
  async_: ParamMap;
  /** test/codegen/specs/hostile-lm.yaml: graph.of (dense) */
  of_: ParamMap;
  /** test/codegen/specs/hostile-lm.yaml: graph.v (dense) */
  v: ParamMap;
}

/** The state carried across steps and batches: one row per sequence (N rows). */
export interface ObjectModelState {
  /** async state — h [2, N, 8] */
  async_state: RnnState;
}

export default class ObjectModel implements LanguageModelModule<ObjectModelState> {
  static readonly specName = 'object';
  static readonly task = 'language-model';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 100, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = ObjectModel.specName;
  readonly task = 'language-model' as const;
  readonly config: ObjectModelConfig;
  readonly cells: ObjectModelCells;
  readonly params: ObjectModelParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;

  constructor(config: ModuleConfig) {
    const v = { tokens: vocabSize(config, 'tokens') };
    this.config = { seed: config.seed, vocab: v };
    const cells: ObjectModelCells = {
      async_: { cell: 'rnn', inputSize: 8, hidden: 8, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'relu' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      type_: createEmbeddingParams(v.tokens, 8, rng),
      async_: createRecurrentParams(cells.async_, rng),
      of_: createDenseParams(8, 8, rng),
      v: createDenseParams(8, v.tokens, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.type_, this.params.async_, this.params.of_, this.params.v);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.tokens, dim: 8 }, this.params.type_, 'type'),
      ...toTorchTensors('recurrent', this.cells.async_, this.params.async_, 'async'),
      ...toTorchTensors('dense', { inSize: 8, outSize: 8 }, this.params.of_, 'of'),
      ...toTorchTensors('dense', { inSize: 8, outSize: v.tokens }, this.params.v, 'v'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.tokens, dim: 8 }, 'type'),
      ...torchParamNames('recurrent', this.cells.async_, 'async'),
      ...torchParamNames('dense', { inSize: 8, outSize: 8 }, 'of'),
      ...torchParamNames('dense', { inSize: 8, outSize: v.tokens }, 'v'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.tokens, dim: 8 }, tensors, this.params.type_, 'type');
    fromTorchTensors('recurrent', this.cells.async_, tensors, this.params.async_, 'async');
    fromTorchTensors('dense', { inSize: 8, outSize: 8 }, tensors, this.params.of_, 'of');
    fromTorchTensors('dense', { inSize: 8, outSize: v.tokens }, tensors, this.params.v, 'v');
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
    disposeParams(this.params.type_, this.params.async_, this.params.of_, this.params.v);
  }

  /** The state before the first token: zeros, `batch` rows. */
  initState(batch: number): ObjectModelState {
    return {
      async_state: zeroState(this.cells.async_, batch) as RnnState,
    };
  }

  /** Logits [B, T, V_tokens], time-batched, from `state` (null: zeros); returns the state after the last step. */
  forward(x: tf.Tensor2D, state: ObjectModelState | null, training: boolean): { logits: tf.Tensor3D; state: ObjectModelState } {
    checkShape('x', x, [null, null]);
    return tidy(() => {
      // input as parts: type via its projected table when V < B·T
      const async_ = runRecurrent(this.cells.async_, this.params.async_, [embedded(this.params.type_, x)], { init: state?.async_state, training, rng: this.rng }); // output [B, T, 8]; h [2, B, 8]
      const _ = dropout(async_.output, 0, training, this.rng); // [B, T, 8]
      const of_ = dense(this.params.of_, _, 'tanh'); // [B, T, 8]
      const v = dense(this.params.v, of_, 'none'); // [B, T, V_tokens]
      const next: ObjectModelState = {
        async_state: async_.state as RnnState,
      };
      return { logits: v, state: next };
    });
  }

  /** One step for N rows (sampling): tokens [N] → log-probabilities [N, V_tokens] and the next state. */
  decodeStep(tokens: tf.Tensor1D, state: ObjectModelState): { logProbs: tf.Tensor2D; state: ObjectModelState } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const training = false;
      const type_ = embedding(this.params.type_, tokens); // [N, 8]
      const async_ = recurrentStep(this.cells.async_, this.params.async_, type_, state.async_state, { training, rng: this.rng }); // output [N, 8]; h [2, N, 8]
      const _ = dropout(async_.output, 0, training, this.rng); // [N, 8]
      const of_ = dense(this.params.of_, _, 'tanh'); // [N, 8]
      const v = dense(this.params.v, of_, 'none'); // [N, V_tokens]
      const next: ObjectModelState = {
        async_state: async_.state as RnnState,
      };
      return { logProbs: logSoftmax(v), state: next };
    });
  }

  disposeState(state: ObjectModelState): void {
    tf.dispose([state.async_state.h]);
  }

  /** Mean cross-entropy over all B·T next-token predictions, and the state after the batch. */
  loss(batch: LmBatch, state: ObjectModelState | null, training: boolean): LossResult & { state: ObjectModelState } {
    return tidy(() => {
      const out = this.forward(batch.x, state, training);
      const lengths = tf.fill([batch.x.shape[0]], batch.x.shape[1], 'int32') as tf.Tensor1D; // [B], all T valid
      return { ...maskedCrossEntropy(out.logits, batch.y, lengths), state: out.state };
    });
  }

  /** One optimizer step; returns the state after the batch (no gradient flows through it later). */
  trainStep(batch: LmBatch, state: ObjectModelState | null, optimizer: tf.Optimizer, clipNorm: number | null): StepResult & { state: ObjectModelState } {
    let tokens = 0;
    const carried: { state?: ObjectModelState } = {};
    const result = trainStep(() => {
      const loss = this.loss(batch, state, true);
      tokens = loss.count;
      carried.state = loss.state;
      tf.keep(loss.state.async_state.h);
      return loss.mean;
    }, this.variables(), optimizer, clipNorm);
    return { ...result, tokens, state: carried.state! };
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
    throw new UserError(`${ObjectModel.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${ObjectModel.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
