/**
 * Regression: backprop through a one-layer initial state or a one-step sequence. tfjs's Unpack
 * gradient broke when the unstacked axis had size 1, so a 1-layer encoder–decoder with
 * `init: encoder.state` crashed on its first training step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createOptimizer, createRecurrentParams, createRng, disposeParams, runRecurrent, trainStep,
  type CellKind, type RecurrentConfig,
} from '../../../src/runtime/nn/index.js';

describe.each(['cpu', 'wasm'] as const)('one-layer gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    ['gru', 1], ['gru', 3], ['lstm', 1], ['lstm', 3], ['rnn', 1],
  ] as Array<[CellKind, number]>)('%s, %i step(s): encoder state → decoder init trains', (cell, steps) => {
    const cfg: RecurrentConfig = { cell, inputSize: 4, hidden: 5, layers: 1, dropout: 0, bidirectional: false, nonlinearity: 'tanh' };
    const rng = createRng(7);
    const enc = createRecurrentParams(cfg, rng);
    const dec = createRecurrentParams(cfg, rng);
    const x = tf.randomNormal([2, steps, 4], 0, 1, 'float32', 3) as tf.Tensor3D;
    const optimizer = createOptimizer({ name: 'adam', lr: 0.01 });
    const before = tf.memory().numTensors;
    const result = trainStep(() => {
      const e = runRecurrent(cfg, enc, x, {});
      const d = runRecurrent(cfg, dec, x, { init: e.state });
      return d.output.square().mean() as tf.Scalar;
    }, [...Object.values(enc), ...Object.values(dec)], optimizer, 1);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.gradNorm).toBeGreaterThan(0);
    // Adam's slots appear on the first step; a second step must add nothing.
    const afterFirst = tf.memory().numTensors;
    trainStep(() => {
      const e = runRecurrent(cfg, enc, x, {});
      return runRecurrent(cfg, dec, x, { init: e.state }).output.square().mean() as tf.Scalar;
    }, [...Object.values(enc), ...Object.values(dec)], optimizer, 1);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(afterFirst).toBeGreaterThanOrEqual(before);
    optimizer.dispose();
    x.dispose();
    disposeParams(enc, dec);
  });
});
