/**
 * Seq2seq batches: which examples go together (`planBatches`, a pure function of the lengths, the
 * batching settings and a seeded random source — so an epoch's batches depend on nothing but
 * (data, seed, epoch), and skipping the first k of them resumes exactly), and the typed arrays of one
 * batch (`seq2seqBatch`; the trainer turns them into int32 tensors).
 *
 * - `batch_size` alone (the default): a seeded shuffle cut into groups of `batch_size`, each padded
 *   to the streams' `max_len` (d2l's DataLoader; the last batch may be smaller).
 * - `bucketing`: the shuffled examples sorted (stably) by target then source length, cut into
 *   batches, and the batches shuffled: rows of one batch have nearly equal lengths, so little padding.
 * - `batch_tokens: N`: batches filled in order while rows × longest row (source or target, `<eos>`
 *   included) stays within N — a budget in padded tokens instead of a row count.
 * With bucketing or a token budget, a batch is padded only to its own longest row.
 */
import { epochSeed, toRandomSource, shuffledIndices, shuffleInPlace, type RandomSource } from './rng.js';
import type { EncodedPairs } from './seq2seq.js';
import { writeRow } from './stream-rows.js';
import { UserError } from '../../errors.js';

/** Row-major int32 arrays; `<pad>` = 0 fills past each row's valid length. */
export interface Seq2seqBatchArrays {
  batch: number;
  srcT: number;
  tgtT: number;
  src: Int32Array;     // [batch·srcT]
  srcLen: Int32Array;  // [batch]
  tgtIn: Int32Array;   // [batch·tgtT]  <bos> + target[:-1]
  tgtOut: Int32Array;  // [batch·tgtT]  target (ends with <eos> unless truncated)
  tgtLen: Int32Array;  // [batch]
  /** Which examples of the split these rows are. */
  indices: Int32Array; // [batch]
}

/** How examples are grouped into batches. */
export interface BatchingOptions {
  /** Examples per batch (ignored when `batchTokens` is set). */
  batchSize: number;
  /** Padded tokens per batch: rows × the longest row of either stream. */
  batchTokens?: number | null;
  bucketing?: boolean;
  /** False: examples in order (evaluation). Default true. */
  shuffle?: boolean;
}

/** True when batches are padded to their own longest row rather than to `max_len`. */
export function trimsBatches(o: BatchingOptions): boolean {
  return o.bucketing === true || (o.batchTokens ?? null) !== null;
}

/**
 * Example indices per batch. `srcLen`/`tgtLen` are valid lengths (the split's); `rng` a seed or a
 * RandomSource. Every example appears in exactly one batch.
 */
export function planBatches(
  srcLen: Int32Array, tgtLen: Int32Array, o: BatchingOptions, rng: RandomSource | number,
): Int32Array[] {
  const count = srcLen.length;
  const tokens = o.batchTokens ?? null;
  if (tokens === null && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) {
    throw new UserError(`batch_size must be a positive integer, got ${o.batchSize}`);
  }
  if (tokens !== null && (!Number.isInteger(tokens) || tokens < 1)) throw new UserError(`batch_tokens must be a positive integer, got ${tokens}`);
  const random = toRandomSource(rng);
  const shuffle = o.shuffle ?? true;
  const order = shuffle ? shuffledIndices(count, random) : Int32Array.from({ length: count }, (_, i) => i);
  if (o.bucketing) {
    const sorted = Array.from(order).sort((a, b) => tgtLen[a]! - tgtLen[b]! || srcLen[a]! - srcLen[b]!);
    order.set(sorted);
  }
  const batches: Int32Array[] = [];
  if (tokens === null) {
    for (let start = 0; start < count; start += o.batchSize) batches.push(order.slice(start, Math.min(start + o.batchSize, count)));
  } else {
    let start = 0, longest = 0;
    for (let k = 0; k < count; k++) {
      const i = order[k]!;
      const width = Math.max(longest, srcLen[i]!, tgtLen[i]!);
      if (k > start && (k - start + 1) * width > tokens) {
        batches.push(order.slice(start, k));
        start = k;
        longest = Math.max(srcLen[i]!, tgtLen[i]!);
      } else {
        longest = width;
      }
      if (longest > tokens) {
        throw new UserError(`batch_tokens ${tokens} is smaller than example ${i}'s ${longest} tokens`,
          'raise train.batch_tokens to at least the longest max_len');
      }
    }
    if (start < count) batches.push(order.slice(start));
  }
  if (o.bucketing && shuffle) shuffleInPlace(batches, random);
  return batches;
}

/**
 * The batches of one training epoch (1-based) as example indices: `planBatches` seeded by
 * `epochSeed(seed, epoch)`. The one function both engines (and `prepare`) call, so they read the same
 * examples in the same order; a pure function of (lengths, options, seed, epoch).
 */
export function epochBatchPlan(
  data: Pick<EncodedPairs, 'srcLen' | 'tgtLen'>, o: BatchingOptions, seed: number, epoch: number,
): Int32Array[] {
  return planBatches(data.srcLen, data.tgtLen, { ...o, shuffle: true }, epochSeed(seed, epoch));
}

/**
 * The arrays of one batch: rows `indices` of `data`, padded to the streams' `max_len`, or with
 * `trim` to the batch's longest row. `bos` is `<bos>`'s id.
 */
export function seq2seqBatch(data: EncodedPairs, indices: Int32Array, trim: boolean, bos = 2): Seq2seqBatchArrays {
  const batch = indices.length;
  let srcT = data.srcT, tgtT = data.tgtT;
  if (trim) {
    srcT = 1;
    tgtT = 1;
    for (const i of indices) {
      srcT = Math.max(srcT, data.srcLen[i]!);
      tgtT = Math.max(tgtT, data.tgtLen[i]!);
    }
  }
  const b: Seq2seqBatchArrays = {
    batch, srcT, tgtT, indices,
    src: new Int32Array(batch * srcT), srcLen: new Int32Array(batch),
    tgtIn: new Int32Array(batch * tgtT), tgtOut: new Int32Array(batch * tgtT), tgtLen: new Int32Array(batch),
  };
  for (let r = 0; r < batch; r++) {
    const i = indices[r]!;
    b.srcLen[r] = writeRow(data.source, i, b.src, r * srcT, srcT);
    b.tgtLen[r] = writeRow(data.target, i, b.tgtOut, r * tgtT, tgtT);
    b.tgtIn[r * tgtT] = bos;
    b.tgtIn.set(b.tgtOut.subarray(r * tgtT, (r + 1) * tgtT - 1), r * tgtT + 1);
  }
  return b;
}

/** Positions of a batch that are padding, and all positions (source and target sides). */
export function batchPadding(b: Pick<Seq2seqBatchArrays, 'batch' | 'srcT' | 'tgtT' | 'srcLen' | 'tgtLen'>): { padded: number; total: number } {
  let valid = 0;
  for (let r = 0; r < b.batch; r++) valid += b.srcLen[r]! + b.tgtLen[r]!;
  const total = b.batch * (b.srcT + b.tgtT);
  return { padded: total - valid, total };
}

/**
 * d2l-style batches: `batchSize` examples each in a seeded order (`shuffle`), padded to `max_len`.
 * `rng` is a seed or a RandomSource (pass the same RandomSource across epochs for a new order each).
 */
export function seq2seqBatches(
  data: EncodedPairs, batchSize: number, rng: RandomSource | number, shuffle = true, bos = 2,
): Seq2seqBatchArrays[] {
  return planBatches(data.srcLen, data.tgtLen, { batchSize, shuffle }, rng).map((indices) => seq2seqBatch(data, indices, false, bos));
}
