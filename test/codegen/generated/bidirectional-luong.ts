/**
 * @generated from test/codegen/specs/bidirectional-luong.yaml — DO NOT EDIT
 *
 * The seq2seq model `bidirectional-luong` as a typed TensorFlow.js module (class BidirectionalLuong).
 * Regenerate with `seqloom generate test/codegen/specs/bidirectional-luong.yaml`.
 *
 * Plan:
 *   encode (once per source batch, over T_src): src_emb, encoder, bridge
 *   target, time-batched over T_tgt: tgt_emb, context, dec_in, decoder, attn, mixed, hidden, logits
 *   encoder reads its input as parts: src_emb via its projected table when V < B·T (src_emb not evaluated time-batched)
 *   decoder reads its input as parts: tgt_emb via its projected table when V < B·T, context once per sentence (dec_in, tgt_emb, context not evaluated time-batched)
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
  zeroState,
  type DecodeStepOptions,
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
export interface BidirectionalLuongConfig extends ModuleConfig {
  vocab: { source: number; target: number };
}

/** Configuration of each recurrent node. */
export interface BidirectionalLuongCells {
  /** test/codegen/specs/bidirectional-luong.yaml: graph.encoder (recurrent lstm, 1 layer(s), hidden 6) */
  encoder: RecurrentConfig;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.decoder (recurrent gru, 1 layer(s), hidden 12) */
  decoder: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface BidirectionalLuongParams {
  /** test/codegen/specs/bidirectional-luong.yaml: graph.src_emb (embedding) */
  src_emb: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.encoder (recurrent lstm, 1 layer(s), hidden 6) */
  encoder: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.bridge (dense) */
  bridge: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.tgt_emb (embedding) */
  tgt_emb: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.decoder (recurrent gru, 1 layer(s), hidden 12) */
  decoder: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.attn (attention) */
  attn: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.hidden (dense) */
  hidden: ParamMap;
  /** test/codegen/specs/bidirectional-luong.yaml: graph.logits (dense) */
  logits: ParamMap;
}

/** What `encode` hands to the decoder: every source-side value the target side reads. */
export interface BidirectionalLuongEncoded {
  /** bridge — [B, 12] */
  bridge_output: tf.Tensor2D;
  /** encoder — [B, T_src, 12] */
  encoder_output: tf.Tensor3D;
  /** source lengths — [B] int32 */
  source_lengths: tf.Tensor1D;
}

/** What one decoder step carries, one row per sentence (× beam): N rows. */
export interface BidirectionalLuongDecoderState {
  /** decoder state — h [1, N, 12] */
  decoder_state: GruState;
  /** bridge — [N, 12] */
  bridge_output: tf.Tensor2D;
  /** encoder — [N, T_src, 12] */
  encoder_output: tf.Tensor3D;
  /** source lengths — [N] int32 */
  source_lengths: tf.Tensor1D;
}

export default class BidirectionalLuong implements Seq2SeqModule<BidirectionalLuongEncoded, BidirectionalLuongDecoderState> {
  static readonly specName = 'bidirectional-luong';
  static readonly task = 'seq2seq';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 10, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = BidirectionalLuong.specName;
  readonly task = 'seq2seq' as const;
  readonly config: BidirectionalLuongConfig;
  readonly cells: BidirectionalLuongCells;
  readonly params: BidirectionalLuongParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;
  /** The attention node whose weights decoding returns with `{ attention: true }`. */
  static readonly attentionNode = 'attn';
  readonly attentionNode = BidirectionalLuong.attentionNode;
  /** decodeStep as the searches see it. */
  private readonly searchModel: SearchModel<BidirectionalLuongDecoderState> = {
      step: (tokens, state, opts) => this.decodeStep(tokens, state, opts),
      select: (state, rows) => this.selectState(state, rows),
      dispose: (state) => this.disposeState(state),
    };

  constructor(config: ModuleConfig) {
    const v = { source: vocabSize(config, 'source'), target: vocabSize(config, 'target') };
    this.config = { seed: config.seed, vocab: v };
    const cells: BidirectionalLuongCells = {
      encoder: { cell: 'lstm', inputSize: 8, hidden: 6, layers: 1, dropout: 0, bidirectional: true, nonlinearity: 'tanh' },
      decoder: { cell: 'gru', inputSize: 20, hidden: 12, layers: 1, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      src_emb: createEmbeddingParams(v.source, 8, rng),
      encoder: createRecurrentParams(cells.encoder, rng),
      bridge: createDenseParams(12, 12, rng),
      tgt_emb: createEmbeddingParams(v.target, 8, rng),
      decoder: createRecurrentParams(cells.decoder, rng),
      attn: createAttentionParams('dot', 12, 12, 12, rng),
      hidden: createDenseParams(24, 12, rng),
      logits: createDenseParams(12, v.target, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.src_emb, this.params.encoder, this.params.bridge, this.params.tgt_emb, this.params.decoder, this.params.attn, this.params.hidden, this.params.logits);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.source, dim: 8 }, this.params.src_emb, 'src_emb'),
      ...toTorchTensors('recurrent', this.cells.encoder, this.params.encoder, 'encoder'),
      ...toTorchTensors('dense', { inSize: 12, outSize: 12 }, this.params.bridge, 'bridge'),
      ...toTorchTensors('embedding', { vocab: v.target, dim: 8 }, this.params.tgt_emb, 'tgt_emb'),
      ...toTorchTensors('recurrent', this.cells.decoder, this.params.decoder, 'decoder'),
      ...toTorchTensors('attention', { kind: 'dot', queryDim: 12, keyDim: 12, hidden: 12 }, this.params.attn, 'attn'),
      ...toTorchTensors('dense', { inSize: 24, outSize: 12 }, this.params.hidden, 'hidden'),
      ...toTorchTensors('dense', { inSize: 12, outSize: v.target }, this.params.logits, 'logits'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.source, dim: 8 }, 'src_emb'),
      ...torchParamNames('recurrent', this.cells.encoder, 'encoder'),
      ...torchParamNames('dense', { inSize: 12, outSize: 12 }, 'bridge'),
      ...torchParamNames('embedding', { vocab: v.target, dim: 8 }, 'tgt_emb'),
      ...torchParamNames('recurrent', this.cells.decoder, 'decoder'),
      ...torchParamNames('attention', { kind: 'dot', queryDim: 12, keyDim: 12, hidden: 12 }, 'attn'),
      ...torchParamNames('dense', { inSize: 24, outSize: 12 }, 'hidden'),
      ...torchParamNames('dense', { inSize: 12, outSize: v.target }, 'logits'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.source, dim: 8 }, tensors, this.params.src_emb, 'src_emb');
    fromTorchTensors('recurrent', this.cells.encoder, tensors, this.params.encoder, 'encoder');
    fromTorchTensors('dense', { inSize: 12, outSize: 12 }, tensors, this.params.bridge, 'bridge');
    fromTorchTensors('embedding', { vocab: v.target, dim: 8 }, tensors, this.params.tgt_emb, 'tgt_emb');
    fromTorchTensors('recurrent', this.cells.decoder, tensors, this.params.decoder, 'decoder');
    fromTorchTensors('attention', { kind: 'dot', queryDim: 12, keyDim: 12, hidden: 12 }, tensors, this.params.attn, 'attn');
    fromTorchTensors('dense', { inSize: 24, outSize: 12 }, tensors, this.params.hidden, 'hidden');
    fromTorchTensors('dense', { inSize: 12, outSize: v.target }, tensors, this.params.logits, 'logits');
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
    disposeParams(this.params.src_emb, this.params.encoder, this.params.bridge, this.params.tgt_emb, this.params.decoder, this.params.attn, this.params.hidden, this.params.logits);
  }

  /** The source side, once over [B, T_src]: everything the decoder reads from it. */
  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D, training: boolean): BidirectionalLuongEncoded {
    checkShape('src', src, [null, null]);
    checkShape('srcLen', srcLen, [src.shape[0]]);
    return tidy(() => {
      // input as parts: src_emb via its projected table when V < B·T
      const encoder = runRecurrent(this.cells.encoder, this.params.encoder, [embedded(this.params.src_emb, src)], { lengths: srcLen, training, rng: this.rng }); // output [B, T_src, 12]; h, c [2, B, 6]
      const bridge = dense(this.params.bridge, stateTop(encoder.state, true), 'tanh'); // [B, 12]
      return {
        bridge_output: bridge,
        encoder_output: encoder.output,
        source_lengths: tf.clone(srcLen),
      };
    });
  }

  /** The decoder state before the first step: one row per sentence (the encoded values are copied). */
  initDecoderState(encoded: BidirectionalLuongEncoded, srcLen: tf.Tensor1D): BidirectionalLuongDecoderState {
    return tidy(() => {
      const rows = srcLen.shape[0];
      return {
        decoder_state: zeroState(this.cells.decoder, rows) as GruState,
        bridge_output: tf.clone(encoded.bridge_output),
        encoder_output: tf.clone(encoded.encoder_output),
        source_lengths: tf.clone(encoded.source_lengths),
      };
    });
  }

  disposeEncoded(encoded: BidirectionalLuongEncoded): void {
    tf.dispose([encoded.bridge_output, encoded.encoder_output, encoded.source_lengths]);
  }

  /**
   * One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state;
   * with `{ attention: true }` also attn's weights over the source [N, T_src].
   */
  decodeStep(tokens: tf.Tensor1D, state: BidirectionalLuongDecoderState, opts: DecodeStepOptions = {}): { logProbs: tf.Tensor2D; state: BidirectionalLuongDecoderState; attention?: tf.Tensor2D } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const step = this.stepLogits(tokens, state, false);
      const out = { logProbs: logSoftmax(step.logits), state: step.state };
      return opts.attention ? { ...out, attention: step.attention } : out;
    });
  }

  /** The target side for one step: every node on [N, D]; logits [N, V_target] and attn's weights [N, T_src]. */
  private stepLogits(tokens: tf.Tensor1D, state: BidirectionalLuongDecoderState, training: boolean): { logits: tf.Tensor2D; state: BidirectionalLuongDecoderState; attention: tf.Tensor2D } {
    return tidy(() => {
      const tgt_emb = embedding(this.params.tgt_emb, tokens); // [N, 8]
      const context = state.bridge_output; // [N, 12]
      const dec_in = tf.concat([tgt_emb, context], -1) as tf.Tensor2D; // [N, 20]
      const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, state.decoder_state, { training, rng: this.rng }); // output [N, 12]; h [1, N, 12]
      const { context: attn, weights: attn_weights } = attention('dot', this.params.attn, decoder.output, state.encoder_output, state.encoder_output, state.source_lengths); // [N, 12]; weights [N, T_src]
      const mixed = tf.concat([decoder.output, attn], -1) as tf.Tensor2D; // [N, 24]
      const hidden = dense(this.params.hidden, mixed, 'relu'); // [N, 12]
      const logits = dense(this.params.logits, hidden, 'none'); // [N, V_target]
      const next: BidirectionalLuongDecoderState = {
        decoder_state: decoder.state as GruState,
        bridge_output: tf.clone(state.bridge_output),
        encoder_output: tf.clone(state.encoder_output),
        source_lengths: tf.clone(state.source_lengths),
      };
      return { logits, state: next, attention: attn_weights };
    });
  }

  /** Row i of the result is row rows[i] of state (beam reordering). */
  selectState(state: BidirectionalLuongDecoderState, rows: tf.Tensor1D): BidirectionalLuongDecoderState {
    return tidy(() => ({
      decoder_state: { h: tf.gather(state.decoder_state.h, rows, 1) },
      bridge_output: tf.gather(state.bridge_output, rows),
      encoder_output: tf.gather(state.encoder_output, rows),
      source_lengths: tf.gather(state.source_lengths, rows),
    }));
  }

  disposeState(state: BidirectionalLuongDecoderState): void {
    tf.dispose([state.decoder_state.h, state.bridge_output, state.encoder_output, state.source_lengths]);
  }

  /** Teacher-forced hidden [B, T_tgt, 12], what the output layer `logits` reads: the target side time-batched, loops per step. */
  private features(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tidy(() => {
      checkShape('tgtIn', batch.tgtIn, [batch.src.shape[0], null]);
      const encoded = this.encode(batch.src, batch.srcLen, training);
      // input as parts: dec_in = [tgt_emb; context]; tgt_emb via its projected table when V < B·T, context once per sentence
      const decoder = runRecurrent(this.cells.decoder, this.params.decoder, [embedded(this.params.tgt_emb, batch.tgtIn), repeated(encoded.bridge_output)], { training, rng: this.rng }); // output [B, T_tgt, 12]; h [1, B, 12]
      const attn = tf.stack(tf.unstack(decoder.output, 1).map((q) => attention('dot', this.params.attn, q as tf.Tensor2D, encoded.encoder_output, encoded.encoder_output, encoded.source_lengths).context), 1) as tf.Tensor3D; // [B, T_tgt, 12]
      const mixed = tf.concat([decoder.output, attn], -1) as tf.Tensor3D; // [B, T_tgt, 24]
      const hidden = dense(this.params.hidden, mixed, 'relu'); // [B, T_tgt, 12]
      return hidden;
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
    return tidy(() => maskedDenseCrossEntropy(this.params.logits, 'none', this.features(batch, training), batch.tgtOut, batch.tgtLen));
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
    return this.runSearch(src, srcLen, (init) => beamSearch(this.searchModel, init, { ...opts, batch: src.shape[0], beamSize: opts.beamSize ?? BidirectionalLuong.decodeDefaults.beamSize, sourceLengths: srcLen }));
  }

  /** Every sequence up to maxLen (tiny vocabularies): the oracle for beam search. */
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => exhaustiveSearch(this.searchModel, init, { ...opts, batch: src.shape[0], sourceLengths: srcLen }));
  }

  private runSearch(src: tf.Tensor2D, srcLen: tf.Tensor1D, search: (init: BidirectionalLuongDecoderState) => Hypothesis[][]): Hypothesis[][] {
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
    throw new UserError(`${BidirectionalLuong.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${BidirectionalLuong.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
