/**
 * The fused optimizer step (nn/fused-adam.ts) against tfjs's own Adam: the same weights, moment
 * slots, β powers and iteration count after several clipped and unclipped steps; the fused global
 * norm equals the op-by-op one; nothing leaks. On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { createOptimizer, createRng, globalNorm, trainStep } from '../../../src/runtime/nn/index.js';
import { applyFusedAdam, setFusedOptimizer, sumOfSquares } from '../../../src/runtime/nn/fused-adam.js';

interface Slots { accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>; accumulatedSecondMoment: Array<{ variable: tf.Variable }>; accBeta1: tf.Variable; accBeta2: tf.Variable; iterations: number }

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)));
}

/** Four steps of a small least-squares problem, clipping at θ = 0.5 (steps 1–2 clip, later ones may not). */
function train(fused: boolean): { weights: number[][]; slots: Slots; norms: number[]; names: string[] } {
  setFusedOptimizer(fused);
  const rng = createRng(7);
  const w = tf.variable(tf.tensor2d(rng.uniformArray(12, -1, 1), [3, 4]));
  const b = tf.variable(tf.tensor1d(rng.uniformArray(4, -1, 1)));
  const x = tf.tensor2d(rng.uniformArray(15, -1, 1), [5, 3]);
  const y = tf.tensor2d(rng.uniformArray(20, -1, 1), [5, 4]);
  const optimizer = createOptimizer({ name: 'adam', lr: 0.05 });
  const norms: number[] = [];
  for (let step = 0; step < 4; step++) {
    const r = trainStep(() => tf.mean(tf.square(tf.matMul(x, w).add(b).sub(y))) as tf.Scalar, [w, b], optimizer, 0.5);
    norms.push(r.gradNorm);
  }
  const o = optimizer as unknown as Slots;
  const result = { weights: [Array.from(w.dataSync()), Array.from(b.dataSync())], slots: o, norms, names: [w.name, b.name] };
  setFusedOptimizer(true);
  tf.dispose([x, y]);
  return result;
}

describe.each(['cpu', 'wasm'] as const)('fused Adam on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('moves weights and fills slots as tfjs Adam does, clipping folded in', () => {
    const ours = train(true);
    const theirs = train(false);
    close(ours.norms, theirs.norms);
    ours.weights.forEach((w, i) => close(w, theirs.weights[i]!));
    for (const k of ['accumulatedFirstMoment', 'accumulatedSecondMoment'] as const) {
      ours.slots[k].forEach((s, i) => close(s.variable.dataSync(), theirs.slots[k][i]!.variable.dataSync()));
    }
    expect(ours.slots.accumulatedFirstMoment.map((s) => s.originalName)).toEqual(ours.names.map((n) => `${n}/m`));
    expect(theirs.slots.accumulatedFirstMoment.map((s) => s.originalName)).toEqual(theirs.names.map((n) => `${n}/m`));
    expect(ours.slots.accBeta1.dataSync()[0]).toBe(theirs.slots.accBeta1.dataSync()[0]);
    expect(ours.slots.accBeta2.dataSync()[0]).toBe(theirs.slots.accBeta2.dataSync()[0]);
    expect(ours.slots.iterations).toBe(theirs.slots.iterations);
    tf.disposeVariables();
  });

  it('computes the global norm in one kernel, equal to the op-by-op norm', () => {
    const xs = [tf.tensor1d([3, 4]), tf.tensor2d([[1, 2], [2, 0]]), tf.scalar(-2)];
    const expected = globalNorm(xs).dataSync()[0]!;
    expect(Math.sqrt(sumOfSquares(xs))).toBeCloseTo(expected, 5);
    expect(sumOfSquares([])).toBe(0);
    tf.dispose(xs);
  });

  it('declines optimizers that are not Adam and leaks nothing', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const g = { [w.name]: tf.tensor1d([1, 1]) };
    const sgd = createOptimizer({ name: 'sgd', lr: 0.1 });
    expect(applyFusedAdam(sgd, g, 1)).toBe(false);
    const adam = createOptimizer({ name: 'adam', lr: 0.1 });
    expect(applyFusedAdam(adam, g, 1)).toBe(true);          // first step creates the two slots
    const before = tf.memory().numTensors;
    expect(applyFusedAdam(adam, g, 0.5)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(g));
    adam.dispose();
    sgd.dispose();
    w.dispose();
  });
});
