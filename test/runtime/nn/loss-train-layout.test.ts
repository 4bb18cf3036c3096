/**
 * Masked cross-entropy, global-norm clipping, SGD/Adam steps, dense/repeat/concat, and the
 * PyTorch checkpoint layout (round trip and errors), checked against hand-computed values.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  clipByGlobalNorm, concatFeatures, createDenseParams, createOptimizer, createRecurrentParams, createRng, dense, disposeParams,
  fromTorchTensors, maskedCrossEntropy, repeatOverTime, sequenceMask, toTorchTensors, torchParamNames, torchParamShapes,
  trainStep, type RecurrentConfig,
} from '../../../src/runtime/nn/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('maskedCrossEntropy', () => {
  it('averages −log p(label) over valid tokens only', () => {
    tf.tidy(() => {
      const logits = tf.tensor3d([[[0, 1, 2], [3, 0, 0], [1, 1, 1]], [[2, 0, 0], [0, 0, 5], [9, 9, -9]]]);
      const labels = tf.tensor2d([[2, 0, 1], [1, 2, 0]], undefined, 'int32');
      const lengths = tf.tensor1d([2, 3], 'int32');
      const nll = (row: number[], k: number) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[k]!;
      const want = [nll([0, 1, 2], 2), nll([3, 0, 0], 0), nll([2, 0, 0], 1), nll([0, 0, 5], 2), nll([9, 9, -9], 0)];
      const { mean, sum, count } = maskedCrossEntropy(logits, labels, lengths);
      expect(count).toBe(5);
      expect(sum.dataSync()[0]).toBeCloseTo(want.reduce((a, b) => a + b), 5);
      expect(mean.dataSync()[0]).toBeCloseTo(want.reduce((a, b) => a + b) / 5, 5);
      expect(sequenceMask(tf.tensor1d([0, 2, 9], 'int32'), 3).arraySync()).toEqual([[0, 0, 0], [1, 1, 0], [1, 1, 1]]);
      // No valid token: mean 0, not NaN.
      expect(Math.abs(maskedCrossEntropy(logits, labels, tf.tensor1d([0, 0], 'int32')).mean.dataSync()[0]!)).toBe(0);
    });
  });
});

describe('clipping and optimizer steps', () => {
  it('clipByGlobalNorm scales by min(1, θ/‖g‖) over all tensors together', () => {
    tf.tidy(() => {
      const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // ‖g‖ = 5
      const clipped = clipByGlobalNorm(grads, 1);
      expect(clipped.norm).toBeCloseTo(5, 6);
      expect(Array.from(clipped.grads.a.dataSync())).toEqual([3 / 5, 0].map(Math.fround));
      expect(clipped.grads.b.arraySync()).toEqual([[0, Math.fround(4 / 5)]]);
      const loose = clipByGlobalNorm(grads, 10);
      expect(Array.from(loose.grads.a.dataSync())).toEqual([3, 0]);
      expect(grads.a.isDisposed).toBe(false);
    });
  });

  it('trainStep with SGD moves w by −lr·g (clipped), reports the pre-clip norm, and leaks nothing', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const opt = createOptimizer({ name: 'sgd', lr: 0.1 });
    // loss = Σ w² → g = 2w = [2, 4], ‖g‖ = √20.
    const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const r = trainStep(loss, [w], opt, 1);
    expect(r.loss).toBeCloseTo(5, 5);
    expect(r.gradNorm).toBeCloseTo(Math.sqrt(20), 5);
    const s = 1 / Math.sqrt(20);
    expect(w.dataSync()[0]).toBeCloseTo(1 - 0.1 * 2 * s, 6);
    expect(w.dataSync()[1]).toBeCloseTo(2 - 0.1 * 4 * s, 6);
    const unclipped = trainStep(loss, [w], opt, null);
    expect(unclipped.gradNorm).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    w.dispose();
  });
});

describe('dense, repeatOverTime, concatFeatures', () => {
  it('dense on [B, T, In] equals dense on each [B, In] row; activations apply', () => {
    const p = createDenseParams(3, 2, createRng(1));
    tf.tidy(() => {
      const x = tf.tensor3d(createRng(2).normalArray(2 * 4 * 3), [2, 4, 3]);
      const y = dense(p, x, 'tanh');
      expect(y.shape).toEqual([2, 4, 2]);
      const row = dense(p, x.slice([1, 2, 0], [1, 1, 3]).reshape([1, 3]) as tf.Tensor2D, 'tanh');
      expect(Array.from(row.dataSync())).toEqual(Array.from(y.slice([1, 2, 0], [1, 1, 2]).dataSync()));
      expect(Math.min(...dense(p, x, 'relu').dataSync())).toBeGreaterThanOrEqual(0);
    });
    disposeParams(p);
  });

  it('repeatOverTime copies the vector to every step; its gradient sums over time', () => {
    tf.tidy(() => {
      const v = tf.tensor2d([[1, 2], [3, 4]]);
      expect(repeatOverTime(v, 3).arraySync()).toEqual([[[1, 2], [1, 2], [1, 2]], [[3, 4], [3, 4], [3, 4]]]);
      const w = tf.tensor3d(Array.from({ length: 12 }, (_, i) => i), [2, 3, 2]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(repeatOverTime(x as tf.Tensor2D, 3).mul(w)))(v);
      expect(g.arraySync()).toEqual([[0 + 2 + 4, 1 + 3 + 5], [6 + 8 + 10, 7 + 9 + 11]]);
      expect(concatFeatures([v, v.mul(10)]).arraySync()).toEqual([[1, 2, 10, 20], [3, 4, 30, 40]]);
    });
  });
});

describe('PyTorch checkpoint layout', () => {
  const cfg: RecurrentConfig = { cell: 'lstm', inputSize: 3, hidden: 2, layers: 2, dropout: 0, bidirectional: true, nonlinearity: 'tanh' };

  it('names and shapes tensors as PyTorch does, and round-trips values', () => {
    expect(torchParamShapes('recurrent', cfg)).toMatchObject({
      weight_ih_l0: [8, 3], weight_hh_l0: [8, 2], bias_ih_l0: [8], weight_ih_l1_reverse: [8, 4],
    });
    expect(torchParamNames('dense', { inSize: 4, outSize: 7 }, 'decoder.dense')).toEqual(['decoder.dense.weight', 'decoder.dense.bias']);
    expect(torchParamShapes('dense', { inSize: 4, outSize: 7 })).toEqual({ weight: [7, 4], bias: [7] });
    expect(torchParamShapes('embedding', { vocab: 9, dim: 5 })).toEqual({ weight: [9, 5] });
    expect(torchParamShapes('attention', { kind: 'additive', queryDim: 3, keyDim: 4, hidden: 6 }))
      .toEqual({ 'W_q.weight': [6, 3], 'W_k.weight': [6, 4], 'w_v.weight': [1, 6] });
    const a = createRecurrentParams(cfg, createRng(1));
    const b = createRecurrentParams(cfg, createRng(2));
    const exported = toTorchTensors('recurrent', cfg, a, 'enc');
    // weight_hh_l0 [8, 2] in PyTorch = transpose of the compute layout [2, 8].
    const hh = a.weight_hh_l0!.arraySync() as number[][];
    expect(exported['enc.weight_hh_l0']!.data[1 * 2 + 0]).toBe(Math.fround(hh[0]![1]!));
    fromTorchTensors('recurrent', cfg, exported, b, 'enc');
    for (const name of Object.keys(a)) expect(Array.from(b[name]!.dataSync())).toEqual(Array.from(a[name]!.dataSync()));
    disposeParams(a, b);
  });

  it('a missing tensor or a wrong shape is a UserError naming it; the parameters stay untouched', () => {
    const p = createRecurrentParams(cfg, createRng(1));
    const original = Array.from(p.weight_ih_l0!.dataSync());
    const good = toTorchTensors('recurrent', cfg, createRecurrentParams(cfg, createRng(3)), 'rnn');
    const missing = { ...good };
    delete missing['rnn.bias_hh_l1_reverse'];
    const err = (() => { try { fromTorchTensors('recurrent', cfg, missing, p, 'rnn'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe("checkpoint has no tensor 'rnn.bias_hh_l1_reverse'");
    const wrong = { ...good, 'rnn.weight_hh_l0': { shape: [2, 8], data: new Float32Array(16) } };
    expect(() => fromTorchTensors('recurrent', cfg, wrong, p, 'rnn')).toThrow("tensor 'rnn.weight_hh_l0' has shape [2, 8], expected [8, 2]");
    expect(Array.from(p.weight_ih_l0!.dataSync())).toEqual(original);
    tf.disposeVariables();
  });
});
