/**
 * Per-step records in metrics.jsonl on long epochs: about 20 an epoch, each with the loss and
 * throughput since the previous one, none on short epochs or at an epoch's last batch (its epoch
 * record covers it); training writes them between its epoch records.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMetrics, StepRecorder, type StepStanding } from '../../src/train/metrics-log.js';
import { TINY_ATTENTION_SPEC, trainTiny } from '../helpers/tiny-runs.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-steps-'));
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

const standing = (epoch: number, batches: number, batch: number, stepsBefore = 0): StepStanding => ({
  epoch, batches, step: stepsBefore + batch,
  progress: { batch, lossSum: 2 * batch * 10, tokens: batch * 10, seconds: batch * 0.5 },
});

describe('StepRecorder', () => {
  it('writes every ⌈batches/20⌉ batches of a long epoch, with the figures since the previous record', () => {
    const dir = path.join(root, 'unit');
    const rec = new StepRecorder(dir, 0.01);
    const written = [];
    for (let b = 1; b <= 200; b++) written.push(rec.afterStep(standing(1, 200, b), 100));
    const records = written.filter((r) => r !== null);
    expect(records.map((r) => r!.step)).toEqual(Array.from({ length: 19 }, (_, i) => (i + 1) * 10));
    expect(records[1]).toMatchObject({ kind: 'steps', step: 20, epoch: 0.1, train_loss: 2, tokens_per_second: 20, lr: 0.01, seconds: 110 });
    expect(readMetrics(dir)).toEqual(records);
    // A short epoch gets none; a new epoch starts its own window.
    expect(rec.afterStep(standing(2, 99, 33), 0)).toBeNull();
    expect(rec.afterStep(standing(3, 200, 10, 400), 0)).toMatchObject({ step: 410, epoch: 2.05, tokens_per_second: 20 });
  });
});

describe('training on long epochs', () => {
  it('writes per-step records between the epoch records', async () => {
    // The smallest model on the built-in task: one batch per pair, so the epoch is long.
    const spec = TINY_ATTENTION_SPEC.replace('batch_size: 32', 'batch_size: 1').replace('name: tiny-attention', 'name: long-epoch')
      .replace(/ {2}attn: .*\n/, '').replace(/ {2}dec_in: .*\n/, '').replace('input: dec_in', 'input: tgt_emb')
      .replace(/dim: 12/g, 'dim: 4').replace(/hidden: 16/g, 'hidden: 4');
    const run = await trainTiny(root, 'long', spec, { epochs: 1 });
    const records = readMetrics(run);
    // 108 training pairs → 108 batches of one; a record every 6 batches, then the epoch's.
    expect(records.map((r) => r.kind)).toEqual([...Array<string>(17).fill('steps'), 'epoch']);
    expect(records.map((r) => r.step)).toEqual([...Array.from({ length: 17 }, (_, i) => (i + 1) * 6), 108]);
    for (const r of records) expect(r.train_loss).toBeGreaterThan(0);
    expect(records.at(-2)!.seconds).toBeLessThanOrEqual(records.at(-1)!.seconds);
  }, 120_000);
});
