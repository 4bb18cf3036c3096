/**
 * `BatchMatMul` and `_FusedMatMul` on the wasm backend through the product library of
 * products.ts (a system BLAS), in place on the heap: op(A) and op(B) are read where they are
 * (transposes are the library's own, no copies), C is written into a fresh output. Each returns
 * null when the library does not take the product — none installed, too small, another dtype, a
 * batch broadcast other than "equal or one", an activation it does not fuse — and the caller
 * runs XNNPACK (kernels-wasm.ts).
 *
 * Batched products are one gemm call per matrix of the batch (A or B repeats when its batch is 1).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './kernel-args.js';
import { heapProducts, type ProductLibrary } from './products.js';
import { heapMemory, heapOffset, type WasmHeapBackend } from './simd/loader.js';

type Backend = WasmBackend & WasmHeapBackend;

const F = 4; // bytes per float32

interface Layout {
  lib: ProductLibrary; memory: object;
  m: number; n: number; k: number; batchA: number; batchB: number; batch: number; outShape: number[];
}

/** The product's dimensions when the library takes it, else null. */
function layoutOf(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): Layout | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) return null;                                 // the stock kernel reports it
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (batchA === batchB && tf.util.sizeFromShape(outer) !== batchA) return null; // [1,3] with [3,1]: a real broadcast
  const batch = Math.max(batchA, batchB);
  const lib = heapProducts(batch * m * n * k);
  const memory = heapMemory(backend);
  if (lib === null || memory === null) return null;
  return { lib, memory, m, n, k, batchA, batchB, batch, outShape: [...outer, m, n] };
}

/** out[i] = op(A[i])·op(B[i]) + beta·out[i] for every matrix of the batch (k > 0). */
function gemmBatch(
  backend: Backend, L: Layout, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean, out: tf.TensorInfo, beta: number,
): void {
  const { m, n, k } = L;
  const aAt = heapOffset(backend, a), bAt = heapOffset(backend, b), cAt = heapOffset(backend, out);
  const lda = Math.max(1, transA ? m : k), ldb = Math.max(1, transB ? k : n), ldc = Math.max(1, n);
  for (let i = 0; i < L.batch; i++) {
    const ai = L.batchA === 1 ? 0 : i, bi = L.batchB === 1 ? 0 : i;
    L.lib.gemm(L.memory, transA, transB, m, n, k, aAt + ai * m * k * F, lda, bAt + bi * k * n * F, ldb, beta, cAt + i * m * n * F, ldc);
  }
}

export function blasBatchMatMul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean): tf.TensorInfo | null {
  const L = layoutOf(backend, a, b, transA, transB);
  if (L === null) return null;
  const out = backend.makeOutput(L.outShape, 'float32');
  if (L.batch * L.m * L.n === 0) return out;
  if (L.k === 0) (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  else gemmBatch(backend, L, a, b, transA, transB, out, 0);
  return out;
}

/** Activations fused here (the rest: XNNPACK's fused kernel). */
const FUSED: Record<string, ((y: Float32Array) => void) | null> = {
  linear: null,
  relu: (y) => { for (let i = 0; i < y.length; i++) if (!(y[i]! > 0)) y[i] = 0; },
};

/**
 * `_FusedMatMul` with an optional rank-1 bias and a linear or relu activation: the bias is written
 * into every output row first and the product added onto it (beta = 1).
 */
export function blasFusedMatMul(
  backend: Backend, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>,
): tf.TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const activation = String(attrs.activation ?? 'linear');
  if (a === undefined || b === undefined || preluActivationWeights != null || !(activation in FUSED)) return null;
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1)) return null;
  const transA = attrs.transposeA === true, transB = attrs.transposeB === true;
  const L = layoutOf(backend, a, b, transA, transB);
  if (L === null || (bias != null && bias.shape[0] !== L.n && bias.shape[0] !== 1)) return null;
  const out = backend.makeOutput(L.outShape, 'float32');
  const rows = L.batch * L.m, n = L.n;
  if (rows * n === 0) return out;
  const y = backend.typedArrayFromHeap(out) as Float32Array;
  if (bias == null) y.fill(0);
  else fillRows(y, backend.typedArrayFromHeap(bias) as Float32Array, rows, n);
  if (L.k > 0) gemmBatch(backend, L, a, b, transA, transB, out, 1);
  FUSED[activation]?.(backend.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** y [rows, n] ← bias in every row (bias of length n, or 1 broadcast). */
function fillRows(y: Float32Array, bias: Float32Array, rows: number, n: number): void {
  if (bias.length === 1) { y.fill(bias[0]!); return; }
  y.set(bias, 0);
  let filled = 1;
  while (filled < rows) {                                    // doubling copies
    const count = Math.min(filled, rows - filled);
    y.copyWithin(filled * n, 0, count * n);
    filled += count;
  }
}

/** C = op(A)·op(B) + beta·C on heap byte offsets (see products.ts HeapGemm), on one backend's heap. */
export type BoundGemm = (
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
) => void;

/**
 * The product library bound to this backend's heap when it takes products of `multiplyAdds`
 * multiply-adds, for seqloom's own kernels (simd/recurrent.ts), which decide once per kernel call
 * by their largest product; null: multiply through the registered BatchMatMul (XNNPACK).
 */
export function heapGemmFor(backend: Backend, multiplyAdds: number): BoundGemm | null {
  const lib = heapProducts(multiplyAdds);
  const memory = lib === null ? null : heapMemory(backend);
  if (lib === null || memory === null) return null;
  return (transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc) => {
    lib.gemm(memory, transA, transB, m, n, k, a, Math.max(1, lda), b, Math.max(1, ldb), beta, c, Math.max(1, ldc));
  };
}
