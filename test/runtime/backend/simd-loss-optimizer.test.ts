/**
 * seqloom's SIMD loss, optimizer and transpose kernels (kernels.c softmax_xent_fwd/_bwd,
 * sum_squares_f32, adam_f32, transpose32) on wasm give what the JS path gives
 * (setSimdKernels(false): loss-kernels.ts, optimizer-kernels.ts, tfjs-wasm's stock Transpose) —
 * odd sizes, masked rows, all-masked batches, ±80 logits, zero gradients, int32 tensors, each
 * transpose perm — and leak nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { setSimdKernels, simdKernelsFor } from '../../../src/runtime/backend/simd/loader.js';
import { createRng } from '../../../src/runtime/nn/index.js';

type Backend = { readSync(id: object): ArrayLike<number>; disposeData(id: object): boolean };

/** Runs kernel `name` on wasm with the SIMD kernels on or off; returns the outputs' values. */
function call(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, simd: boolean): number[][] {
  const backend = tf.backend() as unknown as Backend;
  setSimdKernels(simd);
  try {
    const kernel = tf.getKernel(name, 'wasm')!.kernelFunc;
    const out = kernel({ inputs, backend: tf.backend(), attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo | tf.TensorInfo[];
    const outs = Array.isArray(out) ? out : [out];
    const values = outs.map((t) => Array.from(backend.readSync(t.dataId as object)));
    for (const t of outs) backend.disposeData(t.dataId as object);
    return values;
  } finally {
    setSimdKernels(true);
  }
}

function both(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}): [number[][], number[][]] {
  return [call(name, inputs, attrs, true), call(name, inputs, attrs, false)];
}

/** |a − b| ≤ rel·|b| + abs elementwise (abs: values below float32's normal range). */
function expectClose(a: number[][], b: number[][], rel = 1e-6, abs = 1e-37): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, k) => {
    expect(xs.length).toBe(b[k]!.length);
    xs.forEach((x, i) => {
      const y = b[k]![i]!;
      if (Number.isNaN(y)) expect(x, `array ${k}, index ${i}`).toBeNaN();
      else expect(Math.abs(x - y), `array ${k}, index ${i}: ${x} vs ${y}`).toBeLessThanOrEqual(rel * Math.abs(y) + abs);
    });
  });
}

const rng = createRng(11);
const normals = (n: number, scale = 1) => Array.from({ length: n }, () => scale * rng.normal());

describe('SIMD loss, optimizer and transpose kernels on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
  });
  afterAll(() => setSimdKernels(true));

  interface LossCase { N: number; V: number; scale: number; labels: (n: number) => number; weights: (n: number) => number }
  const lossCases: Array<[string, LossCase]> = [
    ['odd sizes', { N: 7, V: 13, scale: 3, labels: (n) => (n * 5) % 13, weights: (n) => (n % 3 === 1 ? 0 : 1 + n / 10) }],
    ['V = 1', { N: 5, V: 1, scale: 1, labels: () => 0, weights: () => 1 }],
    ['V < 4, labels out of range', { N: 6, V: 3, scale: 2, labels: (n) => [0, 2, -1, 3, 1, 7][n]!, weights: () => 0.5 }],
    ['large magnitudes ±80', { N: 9, V: 1001, scale: 80, labels: (n) => (n * 97) % 1001, weights: (n) => (n === 4 ? 0 : 1) }],
    ['all rows masked', { N: 4, V: 10, scale: 1, labels: (n) => n, weights: () => 0 }],
    ['rows × 4', { N: 8, V: 64, scale: 5, labels: (n) => n * 3, weights: (n) => n }],
  ];

  it.each(lossCases)('softmax cross-entropy forward and gradient: %s', (_, c) => {
    const raw = normals(c.N * c.V, c.scale).map((x) => Math.max(-80, Math.min(80, x)));
    if (c.scale === 80) for (let n = 0; n < c.N; n++) raw[n * c.V + (n % c.V)] = n % 2 === 0 ? 80 : -80;
    const logits = tf.tensor2d(raw, [c.N, c.V]);
    const labels = tf.tensor1d(Array.from({ length: c.N }, (_, n) => c.labels(n)), 'int32');
    const weights = tf.tensor1d(Array.from({ length: c.N }, (_, n) => c.weights(n)));
    const [simd, js] = both('SeqloomSoftmaxCrossEntropy', { logits, labels, weights });
    expectClose(simd, js);
    const probs = tf.tensor2d(js[1]!, [c.N, c.V]);
    for (const d of [1, -0.37, 0]) {
      const dy = tf.scalar(d);
      const [gs, gj] = both('SeqloomSoftmaxCrossEntropyGrad', { probs, labels, weights, dy });
      expect(gs).toEqual(gj);                                  // same float64 products: bit-equal
      dy.dispose();
    }
    tf.dispose([logits, labels, weights, probs]);
  });

  it('sum of squares: odd sizes, zeros, several tensors (int32 inputs take the JS path)', () => {
    const xs = [1, 3, 7, 1001, 4096].map((n) => tf.tensor1d(normals(n, 10)));
    const zeros = tf.zeros([5, 3]);
    const inputs = Object.fromEntries([...xs, zeros].map((x, i) => [String(i), x]));
    const [simd, js] = both('SeqloomSumSquares', inputs);
    expectClose(simd, js);
    const ints = tf.tensor1d([1, -2, 3], 'int32');
    const [si, ji] = both('SeqloomSumSquares', { 0: ints, 1: xs[1]! });
    expectClose(si, ji);
    tf.dispose([...xs, zeros, ints]);
  });

  it.each([1, 3, 7, 64, 1001])('Adam update of %i values equals the JS path (scale, bias correction, zero gradients)', (n) => {
    const x = tf.tensor1d(normals(n));
    const m = tf.tensor1d(normals(n, 0.01));
    const v = tf.tensor1d(normals(n, 0.001).map(Math.abs));
    for (const [g, scale, c1, c2] of [
      [tf.tensor1d(normals(n)), 1, Math.fround(1 - 0.9), Math.fround(1 - 0.999)],
      [tf.tensor1d(normals(n, 100)), 0.0173, Math.fround(1 - 0.9 ** 3), Math.fround(1 - 0.999 ** 3)],
      [tf.zeros([n]), 1, 0.5, 0.25],
    ] as const) {
      const attrs = { lr: 0.005, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, scale, c1, c2 };
      const [simd, js] = both('SeqloomAdamUpdate', { x, g, m, v }, attrs);
      expect(simd).toEqual(js);                                // float64 as the JS (ties aside): equal
      g.dispose();
    }
    // From zero moments (the first step): v' = 0 where g = 0, x' = x.
    const z = tf.zeros([n]);
    const [simd, js] = both('SeqloomAdamUpdate', { x, g: z, m: z, v: z }, { lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, scale: 1, c1: 0.1, c2: 0.001 });
    expect(simd).toEqual(js);
    tf.dispose([x, m, v, z]);
  });

  const transposes: Array<[number[], number[]]> = [
    [[5, 7], [1, 0]], [[1, 9], [1, 0]], [[9, 1], [1, 0]], [[33, 37], [1, 0]], [[64, 40], [1, 0]], [[0, 5], [1, 0]],
    [[3, 5, 7], [1, 0, 2]], [[4, 6, 1], [1, 0, 2]], [[6, 35, 17], [1, 0, 2]],
    [[3, 5, 7], [0, 2, 1]], [[2, 33, 9], [0, 2, 1]], [[5, 4, 8], [0, 2, 1]],
    [[3, 5, 7], [2, 0, 1]], [[2, 3, 4, 5], [0, 1, 3, 2]],                       // not taken: the stock kernel
  ];
  it.each(transposes)('Transpose %j by %j, float32 and int32, equals the stock kernel', (shape, perm) => {
    const n = shape.reduce((a, b) => a * b, 1);
    for (const dtype of ['float32', 'int32'] as const) {
      const x = tf.tensor(Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i * 7 - 1000 : rng.normal())), shape, dtype);
      const [simd, js] = both('Transpose', { x }, { perm });
      expect(simd).toEqual(js);
      expect(tf.transpose(x, perm).shape).toEqual(perm.map((p) => shape[p]));
      x.dispose();
    }
  });

  it('transposes views (slices, reshapes) and transposed matMul operands as the stock path does', () => {
    const big = tf.tensor3d(normals(7 * 11 * 13), [7, 11, 13]);
    const run = (simd: boolean) => {
      setSimdKernels(simd);
      try {
        return tf.tidy(() => {
          const view = tf.slice(big, [1, 2, 3], [5, 7, 9]);                 // [5, 7, 9]
          const flat = tf.reshape(view, [35, 9]);
          const a = tf.transpose(view, [1, 0, 2]), b = tf.transpose(view, [0, 2, 1]), c = tf.transpose(flat);
          const p = tf.matMul(flat, flat, true, false), q = tf.matMul(flat, flat, false, true);
          const r = tf.matMul(view, view, false, true);                       // batched [0, 2, 1]
          const ints = tf.transpose(tf.cast(tf.mul(flat, 100), 'int32'));
          return [a, b, c, p, q, r, ints].map((t) => Array.from(t.dataSync()));
        });
      } finally {
        setSimdKernels(true);
      }
    };
    const simd = run(true), js = run(false);
    expectClose(simd.slice(0, 3), js.slice(0, 3), 0, 0);
    expectClose(simd.slice(3), js.slice(3), 1e-6, 1e-6);
    big.dispose();
  });

  it('are what runs with the kernels on (and not with them off)', () => {
    const k = simdKernelsFor(tf.backend())! as unknown as Record<string, (...a: number[]) => unknown>;
    const names = ['softmax_xent_fwd', 'softmax_xent_bwd', 'sum_squares_f32', 'adam_f32', 'transpose32'];
    const counts: Record<string, number> = {};
    const originals = names.map((name) => k[name]!);
    names.forEach((name, i) => { counts[name] = 0; k[name] = (...a) => { counts[name]!++; return originals[i]!(...a); }; });
    try {
      const logits = tf.tensor2d(normals(3 * 5), [3, 5]);
      const labels = tf.tensor1d([0, 1, 4], 'int32');
      const weights = tf.tensor1d([1, 0, 1]);
      const dy = tf.scalar(1);
      const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 1e-7, scale: 1, c1: 0.1, c2: 0.01 };
      for (const simd of [true, false]) {
        call('SeqloomSoftmaxCrossEntropy', { logits, labels, weights }, {}, simd);
        call('SeqloomSoftmaxCrossEntropyGrad', { probs: logits, labels, weights, dy }, {}, simd);
        call('SeqloomSumSquares', { 0: logits }, {}, simd);
        call('SeqloomAdamUpdate', { x: logits, g: logits, m: logits, v: logits }, attrs, simd);
        call('Transpose', { x: logits }, { perm: [1, 0] }, simd);
      }
      expect(counts).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
      tf.dispose([logits, labels, weights, dy]);
    } finally {
      names.forEach((name, i) => { k[name] = originals[i]!; });
    }
  });

  it('leak no tensors or wasm memory', () => {
    const go = () => {
      const logits = tf.tensor2d(normals(5 * 9), [5, 9]);
      const labels = tf.tensor1d([0, 1, 2, 8, -1], 'int32');
      const weights = tf.tensor1d([1, 0, 1, 1, 1]);
      both('SeqloomSoftmaxCrossEntropy', { logits, labels, weights });
      both('SeqloomSumSquares', { 0: logits, 1: weights });
      both('SeqloomAdamUpdate', { x: logits, g: logits, m: logits, v: logits }, { lr: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 1e-7, scale: 1, c1: 0.1, c2: 0.01 });
      both('Transpose', { x: logits }, { perm: [1, 0] });
      tf.dispose([logits, labels, weights]);
    };
    go();
    const before = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    go();
    const after = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
