/**
 * The searches agree with each other and with a brute-force oracle: beam size 1 = greedy, a wide
 * enough beam = exhaustive, exhaustive = an independent depth-first enumeration that steps one prefix
 * at a time, n-best's first = 1-best. On cpu and wasm, over seeded random tiny models.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import type { Hypothesis } from '../../../src/runtime/module.js';
import {
  beamSearch, compareHypotheses, exhaustiveSearch, greedySearch, lengthPenalizedScore,
} from '../../../src/runtime/search/index.js';
import { BOS, EOS, PAD, createRandomRnnModel, disposeRnnState, type RandomRnnModel } from './tiny-models.js';

const special = { bos: BOS, eos: EOS, pad: PAD };
const SEEDS = [1, 2, 3, 4, 5, 6];

function expectSameHypotheses(actual: Hypothesis[], expected: Hypothesis[]): void {
  expect(actual.map((h) => h.tokens)).toEqual(expected.map((h) => h.tokens));
  actual.forEach((h, i) => {
    expect(h.logp).toBeCloseTo(expected[i]!.logp, 5);
    expect(h.score).toBeCloseTo(expected[i]!.score, 5);
  });
}

/** Every sequence of one sentence, found by stepping each prefix alone (no batching, no pruning). */
function depthFirstOracle(model: RandomRnnModel, id: number, maxLen: number, alpha: number): Hypothesis[] {
  const out: Hypothesis[] = [];
  const visit = (state: { h: tf.Tensor2D; memory: tf.Tensor2D }, tokens: number[], logp: number): void => {
    const input = tf.tensor1d([tokens.length === 0 ? BOS : tokens[tokens.length - 1]!], 'int32');
    const { logProbs, state: next } = model.step(input, state);
    const lp = logProbs.dataSync();
    tf.dispose([input, logProbs]);
    for (let v = 0; v < lp.length; v++) {
      if (v === PAD || v === BOS) continue;
      const seq = [...tokens, v];
      const total = logp + lp[v]!;
      if (v === EOS || seq.length === maxLen) {
        out.push({ tokens: seq, logp: total, score: lengthPenalizedScore(total, seq.length, alpha) });
      } else {
        visit(next, seq, total);
      }
    }
    disposeRnnState(next);
  };
  const init = model.init([id]);
  visit(init, [], 0);
  disposeRnnState(init);
  return out.sort(compareHypotheses);
}

describe.each(['cpu', 'wasm'] as const)('search equivalences on %s', (backend) => {
  const models: RandomRnnModel[] = [];
  beforeAll(async () => {
    await useBackend(backend);
    for (const seed of SEEDS) models.push(createRandomRnnModel(seed));
  });
  afterAll(() => {
    for (const m of models) m.free();
  });

  it('beam size 1 equals greedy (lengthPenalty 0)', () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    for (const model of models) {
      const init = model.init(ids);
      const opts = { ...special, batch: ids.length, maxLen: 7 };
      const greedy = greedySearch(model, init, opts);
      const beam = beamSearch(model, init, { ...opts, beamSize: 1 });
      disposeRnnState(init);
      ids.forEach((_, s) => expectSameHypotheses(beam[s]!, greedy[s]!));
    }
  });

  it('a beam wide enough to prune nothing equals exhaustive search', () => {
    // 3 ordinary tokens + <eos>, maxLen 4: at most 27 live prefixes × 4 tokens = 108 expansions a step.
    const ids = [10, 11, 12];
    let differsFromGreedy = 0;
    for (const model of models) {
      for (const lengthPenalty of [0, 0.75, 2, -0.5]) {
        const init = model.init(ids);
        const opts = { ...special, batch: ids.length, maxLen: 4, lengthPenalty, nBest: 8 };
        const exhaustive = exhaustiveSearch(model, init, opts);
        const beam = beamSearch(model, init, { ...opts, beamSize: 128 });
        const greedy = greedySearch(model, init, opts);
        disposeRnnState(init);
        ids.forEach((_, s) => {
          expectSameHypotheses(beam[s]!, exhaustive[s]!);
          if (compareHypotheses(exhaustive[s]![0]!, greedy[s]![0]!) !== 0) differsFromGreedy++;
        });
      }
    }
    // The oracle is not trivially greedy on these models (so the comparison has teeth).
    expect(differsFromGreedy).toBeGreaterThan(0);
  });

  it('exhaustive search lists every sequence, ranked as an unbatched depth-first enumeration ranks them', () => {
    const model = models[0]!;
    for (const lengthPenalty of [0, 0.5]) {
      const init = model.init([3, 4]);
      const all = exhaustiveSearch(model, init, { ...special, batch: 2, maxLen: 4, lengthPenalty, nBest: 1000 });
      disposeRnnState(init);
      // 1 + 3 + 9 + 27 sequences ending in <eos>, 81 of exactly 4 tokens without it.
      expect(all[0]!.length).toBe(121);
      expectSameHypotheses(all[0]!, depthFirstOracle(model, 3, 4, lengthPenalty));
      expectSameHypotheses(all[1]!, depthFirstOracle(model, 4, 4, lengthPenalty));
    }
  });

  it("n-best's first hypothesis is the 1-best, and the n-best are distinct and ranked", () => {
    const ids = [20, 21, 22, 23];
    for (const model of models) {
      const init = model.init(ids);
      const opts = { ...special, batch: ids.length, maxLen: 6, beamSize: 4, lengthPenalty: 0.7 };
      const one = beamSearch(model, init, opts);
      const four = beamSearch(model, init, { ...opts, nBest: 4 });
      disposeRnnState(init);
      ids.forEach((_, s) => {
        expect(one[s]).toHaveLength(1);
        expect(four[s]).toHaveLength(4);
        expectSameHypotheses([four[s]![0]!], one[s]!);
        const list = four[s]!;
        for (let i = 1; i < list.length; i++) expect(compareHypotheses(list[i - 1]!, list[i]!)).toBeLessThan(0);
        for (const h of list) expect(h.score).toBeCloseTo(lengthPenalizedScore(h.logp, h.tokens.length, 0.7), 10);
      });
    }
  });

  it("no beam's 1-best outscores exhaustive search's", () => {
    const ids = [30, 31];
    for (const model of models) {
      const init = model.init(ids);
      const opts = { ...special, batch: 2, maxLen: 5 };
      const best = exhaustiveSearch(model, init, opts);
      for (const beamSize of [1, 2, 3]) {
        const beam = beamSearch(model, init, { ...opts, beamSize });
        ids.forEach((_, s) => expect(best[s]![0]!.score).toBeGreaterThanOrEqual(beam[s]![0]!.score));
      }
      disposeRnnState(init);
    }
  });
});
