/**
 * Mid-epoch checkpoints and exact resume at the session level (fake modules, built-in data): a run
 * saving every N steps that crashes inside an epoch resumes from its last mid-epoch checkpoint and
 * ends with the same weights, step count, loss curve and metrics as one uninterrupted run — for
 * seq2seq with dropout and for a language model whose hidden state is carried across batches.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/runtime/backend/index.js';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { runTraining, type TrainOptions } from '../../src/train/session.js';
import { createProgressReporter, type ProgressReporter } from '../../src/train/progress.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { readMetrics } from '../../src/train/metrics-log.js';
import type { SpecModuleLoader } from '../../src/train/model-loader.js';
import { FakeLmClass, fakeLmSpec, fakeLoader, fakeSeq2SeqClass, fakeSeq2SeqSpec } from './fake-spec.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-midepoch-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });
beforeAll(async () => { await useBackend('cpu'); });

/** A quiet reporter that throws (a crash) once the given global step has run. */
function crashingAt(step: number | null, lines: string[] = []): ProgressReporter {
  const r = createProgressReporter({ write: (s: string) => lines.push(s), isTTY: false });
  return { ...r, note: r.note.bind(r), summary: r.summary.bind(r), stop: r.stop.bind(r),
    batchEnd(p) { if (p.step === step) throw new Error(`crash at step ${step}`); } };
}

function weightsOf(dir: string): Record<string, number[]> {
  const { tensors } = readSafetensors(path.join(dir, 'model.safetensors'));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.data)]));
}

const cases: [string, SpecModuleLoader, number][] = [
  ['seq2seq with dropout', fakeLoader(fakeSeq2SeqSpec(), fakeSeq2SeqClass({ dropout: 0.1 })), 3],
  ['a language model with carried state', fakeLoader(fakeLmSpec(), FakeLmClass), 3],
];

describe.each(cases)('mid-epoch resume: %s', (_name, loadModule, epochs) => {
  const opts = (out: string, extra: Partial<TrainOptions>): TrainOptions => ({ specPath: 'fake.yaml', out, loadModule, epochs, reporter: crashingAt(null), ...extra });

  it('a crash inside an epoch, resumed from the last every-3-steps checkpoint == one uninterrupted run', async () => {
    const root = tmp();
    const straight = path.join(root, 'straight');
    const a = await runTraining(opts(straight, {}));
    const perEpoch = a.result.step / epochs;
    expect(perEpoch).toBeGreaterThan(3); // so a crash can land inside an epoch, after a mid-epoch save

    // Crash in epoch 2, one step after a multiple of 3 that is not an epoch's end.
    let crashStep = perEpoch + 2;
    while ((crashStep - 1) % 3 !== 0 || (crashStep - 1) % perEpoch === 0) crashStep++;
    const savedStep = crashStep - 1;
    const split = path.join(root, 'split');
    const crash = runTraining(opts(split, { checkpointEvery: { unit: 'steps', n: 3 }, reporter: crashingAt(crashStep) }));
    await expect(crash).rejects.toThrow(`crash at step ${crashStep}`);
    const mid = readCheckpoint(split, { optimizer: true });
    expect(mid.meta.step).toBe(savedStep);
    expect(mid.meta.epoch).toBe(Math.floor(savedStep / perEpoch));
    expect(mid.meta.epoch_progress?.batch).toBe(savedStep % perEpoch);
    expect(mid.meta.epoch_progress?.tokens).toBeGreaterThan(0);
    if (mid.vocabs.task === 'language-model') {
      expect(mid.carried).not.toBeNull();
      expect(Object.values(mid.carried!).some((t) => t.data.some((x) => x !== 0))).toBe(true);
    } else {
      expect(mid.carried).toBeNull();
    }

    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const b = await runTraining(opts(split, { resume: true, reporter: crashingAt(null, lines) }));
    expect(tf.memory().numTensors).toBe(before);
    expect(lines.join('')).toContain(`at epoch ${mid.meta.epoch + 1}, batch ${mid.meta.epoch_progress!.batch + 1} of ${epochs} (step ${savedStep})`);
    expect(b.result.step).toBe(a.result.step);
    expect(weightsOf(split)).toEqual(weightsOf(straight));
    const end = readCheckpoint(split);
    expect(end.meta.epoch_progress).toBeNull();
    expect(fs.existsSync(path.join(split, 'carried_state.safetensors'))).toBe(false);
    const curve = (dir: string) => readCheckpoint(dir).meta.history.map((h) => [h.epoch, h.loss]);
    expect(curve(split)).toEqual(curve(straight));
    expect(readMetrics(split).map((m) => [m.step, m.train_loss])).toEqual(readMetrics(straight).map((m) => [m.step, m.train_loss]));
  });
});
