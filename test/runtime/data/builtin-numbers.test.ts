import { describe, expect, it } from 'vitest';
import {
  builtinPairs, builtinText, numberToEnglish, numberToFrench, BUILTIN_PAIR_COUNT,
} from '../../../src/runtime/data/index.js';
import { tokenize, Vocab } from '../../../src/runtime/text/index.js';

describe('numbers in words', () => {
  it('English, American style without "and"', () => {
    expect(numberToEnglish(0)).toBe('zero');
    expect(numberToEnglish(13)).toBe('thirteen');
    expect(numberToEnglish(40)).toBe('forty');
    expect(numberToEnglish(342)).toBe('three hundred forty-two');
    expect(numberToEnglish(1001)).toBe('one thousand one');
    expect(numberToEnglish(9999)).toBe('nine thousand nine hundred ninety-nine');
  });

  it('French, traditional spelling: et un, soixante-dix, quatre-vingts, cents', () => {
    const cases: Record<number, string> = {
      0: 'zéro', 1: 'un', 16: 'seize', 17: 'dix-sept', 20: 'vingt', 21: 'vingt et un', 22: 'vingt-deux',
      31: 'trente et un', 41: 'quarante et un', 51: 'cinquante et un', 61: 'soixante et un',
      70: 'soixante-dix', 71: 'soixante et onze', 72: 'soixante-douze', 77: 'soixante-dix-sept', 79: 'soixante-dix-neuf',
      80: 'quatre-vingts', 81: 'quatre-vingt-un', 88: 'quatre-vingt-huit', 90: 'quatre-vingt-dix',
      91: 'quatre-vingt-onze', 99: 'quatre-vingt-dix-neuf',
      100: 'cent', 101: 'cent un', 180: 'cent quatre-vingts', 200: 'deux cents', 201: 'deux cent un',
      280: 'deux cent quatre-vingts', 342: 'trois cent quarante-deux', 971: 'neuf cent soixante et onze',
      1000: 'mille', 1001: 'mille un', 1100: 'mille cent', 2000: 'deux mille', 2200: 'deux mille deux cents',
      3080: 'trois mille quatre-vingts', 9999: 'neuf mille neuf cent quatre-vingt-dix-neuf',
    };
    for (const [n, words] of Object.entries(cases)) expect(numberToFrench(Number(n))).toBe(words);
  });

  it('refuses numbers out of range', () => {
    expect(() => numberToFrench(10000)).toThrow(/0–9999/);
    expect(() => numberToEnglish(-1)).toThrow(/0–9999/);
    expect(() => numberToEnglish(1.5)).toThrow(/0–9999/);
  });

  it('every number has a distinct spelling on each side (the mapping is a bijection)', () => {
    const en = new Set<string>();
    const fr = new Set<string>();
    for (let n = 0; n <= 9999; n++) { en.add(numberToEnglish(n)); fr.add(numberToFrench(n)); }
    expect(en.size).toBe(10000);
    expect(fr.size).toBe(10000);
  });
});

describe('built-in task', () => {
  it('is deterministic from the seed, distinct pairs, different seeds differ', () => {
    const a = builtinPairs(7, 500);
    expect(builtinPairs(7, 500)).toEqual(a);
    expect(builtinPairs(8, 500)).not.toEqual(a);
    expect(new Set(a.map((p) => p.source)).size).toBe(500);
    expect(builtinPairs().length).toBe(BUILTIN_PAIR_COUNT);
  });

  it('writes hyphens as spaces (one token per number word) unless asked to keep them', () => {
    const n = builtinPairs(5, 10000).findIndex((p) => p.source.endsWith('forty two'));
    const pairs = builtinPairs(5, n + 1);
    expect(pairs[n]!.target.endsWith('quarante deux')).toBe(true);
    const kept = builtinPairs(5, n + 1, { keepHyphens: true });
    expect(kept[n]!.source.endsWith('forty-two')).toBe(true);
    expect(kept[n]!.target.endsWith('quarante-deux')).toBe(true);
    expect(kept.map((p) => p.source.replace(/-/g, ' '))).toEqual(pairs.map((p) => p.source));
  });

  it('has short sequences and small vocabularies', () => {
    const pairs = builtinPairs();
    const src = pairs.map((p) => tokenize(p.source, 'word'));
    const tgt = pairs.map((p) => tokenize(p.target, 'word'));
    expect(Math.max(...src.map((s) => s.length))).toBe(6); // seven thousand seven hundred seventy seven
    expect(Math.max(...tgt.map((s) => s.length))).toBe(8); // neuf mille neuf cent quatre vingt dix neuf
    // zero, one..nineteen, eight tens, hundred, thousand
    expect(Vocab.build(src, 1).size).toBe(4 + 1 + 19 + 8 + 2);
    // zéro, un..seize, vingt trente quarante cinquante soixante, vingts, et, cent, cents, mille
    expect(Vocab.build(tgt, 1).size).toBe(4 + 1 + 16 + 5 + 5);
  });

  it('built-in text counts up in English number words, deterministically', () => {
    const text = builtinText(3, 50, { keepHyphens: true });
    expect(builtinText(3, 50, { keepHyphens: true })).toBe(text);
    expect(builtinText(3, 50)).toBe(text.replace(/-/g, ' '));
    const lines = text.split('\n');
    expect(lines).toHaveLength(50);
    const names = Array.from({ length: 10000 }, (_, n) => numberToEnglish(n));
    for (const line of lines) {
      // Some run of 4–8 consecutive numbers, written out, must be exactly the line.
      const runs: string[] = [];
      for (let start = 0; start < names.length; start++) {
        if (!line.startsWith(names[start]!)) continue;
        for (let len = 4; len <= 8 && start + len <= names.length; len++) runs.push(names.slice(start, start + len).join(' '));
      }
      expect(runs).toContain(line);
    }
  });
});
