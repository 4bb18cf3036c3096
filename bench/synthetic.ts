/**
 * Synthetic teacher-forcing batches for the throughput comparison: random token ids (never the
 * specials 0–3 inside a sentence) and random valid lengths, laid out as the data layer lays out real
 * batches (row-major int32, `<pad>` = 0 past each length, `<eos>` = 3 last, tgtIn = `<bos>` + tgt[:-1]).
 * Both sides of a comparison train on the very same arrays.
 */
import type { HostSeq2SeqBatch } from '../src/train/batch-tensors.js';
import { mulberry32, randomInt } from '../src/runtime/data/rng.js';

export interface BenchSize {
  name: 'small' | 'large';
  batch: number;
  /** Source and target steps. */
  steps: number;
  embed: number;
  hidden: number;
  layers: number;
  vocab: number;
  dropout: number;
}

/** The d2l size and the larger one of the issue. */
export const SIZES: Record<'small' | 'large', BenchSize> = {
  small: { name: 'small', batch: 64, steps: 10, embed: 32, hidden: 32, layers: 2, vocab: 200, dropout: 0.1 },
  large: { name: 'large', batch: 64, steps: 35, embed: 256, hidden: 256, layers: 2, vocab: 1000, dropout: 0.1 },
};

const PAD = 0, BOS = 2, EOS = 3, FIRST_WORD = 4;

/** `count` batches of `size`; lengths uniform in [⌈T/3⌉, T] (every row has at least one token). */
export function syntheticBatches(size: BenchSize, count: number, seed: number): HostSeq2SeqBatch[] {
  const rng = mulberry32(seed);
  const { batch: B, steps: T, vocab: V } = size;
  const out: HostSeq2SeqBatch[] = [];
  for (let n = 0; n < count; n++) {
    const b: HostSeq2SeqBatch = {
      batch: B, srcT: T, tgtT: T,
      src: new Int32Array(B * T), srcLen: new Int32Array(B),
      tgtIn: new Int32Array(B * T), tgtOut: new Int32Array(B * T), tgtLen: new Int32Array(B),
    };
    for (let r = 0; r < B; r++) {
      const srcLen = randomInt(rng, Math.ceil(T / 3), T);
      const tgtLen = randomInt(rng, Math.ceil(T / 3), T);
      b.srcLen[r] = srcLen;
      b.tgtLen[r] = tgtLen;
      for (let t = 0; t < T; t++) {
        b.src[r * T + t] = t < srcLen - 1 ? randomInt(rng, FIRST_WORD, V - 1) : t === srcLen - 1 ? EOS : PAD;
        b.tgtOut[r * T + t] = t < tgtLen - 1 ? randomInt(rng, FIRST_WORD, V - 1) : t === tgtLen - 1 ? EOS : PAD;
      }
      b.tgtIn[r * T] = BOS;
      for (let t = 1; t < T; t++) b.tgtIn[r * T + t] = b.tgtOut[r * T + t - 1]!;
    }
    out.push(b);
  }
  return out;
}

/** Target tokens that count toward the loss in a batch. */
export function targetTokens(b: HostSeq2SeqBatch): number {
  let n = 0;
  for (const len of b.tgtLen) n += len;
  return n;
}
