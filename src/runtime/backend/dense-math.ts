/**
 * Plain typed-array math behind seqloom's cpu kernel fixes (kernels-cpu.ts): broadcasting binary
 * ops, transpose and matrix products, each walking memory with an odometer over precomputed strides
 * (tfjs-backend-cpu converts every element's index to a coordinate array and back).
 */
import type { NumericArray } from './copy.js';

function sizeOf(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Strides of `shape` read as `outShape` (right-aligned; 0 on broadcast axes). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]!));
}

/**
 * Visits out[0…size) in row-major order of `outShape`, calling inner(o, offsets, count) once per
 * innermost row with each source's offset at that row's start.
 */
function walkRows(
  outShape: readonly number[], sourceStrides: number[][],
  inner: (o: number, offsets: number[], count: number) => void,
): void {
  const rank = outShape.length;
  const size = sizeOf(outShape);
  if (size === 0) return;
  const count = rank === 0 ? 1 : outShape[rank - 1]!;
  const offsets = sourceStrides.map(() => 0);
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let o = 0; o < size; o += count) {
    inner(o, offsets, count);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let s = 0; s < offsets.length; s++) offsets[s]! += sourceStrides[s]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let s = 0; s < offsets.length; s++) offsets[s]! -= sourceStrides[s]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

export type BinaryOp = (x: number, y: number) => number;

/** out[i] = op(a[…], b[…]) with NumPy broadcasting of aShape and bShape to outShape. */
export function broadcastBinary(
  a: NumericArray, aShape: readonly number[], b: NumericArray, bShape: readonly number[],
  outShape: readonly number[], op: BinaryOp, out: NumericArray,
): void {
  const aStr = broadcastStrides(aShape, outShape);
  const bStr = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  const aStep = last >= 0 ? aStr[last]! : 0;
  const bStep = last >= 0 ? bStr[last]! : 0;
  walkRows(outShape, [aStr, bStr], (o, [ao, bo], count) => {
    for (let k = 0; k < count; k++) out[o + k] = op(a[ao! + k * aStep]!, b[bo! + k * bStep]!);
  });
}

/** out = x with axes permuted: out axis i is x axis perm[i]. */
export function transposeArray(x: NumericArray, shape: readonly number[], perm: readonly number[], out: NumericArray): void {
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const str = perm.map((p) => inStrides[p]!);
  const step = str.length > 0 ? str[str.length - 1]! : 0;
  walkRows(outShape, [str], (o, [xo], count) => {
    for (let k = 0; k < count; k++) out[o + k] = x[xo! + k * step]!;
  });
}

/**
 * Batched out[b] = op(A[b]) · op(B[b]) with op = transpose where asked; A has batchA matrices, B
 * batchB (1 broadcasts). Rows of B are walked contiguously (i-k-j order, sums in float64); a
 * transposed B is transposed once up front. out holds max(batchA, batchB)·m·n values.
 */
export function matMulArray(
  a: Float32Array, b: Float32Array, batchA: number, batchB: number, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, out: Float32Array,
): void {
  let bRowMajor = b;
  if (transposeB) {
    bRowMajor = new Float32Array(b.length);
    transposeArray(b, [batchB, n, k], [0, 2, 1], bRowMajor);                  // → [batchB, k, n]
  }
  const batch = Math.max(batchA, batchB);
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aBase = (batchA === 1 ? 0 : t) * m * k;
    const bBase = (batchB === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = transposeA ? a[aBase + p * m + i]! : a[aBase + i * k + p]!;
        const bRow = bBase + p * n;
        for (let j = 0; j < n; j++) acc[j] += aip * bRowMajor[bRow + j]!;
      }
      out.set(acc, (t * m + i) * n);
    }
  }
}
