/**
 * Plain typed-array routines behind seqloom's kernel fixes (kernels.ts): they read inputs through
 * views and write each output once, so their cost is the size of what they produce.
 */
export type NumericArray = Float32Array | Int32Array | Uint8Array;

/**
 * Copies `len` elements x[from…] → out[to…]. Short runs go by plain loop; from ~32 elements on,
 * subarray+set (a native copy) wins despite allocating a view (measured in Node 20).
 */
function copyRun(x: NumericArray, from: number, out: NumericArray, to: number, len: number): void {
  if (len < 32) {
    for (let k = 0; k < len; k++) out[to + k] = x[from + k]!;
  } else {
    out.set(x.subarray(from, from + len), to);
  }
}

function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}

/**
 * out[s, …] += x[i, …] for every row i with segment s = ids[i] in [0, numSegments); other ids are
 * dropped (TensorFlow's semantics). `out` must start zeroed. x is [ids.length, …inner].
 */
export function addSegments(x: NumericArray, ids: NumericArray, numSegments: number, out: NumericArray): void {
  const n = ids.length;
  if (n === 0) return;
  const inner = x.length / n;
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) out[dst + k] += x[src + k]!;
  }
}

/** out = x[begin : begin + size] for a row-major x of `shape`. */
export function copySlice(
  x: NumericArray, shape: readonly number[], begin: readonly number[], size: readonly number[], out: NumericArray,
): void {
  const rank = shape.length;
  if (product(size) === 0) return;
  // The innermost axes taken whole, plus the first partial one, form contiguous runs.
  let j = rank - 1;
  let run = 1;
  while (j >= 0 && size[j] === shape[j]) run *= shape[j--]!;
  if (j < 0) {
    copyRun(x, 0, out, 0, run);
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const runLen = run * size[j]!;
  const runBase = begin[j]! * strides[j]!;
  // Odometer over the axes before j.
  const idx = new Array<number>(j).fill(0);
  const runs = product(size.slice(0, j));
  let to = 0;
  for (let r = 0; r < runs; r++) {
    let from = runBase;
    for (let a = 0; a < j; a++) from += (begin[a]! + idx[a]!) * strides[a]!;
    copyRun(x, from, out, to, runLen);
    to += runLen;
    for (let a = j - 1; a >= 0; a--) {
      if (++idx[a]! < size[a]!) break;
      idx[a] = 0;
    }
  }
}

/** outs[i] = x's slice i along `axis` (that axis removed): tf.unstack. */
export function unpackSegments(x: NumericArray, shape: readonly number[], axis: number, outs: NumericArray[]): void {
  const outer = product(shape.slice(0, axis));
  const n = shape[axis]!;
  const inner = product(shape.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) copyRun(x, (o * n + i) * inner, outs[i]!, o * inner, inner);
  }
}

/** outs[j] = consecutive pieces of x along `axis` with the given sizes: tf.split. */
export function splitSegments(
  x: NumericArray, shape: readonly number[], axis: number, sizes: readonly number[], outs: NumericArray[],
): void {
  const outer = product(shape.slice(0, axis));
  const dim = shape[axis]!;
  const inner = product(shape.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    let offset = 0;
    for (let j = 0; j < sizes.length; j++) {
      const len = sizes[j]! * inner;
      copyRun(x, (o * dim + offset) * inner, outs[j]!, o * len, len);
      offset += sizes[j]!;
    }
  }
}

/** out = the inputs joined along `axis` (shapes equal except on that axis): tf.concat. */
export function concatSegments(
  xs: NumericArray[], shapes: readonly (readonly number[])[], axis: number, out: NumericArray,
): void {
  const outer = product(shapes[0]!.slice(0, axis));
  const inner = shapes.map((s) => product(s.slice(axis)));
  const rowLen = inner.reduce((a, b) => a + b, 0);
  for (let o = 0; o < outer; o++) {
    let to = o * rowLen;
    for (let i = 0; i < xs.length; i++) {
      copyRun(xs[i]!, o * inner[i]!, out, to, inner[i]!);
      to += inner[i]!;
    }
  }
}

/** out[o, n, …] = x[o, ids[n], …] for x of `shape` gathered along `axis` (ids already in range). */
export function gatherRuns(x: NumericArray, ids: NumericArray, shape: readonly number[], axis: number, out: NumericArray): void {
  const outer = product(shape.slice(0, axis));
  const dim = shape[axis]!;
  const inner = product(shape.slice(axis + 1));
  const n = ids.length;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) copyRun(x, (o * dim + ids[i]!) * inner, out, (o * n + i) * inner, inner);
  }
}
