import * as tf from '@tensorflow/tfjs';

/**
 * `tf.unstack` along axis 0, safe to differentiate when that axis has size 1.
 *
 * tfjs's Unpack gradient calls `stack(dy)` and receives a lone tensor (not an array) when the op had
 * a single output, so a one-layer state or a one-step sequence broke backprop ("Argument tensors
 * passed to stack must be a `Tensor[]`"). A reshape has a well-behaved gradient.
 */
export function unstackRows<R extends tf.Rank>(t: tf.Tensor): tf.Tensor<R>[] {
  if (t.shape[0] === 1) return [t.reshape(t.shape.slice(1)) as tf.Tensor<R>];
  return tf.unstack(t) as tf.Tensor<R>[];
}
