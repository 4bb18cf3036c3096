/**
 * One system BLAS through koffi (an FFI library, prebuilt per platform on npm): `cblas_sgemm`
 * called on the wasm heap in place. Pointers are passed as integers — the heap's base address
 * (koffi.address of its ArrayBuffer) plus a byte offset — so a call allocates nothing; the base is
 * taken again whenever the memory's ArrayBuffer changes (the heap grew).
 *
 * The library is identified and its threads set through the family's own calls when it has them:
 * OpenBLAS (openblas_get_config, openblas_set_num_threads), MKL (MKL_Get_Version_String,
 * MKL_Set_Num_Threads), BLIS (bli_info_get_version_str, bli_thread_set_num_threads); anything else
 * with `cblas_sgemm` (Apple Accelerate) runs as it is configured.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type { ProductLibrary } from '../../backend/products.js';

type Koffi = typeof import('koffi');
type Library = ReturnType<Koffi['load']>;
type Fn = (...args: unknown[]) => unknown;

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** koffi itself, or why it cannot load (an unsupported platform has no prebuilt binary). */
export function loadKoffi(): Koffi | string {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch (e) {
    return `koffi does not load here (${firstLine(e)})`;
  }
}

export interface LoadedBlas extends ProductLibrary {
  /** Sets the library's thread count (no-op where the library has no such call). */
  setThreads(n: number): void;
  /** The family's own thread count now, or null when it has no such call. */
  currentThreads(): number | null;
}

/** Loads `path` and binds cblas_sgemm; returns why not as a string. Never throws. */
export function loadBlas(koffi: Koffi, path: string): LoadedBlas | string {
  let lib: Library;
  const before = mappedFiles();
  try {
    lib = koffi.load(path);
  } catch (e) {
    return `cannot load ${path}: ${firstLine(e)}`;
  }
  const sgemm = optional(lib, 'void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, ' +
    'intptr_t a, int lda, intptr_t b, int ldb, float beta, intptr_t c, int ldc)');
  if (sgemm === null) return `${path} has no cblas_sgemm`;
  const family = identify(lib);
  let lastBuffer: ArrayBuffer | null = null;
  let base = 0;
  const library: LoadedBlas = {
    name: family.name,
    path: resolvedPath(path, before),
    threads: family.getThreads?.() ?? 1,
    gemm: (memory, transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc) => {
      const buffer = (memory as { buffer: ArrayBuffer }).buffer;
      if (buffer !== lastBuffer) {
        base = Number(koffi.address(buffer));
        lastBuffer = buffer;
      }
      sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1,
        base + a, lda, base + b, ldb, beta, base + c, ldc);
    },
    setThreads: (n) => {
      if (family.setThreads === undefined) return;
      family.setThreads(n);
      library.threads = family.getThreads?.() ?? n;
    },
    currentThreads: () => family.getThreads?.() ?? null,
  };
  return library;
}

interface Family { name: string; getThreads?: () => number; setThreads?: (n: number) => void }

function identify(lib: Library): Family {
  const openblasConfig = optional(lib, 'const char *openblas_get_config()');
  if (openblasConfig !== null) {
    const config = String(openblasConfig());                       // "OpenBLAS 0.3.21 NO_LAPACKE … Haswell MAX_THREADS=64"
    const core = optional(lib, 'const char *openblas_get_corename()');
    const version = /OpenBLAS\s+([\d.]+)/.exec(config)?.[1];
    const get = optional(lib, 'int openblas_get_num_threads()');
    const set = optional(lib, 'void openblas_set_num_threads(int)');
    return {
      name: `OpenBLAS${version === undefined ? '' : ' ' + version}${core === null ? '' : ` (${String(core()).trim()})`}`,
      getThreads: get === null ? undefined : () => Number(get()),
      setThreads: set === null ? undefined : (n) => { set(n); },
    };
  }
  const mklVersion = optional(lib, 'void MKL_Get_Version_String(_Out_ char *buf, int len)');
  if (mklVersion !== null) {
    const buf = Buffer.alloc(256);
    mklVersion(buf, buf.length);
    const text = buf.toString('latin1').replace(/\0.*$/s, '').trim();
    const get = optional(lib, 'int MKL_Get_Max_Threads()');
    const set = optional(lib, 'void MKL_Set_Num_Threads(int)');
    return {
      name: /Version\s+([\d.]+)/.exec(text)?.[0].replace('Version', 'Intel MKL') ?? 'Intel MKL',
      getThreads: get === null ? undefined : () => Number(get()),
      setThreads: set === null ? undefined : (n) => { set(n); },
    };
  }
  const blisVersion = optional(lib, 'const char *bli_info_get_version_str()');
  if (blisVersion !== null) {
    const get = optional(lib, 'int64_t bli_thread_get_num_threads()');
    const set = optional(lib, 'void bli_thread_set_num_threads(int64_t)');
    return {
      name: `BLIS ${String(blisVersion())}`,
      getThreads: get === null ? undefined : () => Number(get()),
      setThreads: set === null ? undefined : (n) => { set(n); },
    };
  }
  const accelerate = optional(lib, 'int vDSP_Version()') ?? optional(lib, 'void vvexpf(float *, const float *, const int *)');
  return { name: accelerate === null ? 'a CBLAS library' : 'Apple Accelerate' };
}

/** Files mapped into this process (Linux), for telling where the loader found a library. */
function mappedFiles(): Set<string> {
  if (process.platform !== 'linux') return new Set();
  try {
    return new Set(readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.slice(l.indexOf('/'))).filter((f) => f.startsWith('/')));
  } catch {
    return new Set();
  }
}

/** The file a bare library name resolved to: the newly mapped file named like it, else the name. */
function resolvedPath(name: string, before: Set<string>): string {
  if (name.includes('/')) return name;
  const stem = basename(name).replace(/\.(so|dylib|dll).*$/, '');
  const added = [...mappedFiles()].filter((f) => !before.has(f));
  return added.find((f) => basename(f).startsWith(stem)) ?? name;
}

function optional(lib: Library, prototype: string): Fn | null {
  try {
    return lib.func(prototype) as Fn;
  } catch {
    return null;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
