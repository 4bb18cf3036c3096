/**
 * Fused optimizer kernels (wasm, cpu), used by nn/fused-adam.ts:
 *
 * `SeqloomSumSquares`   inputs 0…n−1 (any shapes) → scalar Σ_k Σ x_k² (accumulated in float64): the
 *                       global gradient norm's square in ONE kernel instead of 2n + 1 (square, sum
 *                       per tensor, addN).
 * `SeqloomAdamUpdate`   inputs x, g, m, v (one parameter) → [x', m', v'], tfjs's Adam step
 *                       (optimizers/adam_optimizer.js) with the gradient scaled by `scale` (global-norm
 *                       clipping folded in):
 *                         m' = β1·m + (1−β1)·s·g      v' = β2·v + (1−β2)·(s·g)²
 *                         x' = x − lr · (m'/c1) / (√(v'/c2) + ε),   c1 = 1 − β1^t, c2 = 1 − β2^t
 *                       ONE kernel per parameter instead of ~14 (plus the clipping multiply).
 */
import type * as tf from '@tensorflow/tfjs';
import type { HostOps } from './host-ops.js';

export interface AdamAttrs { lr: number; beta1: number; beta2: number; epsilon: number; scale: number; c1: number; c2: number }

export function sumSquares(ops: HostOps, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  return ops.compute(Object.values(inputs), [[]], (ins, [out]) => {
    let total = 0;
    for (const x of ins) total += sumOfSquares(x as Float32Array);
    out![0] = total;
  })[0]!;
}

function sumOfSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

export function adamUpdate(ops: HostOps, inputs: Record<string, tf.TensorInfo>, attrs: AdamAttrs): tf.TensorInfo[] {
  const shape = inputs.x!.shape;
  return ops.compute([inputs.x!, inputs.g!, inputs.m!, inputs.v!], [shape, shape, shape], ([x, g, m, v], [x1, m1, v1]) => {
    adamLoop(x as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, x1!, m1!, v1!,
      attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.scale, attrs.c1, attrs.c2);
  });
}

function adamLoop(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, x1: Float32Array, m1: Float32Array, v1: Float32Array,
  lr: number, beta1: number, beta2: number, epsilon: number, scale: number, c1: number, c2: number,
): void {
  const a1 = 1 - beta1, a2 = 1 - beta2;
  for (let i = 0; i < x.length; i++) {
    const gi = scale * g[i]!;
    m1[i] = beta1 * m[i]! + a1 * gi;
    v1[i] = beta2 * v[i]! + a2 * gi * gi;
    x1[i] = x[i]! - lr * (m1[i]! / c1) / (Math.sqrt(v1[i]! / c2) + epsilon);
  }
}
