/**
 * seqloom's WebAssembly SIMD recurrence kernels (backend/simd/): the committed binary keeps its
 * safety promise (no data, no globals, one import: env.memory), it is what kernels.c builds to,
 * its exp/σ/tanh are accurate, and the fused recurrences give the same outputs and gradients
 * with the kernels on as with the JS path (setSimdKernels(false)), forward and backward.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { heapOffset, loadSimdKernels, setSimdKernels, simdKernelsFor, simdModuleBytes, type WasmHeapBackend } from '../../../src/runtime/backend/simd/loader.js';
import { setCompactRows } from '../../../src/runtime/backend/simd/recurrent.js';
import { createRng } from '../../../src/runtime/nn/index.js';
import { GATES, type CellKind } from '../../../src/runtime/nn/params.js';
import { hasFusedRecurrence } from '../../../src/runtime/nn/sequence.js';
import { CELLS, sequenceValuesAndGrads, type SequenceCase } from '../nn/helpers/sequence-case.js';

function uleb(bytes: Uint8Array, at: number): [number, number] {
  let result = 0, shift = 0, b: number;
  do {
    b = bytes[at++]!;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, at];
}

/** Section ids in order, and the import section's entries (module.field, kind). */
function inspect(bytes: Uint8Array): { ids: number[]; imports: string[] } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const ids: number[] = [];
  const imports: string[] = [];
  const text = (at: number): [string, number] => {
    const [len, start] = uleb(bytes, at);
    return [new TextDecoder().decode(bytes.subarray(start, start + len)), start + len];
  };
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, start] = uleb(bytes, at + 1);
    ids.push(id);
    if (id === 2) {
      let [count, p] = uleb(bytes, start);
      for (let i = 0; i < count; i++) {
        let mod: string, field: string;
        [mod, p] = text(p);
        [field, p] = text(p);
        imports.push(`${mod}.${field}:${bytes[p]}`);
        p = bytes[p] === 2 ? skipLimits(bytes, p + 1) : p + 2;
      }
    }
    at = start + size;
  }
  return { ids, imports };
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  let p = uleb(bytes, at + 1)[1];
  if (flags & 1) p = uleb(bytes, p)[1];
  return p;
}

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the committed SIMD module', () => {
  it('has no data, globals, table or start; its one import is env.memory', () => {
    const { ids, imports } = inspect(simdModuleBytes());
    // type, import, function, export, code — nothing else (no data 11, global 6, start 8, …).
    expect(ids).toEqual([1, 2, 3, 7, 10]);
    expect(imports).toEqual(['env.memory:2']);
  });

  const tools = ['clang-14', 'wasm-ld-14', 'llvm-objdump-14'];
  const missing = tools.filter((t) => !hasTool(t));
  it.skipIf(missing.length > 0)(`is what kernels.c builds to${missing.length > 0 ? ` (skipped: no ${missing.join(', ')})` : ''}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-simd-test-'));
    try {
      const out = path.join(dir, 'kernels-wasm.generated.ts');
      execFileSync('node', ['scripts/build-simd.mjs', '--out', out], { stdio: 'pipe' });
      const committed = readFileSync('src/runtime/backend/simd/kernels-wasm.generated.ts', 'utf8');
      expect(readFileSync(out, 'utf8') === committed, 'rebuilt module differs: run `npm run simd:build` and commit').toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

type Case = SequenceCase;

/** Outputs, loss value and gradients for every input of the fused op (W_hh at a typical init: no chaotic error growth). */
function run(cell: CellKind, nl: 'tanh' | 'relu', c: Case): number[][] {
  return sequenceValuesAndGrads(cell, nl, c, { whhScale: 1 / Math.sqrt(c.hidden) });
}

function runBoth(cell: CellKind, nl: 'tanh' | 'relu', c: Case): [number[][], number[][]] {
  setSimdKernels(true);
  const simd = run(cell, nl, c);
  setSimdKernels(false);
  try {
    return [simd, run(cell, nl, c)];
  } finally {
    setSimdKernels(true);
  }
}

function expectNear(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, k) => {
    expect(xs.length).toBe(b[k]!.length);
    xs.forEach((x, i) => expect(Math.abs(x - b[k]![i]!), `array ${k}, index ${i}: ${x} vs ${b[k]![i]}`).toBeLessThan(tol * Math.max(1, Math.abs(x))));
  });
}

describe('SIMD recurrence kernels on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => setSimdKernels(true));

  it('are loaded on the backend’s memory', () => {
    expect(hasFusedRecurrence()).toBe(true);
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
    setSimdKernels(false);
    expect(simdKernelsFor(tf.backend())).toBeNull();
    setSimdKernels(true);
  });

  it('are not used on a backend whose memory they were not loaded on (the JS path runs)', async () => {
    expect(await loadSimdKernels({ wasm: {} })).toBe(false);
    expect(await loadSimdKernels({ wasm: { asm: { memory: {} } } })).toBe(false);
    expect(simdKernelsFor({ wasm: { asm: { memory: {} } } })).toBeNull();
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
  });

  it('compute exp, σ and tanh to float32 accuracy', () => {
    const k = simdKernelsFor(tf.backend())!;
    const xs = Array.from({ length: 4001 }, (_, i) => Math.fround(-100 + i * 0.05)); // exactly the float32 inputs
    const x = tf.tensor1d(xs);
    const out = tf.zerosLike(x);
    const b = tf.backend() as unknown as WasmHeapBackend;
    const probe = (f: (x: number, out: number, n: number) => void) => {
      f(heapOffset(b, x), heapOffset(b, out), xs.length);
      return out.dataSync();
    };
    const e = probe(k.exp_f32.bind(k));
    xs.forEach((v, i) => {
      if (v >= -87 && v <= 88) expect(Math.abs(e[i]! - Math.exp(v)) / Math.exp(v), `exp(${v})`).toBeLessThan(1e-6);
    });
    const s = probe(k.sigmoid_f32.bind(k));
    xs.forEach((v, i) => expect(Math.abs(s[i]! - 1 / (1 + Math.exp(-v))), `σ(${v})`).toBeLessThan(2e-7));
    const th = probe(k.tanh_f32.bind(k));
    xs.forEach((v, i) => expect(Math.abs(th[i]! - Math.tanh(v)), `tanh(${v})`).toBeLessThan(2e-7));
    x.dispose();
    out.dispose();
  });

  const shapes: Array<Omit<Case, 'seed'>> = [
    { steps: 5, batch: 3, hidden: 7, lengths: [5, 2, 3], h0: true, c0: true, reverse: false },
    { steps: 5, batch: 3, hidden: 7, lengths: [1, 5, 4], h0: false, c0: false, reverse: true },
    { steps: 4, batch: 3, hidden: 9, lengths: null, h0: true, c0: false, reverse: true },
    { steps: 3, batch: 2, hidden: 8, lengths: null, h0: false, c0: true, reverse: false },
    { steps: 1, batch: 1, hidden: 1, lengths: [1], h0: true, c0: true, reverse: false },
    { steps: 6, batch: 5, hidden: 33, lengths: [6, 0, 3, 1, 5], h0: true, c0: true, reverse: true },
  ];
  it.each(CELLS)('%s (%s): outputs and gradients equal the JS path (masked, reversed, odd sizes)', (cell, nl) => {
    shapes.forEach((shape, i) => {
      const [simd, js] = runBoth(cell, nl, { ...shape, seed: 17 + i });
      expectNear(simd, js);
    });
  });

  // Compact rows (rows sorted by length, products on the valid prefix only): against the JS path
  // and against the SIMD kernels multiplying all B rows (setCompactRows(false)).
  const compactShapes: Array<Omit<Case, 'seed' | 'h0' | 'c0' | 'reverse'>> = [
    { steps: 6, batch: 7, hidden: 9, lengths: [3, 6, 3, 0, 5, 6, 1] },    // unsorted, ties, a 0, B % 4 ≠ 0
    { steps: 5, batch: 4, hidden: 8, lengths: [5, 5, 5, 5] },             // all T: the plain path
    { steps: 5, batch: 5, hidden: 6, lengths: [3, 3, 3, 3, 3] },          // all the same, < T
    { steps: 4, batch: 1, hidden: 5, lengths: [2] },                      // one row
    { steps: 4, batch: 3, hidden: 4, lengths: [0, 0, 0] },                // nothing valid
    { steps: 7, batch: 6, hidden: 13, lengths: [2, 9, 1, 4, 4, 0] },      // longer than T, steps with A_t = 0 reversed
  ];
  const flags = [false, true];
  const compactCases = compactShapes.flatMap((shape) => flags.flatMap((reverse) => flags.flatMap((h0) => flags.map((c0) =>
    ({ ...shape, reverse, h0, c0 })))));
  it.each(CELLS)('%s (%s): compact rows equal the JS path and the all-rows SIMD kernels', (cell, nl) => {
    compactCases.forEach((c, i) => {
      const [simd, js] = runBoth(cell, nl, { ...c, seed: 41 + i });
      expectNear(simd, js);
      setCompactRows(false);
      try {
        expectNear(simd, runBoth(cell, nl, { ...c, seed: 41 + i })[0]);
      } finally {
        setCompactRows(true);
      }
    });
  });

  it.each(CELLS)('%s (%s): forward of one path, backward of the other (same saved layouts)', (cell, nl) => {
    const backend = tf.backend() as unknown as { readSync(id: object): ArrayLike<number>; disposeData(id: object): boolean };
    const call = (name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, simd: boolean) => {
      setSimdKernels(simd);
      try {
        const kernel = tf.getKernel(name, 'wasm')!.kernelFunc;
        return kernel({ inputs, backend: tf.backend(), attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo[];
      } finally {
        setSimdKernels(true);
      }
    };
    const values = (ts: tf.TensorInfo[]) => ts.map((t) => Array.from(backend.readSync(t.dataId as object)));
    const free = (ts: tf.TensorInfo[]) => { for (const t of ts) backend.disposeData(t.dataId as object); };
    const rng = createRng(5);
    const [T, B, H, G] = [5, 3, 7, GATES[cell]];
    const rand = (shape: number[], scale = 1) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);
    const lstm = cell === 'lstm';
    const inputs: Record<string, tf.TensorInfo> = {
      projected: rand([T * B, G * H]), whh: rand([H, G * H], 1 / Math.sqrt(H)), h0: rand([B, H]),
      lengths: tf.tensor1d([5, 2, 3], 'int32'),
      ...(cell === 'gru' ? { bhh: rand([G * H]) } : {}), ...(lstm ? { c0: rand([B, H]) } : {}),
    };
    const attrs = { cell, relu: nl === 'relu', steps: T, batch: B, hidden: H, reverse: true };
    const dy = rand([lstm ? T + 1 : T, B, H]);
    const backwardOf = (fwd: tf.TensorInfo[], simd: boolean) => {
      const saved: Record<string, tf.TensorInfo> = cell === 'rnn' ? {} : { saved: fwd[1]! };
      return call('SeqloomRecurrentBackward', { dy, hs: fwd[0]!, ...saved, ...(lstm ? { cs: fwd[2]! } : {}),
        whh: inputs.whh!, h0: inputs.h0!, lengths: inputs.lengths!, ...(lstm ? { c0: inputs.c0! } : {}) }, attrs, simd);
    };
    const fwdSimd = call('SeqloomRecurrentForward', inputs, attrs, true);
    const fwdJs = call('SeqloomRecurrentForward', inputs, attrs, false);
    expectNear(values(fwdSimd), values(fwdJs));
    const reference = backwardOf(fwdJs, false);
    for (const [fwd, simd] of [[fwdJs, true], [fwdSimd, false], [fwdSimd, true]] as const) {
      const grads = backwardOf(fwd, simd);
      expectNear(values(grads), values(reference));
      free(grads);
    }
    free([...reference, ...fwdSimd, ...fwdJs]);
    for (const t of [...Object.values(inputs), dy]) (t as tf.Tensor).dispose();
  });

  it('leak no tensors or wasm memory', () => {
    const c: Case = { steps: 4, batch: 3, hidden: 5, lengths: [4, 1, 2], h0: true, c0: true, reverse: true, seed: 3 };
    for (const [cell, nl] of CELLS) run(cell, nl, c);
    const before = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    for (const [cell, nl] of CELLS) run(cell, nl, c);
    const after = tf.memory() as tf.MemoryInfo & { numBytesInWASM?: number };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
