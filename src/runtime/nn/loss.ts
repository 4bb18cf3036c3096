/**
 * Masked softmax cross-entropy over the valid target tokens (padding positions, t ≥ length, are
 * excluded) and the sequence mask behind it.
 * Perplexity = exp(mean) (metrics' `perplexity`).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossResult } from '../module.js';

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
  for (const n of lengths.dataSync()) count += Math.max(0, Math.min(n, steps));
  const [sum, mean] = tf.tidy(() => {
    const logp = tf.logSoftmax(logits.reshape([batch * steps, vocab]));               // [B·T, V]
    const picked = tf.sum(logp.mul(tf.oneHot(labels.reshape([batch * steps]).cast('int32'), vocab)), 1); // [B·T]
    const mask = sequenceMask(lengths, steps).reshape([batch * steps]);
    const total = tf.neg(tf.sum(picked.mul(mask))) as tf.Scalar;
    return [total, total.div(Math.max(count, 1)) as tf.Scalar];
  });
  return { mean, sum, count };
}
