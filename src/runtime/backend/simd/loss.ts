/**
 * The fused softmax cross-entropy (`SeqloomSoftmaxCrossEntropy` / `…Grad`, loss-kernels.ts) on the
 * wasm backend with seqloom's SIMD kernels (kernels.c softmax_xent_fwd / _bwd): same inputs,
 * outputs and math as the JS path — row max, z = x − max, e = exp(z) (the module's exp, as
 * accurate as the JS path's σ/(1 − σ)), Σ e and the normalization in float64, the loss
 * Σ_n w_n (log Σ e − z_label) over rows with w_n ≠ 0 — working in place on the heap (no copies).
 * The module has no log: it hands back each row's Σ e and z_label, and the N logs are taken here.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from '../kernel-args.js';
import { heapOffset, type SimdExports, type WasmHeapBackend } from './loader.js';

type Backend = WasmBackend & WasmHeapBackend;

/** Whether the SIMD kernels take these inputs (else the JS path runs). */
export function simdLossApplies(inputs: Record<string, tf.TensorInfo>, probsName: 'logits' | 'probs'): boolean {
  const p = inputs[probsName]!;
  return p.dtype === 'float32' && p.shape.length === 2 && p.shape[0]! > 0 && p.shape[1]! > 0 &&
    inputs.labels!.dtype === 'int32' && inputs.weights!.dtype === 'float32';
}

export function softmaxCrossEntropySimd(k: SimdExports, backend: Backend, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const logits = inputs.logits!;
  const [N, V] = logits.shape as [number, number];
  const probs = backend.makeOutput([N, V], 'float32');
  const stats = backend.makeOutput([4 * N + 2], 'float32');  // 2N float64, from an 8-byte boundary
  const at = heapOffset(backend, stats);
  const aligned = at + (at & 4);                              // offsets are multiples of 4
  k.softmax_xent_fwd(heapOffset(backend, logits), heapOffset(backend, inputs.labels!), heapOffset(backend, probs), aligned, N, V);
  const heap = (backend.typedArrayFromHeap(stats) as Float32Array).buffer;
  const s = new Float64Array(heap, aligned, 2 * N);
  const w = backend.typedArrayFromHeap(inputs.weights!) as Float32Array;
  let total = 0;
  for (let n = 0; n < N; n++) if (w[n] !== 0) total += w[n]! * (Math.log(s[2 * n]!) - s[2 * n + 1]!);
  backend.disposeData(stats.dataId as object);
  const out = backend.makeOutput([], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array)[0] = total;
  return [out, probs];
}

export function softmaxCrossEntropyGradSimd(k: SimdExports, backend: Backend, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const probs = inputs.probs!;
  const [N, V] = probs.shape as [number, number];
  const dy = (backend.typedArrayFromHeap(inputs.dy!) as Float32Array)[0]!;
  const out = backend.makeOutput([N, V], 'float32');
  k.softmax_xent_bwd(heapOffset(backend, probs), heapOffset(backend, inputs.labels!), heapOffset(backend, inputs.weights!), dy,
    heapOffset(backend, out), N, V);
  return out;
}

/**
 * `SeqloomLogSoftmax` with the SIMD softmax (softmax_xent_fwd gives each row's Σ e^(x − max)):
 * log p = x − (max + log Σ), with the row max taken again here (a comparison pass; rebuilding it
 * from the kernel's x_label − max would cost an ulp of |x|).
 */
export function logSoftmaxSimd(k: SimdExports, backend: Backend, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const logits = inputs.logits!;
  const [N, V] = logits.shape as [number, number];
  const probs = backend.makeOutput([N, V], 'float32');
  const labels = backend.makeOutput([N], 'int32');
  const stats = backend.makeOutput([4 * N + 2], 'float32');
  const out = backend.makeOutput([N, V], 'float32');
  (backend.typedArrayFromHeap(labels) as Int32Array).fill(0);
  const at = heapOffset(backend, stats);
  const aligned = at + (at & 4);
  k.softmax_xent_fwd(heapOffset(backend, logits), heapOffset(backend, labels), heapOffset(backend, probs), aligned, N, V);
  const s = new Float64Array((backend.typedArrayFromHeap(stats) as Float32Array).buffer, aligned, 2 * N);
  const x = backend.typedArrayFromHeap(logits) as Float32Array;
  const y = backend.typedArrayFromHeap(out) as Float32Array;
  shiftRows(x, y, s, N, V);
  for (const t of [probs, labels, stats]) backend.disposeData(t.dataId as object);
  return out;
}

/** y_n = x_n − (max_n + log Σ_n), Σ_n = s[2n]. */
function shiftRows(x: Float32Array, y: Float32Array, s: Float64Array, N: number, V: number): void {
  for (let n = 0; n < N; n++) {
    const at = n * V;
    let max = -Infinity;
    for (let v = at; v < at + V; v++) if (x[v]! > max) max = x[v]!;
    const log = Math.log(s[2 * n]!);
    for (let v = at; v < at + V; v++) y[v] = (x[v]! - max) - log;
  }
}
