/**
 * @generated from test/codegen/specs/lstm-lm-torch.yaml — DO NOT EDIT
 *
 * The language model `lstm-lm-torch` as a typed TensorFlow.js module (class LstmLmTorch).
 * Regenerate with `seqloom generate test/codegen/specs/lstm-lm-torch.yaml`.
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
  type LstmState,
  type ModuleConfig,
  type ParamMap,
  type RecurrentConfig,
  type Rng,
  type StepResult,
  type TensorDict,
} from 'seqloom/runtime';

/** Vocabulary sizes (known once data is loaded) and the seed for initialization and dropout. */
export interface LstmLmTorchConfig extends ModuleConfig {
  vocab: { tokens: number };
}

/** Configuration of each recurrent node. */
export interface LstmLmTorchCells {
  /** test/codegen/specs/lstm-lm-torch.yaml: graph.rnn (recurrent lstm, 2 layer(s), hidden 5) */
  rnn: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface LstmLmTorchParams {
  /** test/codegen/specs/lstm-lm-torch.yaml: graph.emb (embedding) */
  emb: ParamMap;
  /** test/codegen/specs/lstm-lm-torch.yaml: graph.rnn (recurrent lstm, 2 layer(s), hidden 5) */
  rnn: ParamMap;
  /** test/codegen/specs/lstm-lm-torch.yaml: graph.logits (dense) */
  logits: ParamMap;
}

/** The state carried across steps and batches: one row per sequence (N rows). */
export interface LstmLmTorchState {
  /** rnn state — h, c [2, N, 5] */
  rnn_state: LstmState;
}

export default class LstmLmTorch implements LanguageModelModule<LstmLmTorchState> {
  static readonly specName = 'lstm-lm-torch';
  static readonly task = 'language-model';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 100, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = LstmLmTorch.specName;
  readonly task = 'language-model' as const;
  readonly config: LstmLmTorchConfig;
  readonly cells: LstmLmTorchCells;
  readonly params: LstmLmTorchParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;

  constructor(config: ModuleConfig) {
    const v = { tokens: vocabSize(config, 'tokens') };
    this.config = { seed: config.seed, vocab: v };
    const cells: LstmLmTorchCells = {
      rnn: { cell: 'lstm', inputSize: 6, hidden: 5, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      emb: createEmbeddingParams(v.tokens, 6, rng),
      rnn: createRecurrentParams(cells.rnn, rng),
      logits: createDenseParams(5, v.tokens, rng),
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
      ...toTorchTensors('embedding', { vocab: v.tokens, dim: 6 }, this.params.emb, 'embedding'),
      ...toTorchTensors('recurrent', this.cells.rnn, this.params.rnn, 'rnn'),
      ...toTorchTensors('dense', { inSize: 5, outSize: v.tokens }, this.params.logits, 'dense'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.tokens, dim: 6 }, 'embedding'),
      ...torchParamNames('recurrent', this.cells.rnn, 'rnn'),
      ...torchParamNames('dense', { inSize: 5, outSize: v.tokens }, 'dense'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.tokens, dim: 6 }, tensors, this.params.emb, 'embedding');
    fromTorchTensors('recurrent', this.cells.rnn, tensors, this.params.rnn, 'rnn');
    fromTorchTensors('dense', { inSize: 5, outSize: v.tokens }, tensors, this.params.logits, 'dense');
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
  initState(batch: number): LstmLmTorchState {
    return {
      rnn_state: zeroState(this.cells.rnn, batch) as LstmState,
    };
  }

  /** Logits [B, T, V_tokens], time-batched, from `state` (null: zeros); returns the state after the last step. */
  forward(x: tf.Tensor2D, state: LstmLmTorchState | null, training: boolean): { logits: tf.Tensor3D; state: LstmLmTorchState } {
    checkShape('x', x, [null, null]);
    return tidy(() => {
      // input as parts: emb via its projected table when V < B·T
      const rnn = runRecurrent(this.cells.rnn, this.params.rnn, [embedded(this.params.emb, x)], { init: state?.rnn_state, training, rng: this.rng }); // output [B, T, 5]; h, c [2, B, 5]
      const logits = dense(this.params.logits, rnn.output, 'none'); // [B, T, V_tokens]
      const next: LstmLmTorchState = {
        rnn_state: rnn.state as LstmState,
      };
      return { logits, state: next };
    });
  }

  /** One step for N rows (sampling): tokens [N] → log-probabilities [N, V_tokens] and the next state. */
  decodeStep(tokens: tf.Tensor1D, state: LstmLmTorchState): { logProbs: tf.Tensor2D; state: LstmLmTorchState } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const training = false;
      const emb = embedding(this.params.emb, tokens); // [N, 6]
      const rnn = recurrentStep(this.cells.rnn, this.params.rnn, emb, state.rnn_state, { training, rng: this.rng }); // output [N, 5]; h, c [2, N, 5]
      const logits = dense(this.params.logits, rnn.output, 'none'); // [N, V_tokens]
      const next: LstmLmTorchState = {
        rnn_state: rnn.state as LstmState,
      };
      return { logProbs: logSoftmax(logits), state: next };
    });
  }

  disposeState(state: LstmLmTorchState): void {
    tf.dispose([state.rnn_state.h, state.rnn_state.c]);
  }

  /** Mean cross-entropy over all B·T next-token predictions, and the state after the batch. */
  loss(batch: LmBatch, state: LstmLmTorchState | null, training: boolean): LossResult & { state: LstmLmTorchState } {
    return tidy(() => {
      const out = this.forward(batch.x, state, training);
      const lengths = tf.fill([batch.x.shape[0]], batch.x.shape[1], 'int32') as tf.Tensor1D; // [B], all T valid
      return { ...maskedCrossEntropy(out.logits, batch.y, lengths), state: out.state };
    });
  }

  /** One optimizer step; returns the state after the batch (no gradient flows through it later). */
  trainStep(batch: LmBatch, state: LstmLmTorchState | null, optimizer: tf.Optimizer, clipNorm: number | null): StepResult & { state: LstmLmTorchState } {
    let tokens = 0;
    const carried: { state?: LstmLmTorchState } = {};
    const result = trainStep(() => {
      const loss = this.loss(batch, state, true);
      tokens = loss.count;
      carried.state = loss.state;
      tf.keep(loss.state.rnn_state.h);
      tf.keep(loss.state.rnn_state.c);
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
    throw new UserError(`${LstmLmTorch.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${LstmLmTorch.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
