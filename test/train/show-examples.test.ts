/**
 * `train --show`: which sentences are shown, how each is marked, and the exact-match count, with a
 * stub module whose "translation" copies the source (so exactly the pairs with target = source are right).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/runtime/backend/index.js';
import { Vocab } from '../../src/runtime/text/vocab.js';
import type { Hypothesis, Seq2SeqModule, SearchOptions } from '../../src/runtime/module.js';
import { describeTranslations, spreadIndices, type Seq2SeqShowcase } from '../../src/train/show-examples.js';
import { encodeTokenPairs } from '../../src/runtime/data/seq2seq.js';

beforeAll(async () => { await useBackend('cpu'); });

/** Copies each source row up to its length, then <eos>. */
const copier = {
  config: { vocab: { source: 7, target: 7 }, seed: 0 },
  greedy(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    const ids = src.arraySync();
    const lens = srcLen.arraySync();
    return ids.map((row, i) => {
      const body = row.slice(0, lens[i]!).filter((t) => t !== opts.eos);
      return [{ tokens: [...body, opts.eos], logp: 0, score: 0 }];
    });
  },
} as unknown as Seq2SeqModule;

describe('spreadIndices', () => {
  it('spreads count indices evenly, or takes all', () => {
    expect(spreadIndices(10, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(spreadIndices(3, 5)).toEqual([0, 1, 2]);
    expect(spreadIndices(7, 0)).toEqual([]);
  });
});

describe('describeTranslations', () => {
  const words = ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c'];
  const vocab = new Vocab(words);
  const stream = { tokenizer: 'word' as const, min_freq: 1, max_len: 5 };
  const streams = { source: stream, target: stream };
  const vocabs = { source: vocab, target: vocab };
  const showcase: Seq2SeqShowcase = {
    task: 'seq2seq', split: 'held-out',
    pairs: encodeTokenPairs([['a'], ['b', 'c'], ['c'], ['a', 'b'], ['b']], [['a'], ['c', 'b'], ['c'], ['a', 'b'], ['a']], vocabs, streams),
    vocabs, streams,
  };
  const settings = { strategy: 'greedy' as const, beamSize: 1, maxLen: 5, lengthPenalty: 0, nBest: 1 };

  it('marks exact translations, gives the reference otherwise, and counts over the whole split', () => {
    const lines = describeTranslations(copier, showcase, settings, 3);
    expect(lines).toEqual([
      'held-out translations (greedy), 3 of 5:',
      '  a → a  ✓',
      '  b c → b c  ✗ (reference: c b)',
      '  a b → a b  ✓',
      'exact: 3 of 5 held-out sentences (60%)',
    ]);
  });

  it('shows nothing for --show 0', () => {
    expect(describeTranslations(copier, showcase, settings, 0)).toEqual([]);
  });
});
