/**
 * The real-result bench (bench/corpora/real-result.ts) in seconds: the real specs checked and their
 * commands planned on a small synthetic corpus (--dry-run), then the whole pipeline — seeded split,
 * seqloom train under --max-time with keep_best on validation BLEU, eval --data on the test split, the
 * PyTorch side on the same encoded data scored with seqloom's BLEU — on shrunken copies of the specs
 * with a budget of about a second.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, makeTemp, removeTemp } from '../reliability/helpers.js';
import { describeWithSystem, systemTorch } from '../helpers/system.js';
import { REPO } from '../spec/helpers.js';

const DRIVER = path.join(REPO, 'dist', 'bench', 'corpora', 'real-result.js');
const SPECS = path.join(REPO, 'bench', 'corpora', 'specs');

let root = '';
beforeAll(() => {
  root = makeTemp('real-result');
  // A small corpus with repeated source sentences (the split keeps each one on one side).
  const en = ['i see', 'you want', 'we like', 'they have', 'he eats'];
  const fr = ['je vois', 'tu veux', 'nous aimons', 'ils ont', 'il mange'];
  const things = [['the cat', 'le chat'], ['a dog', 'un chien'], ['bread', 'du pain'], ['the house', 'la maison'], ['two apples', 'deux pommes'], ['water', 'de l\'eau']];
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const s = i % en.length, t = (i * 7 + Math.floor(i / 5)) % things.length;
    lines.push(`${en[s]} ${things[t]![0]} .\t${fr[s]} ${things[t]![1]} .`);
    if (i % 10 === 0) lines.push(`${en[s]} ${things[t]![0]} .\t${fr[s]} ${things[t]![1]} !`);
  }
  fs.writeFileSync(path.join(root, 'pairs.tsv'), `${lines.join('\n')}\n`);
  fs.mkdirSync(path.join(root, 'specs'));
  for (const f of fs.readdirSync(SPECS)) {
    const small = fs.readFileSync(path.join(SPECS, f), 'utf8')
      .replace(/^name: ([a-z]+)-/m, 'name: tiny-')
      .replace(/dim: 128/g, 'dim: 8').replace(/hidden: 128/g, 'hidden: 8').replace(/merges: \d+/g, 'merges: 30')
      .replace(/valid_fraction: [\d.]+/, 'valid_fraction: 0.1').replace(/batch_tokens: \d+/, 'batch_tokens: 160')
      .replace(/validate_every: \d+/, 'validate_every: 3').replace(/bleu_sentences: \d+/, 'bleu_sentences: 10')
      .replace(/max_len: 32/g, 'max_len: 10');
    fs.writeFileSync(path.join(root, 'specs', f.replace(/^[a-z]+-/, 'tiny-')), small);
  }
});
afterAll(() => removeTemp(root));

function driver(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [DRIVER, '--quiet', ...args], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SEQLOOM_BACKEND: 'wasm' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!BUILT)('real-result bench', () => {
  it('--dry-run: splits the data, checks the real specs and prints the five runs', () => {
    const data = path.join(root, 'pairs.tsv');
    const r = driver(['--dry-run', '--minutes', '7', '--data', `fra=${data}`, '--data', `cmn=${data}`, '--test-size', '25', '--work', 'plan']);
    expect(r.code, r.stderr).toBe(0);
    const split = /fra: .* (\d+) training pairs, 25 test pairs \(no test source sentence in training; (\d+) pairs/.exec(r.stderr);
    expect(Number(split![1]) + 25 + Number(split![2])).toBe(330); // every line of the file, once
    const planned = r.stdout.trim().split('\n');
    expect(planned.slice(0, 5).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual([
      'fra-attention:seqloom', 'fra-attention:pytorch', 'fra-gru:seqloom', 'fra-gru:pytorch', 'cmn-attention:seqloom',
    ]);
    expect(planned[0]).toContain('--max-time 7');
    expect(planned.at(-1)).toMatch(/^5 runs: about 5 × 7 min/);
    // The split: no source sentence on both sides, nothing invented.
    const src = (f: string) => new Set(fs.readFileSync(path.join(root, 'plan', 'fra', f), 'utf8').trim().split('\n').map((l) => l.split('\t')[0]));
    const train = src('train.tsv');
    expect([...src('test.tsv')].filter((s) => train.has(s))).toEqual([]);
  });

  it('a bad run name is one clear line', () => {
    const r = driver(['--dry-run', '--runs', 'fra-attention:tensorflow', '--data', `fra=${path.join(root, 'pairs.tsv')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('real-result: --runs: <pair>-<model>:<seqloom|pytorch>, got fra-attention:tensorflow');
  });
});

describeWithSystem(systemTorch(), 'real-result bench, both engines at a tiny budget', () => {
  it.skipIf(!BUILT)('trains, keeps best/, scores the test split, and compares with PyTorch', () => {
    const r = driver([
      '--runs', 'tiny-attention:seqloom,tiny-attention:pytorch', '--specs', 'specs', '--data', `tiny=${path.join(root, 'pairs.tsv')}`,
      '--minutes', '0.02', '--test-size', '25', '--torch-threads', '1x1', '--work', 'run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(fs.readFileSync(path.join(root, 'run', 'results.json'), 'utf8')) as { rows: { engine: string; test_bleu: number; test_pairs: number; steps: number; config: string }[] };
    expect(out.rows.map((x) => x.engine)).toEqual(['seqloom', 'pytorch']);
    for (const row of out.rows) {
      expect(row.steps).toBeGreaterThan(0);
      expect(row.test_bleu).toBeGreaterThanOrEqual(0);
      expect(row.test_bleu).toBeLessThanOrEqual(100);
    }
    expect(out.rows[0]!.config).toMatch(/best\/ at step \d+/);
    expect(out.rows[1]!.config).toMatch(/best bleu at step \d+/);
    expect(r.stdout).toMatch(/\| tiny \| attention \| seqloom \| 0\.02 min \| [\d.]+ \| [\d.]+ \| [\d.]+×|\| tiny \| attention \| seqloom \| 0\.02 min \| [\d.]+ \| [\d.]+ \|  \|/);
    expect(out.rows.map((x) => x.test_pairs)).toEqual([25, 25]); // the test split, scored whole
  });
});
