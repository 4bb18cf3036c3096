/**
 * Reading a checkpoint folder whose save was interrupted inside its commit. The trainer saves
 * through a journal (atomic-dir.ts): the new files go to `DIR/.staging/`, then
 * `DIR/.staging/COMMIT` (a JSON list of their names) marks the point of no return, then each file
 * is renamed into DIR, `meta.json` last. A process killed between two of those renames leaves DIR
 * with some new files and the old meta.json — but the new checkpoint is whole: the rest of it is
 * still staged. Readers take the staged files (read-only) and so see the new checkpoint; the next
 * writer, or the trainer's reader, rolls the journal forward.
 */
import { existsSync } from 'node:fs';
import { readFileBounded } from './bounded-read.js';
import path from 'node:path';

export const STAGING_DIR = '.staging';
export const COMMIT_FILE = 'COMMIT';
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** File name → staged path, for a committed but unfinished save; empty when there is none. */
export function pendingCommit(dir: string): Map<string, string> {
  const staging = path.join(dir, STAGING_DIR);
  const pending = new Map<string, string>();
  let names: unknown;
  try {
    names = JSON.parse(readFileBounded(path.join(staging, COMMIT_FILE), 2 ** 20, 2 ** 20).toString('utf8'));
  } catch {
    return pending; // no journal, or one torn before its commit point: the folder is as it reads
  }
  if (!Array.isArray(names)) return pending;
  for (const name of names) {
    if (typeof name !== 'string' || !PLAIN_NAME.test(name)) continue;
    const staged = path.join(staging, name);
    if (existsSync(staged)) pending.set(name, staged);
  }
  return pending;
}

/** True while a save is staged or being committed in `dir`. */
export function saveInProgress(dir: string): boolean {
  return existsSync(path.join(dir, STAGING_DIR));
}
