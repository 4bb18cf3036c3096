/**
 * The page's backends: wasm (seqloom's kernels and SIMD module; what the CLI runs, so results match
 * it) and, where the browser has it, WebGL; cpu as a last resort. The label says which runs.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../runtime/backend/index.js';

export type PageBackend = 'wasm' | 'webgl' | 'cpu';
export const PAGE_BACKENDS: readonly PageBackend[] = ['wasm', 'webgl', 'cpu'];

/** tfjs's wasm binaries sit beside the page (`seqloom export --web` copies them). */
export function pointWasmAtPage(): void {
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? './';
  setWasmPaths(new URL('./', base).href);
}

export function currentBackend(): string {
  return tf.getBackend() ?? 'none';
}

/** Starts `name`; a backend that cannot start is an Error saying so (the previous one keeps running). */
export async function switchBackend(name: PageBackend): Promise<string> {
  if (name === 'webgl') {
    const previous = tf.getBackend();
    const ok = await tf.setBackend('webgl').catch(() => false);
    if (!ok) {
      if (previous) await tf.setBackend(previous);
      throw new Error('WebGL is not available in this browser');
    }
    await tf.ready();
    return 'webgl';
  }
  return initBackend(name);
}

/** A label: "wasm (SIMD)", "webgl", "cpu". */
export async function backendLabel(): Promise<string> {
  const name = currentBackend();
  if (name !== 'wasm') return name;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT').catch(() => false);
  return simd ? 'wasm (SIMD)' : 'wasm (no SIMD)';
}
