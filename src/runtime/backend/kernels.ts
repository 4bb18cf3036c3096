/**
 * seqloom's kernel fixes, registered once per backend by initBackend (BACKEND-NOTES.md has the
 * probe's measurements; the numbers below are from a small seq2seq training step).
 *
 * wasm (kernels-wasm.ts)
 * - UnsortedSegmentSum: missing on wasm, and it is the gradient of every `gather` (embeddings).
 * - BatchMatMul with transposeA/transposeB runs 8–13× slower than without; every backward pass uses
 *   it. Fix: transpose the operand first (cheap, O(n)), then take the fast untransposed path.
 * - Slice, Unpack (unstack), SplitV (split): the stock kernels copy the WHOLE input out of the wasm
 *   heap (`readSync`) for every output, so unstacking T steps costs O(T²) (unstack of [35, 64, 768]:
 *   203 → 1 ms). Fix: read through a view. Concat (split's gradient) gets the same run-wise copy.
 * - Identity, and Cast to the same dtype: the stock kernels copy the data. tfjs's engine clones every
 *   tensor it saves for backprop (~900 clones per step) and every mul/div gradient casts to float32.
 *   Tensors are immutable (variables are re-pointed, never written), so sharing the buffer by
 *   reference count is safe — cpu's Identity and wasm's own Reshape do exactly that.
 * cpu (kernels-cpu.ts)
 * - UnsortedSegmentSum: the stock kernel runs one equal/mul/sum pass per segment (O(V·N·D)).
 * - Slice/Unpack/SplitV, Transpose, and broadcasting Add/Sub/Multiply/RealDiv convert each
 *   element's index to a coordinate array and back (SplitV alone was 1.3 s of a 2.3 s step).
 * - BatchMatMul: a row-wise i-k-j product over contiguous rows.
 * both (kernels-fused.ts): seqloom's own fused kernels (a whole recurrence forward and backward).
 * node (tfjs-node): native kernels, nothing to fix.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFix } from './kernel-args.js';
import { CPU_FIXES } from './kernels-cpu.js';
import { CPU_FUSED, WASM_FUSED } from './kernels-fused.js';
import { WASM_FIXES } from './kernels-wasm.js';
import type { BackendName } from './select.js';

const FIXES: Record<BackendName, Record<string, KernelFix<never>>> = {
  wasm: { ...WASM_FIXES, ...WASM_FUSED } as Record<string, KernelFix<never>>,
  cpu: { ...CPU_FIXES, ...CPU_FUSED } as Record<string, KernelFix<never>>,
  node: {},
};

const registered = new Set<BackendName>();

/** Registers the fixes for `backend` (idempotent). Called by initBackend once the backend is up. */
export function registerKernelFixes(backend: BackendName): void {
  if (registered.has(backend)) return;
  for (const [kernelName, fix] of Object.entries(FIXES[backend])) {
    const stock = tf.getKernel(kernelName, backend);
    if (stock !== undefined) tf.unregisterKernel(kernelName, backend);
    tf.registerKernel({
      kernelName,
      backendName: backend,
      setupFunc: stock?.setupFunc,
      disposeFunc: stock?.disposeFunc,
      kernelFunc: fix(stock?.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
  registered.add(backend);
}

/** The kernel names seqloom replaces or adds on a backend. */
export function kernelFixesFor(backend: BackendName): string[] {
  return Object.keys(FIXES[backend]);
}
