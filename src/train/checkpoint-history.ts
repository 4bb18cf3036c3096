/**
 * `train.keep_last: N`: the last N checkpoints. The checkpoint folder itself always holds the latest
 * (what translate, eval, export and `--resume` open; `best/` beside it is corpora's best-so-far);
 * with N > 1 each save is also kept as a full checkpoint folder `history/step-<step>/`, so
 * `translate <out>/history/step-00000120` works, and the oldest beyond N are removed. A snapshot
 * hard-links the just-committed files (no copy, no extra space: later saves rename new files over
 * the folder's names, and the links keep the old contents); where the file system has no hard links
 * it copies. Snapshots appear whole (built under a dot-name, then renamed). With N = 1 (the default)
 * nothing is snapshotted and an existing history/ is left as it is.
 */
import fs from 'node:fs';
import path from 'node:path';

export const HISTORY_DIR = 'history';

/** `step-00000120`: sorts by step. */
export function snapshotName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** The snapshot folders under `<dir>/history`, oldest first. */
export function listSnapshots(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, HISTORY_DIR)).filter((n) => /^step-\d{8,}$/.test(n)).sort();
  } catch {
    return [];
  }
}

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw e;
    fs.copyFileSync(from, to);
  }
}

/**
 * Keeps the checkpoint just committed in `dir` (its files: those meta.json lists, and meta.json) as
 * `history/step-<step>`, then removes the oldest snapshots beyond `keep` (the latest counts).
 */
export function snapshotCheckpoint(dir: string, step: number, keep: number): void {
  const history = path.join(dir, HISTORY_DIR);
  const name = snapshotName(step);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { files?: Record<string, string> };
  const temp = path.join(history, `.${name}.tmp`);
  fs.mkdirSync(history, { recursive: true });
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp);
  try {
    for (const file of [...Object.keys(meta.files ?? {}), 'meta.json']) linkOrCopy(path.join(dir, file), path.join(temp, file));
    fs.rmSync(path.join(history, name), { recursive: true, force: true }); // a save at the same step (an interrupt right after a save)
    fs.renameSync(temp, path.join(history, name));
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  pruneSnapshots(dir, keep);
}

/** Removes the oldest snapshots beyond `keep` (at least 1). */
export function pruneSnapshots(dir: string, keep: number): void {
  const all = listSnapshots(dir);
  const history = path.join(dir, HISTORY_DIR);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(path.join(history, old), { recursive: true, force: true });
}
