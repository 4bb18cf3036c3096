/**
 * What seqloom's fused kernels need from a backend, below tfjs's engine: read a tensor's values,
 * make a tensor from values, and run the backend's own (fixed) BatchMatMul — with no engine
 * bookkeeping (no tape, no tidy scope, no tensor tracking) per call. A fused kernel does its
 * elementwise math on plain Float32Arrays and calls `matMul` where it needs a product.
 *
 * wasm: values live in the wasm heap; `read` copies them out (views detach when the heap grows, and
 *       any allocation may grow it), `make` copies them in.
 * cpu:  values are plain typed arrays; `read` and `make` share them (kernels never write an input).
 */
import * as tf from '@tensorflow/tfjs';
import type { NumericArray } from './copy.js';
import type { CpuBackend, DataId, WasmBackend } from './kernel-args.js';

export interface HostOps {
  /** The tensor's values (a copy on wasm; the backend's own array on cpu — read only). */
  read(t: tf.TensorInfo): NumericArray;
  /** A fresh copy of the tensor's values (safe to write). */
  copy(t: tf.TensorInfo): NumericArray;
  /** Copies the tensor's values into out[offset …]. */
  readInto(t: tf.TensorInfo, out: Float32Array, offset: number): void;
  /** A float32 tensor holding `values` (copied on wasm; taken as is on cpu: do not write it later). */
  make(shape: number[], values: Float32Array): tf.TensorInfo;
  /** op(a) · b (rank 2 or 3; op = transpose when asked) through the backend's registered BatchMatMul. */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA?: boolean): tf.TensorInfo;
  /** values ← σ(values) or tanh(values), in place: wasm runs its SIMD kernels, cpu a plain loop. */
  activate(kind: Activation, values: Float32Array): void;
  /** values ← exp(values) in place, for values ≤ 0 (softmax after subtracting the row maximum). */
  expOfNonPositive(values: Float32Array): void;
  free(t: tf.TensorInfo): void;
  /**
   * An elementwise kernel without copies: allocates float32 outputs of `outShapes`, then calls
   * fn(input values, output values) with views of the backend's memory (wasm: the heap, valid only
   * during fn; cpu: the arrays themselves). fn must not allocate tensors.
   */
  compute(inputs: tf.TensorInfo[], outShapes: number[][], fn: (ins: NumericArray[], outs: Float32Array[]) => void): tf.TensorInfo[];
}

export type Activation = 'sigmoid' | 'tanh';

type UnaryKernel = (args: { inputs: { x: tf.TensorInfo }; backend: unknown }) => tf.TensorInfo;
type MatMulKernel = (args: { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; backend: unknown; attrs: Record<string, unknown> }) => tf.TensorInfo;

function batchMatMulKernel(backendName: string): MatMulKernel {
  return kernelOf<MatMulKernel>('BatchMatMul', backendName);
}

function kernelOf<K>(name: string, backendName: string): K {
  const kernel = tf.getKernel(name, backendName);
  if (kernel === undefined) throw new Error(`no ${name} kernel on ${backendName}`);
  return kernel.kernelFunc as unknown as K;
}

const ATTRS = [{ transposeA: false, transposeB: false }, { transposeA: true, transposeB: false }];

export function wasmHostOps(backend: WasmBackend): HostOps {
  const matMul = batchMatMulKernel('wasm');
  const sigmoid = kernelOf<UnaryKernel>('Sigmoid', 'wasm');
  /** values ← finish(σ(scale · values)) through wasm's SIMD Sigmoid kernel. */
  const withSigmoid = (values: Float32Array, scale: number, finish: (y: Float32Array, out: Float32Array) => void): void => {
    const x = backend.makeOutput([values.length], 'float32');
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    if (scale === 1) xv.set(values);
    else scaledCopy(values, xv, scale);
    const y = sigmoid({ inputs: { x }, backend });
    finish(backend.typedArrayFromHeap(y) as Float32Array, values);
    backend.disposeData(x.dataId as DataId);
    backend.disposeData(y.dataId as DataId);
  };
  return {
    read: (t) => backend.typedArrayFromHeap(t).slice(),
    copy: (t) => backend.typedArrayFromHeap(t).slice(),
    readInto: (t, out, offset) => { out.set(backend.typedArrayFromHeap(t), offset); },
    make: (shape, values) => {
      const out = backend.makeOutput(shape, 'float32');
      backend.typedArrayFromHeap(out).set(values);
      return out;
    },
    matMul: (a, b, transposeA = false) => matMul({ inputs: { a, b }, backend, attrs: ATTRS[transposeA ? 1 : 0]! }),
    // tanh(x) = 2σ(2x) − 1: wasm's Sigmoid is XNNPACK's SIMD kernel, its Tanh a scalar loop ~20×
    // slower per element (absolute error of the identity in float32: ~1e-7).
    activate: (kind, values) => {
      withSigmoid(values, kind === 'tanh' ? 2 : 1, kind === 'tanh' ? tanhFromSigmoid : (y, out) => out.set(y));
    },
    // exp(z) = σ(z) / (1 − σ(z)); for z ≤ 0, 1 − σ(z) ≥ ½: no cancellation.
    expOfNonPositive: (values) => { withSigmoid(values, 1, expFromSigmoid); },
    free: (t) => { backend.disposeData(t.dataId as DataId); },
    compute: (inputs, outShapes, fn) => {
      const outs = outShapes.map((shape) => backend.makeOutput(shape, 'float32'));
      fn(inputs.map((t) => backend.typedArrayFromHeap(t)), outs.map((t) => backend.typedArrayFromHeap(t) as Float32Array));
      return outs;
    },
  };
}

function scaledCopy(src: Float32Array, dst: Float32Array, scale: number): void {
  for (let i = 0; i < src.length; i++) dst[i] = scale * src[i]!;
}

function tanhFromSigmoid(y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = 2 * y[i]! - 1;
}

function expFromSigmoid(y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = y[i]! / (1 - y[i]!);
}

function expInJs(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) values[i] = Math.exp(values[i]!);
}

function activateInJs(kind: Activation, values: Float32Array): void {
  if (kind === 'sigmoid') for (let i = 0; i < values.length; i++) values[i] = 1 / (1 + Math.exp(-values[i]!));
  else for (let i = 0; i < values.length; i++) values[i] = Math.tanh(values[i]!);
}

export function cpuHostOps(backend: CpuBackend & { disposeData(dataId: DataId): boolean }): HostOps {
  const matMul = batchMatMulKernel('cpu');
  return {
    read: (t) => backend.data.get(t.dataId as DataId).values as NumericArray,
    copy: (t) => (backend.data.get(t.dataId as DataId).values as NumericArray).slice(),
    readInto: (t, out, offset) => { out.set(backend.data.get(t.dataId as DataId).values as Float32Array, offset); },
    make: (shape, values) => backend.makeTensorInfo(shape, 'float32', values),
    matMul: (a, b, transposeA = false) => matMul({ inputs: { a, b }, backend, attrs: ATTRS[transposeA ? 1 : 0]! }),
    activate: activateInJs,
    expOfNonPositive: expInJs,
    free: (t) => { backend.disposeData(t.dataId as DataId); },
    compute: (inputs, outShapes, fn) => {
      const outs = outShapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
      fn(inputs.map((t) => backend.data.get(t.dataId as DataId).values as NumericArray), outs);
      return outs.map((values, i) => backend.makeTensorInfo(outShapes[i]!, 'float32', values));
    },
  };
}

/**
 * rows [m, k] (a plain array) · b [k, n] (a backend tensor) → out[outOffset …] (m·n values):
 * one product through the backend, for the per-step matMuls of a recurrence.
 */
export function matMulInto(
  ops: HostOps, rows: Float32Array, m: number, k: number, b: tf.TensorInfo, out: Float32Array, outOffset: number,
): void {
  const a = ops.make([m, k], rows);
  const product = ops.matMul(a, b);
  ops.readInto(product, out, outOffset);
  ops.free(a);
  ops.free(product);
}
