/**
 * Transpose on the wasm backend through seqloom's SIMD module (kernels.c transpose32: 4×4 shuffle
 * blocks in 32×32 tiles; run copies when the last axis stays). tfjs-wasm's own kernel moves one
 * element at a time (2–4.5 ns each); it is used for every transposed matMul operand (kernels-wasm.ts
 * transposes first) and by the recurrences' [B, T, D] ↔ [T, B, D] swaps.
 *
 * Taken: float32/int32 (only bits move), 2-D [1, 0] and 3-D [1, 0, 2], [0, 2, 1]. Anything else
 * returns null: the stock kernel runs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from '../kernel-args.js';
import { heapOffset, type SimdExports, type WasmHeapBackend } from './loader.js';

type Backend = WasmBackend & WasmHeapBackend;

/** [batch, rows, cols, inner] of the swap `perm` makes of `shape`, or null when not one handled. */
export function transposeLayout(shape: readonly number[], perm: readonly number[]): [number, number, number, number] | null {
  const p = perm.join();
  if (shape.length === 2 && p === '1,0') return [1, shape[0]!, shape[1]!, 1];
  if (shape.length === 3 && p === '1,0,2') return [1, shape[0]!, shape[1]!, shape[2]!];
  if (shape.length === 3 && p === '0,2,1') return [shape[0]!, shape[1]!, shape[2]!, 1];
  return null;
}

export function transposeSimd(k: SimdExports, backend: Backend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo | null {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return null;
  const layout = transposeLayout(x.shape, perm);
  if (layout === null) return null;
  const out = backend.makeOutput(perm.map((i) => x.shape[i]!), x.dtype);
  const [batch, rows, cols, inner] = layout;
  if (batch * rows * cols * inner > 0) k.transpose32(heapOffset(backend, x), heapOffset(backend, out), batch, rows, cols, inner);
  return out;
}
