/**
 * Beam search (size k), batched: one `model.step` per time step over all live hypotheses of all
 * unfinished sentences (N ≤ batch × k rows; the first step runs on the `batch` rows of `init`, one
 * `<bos>` each). Per sentence and step, on CPU data:
 *   1. every live hypothesis is expanded by every generable token (cumulative log-prob), and the best
 *      2k expansions are taken (`topExpansions`: stable ties by parent rank, then token id);
 *   2. an expansion ending in `<eos>` is finished when it ranks among the best k of those 2k (as
 *      fairseq does: this is what makes beam size 1 equal greedy search — a runner-up `<eos>` that
 *      greedy never takes is not kept); the best k expansions not ending in `<eos>` stay live;
 *   3. after `maxLen` steps the live hypotheses are finished as they are; before that, once `nBest`
 *      hypotheses are finished, a live hypothesis that cannot reach a score ≥ the `nBest`-th finished
 *      one (`bestReachableScore`) is dropped — it leaves the beam and the model's batch — and the
 *      sentence ends when no live hypothesis is left.
 * Dropping is only a shortcut: the `nBest` hypotheses returned are those running all `maxLen` steps
 * with all k beams would give. A dropped hypothesis, and every expansion ranked at or below one of
 * its expansions (whose slot it frees), has log-prob ≤ its own, so everything they could ever finish
 * scores below the `nBest`-th finished hypothesis (bounds sound because log-probs only decrease; see
 * `bestReachableScore`), and no expansion ranked above them moves. The thresholds only rise, so the
 * two runs keep the same non-droppable hypotheses, in the same ranks, step after step.
 * Finished hypotheses are ranked by score = logP / L^α (L counts `<eos>`), ties by token ids; the top
 * `nBest` come back (fewer only if fewer sequences are possible). All expansions of a step have the
 * same length, so ranking them by log-prob is ranking them by score.
 */
import type { Hypothesis } from '../module.js';
import { AttentionCollector, withAttention, type AttentionRows } from './attention-rows.js';
import {
  bestReachableScore, checkSearchOptions, compareHypotheses, generableMask, makeHypothesis, requireSearchInteger,
} from './scoring.js';
import { SearchStepDriver } from './step-driver.js';
import { expansionBuffers, topExpansions } from './top-expansions.js';
import type { BeamSearchOptions, SearchModel } from './types.js';

interface LiveHypothesis { tokens: number[]; logp: number; attention: AttentionRows }

interface SentenceBeam {
  /** Live hypotheses in rank order; their rows in the decoder state are contiguous. */
  live: LiveHypothesis[];
  /** The best ≤ k finished hypotheses, in canonical order. */
  finished: { hypothesis: Hypothesis; attention: AttentionRows }[];
  done: boolean;
}

export function beamSearch<S>(model: SearchModel<S>, init: S, opts: BeamSearchOptions): Hypothesis[][] {
  const k = requireSearchInteger(opts.beamSize, 'beamSize', 1);
  const { alpha, nBest } = checkSearchOptions(opts, k);
  const { batch, eos, maxLen } = opts;
  const beams: SentenceBeam[] = Array.from({ length: batch }, () => ({
    live: [{ tokens: [], logp: 0, attention: null }],
    finished: [],
    done: false,
  }));
  // Reused across sentences and steps: the expansions of one sentence, its parents' log-probs, and
  // the next step's state rows and input tokens (at most k per sentence).
  const ex = expansionBuffers(2 * k);
  const parentLogps = new Float64Array(k);
  const nextRows = new Int32Array(batch * k);
  const nextTokens = new Int32Array(batch * k);
  let input = new Int32Array(batch).fill(opts.bos);
  const collector = AttentionCollector.of(opts);
  const driver = new SearchStepDriver(model, init, batch);
  try {
    let generable: Uint8Array | null = null;
    for (let t = 1; t <= maxLen; t++) {
      const step = driver.step(input, collector !== null);
      const { values, vocab } = step;
      collector?.setStep(step);
      generable ??= generableMask(vocab, opts);
      let next = 0;
      let firstRow = 0;
      for (let s = 0; s < batch; s++) {
        const beam = beams[s]!;
        if (beam.done) continue;
        const parents = beam.live;
        for (let p = 0; p < parents.length; p++) parentLogps[p] = parents[p]!.logp;
        topExpansions(values, vocab, firstRow, parentLogps, generable, 2 * k, ex, parents.length);
        const live: LiveHypothesis[] = [];
        const liveRows: number[] = [];
        // A child's attention rows: its parent's, then the parent row's weights of this step.
        const rowsOf = (i: number): AttentionRows =>
          collector === null ? null : collector.extend(parents[ex.parent[i]!]!.attention, firstRow + ex.parent[i]!, s);
        for (let i = 0; i < ex.count && (i < k || live.length < k); i++) {
          const token = ex.token[i]!;
          const parent = parents[ex.parent[i]!]!;
          if (token === eos) {
            if (i < k) addFinished(beam, makeHypothesis(extended(parent.tokens, token), ex.logp[i]!, alpha), rowsOf(i), k);
          } else if (live.length < k) {
            live.push({ tokens: extended(parent.tokens, token), logp: ex.logp[i]!, attention: rowsOf(i) });
            liveRows.push(firstRow + ex.parent[i]!);
          }
        }
        firstRow += parents.length;
        if (t === maxLen) {
          for (const h of live) addFinished(beam, makeHypothesis(h.tokens, h.logp, alpha), h.attention, k);
          beam.live = [];
          beam.done = true;
          continue;
        }
        // The n-th best finished score so far: a live hypothesis that cannot reach it is dropped.
        const bar = beam.finished.length >= nBest ? beam.finished[nBest - 1]!.hypothesis.score : Number.NEGATIVE_INFINITY;
        beam.live = [];
        for (let i = 0; i < live.length; i++) {
          const h = live[i]!;
          if (bar > Number.NEGATIVE_INFINITY && bestReachableScore(h.logp, t, maxLen, alpha) < bar) continue;
          beam.live.push(h);
          nextRows[next] = liveRows[i]!;
          nextTokens[next] = h.tokens[t - 1]!;
          next++;
        }
        if (beam.live.length === 0) beam.done = true;
      }
      if (next === 0) break;
      driver.keepRows(nextRows.slice(0, next));
      input = nextTokens.slice(0, next);
    }
  } finally {
    driver.dispose();
  }
  return beams.map((beam) => beam.finished.slice(0, nBest).map((f) => withAttention(f.hypothesis, f.attention)));
}

/** `tokens` followed by `token` (a new array). */
function extended(tokens: readonly number[], token: number): number[] {
  const out = tokens.slice();
  out.push(token);
  return out;
}

/** Inserts `h` into the sentence's finished list (canonical order), keeping the best k. */
function addFinished(beam: SentenceBeam, h: Hypothesis, attention: AttentionRows, k: number): void {
  const list = beam.finished;
  let pos = list.length;
  while (pos > 0 && compareHypotheses(h, list[pos - 1]!.hypothesis) < 0) pos--;
  if (pos >= k) return;
  list.splice(pos, 0, { hypothesis: h, attention });
  if (list.length > k) list.pop();
}
