/**
 * Stateless building blocks: embedding lookup, dense, concat, repeat over time, dropout.
 * Shapes in comments: B batch, T time, D/In/Out feature widths, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs';
import type { DenseParams, EmbeddingParams } from './params.js';
import type { Rng } from './rng.js';

export type Activation = 'none' | 'tanh' | 'relu' | 'sigmoid';

/** ids int32 [B, T] → [B, T, D]; [B] → [B, D]. Gradient: UnsortedSegmentSum (fixed on wasm/cpu). */
export function embedding(params: EmbeddingParams, ids: tf.Tensor2D): tf.Tensor3D;
export function embedding(params: EmbeddingParams, ids: tf.Tensor1D): tf.Tensor2D;
export function embedding(params: EmbeddingParams, ids: tf.Tensor): tf.Tensor;
export function embedding(params: EmbeddingParams, ids: tf.Tensor): tf.Tensor {
  return tf.gather(weightOf(params, 'weight'), ids);
}

/** x [..., In] → [..., Out]: one matMul over all leading positions (rank 3 is reshaped to [B·T, In]). */
export function dense(params: DenseParams, x: tf.Tensor3D, activation?: Activation): tf.Tensor3D;
export function dense(params: DenseParams, x: tf.Tensor2D, activation?: Activation): tf.Tensor2D;
export function dense(params: DenseParams, x: tf.Tensor, activation?: Activation): tf.Tensor;
export function dense(params: DenseParams, x: tf.Tensor, activation: Activation = 'none'): tf.Tensor {
  const weight = weightOf(params, 'weight');
  const bias = weightOf(params, 'bias');
  return tf.tidy(() => {
    const inSize = x.shape[x.rank - 1]!;
    const outSize = weight.shape[1]!;
    const flat = x.rank === 2 ? x : x.reshape([-1, inSize]);            // [B·T, In]
    const y = activate(tf.matMul(flat as tf.Tensor2D, weight as tf.Tensor2D).add(bias), activation); // [B·T, Out]
    return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), outSize]);
  });
}

export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'none': return x;
    case 'tanh': return tf.tanh(x);
    case 'relu': return tf.relu(x);
    case 'sigmoid': return tf.sigmoid(x);
  }
}

/** Concatenation along the feature axis (the last one). */
export function concatFeatures<T extends tf.Tensor>(xs: T[]): T {
  return xs.length === 1 ? (xs[0]!.clone() as T) : (tf.concat(xs, -1) as T);
}

/** x [B, D] → [B, T, D], the same vector at every step (gradient: one sum over T). */
export function repeatOverTime(x: tf.Tensor2D, steps: number): tf.Tensor3D {
  return tf.tidy(() => tf.broadcastTo(x.expandDims(1), [x.shape[0], steps, x.shape[1]]) as tf.Tensor3D);
}

/**
 * Inverted dropout: in training, zero each element with probability `rate` and scale the rest by
 * 1/(1−rate); the mask comes from `rng` (same seed → same mask). Outside training: x unchanged.
 * Returns a new tensor either way (callers may dispose x).
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, rng?: Rng): T {
  if (!training || rate <= 0) return x.clone();
  if (rate >= 1) return tf.zerosLike(x);
  if (rng === undefined) throw new Error('dropout: training with rate > 0 needs an Rng');
  const keep = 1 - rate;
  const scale = 1 / keep;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? scale : 0;
  return tf.tidy(() => x.mul(tf.tensor(mask, x.shape)) as T);
}

function weightOf(params: Record<string, tf.Variable>, name: string): tf.Variable {
  const w = params[name];
  if (w === undefined) throw new Error(`parameter '${name}' is missing (have: ${Object.keys(params).join(', ')})`);
  return w;
}
