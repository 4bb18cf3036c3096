/**
 * Paths that name something without an end — /dev/zero, or a symlink to it inside a checkpoint —
 * wherever the CLI reads a whole file: the spec (validate, graph, generate, train), weights and
 * IN.json (forward), BLEU inputs, a checkpoint's model.safetensors and its commit journal
 * (translate), training data. Each must end quickly with one clear error instead of reading forever
 * (they all grew to 5–7 GB before being killed). A pipe with an end is still read (`<(cmd)`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FileTooLargeError, readFileBounded } from '../../src/runtime/io/bounded-read.js';
import { BIN, BUILT, expectCleanError, expectNoStack, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

const ZERO = '/dev/zero';
const HAVE_ZERO = fs.existsSync(ZERO);
let root = '';

beforeAll(() => {
  root = makeTemp('endless');
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 4 }));
  fs.writeFileSync(path.join(root, 'ref.txt'), 'one two\n');
  if (!BUILT || !HAVE_ZERO) return;
  const r = seqloom(['train', 'tiny.yaml', '--out', 'run'], root);
  expect(r.code, r.stderr).toBe(0);
  fs.writeFileSync(path.join(root, 'in.json'), JSON.stringify({ vocab: { source: 26, target: 26 }, pad: 0, bos: 2, eos: 3, src: [[4, 3]], src_len: [2], tgt_in: [[2, 4]] }));
  // A checkpoint whose weights are /dev/zero, and one whose commit journal is.
  fs.cpSync(path.join(root, 'run'), path.join(root, 'zero-model'), { recursive: true });
  fs.rmSync(path.join(root, 'zero-model', 'model.safetensors'));
  fs.symlinkSync(ZERO, path.join(root, 'zero-model', 'model.safetensors'));
  fs.cpSync(path.join(root, 'run'), path.join(root, 'zero-journal'), { recursive: true });
  fs.mkdirSync(path.join(root, 'zero-journal', '.staging'));
  fs.symlinkSync(ZERO, path.join(root, 'zero-journal', '.staging', 'COMMIT'));
});
afterAll(() => removeTemp(root));

describe('readFileBounded', () => {
  it('reads regular files and finite streams whole; refuses past the ceiling', () => {
    const file = path.join(root, 'ref.txt');
    expect(readFileBounded(file, 100).toString()).toBe('one two\n');
    expect(() => readFileBounded(file, 4)).toThrow(FileTooLargeError);
    expect(readFileBounded(file, 8).length).toBe(8);
    if (HAVE_ZERO) {
      expect(() => readFileBounded(ZERO, 10 * 2 ** 30, 2 ** 20)).toThrow(/not a regular file, and it gave more than 1048576 bytes/);
    }
    expect(() => readFileBounded(root, 100)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => readFileBounded(path.join(root, 'nope'), 100)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe.skipIf(!BUILT || !HAVE_ZERO)('through the CLI, /dev/zero wherever a file is read', () => {
  const cases: [string, string[], RegExp][] = [
    ['validate a spec', ['validate', ZERO], /\/dev\/zero: error\[Y001\]: cannot read the spec file: .*not a regular file/],
    ['graph a spec', ['graph', ZERO], /\/dev\/zero.*not a regular file/],
    ['generate a spec', ['generate', ZERO, '-o', 'gen'], /\/dev\/zero: error\[Y001\]: cannot read the spec file: .*not a regular file/],
    ['train a spec', ['train', ZERO, '--out', 'z1'], /\/dev\/zero.*not a regular file/],
    ['train on data', ['train', 'tiny.yaml', '--data', ZERO, '--out', 'z2'], /\/dev\/zero: not a regular file/],
    ['forward weights', ['forward', 'tiny.yaml', '--weights', ZERO, '--input', 'in.json'], /\/dev\/zero.*not a regular file/],
    ['forward input', ['forward', 'tiny.yaml', '--weights', 'run/model.safetensors', '--input', ZERO], /\/dev\/zero.*not a regular file/],
    ['bleu hypotheses', ['bleu', '--hyp', ZERO, '--ref', 'ref.txt'], /\/dev\/zero.*not a regular file/],
    ['checkpoint weights', ['translate', 'zero-model', 'one'], /zero-model\/model\.safetensors.*not a regular file/],
  ];
  for (const [what, args, expected] of cases) {
    it(what, () => {
      const r = seqloom(args, root);
      if (args[0] === 'validate' || args[0] === 'generate') {
        expectNoStack(r); // these report diagnostics (error[Y001]) rather than `seqloom: error:`
        expect(r.code).toBe(1);
      } else {
        expectCleanError(r);
      }
      expect(r.stderr).toMatch(expected);
      expect(r.ms).toBeLessThan(30_000);
    });
  }

  it('training data from a pipe that ends is read (`--data <(cmd)`)', () => {
    const fifo = path.join(root, 'pairs.fifo');
    const r = spawnSync('bash', ['-c', `mkfifo ${fifo} && (printf 'one\\tun\\ntwo\\tdeux\\n' > ${fifo} &) && node ${JSON.stringify(BIN)} train tiny.yaml --data ${fifo} --out piped`],
      { cwd: root, encoding: 'utf8', env: { ...process.env, SEQLOOM_BACKEND: 'wasm' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\(2 training pairs/);
  });

  it('a checkpoint whose commit journal never ends still loads as it is', () => {
    const r = seqloom(['translate', 'zero-journal', 'one'], root);
    expect(r.code, r.stderr).toBe(0);
  });
});
