/**
 * RunSaver when the disk refuses a save (EIO, EDQUOT; ENOSPC is tested for real on a tmpfs in
 * test/reliability/full-disk.test.ts): a UserError that says what happened, the staged files
 * discarded, the previous checkpoint untouched and still where the saver says the work is; and a
 * save refused outright once the folder's lock is no longer the run's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { RunSaver } from '../../src/train/run-saver.js';
import { CheckpointPolicy } from '../../src/train/session-checkpoint.js';
import { RunLock } from '../../src/train/run-lock.js';
import type { CheckpointContents } from '../../src/train/checkpoint.js';
import { describeWriteFailure } from '../../src/train/disk-errors.js';

const failure = { code: null as string | null };
vi.mock('../../src/train/checkpoint.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/train/checkpoint.js')>();
  return {
    ...real,
    writeCheckpoint: async (dir: string, c: CheckpointContents) => {
      if (failure.code === null) return real.writeCheckpoint(dir, c);
      // A save that got some files staged before the disk failed.
      fs.mkdirSync(path.join(dir, '.staging'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.staging', 'model.safetensors'), 'partial');
      throw Object.assign(new Error(`${failure.code}: write failed`), { code: failure.code });
    },
  };
});

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); failure.code = null; });

function saverIn(dir: string, lock: RunLock | null) {
  const contents = (): CheckpointContents => ({
    meta: { spec_name: 's', task: 'language-model', seed: 1, epoch: 0, step: 1, epoch_progress: null, metrics: {}, history: [], data: { path: null, origin: 'x' }, module_rng: null, backend: 'cpu' },
    weights: {}, optimizer: null, carried: null, vocabs: { task: 'language-model', tokens: undefined as never }, specText: 'x',
  });
  return new RunSaver({ outDir: dir, policy: new CheckpointPolicy(), lock, contents, interrupted: () => false }, { epoch: 2, batch: 3, step: 15 });
}

describe('RunSaver on a failing disk', () => {
  it.each([['EIO', /input\/output error/], ['EDQUOT', /disk quota exceeded/], ['ENOSPC', /no space left on the device/]])('%s: a clear UserError, the staged files gone, the last good checkpoint named', async (code, reason) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-saver-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'meta.json'), '{"the":"previous checkpoint"}');
    const saver = saverIn(dir, null);
    failure.code = code;
    const err = await saver.save({ epoch: 3, step: 20, progress: null, carried: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot save a checkpoint in .*: ${reason.source}[^()]* \\(${code}\\)$`));
    expect(fs.existsSync(path.join(dir, '.staging'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).toBe('{"the":"previous checkpoint"}');
    expect(saver.saved).toEqual({ epoch: 2, batch: 3, step: 15 });
    expect(saver.kept()).toBe(`the last good checkpoint (epoch 2 + 3 batches, step 15) in ${dir} is intact`);
  });

  it('other errors pass through unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(describeWriteFailure(bug, 'cannot save')).toBe(bug);
    const plain = new UserError('bad tensor name');
    expect(describeWriteFailure(plain, 'cannot save')).toBe(plain);
    expect((describeWriteFailure(new UserError('cannot write a/b (ENOSPC)'), 'cannot save in a') as Error).message)
      .toBe('cannot save in a: no space left on the device (ENOSPC)');
  });

  it('refuses to save once the lock is no longer the run\'s', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-saver-'));
    dirs.push(dir);
    const lock = RunLock.acquire(dir, 'seqloom train s.yaml');
    fs.rmSync(path.join(dir, '.lock'));
    await expect(saverIn(dir, lock).save({ epoch: 3, step: 20, progress: null, carried: null }))
      .rejects.toThrow(/\.lock is no longer this run's/);
    lock.release();
  });
});
