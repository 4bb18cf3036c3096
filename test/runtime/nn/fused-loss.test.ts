/**
 * The fused softmax cross-entropy (backend/loss-kernels.ts) against the op-by-op masked
 * cross-entropy in nn/loss.ts: sum, mean, count and the gradient w.r.t. the logits, with masked
 * positions, zero lengths and large logits (the row maximum keeps exp in range); cpu and wasm.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { createRng } from '../../../src/runtime/nn/index.js';
import { maskedCrossEntropy, setFusedLoss } from '../../../src/runtime/nn/loss.js';

function lossAndGrad(fused: boolean, logits: number[], shape: [number, number, number], labels: number[], lengths: number[]) {
  setFusedLoss(fused);
  try {
    return tf.tidy(() => {
      const x = tf.tensor3d(logits, shape);
      const y = tf.tensor2d(labels, [shape[0], shape[1]], 'int32');
      const len = tf.tensor1d(lengths, 'int32');
      const r = maskedCrossEntropy(x, y, len);
      const grad = tf.grad((z: tf.Tensor) => maskedCrossEntropy(z as tf.Tensor3D, y, len).mean)(x);
      return { sum: r.sum.dataSync()[0]!, mean: r.mean.dataSync()[0]!, count: r.count, grad: Array.from(grad.dataSync()) };
    });
  } finally {
    setFusedLoss(true);
  }
}

describe.each(['cpu', 'wasm'] as const)('fused cross-entropy on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('equals the op-by-op loss and gradient', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(1, 30),
      (B, T, V, seed, scale) => {
        const rng = createRng(seed);
        const logits = Array.from({ length: B * T * V }, () => scale * rng.normal());
        const labels = Array.from({ length: B * T }, () => Math.floor(rng.next() * V));
        const lengths = Array.from({ length: B }, () => Math.floor(rng.next() * (T + 1)));
        const a = lossAndGrad(true, logits, [B, T, V], labels, lengths);
        const b = lossAndGrad(false, logits, [B, T, V], labels, lengths);
        expect(a.count).toBe(b.count);
        expect(Math.abs(a.sum - b.sum)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b.sum)));
        expect(Math.abs(a.mean - b.mean)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b.mean)));
        a.grad.forEach((g, i) => expect(Math.abs(g - b.grad[i]!)).toBeLessThan(1e-5));
      },
    ), { numRuns: 40 });
  });

  it('a hand-computed case: uniform logits cost log V per valid token; masked rows get no gradient', () => {
    const r = lossAndGrad(true, Array.from({ length: 2 * 2 * 4 }, () => 3), [2, 2, 4], [1, 2, 3, 0], [2, 1]);
    expect(r.count).toBe(3);
    expect(r.sum).toBeCloseTo(3 * Math.log(4), 5);
    expect(r.mean).toBeCloseTo(Math.log(4), 5);
    // Row (b=0, t=0), label 1: (softmax − onehot) / count = (¼ − [0,1,0,0]) / 3.
    expect(r.grad.slice(0, 4).map((g) => g * 3)).toEqual([0.25, -0.75, 0.25, 0.25].map((v) => expect.closeTo(v, 6)));
    expect(r.grad.slice(12, 16)).toEqual([0, 0, 0, 0]);        // (b=1, t=1) is past length 1
  });
});
