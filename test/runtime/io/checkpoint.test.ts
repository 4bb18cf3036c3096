import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint, serializeSafetensors, specHash, writeFileAtomic, type CheckpointInput,
} from '../../../src/runtime/node/index.js';
import { Vocab } from '../../../src/runtime/text/index.js';
import { UserError } from '../../../src/errors.js';

const root = mkdtempSync(path.join(tmpdir(), 'seqloom-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(root, `ckpt${n++}`);

const SPEC = 'seqloom: 1\nname: tiny\ntask: seq2seq\n# ünïcode comment\n';
function input(over: Partial<CheckpointInput> = {}): CheckpointInput {
  return {
    tensors: {
      'src_emb.weight': { shape: [6, 2], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
      'encoder.bias_ih_l0': { shape: [3], data: Float32Array.from([1, 2, 3]) },
    },
    vocab: { source: Vocab.build([['go', '.']], 1), target: Vocab.build([['va', '!']], 1).toJSON() },
    specText: SPEC,
    meta: { seed: 7, epoch: 3, metrics: { loss: 0.25, perplexity: 1.28 }, backend: 'cpu' },
    ...over,
  };
}
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('specHash', () => {
  it('is the sha256 of the UTF-8 text', () => {
    expect(specHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(specHash(SPEC)).toBe(createHash('sha256').update(Buffer.from(SPEC, 'utf8')).digest('hex'));
    expect(specHash('a')).not.toBe(specHash('a\n'));
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips tensors, vocabularies, spec text and meta; meta.json is written last', () => {
    const dir = fresh();
    const written = saveCheckpoint(dir, input({ extraFiles: { 'optimizer.safetensors': serializeSafetensors({ m: { shape: [1], data: Float32Array.from([9]) } }) } }));
    expect(written.at(-1)).toBe('meta.json');
    expect(readdirSync(dir).sort()).toEqual(['meta.json', 'model.safetensors', 'optimizer.safetensors', 'spec.yaml', 'vocab.json']);
    const ck = loadCheckpoint(dir);
    expect(ck.specText).toBe(SPEC);
    expect(ck.meta).toMatchObject({ spec_hash: specHash(SPEC), seed: 7, epoch: 3, metrics: { loss: 0.25 }, backend: 'cpu', format: 'seqloom-checkpoint', version: 1 });
    expect(ck.tensors['src_emb.weight']!.data).toEqual(Float32Array.from({ length: 12 }, (_, i) => i / 7));
    expect(ck.tensors['encoder.bias_ih_l0']!.shape).toEqual([3]);
    expect(ck.tensorMetadata).toMatchObject({ format: 'pt', spec_hash: specHash(SPEC) });
    expect(ck.vocab.source!.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'go', '.']);
    expect(ck.vocab.target!.encode(['va', 'x'])).toEqual([4, 1]);
    expect(Object.keys(ck.extraFiles)).toEqual(['optimizer.safetensors']);
  });

  it('overwrites an existing checkpoint in place', () => {
    const dir = fresh();
    saveCheckpoint(dir, input());
    saveCheckpoint(dir, input({ meta: { seed: 7, epoch: 4, metrics: {} } }));
    expect(loadCheckpoint(dir).meta.epoch).toBe(4);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('missing folder, not a folder, missing meta (interrupted save), missing files: errors naming the path', () => {
    expect(userError(() => loadCheckpoint(path.join(root, 'nope')))).toMatch(/nope: checkpoint folder not found/);
    const file = path.join(root, 'plain-file');
    writeFileSync(file, 'x');
    expect(userError(() => loadCheckpoint(file))).toMatch(/a checkpoint is a folder/);
    for (const name of Object.values(CHECKPOINT_FILES)) {
      const dir = fresh();
      saveCheckpoint(dir, input());
      rmSync(path.join(dir, name));
      const msg = userError(() => loadCheckpoint(dir));
      expect(msg).toContain(path.join(dir, name));
      expect(msg).toMatch(name === 'meta.json' ? /save was interrupted/ : /is missing: the checkpoint is incomplete/);
    }
  });

  it('a failed save leaves one whole checkpoint: the old one before the journal is written, the new one after', () => {
    const dir = fresh();
    saveCheckpoint(dir, input());
    // A tensor that cannot be serialized fails the save before anything is written…
    expect(() => saveCheckpoint(dir, input({ tensors: { bad: { shape: [2], data: new Float32Array(1) } } }))).toThrow(UserError);
    expect(loadCheckpoint(dir).meta.epoch).toBe(3); // …so the old checkpoint is intact.
    expect(existsSync(path.join(dir, '.staging'))).toBe(false);
    // A file that cannot be replaced (a folder in its place) fails the commit after the journal:
    const dir2 = fresh();
    saveCheckpoint(dir2, input());
    rmSync(path.join(dir2, 'spec.yaml'));
    writeFileAtomic(path.join(dir2, 'spec.yaml', 'blocker'), 'x');
    expect(userError(() => saveCheckpoint(dir2, input({ meta: { seed: 7, epoch: 4, metrics: {} } })))).toMatch(/cannot write .*spec.yaml .*staged/);
    expect(loadCheckpoint(dir2).meta.epoch).toBe(4);   // readers see the new checkpoint, through the journal
    // Once the blocker is gone, the next save finishes the staged one, then commits its own.
    rmSync(path.join(dir2, 'spec.yaml'), { recursive: true });
    saveCheckpoint(dir2, input({ meta: { seed: 7, epoch: 5, metrics: {} } }));
    expect(loadCheckpoint(dir2).meta.epoch).toBe(5);
    expect(readdirSync(dir2).sort()).toEqual(['meta.json', 'model.safetensors', 'spec.yaml', 'vocab.json']);
  });

  it('files changed after saving, or mixed from two saves, are caught by meta.json\'s hashes', () => {
    const a = fresh();
    const b = fresh();
    saveCheckpoint(a, input());
    saveCheckpoint(b, input({ tensors: { 'src_emb.weight': { shape: [1], data: Float32Array.from([5]) } } }));
    writeFileSync(path.join(a, 'model.safetensors'), readFileSync(path.join(b, 'model.safetensors')));
    expect(userError(() => loadCheckpoint(a))).toMatch(/model.safetensors does not match meta.json/);
    const c = fresh();
    saveCheckpoint(c, input());
    writeFileSync(path.join(c, 'vocab.json'), readFileSync(path.join(c, 'vocab.json'), 'utf8').replace('"go"', '"went"'));
    expect(userError(() => loadCheckpoint(c))).toMatch(/vocab.json does not match meta.json/);
  });

  it('consistency without file hashes: spec hash, model spec_hash, vocab shape, meta fields', () => {
    const setup = () => {
      const dir = fresh();
      saveCheckpoint(dir, input());
      const metaFile = path.join(dir, 'meta.json');
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
      delete meta.files; // a hand-made or older checkpoint: no hashes to lean on
      writeFileSync(metaFile, JSON.stringify(meta));
      return { dir, metaFile, meta };
    };
    let s = setup();
    writeFileSync(path.join(s.dir, 'spec.yaml'), `${SPEC}# edited\n`);
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/spec.yaml: its sha256 differs from meta.json's spec_hash/);

    s = setup();
    const other = fresh();
    saveCheckpoint(other, input({ specText: `${SPEC}# other\n` }));
    writeFileSync(path.join(s.dir, 'model.safetensors'), readFileSync(path.join(other, 'model.safetensors')));
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/model.safetensors: was saved for a different spec/);

    s = setup();
    writeFileSync(path.join(s.dir, 'vocab.json'), JSON.stringify({ source: { tokens: ['a'] } }));
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/vocab.json \(source\): token 0 must be <pad>/);
    writeFileSync(path.join(s.dir, 'vocab.json'), '{"source": ');
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/vocab.json: not valid JSON/);

    s = setup();
    writeFileSync(path.join(s.dir, 'model.safetensors'), readFileSync(path.join(s.dir, 'model.safetensors')).subarray(0, 50));
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/model.safetensors: .*(larger than the file|out of bounds)/);

    for (const [patch, pattern] of [
      [{ epoch: -1 }, /epoch must be a non-negative integer/],
      [{ seed: 'x' }, /seed must be a number/],
      [{ spec_hash: 'abc' }, /spec_hash must be a sha256/],
      [{ metrics: null }, /metrics must be an object/],
      [{ format: 'other' }, /format "other" is not seqloom-checkpoint/],
      [{ version: 99 }, /version 99 is newer/],
      [{ files: { '../x': 'ab' } }, /not a plain file name/],
    ] as const) {
      s = setup();
      writeFileSync(s.metaFile, JSON.stringify({ ...s.meta, ...patch }));
      expect(userError(() => loadCheckpoint(s.dir))).toMatch(pattern);
    }
    s = setup();
    writeFileSync(s.metaFile, '[1]');
    expect(userError(() => loadCheckpoint(s.dir))).toMatch(/meta.json: expected a JSON object/);
  });

  it('refuses extra files that would clash or escape the folder', () => {
    expect(() => saveCheckpoint(fresh(), input({ extraFiles: { 'meta.json': 'x' } }))).toThrow(/cannot add checkpoint file/);
    expect(() => saveCheckpoint(fresh(), input({ extraFiles: { '../evil': 'x' } }))).toThrow(/cannot add checkpoint file/);
  });
});
