/** Backend selection (node → wasm → cpu), start-up hooks, and seqloom's kernel fixes. */
export { initBackend, useBackend, activeBackend, isBackendChoice } from './select.js';
export type { BackendName, BackendChoice } from './select.js';
export { addBackendHooks, type BackendHooks } from './hooks.js';
export { registerKernelFixes, kernelFixesFor } from './kernels.js';
