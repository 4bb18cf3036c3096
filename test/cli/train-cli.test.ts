/**
 * End to end through the built binary (`node bin/seqloom.js`, after `npm run build`): train a tiny
 * seq2seq spec on the built-in task → translate --json → eval; forward and decode from the trained
 * weights and an IN.json; resume; a language model through train → sample. Few runs, tiny sizes.
 * Skips when the CLI has not been built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'seqloom.js');
const built = fs.existsSync(path.join(repo, 'dist', 'src', 'cli', 'main.js'));
let root = '';

function seqloom(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root, encoding: 'utf8', input, env: { ...process.env, SEQLOOM_BACKEND: 'wasm' }, timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SEQ2SEQ = `seqloom: 1
name: tiny-seq2seq
task: seq2seq
data:
  format: tsv
  limit: 160
  preprocess: [lowercase]
  valid_fraction: 0.1
  source: { tokenizer: word, min_freq: 1, max_len: 6 }
  target: { tokenizer: word, min_freq: 1, max_len: 6 }
graph:
  src_emb: { op: embedding, input: source, dim: 8 }
  encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 8, layers: 2 }
  tgt_emb: { op: embedding, input: target, dim: 8 }
  context: { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in: { op: concat, inputs: [tgt_emb, context] }
  decoder: { op: recurrent, cell: gru, input: dec_in, hidden: 8, layers: 2, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.01 }
  clip_norm: 1.0
  epochs: 2
  batch_size: 64
  seed: 3
decode:
  strategy: greedy
  beam_size: 2
  max_len: 6
`;

const LM = `seqloom: 1
name: tiny-lm
task: language-model
data:
  format: text
  limit: 10
  preprocess: [lowercase]
  valid_fraction: 0.2
  tokens: { tokenizer: char, min_freq: 1 }
  num_steps: 8
  sampling: sequential
graph:
  emb: { op: embedding, input: tokens, dim: 8 }
  rnn: { op: recurrent, cell: gru, input: emb, hidden: 16 }
  logits: { op: dense, input: rnn, units: tokens.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.01 }
  clip_norm: 1.0
  epochs: 1
  batch_size: 8
  seed: 0
  carry_state: true
`;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-cli-'));
  fs.writeFileSync(path.join(root, 'tiny.yaml'), SEQ2SEQ);
  fs.writeFileSync(path.join(root, 'lm.yaml'), LM);
});
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

describe.skipIf(!built)('seqloom CLI: train → translate → eval, forward, decode', () => {
  it('trains, writes the checkpoint folder, prints its path and plain progress lines', () => {
    const r = seqloom(['train', 'tiny.yaml', '--out', 'run']);
    expect(r.stderr).toMatch(/epoch 1\/2: loss \d+\.\d+, perplexity \d+\.\d+, \d+ tokens\/s/);
    expect(r.stderr).toMatch(/trained 2 epoch\(s\) to epoch 2/);
    // --show 5 by default: five held-out translations, each marked, then the exact count.
    expect(r.stderr).toMatch(/held-out translations \(greedy\), 5 of 16:\n(  .+ → .*  (✓|✗ \(reference: .+\))\n){5}exact: \d+ of 16 held-out sentences \(\d+%\)\n$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('run\n');
    expect(fs.readdirSync(path.join(root, 'run')).sort())
      .toEqual(['meta.json', 'metrics.jsonl', 'model.safetensors', 'optimizer.safetensors', 'spec.yaml', 'vocab.json']);
    const again = seqloom(['train', 'tiny.yaml', '--out', 'run']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^seqloom: error: run already holds a checkpoint\nhelp: pass --resume/);
  });

  it('resumes to a total of 3 epochs', () => {
    const r = seqloom(['train', 'tiny.yaml', '--out', 'run', '--resume', '--epochs', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/resuming run at epoch 3 of 3/);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'run', 'meta.json'), 'utf8')).epoch).toBe(3);
  });

  it('translate --json prints exactly the contract shape, notes on stderr', () => {
    const r = seqloom(['translate', 'run', 'three hundred', 'zebra', '', '--json', '--beam', '2', '--n-best', '2']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { results: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['results']);
    expect(doc.results).toHaveLength(3);
    for (const res of doc.results) {
      expect(Object.keys(res)).toEqual(['source', 'translation', 'score', 'n_best']);
      expect(typeof res.translation).toBe('string');
      expect(typeof res.score).toBe('number');
      const nb = res.n_best as Record<string, unknown>[];
      expect(nb.length).toBeGreaterThanOrEqual(1);
      expect(nb.length).toBeLessThanOrEqual(2);
      for (const h of nb) expect(Object.keys(h)).toEqual(['translation', 'score']);
      expect(nb[0]!.translation).toBe(res.translation);
    }
    expect(doc.results.map((x) => x.source)).toEqual(['three hundred', 'zebra', '']);
    expect(r.stderr).toMatch(/"zebra" is not in the source vocabulary; translated as <unk>/);
  });

  it('eval --json reports BLEU, loss and perplexity on the held-out split', () => {
    const json = seqloom(['eval', 'run', '--bleu', 'd2l', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ task: 'seq2seq', split: 'valid', sentences: 16, bleu: { method: 'd2l' } });
    expect(doc.bleu.score).toBeGreaterThanOrEqual(0);
    expect(doc.bleu.score).toBeLessThanOrEqual(1);
    expect(doc.perplexity).toBeCloseTo(Math.exp(doc.loss), 6);
  });

  it('forward and decode read only the weights and IN.json; stdout is exactly the document', () => {
    const vocab = JSON.parse(fs.readFileSync(path.join(root, 'run', 'vocab.json'), 'utf8'));
    const Vs = vocab.source.tokens.length, Vt = vocab.target.tokens.length;
    fs.writeFileSync(path.join(root, 'in.json'), JSON.stringify({
      vocab: { source: Vs, target: Vt }, pad: 0, bos: 2, eos: 3,
      src: [[4, 5, 3], [6, 3, 0]], src_len: [3, 2], tgt_in: [[2, 4, 5], [2, 6, 0]],
    }));
    const weights = path.join('run', 'model.safetensors');
    const f = seqloom(['forward', 'tiny.yaml', '--weights', weights, '--input', 'in.json']);
    expect(f.code).toBe(0);
    const logits = JSON.parse(f.stdout).logits as number[][][];
    expect([logits.length, logits[0]!.length, logits[0]![0]!.length]).toEqual([2, 3, Vt]);
    expect(logits.flat(2).every(Number.isFinite)).toBe(true);

    const d = seqloom(['decode', 'tiny.yaml', '--weights', weights, '--input', 'in.json', '--strategy', 'beam',
      '--beam-size', '3', '--n-best', '2', '--max-len', '5', '--length-penalty', '0']);
    expect(d.code).toBe(0);
    const results = JSON.parse(d.stdout).results as { tokens: number[]; score: number; logp: number }[][];
    expect(results).toHaveLength(2);
    for (const list of results) {
      expect(list).toHaveLength(2);
      for (const h of list) {
        expect(Object.keys(h)).toEqual(['tokens', 'score', 'logp']);
        expect(h.score).toBeCloseTo(h.logp, 5); // length penalty 0
        expect(h.tokens.length).toBeLessThanOrEqual(5);
      }
      expect(list[0]!.score).toBeGreaterThanOrEqual(list[1]!.score);
    }
  });

  it('bad IN.json: exit 1, one clear error line, nothing on stdout', () => {
    fs.writeFileSync(path.join(root, 'bad.json'), JSON.stringify({
      vocab: { source: 5, target: 5 }, pad: 0, bos: 2, eos: 3, src: [[4, 5], [1]], src_len: [2, 1],
    }));
    const r = seqloom(['decode', 'tiny.yaml', '--weights', 'run/model.safetensors', '--input', 'bad.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^seqloom: error: bad\.json: src\[0\]\[1\]: id 5 is out of range for the source vocabulary \(size 5\)\n/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!built)('seqloom CLI: language model', () => {
  it('trains on the built-in text, samples greedily from a prefix, reports perplexity', () => {
    const t = seqloom(['train', 'lm.yaml', '--out', 'lmrun']);
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/greedy continuation of the text's first characters:\n  ".+" → ".*"\n$/);
    expect(seqloom(['train', 'lm.yaml', '--out', 'lmrun2', '--show', '0']).stderr).not.toMatch(/continuation/);
    const a = seqloom(['sample', 'lmrun', '--prefix', 'one', '--len', '10', '--temperature', '0', '--json']);
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc).toMatchObject({ prefix: 'one', tokens: 10 });
    expect(doc.text).toBe(`one${doc.continuation}`);
    expect(doc.continuation).toHaveLength(10); // char tokens
    const e = JSON.parse(seqloom(['eval', 'lmrun', '--json']).stdout);
    expect(e).toMatchObject({ task: 'language-model', split: 'valid' });
    expect(e.perplexity).toBeGreaterThan(1);
  });
});
