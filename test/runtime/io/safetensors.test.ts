import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors, type TensorData,
} from '../../../src/runtime/node/index.js';
import { UserError } from '../../../src/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file from a header object and a data section, exactly as given (for lying headers). */
function raw(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
function message(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes, 'bad.safetensors');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}
const f32 = (n: number) => new Uint8Array(n * 4);

describe('safetensors round trip', () => {
  it('writes and reads F32 and I32 tensors and metadata', () => {
    const tensors: Record<string, TensorData> = {
      'encoder.weight_ih_l0': { shape: [3, 2], data: Float32Array.from([1, -2, 3.5, 0, -0, 1e-30]) },
      'embedding.weight': { shape: [2, 2], data: Float32Array.from([NaN, Infinity, -Infinity, 7]) },
      ids: { shape: [3], data: Int32Array.from([0, -1, 2 ** 31 - 1]) },
      scalar: { shape: [], data: Float32Array.from([4]) },
      empty: { shape: [0, 5], data: new Float32Array(0) },
    };
    const file = path.join(dir, 'rt.safetensors');
    writeSafetensors(file, tensors, { format: 'pt', spec_hash: 'abc' });
    const back = readSafetensors(file);
    expect(back.metadata).toEqual({ format: 'pt', spec_hash: 'abc' });
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name]!.shape).toEqual(t.shape);
      expect(back.tensors[name]!.data).toEqual(t.data);
      expect(back.tensors[name]!.data.constructor).toBe(t.data.constructor);
    }
    const headerLength = Number(readFileSync(file).readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0); // data aligned, as the reference writer does
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]); // atomic: no temp left behind
  });

  it('keeps names such as __proto__ and constructor as ordinary keys', () => {
    const tensors = JSON.parse('{"__proto__": {"shape": [1], "data": 0}, "constructor": {"shape": [1], "data": 0}}') as Record<string, TensorData>;
    for (const t of Object.values(tensors)) t.data = Float32Array.of(2.5);
    const metadata = JSON.parse('{"__proto__": "x", "toString": "y"}') as Record<string, string>;
    const back = parseSafetensors(serializeSafetensors(tensors, metadata));
    expect(Object.keys(back.tensors).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(back.tensors['__proto__']!.data).toEqual(Float32Array.of(2.5));
    expect(back.metadata).toEqual(metadata);
    expect(Object.keys(back.metadata).sort()).toEqual(['__proto__', 'toString']);
  });

  it('round-trips any set of tensors (property)', () => {
    const tensor = fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.boolean()).chain(([shape, isInt]): fc.Arbitrary<TensorData> => {
      const n = shape.reduce((a, b) => a * b, 1);
      return isInt
        ? fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }).map((v) => ({ shape, data: Int32Array.from(v) }))
        : fc.array(fc.float({ noNaN: true }), { minLength: n, maxLength: n }).map((v) => ({ shape, data: Float32Array.from(v) }));
    });
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== '__metadata__'), tensor, { maxKeys: 5 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (tensors, metadata) => {
        const back = parseSafetensors(serializeSafetensors(tensors, metadata));
        expect(back.metadata).toEqual(metadata);
        for (const [name, t] of Object.entries(tensors)) {
          expect(back.tensors[name]!.shape).toEqual(t.shape);
          expect(back.tensors[name]!.data).toEqual(t.data);
        }
        expect(Object.keys(back.tensors)).toHaveLength(Object.keys(tensors).length);
      }), { numRuns: 200 });
  });

  it('refuses to write inconsistent tensors', () => {
    expect(() => serializeSafetensors({ a: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/has 4 elements, data has 3/);
    expect(() => serializeSafetensors({ a: { shape: [1], data: new Float64Array(1) as unknown as Float32Array } })).toThrow(/Float32Array or an Int32Array/);
    expect(() => serializeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } })).toThrow(/invalid tensor name/);
  });
});

describe('files written by a Python safetensors-format writer', () => {
  const expected = JSON.parse(readFileSync(path.join(fixtures, 'tiny.expected.json'), 'utf8')) as {
    tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>; metadata: Record<string, string>;
  };

  it('reads every dtype (F64/F16/BF16 → Float32Array, I64 → Int32Array) with the right values', () => {
    const file = readSafetensors(path.join(fixtures, 'tiny.safetensors'));
    expect(file.metadata).toEqual(expected.metadata);
    expect(Object.keys(file.tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const got = file.tensors[name]!;
      expect(got.shape).toEqual(want.shape);
      expect(got.fileDtype).toBe(want.dtype);
      expect(got.data).toBeInstanceOf(want.dtype.startsWith('I') ? Int32Array : Float32Array);
      const tol = want.dtype === 'F16' ? 1e-4 : 0;
      want.values.forEach((v, i) => {
        if (tol) expect(got.data[i]).toBeCloseTo(v, 4);
        else expect(got.data[i]).toBe(got.data instanceof Int32Array ? v : Math.fround(v));
      });
    }
  });

  it('reads F32 data that starts at an unaligned offset', () => {
    const file = readSafetensors(path.join(fixtures, 'unaligned.safetensors'));
    expect(file.tensors['encoder.bias_ih_l0']!.data).toEqual(Float32Array.from([0.1, 0.2, 0.3]));
    expect([...file.tensors.lengths!.data]).toEqual([1, -2, 2147483647, -2147483648]);
  });

  it.skipIf(!existsSync('/usr/bin/python3'))('what seqloom writes, the Python reader reads', () => {
    const file = path.join(dir, 'for-python.safetensors');
    writeSafetensors(file, {
      'decoder.weight': { shape: [2, 2], data: Float32Array.from([0.5, -1, 2, 4]) },
      lengths: { shape: [2], data: Int32Array.from([3, -7]) },
    }, { format: 'pt' });
    const out = execFileSync('/usr/bin/python3', [path.join(fixtures, 'safetensors_fixture.py'), 'check', file], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      __metadata__: { format: 'pt' },
      'decoder.weight': { dtype: 'F32', shape: [2, 2], values: [0.5, -1, 2, 4] },
      lengths: { dtype: 'I32', shape: [2], values: [3, -7] },
    });
  });
});

describe('truncated or lying files are UserErrors, never crashes or huge allocations', () => {
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };

  it('too short, header length beyond the file (huge or truncated)', () => {
    expect(message(new Uint8Array(5))).toMatch(/5 bytes is too short/);
    expect(message(raw(good, f32(2), 2n ** 63n))).toMatch(/header length 9223372036854775808 is larger than the file/);
    const whole = raw(good, f32(2));
    expect(message(whole.subarray(0, 20))).toMatch(/header length \d+ is larger than the file \(20 bytes\)/);
    expect(message(whole.subarray(0, whole.length - 3))).toMatch(/out of bounds \(the data section has 5 bytes; is the file truncated\?\)/);
  });

  it('header not JSON, not an object, bad metadata', () => {
    expect(message(raw('{"a": [1, 2', f32(0)))).toMatch(/header is not JSON/);
    expect(message(raw('', f32(0)))).toMatch(/header is not JSON/);
    expect(message(raw(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')))).toMatch(/header is not JSON/);
    expect(message(raw([1, 2]))).toMatch(/header is not a JSON object/);
    expect(message(raw({ __metadata__: { a: 1 } }))).toMatch(/__metadata__.a must be a string/);
    expect(message(raw({ __metadata__: [] }))).toMatch(/__metadata__ must be an object/);
  });

  it('bad entries: unknown or unsupported dtype, bad shape or offsets', () => {
    expect(message(raw({ a: { dtype: 'F33', shape: [2], data_offsets: [0, 8] } }, f32(2)))).toMatch(/tensor "a": unknown dtype "F33"/);
    expect(message(raw({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, f32(2)))).toMatch(/dtype U8 is not supported/);
    expect(message(raw({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32(2)))).toMatch(/shape must be a list of non-negative integers/);
    expect(message(raw({ a: { dtype: 'F32', shape: [2] } }, f32(2)))).toMatch(/data_offsets must be \[begin, end\]/);
    expect(message(raw({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32(2)))).toMatch(/end before they begin/);
    expect(message(raw({ a: 3 }))).toMatch(/header entry is not an object/);
  });

  it('shape × dtype size must equal the byte length, checked before any allocation', () => {
    expect(message(raw({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)))).toMatch(/shape \[3\] of F32 needs 12 bytes, data_offsets give 8/);
    // A shape claiming petabytes against a tiny file: refused by size arithmetic, nothing allocated.
    expect(message(raw({ a: { dtype: 'F32', shape: [2 ** 24, 2 ** 24], data_offsets: [0, 8] } }, f32(2)))).toMatch(/needs 1125899906842624 bytes/);
    expect(message(raw({ a: { dtype: 'F64', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 8] } }, f32(2)))).toMatch(/impossibly large/);
    expect(message(raw({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 2 ** 40] } }, f32(2)))).toMatch(/out of bounds/);
  });

  it('offsets must tile the data section: no overlap, no gap, nothing left over', () => {
    const two = (b1: number[], b2: number[]) => ({ a: { dtype: 'F32', shape: [2], data_offsets: b1 }, b: { dtype: 'F32', shape: [2], data_offsets: b2 } });
    expect(message(raw(two([0, 8], [4, 12]), f32(3)))).toMatch(/tensors "a" and "b" overlap/);
    expect(message(raw(two([0, 8], [12, 20]), f32(5)))).toMatch(/data bytes 8–12 belong to no tensor/);
    expect(message(raw(two([4, 12], [12, 20]), f32(5)))).toMatch(/data bytes 0–4 belong to no tensor/);
    expect(message(raw(good, f32(3)))).toMatch(/data bytes 8–12 belong to no tensor \(the header does not cover the data\)/);
    expect(parseSafetensors(raw(two([8, 16], [0, 8]), f32(4))).tensors.b!.data).toHaveLength(2); // any order is fine
  });

  it('I64 values outside int32 are refused', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigInt64(0, 2n ** 40n, true);
    expect(message(raw({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data))).toMatch(/does not fit int32/);
  });

  it('readSafetensors names a missing file', () => {
    expect(() => readSafetensors(path.join(dir, 'nope.safetensors'))).toThrow(/nope.safetensors: file not found/);
    const f = path.join(dir, 'garbage.safetensors');
    writeFileSync(f, 'this is not a safetensors file at all');
    expect(() => readSafetensors(f)).toThrow(UserError);
  });
});
