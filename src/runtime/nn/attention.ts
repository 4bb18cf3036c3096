/**
 * Attention with d2l semantics (d2l.ai §11.3): scores over the keys, a masked softmax over each
 * row's valid key length (invalid scores set to −1e6, as d2l's `masked_softmax` does), and the
 * weighted sum of the values.
 *
 *   additive: score(q, k) = w_vᵀ tanh(W_q q + W_k k)       params `W_q.weight`, `W_k.weight`, `w_v.weight`
 *   dot:      score(q, k) = qᵀ k / √d                       no params (d = query width = key width)
 *
 * Parameter names are d2l's `AdditiveAttention` state_dict names (Linear layers without bias),
 * stored in compute layout [In, Out].
 */
import * as tf from '@tensorflow/tfjs';
import { uniformVariable, type ParamMap } from './params.js';
import type { Rng } from './rng.js';

export type AttentionKind = 'additive' | 'dot';
export type AttentionParams = ParamMap;

/** The value d2l's masked_softmax writes into masked scores. */
export const MASKED_SCORE = -1e6;

export function createAttentionParams(
  kind: AttentionKind, queryDim: number, keyDim: number, hidden: number, rng: Rng,
): AttentionParams {
  if (kind === 'dot') {
    if (queryDim !== keyDim) throw new Error(`dot attention needs equal query and key widths (${queryDim} ≠ ${keyDim})`);
    return {};
  }
  // nn.Linear's default init: U(-1/√In, 1/√In).
  return {
    'W_q.weight': uniformVariable([queryDim, hidden], 1 / Math.sqrt(queryDim), rng),
    'W_k.weight': uniformVariable([keyDim, hidden], 1 / Math.sqrt(keyDim), rng),
    'w_v.weight': uniformVariable([hidden, 1], 1 / Math.sqrt(hidden), rng),
  };
}

/**
 * keys [B, Tk, Dk] → W_k keys [B, Tk, h] for additive attention. The keys are fixed over a decoding
 * loop, so callers can project them once and pass `{ projectedKeys }` to every `attention` call.
 */
export function projectAttentionKeys(params: AttentionParams, keys: tf.Tensor3D): tf.Tensor3D {
  const wk = param(params, 'W_k.weight');
  const [b, tk, dk] = keys.shape;
  return tf.tidy(() => tf.matMul(keys.reshape([b * tk, dk]) as tf.Tensor2D, wk).reshape([b, tk, wk.shape[1]]) as tf.Tensor3D);
}

export interface AttentionOptions {
  /** `projectAttentionKeys(params, keys)`, computed once per sequence (additive only). */
  projectedKeys?: tf.Tensor3D;
}

/** query [B, Dq], keys [B, Tk, Dk], values [B, Tk, Dv], validLens int32 [B] → context [B, Dv], weights [B, Tk]. */
export function attention(
  kind: AttentionKind, params: AttentionParams, query: tf.Tensor2D, keys: tf.Tensor3D, values: tf.Tensor3D,
  validLens?: tf.Tensor1D, opts: AttentionOptions = {},
): { context: tf.Tensor2D; weights: tf.Tensor2D } {
  return tf.tidy(() => {
    const scores = kind === 'additive'
      ? additiveScores(params, query, opts.projectedKeys ?? projectAttentionKeys(params, keys))
      : dotScores(query, keys);
    const weights = maskedSoftmax(scores, validLens);                                   // [B, Tk]
    const context = tf.matMul(weights.expandDims(1) as tf.Tensor3D, values).squeeze([1]) as tf.Tensor2D; // [B, Dv]
    return { context, weights };
  });
}

/** Softmax over the last axis of scores [B, Tk], keys at or past validLens[b] excluded. */
export function maskedSoftmax(scores: tf.Tensor2D, validLens?: tf.Tensor1D): tf.Tensor2D {
  if (validLens === undefined) return tf.softmax(scores);
  return tf.tidy(() => {
    const [b, tk] = scores.shape;
    const valid = tf.less(tf.range(0, tk, 1, 'int32').reshape([1, tk]), validLens.cast('int32').reshape([b, 1]));
    return tf.softmax(tf.where(valid, scores, tf.fill([b, tk], MASKED_SCORE))) as tf.Tensor2D;
  });
}

function additiveScores(params: AttentionParams, query: tf.Tensor2D, projectedKeys: tf.Tensor3D): tf.Tensor2D {
  const [b, tk, hidden] = projectedKeys.shape;
  const q = tf.matMul(query, param(params, 'W_q.weight')).reshape([b, 1, hidden]);      // [B, 1, h]
  const features = tf.tanh(projectedKeys.add(q)).reshape([b * tk, hidden]) as tf.Tensor2D; // [B·Tk, h]
  return tf.matMul(features, param(params, 'w_v.weight')).reshape([b, tk]) as tf.Tensor2D;
}

function dotScores(query: tf.Tensor2D, keys: tf.Tensor3D): tf.Tensor2D {
  const [b, d] = query.shape;
  const scores = tf.matMul(keys, query.reshape([b, d, 1]) as tf.Tensor3D).squeeze([2]);   // [B, Tk]
  return scores.div(Math.sqrt(d)) as tf.Tensor2D;
}

function param(params: AttentionParams, name: string): tf.Tensor2D {
  const v = params[name];
  if (v === undefined) throw new Error(`attention parameter '${name}' is missing`);
  return v as tf.Tensor as tf.Tensor2D;
}
