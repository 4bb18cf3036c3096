/**
 * Scores, the canonical order of hypotheses, and option checks shared by greedy, beam and exhaustive
 * search, so that the three agree to the last tie.
 */
import { UserError } from '../../errors.js';
import type { Hypothesis } from '../module.js';
import type { BatchSearchOptions } from './types.js';
import { portablePow } from './portable-math.js';

/**
 * Ranking score logP / L^alpha (L counts `<eos>` when generated; alpha = 0 gives plain logP).
 * L^alpha is portablePow, not Math.pow, so a browser's engine gives the CLI's scores bit for bit.
 */
export function lengthPenalizedScore(logp: number, length: number, alpha: number): number {
  return alpha === 0 ? logp : logp / portablePow(length, alpha);
}

/**
 * The best score any descendant of a live hypothesis (log-prob `logp`, `length` tokens) can reach
 * when hypotheses end at `maxLen` tokens at the latest. Sound because log-probs are ≤ 0: a
 * descendant has logP' ≤ logp and a length L' in [length + 1, maxLen], so
 *   logP'/L'^α ≤ logp/L'^α ≤ logp / max(L'^α) = logp / (α ≥ 0 ? maxLen : length + 1)^α.
 * (A descendant cut at `maxLen` without `<eos>` is covered too: it also has L' ≤ maxLen.)
 */
export function bestReachableScore(logp: number, length: number, maxLen: number, alpha: number): number {
  if (alpha === 0) return logp;
  const reach = alpha > 0 ? maxLen : Math.min(length + 1, maxLen);
  return lengthPenalizedScore(logp, reach, alpha);
}

/** Lexicographic order of token-id sequences (a proper prefix comes first). */
export function compareTokens(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The canonical ranking: score descending, ties by token ids (lexicographic, ascending). */
export function compareHypotheses(a: Hypothesis, b: Hypothesis): number {
  if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  return compareTokens(a.tokens, b.tokens);
}

/** Builds a hypothesis with its score. */
export function makeHypothesis(tokens: number[], logp: number, alpha: number): Hypothesis {
  return { tokens, logp, score: lengthPenalizedScore(logp, tokens.length, alpha) };
}

export function requireSearchInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new UserError(`search option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** Checks what every search needs; returns alpha (length penalty, default 0) and n-best (default 1). */
export function checkSearchOptions(opts: BatchSearchOptions, maxNBest: number): { alpha: number; nBest: number } {
  requireSearchInteger(opts.batch, 'batch', 1);
  requireSearchInteger(opts.maxLen, 'maxLen', 1);
  for (const name of ['bos', 'eos', 'pad'] as const) requireSearchInteger(opts[name], name, 0);
  if (opts.eos === opts.pad || opts.eos === opts.bos) {
    throw new UserError(`search option eos (${opts.eos}) must differ from pad (${opts.pad}) and bos (${opts.bos})`);
  }
  const alpha = opts.lengthPenalty ?? 0;
  if (!Number.isFinite(alpha)) throw new UserError(`search option lengthPenalty must be a finite number, got ${alpha}`);
  const nBest = requireSearchInteger(opts.nBest ?? 1, 'nBest', 1);
  if (nBest > maxNBest) {
    throw new UserError(`n_best (${nBest}) must be smaller than or equal to beam_size (${maxNBest})`);
  }
  return { alpha, nBest };
}

/**
 * 1 for the tokens a search may generate: every id below `vocab` except `<pad>` and `<bos>`. Checks
 * that the special ids lie inside the vocabulary the model reports.
 */
export function generableMask(vocab: number, opts: BatchSearchOptions): Uint8Array {
  for (const name of ['bos', 'eos', 'pad'] as const) {
    if (opts[name] >= vocab) {
      throw new UserError(`search option ${name} (${opts[name]}) is outside the model's vocabulary of ${vocab} tokens`);
    }
  }
  const mask = new Uint8Array(vocab).fill(1);
  mask[opts.pad] = 0;
  mask[opts.bos] = 0;
  return mask;
}
