/**
 * `seqloom train --engine torch` (src/train/torch, python/seqloom_torch/train.py), in process, on a
 * small numbers model prepared once:
 * - with dropout 0, the TypeScript trainer and the torch trainer give the same loss at every step
 *   (same prepared batches, same seed: the torch run starts from seqloom's initialization);
 * - torchrun with 2 processes (DDP, gloo) equals 1 process on the same global batches: every step's
 *   loss and the final weights within 1e-5;
 * - the folder it writes is a seqloom checkpoint: translate (tfjs) and decode with both engines give
 *   the same translations; metrics.jsonl has one record per epoch; --resume continues exactly.
 * Without PyTorch the command says what to install.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { runTraining } from '../../src/train/session.js';
import { runTorchTraining } from '../../src/train/torch/train-torch.js';
import { runPrepare } from '../../src/train/prepared/prepare.js';
import { loadCheckedSpec } from '../../src/compile/index.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { runTranslate } from '../../src/train/run-inference.js';
import { runDecode } from '../../src/train/run-forward.js';
import { runDecodeTorch } from '../../src/train/torch/run-torch.js';
import { encodeSources } from '../../src/train/translate.js';
import { readMetrics } from '../../src/train/metrics-log.js';
import type { ProgressReporter } from '../../src/train/progress.js';
import type { BatchProgress } from '../../src/train/trainer.js';
import { describeWithSystem, systemTorch } from '../helpers/system.js';
import { REPO } from '../codegen/helpers.js';

const SPEC = path.join(REPO, 'test/torch/specs/tiny-gru.yaml');
const TOLERANCE = 1e-5;

function capture(): ProgressReporter & { losses: number[]; notes: string[] } {
  const losses: number[] = [];
  const notes: string[] = [];
  return {
    losses, notes,
    batchEnd: (p: BatchProgress) => { losses.push(p.loss); },
    note: (m: string) => { notes.push(m); },
    summary: () => {}, stop: () => {},
  };
}

function weights(dir: string): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(readSafetensors(path.join(dir, 'model.safetensors')).tensors).map(([n, t]) => [n, t.data as Float32Array]));
}

function maxWeightDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  return Math.max(...Object.keys(a).map((n) => Math.max(...a[n]!.map((x, i) => Math.abs(x - b[n]![i]!)))));
}

function maxStepDiff(a: number[], b: number[]): number {
  expect(b.length).toBe(a.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

describeWithSystem(systemTorch(), 'train --engine torch', () => {
  let root = '';
  let prepared = '';
  const torch = (out: string, extra: Partial<Parameters<typeof runTorchTraining>[0]> = {}) => {
    const reporter = capture();
    return runTorchTraining({
      specPath: SPEC, data: prepared, out: path.join(root, out), epochs: 2, seed: 0, backend: 'cpu', show: 0, reporter,
      nproc: 1, threads: 1, device: 'cpu', rendezvous: {}, ...extra,
    }).then((outcome) => ({ outcome, reporter }));
  };

  // One process, 2 epochs from seed 0 (the reference of the first two tests, and of the checkpoint tests).
  let onceOne: Promise<number[]> | null = null;
  const oneProcess = () => (onceOne ??= torch('torch-1').then(({ reporter }) => reporter.losses));

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-torch-train-'));
    prepared = (await runPrepare({ spec: loadCheckedSpec(SPEC), out: path.join(root, 'prepared'), epochs: 2, seed: 0, note: () => {} })).dir;
  }, 120_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('the TypeScript and the torch trainer give the same loss at every step (dropout 0, same data and seed)', async () => {
    const ts = capture();
    await runTraining({ specPath: SPEC, data: prepared, out: path.join(root, 'ts'), epochs: 2, seed: 0, backend: 'cpu', show: 0, reporter: ts });
    const losses = await oneProcess();
    expect(ts.losses.length).toBe(18);
    expect(maxStepDiff(ts.losses, losses), 'per-step loss, tfjs vs torch').toBeLessThan(TOLERANCE);
    expect(ts.losses[17]!).toBeLessThan(ts.losses[0]! - 0.5);
    expect(maxWeightDiff(weights(path.join(root, 'ts')), weights(path.join(root, 'torch-1'))), 'weights after 18 steps').toBeLessThan(1e-4);
  }, 300_000);

  it('torchrun with 2 processes (DDP, gloo) equals 1 process on the same global batches', async () => {
    const { reporter, outcome } = await torch('torch-2', { nproc: 2 });
    expect(outcome.backend).toMatch(/2 processes \(DDP, gloo\)/);
    expect(maxStepDiff(await oneProcess(), reporter.losses), 'per-step loss, 2 processes vs 1').toBeLessThan(TOLERANCE);
    expect(maxWeightDiff(weights(path.join(root, 'torch-1')), weights(path.join(root, 'torch-2'))), 'weights, 2 processes vs 1').toBeLessThan(TOLERANCE);
  }, 300_000);

  it('writes a seqloom checkpoint: metrics.jsonl per epoch, and translations equal with both engines', async () => {
    await oneProcess();
    const dir = path.join(root, 'torch-1');
    const ckpt = readCheckpoint(dir, { optimizer: true });
    expect(ckpt.meta.epoch).toBe(2);
    expect(ckpt.meta.step).toBe(18);
    expect(ckpt.meta.backend).toMatch(/^torch /);
    expect(ckpt.optimizer?.meta['optimizer']).toBe('Adam');
    const records = readMetrics(dir);
    expect(records.map((r) => [r.epoch, r.step])).toEqual([[1, 9], [2, 18]]);

    const sentences = ['one hundred twelve', 'seven', 'forty four', 'nine thousand'];
    const translated = await runTranslate({ checkpoint: dir, sentences, flags: { strategy: 'beam', beamSize: 2 }, backend: 'cpu' });
    const spec = loadCheckedSpec(path.join(dir, 'spec.yaml'));
    if (ckpt.vocabs.task !== 'seq2seq') throw new Error('expected a seq2seq checkpoint');
    const v = ckpt.vocabs;
    const enc = encodeSources(sentences, v.source, spec.data);
    const input = path.join(root, 'in.json');
    const rows = Array.from({ length: enc.batch }, (_, r) => Array.from(enc.src.subarray(r * enc.srcT, (r + 1) * enc.srcT)));
    fs.writeFileSync(input, JSON.stringify({
      vocab: { source: v.source.size, target: v.target.size }, pad: v.target.pad, bos: v.target.bos, eos: v.target.eos,
      src: rows, src_len: Array.from(enc.srcLen),
    }));
    const o = { specPath: path.join(dir, 'spec.yaml'), weights: path.join(dir, 'model.safetensors'), input, backend: 'cpu', flags: { strategy: 'beam', beamSize: 2 } };
    const [tfjs, viaTorch] = [await runDecode(o), await runDecodeTorch(o)];
    const text = (tokens: number[]) => v.target.decodeUntilEos(tokens).join(' ');
    expect(viaTorch.results.map((l) => l.map((h) => h.tokens))).toEqual(tfjs.results.map((l) => l.map((h) => h.tokens)));
    expect(tfjs.results.map((l) => text(l[0]!.tokens))).toEqual(translated.results.map((r) => r.translation));
  }, 300_000);

  it('metrics.jsonl gets per-step records on long epochs, as from the tfjs engine', async () => {
    const spec = path.join(root, 'tiny-long.yaml');
    fs.writeFileSync(spec, fs.readFileSync(SPEC, 'utf8').replace('batch_size: 16 ', 'batch_size: 1  '));
    const reporter = capture();
    await runTorchTraining({
      specPath: spec, out: path.join(root, 'long'), epochs: 1, seed: 0, backend: 'cpu', show: 0, reporter,
      nproc: 1, threads: 1, device: 'cpu', rendezvous: {},
    });
    const records = readMetrics(path.join(root, 'long'));
    expect(reporter.losses.length).toBe(144);
    expect(records.filter((r) => r.kind === 'steps').length).toBeGreaterThanOrEqual(15);
    expect(records.at(-1)).toMatchObject({ kind: 'epoch', step: 144, epoch: 1 });
  }, 300_000);

  it('--resume continues a torch run exactly (optimizer state through the checkpoint); keep_last and the spec check as with tfjs', async () => {
    await oneProcess();
    await torch('resumed', { epochs: 1, keepLast: 2 });
    const history = path.join(root, 'resumed', 'history');
    expect(fs.readdirSync(history)).toEqual(['step-00000009']);
    const edited = path.join(root, 'tiny-edited.yaml');
    fs.writeFileSync(edited, fs.readFileSync(SPEC, 'utf8').replace('batch_size: 16 ', 'batch_size: 8  '));
    await expect(torch('resumed', { specPath: edited, epochs: 2, resume: true, seed: undefined }))
      .rejects.toThrow(/--resume: .*tiny-edited\.yaml differs from the spec .* was trained with/);
    const { reporter } = await torch('resumed', { epochs: 2, resume: true, seed: undefined, keepLast: 2 });
    expect(reporter.losses.length).toBe(9);
    expect(maxWeightDiff(weights(path.join(root, 'torch-1')), weights(path.join(root, 'resumed'))), 'resumed vs uninterrupted').toBeLessThan(1e-6);
    expect(fs.readdirSync(history)).toEqual(['step-00000009', 'step-00000018']);
    expect(weights(path.join(history, 'step-00000018'))).toEqual(weights(path.join(root, 'resumed')));
  }, 300_000);
});

describe('train --engine torch without PyTorch', () => {
  it('says what to install', async () => {
    const saved = process.env['SEQLOOM_PYTHON'];
    process.env['SEQLOOM_PYTHON'] = '/nonexistent/python3';
    try {
      const { torchPython } = await import('../../src/train/torch/python.js');
      expect(() => torchPython()).toThrow(/the torch engine needs PyTorch: \/nonexistent\/python3 was not found/);
    } finally {
      if (saved === undefined) delete process.env['SEQLOOM_PYTHON'];
      else process.env['SEQLOOM_PYTHON'] = saved;
    }
  });
});
