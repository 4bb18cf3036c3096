import { describe, expect, it } from 'vitest';
import { describeEval } from '../../src/cli/commands/eval.js';

describe('eval output', () => {
  it('shows corpus BLEU with its precisions (already 0-100), loss, perplexity and examples', () => {
    const text = describeEval({
      origin: 'data/fra.txt', split: 'valid', notes: [],
      result: {
        task: 'seq2seq', sentences: 2, decoded: 2, loss: 0.5, perplexity: Math.exp(0.5),
        bleu: { method: 'corpus', score: 38.876, precisions: [68.29, 41.2, 30.81, 26.9], bp: 0.995, sys_len: 10, ref_len: 11 },
        examples: [{ source: 'go .', hypothesis: 'va !', reference: 'va !' }],
      },
    });
    expect(text).toBe([
      'data: data/fra.txt (held-out split)',
      'sentences: 2',
      'BLEU (corpus): 38.88  precisions 68.3/41.2/30.8/26.9  BP 0.995  hyp/ref tokens 10/11',
      'loss: 0.5000',
      'perplexity: 1.649',
      '  go . => va !  [ref: va !]',
    ].join('\n'));
  });

  it('shows perplexity for a language model', () => {
    expect(describeEval({
      origin: 'built-in', split: 'train', notes: [], result: { task: 'language-model', tokens: 99, loss: 1, perplexity: Math.E },
    })).toBe('data: built-in (training split)\ntokens: 99\nloss: 1.0000\nperplexity: 2.718');
  });
});
