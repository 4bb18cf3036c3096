/**
 * seqloom's wasm kernels (see kernels.ts for why each exists). Outputs are allocated first and the
 * heap views taken after: growing the wasm heap detaches earlier views.
 */
import * as tf from '@tensorflow/tfjs';
import { addSegments, concatSegments, copySlice, gatherRuns, splitSegments, unpackSegments } from './copy.js';
import { callStock, isNumeric, type KernelArgs, type KernelFix, type WasmBackend } from './kernel-args.js';
import { blasBatchMatMul, blasFusedMatMul } from './matmul-blas.js';
import { simdKernelsFor, type WasmHeapBackend } from './simd/loader.js';
import { transposeSimd } from './simd/transpose.js';

type Args = KernelArgs<WasmBackend>;

// Transpose first: the BatchMatMul fix looks the registered Transpose up when it is created.
export const WASM_FIXES: Record<string, KernelFix<WasmBackend>> = {
  Transpose: (stock) => (args) => transpose(args, stock),
  UnsortedSegmentSum: () => segmentSum,
  BatchMatMul: (stock) => {
    const xnnpack = transposeFirstMatMul(stock);
    return (args) => blasBatchMatMul(heapBackend(args), args.inputs.a!, args.inputs.b!, args.attrs?.transposeA === true,
      args.attrs?.transposeB === true) ?? xnnpack(args);
  },
  _FusedMatMul: (stock) => {
    const xnnpack = transposeFirstMatMul(stock, '_FusedMatMul');
    return (args) => blasFusedMatMul(heapBackend(args), args.inputs, args.attrs ?? {}) ?? xnnpack(args);
  },
  Slice: (stock) => (args) => (isNumeric(args.inputs.x!.dtype) ? slice(args) : callStock(stock, args, 'Slice')),
  Unpack: () => unpack,
  SplitV: () => split,
  Concat: (stock) => (args) => concat(args, stock),
  GatherV2: (stock) => (args) => gather(args, stock),
  Identity: () => share,
  Cast: (stock) => (args) => (args.attrs!.dtype === args.inputs.x!.dtype ? share(args) : callStock(stock, args, 'Cast')),
};

const heapBackend = (args: Args) => args.backend as WasmBackend & WasmHeapBackend;

/**
 * 2-D [1, 0] and 3-D [1, 0, 2] / [0, 2, 1] swaps of float32/int32 through the SIMD module's blocked
 * transpose (simd/transpose.ts) when it is loaded and on; everything else, the stock kernel.
 */
function transpose(args: Args, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const k = simdKernelsFor(args.backend);
  const out = k === null ? null
    : transposeSimd(k, args.backend as WasmBackend & WasmHeapBackend, args.inputs.x!, args.attrs!.perm as number[]);
  return out ?? callStock(stock, args, 'Transpose');
}

/**
 * XNNPACK's product with its operands transposed first: its transposed paths are 8–13× slower, and
 * its `_FusedMatMul` adds the bias wrongly when an operand is transposed (tfjs-backend-wasm 4.22).
 */
function transposeFirstMatMul(stock: tf.KernelFunc | undefined, kernelName = 'BatchMatMul'): (args: Args) => tf.TensorInfo {
  const transposeFunc = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as ((args: Args) => tf.TensorInfo) | undefined;
  const swapLastTwo = (x: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
    return transposeFunc!({ inputs: { x }, backend, attrs: { perm } });
  };
  return (args) => {
    const attrs = args.attrs ?? {};
    if ((attrs.transposeA !== true && attrs.transposeB !== true) || transposeFunc === undefined) {
      return callStock(stock, args, kernelName);
    }
    const temps: tf.TensorInfo[] = [];
    let a = args.inputs.a!;
    let b = args.inputs.b!;
    if (attrs.transposeA === true) temps.push(a = swapLastTwo(a, args.backend));
    if (attrs.transposeB === true) temps.push(b = swapLastTwo(b, args.backend));
    const out = callStock(stock, { inputs: { ...args.inputs, a, b }, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } }, kernelName);
    for (const t of temps) args.backend.disposeData(t.dataId);
    return out;
  };
}

function segmentSum({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = attrs!.numSegments as number;
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const outVals = backend.typedArrayFromHeap(out);
  outVals.fill(0);
  addSegments(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(segmentIds), numSegments, outVals);
  return out;
}

function slice({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs!.begin as number[], attrs!.size as number[]);
  tf.slice_util.assertParamsValid(x, begin!, size!); // the cpu kernel checks; stock wasm read past the end
  const out = backend.makeOutput(size!, x.dtype);
  copySlice(backend.typedArrayFromHeap(x), x.shape, begin!, size!, backend.typedArrayFromHeap(out));
  return out;
}

function unpack({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const value = inputs.value!;
  const rank = value.shape.length;
  const axis = ((attrs!.axis as number) + rank) % rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const outs = Array.from({ length: value.shape[axis]! }, () => backend.makeOutput(outShape, value.dtype));
  unpackSegments(backend.typedArrayFromHeap(value), value.shape, axis, outs.map((o) => backend.typedArrayFromHeap(o)));
  return outs;
}

function split({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs!.numOrSizeSplits as number[] | number, axis);
  const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), x.dtype));
  splitSegments(backend.typedArrayFromHeap(x), x.shape, axis, sizes, outs.map((o) => backend.typedArrayFromHeap(o)));
  return outs;
}

function concat(args: Args, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const { backend, attrs } = args;
  const xs = Object.values(args.inputs);   // tfjs passes the list as an array
  const dtype = xs[0]!.dtype;
  if (!xs.every((x) => isNumeric(x.dtype) && x.dtype === dtype)) return callStock(stock, args, 'Concat');
  const axis = tf.util.parseAxisParam(attrs!.axis as number, xs[0]!.shape)[0]!;
  tf.backend_util.assertParamsConsistent(xs.map((x) => x.shape), axis);
  const out = backend.makeOutput(tf.backend_util.computeOutShape(xs.map((x) => x.shape), axis), dtype);
  concatSegments(xs.map((x) => backend.typedArrayFromHeap(x)), xs.map((x) => x.shape), axis, backend.typedArrayFromHeap(out));
  return out;
}

/**
 * Row gather (embeddings, beam reordering): out[o, n, …] = x[o, idx[n], …] as run copies. The stock
 * kernel walks element by element (~30 ms for 2240 rows of 256). Batched gathers, other dtypes and
 * out-of-range indices (the stock kernel reports them) go to the stock kernel.
 */
function gather(args: Args, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const indices = inputs.indices!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const dim = x.shape[axis]!;
  if ((attrs!.batchDims as number) !== 0 || !isNumeric(x.dtype) || indices.dtype !== 'int32') return callStock(stock, args, 'GatherV2');
  const ids = backend.typedArrayFromHeap(indices);
  for (let i = 0; i < ids.length; i++) if (!(ids[i]! >= 0 && ids[i]! < dim)) return callStock(stock, args, 'GatherV2');
  const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
  gatherRuns(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(indices), x.shape, axis, backend.typedArrayFromHeap(out));
  return out;
}

/** A new tensor on the same buffer (reference counted), as wasm's Reshape and cpu's Identity do. */
function share({ inputs, backend }: Args): tf.TensorInfo {
  const x = inputs.x!;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
