/**
 * Decides, once per process, which library runs the wasm backend's products, and installs it in
 * products.ts: the system BLAS SEQLOOM_BLAS asks for (candidates.ts), checked on a small product
 * in every transposition before it is trusted, with its thread count set; or none, and XNNPACK
 * stays. Nothing here throws: a missing koffi, a library that does not load, lacks `cblas_sgemm`
 * or multiplies wrongly leaves XNNPACK in place with one note (products.ts productNote).
 */
import { availableParallelism } from 'node:os';
import { setProductLibrary, setProductNote } from '../../backend/products.js';
import { blasCandidates, blasRequest, threadsRequest } from './candidates.js';
import { loadBlas, loadKoffi, type LoadedBlas } from './koffi-blas.js';

export interface ProductsStatus {
  /** SEQLOOM_BLAS as understood: 'auto', 'off' or the path asked for. */
  request: string;
  /** The library installed, or null (XNNPACK runs every product). */
  library: LoadedBlas | null;
  /** Each library tried and why it was not taken. */
  rejected: Array<{ path: string; why: string }>;
  /** One line for the user when a library was asked for or found but does not run; else null. */
  note: string | null;
}

let status: ProductsStatus | null = null;

/** Installs the system BLAS (once; later calls return the first decision). */
export function installSystemProducts(env: NodeJS.ProcessEnv = process.env): ProductsStatus {
  if (status !== null) return status;
  status = decide(env);
  setProductLibrary(status.library);
  setProductNote(status.note);
  return status;
}

/** Forgets the decision and uninstalls the library (tests try several SEQLOOM_BLAS values). */
export function resetSystemProducts(): void {
  status = null;
  setProductLibrary(null);
  setProductNote(null);
}

function decide(env: NodeJS.ProcessEnv): ProductsStatus {
  const request = blasRequest(env.SEQLOOM_BLAS);
  const label = request.kind === 'path' ? request.path : request.kind;
  if (request.kind === 'off') return { request: label, library: null, rejected: [], note: null };
  const koffi = loadKoffi();
  if (typeof koffi === 'string') {
    return { request: label, library: null, rejected: [], note: `system BLAS not used: ${koffi}; products run on XNNPACK` };
  }
  const paths = request.kind === 'path' ? [request.path] : blasCandidates();
  const rejected: ProductsStatus['rejected'] = [];
  for (const path of paths) {
    const lib = loadBlas(koffi, path);
    const why = typeof lib === 'string' ? lib : selfCheck(lib);
    if (why === null && typeof lib !== 'string') {
      setThreads(lib, env);
      return { request: label, library: lib, rejected, note: null };
    }
    rejected.push({ path, why: why! });
  }
  // auto: a candidate that is simply absent is no news; one that loads but fails is worth a line.
  const failed = rejected.filter((r) => request.kind === 'path' || !/cannot load/.test(r.why));
  const note = failed.length === 0 ? null
    : `${request.kind === 'path' ? `SEQLOOM_BLAS=${request.path}` : 'system BLAS'} not used (${failed[0]!.why}); products run on XNNPACK`;
  return { request: label, library: null, rejected, note };
}

function setThreads(lib: LoadedBlas, env: NodeJS.ProcessEnv): void {
  const cores = availableParallelism();
  const wanted = threadsRequest(env.SEQLOOM_BLAS_THREADS) ?? lib.currentThreads() ?? cores;
  lib.setThreads(Math.max(1, Math.min(wanted, cores)));
}

/**
 * op(A)·op(B) + beta·C for a 3×5·5×4 product in all four transpositions, on a memory of its own,
 * against a plain loop. Returns why the library fails, or null.
 */
function selfCheck(lib: LoadedBlas): string | null {
  const api = (globalThis as { WebAssembly?: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  if (api === undefined) return 'no WebAssembly';
  const memory = new api.Memory({ initial: 1 });
  const heap = new Float32Array(memory.buffer);
  const m = 3, n = 4, k = 5;
  const A = 0, B = 64, C = 128;                             // float offsets: A [3·5], B [5·4], C [3·4]
  for (let i = 0; i < 40; i++) heap[A + i] = ((i * 7) % 11) - 5;
  for (let i = 0; i < 40; i++) heap[B + i] = ((i * 5) % 13) - 6;
  try {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        heap.fill(1, C, C + m * n);
        lib.gemm(memory, transA, transB, m, n, k, A * 4, transA ? m : k, B * 4, transB ? k : n, 0.5, C * 4, n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0.5;
            for (let p = 0; p < k; p++) s += heap[A + (transA ? p * m + i : i * k + p)]! * heap[B + (transB ? j * k + p : p * n + j)]!;
            if (Math.abs(heap[C + i * n + j]! - s) > 1e-3) return `${lib.path}: cblas_sgemm gives wrong products`;
          }
        }
      }
    }
  } catch (e) {
    return `${lib.path}: cblas_sgemm failed (${e instanceof Error ? e.message : String(e)})`;
  }
  return null;
}
