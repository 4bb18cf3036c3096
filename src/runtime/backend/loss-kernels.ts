/**
 * Fused softmax cross-entropy (wasm, cpu), used by nn/loss.ts:
 *
 * `SeqloomSoftmaxCrossEntropy`      logits [N, V], labels int32 [N], weights [N] →
 *                                   [total (scalar) = Σ_n w_n · (log Σ_v e^{x_nv} − x_n,label), probs [N, V]]
 * `SeqloomSoftmaxCrossEntropyGrad`  probs, labels, weights, dy (scalar) → dlogits = dy · w_n · (p_n − onehot(label_n))
 * `SeqloomLogSoftmax`               logits [N, V] → log softmax [N, V] (decoding's log-probabilities)
 *
 * Through tfjs ops the same loss is logSoftmax (max, sub, exp, sum, log, sub), a one-hot [N, V]
 * tensor, a product and three sums, and its gradient as many again — each a pass over [N, V].
 * Here: one pass for the row maxima, one exp, one normalization; the gradient is one pass.
 * exp goes through the backend (host-ops.ts: on wasm as σ(z)/(1 − σ(z)) with the SIMD σ, since
 * wasm's Exp is a scalar loop); z = x − max ≤ 0, so 1 − σ(z) ≥ ½ and the quotient loses nothing.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HostOps } from './host-ops.js';

export function softmaxCrossEntropy(ops: HostOps, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const [N, V] = inputs.logits!.shape as [number, number];
  const z = ops.copy(inputs.logits!) as Float32Array;               // becomes the probabilities
  const labels = ops.read(inputs.labels!) as Int32Array;
  const weights = ops.read(inputs.weights!) as Float32Array;
  const picked = new Float64Array(N);                                // x_label − max per row
  shiftByRowMax(z, labels, picked, N, V);
  ops.expOfNonPositive(z);
  const total = normalizeRows(z, weights, picked, N, V);
  return [ops.make([], Float32Array.of(total)), ops.make([N, V], z)];
}

/** z_n ← z_n − max(z_n); picked_n = z_n,label after the shift. */
function shiftByRowMax(z: Float32Array, labels: Int32Array, picked: Float64Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const at = n * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (z[at + v]! > max) max = z[at + v]!;
    for (let v = 0; v < V; v++) z[at + v] = z[at + v]! - max;
    const label = labels[n]!;
    picked[n] = label >= 0 && label < V ? z[at + label]! : 0;
  }
}

/** e_n ← e_n / Σ e_n (the softmax); returns Σ_n w_n (log Σ e_n − picked_n). */
function normalizeRows(e: Float32Array, weights: Float32Array, picked: Float64Array, N: number, V: number): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const at = n * V;
    let sum = 0;
    for (let v = 0; v < V; v++) sum += e[at + v]!;
    const inv = 1 / sum;
    for (let v = 0; v < V; v++) e[at + v] = e[at + v]! * inv;
    if (weights[n] !== 0) total += weights[n]! * (Math.log(sum) - picked[n]!);
  }
  return total;
}

export function softmaxCrossEntropyGrad(ops: HostOps, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const shape = inputs.probs!.shape;
  return ops.compute([inputs.probs!, inputs.labels!, inputs.weights!, inputs.dy!], [shape], ([p, labels, w, dy], [out]) => {
    gradRows(p as Float32Array, labels as Int32Array, w as Float32Array, dy![0]!, out!, shape[0]!, shape[1]!);
  })[0]!;
}

function gradRows(p: Float32Array, labels: Int32Array, w: Float32Array, dy: number, out: Float32Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const at = n * V;
    const s = dy * w[n]!;
    if (s === 0) {
      out.fill(0, at, at + V);
      continue;
    }
    for (let v = 0; v < V; v++) out[at + v] = s * p[at + v]!;
    const label = labels[n]!;
    if (label >= 0 && label < V) out[at + label] = s * (p[at + label]! - 1);
  }
}

/** log softmax per row: z − log Σ e^z with z = x − max (one exp pass over [N, V]). */
export function logSoftmaxRows(ops: HostOps, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const [N, V] = inputs.logits!.shape as [number, number];
  const z = ops.copy(inputs.logits!) as Float32Array;
  const picked = new Float64Array(N);
  shiftByRowMax(z, new Int32Array(N).fill(-1), picked, N, V);
  const e = z.slice();
  ops.expOfNonPositive(e);
  subtractLogSums(z, rowSums(e, N, V), N, V);
  return ops.make([N, V], z);
}

/** Σ_v e_nv per row, in float64. */
export function rowSums(e: Float32Array, N: number, V: number): Float64Array {
  const sums = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let sum = 0;
    for (let v = n * V; v < (n + 1) * V; v++) sum += e[v]!;
    sums[n] = sum;
  }
  return sums;
}

/** z_n ← z_n − log sums_n. */
export function subtractLogSums(z: Float32Array, sums: Float64Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const log = Math.log(sums[n]!);
    for (let v = n * V; v < (n + 1) * V; v++) z[v] = z[v]! - log;
  }
}
