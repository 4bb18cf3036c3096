/**
 * Greedy search: at each step every unfinished sentence takes the most probable token (ties → the
 * lowest id; `<pad>` and `<bos>` are never taken) and stops at `<eos>` or after `maxLen` tokens.
 * One `model.step` per time step for all unfinished sentences; finished ones leave the batch.
 */
import type { Hypothesis } from '../module.js';
import { AttentionCollector, withAttention } from './attention-rows.js';
import { checkSearchOptions, generableMask, makeHypothesis } from './scoring.js';
import { SearchStepDriver } from './step-driver.js';
import type { GreedySearchOptions, SearchModel } from './types.js';

/**
 * Returns, per sentence, one hypothesis: tokens as generated (`<eos>` included when generated), its
 * log-probability and score (logP / L^lengthPenalty; plain logP by default). `nBest` is ignored.
 */
export function greedySearch<S>(model: SearchModel<S>, init: S, opts: GreedySearchOptions): Hypothesis[][] {
  const { alpha } = checkSearchOptions(opts, Number.POSITIVE_INFINITY);
  const { batch, eos, maxLen } = opts;
  const tokens: number[][] = Array.from({ length: batch }, () => []);
  const logps = new Float64Array(batch);
  const collector = AttentionCollector.of(opts);
  const attention: Float32Array[][] | null = collector === null ? null : Array.from({ length: batch }, () => []);
  // rowSentence[r]: the sentence in row r of the decoder state (only unfinished sentences have rows).
  let rowSentence = Int32Array.from({ length: batch }, (_, i) => i);
  let input = new Int32Array(batch).fill(opts.bos);
  const driver = new SearchStepDriver(model, init, batch);
  try {
    let generable: Uint8Array | null = null;
    for (let t = 1; t <= maxLen; t++) {
      const step = driver.step(input, collector !== null);
      const { values, vocab } = step;
      collector?.setStep(step);
      generable ??= generableMask(vocab, opts);
      const keep: number[] = [];
      const nextTokens: number[] = [];
      for (let r = 0; r < rowSentence.length; r++) {
        const s = rowSentence[r]!;
        const best = argmaxGenerable(values, r * vocab, vocab, generable);
        tokens[s]!.push(best);
        logps[s] = logps[s]! + values[r * vocab + best]!;
        if (collector !== null) attention![s]!.push(collector.row(r, s));
        if (best !== eos) {
          keep.push(r);
          nextTokens.push(best);
        }
      }
      if (keep.length === 0 || t === maxLen) break;
      driver.keepRows(Int32Array.from(keep));
      rowSentence = Int32Array.from(keep, (r) => rowSentence[r]!);
      input = Int32Array.from(nextTokens);
    }
  } finally {
    driver.dispose();
  }
  return tokens.map((toks, s) => [withAttention(makeHypothesis(toks, logps[s]!, alpha), attention?.[s] ?? null)]);
}

/** Index of the largest generable entry of row [offset, offset + vocab); NaN counts as -Infinity. */
function argmaxGenerable(values: Float32Array, offset: number, vocab: number, generable: Uint8Array): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < vocab; v++) {
    if (!generable[v]) continue;
    const x = values[offset + v]!;
    if (best === -1 || x > bestValue) {
      best = v;
      bestValue = Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
    }
  }
  return best;
}
