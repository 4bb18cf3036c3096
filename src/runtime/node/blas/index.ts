/**
 * System BLAS for the wasm backend's products (Node only: koffi). Importing this module (the Node
 * entry's backend.ts does) adds a start-up hook: whenever the wasm backend starts, the library
 * SEQLOOM_BLAS selects is installed (install.ts, decided once per process), and a note about a
 * library that could not be used is printed once on stderr.
 */
import { addBackendHooks } from '../../backend/hooks.js';
import { installSystemProducts } from './install.js';

export { installSystemProducts, resetSystemProducts, type ProductsStatus } from './install.js';
export { blasCandidates, blasRequest } from './candidates.js';

let noted = false;

addBackendHooks({
  afterStart(name) {
    if (name !== 'wasm') return;
    const { note } = installSystemProducts();
    if (note !== null && !noted) {
      noted = true;
      process.stderr.write(`seqloom: note: ${note}\n`);
    }
  },
});
