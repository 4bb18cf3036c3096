/**
 * `seqloom eval CKPT --data test.tsv`: a file other than the training data is a test set, scored
 * whole with the checkpoint's vocabulary (no limit, nothing held out) — its corpus BLEU is the BLEU
 * of `translate`'s output against the references, as `seqloom bleu` computes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';
import { builtinPairs, numberToEnglish, numberToFrench } from '../../src/runtime/data/index.js';

let root = '';
const TEST = [1234, 56, 7007, 999, 3141, 42, 8000].map((n) => ({ source: numberToEnglish(n), target: numberToFrench(n) }));

beforeAll(() => {
  root = makeTemp('eval-test');
  if (!BUILT) return;
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ epochs: 3, limit: 200, maxLen: 8 }));
  fs.writeFileSync(path.join(root, 'test.tsv'), TEST.map((p) => `${p.source}\t${p.target}`).join('\n') + '\n');
  fs.writeFileSync(path.join(root, 'refs.txt'), TEST.map((p) => p.target).join('\n') + '\n');
  const r = seqloom(['train', 'tiny.yaml', '--out', 'run', '--quiet'], root);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => removeTemp(root));

describe.skipIf(!BUILT)('eval --data TEST_FILE', () => {
  it('scores every pair of the file, and its BLEU is the BLEU of translate\'s output', () => {
    const ev = seqloom(['eval', 'run', '--data', 'test.tsv', '--json'], root);
    expect(ev.code, ev.stderr).toBe(0);
    const out = JSON.parse(ev.stdout) as { split: string; sentences: number; bleu: { score: number } };
    expect(out.split).toBe('test');
    expect(out.sentences).toBe(TEST.length); // the spec's limit and valid_fraction do not apply to a test file

    const tr = seqloom(['translate', 'run', ...TEST.map((p) => p.source)], root);
    expect(tr.code, tr.stderr).toBe(0);
    fs.writeFileSync(path.join(root, 'hyps.txt'), tr.stdout);
    const bleu = seqloom(['bleu', '--hyp', 'hyps.txt', '--ref', 'refs.txt', '--json'], root);
    expect(bleu.code, bleu.stderr).toBe(0);
    expect(out.bleu.score).toBeCloseTo((JSON.parse(bleu.stdout) as { bleu: number }).bleu, 9);
  });

  it('without --data, the held-out split of the training data, as before', () => {
    const ev = seqloom(['eval', 'run', '--json'], root);
    expect(ev.code, ev.stderr).toBe(0);
    const out = JSON.parse(ev.stdout) as { split: string; sentences: number };
    expect(out.split).toBe('valid');
    expect(out.sentences).toBe(20); // 10% of the 200 pairs the spec keeps
    expect(builtinPairs().length).toBeGreaterThan(200);
  });

  it('a missing test file is one clear error', () => {
    const r = seqloom(['eval', 'run', '--data', 'nope.tsv'], root);
    expectCleanError(r);
    expect(r.stderr).toMatch(/nope\.tsv: data file not found/);
  });
});
