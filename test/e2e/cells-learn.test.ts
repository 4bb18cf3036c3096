/**
 * The quick-start spec (models/numbers-gru.yaml) with its one cell word set to rnn, gru or lstm:
 * each variant generates, compiles (src/compile, as every command does), and trains on the built-in
 * numbers task through the CLI's own session (runTraining → trainLoop); its mean epoch loss must fall
 * well below the first epoch's (< 0.6×). Trimmed to 640 pairs and a smaller hidden size to stay fast.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/train/session.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { rewriteExample, silentReporter, tempDir } from './helpers.js';

const BACKEND = (process.env.SEQLOOM_E2E_BACKEND ?? 'wasm') as 'wasm' | 'cpu';
// Calibrated (seed 0, identical on wasm and cpu): last/first epoch loss is 0.38 (rnn), 0.35 (gru),
// 0.40 (lstm) after 8 epochs; ~5 s a cell on wasm, ~30 s on cpu (SEQLOOM_E2E_BACKEND=cpu).
const EPOCHS = 8;
const HIDDEN = 32;
const PAIRS = 640;
const root = tempDir('cells');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function variantSpec(cell: 'rnn' | 'gru' | 'lstm'): string {
  const text = rewriteExample('numbers-gru.yaml', [
    ['name: numbers-gru ', `name: numbers-${cell} `],
    ['cell: &cell gru', `cell: &cell ${cell}`],
    ['valid_fraction: 0.1 ', `limit: ${PAIRS}\n  valid_fraction: 0.1 `],
    ['hidden: 64, layers: 2 }', `hidden: ${HIDDEN}, layers: 2 }`],
    ['hidden: 64, layers: 2, init', `hidden: ${HIDDEN}, layers: 2, init`],
  ]);
  const file = path.join(root, `numbers-${cell}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe.each(['rnn', 'gru', 'lstm'] as const)(`numbers-gru.yaml with cell: %s (${BACKEND})`, (cell) => {
  it('generates, compiles, trains on the built-in task, and its loss falls', async () => {
    const out = path.join(root, `run-${cell}`);
    const t0 = performance.now();
    const outcome = await runTraining({
      specPath: variantSpec(cell), epochs: EPOCHS, out, backend: BACKEND, reporter: silentReporter(), show: 0,
    });
    const losses = outcome.result.epochs.map((e) => e.loss);
    console.log(`${cell}: losses ${losses.map((l) => l.toFixed(3)).join(' ')} in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    expect(outcome.backend).toBe(BACKEND);
    expect(losses).toHaveLength(EPOCHS);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
    // The checkpoint names the cell's tensors: a GRU has 3 gates, an LSTM 4, an RNN 1.
    const gates = { rnn: 1, gru: 3, lstm: 4 }[cell];
    const w = readCheckpoint(out).weights['encoder.weight_hh_l0']!;
    expect(w.shape).toEqual([gates * HIDDEN, HIDDEN]);
  });
});
