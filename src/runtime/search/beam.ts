/**
 * Beam search (size k), batched: one `model.step` per time step over all live hypotheses of all
 * unfinished sentences (N ≤ batch × k rows; the first step runs on the `batch` rows of `init`, one
 * `<bos>` each). Per sentence and step, on CPU data:
 *   1. every live hypothesis is expanded by every generable token (cumulative log-prob), and the best
 *      2k expansions are taken (`topExpansions`: stable ties by parent rank, then token id);
 *   2. an expansion ending in `<eos>` is finished when it ranks among the best k of those 2k (as
 *      fairseq does: this is what makes beam size 1 equal greedy search — a runner-up `<eos>` that
 *      greedy never takes is not kept); the best k expansions not ending in `<eos>` stay live;
 *   3. the sentence ends after `maxLen` steps (its live hypotheses are then finished as they are),
 *      when no live hypothesis is left, or once k are finished and no live hypothesis can still
 *      reach a score ≥ the k-th finished one (`bestReachableScore`: logp / maxLen^α for α ≥ 0 —
 *      sound, because log-probs only decrease and L^α is largest at maxLen).
 * Stopping is therefore only a shortcut: the result is what running all `maxLen` steps would give.
 * Finished hypotheses are ranked by score = logP / L^α (L counts `<eos>`), ties by token ids; the top
 * `nBest` come back (fewer only if fewer sequences are possible). All expansions of a step have the same length, so ranking them by log-prob is
 * ranking them by score.
 */
import type { Hypothesis } from '../module.js';
import {
  bestReachableScore, checkSearchOptions, compareHypotheses, generableMask, makeHypothesis, requireSearchInteger,
} from './scoring.js';
import { SearchStepDriver } from './step-driver.js';
import { topExpansions } from './top-expansions.js';
import type { BeamSearchOptions, SearchModel } from './types.js';

interface LiveHypothesis { tokens: number[]; logp: number }

interface SentenceBeam {
  /** Live hypotheses in rank order; their rows in the decoder state are contiguous. */
  live: LiveHypothesis[];
  /** The best ≤ k finished hypotheses, in canonical order. */
  finished: Hypothesis[];
  done: boolean;
}

export function beamSearch<S>(model: SearchModel<S>, init: S, opts: BeamSearchOptions): Hypothesis[][] {
  const k = requireSearchInteger(opts.beamSize, 'beamSize', 1);
  const { alpha, nBest } = checkSearchOptions(opts, k);
  const { batch, eos, maxLen } = opts;
  const beams: SentenceBeam[] = Array.from({ length: batch }, () => ({
    live: [{ tokens: [], logp: 0 }],
    finished: [],
    done: false,
  }));
  let input = new Int32Array(batch).fill(opts.bos);
  const driver = new SearchStepDriver(model, init, batch);
  try {
    let generable: Uint8Array | null = null;
    for (let t = 1; t <= maxLen; t++) {
      const { values, vocab } = driver.step(input);
      generable ??= generableMask(vocab, opts);
      const parentRows: number[] = [];
      const nextTokens: number[] = [];
      let firstRow = 0;
      for (const beam of beams) {
        if (beam.done) continue;
        const parents = beam.live;
        const ex = topExpansions(values, vocab, firstRow, parents.map((h) => h.logp), generable, 2 * k);
        const live: LiveHypothesis[] = [];
        const liveRows: number[] = [];
        for (let i = 0; i < ex.count; i++) {
          const tokens = [...parents[ex.parent[i]!]!.tokens, ex.token[i]!];
          if (ex.token[i] === eos) {
            if (i < k) addFinished(beam, makeHypothesis(tokens, ex.logp[i]!, alpha), k);
          } else if (live.length < k) {
            live.push({ tokens, logp: ex.logp[i]! });
            liveRows.push(firstRow + ex.parent[i]!);
          }
        }
        firstRow += parents.length;
        beam.live = live;
        if (t === maxLen || live.length === 0 || cannotImprove(beam, k, maxLen, alpha)) {
          for (const h of live) addFinished(beam, makeHypothesis(h.tokens, h.logp, alpha), k);
          beam.live = [];
          beam.done = true;
        } else {
          for (const row of liveRows) parentRows.push(row); // not push(...): beams can outgrow a call's arguments
          for (const h of live) nextTokens.push(h.tokens[h.tokens.length - 1]!);
        }
      }
      if (parentRows.length === 0) break;
      driver.keepRows(Int32Array.from(parentRows));
      input = Int32Array.from(nextTokens);
    }
  } finally {
    driver.dispose();
  }
  return beams.map((beam) => beam.finished.slice(0, nBest));
}

/** Inserts `h` into the sentence's finished list (canonical order), keeping the best k. */
function addFinished(beam: SentenceBeam, h: Hypothesis, k: number): void {
  const list = beam.finished;
  let pos = list.length;
  while (pos > 0 && compareHypotheses(h, list[pos - 1]!) < 0) pos--;
  if (pos >= k) return;
  list.splice(pos, 0, h);
  if (list.length > k) list.pop();
}

/** True once k hypotheses are finished and no live one can reach the k-th finished score. */
function cannotImprove(beam: SentenceBeam, k: number, maxLen: number, alpha: number): boolean {
  if (beam.finished.length < k) return false;
  const kth = beam.finished[k - 1]!.score;
  return beam.live.every((h) => bestReachableScore(h.logp, h.tokens.length, maxLen, alpha) < kth);
}
