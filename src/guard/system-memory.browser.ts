/**
 * system-memory.ts for browsers: a page cannot see the machine's free memory, so the guards assume
 * the device memory the browser reports (navigator.deviceMemory, GiB, Chromium only), else 4 GiB —
 * the wasm heap's own limit — and the JavaScript heap figures where Chromium gives them.
 */
import type { MemoryProbe } from './memory.js';

const GiB = 2 ** 30;

interface BrowserGlobals {
  navigator?: { deviceMemory?: number };
  performance?: { memory?: { jsHeapSizeLimit?: number; usedJSHeapSize?: number } };
}

const g = globalThis as BrowserGlobals;
const device = () => (g.navigator?.deviceMemory ?? 4) * GiB;

export const systemMemoryProbe: MemoryProbe = {
  freemem: device,
  totalmem: device,
  heapLimit: () => g.performance?.memory?.jsHeapSizeLimit ?? 2 * GiB,
  heapUsed: () => g.performance?.memory?.usedJSHeapSize ?? 0,
  constrained: () => undefined,
};
