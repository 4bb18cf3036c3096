/**
 * One trainer per checkpoint folder: `train` holds `<out>/.lock` while it runs, so a second `train`
 * (or `--resume`, or `--overwrite`) on the same folder is refused at once instead of racing the
 * first on the staging folder. Readers (translate, eval, export, report) take no lock: saves are
 * atomic (runtime/io/atomic-dir.ts), so they never see half a checkpoint.
 *
 * The lock file is JSON {pid, start, host, started_at, command, nonce}, created whole (written to a
 * private file, then hard-linked into place: the link fails if a lock exists). A lock left by a
 * process that died (kill -9, power loss) is stale: its pid is gone, or now names another process —
 * pid reuse is caught by the process start time in /proc/<pid>/stat (field 22), recorded at locking.
 * A stale lock is removed under a takeover mutex, and only if it is still the very lock judged stale
 * (its nonce), then taken like a free one. So two takers never both win: the loser finds the
 * winner's live lock and is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { describeWriteFailure } from './disk-errors.js';

export const LOCK_FILE = '.lock';

/** An unreadable lock (being created without hard links, or torn) younger than this counts as held. */
const YOUNG_MS = 10_000;

export interface LockInfo {
  pid: number;
  /** Process start time (clock ticks since boot, /proc/<pid>/stat field 22); null where /proc is absent. */
  start: string | null;
  host: string;
  started_at: string;
  command: string;
  nonce: string;
}

/** Field 22 of /proc/<pid>/stat, or null (no /proc, or no such process). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may hold spaces and parentheses
    return fields[19] ?? null; // fields after the name start at field 3
  } catch {
    return null;
  }
}

/** Whether the process that wrote `info` still runs (on another host: assumed so, it cannot be checked). */
export function lockHolderAlive(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return true;
  let foreign = false;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: gone
    foreign = true; // another user's process
  }
  if (info.start === null) return true;
  const now = processStartTime(info.pid);
  // Unreadable: hidden from us (another user's, hidepid) or no /proc — cannot tell, so held; else it just exited.
  if (now === null) return foreign || !fs.existsSync('/proc/self/stat');
  return now === info.start; // another start time: the pid was reused
}

type Read = { kind: 'lock'; info: LockInfo } | { kind: 'unreadable'; ageMs: number; id: string } | { kind: 'absent' };

function readLock(file: string): Read {
  let text: string;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw e;
  }
  try {
    const v = JSON.parse(text) as LockInfo;
    if (Number.isInteger(v.pid) && v.pid > 0 && typeof v.nonce === 'string') return { kind: 'lock', info: v };
  } catch {
    // torn or being written
  }
  return { kind: 'unreadable', ageMs: Date.now() - st.mtimeMs, id: `${st.ino}:${st.mtimeMs}:${st.size}` };
}

function identity(r: Read): string | null {
  return r.kind === 'lock' ? `nonce:${r.info.nonce}` : r.kind === 'unreadable' ? `file:${r.id}` : null;
}

/** Creates `file` holding `text`, whole, unless it exists (then false). */
function createExclusive(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, text, { flag: 'wx' });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  // No hard links on this file system: exclusive create, then write (readers treat a young empty lock as held).
  try {
    fs.writeFileSync(file, text, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** A takeover mutex older than this was left by a process that died inside its takeover (microseconds). */
const MUTEX_STALE_MS = 5_000;

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes the lock judged stale, if it is still that very lock, under a mutex (`.lock.takeover`, an
 * exclusive mkdir): while one taker checks and removes, nobody else can remove anything, and a lock
 * can only appear where none is — so a fresh lock of a faster taker is never removed. Returns
 * 'removed', 'changed' (not the lock judged any more: look again), or 'busy' (another taker is at it).
 */
function takeOver(file: string, judged: Read): 'removed' | 'changed' | 'busy' {
  const mutex = `${file}.takeover`;
  try {
    fs.mkdirSync(mutex);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - fs.statSync(mutex).mtimeMs > MUTEX_STALE_MS) fs.rmdirSync(mutex);
    } catch {
      // gone already
    }
    return 'busy';
  }
  try {
    if (identity(readLock(file)) !== identity(judged)) return 'changed';
    fs.rmSync(file, { force: true });
    return 'removed';
  } finally {
    fs.rmdirSync(mutex);
  }
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('sv-SE').replace(' ', ' at ');
}

function refusal(dir: string, info: LockInfo): UserError {
  const file = path.join(dir, LOCK_FILE);
  if (info.host !== os.hostname()) {
    return new UserError(`${dir} is in use by \`${info.command}\` (pid ${info.pid} on host ${info.host}, started ${when(info.started_at)})`,
      `wait for it to finish, or choose another --out; if that process is gone, remove ${file}`);
  }
  return new UserError(`${dir} is in use by another \`${info.command}\` (pid ${info.pid}, started ${when(info.started_at)})`,
    `wait for it to finish, or stop it with \`kill -INT ${info.pid}\` (it saves a checkpoint and says how to resume), or choose another --out`);
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly dir: string, readonly file: string, readonly info: LockInfo, private readonly createdDir: boolean) {
    process.on('exit', this.onExit); // process.exit() elsewhere still frees the folder
  }

  /**
   * Takes the lock on `dir` (created if missing), or throws a UserError naming the holder. `onStale`
   * hears about a stale lock taken over (a note for the user).
   */
  static acquire(dir: string, command: string, onStale?: (holder: LockInfo | null) => void): RunLock {
    const existed = fs.existsSync(dir);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw describeWriteFailure(e, `cannot create the checkpoint folder ${dir}`);
    }
    const file = path.join(dir, LOCK_FILE);
    const info: LockInfo = {
      pid: process.pid, start: processStartTime(process.pid), host: os.hostname(),
      started_at: new Date().toISOString(), command, nonce: randomBytes(8).toString('hex'),
    };
    const text = `${JSON.stringify(info)}\n`;
    for (let attempt = 0; attempt < 400; attempt++) {
      try {
        if (createExclusive(file, text)) return new RunLock(dir, file, info, !existed);
      } catch (e) {
        throw describeWriteFailure(e, `cannot lock the checkpoint folder ${dir} (${file})`);
      }
      const holder = readLock(file);
      if (holder.kind === 'absent') continue;
      if (holder.kind === 'lock' && lockHolderAlive(holder.info)) throw refusal(dir, holder.info);
      if (holder.kind === 'unreadable' && holder.ageMs < YOUNG_MS) {
        throw new UserError(`${dir} is being locked by another seqloom process just now`, 'wait for it to finish, or choose another --out');
      }
      const taken = takeOver(file, holder);
      if (taken === 'removed') onStale?.(holder.kind === 'lock' ? holder.info : null);
      else if (taken === 'busy') sleepMs(5);
    }
    throw new UserError(`cannot lock ${dir}: other processes keep taking its lock`, 'run one trainer per --out folder');
  }

  /** True while `dir/.lock` is still this process's (nobody removed or replaced it). */
  held(): boolean {
    const r = readLock(this.file);
    return r.kind === 'lock' && r.info.nonce === this.info.nonce;
  }

  /** Frees the folder (idempotent); removes the folder too if this lock created it and it stayed empty. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    try {
      if (this.held()) fs.rmSync(this.file, { force: true });
      if (this.createdDir && fs.readdirSync(this.dir).length === 0) fs.rmdirSync(this.dir);
    } catch {
      // Best effort: a lock left behind is stale and taken over next time.
    }
  }
}
