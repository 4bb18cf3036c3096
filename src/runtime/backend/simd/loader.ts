/**
 * Loads seqloom's WebAssembly SIMD kernels (kernels.c, committed as kernels-wasm.generated.ts)
 * into tfjs-backend-wasm's own memory: the module imports the backend's WebAssembly.Memory as
 * env.memory, so the kernels read and write tensors where they live (no copies).
 *
 * Loading is asynchronous (browsers refuse to compile modules over 4 KB synchronously on the main
 * thread) and happens once the wasm backend is up (select.ts). Anything missing — no memory
 * export on the backend, no WebAssembly, a failed instantiate — leaves the kernels unloaded, and
 * the fused recurrences run their JS path. `setSimdKernels(false)` (or SEQLOOM_SIMD=0) forces the
 * JS path, for tests and benchmarks comparing the two.
 */
import type * as tf from '@tensorflow/tfjs';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.js';

/** The module's exports; pointers are byte offsets into the heap, counts are elements. */
export interface SimdExports {
  copy_f32(dst: number, src: number, n: number): void;
  fill_zero(dst: number, n: number): void;
  add_f32(a: number, b: number, out: number, n: number): void;
  transpose_f32(x: number, out: number, rows: number, cols: number, outStride: number): void;
  col_sums_f32(x: number, out: number, rows: number, cols: number): void;
  /** dst row i = src row rows[i], i < n (rows: int32 offset). */
  gather_rows(src: number, dst: number, rows: number, n: number, width: number): void;
  /** out[j·outStride + i] = src[rows[i]·cols + j], i < n. */
  gather_transpose_f32(src: number, rows: number, n: number, cols: number, out: number, outStride: number): void;
  /** out row rows[i] = prod row i + extra row rows[i] (i < active), extra row rows[i] (active ≤ i < B). */
  scatter_add_rows(prod: number, extra: number, out: number, rows: number, active: number, B: number, width: number): void;
  /** order: 0, or an int32 permutation of the rows; gh row i belongs to row order[i]. */
  rnn_fwd(x: number, gh: number, hprev: number, h: number, lengths: number, order: number, t: number, B: number, H: number, relu: number): void;
  gru_fwd(x: number, gh: number, bhh: number, hprev: number, h: number, saved: number, lengths: number, order: number, t: number, B: number, H: number): void;
  lstm_fwd(x: number, gh: number, hprev: number, cprev: number, h: number, c: number, saved: number, lengths: number, order: number, t: number, B: number, H: number): void;
  rnn_bwd(dy: number, carry: number, h: number, dg: number, extra: number, lengths: number, t: number, B: number, H: number, relu: number): void;
  gru_bwd(dy: number, carry: number, saved: number, hprev: number, dg: number, dproj: number, extra: number, lengths: number, t: number, B: number, H: number): void;
  lstm_bwd(dy: number, carry: number, carryc: number, saved: number, cprev: number, dg: number, extra: number, lengths: number, t: number, B: number, H: number): void;
  exp_f32(x: number, out: number, n: number): void;
  sigmoid_f32(x: number, out: number, n: number): void;
  tanh_f32(x: number, out: number, n: number): void;
  /** stats: 8-byte aligned, 2N float64 (row sum of e^z, z at the label). */
  softmax_xent_fwd(logits: number, labels: number, probs: number, stats: number, N: number, V: number): void;
  softmax_xent_bwd(probs: number, labels: number, weights: number, dy: number, out: number, N: number, V: number): void;
  sum_squares_f32(x: number, n: number): number;
  adam_f32(x: number, g: number, m: number, v: number, x1: number, m1: number, v1: number, n: number,
    lr: number, beta1: number, beta2: number, epsilon: number, scale: number, c1: number, c2: number): void;
  /** x [batch, rows, cols, inner] → out [batch, cols, rows, inner], 32-bit values. */
  transpose32(x: number, out: number, batch: number, rows: number, cols: number, inner: number): void;
}

const EXPORT_NAMES: ReadonlyArray<keyof SimdExports> = [
  'copy_f32', 'fill_zero', 'add_f32', 'transpose_f32', 'col_sums_f32',
  'gather_rows', 'gather_transpose_f32', 'scatter_add_rows', 'rnn_fwd', 'gru_fwd', 'lstm_fwd',
  'rnn_bwd', 'gru_bwd', 'lstm_bwd', 'exp_f32', 'sigmoid_f32', 'tanh_f32',
  'softmax_xent_fwd', 'softmax_xent_bwd', 'sum_squares_f32', 'adam_f32', 'transpose32',
];

/** What the loader and the SIMD kernels use of tfjs-backend-wasm's BackendWasm. */
export interface WasmHeapBackend {
  /** emscripten's Module: its exports as `asm` (tfjs 4.x), `wasmExports` in newer emscripten. */
  wasm?: { asm?: { memory?: unknown }; wasmExports?: { memory?: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/** The minimal WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmApi {
  Memory: abstract new (...args: never[]) => object;
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

interface Loaded { memory: object; kernels: SimdExports }

let loaded: Loaded | null = null;
let forcedOff = envOff();

function envOff(): boolean {
  const raw = typeof process === 'undefined' ? undefined : process.env.SEQLOOM_SIMD?.trim().toLowerCase();
  return raw === '0' || raw === 'off' || raw === 'false';
}

/** true (the default): use the SIMD kernels when loaded; false: the fused kernels' JS path. */
export function setSimdKernels(on: boolean): void {
  forcedOff = !on;
}

function rawMemory(backend: unknown): unknown {
  const module = (backend as WasmHeapBackend).wasm;
  return module?.asm?.memory ?? module?.wasmExports?.memory;
}

/** The wasm backend's WebAssembly.Memory (tfjs's heap), or null when it has none. */
export function heapMemory(backend: unknown): object | null {
  const memory = rawMemory(backend);
  const api = webAssembly();
  return api !== null && memory instanceof api.Memory ? memory : null;
}

function webAssembly(): WasmApi | null {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}

function decodeBase64(b64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The module's bytes (for tests inspecting the committed binary). */
export function simdModuleBytes(): Uint8Array {
  return decodeBase64(KERNELS_WASM_BASE64);
}

/**
 * Instantiates the kernels on the wasm backend's memory. Resolves true when they are usable,
 * false (never throws) when they could not load; the JS path then stays in use.
 */
export async function loadSimdKernels(backend: unknown): Promise<boolean> {
  const memory = heapMemory(backend);
  const api = webAssembly();
  if (memory === null || api === null) return false;
  if (loaded !== null && loaded.memory === memory) return true;
  try {
    const { instance } = await api.instantiate(simdModuleBytes(), { env: { memory } });
    const kernels = {} as Record<string, unknown>;
    for (const name of EXPORT_NAMES) {
      const f = instance.exports[name];
      if (typeof f !== 'function') return false;
      kernels[name] = f;
    }
    loaded = { memory, kernels: kernels as unknown as SimdExports };
    return true;
  } catch {
    return false;
  }
}

/**
 * The kernels when they are on, loaded, and loaded on this backend's memory (a backend created
 * again has a new memory: its kernels need a new load); else null.
 */
export function simdKernelsFor(backend: unknown): SimdExports | null {
  if (forcedOff || loaded === null) return null;
  return rawMemory(backend) === loaded.memory ? loaded.kernels : null;
}

/** Byte offset of a tensor's values in the wasm heap. */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  const entry = backend.dataIdMap.get(t.dataId as object);
  if (entry === undefined) throw new Error('tensor not on the wasm backend');
  return entry.memoryOffset;
}
