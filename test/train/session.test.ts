/**
 * The training session end to end with fake modules on the built-in data: checkpoint after every
 * epoch, exact resume (2 + 2 == 4), divergence keeps the last good checkpoint, folder safety rules.
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
import { STAGING_DIR } from '../../src/train/atomic-dir.js';
import { UserError } from '../../src/errors.js';
import { readMetrics } from '../../src/train/metrics-log.js';
import { FakeLmClass, fakeLmSpec, fakeLoader, fakeSeq2SeqClass, fakeSeq2SeqSpec } from './fake-spec.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-session-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });
beforeAll(async () => { await useBackend('cpu'); });

function quiet(lines: string[] = []): ProgressReporter {
  return createProgressReporter({ write: (s: string) => lines.push(s), isTTY: false });
}

function weightsOf(dir: string): Record<string, number[]> {
  const { tensors } = readSafetensors(path.join(dir, 'model.safetensors'));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.data)]));
}

const spec = fakeSeq2SeqSpec();
const dropoutClass = fakeSeq2SeqClass({ dropout: 0.1 });
const base = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  specPath: 'fake.yaml', out, reporter: quiet(), loadModule: fakeLoader(spec, dropoutClass), checkpointEvery: 1, ...extra,
});

describe('runTraining', () => {
  it('writes a complete checkpoint after every epoch', async () => {
    const out = path.join(tmp(), 'run');
    const seenAtEpochStart: number[] = [];
    const reporter = quiet();
    const observing: ProgressReporter = {
      ...reporter,
      note: reporter.note.bind(reporter), summary: reporter.summary.bind(reporter), stop: reporter.stop.bind(reporter),
      epochStart(epoch) {
        seenAtEpochStart.push(epoch === 1 ? 0 : readCheckpoint(out).meta.epoch);
      },
    };
    const r = await runTraining(base(out, { epochs: 3, reporter: observing }));
    expect(seenAtEpochStart).toEqual([0, 1, 2]);
    expect(r.savedEpoch).toBe(3);
    expect(fs.readdirSync(out).sort()).toEqual(['meta.json', 'metrics.jsonl', 'model.safetensors', 'optimizer.safetensors', 'spec.yaml', 'vocab.json']);
    const ckpt = readCheckpoint(out, { optimizer: true });
    expect(ckpt.meta.epoch).toBe(3);
    expect(ckpt.meta.step).toBe(r.result.step);
    expect(ckpt.meta.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(ckpt.meta.data.path).toBeNull();
    expect(ckpt.meta.module_rng).toHaveLength(1);
    expect(ckpt.optimizer?.meta.optimizer).toBe('Adam');
    expect(ckpt.specText).toBe(spec.source);
    expect(ckpt.vocabs.task === 'seq2seq' && ckpt.vocabs.source.size).toBeGreaterThan(10);
    expect(r.result.epochs.at(-1)!.loss).toBeLessThan(r.result.epochs[0]!.loss);
  });

  it('resumes exactly: 2 epochs + resume to 4 == 4 epochs in one run', async () => {
    const root = tmp();
    const straight = path.join(root, 'straight');
    const split = path.join(root, 'split');
    await runTraining(base(straight, { epochs: 4 }));
    await runTraining(base(split, { epochs: 2 }));
    expect(readCheckpoint(split).meta.epoch).toBe(2);
    expect(weightsOf(split)).not.toEqual(weightsOf(straight));
    const lines: string[] = [];
    const r = await runTraining(base(split, { epochs: 4, resume: true, reporter: quiet(lines) }));
    expect(r.result.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    expect(lines.join('')).toMatch(/resuming .*split at epoch 3 of 4 \(step \d+\)/);
    expect(weightsOf(split)).toEqual(weightsOf(straight));
    expect(readCheckpoint(split).meta.step).toBe(readCheckpoint(straight).meta.step);
    expect(readCheckpoint(split).meta.history).toHaveLength(4);
    // metrics.jsonl: one record per epoch, the resumed run's continuing the first's
    const logged = readMetrics(split);
    expect(logged.map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(logged.map((m) => m.step)).toEqual(readMetrics(straight).map((m) => m.step));
    expect(logged.map((m) => m.train_loss)).toEqual(readMetrics(straight).map((m) => m.train_loss));
    expect(logged.every((m) => m.lr === spec.train.optimizer.lr && m.tokens_per_second > 0)).toBe(true);
    expect(logged[3]!.seconds).toBeGreaterThan(logged[1]!.seconds);

    // Already there: nothing to train, and the checkpoint is untouched.
    const again: string[] = [];
    const noop = await runTraining(base(split, { epochs: 4, resume: true, reporter: quiet(again) }));
    expect(noop.result.epochs).toEqual([]);
    expect(again.join('')).toMatch(/already at epoch 4 \(--epochs 4 is the total\); nothing to train/);
  });

  it('stops on NaN naming the step and keeps the last good checkpoint intact', async () => {
    const out = path.join(tmp(), 'nan');
    // 108 training pairs / batch 32 = 4 steps per epoch: step 6 is in epoch 2.
    const err = await runTraining(base(out, { epochs: 3, loadModule: fakeLoader(spec, fakeSeq2SeqClass({ nanAtStep: 6 })) }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/training diverged at step 6 \(epoch 2, batch 2\): the loss is NaN; the last good checkpoint \(epoch 1\) in .*nan is intact/);
    const ckpt = readCheckpoint(out);
    expect(ckpt.meta.epoch).toBe(1);
    expect(Object.values(ckpt.weights).every((t) => t.data.every(Number.isFinite))).toBe(true);
    expect(fs.existsSync(path.join(out, STAGING_DIR))).toBe(false);
    expect(readMetrics(out).map((m) => m.epoch)).toEqual([1]);
  });

  it('a resume drops metrics records past its checkpoint; a fresh run starts a fresh log', async () => {
    const out = path.join(tmp(), 'log');
    await runTraining(base(out, { epochs: 2, checkpointEvery: 2 }));
    // A crash after epoch 3's record but before its checkpoint: the log is ahead of the weights.
    fs.appendFileSync(path.join(out, 'metrics.jsonl'), JSON.stringify({ step: 999, epoch: 3, train_loss: 1, tokens_per_second: 1, lr: 1, seconds: 1 }) + '\n{"step": 100');
    await runTraining(base(out, { epochs: 3, resume: true }));
    expect(readMetrics(out).map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(readMetrics(out).at(-1)!.step).toBeLessThan(999);
    await runTraining(base(out, { epochs: 1, overwrite: true }));
    expect(readMetrics(out).map((m) => m.epoch)).toEqual([1]);
  });

  it('refuses to overwrite a checkpoint, or to resume nothing or a different spec', async () => {
    const out = path.join(tmp(), 'guard');
    await expect(runTraining(base(out, { epochs: 1, resume: true }))).rejects.toThrow(/--resume: .*guard holds no checkpoint to resume/);
    await runTraining(base(out, { epochs: 1 }));
    await expect(runTraining(base(out, { epochs: 1 }))).rejects.toThrow(/guard already holds a checkpoint/);
    const other = fakeSeq2SeqSpec({ source: 'seqloom: 1\nname: fake-seq2seq\n# edited\n' });
    await expect(runTraining(base(out, { epochs: 2, resume: true, loadModule: fakeLoader(other, dropoutClass) })))
      .rejects.toThrow(/differs from the spec .*guard was trained with/);
    await expect(runTraining(base(out, { epochs: 2, resume: true, seed: 99 }))).rejects.toThrow(/--seed 99 differs from the checkpoint's seed 7/);
    const r = await runTraining(base(out, { epochs: 1, overwrite: true }));
    expect(r.savedEpoch).toBe(1);
  });

  it('trains a language model with carried state, tensor count flat', async () => {
    const out = path.join(tmp(), 'lm');
    const before = tf.memory().numTensors;
    const r = await runTraining({
      specPath: 'lm.yaml', out, reporter: quiet(), loadModule: fakeLoader(fakeLmSpec(), FakeLmClass), checkpointEvery: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.result.epochs).toHaveLength(2);
    const ckpt = readCheckpoint(out);
    expect(ckpt.vocabs.task).toBe('language-model');
    expect(ckpt.meta.module_rng).toBeNull();
  });
});
