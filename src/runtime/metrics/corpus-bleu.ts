/**
 * Corpus BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.x computes it with `tokenize='none'` and
 * its defaults (`smooth_method='exp'`, `effective_order=False`, one reference per segment):
 *  - clipped n-gram matches and n-gram totals summed over the corpus, n = 1…maxN;
 *  - brevity penalty from the corpus lengths: 1 if sys ≥ ref, exp(1 − ref/sys) if 0 < sys < ref, 0 if
 *    sys = 0;
 *  - no match at all (of any order) → BLEU 0 with all precisions 0;
 *  - precision p_n = 100·matches/total, except when an order has no match: 'exp' smoothing (NIST,
 *    mteval-v13a; Chen & Cherry 2014 method 3) gives it 100 / (2^j · total) for the j-th such order;
 *  - an order with total 0 (every hypothesis shorter than n) stops the loop: it and the higher orders
 *    keep precision 0, whose log sacreBLEU floors to -9999999999, so BLEU is 0;
 *  - BLEU = bp · exp(Σ_n ln p_n / maxN), uniform weights, on the 0–100 scale.
 */
import { UserError } from '../../errors.js';
import { clippedNgramMatches } from './ngrams.js';

export interface CorpusBleu {
  /** 0–100. */
  bleu: number;
  /** Per order n = 1…maxN, 0–100 (after smoothing). */
  precisions: number[];
  /** Brevity penalty, 0–1. */
  bp: number;
  /** Total hypothesis tokens. */
  sysLen: number;
  /** Total reference tokens. */
  refLen: number;
  /** Clipped matches per order. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
}

/** sacreBLEU's `my_log`: log with 0 floored to a very low number. */
function flooredLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** Corpus BLEU of tokenized hypotheses against one tokenized reference each. */
export function corpusBleu(hyps: string[][], refs: string[][], maxN = 4): CorpusBleu {
  if (hyps.length !== refs.length) {
    throw new UserError(`BLEU needs one reference per hypothesis: got ${hyps.length} hypotheses and ${refs.length} references`);
  }
  if (!Number.isInteger(maxN) || maxN < 1) throw new UserError(`BLEU max n-gram order must be an integer ≥ 1, got ${maxN}`);
  const counts = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hyps.forEach((hyp, i) => {
    const ref = refs[i]!;
    sysLen += hyp.length;
    refLen += ref.length;
    for (let n = 1; n <= maxN; n++) {
      const { matches, total } = clippedNgramMatches(hyp, ref, n);
      counts[n - 1] += matches;
      totals[n - 1] += total;
    }
  });
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxN).fill(0);
  if (counts.every((c) => c === 0)) return { bleu: 0, precisions, bp, sysLen, refLen, counts, totals };

  let smooth = 1;
  for (let n = 1; n <= maxN; n++) {
    const total = totals[n - 1]!;
    if (total === 0) break;
    const correct = counts[n - 1]!;
    if (correct === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * total);
    } else {
      precisions[n - 1] = (100 * correct) / total;
    }
  }
  const bleu = bp * Math.exp(precisions.reduce((sum, p) => sum + flooredLog(p), 0) / maxN);
  return { bleu, precisions, bp, sysLen, refLen, counts, totals };
}
