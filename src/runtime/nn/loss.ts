/**
 * Masked softmax cross-entropy over the valid target tokens (padding positions, t ≥ length, are
 * excluded) and the sequence mask behind it.
 * Perplexity = exp(mean) (metrics' `perplexity`).
 */
import * as tf from '@tensorflow/tfjs';
import { LOG_SOFTMAX, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from '../backend/kernels-fused.js';
import type { LossResult } from '../module.js';
import { dense, type Activation } from './layers.js';
import type { DenseParams } from './params.js';

let fusedEnabled = true;

/** Turns the fused cross-entropy kernels off (true: on, the default) — for benchmarks measuring them. */
export function setFusedLoss(on: boolean): void {
  fusedEnabled = on;
}

let validRowsEnabled = true;

/**
 * Turns maskedDenseCrossEntropy's valid-rows-only output layer off (false: the layer runs on every
 * position, then maskedCrossEntropy) — for benchmarks measuring what it buys. On by default.
 */
export function setValidRowsLoss(on: boolean): void {
  validRowsEnabled = on;
}

/** float32 [B, T]: 1 where t < lengths[b], else 0. (tfjs has no tf.sequenceMask.) */
export function sequenceMask(lengths: tf.Tensor1D, steps: number): tf.Tensor2D {
  return tf.tidy(() => tf.less(
    tf.range(0, steps, 1, 'int32').reshape([1, steps]),
    lengths.cast('int32').reshape([lengths.shape[0], 1]),
  ).cast('float32') as tf.Tensor2D);
}

/**
 * logits [B, T, V], labels int32 [B, T], lengths int32 [B] →
 * sum = Σ over valid tokens of −log softmax(logits)[label], count = number of valid tokens,
 * mean = sum / count (0 when count is 0).
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, labels: tf.Tensor2D, lengths: tf.Tensor1D): LossResult {
  const [batch, steps, vocab] = logits.shape;
  if (labels.shape[0] !== batch || labels.shape[1] !== steps) {
    throw new Error(`maskedCrossEntropy: labels [${labels.shape}] do not match logits [${logits.shape}]`);
  }
  let count = 0;
  const lens = lengths.dataSync();
  for (const n of lens) count += Math.max(0, Math.min(n, steps));
  if (hasFusedLoss()) {
    const weights = new Float32Array(batch * steps);                                  // the mask, built here
    lens.forEach((n, b) => weights.fill(1, b * steps, b * steps + Math.max(0, Math.min(n, steps))));
    return tidyLoss(() => fusedLoss(logits.reshape([batch * steps, vocab]), labels.reshape([batch * steps]) as tf.Tensor1D, tf.tensor1d(weights), count));
  }
  const [sum, mean] = tf.tidy(() => {
    const logp = tf.logSoftmax(logits.reshape([batch * steps, vocab]));               // [B·T, V]
    const picked = tf.sum(logp.mul(tf.oneHot(labels.reshape([batch * steps]).cast('int32'), vocab)), 1); // [B·T]
    const mask = sequenceMask(lengths, steps).reshape([batch * steps]);
    const total = tf.neg(tf.sum(picked.mul(mask))) as tf.Scalar;
    return [total, total.div(Math.max(count, 1)) as tf.Scalar];
  });
  return { mean, sum, count };
}

/**
 * The output layer and the masked loss in one: x [B, T, In] → dense at the valid positions only
 * (t < lengths[b]) → cross-entropy against labels [B, T]. Equals
 * `maskedCrossEntropy(dense(params, x, activation), labels, lengths)`, but the output layer — a
 * seq2seq step's widest product, In × V per row — and the softmax run on the valid rows alone, not
 * on padding whose loss is masked away.
 */
export function maskedDenseCrossEntropy(
  params: DenseParams, activation: Activation, x: tf.Tensor3D, labels: tf.Tensor2D, lengths: tf.Tensor1D,
): LossResult {
  const [batch, steps, inSize] = x.shape;
  if (labels.shape[0] !== batch || labels.shape[1] !== steps) {
    throw new Error(`maskedDenseCrossEntropy: labels [${labels.shape}] do not match features [${x.shape}]`);
  }
  const lens = lengths.dataSync();
  const rows: number[] = [];
  lens.forEach((n, b) => { for (let t = 0; t < Math.min(n, steps); t++) rows.push(b * steps + t); });
  if (!validRowsEnabled || rows.length === 0 || rows.length === batch * steps) {
    return tidyLoss(() => maskedCrossEntropy(dense(params, x, activation), labels, lengths));
  }
  return tidyLoss(() => {
    const index = tf.tensor1d(rows, 'int32');
    const logits = dense(params, tf.gather(x.reshape([batch * steps, inSize]) as tf.Tensor2D, index), activation); // [N, V]
    const picked = tf.gather(labels.reshape([batch * steps]), index) as tf.Tensor1D;                               // [N]
    if (hasFusedLoss()) return fusedLoss(logits, picked, tf.ones([rows.length]) as tf.Tensor1D, rows.length);
    const logp = tf.logSoftmax(logits);
    const sum = tf.neg(tf.sum(logp.mul(tf.oneHot(picked.cast('int32') as tf.Tensor1D, logits.shape[1])))) as tf.Scalar;
    return { sum, mean: sum.div(rows.length) as tf.Scalar, count: rows.length };
  });
}

/** tf.tidy keeping a LossResult's tensors (its count is a plain number). */
function tidyLoss(fn: () => LossResult): LossResult {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as LossResult;
}

function hasFusedLoss(): boolean {
  return fusedEnabled && tf.getKernel(SOFTMAX_CROSS_ENTROPY, tf.getBackend()) !== undefined;
}

/** Loss over rows through the fused kernels: weights 1 for counted rows, 0 for masked ones. */
function fusedLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, count: number): LossResult {
  const sum = fusedCrossEntropy(logits, labels.cast('int32') as tf.Tensor1D, weights);
  return { sum, mean: sum.div(Math.max(count, 1)) as tf.Scalar, count };
}

/**
 * Σ_n w_n · (−log softmax(x_n)[label_n]) as one differentiable op over two fused kernels
 * (backend/loss-kernels.ts): the forward keeps the softmax for the backward, p − onehot.
 */
function fusedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const x = args[0] as tf.Tensor;
    const [total, probs] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits: x, labels, weights }, {}) as tf.Tensor[];
    save([probs!, labels, weights]);
    return {
      value: total!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, l, w] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { probs: p, labels: l, weights: w, dy }, {}) as tf.Tensor;
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/**
 * log softmax over the last axis of logits [N, V] (decoding's log-probabilities): one fused kernel
 * where the backend has it (wasm: the SIMD softmax; tfjs's op is six kernels, each a pass over
 * [N, V]), else tf.logSoftmax. Differentiable: d x = dy − softmax · Σ dy.
 */
export function logSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  if (!fusedEnabled || tf.getKernel(LOG_SOFTMAX, tf.getBackend()) === undefined || logits.shape[0] === 0 || logits.shape[1] === 0) {
    return tf.logSoftmax(logits);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const y = tf.engine().runKernel(LOG_SOFTMAX, { logits: args[0] as tf.Tensor }, {}) as tf.Tensor2D;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => dy.sub(tf.exp(saved[0]!).mul(dy.sum(-1, true)))),
    };
  });
  return op(logits) as tf.Tensor2D;
}
