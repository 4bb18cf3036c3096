/**
 * The checkpoint folder's lock (src/train/run-lock.ts): one holder; a live holder refused by pid; a
 * lock whose process died, or whose pid now names another process (start time differs), taken over;
 * a lock from another host or one being written left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE, RunLock, lockHolderAlive, processStartTime, type LockInfo } from '../../src/train/run-lock.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(dir: string, info: Partial<LockInfo>): void {
  const full: LockInfo = {
    pid: process.pid, start: processStartTime(process.pid), host: os.hostname(), started_at: new Date().toISOString(),
    command: 'seqloom train x.yaml', nonce: 'n0', ...info,
  };
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(full));
}

describe('RunLock', () => {
  it('one holder: a second taker is refused with the holder\'s pid and the way out; release frees it', () => {
    const dir = path.join(tmp(), 'run');
    const lock = RunLock.acquire(dir, 'seqloom train a.yaml');
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    expect(lock.held()).toBe(true);
    expect(() => RunLock.acquire(dir, 'seqloom train b.yaml'))
      .toThrow(new RegExp(`run is in use by another \`seqloom train a.yaml\` \\(pid ${process.pid}, started `));
    try {
      RunLock.acquire(dir, 'x');
    } catch (e) {
      expect((e as { hint?: string }).hint).toContain(`kill -INT ${process.pid}`);
    }
    lock.release();
    expect(fs.existsSync(dir)).toBe(false); // created by the lock and left empty: removed
    const again = RunLock.acquire(dir, 'seqloom train b.yaml');
    fs.writeFileSync(path.join(dir, 'meta.json'), '{}');
    again.release();
    expect(fs.readdirSync(dir)).toEqual(['meta.json']);
  });

  it('takes over a lock whose process died, and one whose pid was reused by another process', () => {
    const dir = tmp();
    const stale: (LockInfo | null)[] = [];
    writeLock(dir, { pid: deadPid(), nonce: 'dead' });
    const a = RunLock.acquire(dir, 'seqloom train a.yaml', (h) => stale.push(h));
    expect(stale.map((h) => h?.nonce)).toEqual(['dead']);
    a.release();

    // Our own pid, but a start time that is not ours: the recorded process is gone, the pid reused.
    writeLock(dir, { pid: process.pid, start: '1', nonce: 'reused' });
    expect(lockHolderAlive(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockInfo)).toBe(processStartTime(process.pid) === null);
    if (processStartTime(process.pid) !== null) {
      const b = RunLock.acquire(dir, 'seqloom train b.yaml', (h) => stale.push(h));
      expect(stale.map((h) => h?.nonce)).toEqual(['dead', 'reused']);
      b.release();
    }
    expect(fs.readdirSync(dir)).toEqual([]); // nothing left aside
  });

  it('leaves alone a lock from another host, and a lock file still being written', () => {
    const dir = tmp();
    writeLock(dir, { host: `not-${os.hostname()}`, pid: 4242 });
    expect(() => RunLock.acquire(dir, 'x')).toThrow(/in use by `seqloom train x.yaml` \(pid 4242 on host not-/);
    fs.writeFileSync(path.join(dir, LOCK_FILE), '');
    expect(() => RunLock.acquire(dir, 'x')).toThrow(/being locked by another seqloom process/);
    // The same empty file, long untouched: a process died while writing it.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, LOCK_FILE), old, old);
    RunLock.acquire(dir, 'x').release();
  });

  it('release leaves a lock that is no longer its own', () => {
    const dir = tmp();
    const lock = RunLock.acquire(dir, 'x');
    writeLock(dir, { nonce: 'someone-else' });
    expect(lock.held()).toBe(false);
    lock.release();
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).nonce).toBe('someone-else');
  });
});
