/**
 * Decoding with a very wide beam: the search keeps more live hypotheses than a JavaScript call can
 * take arguments (it spread them into `push(...)`, "Maximum call stack size exceeded" from ~120k).
 * A uniform model keeps the test fast: every expansion ties, so no list insertion has to shift.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/runtime/backend/index.js';
import { beamSearch, type SearchModel } from '../../src/runtime/search/index.js';

const PAD = 0, BOS = 1, EOS = 2, V = 8;

/** log-probs: 5 ordinary tokens equally likely, never pad/bos/eos; the state is one number per row. */
function uniformModel(): SearchModel<tf.Tensor2D> & { rows: number[] } {
  const rows: number[] = [];
  const row = Array.from({ length: V }, (_, v) => (v <= EOS ? -Infinity : Math.log(1 / (V - 3))));
  return {
    rows,
    step(tokens, state) {
      rows.push(tokens.shape[0]);
      return { logProbs: tf.tidy(() => tf.tile(tf.tensor2d([row]), [tokens.shape[0], 1])) as tf.Tensor2D, state: state.clone() };
    },
    select: (state, picked) => tf.gather(state, picked) as tf.Tensor2D,
    dispose: (state) => state.dispose(),
  };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('a beam wider than a call stack', () => {
  it('keeps 150k live hypotheses without a stack overflow', () => {
    const model = uniformModel();
    const init = tf.zeros([1, 1]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const [list] = beamSearch(model, init, { batch: 1, beamSize: 150_000, lengthPenalty: 0, nBest: 2, bos: BOS, eos: EOS, pad: PAD, maxLen: 9 });
    init.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    expect(list!.map((h) => h.tokens.length)).toEqual([9, 9]);
    expect(Math.max(...model.rows)).toBe(150_000);
  });
});
