/**
 * `seqloom prepare` through the built CLI (needs no PyTorch): the folder it writes holds every
 * epoch's batches, and `train --data DIR` (the tfjs engine) trains exactly as from the raw data —
 * the same weights, bit for bit. A truncated shard, and a shard from another vocabulary, are each one
 * clear error before any training, and the checkpoint already in --out is left as it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { REPO } from '../codegen/helpers.js';

const bin = path.join(REPO, 'bin', 'seqloom.js');
const built = fs.existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js'));
const SPEC = path.join(REPO, 'test/torch/specs/tiny-gru.yaml');
let root = '';

function seqloom(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, SEQLOOM_BACKEND: 'wasm' }, timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function folderHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

const TRAIN = ['--epochs', '2', '--seed', '0', '--quiet', '--show', '0'];

describe.skipIf(!built)('seqloom prepare and train --data DIR', () => {
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-prepare-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prepare writes the vocabulary, the spec and one shard per epoch; training from it equals training from the raw data', () => {
    const p = seqloom(['prepare', SPEC, '--out', 'prepared', '--epochs', '3', '--seed', '0']);
    expect(p.stderr).toContain('prepared epoch 3/3');
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim()).toBe(path.join(root, 'prepared'));
    const files = fs.readdirSync(path.join(root, 'prepared')).sort();
    expect(files).toEqual(['epoch-0001.bin', 'epoch-0002.bin', 'epoch-0003.bin', 'prepared.json', 'spec.yaml', 'vocab.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'prepared/prepared.json'), 'utf8')) as { shards: Array<{ batches: number }> };
    expect(manifest.shards.map((s) => s.batches)).toEqual([9, 9, 9]);

    const raw = seqloom(['train', SPEC, '--out', 'raw-run', ...TRAIN]);
    expect(raw.code, raw.stderr).toBe(0);
    const prepared = seqloom(['train', SPEC, '--data', 'prepared', '--out', 'prepared-run', ...TRAIN]);
    expect(prepared.code, prepared.stderr).toBe(0);
    const a = readSafetensors(path.join(root, 'raw-run/model.safetensors')).tensors;
    const b = readSafetensors(path.join(root, 'prepared-run/model.safetensors')).tensors;
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a)) expect(Buffer.from(b[name]!.data.buffer).equals(Buffer.from(a[name]!.data.buffer)), name).toBe(true);
    const metrics = (run: string) => fs.readFileSync(path.join(root, run, 'metrics.jsonl'), 'utf8').trim().split('\n')
      .map((l) => (JSON.parse(l) as { train_loss: number }).train_loss);
    expect(metrics('prepared-run')).toEqual(metrics('raw-run'));
  }, 300_000);

  it('refuses more epochs than were prepared, and another seed', () => {
    const more = seqloom(['train', SPEC, '--data', 'prepared', '--out', 'x', '--epochs', '4', '--quiet']);
    expect(more.code).toBe(1);
    expect(more.stderr).toMatch(/holds 3 epoch\(s\) of batches; --epochs 4 needs more/);
    const seed = seqloom(['train', SPEC, '--data', 'prepared', '--out', 'x', '--seed', '5', '--quiet']);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toMatch(/prepared with seed 0.*this run's seed is 5/);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
  }, 120_000);

  it('a truncated shard is one clear error before training; the checkpoint in --out is untouched', () => {
    fs.cpSync(path.join(root, 'prepared'), path.join(root, 'truncated'), { recursive: true });
    const shard = path.join(root, 'truncated/epoch-0002.bin');
    const size = fs.statSync(shard).size;
    fs.truncateSync(shard, size - 100);
    const before = folderHash(path.join(root, 'raw-run'));
    const r = seqloom(['train', SPEC, '--data', 'truncated', '--out', 'raw-run', '--overwrite', ...TRAIN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seqloom: error: ${shard} is truncated: ${size - 100} of ${size} bytes`);
    expect(r.stderr).toContain('help: prepare it again');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(folderHash(path.join(root, 'raw-run'))).toBe(before);
  }, 120_000);

  it('a shard from another vocabulary is one clear error before training; the checkpoint is untouched', () => {
    const other = seqloom(['prepare', SPEC, '--out', 'other', '--epochs', '3', '--seed', '0', '--quiet']);
    expect(other.code, other.stderr).toBe(0);
    // A spec whose source min_freq drops rare words has another vocabulary: mix one of its shards in.
    const spec2 = path.join(root, 'tiny-gru-minfreq.yaml');
    fs.writeFileSync(spec2, fs.readFileSync(SPEC, 'utf8').replace('source: { tokenizer: word, min_freq: 1', 'source: { tokenizer: word, min_freq: 3'));
    expect(seqloom(['prepare', spec2, '--out', 'foreign', '--epochs', '3', '--seed', '0', '--quiet']).code).toBe(0);
    fs.cpSync(path.join(root, 'foreign/epoch-0002.bin'), path.join(root, 'other/epoch-0002.bin'));
    const before = folderHash(path.join(root, 'raw-run'));
    const r = seqloom(['train', SPEC, '--data', 'other', '--out', 'raw-run', '--overwrite', ...TRAIN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seqloom: error: ${path.join(root, 'other/epoch-0002.bin')} was prepared with another vocabulary`);
    expect(folderHash(path.join(root, 'raw-run'))).toBe(before);
  }, 180_000);

  it('prepare refuses a non-empty --out without --overwrite, and a prepared folder as --data', () => {
    const r = seqloom(['prepare', SPEC, '--out', 'prepared', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out prepared is not empty/);
    const again = seqloom(['prepare', SPEC, '--data', 'prepared', '--out', 'p2', '--quiet']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already a prepared folder/);
  }, 60_000);
});
