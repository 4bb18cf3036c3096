/**
 * One optimization step: gradients of the loss over the variables (tf.variableGrads), global-norm
 * clipping g ← min(1, θ/‖g‖)·g over ALL parameters together (as d2l's grad_clipping and PyTorch's
 * clip_grad_norm_ do), then the optimizer's update. Every intermediate tensor is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { applyFusedAdam, sumOfSquares } from './fused-adam.js';

export type OptimizerName = 'adam' | 'sgd';
export interface OptimizerOptions { name: OptimizerName; lr: number }

/**
 * tfjs's Adam and SGD. Adam uses PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8; tfjs would take
 * ε 1e-7), so a step moves weights as torch.optim.Adam does.
 */
export function createOptimizer(opts: OptimizerOptions): tf.Optimizer {
  switch (opts.name) {
    case 'adam': return tf.train.adam(opts.lr, 0.9, 0.999, 1e-8);
    case 'sgd': return tf.train.sgd(opts.lr);
  }
}

/** ‖g‖ = sqrt(Σ over tensors Σ g²), as a scalar tensor. */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  });
}

/** min(1, θ/‖g‖): the factor global-norm clipping scales every gradient by. */
export function clipScale(norm: number, theta: number): number {
  return norm > theta ? theta / norm : 1;
}

function readNorm(grads: readonly tf.Tensor[]): number {
  return Math.sqrt(sumOfSquares(grads));
}

/**
 * g ← min(1, θ/‖g‖)·g. Returns new tensors (the caller still owns and disposes `grads`) and the
 * norm before clipping.
 */
export function clipByGlobalNorm<K extends string>(
  grads: Record<K, tf.Tensor>, theta: number,
): { grads: Record<K, tf.Tensor>; norm: number } {
  const names = Object.keys(grads) as K[];
  const norm = readNorm(names.map((k) => grads[k]));
  const scale = clipScale(norm, theta);
  const clipped = {} as Record<K, tf.Tensor>;
  for (const k of names) clipped[k] = scale === 1 ? grads[k].clone() : tf.mul(grads[k], scale);
  return { grads: clipped, norm };
}

/**
 * loss = lossFn(); gradients over `vars`; clip (θ = clipNorm, null = no clipping); apply. With tfjs
 * Adam on wasm/cpu, the norm and the update run as fused kernels (fused-adam.ts).
 * Returns the loss and the gradient norm before clipping.
 */
export function trainStep(
  lossFn: () => tf.Scalar, vars: tf.Variable[], optimizer: tf.Optimizer, clipNorm: number | null,
): { loss: number; gradNorm: number } {
  const { value, grads } = tf.variableGrads(lossFn, vars);
  try {
    const gradNorm = readNorm(Object.values(grads));
    const scale = clipNorm === null ? 1 : clipScale(gradNorm, clipNorm);
    if (!applyFusedAdam(optimizer, grads, scale)) applyScaled(optimizer, grads, scale);
    return { loss: value.dataSync()[0]!, gradNorm };
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/** optimizer.applyGradients(scale · grads), without a copy when scale is 1. */
function applyScaled(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, scale: number): void {
  if (scale === 1) {
    optimizer.applyGradients(grads);
    return;
  }
  const scaled = tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
  try {
    optimizer.applyGradients(scaled);
  } finally {
    tf.dispose(Object.values(scaled));
  }
}
