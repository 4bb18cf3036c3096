/**
 * Reads the PyTorch reference fixtures (test/fixtures/torch/*.safetensors, written by
 * make_fixtures.py) and compares tensors against them.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TensorDict } from '../../../../src/runtime/module.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/torch');

interface RawTensor { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }

export class Fixture<Case> {
  constructor(readonly cases: Case[], private readonly tensors: Map<string, RawTensor>) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  raw(name: string): RawTensor {
    const t = this.tensors.get(name);
    if (t === undefined) throw new Error(`fixture tensor '${name}' not found`);
    return t;
  }

  /** A new tf tensor (float32 or int32 as stored). */
  tensor<R extends tf.Rank = tf.Rank>(name: string): tf.Tensor<R> {
    const t = this.raw(name);
    return tf.tensor(t.data, t.shape as number[], t.dtype === 'I32' ? 'int32' : 'float32') as unknown as tf.Tensor<R>;
  }

  /** Tensors named `<under><param>` as a TensorDict keyed `<param>` (PyTorch layouts). */
  dict(under: string): TensorDict {
    const out: TensorDict = {};
    for (const [name, t] of this.tensors) {
      if (name.startsWith(under) && t.dtype === 'F32') out[name.slice(under.length)] = { shape: t.shape, data: t.data as Float32Array };
    }
    return out;
  }
}

/** Minimal safetensors reader (F32/I32 only), enough for our own fixtures. */
export function readFixture<Case>(file: string): Fixture<Case> {
  const bytes = readFileSync(path.join(FIXTURES, file));
  const headerLen = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, unknown>;
  const base = 8 + headerLen;
  const tensors = new Map<string, RawTensor>();
  let cases: Case[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      cases = JSON.parse((entry as { cases: string }).cases) as Case[];
      continue;
    }
    const { dtype, shape, data_offsets: [a, b] } = entry as { dtype: 'F32' | 'I32'; shape: number[]; data_offsets: [number, number] };
    const buf = bytes.buffer.slice(bytes.byteOffset + base + a, bytes.byteOffset + base + b);
    tensors.set(name, { dtype, shape, data: dtype === 'I32' ? new Int32Array(buf) : new Float32Array(buf) });
  }
  return new Fixture(cases, tensors);
}

/** |actual − expected| ≤ tol · max(1, |expected|) elementwise, with matching shapes. */
export function expectClose(actual: tf.Tensor | ArrayLike<number>, expected: { shape: number[]; data: ArrayLike<number> } | ArrayLike<number>, label: string, tol = 1e-4): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = 'data' in expected && 'shape' in expected ? expected.data : expected;
  if (actual instanceof tf.Tensor && 'shape' in expected) expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  expect(a.length, `${label}: size`).toBe(e.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) / Math.max(1, Math.abs(e[i]!));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${label}: worst error at ${at} (got ${a[at]}, want ${e[at]})`).toBeLessThanOrEqual(tol);
}

/** [rows, cols] → [cols, rows] of a compute-layout gradient, to compare with PyTorch's layout. */
export function transposed(t: tf.Tensor): tf.Tensor {
  return t.rank === 2 ? t.transpose() : t.clone();
}
