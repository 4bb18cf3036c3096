/**
 * maskedDenseCrossEntropy (the output layer applied to valid tokens only) against
 * maskedCrossEntropy(dense(…)) over every position: sum, mean, count and the gradients w.r.t. the
 * features, the weight and the bias — random lengths including 0 and full rows, every activation,
 * fused loss on and off, cpu and wasm; tensor counts flat.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { createDenseParams, createRng, dense, disposeParams, maskedCrossEntropy, maskedDenseCrossEntropy, type Activation } from '../../../src/runtime/nn/index.js';
import { setFusedLoss } from '../../../src/runtime/nn/loss.js';

const IN = 5, V = 7;

describe.each(['cpu', 'wasm'] as const)('maskedDenseCrossEntropy on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('equals the loss of the output layer applied everywhere, with the same gradients', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 6 }), fc.constantFrom<Activation>('none', 'tanh', 'relu', 'sigmoid'), fc.boolean(), fc.integer({ min: 0, max: 999 }),
      (lengths, steps, activation, fused, seed) => {
        const rng = createRng(seed);
        const params = createDenseParams(IN, V, rng);
        const batch = lengths.length;
        const before = tf.memory().numTensors;
        setFusedLoss(fused);
        try {
          tf.tidy(() => {
            const x = tf.tensor3d(Array.from({ length: batch * steps * IN }, () => 3 * rng.normal()), [batch, steps, IN]);
            const labels = tf.tensor2d(Array.from({ length: batch * steps }, () => Math.floor(rng.next() * V)), [batch, steps], 'int32');
            const len = tf.tensor1d(lengths, 'int32');
            const vars = Object.values(params);
            const both = (f: (z: tf.Tensor3D) => { mean: tf.Scalar; sum: tf.Scalar; count: number }) => {
              const r = f(x);
              const { grads } = tf.variableGrads(() => f(x).sum, vars);
              const dx = tf.grad((z: tf.Tensor) => f(z as tf.Tensor3D).sum)(x);
              return { sum: r.sum.dataSync()[0]!, mean: r.mean.dataSync()[0]!, count: r.count, grads: [dx, ...vars.map((v) => grads[v.name]!)] };
            };
            const rows = both((z) => maskedDenseCrossEntropy(params, activation, z, labels, len));
            const all = both((z) => maskedCrossEntropy(dense(params, z, activation), labels, len));
            expect(rows.count).toBe(all.count);
            expect(rows.sum).toBeCloseTo(all.sum, 3);
            expect(rows.mean).toBeCloseTo(all.mean, 4);
            rows.grads.forEach((g, i) => {
              const a = g.dataSync(), b = all.grads[i]!.dataSync();
              for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-4);
            });
          });
        } finally {
          setFusedLoss(true);
        }
        expect(tf.memory().numTensors).toBe(before);
        disposeParams(params);
      },
    ), { numRuns: 40 });
  });
});
