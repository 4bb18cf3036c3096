/**
 * @generated from models/timemachine-char-rnn.yaml — DO NOT EDIT
 *
 * The language model `timemachine-char-rnn` as a typed TensorFlow.js module (class TimemachineCharRnn).
 * Regenerate with `seqloom generate models/timemachine-char-rnn.yaml`.
 *
 * Plan:
 *   tokens, time-batched over T: emb, rnn, logits
 *   rnn reads its input as parts: emb via its projected table when V < B·T (emb not evaluated time-batched)
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
export interface TimemachineCharRnnConfig extends ModuleConfig {
  vocab: { tokens: number };
}

/** Configuration of each recurrent node. */
export interface TimemachineCharRnnCells {
  /** models/timemachine-char-rnn.yaml: graph.rnn (recurrent rnn, 1 layer(s), hidden 256) */
  rnn: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface TimemachineCharRnnParams {
  /** models/timemachine-char-rnn.yaml: graph.emb (embedding) */
  emb: ParamMap;
  /** models/timemachine-char-rnn.yaml: graph.rnn (recurrent rnn, 1 layer(s), hidden 256) */
  rnn: ParamMap;
  /** models/timemachine-char-rnn.yaml: graph.logits (dense) */
  logits: ParamMap;
}

/** The state carried across steps and batches: one row per sequence (N rows). */
export interface TimemachineCharRnnState {
  /** rnn state — h [1, N, 256] */
  rnn_state: RnnState;
}

export default class TimemachineCharRnn implements LanguageModelModule<TimemachineCharRnnState> {
  static readonly specName = 'timemachine-char-rnn';
  static readonly task = 'language-model';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 50, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = TimemachineCharRnn.specName;
  readonly task = 'language-model' as const;
  readonly config: TimemachineCharRnnConfig;
  readonly cells: TimemachineCharRnnCells;
  readonly params: TimemachineCharRnnParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;

  constructor(config: ModuleConfig) {
    const v = { tokens: vocabSize(config, 'tokens') };
    this.config = { seed: config.seed, vocab: v };
    const cells: TimemachineCharRnnCells = {
      rnn: { cell: 'rnn', inputSize: 32, hidden: 256, layers: 1, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      emb: createEmbeddingParams(v.tokens, 32, rng),
      rnn: createRecurrentParams(cells.rnn, rng),
      logits: createDenseParams(256, v.tokens, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.emb, this.params.rnn, this.params.logits);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.tokens, dim: 32 }, this.params.emb, 'emb'),
      ...toTorchTensors('recurrent', this.cells.rnn, this.params.rnn, 'rnn'),
      ...toTorchTensors('dense', { inSize: 256, outSize: v.tokens }, this.params.logits, 'logits'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.tokens, dim: 32 }, 'emb'),
      ...torchParamNames('recurrent', this.cells.rnn, 'rnn'),
      ...torchParamNames('dense', { inSize: 256, outSize: v.tokens }, 'logits'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.tokens, dim: 32 }, tensors, this.params.emb, 'emb');
    fromTorchTensors('recurrent', this.cells.rnn, tensors, this.params.rnn, 'rnn');
    fromTorchTensors('dense', { inSize: 256, outSize: v.tokens }, tensors, this.params.logits, 'logits');
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
    disposeParams(this.params.emb, this.params.rnn, this.params.logits);
  }

  /** The state before the first token: zeros, `batch` rows. */
  initState(batch: number): TimemachineCharRnnState {
    return {
      rnn_state: zeroState(this.cells.rnn, batch) as RnnState,
    };
  }

  /** Logits [B, T, V_tokens], time-batched, from `state` (null: zeros); returns the state after the last step. */
  forward(x: tf.Tensor2D, state: TimemachineCharRnnState | null, training: boolean): { logits: tf.Tensor3D; state: TimemachineCharRnnState } {
    checkShape('x', x, [null, null]);
    return tidy(() => {
      // input as parts: emb via its projected table when V < B·T
      const rnn = runRecurrent(this.cells.rnn, this.params.rnn, [embedded(this.params.emb, x)], { init: state?.rnn_state, training, rng: this.rng }); // output [B, T, 256]; h [1, B, 256]
      const logits = dense(this.params.logits, rnn.output, 'none'); // [B, T, V_tokens]
      const next: TimemachineCharRnnState = {
        rnn_state: rnn.state as RnnState,
      };
      return { logits, state: next };
    });
  }

  /** One step for N rows (sampling): tokens [N] → log-probabilities [N, V_tokens] and the next state. */
  decodeStep(tokens: tf.Tensor1D, state: TimemachineCharRnnState): { logProbs: tf.Tensor2D; state: TimemachineCharRnnState } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const training = false;
      const emb = embedding(this.params.emb, tokens); // [N, 32]
      const rnn = recurrentStep(this.cells.rnn, this.params.rnn, emb, state.rnn_state, { training, rng: this.rng }); // output [N, 256]; h [1, N, 256]
      const logits = dense(this.params.logits, rnn.output, 'none'); // [N, V_tokens]
      const next: TimemachineCharRnnState = {
        rnn_state: rnn.state as RnnState,
      };
      return { logProbs: logSoftmax(logits), state: next };
    });
  }

  disposeState(state: TimemachineCharRnnState): void {
    tf.dispose([state.rnn_state.h]);
  }

  /** Mean cross-entropy over all B·T next-token predictions, and the state after the batch. */
  loss(batch: LmBatch, state: TimemachineCharRnnState | null, training: boolean): LossResult & { state: TimemachineCharRnnState } {
    return tidy(() => {
      const out = this.forward(batch.x, state, training);
      const lengths = tf.fill([batch.x.shape[0]], batch.x.shape[1], 'int32') as tf.Tensor1D; // [B], all T valid
      return { ...maskedCrossEntropy(out.logits, batch.y, lengths), state: out.state };
    });
  }

  /** One optimizer step; returns the state after the batch (no gradient flows through it later). */
  trainStep(batch: LmBatch, state: TimemachineCharRnnState | null, optimizer: tf.Optimizer, clipNorm: number | null): StepResult & { state: TimemachineCharRnnState } {
    let tokens = 0;
    const carried: { state?: TimemachineCharRnnState } = {};
    const result = trainStep(() => {
      const loss = this.loss(batch, state, true);
      tokens = loss.count;
      carried.state = loss.state;
      tf.keep(loss.state.rnn_state.h);
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
    throw new UserError(`${TimemachineCharRnn.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${TimemachineCharRnn.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
