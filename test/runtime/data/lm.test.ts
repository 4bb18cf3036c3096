import { describe, expect, it } from 'vitest';
import {
  buildLmData, lmBatchesRandom, lmBatchesSequential, lmCorpus, mulberry32, type LmBatchArrays,
} from '../../../src/runtime/data/index.js';
import { UserError } from '../../../src/errors.js';
import { dataSpec, stream } from './spec-helpers.js';

const charSpec = dataSpec({ format: 'text', source: undefined, target: undefined, preprocess: ['letters-only', 'lowercase'], tokens: stream({ tokenizer: 'char' }) });
const identity = Int32Array.from({ length: 35 }, (_, i) => i); // d2l's `my_seq = list(range(35))`

function rows(b: LmBatchArrays, which: 'x' | 'y'): number[][] {
  return Array.from({ length: b.batch }, (_, r) => [...b[which].subarray(r * b.steps, (r + 1) * b.steps)]);
}

describe('lmCorpus / buildLmData', () => {
  it('cleans each line like d2l and concatenates the lines\' tokens with nothing between', () => {
    const { vocab, corpus, lineLengths } = lmCorpus('The Time,\n\nby H. G.\n', charSpec);
    expect(vocab.decode(corpus).join('')).toBe('the timeby h g');
    expect([...lineLengths]).toEqual([8, 0, 6, 0]);
    expect(vocab.tokens.slice(4, 6)).toEqual([' ', 't']); // ' ' ×3, then t h e ×2 in order of first appearance
  });

  it('word tokens, limit in lines, and the held-out tail by lines', () => {
    const spec = { ...charSpec, preprocess: [], tokens: stream({ tokenizer: 'word' as const }) };
    const text = 'a b c\nd e\nf\ng h';
    expect(lmCorpus(text, { ...spec, limit: 2 }).corpus).toHaveLength(5);
    const d = buildLmData(text, { ...spec, valid_fraction: 0.5 });
    expect(d.vocab.decode(d.train)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(d.vocab.decode(d.valid)).toEqual(['f', 'g', 'h']);
  });

  it('refuses text without tokens and a spec without a tokens stream', () => {
    expect(() => lmCorpus('123 456', charSpec)).toThrow(UserError);
    expect(() => lmCorpus('abc', { ...charSpec, tokens: undefined })).toThrow(/data.tokens is missing/);
  });
});

describe('d2l minibatch iterators (range(35), batch 2, 5 steps)', () => {
  it('random: windows of the corpus, y = x shifted, offsets aligned, no window twice', () => {
    for (let seed = 0; seed < 20; seed++) {
      const batches = lmBatchesRandom(identity, 2, 5, seed);
      const starts: number[] = [];
      for (const b of batches) {
        for (const [r, x] of rows(b, 'x').entries()) {
          expect(x).toEqual([0, 1, 2, 3, 4].map((k) => x[0]! + k));
          expect(rows(b, 'y')[r]).toEqual(x.map((v) => v + 1));
          starts.push(x[0]!);
        }
      }
      const offset = Math.min(...starts) % 5;
      expect(starts.every((s) => s % 5 === offset)).toBe(true);
      expect(new Set(starts).size).toBe(starts.length);
      const subseqs = Math.floor((35 - offset - 1) / 5);
      expect(batches).toHaveLength(Math.floor(subseqs / 2));
    }
  });

  it('sequential: row r of batch k+1 continues row r of batch k', () => {
    const offsets = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const batches = lmBatchesSequential(identity, 2, 5, seed);
      const offset = batches[0]!.x[0]!;
      offsets.add(offset);
      const perRow = Math.floor((35 - offset - 1) / 2);
      expect(batches).toHaveLength(Math.floor(perRow / 5));
      batches.forEach((b, k) => {
        rows(b, 'x').forEach((x, r) => {
          expect(x).toEqual([0, 1, 2, 3, 4].map((i) => offset + r * perRow + k * 5 + i));
          expect(rows(b, 'y')[r]).toEqual(x.map((v) => v + 1));
        });
      });
    }
    expect(offsets.size).toBeGreaterThan(3); // the offset is drawn from 0..num_steps
    expect(Math.max(...offsets)).toBeLessThanOrEqual(5);
  });

  it('is deterministic from a seed and advances with a shared RandomSource', () => {
    const corpus = Int32Array.from({ length: 500 }, (_, i) => i);
    const flat = (bs: LmBatchArrays[]) => bs.flatMap((b) => [...b.x]);
    expect(flat(lmBatchesRandom(corpus, 4, 7, 11))).toEqual(flat(lmBatchesRandom(corpus, 4, 7, 11)));
    expect(flat(lmBatchesRandom(corpus, 4, 7, 11))).not.toEqual(flat(lmBatchesRandom(corpus, 4, 7, 12)));
    const rng = mulberry32(1);
    expect(flat(lmBatchesRandom(corpus, 4, 7, rng))).not.toEqual(flat(lmBatchesRandom(corpus, 4, 7, rng)));
  });

  it('a corpus too short for one batch is a UserError, whatever the offset', () => {
    expect(() => lmBatchesRandom(identity, 4, 10, 0)).toThrow(/35 tokens, too few for random batches/);
    expect(() => lmBatchesSequential(identity, 3, 10, 0)).toThrow(/too few for sequential/);
    // Exactly at the bound, every offset still yields a batch.
    const edge = Int32Array.from({ length: 3 * 10 + 10 + 1 }, (_, i) => i);
    for (let seed = 0; seed < 30; seed++) expect(lmBatchesSequential(edge, 3, 10, seed).length).toBeGreaterThan(0);
    const edgeR = Int32Array.from({ length: 3 * 10 + 10 }, (_, i) => i);
    for (let seed = 0; seed < 30; seed++) expect(lmBatchesRandom(edgeR, 3, 10, seed).length).toBeGreaterThan(0);
  });
});
