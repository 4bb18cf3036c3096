/**
 * seqloom's kernel fixes, registered once per backend by initBackend (BACKEND-NOTES.md has the
 * measurements behind each one):
 *
 * wasm
 * - UnsortedSegmentSum: missing on wasm, and it is the gradient of every `gather` (embedding lookups).
 * - BatchMatMul with transposeA/transposeB runs 8–13× slower than without; every backward pass uses
 *   it. Fix: transpose the operand first (cheap, O(n)), then take the fast untransposed path.
 * - Slice, Unpack (unstack), SplitV (split): the stock kernels copy the WHOLE input out of the wasm
 *   heap (`readSync`) for every output, so unstacking T steps costs O(T²). Fix: read through a view.
 *   Concat (the gradient of split) gets the same run-wise copy (no subarray view per row).
 * - Identity, and Cast to the same dtype: the stock kernels copy the data. tfjs's engine clones every
 *   tensor it saves for backprop (~1000 clones in a small seq2seq training step) and every mul/div
 *   gradient casts to float32. Tensors are immutable (variables are re-pointed, never written), so
 *   sharing the buffer by reference count is safe — the cpu backend's Identity and wasm's own Reshape
 *   do exactly that.
 * cpu
 * - UnsortedSegmentSum: the stock kernel runs one equal/mul/sum pass per segment (O(V·N·D)); a plain
 *   loop is O(N·D).
 * - Slice, Unpack, SplitV: a non-contiguous slice goes element by element through TensorBuffer.get
 *   (SplitV was ~1.3 s of a 2.3 s seq2seq step). Fix: the same run-wise copies as on wasm.
 * node (tfjs-node): native kernels, nothing to fix.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './select.js';
import { addSegments, concatSegments, copySlice, splitSegments, unpackSegments, type NumericArray } from './copy.js';

type DataId = object;
type NumericDType = 'float32' | 'int32' | 'bool';

/** What the kernels below use of tfjs-backend-wasm's BackendWasm. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): NumericArray;
  disposeData(dataId: DataId): boolean;
  incRef(dataId: DataId): void;
}
/** What the kernels below use of tfjs-backend-cpu's MathBackendCPU. */
interface CpuBackend {
  data: { get(dataId: DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: NumericArray): tf.TensorInfo;
}
interface KernelArgs<B> {
  inputs: Record<string, tf.TensorInfo>;
  backend: B;
  attrs?: Record<string, unknown>;
}

const registered = new Set<BackendName>();

/** Registers the fixes for `backend` (idempotent). Called by initBackend once the backend is up. */
export function registerKernelFixes(backend: BackendName): void {
  if (registered.has(backend)) return;
  if (backend === 'wasm') {
    override('wasm', 'UnsortedSegmentSum', (a) => segmentSumWasm(a as KernelArgs<WasmBackend>));
    overrideTransposedMatMulWasm();
    const stockSlice = tf.getKernel('Slice', 'wasm')?.kernelFunc;
    override('wasm', 'Slice', (a) => sliceWasm(a as KernelArgs<WasmBackend>, stockSlice));
    override('wasm', 'Unpack', (a) => unpackWasm(a as KernelArgs<WasmBackend>));
    override('wasm', 'SplitV', (a) => splitWasm(a as KernelArgs<WasmBackend>));
    const stockConcat = tf.getKernel('Concat', 'wasm')?.kernelFunc;
    override('wasm', 'Concat', (a) => concatWasm(a as KernelArgs<WasmBackend>, stockConcat));
    override('wasm', 'Identity', (a) => shareWasm(a as KernelArgs<WasmBackend>));
    const stockCast = tf.getKernel('Cast', 'wasm')?.kernelFunc;
    override('wasm', 'Cast', (a) => castWasm(a as KernelArgs<WasmBackend>, stockCast));
  }
  if (backend === 'cpu') {
    override('cpu', 'UnsortedSegmentSum', (a) => segmentSumCpu(a as KernelArgs<CpuBackend>));
    const stockSlice = tf.getKernel('Slice', 'cpu')?.kernelFunc;
    override('cpu', 'Slice', (a) => sliceCpu(a as KernelArgs<CpuBackend>, stockSlice));
    override('cpu', 'Unpack', (a) => unpackCpu(a as KernelArgs<CpuBackend>));
    override('cpu', 'SplitV', (a) => splitCpu(a as KernelArgs<CpuBackend>));
  }
  registered.add(backend);
}

/** The kernel names seqloom replaces or adds on a backend (for tests and diagnostics). */
export function kernelFixesFor(backend: BackendName): string[] {
  if (backend === 'wasm') return ['UnsortedSegmentSum', 'BatchMatMul', 'Slice', 'Unpack', 'SplitV', 'Concat', 'Identity', 'Cast'];
  if (backend === 'cpu') return ['UnsortedSegmentSum', 'Slice', 'Unpack', 'SplitV'];
  return [];
}

type AnyKernelFunc = (args: KernelArgs<unknown>) => tf.TensorInfo | tf.TensorInfo[];

function override(backendName: string, kernelName: string, kernelFunc: AnyKernelFunc): void {
  const previous = tf.getKernel(kernelName, backendName);
  if (previous !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({
    kernelName,
    backendName,
    setupFunc: previous?.setupFunc,
    disposeFunc: previous?.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

function overrideTransposedMatMulWasm(): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (stock === undefined || transpose === undefined) return;
  const stockFunc = stock.kernelFunc as unknown as (args: KernelArgs<WasmBackend>) => tf.TensorInfo;
  const transposeFunc = transpose.kernelFunc as unknown as (args: KernelArgs<WasmBackend>) => tf.TensorInfo;
  const swapLastTwo = (x: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
    return transposeFunc({ inputs: { x }, backend, attrs: { perm } });
  };
  override('wasm', 'BatchMatMul', (raw) => {
    const args = raw as KernelArgs<WasmBackend>;
    const attrs = args.attrs ?? {};
    if (attrs.transposeA !== true && attrs.transposeB !== true) return stockFunc(args);
    const temps: tf.TensorInfo[] = [];
    let a = args.inputs.a!;
    let b = args.inputs.b!;
    if (attrs.transposeA === true) temps.push(a = swapLastTwo(a, args.backend));
    if (attrs.transposeB === true) temps.push(b = swapLastTwo(b, args.backend));
    const out = stockFunc({
      inputs: { a, b }, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    for (const t of temps) args.backend.disposeData(t.dataId);
    return out;
  });
}

function segmentSumWasm({ inputs, backend, attrs }: KernelArgs<WasmBackend>): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = attrs!.numSegments as number;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views only after every allocation: growing the wasm heap detaches earlier views.
  const outVals = backend.typedArrayFromHeap(out);
  outVals.fill(0);
  addSegments(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(segmentIds), numSegments, outVals);
  return out;
}

function segmentSumCpu({ inputs, backend, attrs }: KernelArgs<CpuBackend>): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = attrs!.numSegments as number;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const size = outShape.reduce((a, b) => a * b, 1);
  const outVals = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  const xVals = backend.data.get(x.dataId).values as NumericArray;
  const ids = backend.data.get(segmentIds.dataId).values as NumericArray;
  addSegments(xVals, ids, numSegments, outVals);
  return backend.makeTensorInfo(outShape, x.dtype, outVals);
}

function isNumeric(dtype: tf.DataType): dtype is NumericDType {
  return dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
}

function sliceWasm(args: KernelArgs<WasmBackend>, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (!isNumeric(x.dtype) && stock !== undefined) {
    return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo; // strings
  }
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs!.begin as number[], attrs!.size as number[]);
  tf.slice_util.assertParamsValid(x, begin!, size!); // the cpu kernel checks; stock wasm read past the end
  const out = backend.makeOutput(size!, x.dtype);
  copySlice(backend.typedArrayFromHeap(x), x.shape, begin!, size!, backend.typedArrayFromHeap(out));
  return out;
}

function unpackWasm({ inputs, backend, attrs }: KernelArgs<WasmBackend>): tf.TensorInfo[] {
  const value = inputs.value!;
  const rank = value.shape.length;
  const axis = ((attrs!.axis as number) + rank) % rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const outs = Array.from({ length: value.shape[axis]! }, () => backend.makeOutput(outShape, value.dtype));
  unpackSegments(backend.typedArrayFromHeap(value), value.shape, axis,
    outs.map((o) => backend.typedArrayFromHeap(o)));
  return outs;
}

function splitWasm({ inputs, backend, attrs }: KernelArgs<WasmBackend>): tf.TensorInfo[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs!.numOrSizeSplits as number[] | number, axis);
  const outs = sizes.map((s) => backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), x.dtype));
  splitSegments(backend.typedArrayFromHeap(x), x.shape, axis, sizes,
    outs.map((o) => backend.typedArrayFromHeap(o)));
  return outs;
}

function concatWasm(args: KernelArgs<WasmBackend>, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const { backend, attrs } = args;
  const xs = Object.values(args.inputs) as tf.TensorInfo[];   // tfjs passes the list as an array
  const dtype = xs[0]!.dtype;
  if (!xs.every((x) => isNumeric(x.dtype) && x.dtype === dtype) && stock !== undefined) {
    return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const axis = tf.util.parseAxisParam(attrs!.axis as number, xs[0]!.shape)[0]!;
  tf.backend_util.assertParamsConsistent(xs.map((x) => x.shape), axis);
  const outShape = tf.backend_util.computeOutShape(xs.map((x) => x.shape), axis);
  const out = backend.makeOutput(outShape, dtype);
  concatSegments(xs.map((x) => backend.typedArrayFromHeap(x)), xs.map((x) => x.shape), axis, backend.typedArrayFromHeap(out));
  return out;
}

/** A new tensor on the same buffer (reference counted), as wasm's Reshape and cpu's Identity do. */
function shareWasm({ inputs, backend }: KernelArgs<WasmBackend>): tf.TensorInfo {
  const x = inputs.x!;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function castWasm(args: KernelArgs<WasmBackend>, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const x = args.inputs.x!;
  if (args.attrs!.dtype === x.dtype || stock === undefined) return shareWasm(args);
  return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

function valuesCpu(backend: CpuBackend, t: tf.TensorInfo): NumericArray {
  return backend.data.get(t.dataId).values as NumericArray;
}

/** A zeroed array of the same kind (Float32Array, Int32Array, Uint8Array for bool) as `like`. */
function arrayLike(like: NumericArray, size: number): NumericArray {
  return new (like.constructor as new (n: number) => NumericArray)(size);
}

function sliceCpu(args: KernelArgs<CpuBackend>, stock: tf.KernelFunc | undefined): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  if (!isNumeric(x.dtype) && stock !== undefined) {
    return stock(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo; // strings
  }
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs!.begin as number[], attrs!.size as number[]);
  tf.slice_util.assertParamsValid(x, begin!, size!);
  const xVals = valuesCpu(backend, x);
  const out = arrayLike(xVals, size!.reduce((a, b) => a * b, 1));
  copySlice(xVals, x.shape, begin!, size!, out);
  return backend.makeTensorInfo(size!, x.dtype, out);
}

function unpackCpu({ inputs, backend, attrs }: KernelArgs<CpuBackend>): tf.TensorInfo[] {
  const value = inputs.value!;
  const rank = value.shape.length;
  const axis = ((attrs!.axis as number) + rank) % rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const xVals = valuesCpu(backend, value);
  const outs = Array.from({ length: value.shape[axis]! }, () => arrayLike(xVals, outShape.reduce((a, b) => a * b, 1)));
  unpackSegments(xVals, value.shape, axis, outs);
  return outs.map((o) => backend.makeTensorInfo(outShape, value.dtype, o));
}

function splitCpu({ inputs, backend, attrs }: KernelArgs<CpuBackend>): tf.TensorInfo[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, attrs!.numOrSizeSplits as number[] | number, axis);
  const xVals = valuesCpu(backend, x);
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)));
  const outs = shapes.map((shape) => arrayLike(xVals, shape.reduce((a, b) => a * b, 1)));
  splitSegments(xVals, x.shape, axis, sizes, outs);
  return outs.map((o, i) => backend.makeTensorInfo(shapes[i]!, x.dtype, o));
}
