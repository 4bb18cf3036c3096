/**
 * The memory figures of this Node process and machine (os, v8, the cgroup limit). A browser bundle
 * replaces this file with system-memory.browser.ts (package.json "browser", and the web export's
 * bundler), so the guards that use it run in a page too.
 */
import os from 'node:os';
import v8 from 'node:v8';
import type { MemoryProbe } from './memory.js';

export const systemMemoryProbe: MemoryProbe = {
  freemem: () => os.freemem(),
  totalmem: () => os.totalmem(),
  heapLimit: () => v8.getHeapStatistics().heap_size_limit,
  heapUsed: () => v8.getHeapStatistics().used_heap_size,
  constrained: () => (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.(),
};
