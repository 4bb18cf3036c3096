/**
 * @generated from test/codegen/specs/bahdanau.yaml — DO NOT EDIT
 *
 * The seq2seq model `bahdanau-gru` as a typed TensorFlow.js module (class BahdanauGru).
 * Regenerate with `seqloom generate test/codegen/specs/bahdanau.yaml`.
 *
 * Plan:
 *   encode (once per source batch, over T_src): src_emb, encoder
 *   target, time-batched over T_tgt: tgt_emb
 *   target, per step (a loop closed by .prev): attn, dec_in, decoder
 *   target, time-batched over T_tgt: logits
 *   encoder reads its input as parts: src_emb via its projected table when V < B·T (src_emb not evaluated time-batched)
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
  projectAttentionKeys,
  recurrentStep,
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
export interface BahdanauGruConfig extends ModuleConfig {
  vocab: { source: number; target: number };
}

/** Configuration of each recurrent node. */
export interface BahdanauGruCells {
  /** test/codegen/specs/bahdanau.yaml: graph.encoder (recurrent gru, 2 layer(s), hidden 16) */
  encoder: RecurrentConfig;
  /** test/codegen/specs/bahdanau.yaml: graph.decoder (recurrent gru, 2 layer(s), hidden 16) */
  decoder: RecurrentConfig;
}

/** Trainable parameters of each node that has any (compute layout), in spec order. */
export interface BahdanauGruParams {
  /** test/codegen/specs/bahdanau.yaml: graph.src_emb (embedding) */
  src_emb: ParamMap;
  /** test/codegen/specs/bahdanau.yaml: graph.encoder (recurrent gru, 2 layer(s), hidden 16) */
  encoder: ParamMap;
  /** test/codegen/specs/bahdanau.yaml: graph.tgt_emb (embedding) */
  tgt_emb: ParamMap;
  /** test/codegen/specs/bahdanau.yaml: graph.attn (attention) */
  attn: ParamMap;
  /** test/codegen/specs/bahdanau.yaml: graph.decoder (recurrent gru, 2 layer(s), hidden 16) */
  decoder: ParamMap;
  /** test/codegen/specs/bahdanau.yaml: graph.logits (dense) */
  logits: ParamMap;
}

/** What `encode` hands to the decoder: every source-side value the target side reads. */
export interface BahdanauGruEncoded {
  /** encoder — [B, T_src, 16] */
  encoder_output: tf.Tensor3D;
  /** source lengths — [B] int32 */
  source_lengths: tf.Tensor1D;
  /** encoder.state — h [2, B, 16] */
  encoder_state: GruState;
}

/** What one decoder step carries, one row per sentence (× beam): N rows. */
export interface BahdanauGruDecoderState {
  /** decoder state — h [2, N, 16] */
  decoder_state: GruState;
  /** encoder — [N, T_src, 16] */
  encoder_output: tf.Tensor3D;
  /** source lengths — [N] int32 */
  source_lengths: tf.Tensor1D;
  /** attn: keys · W_k, once per sentence — [N, T_src, 16] */
  attn_keys: tf.Tensor3D;
}

export default class BahdanauGru implements Seq2SeqModule<BahdanauGruEncoded, BahdanauGruDecoderState> {
  static readonly specName = 'bahdanau-gru';
  static readonly task = 'seq2seq';
  /** The spec's `decode:` settings. */
  static readonly decodeDefaults = { strategy: 'greedy', beamSize: 4, maxLen: 10, lengthPenalty: 0, nBest: 1 } as const;
  readonly specName = BahdanauGru.specName;
  readonly task = 'seq2seq' as const;
  readonly config: BahdanauGruConfig;
  readonly cells: BahdanauGruCells;
  readonly params: BahdanauGruParams;
  /** Dropout masks (and scheduled sampling): a stream forked after initialization. */
  private readonly rng: Rng;
  /** The attention node whose weights decoding returns with `{ attention: true }`. */
  static readonly attentionNode = 'attn';
  readonly attentionNode = BahdanauGru.attentionNode;
  /** decodeStep as the searches see it. */
  private readonly searchModel: SearchModel<BahdanauGruDecoderState> = {
      step: (tokens, state, opts) => this.decodeStep(tokens, state, opts),
      select: (state, rows) => this.selectState(state, rows),
      dispose: (state) => this.disposeState(state),
    };

  constructor(config: ModuleConfig) {
    const v = { source: vocabSize(config, 'source'), target: vocabSize(config, 'target') };
    this.config = { seed: config.seed, vocab: v };
    const cells: BahdanauGruCells = {
      encoder: { cell: 'gru', inputSize: 16, hidden: 16, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
      decoder: { cell: 'gru', inputSize: 32, hidden: 16, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' },
    };
    this.cells = cells;
    const rng = createRng(config.seed);
    this.params = {
      src_emb: createEmbeddingParams(v.source, 16, rng),
      encoder: createRecurrentParams(cells.encoder, rng),
      tgt_emb: createEmbeddingParams(v.target, 16, rng),
      attn: createAttentionParams('additive', 16, 16, 16, rng),
      decoder: createRecurrentParams(cells.decoder, rng),
      logits: createDenseParams(16, v.target, rng),
    };
    this.rng = rng.fork();
  }

  /** All trainable variables, in spec order. */
  variables(): tf.Variable[] {
    return paramVariables(this.params.src_emb, this.params.encoder, this.params.tgt_emb, this.params.attn, this.params.decoder, this.params.logits);
  }

  /** Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts. */
  exportTensors(): TensorDict {
    const v = this.config.vocab;
    return {
      ...toTorchTensors('embedding', { vocab: v.source, dim: 16 }, this.params.src_emb, 'src_emb'),
      ...toTorchTensors('recurrent', this.cells.encoder, this.params.encoder, 'encoder.rnn'),
      ...toTorchTensors('embedding', { vocab: v.target, dim: 16 }, this.params.tgt_emb, 'tgt_emb'),
      ...toTorchTensors('attention', { kind: 'additive', queryDim: 16, keyDim: 16, hidden: 16 }, this.params.attn, 'attn'),
      ...toTorchTensors('recurrent', this.cells.decoder, this.params.decoder, 'decoder'),
      ...toTorchTensors('dense', { inSize: 16, outSize: v.target }, this.params.logits, 'logits'),
    };
  }

  /**
   * Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the
   * spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.
   */
  importTensors(tensors: TensorDict): void {
    const v = this.config.vocab;
    const expected = new Set([
      ...torchParamNames('embedding', { vocab: v.source, dim: 16 }, 'src_emb'),
      ...torchParamNames('recurrent', this.cells.encoder, 'encoder.rnn'),
      ...torchParamNames('embedding', { vocab: v.target, dim: 16 }, 'tgt_emb'),
      ...torchParamNames('attention', { kind: 'additive', queryDim: 16, keyDim: 16, hidden: 16 }, 'attn'),
      ...torchParamNames('recurrent', this.cells.decoder, 'decoder'),
      ...torchParamNames('dense', { inSize: 16, outSize: v.target }, 'logits'),
    ]);
    const unknown = Object.keys(tensors).filter((name) => !expected.has(name));
    if (unknown.length > 0) {
      throw new UserError(`checkpoint has tensors this model does not have: ${unknown.join(', ')}`, `expected: ${[...expected].join(', ')}`);
    }
    const missing = [...expected].filter((name) => tensors[name] === undefined);
    if (missing.length > 0) {
      throw new UserError(`checkpoint lacks tensors: ${missing.join(', ')}`);
    }
    fromTorchTensors('embedding', { vocab: v.source, dim: 16 }, tensors, this.params.src_emb, 'src_emb');
    fromTorchTensors('recurrent', this.cells.encoder, tensors, this.params.encoder, 'encoder.rnn');
    fromTorchTensors('embedding', { vocab: v.target, dim: 16 }, tensors, this.params.tgt_emb, 'tgt_emb');
    fromTorchTensors('attention', { kind: 'additive', queryDim: 16, keyDim: 16, hidden: 16 }, tensors, this.params.attn, 'attn');
    fromTorchTensors('recurrent', this.cells.decoder, tensors, this.params.decoder, 'decoder');
    fromTorchTensors('dense', { inSize: 16, outSize: v.target }, tensors, this.params.logits, 'logits');
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
    disposeParams(this.params.src_emb, this.params.encoder, this.params.tgt_emb, this.params.attn, this.params.decoder, this.params.logits);
  }

  /** The source side, once over [B, T_src]: everything the decoder reads from it. */
  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D, training: boolean): BahdanauGruEncoded {
    checkShape('src', src, [null, null]);
    checkShape('srcLen', srcLen, [src.shape[0]]);
    return tidy(() => {
      // input as parts: src_emb via its projected table when V < B·T
      const encoder = runRecurrent(this.cells.encoder, this.params.encoder, [embedded(this.params.src_emb, src)], { lengths: srcLen, training, rng: this.rng }); // output [B, T_src, 16]; h [2, B, 16]
      return {
        encoder_output: encoder.output,
        source_lengths: tf.clone(srcLen),
        encoder_state: encoder.state as GruState,
      };
    });
  }

  /** The decoder state before the first step: one row per sentence (the encoded values are copied). */
  initDecoderState(encoded: BahdanauGruEncoded, srcLen: tf.Tensor1D): BahdanauGruDecoderState {
    return tidy(() => {
      return {
        decoder_state: { h: tf.clone(encoded.encoder_state.h) },
        encoder_output: tf.clone(encoded.encoder_output),
        source_lengths: tf.clone(encoded.source_lengths),
        attn_keys: projectAttentionKeys(this.params.attn, encoded.encoder_output),
      };
    });
  }

  disposeEncoded(encoded: BahdanauGruEncoded): void {
    tf.dispose([encoded.encoder_output, encoded.source_lengths, encoded.encoder_state.h]);
  }

  /**
   * One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state;
   * with `{ attention: true }` also attn's weights over the source [N, T_src].
   */
  decodeStep(tokens: tf.Tensor1D, state: BahdanauGruDecoderState, opts: DecodeStepOptions = {}): { logProbs: tf.Tensor2D; state: BahdanauGruDecoderState; attention?: tf.Tensor2D } {
    checkShape('tokens', tokens, [null]);
    return tidy(() => {
      const step = this.stepLogits(tokens, state, false);
      const out = { logProbs: logSoftmax(step.logits), state: step.state };
      return opts.attention ? { ...out, attention: step.attention } : out;
    });
  }

  /** The target side for one step: every node on [N, D]; logits [N, V_target] and attn's weights [N, T_src]. */
  private stepLogits(tokens: tf.Tensor1D, state: BahdanauGruDecoderState, training: boolean): { logits: tf.Tensor2D; state: BahdanauGruDecoderState; attention: tf.Tensor2D } {
    return tidy(() => {
      const tgt_emb = embedding(this.params.tgt_emb, tokens); // [N, 16]
      const { context: attn, weights: attn_weights } = attention('additive', this.params.attn, stateTop(state.decoder_state), state.encoder_output, state.encoder_output, state.source_lengths, { projectedKeys: state.attn_keys }); // [N, 16]; weights [N, T_src]
      const dec_in = tf.concat([attn, tgt_emb], -1) as tf.Tensor2D; // [N, 32]
      const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, state.decoder_state, { training, rng: this.rng }); // output [N, 16]; h [2, N, 16]
      const logits = dense(this.params.logits, decoder.output, 'none'); // [N, V_target]
      const next: BahdanauGruDecoderState = {
        decoder_state: decoder.state as GruState,
        encoder_output: tf.clone(state.encoder_output),
        source_lengths: tf.clone(state.source_lengths),
        attn_keys: tf.clone(state.attn_keys),
      };
      return { logits, state: next, attention: attn_weights };
    });
  }

  /** Row i of the result is row rows[i] of state (beam reordering). */
  selectState(state: BahdanauGruDecoderState, rows: tf.Tensor1D): BahdanauGruDecoderState {
    return tidy(() => ({
      decoder_state: { h: tf.gather(state.decoder_state.h, rows, 1) },
      encoder_output: tf.gather(state.encoder_output, rows),
      source_lengths: tf.gather(state.source_lengths, rows),
      attn_keys: tf.gather(state.attn_keys, rows),
    }));
  }

  disposeState(state: BahdanauGruDecoderState): void {
    tf.dispose([state.decoder_state.h, state.encoder_output, state.source_lengths, state.attn_keys]);
  }

  /** Teacher-forced decoder [B, T_tgt, 16], what the output layer `logits` reads: the target side time-batched, loops per step. */
  private features(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tidy(() => {
      checkShape('tgtIn', batch.tgtIn, [batch.src.shape[0], null]);
      const encoded = this.encode(batch.src, batch.srcLen, training);
      const tgt_emb = embedding(this.params.tgt_emb, batch.tgtIn); // [B, T_tgt, 16]
      // loop over T_tgt: attn, dec_in, decoder (closed by .prev), one step at a time
      const tgt_emb_t = tf.unstack(tgt_emb, 1) as tf.Tensor2D[]; // T_tgt × [B, 16]
      const attn_keys = projectAttentionKeys(this.params.attn, encoded.encoder_output); // keys · W_k, once for all steps
      let decoder_state: RecurrentState = encoded.encoder_state;
      const decoder_steps: tf.Tensor2D[] = [];
      for (let t = 0; t < batch.tgtIn.shape[1]; t++) {
        const attn = attention('additive', this.params.attn, stateTop(decoder_state), encoded.encoder_output, encoded.encoder_output, encoded.source_lengths, { projectedKeys: attn_keys }).context; // [B, 16]
        const dec_in = tf.concat([attn, tgt_emb_t[t]!], -1) as tf.Tensor2D; // [B, 32]
        const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, decoder_state, { training, rng: this.rng }); // output [B, 16]; h [2, B, 16]
        decoder_state = decoder.state;
        decoder_steps.push(decoder.output);
      }
      const decoder = { output: tf.stack(decoder_steps, 1) as tf.Tensor3D, state: decoder_state }; // output [B, T_tgt, 16]
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
    return this.runSearch(src, srcLen, (init) => beamSearch(this.searchModel, init, { ...opts, batch: src.shape[0], beamSize: opts.beamSize ?? BahdanauGru.decodeDefaults.beamSize, sourceLengths: srcLen }));
  }

  /** Every sequence up to maxLen (tiny vocabularies): the oracle for beam search. */
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    return this.runSearch(src, srcLen, (init) => exhaustiveSearch(this.searchModel, init, { ...opts, batch: src.shape[0], sourceLengths: srcLen }));
  }

  private runSearch(src: tf.Tensor2D, srcLen: tf.Tensor1D, search: (init: BahdanauGruDecoderState) => Hypothesis[][]): Hypothesis[][] {
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
    throw new UserError(`${BahdanauGru.specName}: ${what} has shape [${tensor.shape.join(', ')}], expected [${want}]`);
  }
}

/** A vocabulary size from the config: a positive integer, or a UserError naming it. */
function vocabSize(config: ModuleConfig, stream: 'source' | 'target' | 'tokens'): number {
  const size = config.vocab[stream];
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new UserError(`${BahdanauGru.specName}: config.vocab.${stream} must be a positive integer (got ${String(size)})`);
  }
  return size;
}
