/**
 * nn/loss.ts logSoftmax (the fused `SeqloomLogSoftmax` kernel: JS on cpu, the SIMD softmax on wasm
 * and its JS fallback) against tf.logSoftmax: values and gradients, odd widths, large magnitudes,
 * one column; tensor counts flat.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { setSimdKernels } from '../../../src/runtime/backend/simd/loader.js';
import { createRng, logSoftmax } from '../../../src/runtime/nn/index.js';

describe.each([['cpu', true], ['wasm', true], ['wasm', false]] as const)('logSoftmax on %s (SIMD: %s)', (backend, simd) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('equals tf.logSoftmax, values and gradients', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 13 }), fc.constantFrom(1, 30, 80), fc.integer({ min: 0, max: 999 }),
      (rows, cols, scale, seed) => {
        const rng = createRng(seed);
        const before = tf.memory().numTensors;
        setSimdKernels(simd);
        try {
          tf.tidy(() => {
            const x = tf.tensor2d(Array.from({ length: rows * cols }, () => scale * rng.normal()), [rows, cols]);
            const w = tf.tensor2d(Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols]);
            const ours = logSoftmax(x), theirs = tf.logSoftmax(x);
            const a = ours.dataSync(), b = theirs.dataSync();
            for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
            const ga = tf.grad((z: tf.Tensor) => logSoftmax(z as tf.Tensor2D).mul(w).sum())(x).dataSync();
            const gb = tf.grad((z: tf.Tensor) => tf.logSoftmax(z).mul(w).sum())(x).dataSync();
            for (let i = 0; i < ga.length; i++) expect(Math.abs(ga[i]! - gb[i]!)).toBeLessThan(1e-4);
          });
        } finally {
          setSimdKernels(true);
        }
        expect(tf.memory().numTensors).toBe(before);
      },
    ), { numRuns: 30 });
  });
});
