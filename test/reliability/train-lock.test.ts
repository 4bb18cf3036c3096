/**
 * One trainer per checkpoint folder, through the real CLI with real second processes. While a
 * `train` runs (saving every step): a second `train`, `--resume` or `--overwrite` on its folder is
 * refused at once (before any compiling), naming the holder's pid and the way out; `translate`,
 * `eval`, `report` and `export --web` read the folder throughout without a failure; SIGTERM then
 * stops the trainer with exit 143, a checkpoint and the lock released. A lock left by `kill -9` is
 * taken over by the next `--resume`, with a note.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, spawnSeqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('lock');
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 6, limit: 96, batch: 16, epochs: 1_000_000 }));
});
afterAll(() => removeTemp(root));

const lockOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(root, dir, '.lock'), 'utf8')) as { pid: number; command: string };

describe.skipIf(!BUILT)('one trainer per checkpoint folder', () => {
  it('a second trainer is refused at once naming the holder; readers load the folder throughout; SIGTERM saves and frees it', async () => {
    const first = spawnSeqloom(['train', 'tiny.yaml', '--out', 'run', '--checkpoint-every', '1 step', '--show', '0'], root);
    try {
      await first.waitFor(() => fs.existsSync(path.join(root, 'run', 'meta.json')));
      const pid = first.child.pid!;
      expect(lockOf('run')).toMatchObject({ pid, command: 'seqloom train tiny.yaml --out run --checkpoint-every 1 step --show 0' });
      for (const extra of [[], ['--resume', '--epochs', '500'], ['--overwrite']]) {
        const r = seqloom(['train', 'tiny.yaml', '--out', 'run', ...extra], root);
        expectCleanError(r);
        expect(r.stderr).toMatch(new RegExp(`^seqloom: error: run is in use by another \`seqloom train tiny\\.yaml --out run [^\`]*\` \\(pid ${pid}, started [^)]+\\)$`, 'm'));
        expect(r.stderr).toContain(`help: wait for it to finish, or stop it with \`kill -INT ${pid}\``);
        expect(r.stderr).not.toMatch(/^training /m);
      }
      // Readers while it saves every step: every load sees one whole checkpoint.
      const t = seqloom(['translate', 'run', 'three hundred', '--json'], root);
      expect(t.code, t.stderr).toBe(0);
      const e = seqloom(['eval', 'run'], root);
      expect(e.code, e.stderr).toBe(0);
      const report = seqloom(['report', 'run', '-o', 'report.html', '--examples', '1'], root);
      expect(report.code, report.stderr).toBe(0);
      const site = seqloom(['export', 'run', '--web', 'site'], root);
      expect(site.code, site.stderr).toBe(0);
      expect(fs.existsSync(path.join(root, 'site', 'model.safetensors'))).toBe(true);
      expect(first.child.exitCode).toBeNull(); // undisturbed
    } finally {
      first.child.kill('SIGTERM');
    }
    const r = await first.exited;
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/^seqloom: interrupted \(SIGTERM\): checkpoint in run at .*; resume with: .* train tiny\.yaml --checkpoint-every '1 step' --show 0 --out run --resume$/m);
    expect(fs.existsSync(path.join(root, 'run', '.lock'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'run', '.staging'))).toBe(false);
    expect(loadCheckpoint(path.join(root, 'run')).meta.epoch).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('a lock left by kill -9 is taken over by the next --resume, with a note', async () => {
    const run = spawnSeqloom(['train', 'tiny.yaml', '--out', 'killed', '--checkpoint-every', '1 step', '--show', '0'], root);
    await run.waitFor(() => fs.existsSync(path.join(root, 'killed', 'meta.json')));
    run.child.kill('SIGKILL');
    await run.exited;
    const pid = run.child.pid!;
    expect(lockOf('killed').pid).toBe(pid);
    const epoch = (loadCheckpoint(path.join(root, 'killed')).meta as { epoch: number }).epoch;
    const r = seqloom(['train', 'tiny.yaml', '--out', 'killed', '--resume', '--epochs', String(epoch + 1), '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: killed was locked by pid ${pid}, which is no longer running; lock taken over`);
    expect(fs.readdirSync(path.join(root, 'killed')).filter((n) => n.startsWith('.lock'))).toEqual([]);
  }, 120_000);
});
