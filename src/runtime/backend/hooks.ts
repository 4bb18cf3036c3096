/**
 * Backend start-up hooks: how a platform adds to initBackend without the browser-safe runtime
 * knowing about it. seqloom/runtime starts tfjs backends by name and runs no Node code; the Node
 * entry (src/runtime/node/backend.ts) registers hooks that load tfjs-node and point wasm at its
 * binaries in node_modules. Node-only extras (e.g. products on a system BLAS) plug in the same way:
 * an `afterStart` hook for 'wasm', registered by a module that only seqloom/runtime/node imports.
 *
 * Hooks run in registration order. One that throws makes that backend's start fail, as if tfjs had
 * refused it: an explicit choice is then a UserError carrying the message, and 'auto' tries the next.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from './select.js';

export interface BackendHooks {
  /** Before tfjs starts `name` (not when it is already active): import a backend package, set binary paths. */
  beforeStart?(name: BackendName): void | Promise<void>;
  /** Once `name` is up with seqloom's kernel fixes (and, on wasm, the SIMD kernels) registered. */
  afterStart?(name: BackendName, backend: tf.KernelBackend): void | Promise<void>;
}

const registeredHooks: BackendHooks[] = [];

/** Adds start-up hooks; returns a function that removes them again. */
export function addBackendHooks(hooks: BackendHooks): () => void {
  registeredHooks.push(hooks);
  return () => {
    const at = registeredHooks.indexOf(hooks);
    if (at >= 0) registeredHooks.splice(at, 1);
  };
}

export async function runBeforeStart(name: BackendName): Promise<void> {
  for (const hooks of [...registeredHooks]) await hooks.beforeStart?.(name);
}

export async function runAfterStart(name: BackendName, backend: tf.KernelBackend): Promise<void> {
  for (const hooks of [...registeredHooks]) await hooks.afterStart?.(name, backend);
}
