/**
 * The optimizer step as few kernels as possible (backend/optimizer-kernels.ts), on backends that
 * have them (wasm, cpu): the global gradient norm in ONE kernel, and tfjs's Adam update in ONE
 * kernel per parameter with the clipping factor folded in. tfjs's own Adam runs ~14 ops per
 * parameter plus 2 per parameter for the norm and 1 for clipping — at the d2l size (18 parameters)
 * that was ~300 of a step's ~600 engine ops.
 *
 * The optimizer stays a `tf.AdamOptimizer`: this updates its own slots (`accumulatedFirstMoment`,
 * `accumulatedSecondMoment`, `accBeta1/2`, the iteration count) exactly where and as tfjs would, so
 * checkpoints (src/train/optimizer-state.ts) and tfjs's own `applyGradients` keep working on it.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, SUM_SQUARES } from '../backend/kernels-fused.js';

interface Slot { originalName: string; variable: tf.Variable }
interface AdamInternals {
  learningRate: number; beta1: number; beta2: number; epsilon: number;
  accBeta1: tf.Variable; accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[]; accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

let fusedEnabled = true;

/** Turns the fused optimizer kernels off (true: on, the default) — for benchmarks measuring them. */
export function setFusedOptimizer(on: boolean): void {
  fusedEnabled = on;
}

function fusedKernel(name: string): boolean {
  return fusedEnabled && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Σ over tensors of Σ x² (one kernel where available). */
export function sumOfSquares(xs: readonly tf.Tensor[]): number {
  if (xs.length === 0) return 0;
  const total = fusedKernel(SUM_SQUARES)
    ? tf.engine().runKernel(SUM_SQUARES, Object.fromEntries(xs.map((x, i) => [String(i), x])), {}) as tf.Tensor
    : tf.tidy(() => tf.addN(xs.map((g) => tf.sum(tf.square(g)))));
  const value = total.dataSync()[0]!;
  total.dispose();
  return value;
}

/**
 * Applies `scale`·grads with `optimizer`'s Adam update when it is a tfjs Adam and the backend has the
 * fused kernel; returns false (nothing done) otherwise. Slot i belongs to the i-th key of `grads`,
 * as in tfjs's applyGradients.
 */
export function applyFusedAdam(optimizer: tf.Optimizer, grads: Record<string, tf.Tensor>, scale: number): boolean {
  // (`instanceof tf.AdamOptimizer` is true for every tfjs optimizer: tfjs overrides hasInstance.)
  const o = optimizer as unknown as AdamInternals;
  if (optimizer.getClassName() !== 'Adam' || o.accBeta1 === undefined || !fusedKernel(ADAM_UPDATE)) return false;
  const acc1 = o.accBeta1.dataSync()[0]!;
  const acc2 = o.accBeta2.dataSync()[0]!;
  // As tfjs computes them: float32 `1 − accBeta`.
  const attrs = {
    lr: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, scale,
    c1: Math.fround(1 - acc1), c2: Math.fround(1 - acc2),
  };
  Object.keys(grads).forEach((name, i) => {
    const value = tf.engine().registeredVariables[name]!;
    const m = slot(o.accumulatedFirstMoment, i, name, 'm', value);
    const v = slot(o.accumulatedSecondMoment, i, name, 'v', value);
    const [x1, m1, v1] = tf.engine().runKernel(ADAM_UPDATE, { x: value, g: grads[name]!, m, v }, attrs) as tf.Tensor[];
    m.assign(m1!);
    v.assign(v1!);
    value.assign(x1!);
    tf.dispose([x1!, m1!, v1!]);
  });
  tf.tidy(() => {
    o.accBeta1.assign(tf.scalar(Math.fround(acc1 * Math.fround(o.beta1))));
    o.accBeta2.assign(tf.scalar(Math.fround(acc2 * Math.fround(o.beta2))));
  });
  o.incrementIterations();
  return true;
}

/** tfjs's lazily created moment slot for parameter i (zeros, non-trainable, `<name>/m|v`). */
function slot(slots: Slot[], i: number, name: string, suffix: 'm' | 'v', value: tf.Variable): tf.Variable {
  slots[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return slots[i]!.variable;
}
