/**
 * Determinism and resume through the real CLI, on cpu and wasm, with dropout on (the generated
 * module's dropout RNG state goes into meta.json): a run killed with SIGKILL after its epoch-2
 * checkpoint and resumed (`--resume --epochs 4`) ends with the same bytes in model.safetensors and
 * the same loss curve as 4 epochs in one go — its first epochs ran in another process, so the same
 * seed twice gives identical curves; another seed does not (so the comparison can fail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, BUILT, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('determinism');
  // 96 pairs, batch 16: 6 batches an epoch, so a kill can land mid-epoch; dropout between the 2 layers.
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 6, dropout: 0.2, limit: 96, batch: 16, epochs: 4, seed: 11 }));
});
afterAll(() => removeTemp(root));

const model = (dir: string) => fs.readFileSync(path.join(root, dir, 'model.safetensors'));
const curve = (dir: string) => (JSON.parse(fs.readFileSync(path.join(root, dir, 'meta.json'), 'utf8')) as { history: { epoch: number; loss: number }[] })
  .history.map((h) => [h.epoch, h.loss]);

/** `seqloom train` killed with SIGKILL once stderr shows epoch `after` ended and its checkpoint is on disk. */
function trainAndKill(out: string, backend: string, after: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', 'tiny.yaml', '--out', out, '--checkpoint-every', '1'], {
      cwd: root, env: { ...process.env, SEQLOOM_BACKEND: backend }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const meta = path.join(root, out, 'meta.json');
    const poll = setInterval(() => {
      try {
        if ((JSON.parse(fs.readFileSync(meta, 'utf8')) as { epoch: number }).epoch >= after) child.kill('SIGKILL');
      } catch {
        // not written yet
      }
    }, 2);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code, signal) => { // after stdout is drained (unlike 'exit')
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve(stderr);
      else reject(new Error(`train ended with ${code} before it could be killed:\n${stderr}`));
    });
  });
}

describe.skipIf(!BUILT).each(['wasm', 'cpu'])('train on %s', (backend) => {
  it('killed after epoch 2 and resumed to 4 == 4 epochs in one go: same loss curve, same weights; another seed differs', async () => {
    const env = { SEQLOOM_BACKEND: backend };
    const straight = seqloom(['train', 'tiny.yaml', '--out', `${backend}-a`], root, env);
    expect(straight.code, straight.stderr).toBe(0);

    await trainAndKill(`${backend}-killed`, backend, 2);
    const saved = (JSON.parse(fs.readFileSync(path.join(root, `${backend}-killed`, 'meta.json'), 'utf8')) as { epoch: number }).epoch;
    expect(saved).toBeGreaterThanOrEqual(2);
    expect(saved).toBeLessThan(4);
    const resumed = seqloom(['train', 'tiny.yaml', '--out', `${backend}-killed`, '--resume', '--epochs', '4'], root, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${backend}-killed at epoch ${saved + 1} of 4`);
    expect(resumed.stderr).not.toMatch(/dropout masks after the resume differ/);
    // Epochs 1..saved come from the killed process, the rest from the resumed one: the same seed in
    // separate processes gives the same curve, and the resume continues it exactly.
    expect(curve(`${backend}-killed`)).toEqual(curve(`${backend}-a`));
    expect(model(`${backend}-killed`).equals(model(`${backend}-a`))).toBe(true);

    const other = seqloom(['train', 'tiny.yaml', '--out', `${backend}-seed`, '--seed', '12', '--epochs', '1'], root, env);
    expect(other.code, other.stderr).toBe(0);
    expect(curve(`${backend}-seed`)[0]).not.toEqual(curve(`${backend}-a`)[0]);
  }, 120_000);
});
