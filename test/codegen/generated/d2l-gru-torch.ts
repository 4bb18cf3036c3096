/**
 * @generated from test/codegen/specs/d2l-gru-torch.yaml — DO NOT EDIT
 *
 * The seq2seq model `d2l-gru-torch` as a typed TensorFlow.js module (class D2lGruTorch).
 * Regenerate with `seqloom generate test/codegen/specs/d2l-gru-torch.yaml`.
 *
 * Plan:
 *   encode (once per source batch, over T_src): src_emb, encoder
 *   target, time-batched over T_tgt: tgt_emb, context, dec_in, decoder, logits
 *   encoder reads its input as parts: src_emb via its projected table when V < B·T (src_emb not evaluated time-batched)
 *   decoder reads its input as parts: tgt_emb via its projected table when V < B·T, context once per sentence (dec_in, tgt_emb, context not evaluated time-batched)
 */

import * as tf from '@tensorflow/tfjs';
import {
  UserError,
  beamSearch,
  createDenseParams,
  createEmbeddingParams,
  createRecurrentParams,
  createRng,
  dense,
  disposeParams,
  embedded,
  embedding,
  exhaustiveSearch,
  fromTorchTensors,
  greedySearch,
  logSoftmax,
  maskedDenseCrossEntropy,
  paramVariables,
  recurrentStep,
  repeated,
  runRecurrent,
  stateTop,
  toTorchTensors,
  torchParamNames,
  trainStep,
  type GruState,
  type Hypothesis,
  type LossResult,
  type ModuleConfig,
  type ParamMap,
  type RecurrentConfig,
  type Rng,
  type SearchModel,
  type SearchOptions,
  type Seq2SeqBatch,
  type Seq2SeqModule,
  type StepResult,
  type TensorDict,
} from 'seqloom/runtime';

/** Vocabulary sizes (known once data is loaded) and the seed for initialization and dropout. */
export interface D2lGruTorchConfig extends ModuleConfig {
  vocab: { source: number; target: number };
}

/** Configuration of each recurrent node. */
export interface D2lGruTorchCells {
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.encoder (recurrent gru, 2 layer(s), hidden 5) */
  encoder: RecurrentConfig;
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.decoder (recurrent gru, 2 layer(s), hidden 5) */
  decoder: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface D2lGruTorchParams {
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.src_emb (embedding) */
  src_emb: ParamMap;
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.encoder (recurrent gru, 2 layer(s), hidden 5) */
  encoder: ParamMap;
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.tgt_emb (embedding) */
  tgt_emb: ParamMap;
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.decoder (recurrent gru, 2 layer(s), hidden 5) */
  decoder: ParamMap;
  /** test/codegen/specs/d2l-gru-torch.yaml: graph.logits (dense) */
  logits: ParamMap;
}

/** What `encode` hands to the decoder: every source-side value the target side reads. */
export interface D2lGruTorchEncoded {
  /** encoder.state.top — [B, 5] */
  encoder_state_top: tf.Tensor2D;
  /** encoder.state — h [2, B, 5] */
  encoder_state: GruState;
}

/** What one decoder step carries, one row per sentence (× beam): N rows. */
export interface D2lGruTorchDecoderState {
  /** decoder state — h [2, N, 5] */
  decoder_state: GruState;
  /** encoder.state.top — [N, 5] */
  encoder_state_top: tf.Tensor2D;
}

export default class D2lGruTorch implements Seq2SeqModule<D2lGruTorchEncoded, D2lGruTorchDecoderState> {
  static readonly specName = 'd2l-gru-torch';
  static readonly task = 'seq2seq';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 10, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = D2lGruTorch.specName;
  readonly task = 'seq2seq' as const;
  readonly config: D2lGruTorchConfig;
  readonly cells: D2lGruTorchCells;
  readonly params: D2lGruTorchParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;
  /** decodeStep as the searches see it. */
  private readonly searchModel: SearchModel<D2lGruTorchDecoderState> = {
      step: (tokens, state) => this.decodeStep(tokens, state),
      select: (state, rows) => this.selectState(state, rows),
      dispose: (state) => this.disposeState(state),
    };

  constructor(config: ModuleConfig) {
    const v = { source: vocabSize(config, 'source'), target: vocabSize(config, 'target') };
    this.config = { seed: config.seed, vocab: v };
    const cells: D2lGruTorchCells = {
      encoder: { cell: 'gru', inputSize: 6, hidden: 5, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
      decoder: { cell: 'gru', inputSize: 11, hidden: 5, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      src_emb: createEmbeddingParams(v.source, 6, rng),
      encoder: createRecurrentParams(cells.encoder, rng),
      tgt_emb: createEmbeddingParams(v.target, 6, rng),
      decoder: createRecurrentParams(cells.decoder, rng),
      logits: createDenseParams(5, v.target, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.src_emb, this.params.encoder, this.params.tgt_emb, this.params.decoder, this.params.logits);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.source, dim: 6 }, this.params.src_emb, 'encoder.embedding'),
      ...toTorchTensors('recurrent', this.cells.encoder, this.params.encoder, 'encoder.rnn'),
      ...toTorchTensors('embedding', { vocab: v.target, dim: 6 }, this.params.tgt_emb, 'decoder.embedding'),
      ...toTorchTensors('recurrent', this.cells.decoder, this.params.decoder, 'decoder.rnn'),
      ...toTorchTensors('dense', { inSize: 5, outSize: v.target }, this.params.logits, 'decoder.dense'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.source, dim: 6 }, 'encoder.embedding'),
      ...torchParamNames('recurrent', this.cells.encoder, 'encoder.rnn'),
      ...torchParamNames('embedding', { vocab: v.target, dim: 6 }, 'decoder.embedding'),
      ...torchParamNames('recurrent', this.cells.decoder, 'decoder.rnn'),
      ...torchParamNames('dense', { inSize: 5, outSize: v.target }, 'decoder.dense'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.source, dim: 6 }, tensors, this.params.src_emb, 'encoder.embedding');
    fromTorchTensors('recurrent', this.cells.encoder, tensors, this.params.encoder, 'encoder.rnn');
    fromTorchTensors('embedding', { vocab: v.target, dim: 6 }, tensors, this.params.tgt_emb, 'decoder.embedding');
    fromTorchTensors('recurrent', this.cells.decoder, tensors, this.params.decoder, 'decoder.rnn');
    fromTorchTensors('dense', { inSize: 5, outSize: v.target }, tensors, this.params.logits, 'decoder.dense');
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
    disposeParams(this.params.src_emb, this.params.encoder, this.params.tgt_emb, this.params.decoder, this.params.logits);
  }

  /** The source side, once over [B, T_src]: everything the decoder reads from it. */
  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D, training: boolean): D2lGruTorchEncoded {
    checkShape('src', src, [null, null]);
    checkShape('srcLen', srcLen, [src.shape[0]]);
    return tidy(() => {
      // input as parts: src_emb via its projected table when V < B·T
      const encoder = runRecurrent(this.cells.encoder, this.params.encoder, [embedded(this.params.src_emb, src)], { lengths: srcLen, training, rng: this.rng }); // output [B, T_src, 5]; h [2, B, 5]
      return {
        encoder_state_top: stateTop(encoder.state),
        encoder_state: encoder.state as GruState,
      };
    });
  }

  /** The decoder state before the first step: one row per sentence (the encoded values are copied). */
  initDecoderState(encoded: D2lGruTorchEncoded, srcLen: tf.Tensor1D): D2lGruTorchDecoderState {
    return tidy(() => {
      return {
        decoder_state: { h: tf.clone(encoded.encoder_state.h) },
        encoder_state_top: tf.clone(encoded.encoder_state_top),
      };
    });
  }

  disposeEncoded(encoded: D2lGruTorchEncoded): void {
    tf.dispose([encoded.encoder_state_top, encoded.encoder_state.h]);
  }

  /** One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state. */
  decodeStep(tokens: tf.Tensor1D, state: D2lGruTorchDecoderState): { logProbs: tf.Tensor2D; state: D2lGruTorchDecoderState } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const step = this.stepLogits(tokens, state, false);
      return { logProbs: logSoftmax(step.logits), state: step.state };
    });
  }

  /** The target side for one step: every node on [N, D]; logits [N, V_target]. */
  private stepLogits(tokens: tf.Tensor1D, state: D2lGruTorchDecoderState, training: boolean): { logits: tf.Tensor2D; state: D2lGruTorchDecoderState } {
    return tidy(() => {
      const tgt_emb = embedding(this.params.tgt_emb, tokens); // [N, 6]
      const context = state.encoder_state_top; // [N, 5]
      const dec_in = tf.concat([tgt_emb, context], -1) as tf.Tensor2D; // [N, 11]
      const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, state.decoder_state, { training, rng: this.rng }); // output [N, 5]; h [2, N, 5]
      const logits = dense(this.params.logits, decoder.output, 'none'); // [N, V_target]
      const next: D2lGruTorchDecoderState = {
        decoder_state: decoder.state as GruState,
        encoder_state_top: tf.clone(state.encoder_state_top),
      };
      return { logits, state: next };
    });
  }

  /** Row i of the result is row rows[i] of state (beam reordering). */
  selectState(state: D2lGruTorchDecoderState, rows: tf.Tensor1D): D2lGruTorchDecoderState {
    return tidy(() => ({
      decoder_state: { h: tf.gather(state.decoder_state.h, rows, 1) },
      encoder_state_top: tf.gather(state.encoder_state_top, rows),
    }));
  }

  disposeState(state: D2lGruTorchDecoderState): void {
    tf.dispose([state.decoder_state.h, state.encoder_state_top]);
  }

  /**
   * Teacher-forced decoder [B, T_tgt, 5], what the output layer `logits` reads: the target side time-batched, loops per step.
   * With `tgtLen` the target-side recurrences stop at each sentence's length (the loss: it reads valid positions only, which are the same either way).
   */
  private features(batch: Seq2SeqBatch, training: boolean, tgtLen: tf.Tensor1D | null = null): tf.Tensor3D {
    return tidy(() => {
      checkShape('tgtIn', batch.tgtIn, [batch.src.shape[0], null]);
      const encoded = this.encode(batch.src, batch.srcLen, training);
      // input as parts: dec_in = [tgt_emb; context]; tgt_emb via its projected table when V < B·T, context once per sentence
      const decoder = runRecurrent(this.cells.decoder, this.params.decoder, [embedded(this.params.tgt_emb, batch.tgtIn), repeated(encoded.encoder_state_top)], { lengths: tgtLen ?? undefined, init: encoded.encoder_state, training, rng: this.rng }); // output [B, T_tgt, 5]; h [2, B, 5]
      return decoder.output;
    });
  }

  /** Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`. */
  forward(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tidy(() => dense(this.params.logits, this.features(batch, training), 'none')); // [B, T_tgt, V_target]
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

  /** Masked cross-entropy of the teacher-forced logits (mean over valid target tokens); the output layer runs on those tokens only. */
  loss(batch: Seq2SeqBatch, training: boolean): LossResult {
    return tidy(() => maskedDenseCrossEntropy(this.params.logits, 'none', this.features(batch, training, batch.tgtLen), batch.tgtOut, batch.tgtLen));
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
    return this.runSearch(src, srcLen, (init) => greedySearch(this.searchModel, init, { ...opts, batch: src.shape[0] }));
  }

  /** Beam search: per sentence, the n-best finished hypotheses. */
  beam(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => beamSearch(this.searchModel, init, { ...opts, batch: src.shape[0], beamSize: opts.beamSize ?? D2lGruTorch.decodeDefaults.beamSize }));
  }

  /** Every sequence up to maxLen (tiny vocabularies): the oracle for beam search. */
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => exhaustiveSearch(this.searchModel, init, { ...opts, batch: src.shape[0] }));
  }

  private runSearch(src: tf.Tensor2D, srcLen: tf.Tensor1D, search: (init: D2lGruTorchDecoderState) => Hypothesis[][]): Hypothesis[][] {
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
    throw new UserError(`${D2lGruTorch.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${D2lGruTorch.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
