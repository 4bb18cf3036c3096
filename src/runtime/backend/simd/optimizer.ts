/**
 * The fused optimizer kernels (`SeqloomSumSquares`, `SeqloomAdamUpdate`, optimizer-kernels.ts) on
 * the wasm backend with seqloom's SIMD kernels (kernels.c sum_squares_f32, adam_f32): the same
 * float64 math in the same order as the JS path (Adam's bias correction m'/c1, √(v'/c2) + ε, with
 * m', v' rounded to float32 first), on the heap in place.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from '../kernel-args.js';
import type { AdamAttrs } from '../optimizer-kernels.js';
import { heapOffset, type SimdExports, type WasmHeapBackend } from './loader.js';

type Backend = WasmBackend & WasmHeapBackend;

const size = (t: tf.TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

export function allFloat32(ts: tf.TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32');
}

export function sumSquaresSimd(k: SimdExports, backend: Backend, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  let total = 0;
  for (const x of Object.values(inputs)) {
    const n = size(x);
    if (n > 0) total += k.sum_squares_f32(heapOffset(backend, x), n);
  }
  const out = backend.makeOutput([], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array)[0] = total;
  return out;
}

export function adamUpdateSimd(k: SimdExports, backend: Backend, inputs: Record<string, tf.TensorInfo>, attrs: AdamAttrs): tf.TensorInfo[] {
  const shape = inputs.x!.shape;
  const outs = [0, 1, 2].map(() => backend.makeOutput(shape, 'float32'));
  const n = size(inputs.x!);
  if (n > 0) {
    const p = (t: tf.TensorInfo) => heapOffset(backend, t);
    k.adam_f32(p(inputs.x!), p(inputs.g!), p(inputs.m!), p(inputs.v!), p(outs[0]!), p(outs[1]!), p(outs[2]!), n,
      attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, attrs.scale, attrs.c1, attrs.c2);
  }
  return outs;
}
