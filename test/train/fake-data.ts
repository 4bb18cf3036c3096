/**
 * Tiny deterministic training data for the fakes: a learnable seq2seq task (the target repeats the
 * source's first token then ends) and a cyclic language-model stream.
 */
import type { HostLmBatch, HostSeq2SeqBatch } from '../../src/train/batch-tensors.js';
import type { EpochData } from '../../src/train/trainer.js';
import { mulberry32 } from './fakes.js';

export const PAD = 0, BOS = 2, EOS = 3;

/** Pairs over ids 4..V-1: src random length 2..5, target = [src[0], src[0], <eos>]. */
export function makePairs(n: number, V: number, seed: number): { src: number[]; tgt: number[] }[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const len = 2 + Math.floor(rng() * 4);
    const src = Array.from({ length: len }, () => 4 + Math.floor(rng() * (V - 4)));
    return { src, tgt: [src[0]!, src[0]!, EOS] };
  });
}

export function pairBatch(pairs: { src: number[]; tgt: number[] }[]): HostSeq2SeqBatch {
  const B = pairs.length;
  const srcT = Math.max(...pairs.map((p) => p.src.length));
  const tgtT = Math.max(...pairs.map((p) => p.tgt.length));
  const b: HostSeq2SeqBatch = {
    src: new Int32Array(B * srcT), srcLen: new Int32Array(B), tgtIn: new Int32Array(B * tgtT),
    tgtOut: new Int32Array(B * tgtT), tgtLen: new Int32Array(B), batch: B, srcT, tgtT,
  };
  pairs.forEach((p, i) => {
    b.src.set(p.src, i * srcT);
    b.srcLen[i] = p.src.length;
    b.tgtOut.set(p.tgt, i * tgtT);
    b.tgtIn.set([BOS, ...p.tgt.slice(0, -1)], i * tgtT);
    b.tgtLen[i] = p.tgt.length;
  });
  return b;
}

/** Shuffled per epoch from (seed, epoch) so epoch k's batches never depend on earlier epochs. */
export function seq2seqEpochData(pairs: { src: number[]; tgt: number[] }[], batchSize: number, seed: number): EpochData {
  return {
    batchesPerEpoch: Math.ceil(pairs.length / batchSize),
    *batches(epoch: number) {
      const rng = mulberry32(seed * 1000 + epoch);
      const order = pairs.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let s = 0; s < order.length; s += batchSize) {
        yield pairBatch(order.slice(s, s + batchSize).map((i) => pairs[i]!));
      }
    },
  };
}

/** A cyclic stream 4,5,...,V-1,4,5,... cut into sequential [B, T] windows. */
export function lmEpochData(V: number, B: number, T: number, batches: number): EpochData {
  return {
    batchesPerEpoch: batches,
    *batches() {
      const cyc = (i: number) => 4 + (i % (V - 4));
      for (let k = 0; k < batches; k++) {
        const x = new Int32Array(B * T), y = new Int32Array(B * T);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < T; t++) {
            const pos = b * 1000 + k * T + t;
            x[b * T + t] = cyc(pos);
            y[b * T + t] = cyc(pos + 1);
          }
        }
        yield { x, y, batch: B, steps: T } satisfies HostLmBatch;
      }
    },
  };
}
