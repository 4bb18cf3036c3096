/**
 * Batching behaviour: a sentence's result does not depend on the batch it is in, the model is stepped
 * once per time step for all sentences × hypotheses, `<pad>`/`<bos>` are never generated although
 * the model ranks them first, and repeated searches leak no tensors. On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import type { Hypothesis } from '../../../src/runtime/module.js';
import { beamSearch, exhaustiveSearch, greedySearch, searchModelOf } from '../../../src/runtime/search/index.js';
import { BOS, EOS, PAD, createRandomRnnModel, disposeRnnState, type RandomRnnModel } from './tiny-models.js';

const special = { bos: BOS, eos: EOS, pad: PAD };
type Search = (model: RandomRnnModel, ids: number[]) => Hypothesis[][];

const searches: Record<string, Search> = {
  greedy: (model, ids) => run(model, ids, (init) => greedySearch(model, init, { ...special, batch: ids.length, maxLen: 8 })),
  beam: (model, ids) => run(model, ids, (init) =>
    beamSearch(model, init, { ...special, batch: ids.length, maxLen: 8, beamSize: 3, lengthPenalty: 0.7, nBest: 3 })),
  exhaustive: (model, ids) => run(model, ids, (init) =>
    exhaustiveSearch(model, init, { ...special, batch: ids.length, maxLen: 3, nBest: 5 })),
};

function run(model: RandomRnnModel, ids: number[], search: (init: ReturnType<RandomRnnModel['init']>) => Hypothesis[][]) {
  const init = model.init(ids);
  try {
    return search(init);
  } finally {
    disposeRnnState(init);
  }
}

describe.each(['cpu', 'wasm'] as const)('batched search on %s', (backend) => {
  let model: RandomRnnModel;
  beforeAll(async () => {
    await useBackend(backend);
    model = createRandomRnnModel(42, 8, 6);
  });
  afterAll(() => model.free());

  it.each(Object.keys(searches))('%s: a sentence decodes the same alone and in a batch of 64', (name) => {
    const search = searches[name]!;
    const batch = Array.from({ length: 64 }, (_, i) => 100 + i);
    const together = search(model, batch);
    for (const position of [0, 17, 63]) {
      const alone = search(model, [batch[position]!])[0]!;
      expect(together[position]!.map((h) => h.tokens)).toEqual(alone.map((h) => h.tokens));
      together[position]!.forEach((h, i) => expect(h.score).toBeCloseTo(alone[i]!.score, 5));
    }
    // …and it does not depend on the other sentences either (another batch around the same one).
    const other = search(model, [7, 8, batch[17]!, 9])[2]!;
    expect(other.map((h) => h.tokens)).toEqual(together[17]!.map((h) => h.tokens));
  });

  it('<pad> and <bos> are never generated, although the model ranks them first', () => {
    const ids = Array.from({ length: 16 }, (_, i) => i);
    const init = model.init(ids);
    const first = tf.tidy(() => {
      const out = model.step(tf.fill([ids.length], BOS, 'int32') as tf.Tensor1D, init);
      model.dispose(out.state);
      return tf.argMax(out.logProbs, 1).arraySync() as number[];
    });
    disposeRnnState(init);
    expect(first.every((t) => t === PAD || t === BOS)).toBe(true);
    for (const search of Object.values(searches)) {
      for (const list of search(model, ids)) {
        expect(list.length).toBeGreaterThan(0);
        for (const h of list) {
          expect(h.tokens).not.toContain(PAD);
          expect(h.tokens).not.toContain(BOS);
          expect(h.tokens.indexOf(EOS) === -1 || h.tokens.indexOf(EOS) === h.tokens.length - 1).toBe(true);
        }
      }
    }
  });

  it('greedy steps the model once per time step, over the unfinished sentences only', () => {
    const ids = Array.from({ length: 12 }, (_, i) => 200 + i);
    model.stepRows.length = 0;
    const results = searches.greedy!(model, ids);
    const lengths = results.map((r) => r[0]!.tokens.length);
    expect(model.stepRows).toHaveLength(Math.max(...lengths));
    model.stepRows.forEach((rows, t) => expect(rows).toBe(lengths.filter((len) => len > t).length));
  });

  it('beam search steps the model once per time step for all sentences × beams', () => {
    const ids = Array.from({ length: 12 }, (_, i) => 300 + i);
    model.stepRows.length = 0;
    const results = searches.beam!(model, ids);
    const longest = Math.max(...results.flat().map((h) => h.tokens.length));
    expect(model.stepRows.length).toBeGreaterThanOrEqual(longest);
    expect(model.stepRows.length).toBeLessThanOrEqual(8); // maxLen
    expect(model.stepRows[0]).toBe(12); // one <bos> row per sentence
    expect(Math.max(...model.stepRows)).toBeGreaterThan(12); // later steps carry the beams…
    for (const rows of model.stepRows) expect(rows).toBeLessThanOrEqual(12 * 3); // …at most k per sentence
  });

  it('exhaustive search steps the model once per time step', () => {
    model.stepRows.length = 0;
    searches.exhaustive!(model, [1, 2, 3]);
    // 5 tokens other than <pad>, <bos>, <eos> (vocab 8): 3 × (1, 5, 25) prefixes at steps 1, 2, 3.
    expect(model.stepRows).toEqual([3, 15, 75]);
  });

  it('searchModelOf adapts a module\'s decodeStep/selectState/disposeState', () => {
    const module = {
      decodeStep: model.step.bind(model), selectState: model.select.bind(model), disposeState: model.dispose.bind(model),
    };
    const init = model.init([1, 2, 3]);
    const opts = { ...special, batch: 3, maxLen: 6, beamSize: 2, nBest: 2 };
    expect(beamSearch(searchModelOf(module), init, opts)).toEqual(beamSearch(model, init, opts));
    disposeRnnState(init);
  });

  it('repeated searches leak no tensors', () => {
    for (const search of Object.values(searches)) search(model, [1, 2, 3]); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const search of Object.values(searches)) search(model, [1, 2, 3, 4, 5]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
