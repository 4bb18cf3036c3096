import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/diagnostics/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('dens', 'dense')).toBe(1);
    expect(editDistance('hidden', 'hiden')).toBe(1);
    expect(editDistance('gur', 'gru')).toBe(1); // transposition
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
  it('is symmetric', () => {
    for (const [a, b] of [['encoder', 'decoder'], ['lstm', 'gru'], ['state.top', 'stat']]) {
      expect(editDistance(a!, b!)).toBe(editDistance(b!, a!));
    }
  });
});

describe('closestMatch', () => {
  const cells = ['rnn', 'gru', 'lstm'];
  const ops = ['embedding', 'recurrent', 'dense', 'concat', 'repeat', 'dropout', 'attention'];
  it('suggests near misses', () => {
    expect(closestMatch('gur', cells)).toBe('gru');
    expect(closestMatch('lstn', cells)).toBe('lstm');
    expect(closestMatch('dens', ops)).toBe('dense');
    expect(closestMatch('recurent', ops)).toBe('recurrent');
    expect(closestMatch('GRU', cells)).toBe('gru');
    expect(closestMatch('encodr', ['src_emb', 'encoder', 'decoder'])).toBe('encoder');
  });
  it('suggests the only candidate a word is a prefix of', () => {
    expect(closestMatch('bidir', ['bidirectional', 'dropout', 'hidden'])).toBe('bidirectional');
    expect(closestMatch('emb', ['embedding', 'emit'])).toBe('embedding');
  });
  it('stays silent when nothing is close, or when the word is already a candidate', () => {
    expect(closestMatch('transformer', cells)).toBeUndefined();
    expect(closestMatch('xyz', ops)).toBeUndefined();
    expect(closestMatch('gru', cells)).toBeUndefined();
    expect(closestMatch('anything', [])).toBeUndefined();
  });
  it('accepts any iterable, once', () => {
    function* gen() { yield 'alpha'; yield 'beta'; }
    expect(closestMatch('betta', gen())).toBe('beta');
  });
});
