/**
 * `seqloom export CKPT --web DIR` where DIR cannot be written, for real: a read-only tmpfs (root
 * only; skipped with a reason elsewhere, failing under SEQLOOM_REQUIRE_SYSTEM=1). Running as root,
 * permission bits would not stop the write, so the mount itself is read-only. The export is one
 * clear error naming the folder and the cause (no stack trace), and nothing appears there; an
 * earlier export on the same mount is left whole.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeWithSystem, systemTmpfs } from '../helpers/system.js';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';

let root = '';
let mnt = '';
let mounted = false;

describeWithSystem(systemTmpfs(), 'seqloom export --web into a read-only folder', () => {
  beforeAll(() => {
    root = makeTemp('web-readonly');
    if (!BUILT) return;
    fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec());
    const r = seqloom(['train', 'tiny.yaml', '--out', 'ckpt', '--quiet', '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    mnt = path.join(root, 'mnt');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    mounted = true;
  }, 120_000);
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', mnt]);
    removeTemp(root);
  });

  it.skipIf(!BUILT)('one clear error naming the folder and the cause; nothing written; an earlier export stays whole', () => {
    const first = seqloom(['export', 'ckpt', '--web', 'mnt/old'], root);
    expect(first.code, first.stderr).toBe(0);
    const before = fs.readdirSync(path.join(mnt, 'old')).sort();
    const bytes = before.map((n) => fs.readFileSync(path.join(mnt, 'old', n)));
    execFileSync('mount', ['-o', 'remount,ro', mnt]);

    for (const dir of ['mnt/site', 'mnt/old']) {
      const r = seqloom(['export', 'ckpt', '--web', dir], root);
      expectCleanError(r);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('seqloom: error:'));
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`${dir.replace('/', '\\/')}.*(EROFS|read-only)`, 'i'));
    }
    expect(fs.existsSync(path.join(mnt, 'site'))).toBe(false);
    expect(fs.readdirSync(path.join(mnt, 'old')).sort()).toEqual(before);
    before.forEach((n, i) => expect(fs.readFileSync(path.join(mnt, 'old', n))).toEqual(bytes[i]));
  }, 120_000);
});
