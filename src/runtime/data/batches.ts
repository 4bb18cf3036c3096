/**
 * Teacher-forcing batches for seq2seq training, built once per epoch as typed arrays (the trainer
 * turns them into int32 tensors: `tf.tensor2d(b.src, [b.batch, b.srcT], 'int32')`).
 */
import { toRandomSource, shuffledIndices, type RandomSource } from './rng.js';
import type { EncodedPairs } from './seq2seq.js';
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

/**
 * Split `data` into batches of `batchSize` (the last one may be smaller, as d2l's DataLoader keeps
 * it). With `shuffle`, the order is a seeded permutation drawn from `rng` (a seed or a RandomSource;
 * pass the same RandomSource across epochs to get a new order each epoch). `bos` is `<bos>`'s id.
 */
export function seq2seqBatches(
  data: EncodedPairs, batchSize: number, rng: RandomSource | number, shuffle = true, bos = 2,
): Seq2seqBatchArrays[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`batch_size must be a positive integer, got ${batchSize}`);
  const order = shuffle ? shuffledIndices(data.count, toRandomSource(rng)) : Int32Array.from({ length: data.count }, (_, i) => i);
  const { srcT, tgtT } = data;
  const batches: Seq2seqBatchArrays[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = order.slice(start, Math.min(start + batchSize, data.count));
    const batch = indices.length;
    const b: Seq2seqBatchArrays = {
      batch, srcT, tgtT, indices,
      src: new Int32Array(batch * srcT), srcLen: new Int32Array(batch),
      tgtIn: new Int32Array(batch * tgtT), tgtOut: new Int32Array(batch * tgtT), tgtLen: new Int32Array(batch),
    };
    for (let r = 0; r < batch; r++) {
      const i = indices[r]!;
      b.src.set(data.src.subarray(i * srcT, (i + 1) * srcT), r * srcT);
      b.srcLen[r] = data.srcLen[i]!;
      const target = data.tgt.subarray(i * tgtT, (i + 1) * tgtT);
      b.tgtOut.set(target, r * tgtT);
      b.tgtIn[r * tgtT] = bos;
      b.tgtIn.set(target.subarray(0, tgtT - 1), r * tgtT + 1);
      b.tgtLen[r] = data.tgtLen[i]!;
    }
    batches.push(b);
  }
  return batches;
}
