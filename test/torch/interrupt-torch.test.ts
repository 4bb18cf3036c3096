/**
 * Ctrl-C and kill on `seqloom train --engine torch`, through the real CLI: SIGINT to the whole
 * process group, as a terminal sends it (Node and the Python worker both get it), and SIGTERM to
 * the seqloom process alone (it must stop the worker itself). The run ends with exit 130 / 143 and
 * one line naming the checkpoint (the last epoch's: the torch engine saves after epochs) and the
 * exact --resume command; the folder is a whole checkpoint, unlocked; no process of the group is
 * left and no Python traceback reaches the user.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { describeWithSystem, systemTorch } from '../helpers/system.js';
import { BIN, BUILT, REPO } from '../reliability/helpers.js';

const INTERRUPTED = /^seqloom: interrupted \((?:SIGINT|SIGTERM)\): checkpoint in (\S+) at (.+); resume with: (.+)$/m;

describeWithSystem(systemTorch(), 'Ctrl-C on train --engine torch', () => {
  let root = '';
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-torch-int-'));
    // Batch 1: 144 steps an epoch, so the signal lands inside epoch 2.
    const spec = fs.readFileSync(path.join(REPO, 'test/torch/specs/tiny-gru.yaml'), 'utf8').replace('batch_size: 16 ', 'batch_size: 1  ');
    fs.writeFileSync(path.join(root, 'long.yaml'), spec);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const groupAlive = (pid: number): boolean => {
    try { process.kill(-pid, 0); return true; } catch { return false; }
  };

  it.skipIf(!BUILT).each([
    ['SIGINT', 'the process group', 130, 'int'], ['SIGTERM', 'seqloom alone', 143, 'term'],
  ] as const)('%s to %s: the last epoch\'s checkpoint, the --resume command, exit %d; nothing left running', async (signal, _to, exit, out) => {
    const child = spawn(process.execPath, [BIN, 'train', 'long.yaml', '--engine', 'torch', '--epochs', '20', '--show', '0', '--out', out], {
      cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SEQLOOM_DEBUG: '' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const meta = path.join(root, out, 'meta.json');
    const started = performance.now();
    while (!fs.existsSync(meta) && child.exitCode === null && performance.now() - started < 120_000) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(meta), stderr).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    if (signal === 'SIGINT') process.kill(-child.pid!, signal);
    else child.kill(signal);
    const code = await closed;
    expect(code, stderr).toBe(exit);
    expect(stderr).not.toMatch(/Traceback|KeyboardInterrupt|^\s+at /m);
    const lines = stderr.split('\n').filter((l) => l.startsWith('seqloom: interrupted'));
    expect(lines, stderr).toHaveLength(1);
    const m = INTERRUPTED.exec(lines[0]!)!;
    expect(m, lines[0]).not.toBeNull();
    expect(m[1]).toBe(out);
    expect(m[3]).toMatch(new RegExp(`seqloom(\\.js)? train long\\.yaml --engine torch --epochs 20 --show 0 --out ${out} --resume$`));
    const saved = loadCheckpoint(path.join(root, out)).meta as unknown as { epoch: number; step: number; backend: string };
    expect(saved.epoch).toBeGreaterThanOrEqual(1);
    expect(saved.epoch).toBeLessThan(20);
    expect(saved.step).toBe(saved.epoch * 144);
    expect(saved.backend).toMatch(/^torch /);
    expect(fs.existsSync(path.join(root, out, '.lock'))).toBe(false);
    const waited = performance.now();
    while (groupAlive(child.pid!) && performance.now() - waited < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(groupAlive(child.pid!), 'a process of the run is still alive').toBe(false);
  }, 180_000);
});
