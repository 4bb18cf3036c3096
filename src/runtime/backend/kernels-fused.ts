/**
 * seqloom's own kernels (not fixes of tfjs ones), registered on wasm and cpu by kernels.ts: fused
 * recurrences (nn/sequence.ts), optimizer steps (nn/fused-adam.ts) and the softmax cross-entropy
 * (nn/loss.ts). Callers use them when the active backend has them; tfjs-node has none and runs
 * the same math as tfjs ops, which its native kernels make cheap.
 */
import type { KernelArgs, KernelFix, CpuBackend, WasmBackend, DataId } from './kernel-args.js';
import { cpuHostOps, wasmHostOps, type HostOps } from './host-ops.js';
import { logSoftmaxRows, softmaxCrossEntropy, softmaxCrossEntropyGrad } from './loss-kernels.js';
import { adamUpdate, sumSquares, type AdamAttrs } from './optimizer-kernels.js';
import { recurrentBackward } from './recurrent-backward.js';
import { recurrentForward, type RecurrentAttrs } from './recurrent-forward.js';
import { simdKernelsFor, type WasmHeapBackend } from './simd/loader.js';
import { logSoftmaxSimd, softmaxCrossEntropyGradSimd, softmaxCrossEntropySimd, simdLossApplies } from './simd/loss.js';
import { adamUpdateSimd, allFloat32, sumSquaresSimd } from './simd/optimizer.js';
import { recurrentBackwardSimd, recurrentForwardSimd } from './simd/recurrent.js';

export const RECURRENT_FORWARD = 'SeqloomRecurrentForward';
export const RECURRENT_BACKWARD = 'SeqloomRecurrentBackward';
export const SUM_SQUARES = 'SeqloomSumSquares';
export const ADAM_UPDATE = 'SeqloomAdamUpdate';
export const SOFTMAX_CROSS_ENTROPY = 'SeqloomSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'SeqloomSoftmaxCrossEntropyGrad';
export const LOG_SOFTMAX = 'SeqloomLogSoftmax';

function fused<B>(hostOps: (backend: B) => HostOps): Record<string, KernelFix<B>> {
  const attrsOf = (args: KernelArgs<B>) => args.attrs as unknown as RecurrentAttrs;
  return {
    [RECURRENT_FORWARD]: () => (args) => recurrentForward(hostOps(args.backend), args.inputs, attrsOf(args)),
    [RECURRENT_BACKWARD]: () => (args) => recurrentBackward(hostOps(args.backend), args.inputs, attrsOf(args)),
    [SUM_SQUARES]: () => (args) => sumSquares(hostOps(args.backend), args.inputs),
    [ADAM_UPDATE]: () => (args) => adamUpdate(hostOps(args.backend), args.inputs, args.attrs as unknown as AdamAttrs),
    [SOFTMAX_CROSS_ENTROPY]: () => (args) => softmaxCrossEntropy(hostOps(args.backend), args.inputs),
    [SOFTMAX_CROSS_ENTROPY_GRAD]: () => (args) => softmaxCrossEntropyGrad(hostOps(args.backend), args.inputs),
    [LOG_SOFTMAX]: () => (args) => logSoftmaxRows(hostOps(args.backend), args.inputs),
  };
}

/**
 * wasm: the recurrences, the optimizer kernels and the softmax cross-entropy run seqloom's SIMD
 * kernels (simd/) once they are loaded on this backend's memory (select.ts loads them), else — and
 * for empty shapes or unexpected dtypes — the JS path (also the cpu implementation).
 */
function wasmFused(): Record<string, KernelFix<WasmBackend>> {
  type Args = KernelArgs<WasmBackend>;
  const attrsOf = (args: Args) => args.attrs as unknown as RecurrentAttrs;
  const simdFor = (args: Args) => {
    const { steps, batch, hidden } = attrsOf(args);
    return steps > 0 && batch > 0 && hidden > 0 ? simdKernelsFor(args.backend) : null;
  };
  const heap = (args: Args) => args.backend as WasmBackend & WasmHeapBackend;
  const simd = (args: Args, applies: boolean) => (applies ? simdKernelsFor(args.backend) : null);
  return {
    ...fused<WasmBackend>(wasmHostOps),
    [SUM_SQUARES]: () => (args) => {
      const k = simd(args, allFloat32(Object.values(args.inputs)));
      return k === null ? sumSquares(wasmHostOps(args.backend), args.inputs) : sumSquaresSimd(k, heap(args), args.inputs);
    },
    [ADAM_UPDATE]: () => (args) => {
      const attrs = args.attrs as unknown as AdamAttrs;
      const k = simd(args, allFloat32(Object.values(args.inputs)));
      return k === null ? adamUpdate(wasmHostOps(args.backend), args.inputs, attrs) : adamUpdateSimd(k, heap(args), args.inputs, attrs);
    },
    [SOFTMAX_CROSS_ENTROPY]: () => (args) => {
      const k = simd(args, simdLossApplies(args.inputs, 'logits'));
      return k === null ? softmaxCrossEntropy(wasmHostOps(args.backend), args.inputs) : softmaxCrossEntropySimd(k, heap(args), args.inputs);
    },
    [SOFTMAX_CROSS_ENTROPY_GRAD]: () => (args) => {
      const k = simd(args, simdLossApplies(args.inputs, 'probs'));
      return k === null
        ? softmaxCrossEntropyGrad(wasmHostOps(args.backend), args.inputs)
        : softmaxCrossEntropyGradSimd(k, heap(args), args.inputs);
    },
    [LOG_SOFTMAX]: () => (args) => {
      const x = args.inputs.logits!;
      const k = simd(args, x.dtype === 'float32' && x.shape.length === 2 && x.shape[0]! > 0 && x.shape[1]! > 0);
      return k === null ? logSoftmaxRows(wasmHostOps(args.backend), args.inputs) : logSoftmaxSimd(k, heap(args), args.inputs);
    },
    [RECURRENT_FORWARD]: () => (args) => {
      const simd = simdFor(args);
      return simd === null
        ? recurrentForward(wasmHostOps(args.backend), args.inputs, attrsOf(args))
        : recurrentForwardSimd(simd, heap(args), wasmHostOps(args.backend), args.inputs, attrsOf(args));
    },
    [RECURRENT_BACKWARD]: () => (args) => {
      const simd = simdFor(args);
      return simd === null
        ? recurrentBackward(wasmHostOps(args.backend), args.inputs, attrsOf(args))
        : recurrentBackwardSimd(simd, heap(args), wasmHostOps(args.backend), args.inputs, attrsOf(args));
    },
  };
}

export const WASM_FUSED = wasmFused();
export const CPU_FUSED = fused<CpuBackend & { disposeData(dataId: DataId): boolean }>(cpuHostOps);
