/**
 * What the page bundle gets for `@tensorflow/tfjs`: the core API and the cpu and WebGL backends
 * (wasm comes with the runtime), without tfjs-layers, -converter and -data, which neither the
 * runtime nor generated modules use — about half of the union package.
 */
export * from '@tensorflow/tfjs-core';
// Tensor methods (x.reshape(), x.add(), …), as the union package registers them. Gradients are left
// out: the page decodes, it does not train.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
