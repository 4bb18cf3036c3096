/**
 * Training that produces NaN/Inf, through the real CLI: Adam with lr 1e38 and no clipping. The first
 * step's loss is finite and is checkpointed (epoch 1: one batch per epoch); the second step's is NaN.
 * The run stops with one clear line naming the step, the checkpoint folder still holds epoch 1 —
 * byte for byte what a 1-epoch run writes — and translating with those weights says the scores are
 * not numbers instead of printing an empty translation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { BUILT, expectCleanError, expectNoStack, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('nan');
  // 40 pairs, batch 64: one batch (one step) per epoch. lr 1e38: weights near float32's limit make
  // the logits overflow whichever library multiplies (with 1e30 only products overflow, and a BLAS
  // accumulating by fused multiply-add keeps them ±Inf where XNNPACK's separate multiply and add
  // gives Inf − Inf = NaN: the loss then stays finite, ~1e30, on a system BLAS).
  fs.writeFileSync(path.join(root, 'nan.yaml'), tinySeq2seqSpec({ name: 'diverges', lr: '1.0e+38', clip: 'null', epochs: 4, batch: 64, limit: 40, hidden: 4 }));
});
afterAll(() => removeTemp(root));

const bytes = (dir: string, name: string) => fs.readFileSync(path.join(root, dir, name));

describe.skipIf(!BUILT)('divergence', () => {
  it('stops at the first non-finite loss naming the step; the epoch-1 checkpoint stays intact', () => {
    const r = seqloom(['train', 'nan.yaml', '--out', 'run'], root);
    expectCleanError(r);
    expect(r.stderr).toMatch(/seqloom: error: training diverged at step 2 \(epoch 2, batch 1\): the loss is (NaN|Infinity|-Infinity)/);
    expect(r.stderr).toContain('the last good checkpoint (epoch 1) in run is intact');
    expect(r.stderr).toMatch(/help: lower the learning rate \(train\.optimizer\.lr\) or set train\.clip_norm/);
    expect(r.stdout).toBe('');

    const ckpt = readCheckpoint(path.join(root, 'run'), { optimizer: true });
    expect(ckpt.meta.epoch).toBe(1);
    expect(ckpt.meta.step).toBe(1);
    expect(Number.isFinite(ckpt.meta.history[0]!.loss)).toBe(true);
    expect(fs.readdirSync(path.join(root, 'run')).sort())
      .toEqual(['meta.json', 'metrics.jsonl', 'model.safetensors', 'optimizer.safetensors', 'spec.yaml', 'vocab.json']);

    // The same seed for one epoch writes the very same weights and optimizer state.
    const one = seqloom(['train', 'nan.yaml', '--out', 'one', '--epochs', '1'], root);
    expect(one.code, one.stderr).toBe(0);
    expect(bytes('run', 'model.safetensors').equals(bytes('one', 'model.safetensors'))).toBe(true);
    expect(bytes('run', 'optimizer.safetensors').equals(bytes('one', 'optimizer.safetensors'))).toBe(true);
  });

  it('translating with diverged weights says so (greedy and beam), rather than printing nothing', () => {
    for (const beam of ['1', '3']) {
      const r = seqloom(['translate', 'run', 'three hundred', '--beam', beam, '--json'], root);
      expectNoStack(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/note: the model's scores are not finite numbers .*diverged/);
      const doc = JSON.parse(r.stdout) as { results: { source: string }[] };
      expect(doc.results.map((x) => x.source)).toEqual(['three hundred']);
    }
  });
});
