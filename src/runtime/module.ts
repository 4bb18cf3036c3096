/**
 * The contract between generated modules (codegen/ emits classes implementing these interfaces) and
 * what drives them (the trainer, the CLI commands, tests). Generated code adds precise types on top:
 * its state types name each cell's `{h}` or `{h, c}` so changing `cell:` in the YAML changes the type.
 */
import type * as tf from '@tensorflow/tfjs';

/** A torch-layout tensor as stored in a checkpoint (`<node-or-weights-prefix>.<param>`). */
export interface NamedTensor { shape: number[]; data: Float32Array }
export type TensorDict = Record<string, NamedTensor>;

/** Sizes only known once data is loaded. */
export interface ModuleConfig {
  vocab: { source?: number; target?: number; tokens?: number };
  /** Seed for parameter initialization and dropout masks. */
  seed: number;
}

/** A teacher-forced seq2seq batch; all int32, padded with `<pad>`. */
export interface Seq2SeqBatch {
  src: tf.Tensor2D;      // [B, T_src]
  srcLen: tf.Tensor1D;   // [B]
  tgtIn: tf.Tensor2D;    // [B, T_tgt]  <bos> + target[:-1]
  tgtOut: tf.Tensor2D;   // [B, T_tgt]  target (ends with <eos>)
  tgtLen: tf.Tensor1D;   // [B]
}

/** A language-model batch: labels are inputs shifted by one. */
export interface LmBatch {
  x: tf.Tensor2D;        // [B, T]
  y: tf.Tensor2D;        // [B, T]
}

export interface LossResult { mean: tf.Scalar; sum: tf.Scalar; count: number }
export interface StepResult { loss: number; gradNorm: number; tokens: number }

export interface SearchOptions {
  bos: number; eos: number; pad: number; maxLen: number;
  beamSize?: number; lengthPenalty?: number; nBest?: number; maxCandidates?: number;
  /**
   * Also return each hypothesis' attention weights (models with attention over the source; see
   * `Hypothesis.attention`). Off by default: decoding then never reads the weights back.
   */
  attention?: boolean;
}

/** One decoded hypothesis: tokens as generated (`<eos>` included when generated). */
export interface Hypothesis {
  tokens: number[];
  logp: number;
  score: number;
  /**
   * With `SearchOptions.attention`: per generated token (row t produced `tokens[t]`), the attention
   * weights over the sentence's valid source positions, [tokens.length][src_len] (`<eos>` of the
   * source included). With `mask: source` each row sums to 1.
   */
  attention?: number[][];
}

/** Options of one decoder step. */
export interface DecodeStepOptions {
  /** Also return the step's attention weights [N, T_src] (modules with `attentionNode`). */
  attention?: boolean;
}

/** One decoder step's result: log-probabilities [N, V], the next state, and (when asked) attention [N, T_src]. */
export interface DecodeStepResult<S> { logProbs: tf.Tensor2D; state: S; attention?: tf.Tensor2D }

export interface GeneratedModule {
  readonly specName: string;
  readonly task: 'seq2seq' | 'language-model';
  readonly config: ModuleConfig;
  /** All trainable variables, in a stable order. */
  variables(): tf.Variable[];
  /** Parameters in PyTorch names and layouts, keyed `<prefix>.<param>`. */
  exportTensors(): TensorDict;
  /** Load PyTorch-layout tensors; missing/extra names or wrong shapes are UserErrors. */
  importTensors(tensors: TensorDict): void;
  dispose(): void;
  /**
   * Optional, for exact `train --resume` with dropout: the dropout RNG's full state (e.g. sfc32's
   * four words), and its restore. The trainer saves it in meta.json after each epoch; without these,
   * dropout masks after a resume differ from an uninterrupted run (the trainer says so).
   */
  rngState?(): number[];
  setRngState?(state: number[]): void;
}

export interface Seq2SeqModule<Encoded = unknown, DecoderState = unknown> extends GeneratedModule {
  readonly task: 'seq2seq';
  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D, training: boolean): Encoded;
  initDecoderState(encoded: Encoded, srcLen: tf.Tensor1D): DecoderState;
  /**
   * The attention node whose weights decoding can return (`SearchOptions.attention`): the first
   * target-side attention over source-side keys, in spec order; null or absent when there is none.
   */
  readonly attentionNode?: string | null;
  /**
   * One decoder step for N rows: tokens [N] → log-probabilities [N, V_target]; with
   * `{ attention: true }` (modules with an `attentionNode`) also that node's weights [N, T_src].
   */
  decodeStep(tokens: tf.Tensor1D, state: DecoderState, opts?: DecodeStepOptions): DecodeStepResult<DecoderState>;
  selectState(state: DecoderState, rows: tf.Tensor1D): DecoderState;
  disposeState(state: DecoderState): void;
  disposeEncoded(encoded: Encoded): void;
  /** Teacher-forced logits [B, T_tgt, V_target] (time-batched path). */
  forward(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D;
  /**
   * Modules with an `attentionNode`: its teacher-forced weights [B, T_tgt, T_src] (step t feeds
   * `batch.tgtIn[:, t]`; rows past a sentence's valid source length are 0 with `mask: source`).
   */
  attentionWeights?(batch: Seq2SeqBatch): tf.Tensor3D;
  loss(batch: Seq2SeqBatch, training: boolean): LossResult;
  trainStep(batch: Seq2SeqBatch, optimizer: tf.Optimizer, clipNorm: number | null): StepResult;
  greedy(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][];
  beam(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][];
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][];
}

export interface LanguageModelModule<State = unknown> extends GeneratedModule {
  readonly task: 'language-model';
  initState(batch: number): State;
  /** Logits [B, T, V] and the state after the last step (for carry_state). */
  forward(x: tf.Tensor2D, state: State | null, training: boolean): { logits: tf.Tensor3D; state: State };
  decodeStep(tokens: tf.Tensor1D, state: State): { logProbs: tf.Tensor2D; state: State };
  disposeState(state: State): void;
  loss(batch: LmBatch, state: State | null, training: boolean): LossResult & { state: State };
  trainStep(batch: LmBatch, state: State | null, optimizer: tf.Optimizer, clipNorm: number | null): StepResult & { state: State };
}

export type AnyModule = Seq2SeqModule | LanguageModelModule;

/** What a generated file exports as default. */
export interface GeneratedModuleClass {
  new (config: ModuleConfig): AnyModule;
  readonly specName: string;
  readonly task: 'seq2seq' | 'language-model';
}
