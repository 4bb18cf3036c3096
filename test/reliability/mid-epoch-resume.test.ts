/**
 * Mid-epoch checkpoints through the real CLI: `train --checkpoint-every "2 steps"` killed with
 * SIGKILL while its latest checkpoint is inside an epoch, then `--resume`, ends with the same bytes
 * in model.safetensors and the same loss curve as one uninterrupted run (dropout on, so the module's
 * RNG must be restored too). The SIGKILL lands while the trainer is frozen with SIGSTOP, after the
 * test has seen (through the checkpoint reader) that the folder holds a mid-epoch checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { BIN, BUILT, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('midepoch');
  // 86 training pairs, batch 16: 6 batches an epoch; saves every 2 steps fall inside epochs too.
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 6, dropout: 0.2, limit: 96, batch: 16, epochs: 3, seed: 11 }));
});
afterAll(() => removeTemp(root));

const model = (dir: string) => fs.readFileSync(path.join(root, dir, 'model.safetensors'));
const curve = (dir: string) => (JSON.parse(fs.readFileSync(path.join(root, dir, 'meta.json'), 'utf8')) as { history: { epoch: number; loss: number }[] })
  .history.map((h) => [h.epoch, h.loss]);

interface Progress { batch: number }

/** Trains; freezes the process whenever a new save shows up, and kills it once that save is mid-epoch in epoch ≥ 2. */
function trainAndKillMidEpoch(out: string): Promise<{ epoch: number; step: number; progress: Progress }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', 'tiny.yaml', '--out', out, '--checkpoint-every', '2 steps', '--show', '0'], {
      cwd: root, env: { ...process.env, SEQLOOM_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let seenStep = -1;
    let found: { epoch: number; step: number; progress: Progress } | null = null;
    const dir = path.join(root, out);
    const poll = setInterval(() => {
      if (found || !fs.existsSync(path.join(dir, 'meta.json'))) return;
      let step: number;
      try {
        step = (JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { step: number }).step;
      } catch {
        return; // being replaced
      }
      if (step === seenStep) return;
      child.kill('SIGSTOP');
      const meta = loadCheckpoint(dir).meta as unknown as { epoch: number; step: number; epoch_progress: Progress | null };
      seenStep = step;
      if (meta.epoch >= 1 && meta.epoch_progress) {
        found = { epoch: meta.epoch, step: meta.step, progress: meta.epoch_progress };
        child.kill('SIGKILL');
      }
      child.kill('SIGCONT');
    }, 2);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL' && found) resolve(found);
      else reject(new Error(`train ended with ${code ?? signal} before a mid-epoch checkpoint was seen:\n${stderr}`));
    });
  });
}

describe.skipIf(!BUILT)('mid-epoch checkpoints through the CLI', () => {
  it('killed mid-epoch and resumed == one uninterrupted run: same weights, same loss curve', async () => {
    const straight = seqloom(['train', 'tiny.yaml', '--out', 'straight', '--show', '0'], root);
    expect(straight.code, straight.stderr).toBe(0);

    const at = await trainAndKillMidEpoch('killed');
    expect(at.progress.batch).toBeGreaterThan(0);
    expect(at.progress.batch).toBeLessThan(6);
    const resumed = seqloom(['train', 'tiny.yaml', '--out', 'killed', '--resume', '--show', '0'], root);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming killed at epoch ${at.epoch + 1}, batch ${at.progress.batch + 1} of 3 (step ${at.step})`);
    expect(curve('killed')).toEqual(curve('straight'));
    expect(model('killed').equals(model('straight'))).toBe(true);
  }, 120_000);
});
