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
import type { CellKind } from '../../../src/runtime/nn/params.js';
import { hasFusedRecurrence } from '../../../src/runtime/nn/sequence.js';
import { CELLS, sequenceValuesAndGrads, type SequenceCase } from './helpers/sequence-case.js';

type Case = SequenceCase;

/** Outputs, value and gradients of Σ w ⊙ output for every input, through one implementation. */
function run(cell: CellKind, nl: 'tanh' | 'relu', c: Case, useOps: boolean): number[][] {
  return sequenceValuesAndGrads(cell, nl, c, { whhScale: 0.5, useOps });
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
