/**
 * Node's start-up hooks for initBackend (see ../backend/hooks.ts), registered when
 * seqloom/runtime/node is imported: 'node' imports tfjs-node (an optional dependency); 'wasm' loads
 * its binaries from node_modules by an absolute path resolved from this file, so any working
 * directory works and nothing is fetched. Importing it also hooks in the system BLAS (blas/).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { addBackendHooks } from '../backend/hooks.js';
import './blas/index.js'; // wasm's products on a system BLAS when there is one (SEQLOOM_BLAS)

// `require`, not `import`: Node would scan the CommonJS bundle's source for export names (tens of
// ms at every start). Loading it registers the 'wasm' backend.
const require = createRequire(import.meta.url);
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');

let wasmPathsSet = false;

async function loadTfjsNode(): Promise<void> {
  // A variable specifier: tfjs-node is an optional dependency and usually absent (MODULE_NOT_FOUND).
  const specifier = '@tensorflow/tfjs-node';
  await import(specifier);
}

function pointWasmAtNodeModules(): void {
  if (wasmPathsSet) return;
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm'); // …/dist/tf-backend-wasm.node.js
  setWasmPaths(path.dirname(entry) + path.sep);
  wasmPathsSet = true;
}

addBackendHooks({
  async beforeStart(name) {
    if (name === 'node') await loadTfjsNode();
    if (name === 'wasm') pointWasmAtNodeModules();
  },
});
