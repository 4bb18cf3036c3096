import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SPECIAL_TOKENS, Vocab } from '../../../src/runtime/text/index.js';
import { UserError } from '../../../src/errors.js';

describe('Vocab', () => {
  it('puts the specials first, then tokens by frequency with ties in order of first appearance', () => {
    const v = Vocab.build([['b', 'a', 'c'], ['a', 'd', 'c', 'a'], ['e']], 1);
    expect(v.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'c', 'b', 'd', 'e']);
    expect([v.pad, v.unk, v.bos, v.eos]).toEqual([0, 1, 2, 3]);
    expect(v.size).toBe(9);
  });

  it('drops tokens rarer than minFreq; they and unseen tokens encode as <unk>', () => {
    const v = Vocab.build([['x', 'y', 'x'], ['z', 'y', 'x']], 2);
    expect(v.tokens.slice(4)).toEqual(['x', 'y']);
    expect(v.encode(['x', 'z', 'never', 'y'])).toEqual([4, 1, 1, 5]);
    expect(v.id('z')).toBe(v.unk);
  });

  it('does not add specials found in the data twice', () => {
    const v = Vocab.build([['<eos>', 'a', '<unk>']], 1);
    expect(v.tokens).toEqual([...SPECIAL_TOKENS, 'a']);
    expect(v.encode(['<eos>'])).toEqual([3]);
  });

  it('decodes ids, mapping out-of-range ids to <unk>; decodeUntilEos stops at <eos>', () => {
    const v = Vocab.build([['hello', 'world']], 1);
    expect(v.decode([4, 5, 3, 99])).toEqual(['hello', 'world', '<eos>', '<unk>']);
    expect(v.decodeUntilEos([2, 4, 0, 5, 3, 4])).toEqual(['hello', 'world']);
  });

  it('round-trips through JSON', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.string({ maxLength: 3 }), { maxLength: 6 }), { maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (seqs, minFreq) => {
      const v = Vocab.build(seqs, minFreq);
      const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
      expect(back.tokens).toEqual(v.tokens);
      for (const seq of seqs) expect(back.encode(seq)).toEqual(v.encode(seq));
      // Every kept token is distinct and decodes to itself.
      for (let id = 0; id < v.size; id++) expect(v.id(v.tokens[id]!)).toBe(id);
    }));
  });

  it('rejects malformed JSON with a UserError naming where', () => {
    expect(() => Vocab.fromJSON({ tokens: ['a'] }, 'vocab.json')).toThrow(/vocab.json: token 0 must be <pad>/);
    expect(() => Vocab.fromJSON({ tokens: [...SPECIAL_TOKENS, 'a', 'a'] }, 'v')).toThrow(/"a" appears twice/);
    expect(() => Vocab.fromJSON({ tokens: [...SPECIAL_TOKENS, 3] }, 'v')).toThrow(UserError);
    expect(() => Vocab.fromJSON(null, 'v')).toThrow(/expected an object/);
    expect(() => Vocab.fromJSON([], 'v')).toThrow(/expected an object/);
  });
});
