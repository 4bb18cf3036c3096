/** history/ snapshots (train.keep_last): whole folders of hard links, named by step, pruned oldest first. */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listSnapshots, snapshotCheckpoint } from '../../src/train/checkpoint-history.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

function folderWith(step: number, dir?: string): string {
  const d = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-history-'));
  if (!dir) dirs.push(d);
  // A save replaces files by renaming new ones over them, as the journal does.
  for (const [name, text] of [['model.safetensors', `weights ${step}`], ['meta.json', JSON.stringify({ step, files: { 'model.safetensors': 'x' } })]] as const) {
    fs.writeFileSync(path.join(d, `${name}.new`), text);
    fs.renameSync(path.join(d, `${name}.new`), path.join(d, name));
  }
  return d;
}

describe('checkpoint history', () => {
  it('keeps the last N saves whole, each with its own contents, oldest pruned', () => {
    const dir = folderWith(1);
    snapshotCheckpoint(dir, 1, 2);
    for (const step of [2, 10, 11]) {
      folderWith(step, dir);
      snapshotCheckpoint(dir, step, 2);
    }
    expect(listSnapshots(dir)).toEqual(['step-00000010', 'step-00000011']);
    expect(fs.readFileSync(path.join(dir, 'history', 'step-00000010', 'model.safetensors'), 'utf8')).toBe('weights 10');
    expect(fs.readdirSync(path.join(dir, 'history', 'step-00000011')).sort()).toEqual(['meta.json', 'model.safetensors']);
    expect(fs.readdirSync(path.join(dir, 'history')).filter((n) => n.startsWith('.'))).toEqual([]);
    // A second save at the same step (an interrupt right after a save) replaces that snapshot.
    snapshotCheckpoint(dir, 11, 2);
    expect(listSnapshots(dir)).toEqual(['step-00000010', 'step-00000011']);
  });
});
