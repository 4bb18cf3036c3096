/**
 * `translate --json --attention`: each result gains the source tokens the model read, and the best
 * and every n-best hypothesis their tokens and attention weights ([tokens][source tokens]); without
 * the flag the output is the contract's, unchanged. A model without attention says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTranslate } from '../../src/train/run-inference.js';
import { REPO } from '../e2e/helpers.js';
import { TINY_ATTENTION_SPEC, trainTiny } from '../helpers/tiny-runs.js';

let root = '';
let run = '';

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-attn-'));
  run = await trainTiny(root, 'attn', TINY_ATTENTION_SPEC, { epochs: 1 });
}, 60_000);
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

describe('translate with attention weights', () => {
  it('adds source tokens, hypothesis tokens and one weight row per token; leaves the rest as it was', async () => {
    const sentences = ['three hundred twelve', 'zebra nine'];
    const plain = await runTranslate({ checkpoint: run, backend: 'cpu', flags: {}, sentences });
    const out = await runTranslate({ checkpoint: run, backend: 'cpu', flags: {}, sentences, attention: true });
    expect(Object.keys(plain.results[0]!)).toEqual(['source', 'translation', 'score', 'n_best']);
    expect(out.results.map((r) => r.n_best.map((h) => h.translation))).toEqual(plain.results.map((r) => r.n_best.map((h) => h.translation)));
    expect(out.results[1]!.source_tokens).toEqual(['<unk>', 'nine', '<eos>']);
    for (const r of out.results) {
      expect(Object.keys(r)).toEqual(['source', 'source_tokens', 'translation', 'score', 'tokens', 'attention', 'n_best']);
      expect(r.n_best).toHaveLength(2);
      expect(r.attention).toEqual(r.n_best[0]!.attention);
      for (const h of r.n_best) {
        expect(Object.keys(h)).toEqual(['translation', 'score', 'tokens', 'attention']);
        expect(h.attention).toHaveLength(h.tokens!.length);
        for (const row of h.attention!) {
          expect(row).toHaveLength(r.source_tokens!.length);
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        }
      }
    }
  });

  it('refuses a model without attention', async () => {
    const spec = TINY_ATTENTION_SPEC.replace(/ {2}attn: .*\n/, '').replace(/ {2}dec_in: .*\n/, '').replace('input: dec_in', 'input: tgt_emb').replace('name: tiny-attention', 'name: no-attention');
    const plainRun = await trainTiny(root, 'plain', spec, { epochs: 1 });
    await expect(runTranslate({ checkpoint: plainRun, backend: 'cpu', flags: {}, sentences: ['one'], attention: true }))
      .rejects.toThrow(/the model no-attention has no attention over the source/);
  }, 60_000);

  it.skipIf(!fs.existsSync(path.join(REPO, 'dist/src/cli/main.js')))('on the command line: --attention needs --json', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/seqloom.js'), 'translate', run, 'one', '--attention'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('seqloom: error: --attention adds the weights to the JSON output\nhelp: add --json\n');
  });
});
