/**
 * `--resume` refuses a checkpoint that does not belong to the current spec or data, and says what
 * differs: the spec keys (with old and new values) and the spec hashes; only comments or formatting;
 * or which vocabulary stream, its sizes and the first differing token. Nothing in the folder changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
let before = '';
const spec = tinySeq2seqSpec({ hidden: 6, limit: 40, epochs: 1 }).replace('  format: tsv\n', '  format: tsv\n  path: a.tsv\n');

beforeAll(() => {
  root = makeTemp('mismatch');
  fs.writeFileSync(path.join(root, 'a.tsv'), 'one cat\tun chat\ntwo dogs\tdeux chiens\nthree birds\ttrois oiseaux\nfour\tquatre\n'.repeat(10));
  fs.writeFileSync(path.join(root, 'b.tsv'), 'one cow\tune vache\ntwo dogs\tdeux chiens\nthree birds\ttrois oiseaux\nfour\tquatre\n'.repeat(10));
  fs.writeFileSync(path.join(root, 'tiny.yaml'), spec);
  if (!BUILT) return;
  const r = seqloom(['train', 'tiny.yaml', '--out', 'run', '--show', '0'], root);
  expect(r.code, r.stderr).toBe(0);
  before = fs.readFileSync(path.join(root, 'run', 'meta.json'), 'utf8');
});
afterAll(() => removeTemp(root));

function resumeWith(text: string, extra: string[] = []) {
  fs.writeFileSync(path.join(root, 'edited.yaml'), text);
  const r = seqloom(['train', 'edited.yaml', '--out', 'run', '--resume', '--epochs', '2', ...extra], root);
  expectCleanError(r);
  expect(fs.readFileSync(path.join(root, 'run', 'meta.json'), 'utf8')).toBe(before);
  return r.stderr;
}

describe.skipIf(!BUILT)('--resume on a checkpoint of another spec or data', () => {
  it('a changed spec: the keys that differ, old → new, and both spec hashes', () => {
    const err = resumeWith(spec.replaceAll('hidden: 6, layers: 2', 'hidden: 8, layers: 2').replace('lr: 0.01', 'lr: 0.02'));
    expect(err).toMatch(/^seqloom: error: --resume: edited\.yaml differs from the spec run was trained with \(run\/spec\.yaml; spec hash [0-9a-f]{12} vs [0-9a-f]{12}\): graph\.encoder\.hidden: 6 → 8; graph\.decoder\.hidden: 6 → 8; train\.optimizer\.lr: 0\.01 → 0\.02$/m);
    expect(err).toContain('help: resume with run/spec.yaml, or train into a new --out');
  });

  it('a spec that differs only in comments', () => {
    expect(resumeWith(`# a comment\n${spec}`)).toMatch(/: only comments or formatting differ$/m);
  });

  it('data that gives another vocabulary: which stream, the sizes, the first difference', () => {
    const err = resumeWith(spec, ['--data', 'b.tsv']);
    expect(err).toMatch(/^seqloom: error: --resume: the data gives a different source vocabulary than run\/vocab\.json \(\d+ tokens from the data, \d+ in the checkpoint; first difference at id \d+: "[a-z]+" in the checkpoint, "[a-z]+" from the data\)$/m);
  });
});
