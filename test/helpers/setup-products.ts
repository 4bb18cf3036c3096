/**
 * Every test file starts with the system-BLAS start-up hook in place, as the CLI has it (the Node
 * entry registers it): when a test starts the wasm backend, the library SEQLOOM_BLAS selects
 * (default auto) takes its products where one is installed (CI installs OpenBLAS); elsewhere
 * XNNPACK runs them. Tests that compare the two switch with setSystemProducts.
 */
import '../../src/runtime/node/blas/index.js';
