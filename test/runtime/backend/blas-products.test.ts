/**
 * Products on a system BLAS (runtime/node/blas, backend/matmul-blas.ts): with the library installed
 * (every product taken: floor 0) the wasm backend's BatchMatMul, _FusedMatMul and the products
 * inside the fused recurrences equal XNNPACK's (setSystemProducts(false)) within float32 rounding,
 * for every shape and transposition the kernels use; SEQLOOM_BLAS chooses; a missing or broken
 * library leaves XNNPACK with one note and never throws.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  describeProducts, installedProducts, productNote, setProductLibrary, setSystemProducts,
} from '../../../src/runtime/backend/products.js';
import { setCompactRows } from '../../../src/runtime/backend/simd/recurrent.js';
import { setSimdKernels } from '../../../src/runtime/backend/simd/loader.js';
import { installSystemProducts, resetSystemProducts } from '../../../src/runtime/node/blas/index.js';
import { blasRequest } from '../../../src/runtime/node/blas/candidates.js';
import { CELLS, sequenceValuesAndGrads, type SequenceCase } from '../nn/helpers/sequence-case.js';
import { describeWithSystem, nodeKoffi, systemOpenblas } from '../../helpers/system.js';
import { lcgValues as values } from '../../helpers/lcg-values.js';

const rand = (shape: number[], seed: number) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);

/** f's results with the library on and off (XNNPACK): [blas, xnnpack] as shape-prefixed arrays. */
function both(f: () => tf.Tensor | tf.Tensor[]): [number[][], number[][]] {
  const run = (on: boolean) => {
    setSystemProducts(on);
    try {
      const before = tf.memory().numTensors;
      const out = tf.tidy(f);
      const list = Array.isArray(out) ? out : [out];
      const flat = list.map((t) => [...t.shape, ...Array.from(t.dataSync())]);
      tf.dispose(list);
      expect(tf.memory().numTensors).toBe(before);
      return flat;
    } finally {
      setSystemProducts(true);
    }
  };
  return [run(true), run(false)];
}

function expectNear(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, k) => {
    expect(xs.length, `array ${k} length`).toBe(b[k]!.length);
    xs.forEach((x, i) => expect(Math.abs(x - b[k]![i]!), `array ${k}, index ${i}: ${x} vs ${b[k]![i]}`)
      .toBeLessThanOrEqual(tol * Math.max(1, Math.abs(x))));
  });
}

describe('SEQLOOM_BLAS', () => {
  it('reads off, auto and a path', () => {
    expect(blasRequest(undefined)).toEqual({ kind: 'auto' });
    expect(blasRequest(' AUTO ')).toEqual({ kind: 'auto' });
    expect(blasRequest('off')).toEqual({ kind: 'off' });
    expect(blasRequest('0')).toEqual({ kind: 'off' });
    expect(blasRequest('/opt/lib/libblis.so')).toEqual({ kind: 'path', path: '/opt/lib/libblis.so' });
  });
});

describeWithSystem(nodeKoffi(), 'a missing or broken library falls back to XNNPACK with one note', () => {
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'seqloom-blas-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  afterEach(() => { resetSystemProducts(); });

  it('off: no library, no note', () => {
    resetSystemProducts();
    const s = installSystemProducts({ SEQLOOM_BLAS: 'off' });
    expect(s.library).toBeNull();
    expect(s.note).toBeNull();
    expect(installedProducts()).toBeNull();
    expect(describeProducts('wasm')).toMatch(/^XNNPACK/);
  });

  it.each([
    ['a path that does not exist', () => path.join(dir, 'nope.so'), /cannot load/],
    ['a file that is not a library', () => { const f = path.join(dir, 'text.so'); writeFileSync(f, 'not a library\n'); return f; }, /cannot load/],
    ['a library without cblas_sgemm', () => 'libc.so.6', /has no cblas_sgemm/],
  ])('%s', (_name, file, why) => {
    resetSystemProducts();
    const asked = file();
    const s = installSystemProducts({ SEQLOOM_BLAS: asked });
    expect(s.library).toBeNull();
    expect(s.note).toMatch(why);
    expect(s.note).toContain(`SEQLOOM_BLAS=${asked}`);
    expect(s.note).toMatch(/products run on XNNPACK$/);
    expect(productNote()).toBe(s.note);
    expect(installedProducts()).toBeNull();
    // The decision is made once: a second call neither retries nor adds a note.
    expect(installSystemProducts({ SEQLOOM_BLAS: 'auto' })).toBe(s);
  });
});

describeWithSystem([systemOpenblas(), nodeKoffi()], 'products on OpenBLAS equal XNNPACK', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    resetSystemProducts();
    const s = installSystemProducts({ SEQLOOM_BLAS: 'auto', SEQLOOM_BLAS_THREADS: '2' });
    expect(s.library, s.note ?? '').not.toBeNull();
    setProductLibrary(s.library, 0);                       // every product, however small
  });
  afterAll(async () => {
    resetSystemProducts();
    setSimdKernels(true);
    setCompactRows(true);
    await useBackend('cpu');
  });

  it('finds OpenBLAS, says so, and runs two threads', () => {
    expect(installedProducts()!.name).toMatch(/^OpenBLAS \d/);
    expect(describeProducts('wasm')).toMatch(/^OpenBLAS .*, 2 threads$/);
  });

  const shapes: Array<[string, number[], number[]]> = [
    ['2-D', [5, 7], [7, 3]],
    ['one row, one column', [1, 9], [9, 1]],
    ['batched', [3, 4, 6], [3, 6, 5]],
    ['A broadcast over B\'s batch', [1, 4, 6], [3, 6, 5]],
    ['B broadcast (rank 3 · rank 2)', [3, 4, 6], [6, 5]],
    ['rank 4', [2, 3, 4, 6], [2, 3, 6, 5]],
    ['attention-like [B, 1, T]·[B, T, D]', [8, 1, 11], [8, 11, 16]],
  ];
  it.each(shapes)('BatchMatMul %s in all four transpositions', (_name, aShape, bShape) => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
        const [blas, xnn] = both(() => tf.matMul(rand(swap(aShape, ta), 1), rand(swap(bShape, tb), 2), ta, tb));
        expectNear(blas, xnn);
      }
    }
  });

  it('BatchMatMul with an empty dimension, or k = 0 (zeros: XNNPACK leaves that output unwritten)', () => {
    for (const [a, b] of [[[0, 4], [4, 3]], [[2, 0], [0, 3]], [[2, 4], [4, 0]]] as Array<[number[], number[]]>) {
      const [blas, xnn] = both(() => tf.matMul(tf.zeros(a), tf.ones(b)));
      expect(blas[0]!.slice(0, 2)).toEqual(xnn[0]!.slice(0, 2));
      expect(blas[0]!.slice(2)).toEqual(new Array(a[0]! * b[1]!).fill(0));
    }
  });

  it('_FusedMatMul with and without bias, linear and relu, transposed, and its gradients', () => {
    for (const activation of ['linear', 'relu'] as const) {
      for (const withBias of [false, true]) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
          const [blas, xnn] = both(() => {
            const a = rand(ta ? [6, 5] : [5, 6], 3), b = rand(tb ? [4, 6] : [6, 4], 4), bias = rand([4], 5);
            const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.fused.matMul({
              a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: ta, transposeB: tb, activation, bias: withBias ? z : undefined,
            });
            const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor, z?: tf.Tensor) => f(x, y, z ?? bias).square().sum())(
              withBias ? [a, b, bias] : [a, b]);
            return [f(a, b, bias), value, ...grads];
          });
          expectNear(blas, xnn);
        }
      }
    }
  });

  it('products through tf.layers-sized dense layers and their gradients', () => {
    const [blas, xnn] = both(() => {
      const x = rand([70, 48], 6), w = rand([48, 100], 7);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b).tanh().sum())([x, w]);
      return [value, ...grads];
    });
    expectNear(blas, xnn, 2e-5);
  });

  // The fused recurrences' products: steps (all rows and the compact prefix), dh through W_hhᵀ,
  // and dW from the states in place (forwards and reversed) or gathered (compact).
  const cases: Array<Omit<SequenceCase, 'seed'>> = [
    { steps: 5, batch: 3, hidden: 7, lengths: null, h0: true, c0: true, reverse: false },
    { steps: 5, batch: 3, hidden: 7, lengths: null, h0: false, c0: false, reverse: true },
    { steps: 1, batch: 2, hidden: 5, lengths: null, h0: false, c0: true, reverse: false },
    { steps: 1, batch: 1, hidden: 1, lengths: [1], h0: true, c0: true, reverse: true },
    { steps: 6, batch: 7, hidden: 9, lengths: [3, 6, 3, 0, 5, 6, 1], h0: true, c0: false, reverse: false },
    { steps: 6, batch: 7, hidden: 9, lengths: [3, 6, 3, 0, 5, 6, 1], h0: false, c0: true, reverse: true },
    { steps: 4, batch: 3, hidden: 4, lengths: [0, 0, 0], h0: true, c0: true, reverse: false },
    { steps: 7, batch: 6, hidden: 33, lengths: [2, 9, 1, 4, 4, 0], h0: true, c0: true, reverse: true },
  ];
  it.each(CELLS)('%s (%s) recurrences: outputs and gradients equal XNNPACK (SIMD and JS kernels, compact and not)', (cell, nl) => {
    cases.forEach((c, i) => {
      for (const simd of [true, false]) {
        for (const compact of [true, false]) {
          setSimdKernels(simd);
          setCompactRows(compact);
          try {
            const run = (on: boolean) => {
              setSystemProducts(on);
              try {
                return sequenceValuesAndGrads(cell, nl, { ...c, seed: 90 + i }, { whhScale: 1 / Math.sqrt(c.hidden) });
              } finally {
                setSystemProducts(true);
              }
            };
            expectNear(run(true), run(false));
          } finally {
            setSimdKernels(true);
            setCompactRows(true);
          }
        }
      }
    });
  });

  it('keeps results right after the heap grows (views are taken again)', () => {
    const a = rand([33, 17], 8), b = rand([17, 9], 9);
    const first = tf.matMul(a, b).dataSync().slice();
    const big = tf.zeros([64 * 1024 * 1024 / 4]);            // 64 MB more heap
    const again = tf.matMul(a, b).dataSync();
    expect(Array.from(again)).toEqual(Array.from(first));
    tf.dispose([a, b, big]);
  });
});
