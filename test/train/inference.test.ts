/**
 * translate / sample / eval / forward / decode as functions, driven through fake modules: a trained
 * checkpoint of the fakes on the built-in tasks, then each command's pure function on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/runtime/backend/index.js';
import { writeSafetensors } from '../../src/runtime/node/index.js';
import { runTraining } from '../../src/train/session.js';
import { createProgressReporter } from '../../src/train/progress.js';
import { runEval, runSample, runTranslate } from '../../src/train/run-inference.js';
import { runDecode, runForward } from '../../src/train/run-forward.js';
import { resolveDecodeSettings } from '../../src/train/search.js';
import { pickToken } from '../../src/train/sample.js';
import { FakeSeq2Seq } from './fakes.js';
import { FakeLmClass, fakeLmSpec, fakeLoader, fakeSeq2SeqClass, fakeSeq2SeqSpec } from './fake-spec.js';

let root = '';
const s2sSpec = fakeSeq2SeqSpec({ epochs: 6, lr: 0.05 });
const s2sLoader = fakeLoader(s2sSpec, fakeSeq2SeqClass());
const lmLoader = fakeLoader(fakeLmSpec(), FakeLmClass);
const quiet = () => createProgressReporter({ write: () => true, isTTY: false });

beforeAll(async () => {
  await useBackend('cpu');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-infer-'));
  await runTraining({ specPath: 's.yaml', out: path.join(root, 's2s'), reporter: quiet(), loadModule: s2sLoader });
  await runTraining({ specPath: 'l.yaml', out: path.join(root, 'lm'), reporter: quiet(), loadModule: lmLoader });
});
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

describe('translate', () => {
  it('decodes all sentences in one call and reports unknown words, truncation and empty input', async () => {
    const before = tf.memory().numTensors;
    const long = 'one two three four five six seven eight nine ten';
    const out = await runTranslate({
      checkpoint: path.join(root, 's2s'), loadModule: s2sLoader, flags: {},
      sentences: ['three hundred twelve', 'zebra two', '', long],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.results.map((r) => r.source)).toEqual(['three hundred twelve', 'zebra two', '', long]);
    for (const r of out.results) {
      expect(typeof r.translation).toBe('string');
      expect(r.translation).not.toMatch(/<eos>|<pad>|<bos>/);
      expect(r.n_best).toHaveLength(1);
      expect(r.n_best[0]).toEqual({ translation: r.translation, score: r.score });
      expect(Number.isFinite(r.score)).toBe(true);
    }
    expect(out.notes.join('\n')).toMatch(/sentence 2: "zebra" is not in the source vocabulary; translated as <unk>/);
    expect(out.notes.join('\n')).toMatch(/sentence 3 is empty/);
    expect(out.notes.join('\n')).toMatch(/sentence 4 has 10 tokens; data.source.max_len is 8 .* only its first 8 are translated/);
    expect(out.settings.strategy).toBe('greedy');
    // The same sentence alone gives the same result (batching never changes a result).
    const alone = await runTranslate({ checkpoint: path.join(root, 's2s'), loadModule: s2sLoader, flags: {}, sentences: ['zebra two'] });
    expect(alone.results[0]).toEqual(out.results[1]);
  });

  it('refuses a language-model checkpoint', async () => {
    await expect(runTranslate({ checkpoint: path.join(root, 'lm'), loadModule: lmLoader, flags: {}, sentences: ['a'] }))
      .rejects.toThrow(/translate needs a seq2seq checkpoint/);
  });
});

describe('decode settings', () => {
  const spec = { strategy: 'beam' as const, beam_size: 4, max_len: 10, length_penalty: 0.75, n_best: 3 };
  it('take the spec as defaults and flags on top', () => {
    expect(resolveDecodeSettings(spec, {})).toEqual({ strategy: 'beam', beamSize: 4, maxLen: 10, lengthPenalty: 0.75, nBest: 3 });
    expect(resolveDecodeSettings({ ...spec, strategy: 'greedy' }, {})).toMatchObject({ strategy: 'greedy', nBest: 1 });
    expect(resolveDecodeSettings({ ...spec, strategy: 'greedy' }, { beamSize: 2 })).toMatchObject({ strategy: 'beam', beamSize: 2, nBest: 2 });
    expect(resolveDecodeSettings(spec, { strategy: 'greedy', maxLen: '5' })).toMatchObject({ strategy: 'greedy', maxLen: 5, nBest: 1 });
  });
  it('refuse impossible combinations with advice', () => {
    expect(() => resolveDecodeSettings(spec, { strategy: 'greedy', nBest: 2 })).toThrow(/n-best 2 needs beam or exhaustive search/);
    expect(() => resolveDecodeSettings(spec, { beamSize: 2, nBest: 3 })).toThrow(/n-best 3 must be at most the beam size 2/);
    expect(() => resolveDecodeSettings(spec, { strategy: 'sideways' })).toThrow(/unknown decoding strategy 'sideways'/);
    expect(() => resolveDecodeSettings(spec, { maxLen: '0' })).toThrow(/max length must be a positive integer, got '0'/);
    expect(() => resolveDecodeSettings(spec, { lengthPenalty: -1 })).toThrow(/length penalty must be a number ≥ 0/);
  });
});

describe('sample', () => {
  it('is greedy and repeatable at temperature 0, seeded otherwise, and frees every tensor', async () => {
    const base = { checkpoint: path.join(root, 'lm'), loadModule: lmLoader, prefix: 'one hundred', length: 12 };
    const before = tf.memory().numTensors;
    const a = await runSample({ ...base, temperature: 0, seed: 1 });
    const b = await runSample({ ...base, temperature: 0, seed: 2 });
    expect(a.text).toBe(b.text);
    expect(a.text.startsWith('one hundred')).toBe(true);
    expect(a.continuation).toHaveLength(12); // char tokens
    const c = await runSample({ ...base, temperature: 1, seed: 5 });
    const d = await runSample({ ...base, temperature: 1, seed: 5 });
    expect(c.text).toBe(d.text);
    expect(tf.memory().numTensors).toBe(before);
    const unk = await runSample({ ...base, prefix: 'one ~', temperature: 0, seed: 0 });
    expect(unk.notes.join('')).toMatch(/"~" not in the vocabulary; read as <unk>/);
    await expect(runSample({ ...base, prefix: '', temperature: 0, seed: 0 })).rejects.toThrow(/--prefix "" has no tokens/);
  });

  it('defaults to the spec\'s decode section: max_len tokens, greedy (temperature 0)', async () => {
    const base = { checkpoint: path.join(root, 'lm'), loadModule: lmLoader, prefix: 'one hundred' };
    const byDefault = await runSample({ ...base, seed: 1 });
    expect(byDefault.continuation).toHaveLength(8); // the LM spec's decode.max_len, char tokens
    expect(byDefault.text).toBe((await runSample({ ...base, length: 8, temperature: 0, seed: 2 })).text);
  });

  it('draws in proportion to softmax(logp / T), never <pad> or <bos>', () => {
    const logp = Float32Array.from([0, 0, Math.log(0.5), Math.log(0.25), Math.log(0.25)]);
    let x = 0;
    const rand = () => ((x = (x * 69069 + 1) % 2 ** 32) / 2 ** 32);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pickToken(logp, 1, rand, { pad: 0, bos: 1 })]!++;
    expect(counts[0]! + counts[1]!).toBe(0);
    expect(counts[2]! / 4000).toBeCloseTo(0.5, 1);
    expect(counts[3]! / 4000).toBeCloseTo(0.25, 1);
    expect(pickToken(logp, 0, rand, { pad: 0, bos: 1 })).toBe(2);
  });
});

describe('eval', () => {
  it('reports BLEU (corpus and d2l), loss and perplexity on the held-out split', async () => {
    const corpus = await runEval({ checkpoint: path.join(root, 's2s'), loadModule: s2sLoader, bleu: 'corpus' });
    expect(corpus.result.task).toBe('seq2seq');
    if (corpus.result.task !== 'seq2seq') return;
    expect(corpus.result.sentences).toBe(12);
    expect(corpus.result.bleu.method).toBe('corpus');
    expect(corpus.result.bleu.score).toBeGreaterThanOrEqual(0);
    expect(corpus.result.bleu.precisions).toHaveLength(4);
    expect(corpus.result.perplexity).toBeCloseTo(Math.exp(corpus.result.loss), 6);
    expect(corpus.origin).toMatch(/built-in/);
    const d2l = await runEval({ checkpoint: path.join(root, 's2s'), loadModule: s2sLoader, bleu: 'd2l' });
    if (d2l.result.task !== 'seq2seq') return;
    expect(d2l.result.bleu.score).toBeGreaterThanOrEqual(0);
    expect(d2l.result.bleu.score).toBeLessThanOrEqual(1);
    expect(d2l.result.loss).toBe(corpus.result.loss);
  });

  it('reports perplexity for a language model', async () => {
    const before = tf.memory().numTensors;
    const out = await runEval({ checkpoint: path.join(root, 'lm'), loadModule: lmLoader, bleu: 'corpus' });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.result.task).toBe('language-model');
    expect(out.result.perplexity).toBeGreaterThan(1);
    expect(out.result.perplexity).toBeLessThan(40); // trained below the uniform 1/V
  });
});

describe('forward and decode from a weights file and IN.json', () => {
  const config = { vocab: { source: 9, target: 7 }, seed: 4 };
  let weights = '';
  let inputFile = '';
  beforeAll(() => {
    const m = new FakeSeq2Seq(config);
    weights = path.join(root, 'w.safetensors');
    writeSafetensors(weights, m.exportTensors());
    m.dispose();
    inputFile = path.join(root, 'in.json');
    fs.writeFileSync(inputFile, JSON.stringify({
      vocab: { source: 9, target: 7 }, pad: 0, bos: 2, eos: 3,
      src: [[4, 5, 6], [7, 8, 0]], src_len: [3, 2], tgt_in: [[2, 4], [2, 5]],
    }));
  });
  const opts = () => ({ specPath: 's.yaml', weights, input: inputFile, loadModule: s2sLoader });

  it('forward gives [B][T][V] logits equal to the module run directly', async () => {
    const { logits } = await runForward(opts());
    expect([logits.length, logits[0]!.length, logits[0]![0]!.length]).toEqual([2, 2, 7]);
    const m = new FakeSeq2Seq(config);
    const batch = {
      src: tf.tensor2d([[4, 5, 6], [7, 8, 0]], undefined, 'int32'), srcLen: tf.tensor1d([3, 2], 'int32'),
      tgtIn: tf.tensor2d([[2, 4], [2, 5]], undefined, 'int32'), tgtOut: tf.tensor2d([[2, 4], [2, 5]], undefined, 'int32'),
      tgtLen: tf.tensor1d([2, 2], 'int32'),
    };
    const direct = m.forward(batch, false);
    expect(logits).toEqual(direct.arraySync());
    tf.dispose([direct, ...Object.values(batch)]);
    m.dispose();
  });

  it('decode gives per-sentence n-best lists of {tokens, score, logp}', async () => {
    const before = tf.memory().numTensors;
    const { results } = await runDecode({ ...opts(), flags: { strategy: 'greedy', maxLen: 4 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(results).toHaveLength(2);
    for (const list of results) {
      expect(list).toHaveLength(1);
      const h = list[0]!;
      expect(Object.keys(h).sort()).toEqual(['logp', 'score', 'tokens']);
      expect(h.tokens.length).toBeGreaterThan(0);
      expect(h.tokens.length).toBeLessThanOrEqual(4);
      expect(h.tokens).not.toContain(0);
      expect(h.tokens).not.toContain(2);
    }
  });

  it('turns bad inputs and weights into UserErrors naming the file', async () => {
    fs.writeFileSync(path.join(root, 'bad.json'), JSON.stringify({ vocab: { source: 9, target: 7 }, pad: 0, bos: 2, eos: 3, src: [[4, 9]], src_len: [2], tgt_in: [[2]] }));
    await expect(runForward({ ...opts(), input: path.join(root, 'bad.json') })).rejects.toThrow(/bad\.json: src\[0\]\[1\]: id 9 is out of range/);
    await expect(runForward({ ...opts(), input: path.join(root, 'missing.json') })).rejects.toThrow(/missing\.json: no such input file/);
    fs.writeFileSync(path.join(root, 'wrong-v.json'), JSON.stringify({ vocab: { source: 9, target: 8 }, pad: 0, bos: 2, eos: 3, src: [[4]], src_len: [1], tgt_in: [[2]] }));
    await expect(runForward({ ...opts(), input: path.join(root, 'wrong-v.json') })).rejects.toThrow(/w\.safetensors: weights: tgt_emb\.weight has shape \[7,8\], expected \[8,8\]/);
  });
});

describe('forward for a language model', () => {
  it('gives [B][T][V] logits from IN.json tokens', async () => {
    const m = new FakeLmClass({ vocab: { tokens: 6 }, seed: 1 });
    const weights = path.join(root, 'lm.safetensors');
    writeSafetensors(weights, m.exportTensors());
    m.dispose();
    const input = path.join(root, 'lm-in.json');
    fs.writeFileSync(input, JSON.stringify({ vocab: { tokens: 6 }, tokens: [[4, 5, 4], [5, 5, 1]] }));
    const before = tf.memory().numTensors;
    const { logits } = await runForward({ specPath: 'l.yaml', weights, input, loadModule: lmLoader });
    expect(tf.memory().numTensors).toBe(before);
    expect([logits.length, logits[0]!.length, logits[0]![0]!.length]).toEqual([2, 3, 6]);
    await expect(runDecode({ specPath: 'l.yaml', weights, input, loadModule: lmLoader, flags: {} }))
      .rejects.toThrow(/decode searches seq2seq models; for a language model use `seqloom sample`/);
  });
});
