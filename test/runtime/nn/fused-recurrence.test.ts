/**
 * The fused recurrence kernels (backend/recurrent-forward.ts, recurrent-backward.ts) against the
 * op-by-op implementation in nn/sequence.ts: same outputs and same gradients for every input of the
 * op, for each cell, with and without lengths, initial states, reverse direction; cpu and wasm.
 * (Both are also checked against PyTorch by the reference tests; this pins them to each other on
 * cases those fixtures do not cover, e.g. masked steps inside a reverse LSTM with c0.)
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { createRng } from '../../../src/runtime/nn/index.js';
import { GATES, type CellKind } from '../../../src/runtime/nn/params.js';
import { hasFusedRecurrence, runCellSequence, type SequenceSpec } from '../../../src/runtime/nn/sequence.js';

const CELLS: Array<[CellKind, 'tanh' | 'relu']> = [['rnn', 'tanh'], ['rnn', 'relu'], ['gru', 'tanh'], ['lstm', 'tanh']];

interface Case { steps: number; batch: number; hidden: number; lengths: number[] | null; h0: boolean; c0: boolean; reverse: boolean; seed: number }

/** Output value and gradients of Σ w ⊙ output for every input, through one implementation. */
function run(cell: CellKind, nl: 'tanh' | 'relu', c: Case, useOps: boolean): number[][] {
  const rng = createRng(c.seed);
  const G = GATES[cell];
  const { steps: T, batch: B, hidden: H } = c;
  const rand = (n: number, scale = 1) => Array.from({ length: n }, () => scale * rng.normal());
  return tf.tidy(() => {
    const projected = tf.tensor2d(rand(T * B * G * H), [T * B, G * H]);
    const whh = tf.tensor2d(rand(H * G * H, 0.5), [H, G * H]);
    const bhh = tf.tensor1d(rand(G * H));
    const h0 = c.h0 ? tf.tensor2d(rand(B * H), [B, H]) : null;
    const c0 = cell === 'lstm' && c.c0 ? tf.tensor2d(rand(B * H), [B, H]) : null;
    const lengths = c.lengths === null ? null : tf.tensor1d(c.lengths, 'int32');
    const spec: SequenceSpec = { cell, nonlinearity: nl, steps: T, batch: B, hidden: H, lengths, reverse: c.reverse, useOps };
    // b_hh is an input of the op for GRU only (rnn and lstm fold it into the projection).
    const inputs = [projected, whh, ...(cell === 'gru' ? [bhh] : []), ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
    const weights = tf.tensor3d(rand(T * B * H), [T, B, H]);
    const wc = tf.tensor2d(rand(B * H), [B, H]);
    const loss = (...xs: tf.Tensor[]) => {
      const [p, w, ...rest] = xs;
      const b = cell === 'gru' ? rest.shift() as tf.Tensor1D : bhh;
      const r = runCellSequence(spec, p as tf.Tensor2D, w as tf.Tensor2D, b,
        h0 ? rest.shift() as tf.Tensor2D : null, c0 ? rest.shift() as tf.Tensor2D : null);
      const total = tf.sum(r.outputs.mul(weights)).add(tf.sum(r.h.mul(wc)));
      return r.c === null ? total : total.add(tf.sum(r.c.mul(wc.neg())));
    };
    const { value, grads } = tf.valueAndGrads(loss)(inputs);
    const r = runCellSequence(spec, projected, whh, bhh, h0, c0);
    return [Array.from(r.outputs.dataSync()), Array.from(value.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
  });
}

function expectNear(a: number[][], b: number[][]): void {
  expect(a.length).toBe(b.length);
  a.forEach((xs, k) => {
    expect(xs.length).toBe(b[k]!.length);
    xs.forEach((x, i) => expect(Math.abs(x - b[k]![i]!), `array ${k}, index ${i}: ${x} vs ${b[k]![i]}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(x))));
  });
}

describe.each(['cpu', 'wasm'] as const)('fused recurrence on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('is what the backend runs', () => {
    expect(hasFusedRecurrence()).toBe(true);
  });

  it.each(CELLS)('%s (%s): outputs and gradients equal the op-by-op implementation', (cell, nl) => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
      fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
      (steps, batch, hidden, masked, h0, c0, reverse, seed) => {
        const lengths = masked ? Array.from({ length: batch }, (_, b) => 1 + ((seed + b) % steps)) : null;
        const c: Case = { steps, batch, hidden, lengths, h0, c0, reverse, seed };
        expectNear(run(cell, nl, c, false), run(cell, nl, c, true));
      },
    ), { numRuns: 25 });
  });

  it('leaves no tensors behind', () => {
    const c: Case = { steps: 3, batch: 2, hidden: 2, lengths: [3, 1], h0: true, c0: true, reverse: true, seed: 3 };
    run('lstm', 'tanh', c, false);
    const before = tf.memory().numTensors;
    run('lstm', 'tanh', c, false);
    run('gru', 'tanh', c, false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
