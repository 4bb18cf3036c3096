/**
 * BLEU against reference values: corpus BLEU against sacreBLEU 2.6 (tokenize='none', default 'exp'
 * smoothing) and d2l BLEU against the seed's Python function, both produced by bleu_reference.py into
 * fixtures/bleu-reference.json; plus the seed's two documented examples and hand-computed cases.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { corpusBleu, d2lBleu, d2lBleuParts, perplexity, whitespaceTokens } from '../../../src/runtime/metrics/index.js';

interface CorpusCase {
  name: string; hyps: string[]; refs: string[]; maxN: number;
  bleu: number; precisions: number[]; bp: number; sys_len: number; ref_len: number; counts: number[]; totals: number[];
}
interface D2lCase { hyp: string; ref: string; k: number; score: number }

const here = path.dirname(fileURLToPath(import.meta.url));
const reference = JSON.parse(readFileSync(path.join(here, 'fixtures/bleu-reference.json'), 'utf8')) as {
  corpus: CorpusCase[]; d2l: D2lCase[];
};

describe('corpusBleu matches sacreBLEU (tokenize=none, smooth=exp)', () => {
  it.each(reference.corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = corpusBleu(c.hyps.map(whitespaceTokens), c.refs.map(whitespaceTokens), c.maxN);
    expect(out.bleu).toBeCloseTo(c.bleu, 9);
    expect(out.precisions).toHaveLength(c.maxN);
    out.precisions.forEach((p, i) => expect(p).toBeCloseTo(c.precisions[i]!, 9));
    expect(out.bp).toBeCloseTo(c.bp, 12);
    expect(out.sysLen).toBe(c.sys_len);
    expect(out.refLen).toBe(c.ref_len);
    expect(out.counts).toEqual(c.counts);
    expect(out.totals).toEqual(c.totals);
  });

  it('computes a small case by hand', () => {
    // hyp "the cat sat on a mat" vs ref "the cat sat on the mat": matches 5/6, 3/5, 2/4, 1/3; equal
    // lengths → bp 1; BLEU = 100 · (5/6 · 3/5 · 2/4 · 1/3)^(1/4) = 100 · (1/12)^(1/4).
    const out = corpusBleu([whitespaceTokens('the cat sat on a mat')], [whitespaceTokens('the cat sat on the mat')]);
    expect(out.bleu).toBeCloseTo(100 * Math.pow(1 / 12, 0.25), 10);
    expect(out.bp).toBe(1);
    // One order without a match: 'exp' smoothing gives it 100 / (2 · total).
    const smoothed = corpusBleu([whitespaceTokens('a b c x d')], [whitespaceTokens('a b c y d')]);
    // 1-grams 4/5, 2-grams 2/4, 3-grams 1/3, 4-grams 0/2 → 100/(2·2) = 25.
    expect(smoothed.precisions).toEqual([80, 50, 100 / 3, 25]);
    expect(smoothed.bleu).toBeCloseTo(Math.exp((Math.log(80) + Math.log(50) + Math.log(100 / 3) + Math.log(25)) / 4), 10);
  });

  it('rejects mismatched inputs', () => {
    expect(() => corpusBleu([['a']], [])).toThrow(UserError);
    expect(() => corpusBleu([['a']], [['a']], 0)).toThrow(/order must be an integer ≥ 1/);
  });

  it('scores an empty corpus 0', () => {
    expect(corpusBleu([], []).bleu).toBe(0);
  });
});

describe("d2lBleu matches the seed's bleu()", () => {
  it("keeps the seed's documented examples", () => {
    expect(d2lBleu('il est riche .', 'il est calme .', 2)).toBeCloseTo(0.658, 3);
    expect(d2lBleu('je suis en retard ?', 'je suis chez moi .', 2)).toBeCloseTo(0.447, 3);
  });

  it.each(reference.d2l.map((c) => [c.hyp, c.ref, c.k, c] as const))('%s | %s (k=%s)', (_h, _r, _k, c) => {
    expect(d2lBleu(c.hyp, c.ref, c.k)).toBeCloseTo(c.score, 12);
  });

  it('reports its parts and skips orders above the hypothesis length', () => {
    const parts = d2lBleuParts('chez', 'je suis chez moi .', 3);
    expect(parts.precisions).toEqual([1]);
    expect(parts.bp).toBeCloseTo(Math.exp(1 - 5), 12);
    expect(parts.score).toBeCloseTo(Math.exp(-4), 12);
  });

  it('scores an empty hypothesis 0 (1 against an empty reference)', () => {
    expect(d2lBleu('', 'a b', 2)).toBe(0);
    expect(d2lBleu('  ', '', 2)).toBe(1);
  });
});

describe('perplexity', () => {
  it('is exp of the mean loss', () => {
    expect(perplexity(0)).toBe(1);
    expect(perplexity(Math.log(42))).toBeCloseTo(42, 10);
  });
});
