/**
 * Tiny `SearchModel`s with real tensors for the search tests.
 *  - `createRandomRnnModel`: a seeded random recurrent "decoder" over a small vocabulary
 *    (h' = tanh(h·W + E[token] + memory), logProbs = logSoftmax(h'·U + b)), whose state also carries
 *    a per-sentence `memory` through every step, as an attention decoder carries encoder outputs.
 *    `<pad>` and `<bos>` get a large bias, so a search that failed to exclude them would pick them.
 *  - `createTableModel`: log-probabilities looked up by position (the state counts steps), for
 *    hand-computed cases.
 * Both record every `step` call's row count.
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchModel } from '../../../src/runtime/search/index.js';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

/** mulberry32: a tiny seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMatrix(rand: () => number, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rand() * 2 - 1) * scale));
}

export interface RnnState { h: tf.Tensor2D; memory: tf.Tensor2D }

export interface RecordingModel<S> extends SearchModel<S> {
  /** Rows (N) of each `step` call, in order. */
  stepRows: number[];
  /** Frees the model's weights. */
  free(): void;
}

export interface RandomRnnModel extends RecordingModel<RnnState> {
  /** The initial state of sentences `ids` (one row each; a sentence's row depends only on its id). */
  init(ids: readonly number[]): RnnState;
}

export function createRandomRnnModel(seed: number, vocab = 6, hidden = 5): RandomRnnModel {
  const rand = seededRandom(seed);
  const bias = Array.from({ length: vocab }, () => rand() * 2 - 1);
  bias[PAD] = 6;
  bias[BOS] = 6;
  const E = tf.tensor2d(randomMatrix(rand, vocab, hidden, 1));
  const W = tf.tensor2d(randomMatrix(rand, hidden, hidden, 1));
  const U = tf.tensor2d(randomMatrix(rand, hidden, vocab, 2));
  const b = tf.tensor1d(bias);
  const stepRows: number[] = [];
  return {
    stepRows,
    init(ids) {
      const h = ids.map((id) => randomMatrix(seededRandom(seed * 7919 + id), 2, hidden, 1));
      return {
        h: tf.tensor2d(h.map((m) => m[0]!)),
        memory: tf.tensor2d(h.map((m) => m[1]!)),
      };
    },
    step(tokens, state) {
      stepRows.push(tokens.shape[0]);
      return tf.tidy(() => {
        const x = tf.gather(E, tokens);
        const h = tf.tanh(tf.add(tf.add(tf.matMul(state.h, W), x), state.memory)) as tf.Tensor2D;
        const logProbs = tf.logSoftmax(tf.add(tf.matMul(h, U), b)) as tf.Tensor2D;
        return { logProbs, state: { h, memory: tf.clone(state.memory) } };
      });
    },
    select(state, rows) {
      return { h: tf.gather(state.h, rows), memory: tf.gather(state.memory, rows) };
    },
    dispose(state) {
      state.h.dispose();
      state.memory.dispose();
    },
    free() {
      tf.dispose([E, W, U, b]);
    },
  };
}

/** State of the table model: the number of tokens generated so far, per row. */
export interface TableState { position: tf.Tensor1D }

/**
 * `probabilities[t]` is the distribution of the (t+1)-th token over the vocabulary, the same for
 * every prefix of length t (0 → log 0 = -Infinity: an impossible token).
 */
export function createTableModel(probabilities: number[][]): RecordingModel<TableState> {
  const table = tf.tensor2d(probabilities.map((row) => row.map((p) => Math.log(p))));
  const last = probabilities.length - 1;
  const stepRows: number[] = [];
  return {
    stepRows,
    step(tokens, state) {
      stepRows.push(tokens.shape[0]);
      return tf.tidy(() => ({
        logProbs: tf.gather(table, tf.minimum(state.position, tf.scalar(last, 'int32'))) as tf.Tensor2D,
        state: { position: tf.add(state.position, tf.scalar(1, 'int32')) as tf.Tensor1D },
      }));
    },
    select(state, rows) {
      return { position: tf.gather(state.position, rows) };
    },
    dispose(state) {
      state.position.dispose();
    },
    free() {
      table.dispose();
    },
  };
}

export function tableInit(batch: number): TableState {
  return { position: tf.zeros([batch], 'int32') as tf.Tensor1D };
}

export function disposeRnnState(state: RnnState): void {
  state.h.dispose();
  state.memory.dispose();
}
