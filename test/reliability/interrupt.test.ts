/**
 * Ctrl-C and kill through the real CLI, with real signals. SIGINT during an epoch: the step
 * finishes, a checkpoint is saved there, one line names it and the exact `--resume` command, exit
 * 130 — and running that very command (through a shell) ends with the same bytes as a run that was
 * never interrupted. A second SIGINT ends the process at once, by the signal, and the folder still
 * holds a whole checkpoint that `translate` reads and `--resume` continues (taking over the lock the
 * killed process left). SIGTERM behaves like the first SIGINT, with exit 143.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { BUILT, REPO, expectNoStack, makeTemp, removeTemp, seqloom, spawnSeqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('interrupt');
  // 360 training pairs, batch 4: 90 steps an epoch, so a signal lands inside an epoch; dropout on.
  // 180 steps an epoch: the second epoch, where the first test's signal lands, lasts a few tenths of a second.
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 6, dropout: 0.2, limit: 400, batch: 2, epochs: 2, seed: 5 }));
});
afterAll(() => removeTemp(root));

const model = (dir: string) => fs.readFileSync(path.join(root, dir, 'model.safetensors'));
const INTERRUPTED = /^seqloom: interrupted \((SIGINT|SIGTERM)\): checkpoint in (\S+) at (.+); resume with: (.+)$/m;

describe.skipIf(!BUILT)('interrupting training', () => {
  it('SIGINT mid-epoch: a checkpoint at the step, one line with the exact resume command, exit 130; that command finishes the run bit for bit', async () => {
    const straight = seqloom(['train', 'tiny.yaml', '--out', 'straight', '--show', '0'], root);
    expect(straight.code, straight.stderr).toBe(0);

    const run = spawnSeqloom(['train', 'tiny.yaml', '--out', 'stopped', '--show', '0', '--checkpoint-every', '1000 steps'], root);
    // Once the first epoch's validation is printed the second epoch is under way: the signal lands
    // inside it on a machine of any speed (a fixed delay once let a fast machine finish first).
    await run.waitForStderr(/^epoch 1: valid loss/m);
    run.child.kill('SIGINT');
    const r = await run.exited;
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^seqloom: SIGINT received: finishing this step and saving a checkpoint \(Ctrl-C again: quit at once\)$/m);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('seqloom: interrupted'));
    expect(lines).toHaveLength(1);
    const m = INTERRUPTED.exec(lines[0]!)!;
    expect(m, lines[0]).not.toBeNull();
    expect(m[2]).toBe('stopped');
    const meta = loadCheckpoint(path.join(root, 'stopped')).meta as unknown as { epoch: number; step: number; epoch_progress: { batch: number } | null };
    expect(meta.epoch_progress, 'the signal should land inside an epoch').not.toBeNull();
    expect(m[3]).toBe(`epoch ${meta.epoch} + ${meta.epoch_progress!.batch} batch${meta.epoch_progress!.batch === 1 ? '' : 'es'}, step ${meta.step}`);
    expect(fs.existsSync(path.join(root, 'stopped', '.lock'))).toBe(false);

    // The printed command, run as the user would (a shell in the same folder), completes the run.
    const env = { ...process.env, SEQLOOM_BACKEND: 'wasm', PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const resumed = spawnSync('sh', ['-c', m[4]!], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming stopped at epoch ${meta.epoch + 1}, batch ${meta.epoch_progress!.batch + 1} of 2`);
    expect(model('stopped').equals(model('straight'))).toBe(true);
  }, 180_000);

  it('a second SIGINT quits at once, even inside the save; the folder still holds a whole checkpoint, and --resume takes over the lock', async () => {
    // A wider model, so that the save the first signal starts takes a while.
    fs.writeFileSync(path.join(root, 'wide.yaml'), tinySeq2seqSpec({ name: 'wide', hidden: 160, limit: 400, batch: 4, epochs: 1, seed: 5 }));
    const first = seqloom(['train', 'wide.yaml', '--out', 'twice', '--show', '0'], root);
    expect(first.code, first.stderr).toBe(0);
    // Freeze the process once it has taken the first signal; if it is still running (saving), the
    // second signal must end it by that signal, at once. A process that already finished is retried.
    let killed: Awaited<ReturnType<typeof spawnSeqloom>['exited']> | null = null;
    for (let attempt = 0; attempt < 5 && !killed; attempt++) {
      const run = spawnSeqloom(['train', 'wide.yaml', '--out', 'twice', '--resume', '--epochs', '50', '--show', '0', '--checkpoint-every', '100000 steps'], root);
      await run.waitForStderr(/^training wide/m);
      run.child.kill('SIGINT');
      await run.waitForStderr(/SIGINT received/);
      run.child.kill('SIGSTOP');
      if (run.child.exitCode !== null || run.child.signalCode !== null || /interrupted \(SIGINT\)/.test(run.stderr())) {
        run.child.kill('SIGCONT');
        await run.exited;
        continue;
      }
      run.child.kill('SIGINT');
      const sent = performance.now();
      run.child.kill('SIGCONT');
      const r = await run.exited;
      if (r.signal === null && r.code === 130) continue; // it was already on its way out
      expect(r.signal, r.stderr).toBe('SIGINT'); // the default action: nothing waited for
      expect(performance.now() - sent).toBeLessThan(3_000);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      killed = r;
    }
    expect(killed, 'the second signal never found the process still saving in 5 tries').not.toBeNull();

    const dir = path.join(root, 'twice');
    const meta = loadCheckpoint(dir).meta as unknown as { epoch: number; step: number };
    expect(meta.step).toBeGreaterThanOrEqual(90);
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(true); // left by the killed process
    const t = seqloom(['translate', 'twice', 'three hundred', '--json'], root);
    expect(t.code, t.stderr).toBe(0);
    const resumed = seqloom(['train', 'wide.yaml', '--out', 'twice', '--resume', '--epochs', String(meta.epoch + 1), '--show', '0'], root);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/note: twice was locked by pid \d+, which is no longer running; lock taken over/);
  }, 300_000);

  it('Ctrl-C at a terminal running `npx seqloom train` (SIGINT to the whole process group, npm included): the same clean stop', async () => {
    // npx forwards the signal to its child too; the trainer must still stop once, gracefully.
    const out = path.join(root, 'npx-run');
    const child = spawn('npx', ['seqloom', 'train', path.join(root, 'tiny.yaml'), '--out', out, '--epochs', '50', '--show', '0'], {
      cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SEQLOOM_BACKEND: 'wasm' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const closed = new Promise<[number | null, string | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
    const started = performance.now();
    while (!/^training tiny-seq2seq/m.test(stderr) && performance.now() - started < 120_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await closed;
    // npm re-raises the signal on itself once its child has exited (a shell shows 130 either way).
    expect(code === 130 || signal === 'SIGINT', `${code} ${signal}\n${stderr}`).toBe(true);
    const waited = performance.now();
    while (!/^seqloom: interrupted/m.test(stderr) && performance.now() - waited < 20_000) await new Promise((r) => setTimeout(r, 20));
    expect(stderr.split('\n').filter((l) => l.startsWith('seqloom: interrupted (SIGINT): checkpoint in '))).toHaveLength(1);
    expect(stderr).toMatch(/; resume with: npx seqloom train \S+tiny\.yaml --epochs 50 --show 0 --out \S+npx-run --resume$/m);
    expect(loadCheckpoint(out).meta.epoch).toBeGreaterThanOrEqual(0);
  }, 180_000);
});
