/**
 * The seed's (d2l's) per-sentence BLEU, on the 0–1 scale:
 *   exp(min(0, 1 − len_ref / len_hyp)) · Π_{n=1}^{min(k, len_hyp)} p_n^(1/2^n)
 * with p_n the clipped n-gram precision. As in d2l, orders above the hypothesis length are skipped
 * (factor 1). Tokens are whitespace-separated (d2l splits on single spaces; the same for normal text).
 * Cases d2l leaves undefined: an empty hypothesis scores 0, or 1 when the reference is empty too.
 */
import { UserError } from '../../errors.js';
import { clippedNgramMatches, whitespaceTokens } from './ngrams.js';

export interface D2lBleuParts {
  /** 0–1. */
  score: number;
  /** exp(min(0, 1 − len_ref/len_hyp)). */
  bp: number;
  /** p_n for n = 1…min(k, len_hyp), 0–1. */
  precisions: number[];
  hypLen: number;
  refLen: number;
}

export function d2lBleuParts(hyp: string, ref: string, k: number): D2lBleuParts {
  if (!Number.isInteger(k) || k < 1) throw new UserError(`BLEU max n-gram order must be an integer ≥ 1, got ${k}`);
  const hypTokens = whitespaceTokens(hyp);
  const refTokens = whitespaceTokens(ref);
  const hypLen = hypTokens.length;
  const refLen = refTokens.length;
  if (hypLen === 0) return { score: refLen === 0 ? 1 : 0, bp: refLen === 0 ? 1 : 0, precisions: [], hypLen, refLen };
  const bp = Math.exp(Math.min(0, 1 - refLen / hypLen));
  let score = bp;
  const precisions: number[] = [];
  for (let n = 1; n <= Math.min(k, hypLen); n++) {
    const { matches, total } = clippedNgramMatches(hypTokens, refTokens, n);
    const p = matches / total;
    precisions.push(p);
    score *= Math.pow(p, Math.pow(0.5, n));
  }
  return { score, bp, precisions, hypLen, refLen };
}

/** The seed's `bleu(pred_seq, label_seq, k)`. */
export function d2lBleu(hyp: string, ref: string, k: number): number {
  return d2lBleuParts(hyp, ref, k).score;
}
