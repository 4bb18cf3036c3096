/** Backend selection (node → wasm → cpu) and seqloom's kernel fixes. */
export { initBackend, useBackend, activeBackend, isBackendChoice } from './select.js';
export type { BackendName, BackendChoice } from './select.js';
export { registerKernelFixes, kernelFixesFor } from './kernels.js';
