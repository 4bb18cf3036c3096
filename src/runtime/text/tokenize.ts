/**
 * Tokenizers named by a stream's `tokenizer:` key.
 * - `word`: split on whitespace (any Unicode space), no empty tokens.
 * - `char`: one token per Unicode code point, spaces included (a character language model predicts them).
 * - `segmenter`: `Intl.Segmenter` word granularity — Chinese runs split into dictionary words,
 *   punctuation becomes its own token, whitespace-only segments are dropped.
 * - `bpe`: words as `word` splits them; the vocabulary then segments each into subwords (bpe.ts).
 */
import type { TokenizerKind } from '../../spec/types.js';
import { joinSubwords } from './bpe.js';

export type { TokenizerKind };

const WHITESPACE = /\s+/u;
const WHITESPACE_ONLY = /^\s*$/u;
let segmenter: Intl.Segmenter | null = null;

function wordSegmenter(): Intl.Segmenter {
  // The locale only picks tailorings; ICU segments Han text with its CJK dictionary whatever it is.
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  return segmenter;
}

export function tokenize(text: string, kind: TokenizerKind): string[] {
  switch (kind) {
    case 'word':
    case 'bpe':
      return text.split(WHITESPACE).filter((t) => t.length > 0);
    case 'char':
      return Array.from(text);
    case 'segmenter': {
      const out: string[] = [];
      for (const { segment } of wordSegmenter().segment(text)) {
        if (!WHITESPACE_ONLY.test(segment)) out.push(segment);
      }
      return out;
    }
  }
}

const ASCII_WORD_END = /[A-Za-z0-9]$/;
const ASCII_WORD_START = /^[A-Za-z0-9]/;

/**
 * Tokens back to display text: `word` joins with spaces, `bpe` too after joining subwords (no `@@`), `char` with nothing, `segmenter` with
 * nothing except a space between two tokens that would otherwise glue Latin words or digits together.
 */
export function detokenize(tokens: readonly string[], kind: TokenizerKind): string {
  switch (kind) {
    case 'word':
      return tokens.join(' ');
    case 'bpe':
      return joinSubwords(tokens).join(' ');
    case 'char':
      return tokens.join('');
    case 'segmenter': {
      let out = '';
      for (const tok of tokens) {
        if (out.length > 0 && ASCII_WORD_END.test(out) && ASCII_WORD_START.test(tok)) out += ' ';
        out += tok;
      }
      return out;
    }
  }
}
