/**
 * Crash-safe replacement of a checkpoint's files (the CLI contract fixes their names, so versioned
 * file names are not an option). A tiny journal:
 *   1. write every new file into DIR/.staging/ and fsync it;
 *   2. write DIR/.staging/COMMIT (the list of files) and fsync — the point of no return;
 *   3. rename each staged file over DIR/<name>, `meta.json` last; remove .staging.
 * A crash before 2 leaves the old checkpoint untouched (the stale .staging is discarded next time);
 * a crash after 2 is rolled forward by `recoverStaged` (renames are idempotent), so a reader always
 * sees one whole checkpoint, never half of two.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { readFileBounded } from './bounded-read.js';
import { COMMIT_FILE, STAGING_DIR } from './pending-commit.js';

export { STAGING_DIR };

/** Files are committed in this order; anything not listed goes before them. */
const LAST = ['meta.json'];

function fsyncPath(p: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename order still protects readers.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Writes files through `write(stagingDir)`, then commits them into `dir` as one unit. */
export async function replaceFilesAtomically(dir: string, write: (stagingDir: string) => Promise<void> | void): Promise<string[]> {
  const staging = openStaging(dir);
  await write(staging);
  return commitStaged(dir);
}

/** replaceFilesAtomically for a synchronous writer (saveCheckpoint). */
export function replaceFilesAtomicallySync(dir: string, write: (stagingDir: string) => void): string[] {
  write(openStaging(dir));
  return commitStaged(dir);
}

/** Finishes or discards an earlier interrupted save, then gives a fresh, empty DIR/.staging. */
function openStaging(dir: string): string {
  makeDir(dir);
  recoverStaged(dir);
  const staging = path.join(dir, STAGING_DIR);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  return staging;
}

/**
 * mkdir -p that reports the real cause: Node's recursive mkdir says ENOENT where the parent exists
 * but cannot be written (a read-only mount gives EROFS only to a plain mkdir).
 */
function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync(path.dirname(dir))) throw err;
    fs.mkdirSync(dir); // throws the real cause (EROFS, EACCES), or makes it if it was a race
  }
}

/** Steps 2 and 3: the journal, then the renames. */
function commitStaged(dir: string): string[] {
  const staging = path.join(dir, STAGING_DIR);
  const names = fs.readdirSync(staging).filter((n) => n !== COMMIT_FILE).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const n of names) fsyncPath(path.join(staging, n));
  const commit = path.join(staging, COMMIT_FILE);
  fs.writeFileSync(commit, JSON.stringify(names));
  fsyncPath(commit);
  fsyncPath(staging);
  rollForward(dir, names);
  return names;
}

/**
 * Finishes a commit that a crash interrupted, or discards an uncommitted staging folder.
 * Returns what it did (for a note to the user), or null when there was nothing to do.
 */
export function recoverStaged(dir: string): 'rolled-forward' | 'discarded' | null {
  const staging = path.join(dir, STAGING_DIR);
  if (!fs.existsSync(staging)) return null;
  const commit = path.join(staging, COMMIT_FILE);
  if (!fs.existsSync(commit)) {
    fs.rmSync(staging, { recursive: true, force: true });
    return 'discarded';
  }
  let names: string[];
  try {
    names = JSON.parse(readFileBounded(commit, 2 ** 20, 2 ** 20).toString('utf8')) as string[];
  } catch {
    // A torn COMMIT means step 2 did not finish: nothing was renamed yet.
    fs.rmSync(staging, { recursive: true, force: true });
    return 'discarded';
  }
  rollForward(dir, names);
  return 'rolled-forward';
}

function rollForward(dir: string, names: string[]): void {
  const staging = path.join(dir, STAGING_DIR);
  for (const n of names) {
    const from = path.join(staging, n);
    if (!fs.existsSync(from)) continue;
    try {
      fs.renameSync(from, path.join(dir, n));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new UserError(`cannot write ${path.join(dir, n)} (${code}); the new files stay staged in ${staging}, and readers see them`,
        'remove what blocks the file, then save again (the staged save is finished first)');
    }
  }
  fsyncPath(dir);
  fs.rmSync(staging, { recursive: true, force: true });
}

function rank(name: string): number {
  const i = LAST.indexOf(name);
  return i < 0 ? 0 : i + 1;
}
