/**
 * What the searches need from a model, and their options. The searches are model-agnostic: a generated
 * seq2seq module adapts `decodeStep`/`selectState`/`disposeState` to a `SearchModel`, a test can hand
 * in a random transition table.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DecodeStepOptions, DecodeStepResult, SearchOptions } from '../module.js';

/**
 * One batched decoder step over N rows (N = live sentences × live hypotheses), plus row selection.
 *
 * Ownership: the search never disposes the caller's `init` state (the caller does that after the
 * search returns), but it disposes, with `dispose`, every state that `step` or `select` returned once
 * it has been replaced. So a state returned by `step`/`select` must not alias tensors of the state it
 * was computed from: return `tf.clone(t)` for a tensor carried through unchanged (e.g. encoder
 * outputs kept for attention), or gather it (what `select` does anyway).
 */
export interface SearchModel<S> {
  /**
   * tokens: int32 [N] → log-probabilities [N, V] (log-softmax) and the state after this step; with
   * `{ attention: true }` also the step's attention weights [N, T_src] (the search disposes them).
   */
  step(tokens: tf.Tensor1D, state: S, opts?: DecodeStepOptions): DecodeStepResult<S>;
  /** A new state whose row i is row `rows[i]` of `state` (rows: int32 [N'], repeats allowed). */
  select(state: S, rows: tf.Tensor1D): S;
  /** Free every tensor of a state. */
  dispose(state: S): void;
}

/** Options shared by all searches: the `SearchOptions` of module.ts plus the number of sentences. */
export type BatchSearchOptions = SearchOptions & {
  /** Sentences in `init` (its rows); results come back in this order. */
  batch: number;
  /**
   * Valid source length of each sentence ([batch]; a tensor or numbers): with `attention`, each
   * hypothesis' attention rows keep that many source positions. Without it they keep all T_src.
   */
  sourceLengths?: tf.Tensor1D | ArrayLike<number>;
};

export type GreedySearchOptions = BatchSearchOptions;

export type BeamSearchOptions = BatchSearchOptions & {
  /** Live hypotheses kept per sentence (k). */
  beamSize: number;
};

export type ExhaustiveSearchOptions = BatchSearchOptions;

/**
 * Default refusal bound of `exhaustiveSearch`: the number of sequences per sentence
 * (Σ_{t<maxLen} G^t + G^maxLen for G non-special, non-`<eos>` tokens).
 */
export const DEFAULT_MAX_CANDIDATES = 100_000;

/** The decoder-side methods of a generated seq2seq module, as a search needs them. */
export interface DecoderMethods<S> {
  decodeStep(tokens: tf.Tensor1D, state: S, opts?: DecodeStepOptions): DecodeStepResult<S>;
  selectState(state: S, rows: tf.Tensor1D): S;
  disposeState(state: S): void;
}

/** Adapts a module's `decodeStep`/`selectState`/`disposeState` (see the ownership rule above). */
export function searchModelOf<S>(module: DecoderMethods<S>): SearchModel<S> {
  return {
    step: (tokens, state, opts) => module.decodeStep(tokens, state, opts),
    select: (state, rows) => module.selectState(state, rows),
    dispose: (state) => module.disposeState(state),
  };
}
