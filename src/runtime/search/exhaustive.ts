/**
 * Exhaustive search: scores every sequence a sentence can produce within `maxLen` tokens — each
 * sequence ending in `<eos>`, plus each of exactly `maxLen` tokens without it — and returns the top
 * `nBest` by score (logP / L^α, ties by token ids). It is the oracle beam search must match with a
 * wide enough beam. Batched breadth-first: step t runs one `model.step` over all prefixes of length
 * t − 1 of all sentences. Only for tiny vocabularies: with G tokens other than `<pad>`, `<bos>` and
 * `<eos>` a sentence has Σ_{t<maxLen} G^t + G^maxLen sequences, and the search refuses (UserError)
 * when that exceeds `maxCandidates` (default `DEFAULT_MAX_CANDIDATES` = 100 000; checked after the
 * first step, which tells V). Sequences with
 * log-probability -Infinity (impossible) are left out, as beam search leaves them out.
 */
import { UserError } from '../../errors.js';
import type { Hypothesis } from '../module.js';
import { AttentionCollector, withAttention, type AttentionRows } from './attention-rows.js';
import { checkSearchOptions, compareHypotheses, generableMask, makeHypothesis, requireSearchInteger } from './scoring.js';
import { SearchStepDriver } from './step-driver.js';
import { DEFAULT_MAX_CANDIDATES, type ExhaustiveSearchOptions, type SearchModel } from './types.js';

interface Prefix { sentence: number; tokens: number[]; logp: number; attention: AttentionRows }

export function exhaustiveSearch<S>(model: SearchModel<S>, init: S, opts: ExhaustiveSearchOptions): Hypothesis[][] {
  const { alpha, nBest } = checkSearchOptions(opts, Number.POSITIVE_INFINITY);
  const maxCandidates = requireSearchInteger(opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES, 'maxCandidates', 1);
  const { batch, eos, maxLen } = opts;
  const finished: Hypothesis[][] = Array.from({ length: batch }, () => []);
  // Attention rows of finished hypotheses, turned into arrays only for the n-best returned.
  const finishedRows = new Map<Hypothesis, AttentionRows>();
  let prefixes: Prefix[] = Array.from({ length: batch }, (_, s) => ({ sentence: s, tokens: [], logp: 0, attention: null }));
  const collector = AttentionCollector.of(opts);
  const driver = new SearchStepDriver(model, init, batch);
  try {
    let generable: Uint8Array | null = null;
    for (let t = 1; t <= maxLen && prefixes.length > 0; t++) {
      const step = driver.step(Int32Array.from(prefixes, (p) => p.tokens[p.tokens.length - 1] ?? opts.bos), collector !== null);
      const { values, vocab } = step;
      collector?.setStep(step);
      if (generable === null) {
        generable = generableMask(vocab, opts);
        const g = generable.reduce((n, x) => n + x, 0) - 1; // generable tokens other than <eos>
        refuseIfTooMany(countSequences(g, maxLen, maxCandidates), vocab, maxLen, maxCandidates);
      }
      const next: Prefix[] = [];
      const parentRows: number[] = [];
      prefixes.forEach((p, row) => {
        for (let v = 0; v < vocab; v++) {
          if (!generable![v]) continue;
          const logp = p.logp + values[row * vocab + v]!;
          if (!(logp > Number.NEGATIVE_INFINITY)) continue; // impossible (or NaN)
          const tokens = [...p.tokens, v];
          const attention = collector === null ? null : collector.extend(p.attention, row, p.sentence);
          if (v === eos || t === maxLen) {
            const h = makeHypothesis(tokens, logp, alpha);
            finished[p.sentence]!.push(h);
            if (attention !== null) finishedRows.set(h, attention);
          } else {
            next.push({ sentence: p.sentence, tokens, logp, attention });
            parentRows.push(row);
          }
        }
      });
      prefixes = next;
      if (prefixes.length > 0) driver.keepRows(Int32Array.from(parentRows));
    }
  } finally {
    driver.dispose();
  }
  return finished.map((list) => list.sort(compareHypotheses).slice(0, nBest).map((h) => withAttention(h, finishedRows.get(h) ?? null)));
}

/** Σ_{t<maxLen} g^t + g^maxLen, or `limit + 1` as soon as it exceeds `limit`. */
function countSequences(g: number, maxLen: number, limit: number): number {
  let total = 0;
  let power = 1; // g^t
  for (let t = 0; t < maxLen; t++) {
    total += power;
    power *= g;
    if (total > limit || power > limit) return limit + 1;
  }
  total += power;
  return total > limit ? limit + 1 : total;
}

function refuseIfTooMany(count: number, vocab: number, maxLen: number, maxCandidates: number): void {
  if (count <= maxCandidates) return;
  throw new UserError(
    `exhaustive search over a vocabulary of ${vocab} tokens up to max_len ${maxLen} would score more than ` +
      `${maxCandidates} sequences per sentence`,
    'use beam search, a smaller max_len, or raise maxCandidates (exhaustive search is for tiny vocabularies)',
  );
}
