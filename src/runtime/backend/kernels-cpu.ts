/** seqloom's cpu kernels (see kernels.ts for why each exists). */
import * as tf from '@tensorflow/tfjs';
import { addSegments, copySlice, splitSegments, unpackSegments, type NumericArray } from './copy.js';
import { broadcastBinary, matMulArray, transposeArray, type BinaryOp } from './dense-math.js';
import { callStock, isNumeric, type CpuBackend, type KernelArgs, type KernelFix } from './kernel-args.js';

type Args = KernelArgs<CpuBackend>;

export const CPU_FIXES: Record<string, KernelFix<CpuBackend>> = {
  UnsortedSegmentSum: () => segmentSum,
  Slice: (stock) => (args) => (isNumeric(args.inputs.x!.dtype) ? slice(args) : callStock(stock, args, 'Slice')),
  Unpack: () => unpack,
  SplitV: () => split,
  Transpose: (stock) => (args) => (isNumeric(args.inputs.x!.dtype) ? transpose(args) : callStock(stock, args, 'Transpose')),
  BatchMatMul: (stock) => (args) =>
    (args.inputs.a!.dtype === 'float32' && args.inputs.b!.dtype === 'float32' ? batchMatMul(args) : callStock(stock, args, 'BatchMatMul')),
  Add: (stock) => broadcasting(stock, 'Add', (x, y) => x + y, true),
  Sub: (stock) => broadcasting(stock, 'Sub', (x, y) => x - y, true),
  Multiply: (stock) => broadcasting(stock, 'Multiply', (x, y) => x * y, true),
  RealDiv: (stock) => broadcasting(stock, 'RealDiv', (x, y) => x / y, false),
};

function valuesOf(backend: CpuBackend, t: tf.TensorInfo): NumericArray {
  return backend.data.get(t.dataId).values as NumericArray;
}

/** A zeroed array of the same kind (Float32Array, Int32Array, Uint8Array for bool) as `like`. */
function arrayLike(like: NumericArray, size: number): NumericArray {
  return new (like.constructor as new (n: number) => NumericArray)(size);
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function segmentSum({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = attrs!.numSegments as number;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(sizeOf(outShape)) : new Float32Array(sizeOf(outShape));
  addSegments(valuesOf(backend, x), valuesOf(backend, segmentIds), numSegments, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}

function slice({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs!.begin as number[], attrs!.size as number[]);
  tf.slice_util.assertParamsValid(x, begin!, size!);
  const xVals = valuesOf(backend, x);
  const out = arrayLike(xVals, sizeOf(size!));
  copySlice(xVals, x.shape, begin!, size!, out);
  return backend.makeTensorInfo(size!, x.dtype, out);
}

function unpack({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const value = inputs.value!;
  const rank = value.shape.length;
  const axis = ((attrs!.axis as number) + rank) % rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const xVals = valuesOf(backend, value);
  const outs = Array.from({ length: value.shape[axis]! }, () => arrayLike(xVals, sizeOf(outShape)));
  unpackSegments(xVals, value.shape, axis, outs);
  return outs.map((o) => backend.makeTensorInfo(outShape, value.dtype, o));
}

function split({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs!.numOrSizeSplits as number[] | number, axis);
  const xVals = valuesOf(backend, x);
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)));
  const outs = shapes.map((shape) => arrayLike(xVals, sizeOf(shape)));
  splitSegments(xVals, x.shape, axis, sizes, outs);
  return outs.map((o, i) => backend.makeTensorInfo(shapes[i]!, x.dtype, o));
}

function transpose({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const perm = attrs!.perm as number[];
  const xVals = valuesOf(backend, x);
  const out = arrayLike(xVals, xVals.length);
  transposeArray(xVals, x.shape, perm, out);
  return backend.makeTensorInfo(perm.map((p) => x.shape[p]!), x.dtype, out);
}

function batchMatMul({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transposeA = attrs!.transposeA === true;
  const transposeB = attrs!.transposeB === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const [kb, n] = transposeB ? [b.shape[rb - 1]!, b.shape[rb - 2]!] : [b.shape[rb - 2]!, b.shape[rb - 1]!];
  if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of [${a.shape}] and [${b.shape}] must match`);
  const batchDims = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) throw new Error(`matMul: batch shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  const outShape = [...batchDims, m, n];
  const out = new Float32Array(sizeOf(outShape));
  matMulArray(valuesOf(backend, a) as Float32Array, valuesOf(backend, b) as Float32Array, batchA, batchB, m, k, n, transposeA, transposeB, out);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

/**
 * A binary op whose broadcasting case (shapes differ) runs through broadcastBinary; same shapes,
 * mixed dtypes, complex or string inputs go to the stock kernel.
 */
function broadcasting(stock: tf.KernelFunc | undefined, name: string, op: BinaryOp, int32Too: boolean): (args: Args) => tf.TensorInfo {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    const handled = a.dtype === b.dtype && (a.dtype === 'float32' || (int32Too && a.dtype === 'int32'));
    if (sameShape || !handled) return callStock(stock, args, name);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const aVals = valuesOf(args.backend, a);
    const out = arrayLike(aVals, sizeOf(outShape));
    broadcastBinary(aVals, a.shape, valuesOf(args.backend, b), b.shape, outShape, op, out);
    return args.backend.makeTensorInfo(outShape, a.dtype, out);
  };
}
