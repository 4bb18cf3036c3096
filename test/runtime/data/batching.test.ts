/**
 * Batch planning (runtime/data/batches.ts): every example once per epoch, a pure function of
 * (lengths, options, seed, epoch) — so skipping the first k batches of an epoch resumes exactly —
 * bucketing's low padding, token budgets, and batches padded to their own longest row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchPadding, buildSeq2seqData, builtinPairs, epochBatchPlan, planBatches, seq2seqBatch, seq2seqBatches,
} from '../../../src/runtime/data/index.js';
import { dataSpec, stream } from './spec-helpers.js';

const data = buildSeq2seqData(builtinPairs(1, 500), dataSpec({ source: stream({ max_len: 12 }), target: stream({ max_len: 12 }) })).train;
const sorted = (plan: Int32Array[]) => plan.flatMap((b) => [...b]).sort((a, b) => a - b);
const all = Array.from({ length: data.count }, (_, i) => i);

function padding(plan: Int32Array[], trim: boolean): number {
  let padded = 0, total = 0;
  for (const rows of plan) {
    const p = batchPadding(seq2seqBatch(data, rows, trim));
    padded += p.padded;
    total += p.total;
  }
  return padded / total;
}

describe('planBatches', () => {
  it('covers every example exactly once, whatever the options', () => {
    for (const o of [{ batchSize: 64 }, { batchSize: 7, bucketing: true }, { batchSize: 64, batchTokens: 200 }, { batchSize: 1, batchTokens: 97, bucketing: true }]) {
      expect(sorted(planBatches(data.srcLen, data.tgtLen, o, 3))).toEqual(all);
    }
  });

  it('without bucketing or a budget, gives the d2l batches seq2seqBatches always gave', () => {
    const plan = planBatches(data.srcLen, data.tgtLen, { batchSize: 64 }, 42);
    expect(seq2seqBatches(data, 64, 42).map((b) => [...b.indices])).toEqual(plan.map((b) => [...b]));
  });

  it('an epoch is a pure function of (data, options, seed, epoch): the same batches again, others for other epochs', () => {
    const o = { batchSize: 32, bucketing: true };
    const first = epochBatchPlan(data, o, 5, 3);
    expect(epochBatchPlan(data, o, 5, 3)).toEqual(first);
    expect(epochBatchPlan(data, o, 5, 4)).not.toEqual(first);
    expect(epochBatchPlan(data, o, 6, 3)).not.toEqual(first);
    // Resuming after k batches reads the rest of the same plan.
    const k = 4;
    expect(epochBatchPlan(data, o, 5, 3).slice(k)).toEqual(first.slice(k));
  });

  it('bucketing groups similar lengths: far less padding than shuffled batches padded to their longest row', () => {
    const shuffled = padding(planBatches(data.srcLen, data.tgtLen, { batchSize: 32 }, 1), true);
    const bucketed = padding(planBatches(data.srcLen, data.tgtLen, { batchSize: 32, bucketing: true }, 1), true);
    expect(bucketed).toBeLessThan(shuffled / 3);
    expect(bucketed).toBeLessThan(0.1);
  });

  it('a token budget bounds rows × longest row of every batch', () => {
    fc.assert(fc.property(fc.integer({ min: 12, max: 600 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), (budget, bucketing, seed) => {
      const plan = planBatches(data.srcLen, data.tgtLen, { batchSize: 64, batchTokens: budget, bucketing }, seed);
      expect(sorted(plan)).toEqual(all);
      for (const rows of plan) {
        const b = seq2seqBatch(data, rows, true);
        expect(b.batch * Math.max(b.srcT, b.tgtT)).toBeLessThanOrEqual(budget);
      }
    }), { numRuns: 40 });
  });

  it('refuses a budget smaller than one example', () => {
    expect(() => planBatches(data.srcLen, data.tgtLen, { batchSize: 64, batchTokens: 2 }, 0)).toThrow(/batch_tokens 2 is smaller than example/);
  });
});

describe('seq2seqBatch', () => {
  it('pads to max_len, or with trim to the batch\'s longest row; the valid part is the same', () => {
    const rows = Int32Array.of(3, 1, 4);
    const full = seq2seqBatch(data, rows, false), trimmed = seq2seqBatch(data, rows, true);
    expect([full.srcT, full.tgtT]).toEqual([12, 12]);
    expect(trimmed.srcT).toBe(Math.max(...[...rows].map((i) => data.srcLen[i]!)));
    expect(trimmed.tgtT).toBe(Math.max(...[...rows].map((i) => data.tgtLen[i]!)));
    for (let r = 0; r < 3; r++) {
      expect([...trimmed.src.subarray(r * trimmed.srcT, r * trimmed.srcT + trimmed.srcLen[r]!)])
        .toEqual([...full.src.subarray(r * 12, r * 12 + full.srcLen[r]!)]);
      expect([...trimmed.tgtIn.subarray(r * trimmed.tgtT, (r + 1) * trimmed.tgtT)]).toEqual([...full.tgtIn.subarray(r * 12, r * 12 + trimmed.tgtT)]);
    }
  });
});

describe('data.max_vocab', () => {
  it('keeps the most frequent tokens, specials included in the count; the rest read as <unk>', () => {
    const pairs = [{ source: 'a a a b b c', target: 'x' }, { source: 'a b d', target: 'y' }];
    const d = buildSeq2seqData(pairs, dataSpec({ max_vocab: 6, source: stream({ min_freq: 1 }), target: stream({ min_freq: 1 }) }));
    expect(d.srcVocab.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b']);
    const b = seq2seqBatch(d.train, Int32Array.of(1), true);
    expect([...b.src]).toEqual([4, 5, 1, 3]); // a b <unk> <eos>
    expect(() => buildSeq2seqData(pairs, dataSpec({ max_vocab: 4 }))).toThrow(/max_vocab must be an integer ≥ 5/);
  });
});
