/**
 * A full disk, for real: the checkpoint folder on a tiny tmpfs (root only; skipped with a reason
 * elsewhere, failing under SEQLOOM_REQUIRE_SYSTEM=1). The tmpfs holds one checkpoint but not the
 * staged copy of a second, so training's second save hits ENOSPC: training stops with exit 1 and
 * one line naming the last good checkpoint; the staged files are gone (they held the space); the
 * checkpoint still loads and translates; and once there is room, the printed command resumes it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { describeWithSystem, systemTmpfs } from '../helpers/system.js';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

const PAGE = 4096;
let root = '';
let mnt = '';
let mounted = false;

function folderBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, n) => sum + Math.ceil(fs.statSync(path.join(dir, n)).size / PAGE) * PAGE, 0);
}

describeWithSystem(systemTmpfs(), 'a full disk under the checkpoint folder (a tiny tmpfs)', () => {
  beforeAll(() => {
    root = makeTemp('fulldisk');
    fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 48, limit: 96, batch: 16, epochs: 2 }));
    if (!BUILT) return;
    // How big one checkpoint of this model is: the tmpfs gets room for 1.5 of them.
    const sizing = seqloom(['train', 'tiny.yaml', '--out', 'sizing', '--epochs', '1', '--show', '0'], root);
    expect(sizing.code, sizing.stderr).toBe(0);
    const one = folderBytes(path.join(root, 'sizing')) - PAGE; // without metrics.jsonl (not written before the first epoch ends)
    mnt = path.join(root, 'mnt');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil((1.5 * one) / PAGE) * PAGE + 4 * PAGE}`, 'tmpfs', mnt]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', mnt]);
    removeTemp(root);
  });

  it.skipIf(!BUILT)('ENOSPC in a save: one line naming the last good checkpoint, which loads; no staged debris; the printed command resumes once there is room', () => {
    const r = seqloom(['train', 'tiny.yaml', '--out', 'mnt/run', '--checkpoint-every', '1 step', '--show', '0'], root);
    expectCleanError(r);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('seqloom: error:'));
    expect(errors).toEqual(['seqloom: error: cannot save a checkpoint in mnt/run: no space left on the device (ENOSPC); '
      + 'the last good checkpoint (epoch 0 + 1 batch, step 1) in mnt/run is intact']);
    const help = /^help: free some space there \(or move the folder\), then continue with: (.+)$/m.exec(r.stderr);
    expect(help, r.stderr).not.toBeNull();
    const run = path.join(mnt, 'run');
    expect(fs.existsSync(path.join(run, '.staging'))).toBe(false);
    expect(fs.existsSync(path.join(run, '.lock'))).toBe(false);
    expect(loadCheckpoint(run).meta).toMatchObject({ epoch: 0, step: 1 });
    const t = seqloom(['translate', 'mnt/run', 'three hundred', '--json'], root);
    expect(t.code, t.stderr).toBe(0);

    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    const env = { ...process.env, SEQLOOM_BACKEND: 'wasm', PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const resumed = spawnSync('sh', ['-c', help![1]!], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming mnt/run at epoch 1, batch 2 of 2 (step 1)');
    expect(loadCheckpoint(run).meta).toMatchObject({ epoch: 2 });
  }, 180_000);
});
