/**
 * Which library multiplies float32 matrices on the wasm backend — the one place that decides and
 * reports it. By default XNNPACK (inside tfjs-backend-wasm, one thread, ~20 GFLOP/s) runs every
 * product. A Node-only installer (src/runtime/node/blas/) may hand over a system BLAS here: then
 * `BatchMatMul`, `_FusedMatMul` and the products inside seqloom's own kernels (recurrence steps and
 * their gradients) call its `sgemm` on the wasm heap, in place (byte offsets into tfjs's memory),
 * for every product of at least `minMultiplyAdds` multiply-adds; smaller ones stay on XNNPACK.
 *
 * Browser-safe: nothing here loads a library; a page simply never installs one.
 */

/**
 * C = op(A)·op(B) + beta·C on the heap of `memory` (a WebAssembly.Memory), row-major, float32;
 * a, b, c are byte offsets; op = transpose where asked; lda/ldb/ldc are row strides in elements
 * of A, B, C as stored. Synchronous; the heap must not grow during the call.
 */
export type HeapGemm = (
  memory: object, transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
) => void;

export interface ProductLibrary {
  /** What runs, for people: "OpenBLAS 0.3.21 (Haswell)". */
  name: string;
  /** The shared library's path. */
  path: string;
  /** Threads the library uses for a large product. */
  threads: number;
  gemm: HeapGemm;
}

/** A product library as installed, with the floor below which XNNPACK keeps a product. */
interface Installed extends ProductLibrary { minMultiplyAdds: number }

/**
 * Measured (bench/blas-threshold): one cblas_sgemm through koffi costs ~1 µs beyond its arithmetic
 * and OpenBLAS reaches ~90 GFLOP/s already at 64×32·32×96, where XNNPACK's kernel (tfjs dispatch
 * included) takes ~10 µs; below ~2k multiply-adds the two are within noise of each other.
 */
export const DEFAULT_MIN_MULTIPLY_ADDS = 2048;

let installed: Installed | null = null;
let enabled = true;
/** Why no library runs although one was asked for or found (one note, for the startup line). */
let note: string | null = null;

/** Hands the products to `library` (null: back to XNNPACK). Node-only code calls this. */
export function setProductLibrary(library: ProductLibrary | null, minMultiplyAdds = DEFAULT_MIN_MULTIPLY_ADDS): void {
  installed = library === null ? null : { ...library, minMultiplyAdds };
}

/** Records why a system library does not run (shown once, by the startup line and `seqloom doctor`). */
export function setProductNote(text: string | null): void {
  note = text;
}

export function productNote(): string | null {
  return note;
}

/** true (default): use the installed library; false: XNNPACK for every product (benchmarks, tests). */
export function setSystemProducts(on: boolean): void {
  enabled = on;
}

/** The library that runs products of `multiplyAdds` multiply-adds now, or null for XNNPACK. */
export function heapProducts(multiplyAdds: number): ProductLibrary | null {
  return enabled && installed !== null && multiplyAdds >= installed.minMultiplyAdds ? installed : null;
}

/** The installed library whatever its switch (for reports), or null. */
export function installedProducts(): ProductLibrary | null {
  return installed;
}

/** One phrase for the startup line: "OpenBLAS 0.3.21 (Haswell), 2 threads" or "XNNPACK, 1 thread". */
export function describeProducts(backend: string): string {
  if (backend !== 'wasm') return backend === 'node' ? 'TensorFlow (tfjs-node)' : 'JavaScript loops';
  const lib = enabled ? installed : null;
  if (lib === null) return 'XNNPACK (tfjs-backend-wasm), 1 thread';
  return `${lib.name}, ${lib.threads} thread${lib.threads === 1 ? '' : 's'}`;
}

/** The backend for the startup line: "wasm (products: OpenBLAS 0.3.21 (Haswell), 2 threads)"; other backends by name. */
export function describeBackend(backend: string): string {
  return backend === 'wasm' ? `${backend} (products: ${describeProducts(backend)})` : backend;
}
