import { describe, expect, it } from 'vitest';
import { detokenize, preprocess, tokenize } from '../../../src/runtime/text/index.js';

const NMT = ['nbsp-to-space', 'lowercase', 'space-before-punct'] as const;

describe('preprocess', () => {
  it('reproduces d2l preprocess_nmt on the book\'s first lines of fra.txt', () => {
    // Raw lines as in fra.txt (U+202F before "!" and "?"); expected output printed in the d2l book.
    const raw = [['Go.', 'Va\u202f!'], ['Hi.', 'Salut\u202f!'], ['Run!', 'Cours\u202f!'], ['Who?', 'Qui\u00a0?'], ['Wow!', 'Ça alors\u202f!']];
    const out = raw.map(([s, t]) => `${preprocess(s!, NMT)}\t${preprocess(t!, NMT)}`);
    expect(out).toEqual(['go .\tva !', 'hi .\tsalut !', 'run !\tcours !', 'who ?\tqui ?', 'wow !\tça alors !']);
  });

  it('space-before-punct adds a space only where none precedes, and not at the start', () => {
    expect(preprocess('a,b. c ! ?x', ['space-before-punct'])).toBe('a ,b . c ! ?x');
    expect(preprocess('.a', ['space-before-punct'])).toBe('.a');
    expect(preprocess('a..', ['space-before-punct'])).toBe('a . .');
  });

  it('nbsp-to-space maps typographic spaces and drops zero-width characters', () => {
    expect(preprocess('a\u00a0b\u202fc\u2009d\u3000e', ['nbsp-to-space'])).toBe('a b c d e');
    expect(preprocess('ab\u200bc\u00adde\ufeff', ['nbsp-to-space'])).toBe('abcde');
  });

  it('letters-only is d2l read_time_machine: runs of non-letters become one space, ends trimmed', () => {
    expect(preprocess("  The Time Machine, by H. G. Wells [1898]", ['letters-only', 'lowercase']))
      .toBe('the time machine by h g wells');
    expect(preprocess('éa1b--c', ['letters-only'])).toBe('a b c');
    expect(preprocess('123', ['letters-only'])).toBe('');
  });

  it('applies steps in order', () => {
    // lowercase before letters-only keeps nothing different; letters-only before space-before-punct removes punct.
    expect(preprocess('Hi!', ['letters-only', 'space-before-punct'])).toBe('Hi');
    expect(preprocess('Hi!', ['space-before-punct', 'lowercase'])).toBe('hi !');
  });
});

describe('tokenize', () => {
  it('word splits on any whitespace and yields no empty tokens', () => {
    expect(tokenize('  go .\tva\u00a0!  ', 'word')).toEqual(['go', '.', 'va', '!']);
    expect(tokenize('   ', 'word')).toEqual([]);
  });

  it('char yields code points, spaces included', () => {
    expect(tokenize('a b', 'char')).toEqual(['a', ' ', 'b']);
    expect(tokenize('😀é', 'char')).toEqual(['😀', 'é']);
  });

  it('segmenter splits Chinese into words and drops whitespace segments', () => {
    const tokens = tokenize('我们试试吧。 Hi, Tom!', 'segmenter');
    expect(tokens).toEqual(['我们', '试', '试', '吧', '。', 'Hi', ',', 'Tom', '!']);
    expect(tokenize('你好。', 'segmenter')).toEqual(['你好', '。']);
  });

  it('detokenize inverts each tokenizer on normalized text', () => {
    expect(detokenize(tokenize('go . va !', 'word'), 'word')).toBe('go . va !');
    expect(detokenize(tokenize('a b', 'char'), 'char')).toBe('a b');
    expect(detokenize(['我们', '试试', '。'], 'segmenter')).toBe('我们试试。');
    expect(detokenize(['hi', 'tom', '!', '你好'], 'segmenter')).toBe('hi tom!你好');
  });
});
