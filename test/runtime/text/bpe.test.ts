/**
 * BPE (src/runtime/text/bpe.ts) against a reference: fixtures/bpe-reference.json, written by
 * fixtures/bpe_reference.py (two Python implementations of Sennrich's algorithm that agree), plus a
 * naive recount in TypeScript on random corpora, round trips, unseen words and the vocabulary file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BpeModel, Vocab, compareCodePoints, detokenize, joinSubwords, learnBpe, type BpeMerge,
} from '../../../src/runtime/text/index.js';
import { buildSeq2seqData, seq2seqBatch } from '../../../src/runtime/data/index.js';
import { dataSpec, stream } from '../data/spec-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.join(here, 'fixtures/bpe-reference.json'), 'utf8')) as {
  merges_asked: number; words: [string, number][]; merges: [string, string][]; segmentations: Record<string, string[]>;
};

/** The definition: recount every pair after every merge. */
function naiveBpe(words: [string, number][], merges: number): BpeMerge[] {
  let vocab = words.map(([w, c]) => {
    const s = Array.from(w);
    s[s.length - 1] += '</w>';
    return { s, c };
  });
  const out: BpeMerge[] = [];
  for (let m = 0; m < merges; m++) {
    const stats = new Map<string, { a: string; b: string; n: number }>();
    for (const { s, c } of vocab) {
      for (let i = 0; i + 1 < s.length; i++) {
        const key = `${s[i]}\u0000${s[i + 1]}`;
        const e = stats.get(key) ?? { a: s[i]!, b: s[i + 1]!, n: 0 };
        e.n += c;
        stats.set(key, e);
      }
    }
    let best: { a: string; b: string; n: number } | null = null;
    for (const e of stats.values()) {
      if (!best || e.n > best.n || (e.n === best.n && (compareCodePoints(e.a, best.a) || compareCodePoints(e.b, best.b)) > 0)) best = e;
    }
    if (!best || best.n < 2) break;
    out.push([best.a, best.b]);
    const { a, b } = best;
    vocab = vocab.map(({ s, c }) => {
      const t: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { t.push(a + b); i++; } else t.push(s[i]!);
      }
      return { s: t, c };
    });
  }
  return out;
}

describe('learnBpe', () => {
  it('learns the reference merges (fixtures/bpe_reference.py) exactly, in order', () => {
    const merges = learnBpe(ref.words, ref.merges_asked);
    expect(merges).toEqual(ref.merges);
  });

  it('equals a recount after every merge on random corpora (ties, repeats, astral characters)', () => {
    const alphabet = ['a', 'b', 'c', 'é', '中', '🙂'];
    const word = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 7 }).map((cs) => cs.join(''));
    fc.assert(fc.property(fc.array(fc.tuple(word, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 40 }),
      (pairs, merges) => {
        const counts = new Map<string, number>();
        for (const [w, c] of pairs) counts.set(w, (counts.get(w) ?? 0) + c);
        const words = [...counts];
        expect(learnBpe(words, merges)).toEqual(naiveBpe(words, merges));
      }), { numRuns: 300 });
  });

  it('stops when no pair occurs twice', () => {
    expect(learnBpe([['ab', 1]], 10)).toEqual([]);
    expect(learnBpe([['ab', 2], ['cd', 1]], 10)).toEqual([['a', 'b</w>']]);
  });

  it('orders strings by code point, as Python does (an astral character sorts above U+FFFF)', () => {
    expect(compareCodePoints('\uffff', '🙂')).toBeLessThan(0);
    expect('\uffff' < '🙂').toBe(false); // what plain JS comparison would say
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });
});

describe('BpeModel', () => {
  const model = new BpeModel(ref.merges);

  it('segments seen and unseen words as the reference apply_bpe does', () => {
    for (const [word, pieces] of Object.entries(ref.segmentations)) expect(model.pieces(word)).toEqual(pieces);
  });

  it('round trip: segment with @@ markers, join back to the same words', () => {
    const words = Object.keys(ref.segmentations);
    const subwords = words.flatMap((w) => model.segment(w));
    expect(subwords.some((t) => t.endsWith('@@'))).toBe(true);
    expect(joinSubwords(subwords)).toEqual(words);
    expect(detokenize(subwords, 'bpe')).toBe(words.join(' '));
  });

  it('splits a piece outside a vocabulary back along its merges, down to characters', () => {
    const m = new BpeModel([['l', 'o'], ['lo', 'w</w>']]);
    expect(m.segment('low')).toEqual(['low']);
    expect(m.segmentWithin('low', (p) => p !== 'low')).toEqual(['lo@@', 'w']);
    expect(m.segmentWithin('low', (p) => p.length === 1 || p === 'w')).toEqual(['l@@', 'o@@', 'w']);
  });

  it('is stored with its vocabulary in vocab.json and read back', () => {
    const v = Vocab.fromCounts(['low@@', 'est', 'lo@@', 'w'], [3, 2, 1, 1], 1, null, new BpeModel([['l', 'o'], ['lo', 'w'], ['e', 's'], ['es', 't</w>']]));
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(back.bpe?.merges).toEqual(v.bpe?.merges);
    expect(back.encodeWords(['lowest'])).toEqual(v.encodeWords(['lowest']));
    expect(() => Vocab.fromJSON({ tokens: v.tokens, bpe: { version: '0.2', merges: [['a']] } })).toThrow(/bpe merge/);
  });
});

describe('tokenizer: bpe in a data set', () => {
  const pairs = [
    { source: 'the lowest tower', target: 'la tour la plus basse' },
    { source: 'the newest tower', target: 'la tour la plus neuve' },
    { source: 'the lower towers', target: 'les tours plus basses' },
    { source: 'the widest towers', target: 'les tours les plus larges' },
    { source: 'unseen: the lowerest', target: 'inconnu' }, // held out
  ];
  const spec = dataSpec({
    valid_fraction: 0.2,
    source: stream({ tokenizer: 'bpe', merges: 30, min_freq: 1 }), target: stream({ tokenizer: 'bpe', merges: 30, min_freq: 1 }),
  });

  it('learns on the training split only, and an unseen word becomes known subwords, not <unk>', () => {
    const d = buildSeq2seqData(pairs, spec);
    expect(d.srcVocab.bpe).not.toBeNull();
    const merged = d.srcVocab.bpe!.merges.map(([a, b]) => a + b);
    expect(merged.some((m) => m.includes('unseen'))).toBe(false); // the held-out pair taught nothing
    const ids = d.srcVocab.encodeWords(['lowerest']);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids).not.toContain(d.srcVocab.unk);
    expect(d.srcVocab.decodeWords([...ids, d.srcVocab.eos])).toEqual(['lowerest']);
  });

  it('encodes the rows as subword ids (the row length counts subwords) and decodes them to words', () => {
    const d = buildSeq2seqData(pairs, spec);
    const b = seq2seqBatch(d.train, Int32Array.of(0), true);
    const words = d.tgtVocab.decodeWords(b.tgtOut);
    expect(words).toEqual(['la', 'tour', 'la', 'plus', 'basse']);
    expect(d.train.tgtLen[0]).toBe(d.tgtVocab.encodeWords(words).length + 1);
  });

  it('one model for both streams with shared_bpe', () => {
    const d = buildSeq2seqData(pairs, { ...spec, shared_bpe: true });
    expect(d.srcVocab.bpe!.merges).toEqual(d.tgtVocab.bpe!.merges);
    expect(d.tgtVocab.tokens).not.toEqual(d.srcVocab.tokens); // vocabularies stay per stream
  });
});
