/**
 * Text normalization steps named in a spec's `data.preprocess` list, applied in order to one field
 * (a source or target sentence, or one line of a language-model corpus).
 *
 * d2l equivalence: `[nbsp-to-space, lowercase, space-before-punct]` is d2l's `preprocess_nmt` and
 * `[letters-only, lowercase]` is d2l's `read_time_machine` line cleaning. Two deliberate differences,
 * both invisible after whitespace tokenization except where noted:
 * - `nbsp-to-space` maps every typographic space (U+00A0, U+2000–U+200A, U+202F, U+205F, U+3000) to
 *   ' ' and drops the invisible U+200B, U+FEFF and soft hyphen U+00AD; d2l maps only U+202F and
 *   U+00A0, so fra.txt's `Recule\u2009!` gives d2l the token `recule\u2009` and seqloom `recule`.
 * - steps run per field, not over the whole file, so a field's first character never gets a space
 *   inserted before it (d2l's whole-text pass sees the preceding tab); tokens are the same.
 */
import type { PreprocessStep } from '../../spec/types.js';

export type { PreprocessStep };

/** Every step, in the order the docs list them (for error messages and property tests). */
export const PREPROCESS_STEPS: readonly PreprocessStep[] = [
  'nbsp-to-space', 'lowercase', 'space-before-punct', 'letters-only',
];

const TYPOGRAPHIC_SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
const ZERO_WIDTH = /[\u200B\uFEFF\u00AD]/g;
const NON_LETTERS = /[^A-Za-z]+/g;
const PUNCT_NEEDING_SPACE = new Set([',', '.', '!', '?']);

/** d2l `preprocess_nmt`'s `no_space` rule: a space before `, . ! ?` unless a space precedes it. */
function spaceBeforePunct(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (i > 0 && PUNCT_NEEDING_SPACE.has(ch) && text[i - 1] !== ' ') out += ' ';
    out += ch;
  }
  return out;
}

/** Apply one step. */
export function applyPreprocessStep(text: string, step: PreprocessStep): string {
  switch (step) {
    case 'nbsp-to-space':
      return text.replace(TYPOGRAPHIC_SPACES, ' ').replace(ZERO_WIDTH, '');
    case 'lowercase':
      return text.toLowerCase();
    case 'space-before-punct':
      return spaceBeforePunct(text);
    case 'letters-only':
      // d2l: re.sub('[^A-Za-z]+', ' ', line).strip() — runs collapse to one space, ends trimmed.
      return text.replace(NON_LETTERS, ' ').trim();
  }
}

/** Apply the steps in order. */
export function preprocess(text: string, steps: readonly PreprocessStep[]): string {
  let out = text;
  for (const step of steps) out = applyPreprocessStep(out, step);
  return out;
}
