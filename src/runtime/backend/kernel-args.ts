/** What seqloom's kernel fixes see of tfjs kernels and backends (structural types, no private imports). */
import type * as tf from '@tensorflow/tfjs';
import type { NumericArray } from './copy.js';

export type DataId = object;

export interface KernelArgs<B> {
  inputs: Record<string, tf.TensorInfo>;
  backend: B;
  attrs?: Record<string, unknown>;
}

export type KernelImpl<B> = (args: KernelArgs<B>) => tf.TensorInfo | tf.TensorInfo[];

/** The backend's own kernel, for the cases a fix hands back (e.g. string tensors). */
export type StockKernel = tf.KernelFunc | undefined;

/** A fix: given the stock kernel (if any), the kernel function that replaces it. */
export type KernelFix<B> = (stock: StockKernel) => KernelImpl<B>;

/** What the fixes use of tfjs-backend-wasm's BackendWasm. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): NumericArray;
  disposeData(dataId: DataId): boolean;
  incRef(dataId: DataId): void;
}

/** What the fixes use of tfjs-backend-cpu's MathBackendCPU. */
export interface CpuBackend {
  data: { get(dataId: DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: NumericArray): tf.TensorInfo;
}

export function isNumeric(dtype: tf.DataType): dtype is 'float32' | 'int32' | 'bool' {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

/** Runs the stock kernel (for inputs a fix does not handle). */
export function callStock(stock: StockKernel, args: KernelArgs<unknown>, kernelName: string): tf.TensorInfo {
  if (stock === undefined) throw new Error(`${kernelName}: no stock kernel to fall back to`);
  return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
