/**
 * Backend selection: the fastest TensorFlow.js backend that loads, or the one asked for.
 *
 *   auto  →  SEQLOOM_BACKEND when set, else node (tfjs-node, optional) → wasm (SIMD, offline) → cpu
 *
 * Browser-safe: platform work runs in start-up hooks (hooks.ts). Under Node, seqloom/runtime/node
 * registers hooks that load tfjs-node for 'node' and load the wasm binaries from node_modules by an
 * absolute path (any working directory works, nothing is fetched); in a browser the page sets the
 * wasm binaries' URL (setWasmPaths) and 'node' cannot start.
 * Once a backend is up, seqloom's kernel fixes for it are registered (see kernels.ts); on wasm,
 * seqloom's SIMD recurrence kernels are loaded into its memory (simd/loader.ts); then the
 * platform's afterStart hooks run.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // registers the 'wasm' backend
import { UserError } from '../../errors.js';
import { runAfterStart, runBeforeStart } from './hooks.js';
import { registerKernelFixes } from './kernels.js';
import { loadSimdKernels } from './simd/loader.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

const BACKEND_CHOICES: readonly BackendChoice[] = ['node', 'wasm', 'cpu', 'auto'];
const AUTO_ORDER: readonly BackendName[] = ['node', 'wasm', 'cpu'];
/** tfjs's own name for each backend (tfjs-node registers itself as 'tensorflow'). */
const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

let active: BackendName | null = null;

export function isBackendChoice(name: string): name is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(name);
}

/**
 * Starts a backend and returns seqloom's name for it ('node' | 'wasm' | 'cpu').
 * An explicit name that cannot start is a UserError; 'auto' falls back along node → wasm → cpu.
 */
export async function initBackend(name: BackendChoice = 'auto'): Promise<BackendName> {
  const choice = name === 'auto' ? backendFromEnv() : name;
  if (choice !== 'auto') {
    const failure = await tryStart(choice);
    if (failure !== null) {
      throw new UserError(`backend '${choice}' could not start: ${failure}`,
        choice === 'node' ? 'install @tensorflow/tfjs-node, or pick --backend wasm' : undefined);
    }
    return choice;
  }
  for (const candidate of AUTO_ORDER) {
    if (await tryStart(candidate) === null) return candidate;
  }
  throw new UserError('no TensorFlow.js backend could start (tried node, wasm, cpu)');
}

/** Alias of initBackend for tests: `await useBackend('cpu')`. */
export const useBackend = initBackend;

/** seqloom's name of the backend started last, or null before initBackend. */
export function activeBackend(): BackendName | null {
  return active;
}

function backendFromEnv(): BackendChoice {
  const raw = typeof process === 'undefined' ? undefined : process.env?.SEQLOOM_BACKEND?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'auto';
  if (!isBackendChoice(raw)) {
    throw new UserError(`SEQLOOM_BACKEND=${raw} is not a backend`, `use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return raw;
}

/** Returns null when the backend is now active, else why it could not start. */
async function tryStart(name: BackendName): Promise<string | null> {
  if (active === name && tf.getBackend() === TFJS_NAME[name]) return null;
  try {
    await runBeforeStart(name);
    if (tf.findBackendFactory(TFJS_NAME[name]) === null) {
      return name === 'node' ? 'tfjs-node is not loaded (it runs under Node only, through seqloom/runtime/node)' : 'tfjs has no such backend here';
    }
    silenceNodeAdvice();
    const ok = await quietly(() => tf.setBackend(TFJS_NAME[name]));
    if (!ok) return 'tfjs could not initialize it';
    await tf.ready();
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] ?? String(err) : String(err);
  }
  registerKernelFixes(name);
  // seqloom's SIMD recurrence kernels, on wasm's own memory; when they cannot load, the fused
  // kernels keep their JS path (simd/loader.ts).
  if (name === 'wasm') await loadSimdKernels(tf.backend());
  try {
    await runAfterStart(name, tf.backend());
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] ?? String(err) : String(err);
  }
  silenceNodeAdvice();
  active = name;
  return null;
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its first
 * write. Mark that first write as done (only that message; other tfjs warnings stay).
 */
function silenceNodeAdvice(): void {
  const cpu = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
  if (cpu !== null && cpu !== undefined && 'firstUse' in cpu) cpu.firstUse = false;
}

/** Runs f with tfjs's backend-initialization warnings (console.warn) muted. */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await f();
  } finally {
    console.warn = warn;
  }
}
