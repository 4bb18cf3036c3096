/**
 * The length penalty on a hand-computed case, the soundness of beam search's stopping bound under it,
 * and option checks. Vocabulary: <pad>=0 <bos>=1 <eos>=2 a=3; the distribution depends only on the
 * position (createTableModel):
 *   step 1: P(<eos>) = .5, P(a) = .5;  step 2: P(<eos>) = .7, P(a) = .3;  step 3: P(<eos>) = 1.
 * So the only sequences are
 *   [<eos>]        logP = ln .5        = -0.693147   L = 1
 *   [a <eos>]      logP = ln .5 + ln .7 = -1.049822   L = 2
 *   [a a <eos>]    logP = ln .5 + ln .3 = -1.897120   L = 3
 * and score = logP / L^α ranks them:
 *   α = 0: [<eos>] -0.693147 > [a <eos>] -1.049822 > [a a <eos>] -1.897120
 *   α = 1: [a <eos>] -0.524911 > [a a <eos>] -0.632373 > [<eos>] -0.693147
 *   α = 2: [a a <eos>] -0.210791 > [a <eos>] -0.262456 > [<eos>] -0.693147
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { useBackend } from '../../../src/runtime/backend/index.js';
import type { Hypothesis } from '../../../src/runtime/module.js';
import { beamSearch, exhaustiveSearch, greedySearch } from '../../../src/runtime/search/index.js';
import { BOS, EOS, PAD, createTableModel, tableInit, type RecordingModel, type TableState } from './tiny-models.js';

const A = 3;
const special = { bos: BOS, eos: EOS, pad: PAD, maxLen: 3 };
const expected: Record<number, Array<{ tokens: number[]; logp: number; score: number }>> = {
  0: [
    { tokens: [EOS], logp: -0.693147, score: -0.693147 },
    { tokens: [A, EOS], logp: -1.049822, score: -1.049822 },
    { tokens: [A, A, EOS], logp: -1.89712, score: -1.89712 },
  ],
  1: [
    { tokens: [A, EOS], logp: -1.049822, score: -0.524911 },
    { tokens: [A, A, EOS], logp: -1.89712, score: -0.632373 },
    { tokens: [EOS], logp: -0.693147, score: -0.693147 },
  ],
  2: [
    { tokens: [A, A, EOS], logp: -1.89712, score: -0.210791 },
    { tokens: [A, EOS], logp: -1.049822, score: -0.262456 },
    { tokens: [EOS], logp: -0.693147, score: -0.693147 },
  ],
};

function expectHypotheses(actual: Hypothesis[], wanted: typeof expected[number]): void {
  expect(actual.map((h) => h.tokens)).toEqual(wanted.map((h) => h.tokens));
  actual.forEach((h, i) => {
    expect(h.logp).toBeCloseTo(wanted[i]!.logp, 5);
    expect(h.score).toBeCloseTo(wanted[i]!.score, 5);
  });
}

describe.each(['cpu', 'wasm'] as const)('length penalty on %s', (backend) => {
  let model: RecordingModel<TableState>;
  beforeAll(async () => {
    await useBackend(backend);
    model = createTableModel([
      [0, 0, 0.5, 0.5],
      [0, 0, 0.7, 0.3],
      [0, 0, 1, 0],
    ]);
  });
  afterAll(() => model.free());

  function decode(search: 'beam' | 'exhaustive', lengthPenalty: number, beamSize = 3, nBest = 3): Hypothesis[] {
    const init = tableInit(2);
    try {
      const opts = { ...special, batch: 2, lengthPenalty, nBest };
      const out = search === 'beam' ? beamSearch(model, init, { ...opts, beamSize }) : exhaustiveSearch(model, init, opts);
      expect(out[1]).toEqual(out[0]); // both rows decode the same sentence
      return out[0]!;
    } finally {
      init.position.dispose();
    }
  }

  it.each([0, 1, 2])('alpha = %s ranks the three sequences as computed by hand', (alpha) => {
    expectHypotheses(decode('exhaustive', alpha), expected[alpha]!);
    expectHypotheses(decode('beam', alpha), expected[alpha]!);
  });

  it('greedy takes the tie at step 1 by the lower token id (<eos>) and scores logP / L^alpha', () => {
    const init = tableInit(1);
    const out = greedySearch(model, init, { ...special, batch: 1, lengthPenalty: 2 });
    init.position.dispose();
    expectHypotheses(out[0]!, [expected[0]![0]!]);
  });

  it('beam size 1 keeps searching while a live hypothesis can still beat the finished one', () => {
    // α = 2. Step 1 finishes [<eos>] (-0.693); step 2 finishes [a <eos>] (-0.262) while [a a] is live
    // with logP -1.897. A bound at its current length (-1.897 / 2² = -0.474) would stop here and miss
    // [a a <eos>] (-0.211); the sound bound logP / maxLen^α = -1.897 / 9 = -0.211 ≥ -0.262 goes on.
    expectHypotheses(decode('beam', 2, 1, 1), [expected[2]![0]!]);
    // With α = 0 beam size 1 is greedy: [<eos>] at once.
    expectHypotheses(decode('beam', 0, 1, 1), [expected[0]![0]!]);
  });

  it('beam search stops early once nothing live can still win', () => {
    // α = 0, k = 2: after step 2, [<eos>] and [a <eos>] are finished and the live [a a] has logP
    // -1.897 < -1.050, so step 3 never runs.
    model.stepRows.length = 0;
    expectHypotheses(decode('beam', 0, 2, 2), expected[0]!.slice(0, 2));
    expect(model.stepRows).toEqual([2, 2]);
  });

  it('beam search drops a live hypothesis only once it cannot reach the n-th best finished one', () => {
    // α = 2, k = 2, n = 1: after step 2 the best finished is [a <eos>] (-0.262); the live [a a] would
    // be dropped by a bound at its current length (-1.897 / 2² = -0.474) but not by the sound one
    // (-1.897 / 3² = -0.211), and it does win.
    expectHypotheses(decode('beam', 2, 2, 1), [expected[2]![0]!]);
    // α = 1, k = 2: after step 2 [a a] can reach -1.897 / 3 = -0.632 at best. Below the best finished
    // [a <eos>] (-0.525): with n = 1 it is dropped and step 3 never runs; above the 2nd, [<eos>]
    // (-0.693): with n = 2 it stays and becomes that 2nd.
    model.stepRows.length = 0;
    expectHypotheses(decode('beam', 1, 2, 1), [expected[1]![0]!]);
    expect(model.stepRows).toEqual([2, 2]);
    model.stepRows.length = 0;
    expectHypotheses(decode('beam', 1, 2, 2), expected[1]!.slice(0, 2));
    expect(model.stepRows).toEqual([2, 2, 2]);
  });
});

describe('search options', () => {
  let model: RecordingModel<TableState>;
  beforeAll(async () => {
    await useBackend('cpu');
    model = createTableModel([[0.1, 0.1, 0.2, 0.2, 0.2, 0.2]]);
  });
  afterAll(() => model.free());

  it('rejects bad options with UserErrors', () => {
    const init = tableInit(1);
    const base = { bos: BOS, eos: EOS, pad: PAD, batch: 1, maxLen: 3 };
    expect(() => beamSearch(model, init, { ...base, beamSize: 2, nBest: 3 })).toThrow(/n_best \(3\) must be smaller than or equal to beam_size \(2\)/);
    expect(() => beamSearch(model, init, { ...base, beamSize: 0 })).toThrow(UserError);
    expect(() => greedySearch(model, init, { ...base, maxLen: 0 })).toThrow(/maxLen must be an integer ≥ 1/);
    expect(() => greedySearch(model, init, { ...base, eos: PAD })).toThrow(/eos .* must differ/);
    expect(() => greedySearch(model, init, { ...base, eos: 9 })).toThrow(/eos \(9\) is outside the model's vocabulary of 6 tokens/);
    init.position.dispose();
  });

  it('exhaustive search refuses above its bound, without leaking', () => {
    const init = tableInit(1);
    const before = tf.memory().numTensors;
    // 3 ordinary tokens: Σ_{t<12} 3^t + 3^12 = 797161 sequences > 100000.
    expect(() => exhaustiveSearch(model, init, { bos: BOS, eos: EOS, pad: PAD, batch: 1, maxLen: 12 }))
      .toThrow(/would score more than 100000 sequences per sentence/);
    expect(() => exhaustiveSearch(model, init, { bos: BOS, eos: EOS, pad: PAD, batch: 1, maxLen: 4, maxCandidates: 120 }))
      .toThrow(UserError);
    expect(tf.memory().numTensors).toBe(before);
    // 121 sequences fit a bound of 121.
    const all = exhaustiveSearch(model, init, { bos: BOS, eos: EOS, pad: PAD, batch: 1, maxLen: 4, maxCandidates: 121, nBest: 500 });
    expect(all[0]).toHaveLength(121);
    init.position.dispose();
  });
});
