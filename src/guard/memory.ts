/**
 * How much memory a training run may use, per backend:
 *   wasm   the WebAssembly heap tfjs-backend-wasm can grow to (4 GiB − 64 KiB: wasm32's limit),
 *          and no more than the system has free;
 *   cpu    the V8 heap's remaining room (tfjs-cpu keeps tensors in JS typed arrays), and no more
 *          than the system has free;
 *   node   (tfjs-node, native TensorFlow) the system's free memory.
 * "The system's free memory" is os.freemem(), lowered to a cgroup limit when the process runs in
 * one (process.constrainedMemory). Every figure comes through a probe so tests can fix them.
 * This file is browser-safe; Node's probe is system-memory.ts (a browser bundle swaps in
 * system-memory.browser.ts).
 */

/** tfjs-backend-wasm's emscripten heap maximum (wasm-out/*.js `getHeapMax`). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

export interface MemoryProbe {
  freemem(): number;
  totalmem(): number;
  /** V8's heap size limit and what is in use now (bytes). */
  heapLimit(): number;
  heapUsed(): number;
  /** A cgroup/container limit in bytes, or 0/undefined when there is none. */
  constrained(): number | undefined;
}

export interface MemoryBudget {
  bytes: number;
  /** What sets the limit, for messages: `the wasm backend's 4 GiB heap`, `free system memory`… */
  limitedBy: string;
}

function systemBudget(probe: MemoryProbe): MemoryBudget {
  const free = probe.freemem();
  const limit = probe.constrained();
  // constrainedMemory() reports a huge number (not 0) when no cgroup limit is set.
  if (limit !== undefined && limit > 0 && limit < probe.totalmem() && limit < free) {
    return { bytes: limit, limitedBy: "the container's memory limit" };
  }
  return { bytes: free, limitedBy: `free system memory, of ${formatBytes(probe.totalmem())} in all` };
}

/** The memory a run on `backend` ('wasm', 'cpu', 'node'/'tensorflow', anything else: the system's) can use. */
export function memoryBudget(backend: string, probe: MemoryProbe): MemoryBudget {
  const system = systemBudget(probe);
  if (backend === 'wasm' && WASM_HEAP_MAX_BYTES < system.bytes) {
    return { bytes: WASM_HEAP_MAX_BYTES, limitedBy: "the wasm backend's 4 GiB heap limit" };
  }
  if (backend === 'cpu') {
    const room = Math.max(0, probe.heapLimit() - probe.heapUsed());
    if (room < system.bytes) {
      return { bytes: room, limitedBy: `the cpu backend keeps tensors in the JavaScript heap: ${formatBytes(room)} left of its ${formatBytes(probe.heapLimit())}` };
    }
  }
  return system;
}

/** 1536 → `1.5 KiB`; binary units, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 12345678 → `12.3 M`; plain below a thousand. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  const units = ['k', 'M', 'G', 'T', 'P'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
