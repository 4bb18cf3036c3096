import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STAGING_DIR, recoverStaged, replaceFilesAtomically } from '../../src/train/atomic-dir.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-atomic-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

const read = (d: string, n: string) => fs.readFileSync(path.join(d, n), 'utf8');

describe('replaceFilesAtomically', () => {
  it('replaces all files, meta.json last, and leaves no staging folder or other files touched', async () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'notes.txt'), 'mine');
    const order = await replaceFilesAtomically(d, (s) => {
      for (const n of ['meta.json', 'model.safetensors', 'vocab.json']) fs.writeFileSync(path.join(s, n), `${n} v1`);
    });
    expect(order).toEqual(['model.safetensors', 'vocab.json', 'meta.json']);
    await replaceFilesAtomically(d, (s) => {
      for (const n of ['meta.json', 'model.safetensors', 'vocab.json']) fs.writeFileSync(path.join(s, n), `${n} v2`);
    });
    expect(read(d, 'model.safetensors')).toBe('model.safetensors v2');
    expect(read(d, 'meta.json')).toBe('meta.json v2');
    expect(read(d, 'notes.txt')).toBe('mine');
    expect(fs.existsSync(path.join(d, STAGING_DIR))).toBe(false);
  });

  it('keeps the old files when writing fails before the commit', async () => {
    const d = tmp();
    await replaceFilesAtomically(d, (s) => { fs.writeFileSync(path.join(s, 'meta.json'), 'old'); });
    await expect(replaceFilesAtomically(d, (s) => {
      fs.writeFileSync(path.join(s, 'meta.json'), 'new');
      throw new Error('disk full');
    })).rejects.toThrow('disk full');
    expect(read(d, 'meta.json')).toBe('old');
    expect(recoverStaged(d)).toBe('discarded');
    expect(read(d, 'meta.json')).toBe('old');
  });

  it('rolls an interrupted commit forward', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'model.safetensors'), 'new'); // already renamed before the "crash"
    fs.writeFileSync(path.join(d, 'meta.json'), 'old');
    const s = path.join(d, STAGING_DIR);
    fs.mkdirSync(s);
    fs.writeFileSync(path.join(s, 'meta.json'), 'new');
    fs.writeFileSync(path.join(s, 'COMMIT'), JSON.stringify(['model.safetensors', 'meta.json']));
    expect(recoverStaged(d)).toBe('rolled-forward');
    expect(read(d, 'meta.json')).toBe('new');
    expect(read(d, 'model.safetensors')).toBe('new');
    expect(fs.existsSync(s)).toBe(false);
    expect(recoverStaged(d)).toBeNull();
  });
});
