/**
 * Beam search's shortcuts change nothing returned: dropping live hypotheses that cannot reach the
 * n-th best finished score (and ending a sentence when none is left) gives the n-best that plain
 * beam search — every prefix stepped alone, all `maxLen` steps, all k beams, no early stop — gives.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import type { Hypothesis } from '../../../src/runtime/module.js';
import { beamSearch, compareHypotheses, lengthPenalizedScore } from '../../../src/runtime/search/index.js';
import { BOS, EOS, PAD, createRandomRnnModel, disposeRnnState, type RandomRnnModel, type RnnState } from './tiny-models.js';

const special = { bos: BOS, eos: EOS, pad: PAD };

/**
 * Textbook beam search for one sentence, one prefix per model call: per step the best 2k expansions
 * (log-prob descending, ties by parent rank then token id), an `<eos>` among the best k finishes, the
 * best k others stay live; after `maxLen` steps the live ones finish as they are.
 */
function plainBeam(model: RandomRnnModel, id: number, k: number, maxLen: number, alpha: number): Hypothesis[] {
  interface Live { tokens: number[]; logp: number; state: RnnState }
  const finished: Hypothesis[] = [];
  let live: Live[] = [{ tokens: [], logp: 0, state: model.init([id]) }];
  for (let t = 1; t <= maxLen && live.length > 0; t++) {
    const expansions: { parent: number; token: number; logp: number }[] = [];
    const states = live.map((h, parent) => {
      const input = tf.tensor1d([h.tokens.length === 0 ? BOS : h.tokens[h.tokens.length - 1]!], 'int32');
      const { logProbs, state } = model.step(input, h.state);
      const lp = logProbs.dataSync();
      tf.dispose([input, logProbs]);
      for (let v = 0; v < lp.length; v++) {
        if (v !== PAD && v !== BOS && lp[v]! > Number.NEGATIVE_INFINITY) expansions.push({ parent, token: v, logp: h.logp + lp[v]! });
      }
      return state;
    });
    const best = expansions.sort((a, b) => b.logp - a.logp).slice(0, 2 * k); // stable: (parent, token) order on ties
    const next: Live[] = [];
    best.forEach((e, i) => {
      const tokens = [...live[e.parent]!.tokens, e.token];
      if (e.token === EOS) {
        if (i < k) finished.push({ tokens, logp: e.logp, score: lengthPenalizedScore(e.logp, tokens.length, alpha) });
      } else if (next.length < k) {
        next.push({ tokens, logp: e.logp, state: model.select(states[e.parent]!, tf.tensor1d([0], 'int32')) });
      }
    });
    for (const h of live) disposeRnnState(h.state);
    for (const s of states) disposeRnnState(s);
    live = next;
    if (t === maxLen) {
      for (const h of live) finished.push({ tokens: h.tokens, logp: h.logp, score: lengthPenalizedScore(h.logp, h.tokens.length, alpha) });
    }
  }
  for (const h of live) disposeRnnState(h.state);
  return finished.sort(compareHypotheses);
}

describe('beam search shortcuts', () => {
  const models: RandomRnnModel[] = [];
  beforeAll(async () => {
    await useBackend('cpu');
    for (let seed = 1; seed <= 12; seed++) models.push(createRandomRnnModel(seed));
  });
  afterAll(() => {
    for (const m of models) m.free();
  });

  it('return the n-best of plain beam search, for any beam size, n and length penalty', () => {
    const ids = [40, 41, 42, 43, 44];
    const maxLen = 6;
    let fewerRows = 0;
    for (const model of models) {
      for (const alpha of [0, 0.75, 2, -0.5]) {
        for (const k of [1, 2, 4]) {
          const plain = ids.map((id) => plainBeam(model, id, k, maxLen, alpha));
          const rows: number[] = [];
          for (const nBest of new Set([1, k])) {
            const init = model.init(ids);
            model.stepRows.length = 0;
            const out = beamSearch(model, init, { ...special, batch: ids.length, maxLen, beamSize: k, lengthPenalty: alpha, nBest });
            rows.push(model.stepRows.reduce((a, b) => a + b, 0));
            disposeRnnState(init);
            ids.forEach((_, s) => {
              const expected = plain[s]!.slice(0, nBest);
              expect(out[s]!.map((h) => h.tokens)).toEqual(expected.map((h) => h.tokens));
              out[s]!.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i]!.score, 5));
            });
          }
          if (rows.length === 2 && rows[0]! < rows[1]!) fewerRows++;
        }
      }
    }
    // Asking for fewer hypotheses lets the search drop more: the comparison has teeth.
    expect(fewerRows).toBeGreaterThan(0);
  });

  it('leak no tensors', () => {
    const model = models[0]!;
    const init = model.init([1, 2, 3]);
    const before = tf.memory().numTensors;
    beamSearch(model, init, { ...special, batch: 3, maxLen: 6, beamSize: 3, lengthPenalty: 0.75 });
    expect(tf.memory().numTensors).toBe(before);
    disposeRnnState(init);
  });
});
