/**
 * The training session with a real generated module (src/compile): exact resume (2 + 1 epochs ==
 * 3 epochs, bit for bit) and a flat tensor count across epochs and decoding calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { runTraining } from '../../src/train/session.js';
import { createProgressReporter } from '../../src/train/progress.js';
import { runTranslate } from '../../src/train/run-inference.js';

const SPEC = `seqloom: 1
name: tiny-generated
task: seq2seq
data:
  format: tsv
  limit: 96
  preprocess: [lowercase]
  valid_fraction: 0
  source: { tokenizer: word, min_freq: 1, max_len: 6 }
  target: { tokenizer: word, min_freq: 1, max_len: 6 }
graph:
  src_emb: { op: embedding, input: source, dim: 6 }
  encoder: { op: recurrent, cell: lstm, input: src_emb, hidden: 6, layers: 2 }
  tgt_emb: { op: embedding, input: target, dim: 6 }
  context: { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in: { op: concat, inputs: [tgt_emb, context] }
  decoder: { op: recurrent, cell: lstm, input: dec_in, hidden: 6, layers: 2, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.01 }
  clip_norm: 1.0
  epochs: 3
  batch_size: 32
  seed: 5
decode:
  strategy: beam
  beam_size: 2
  max_len: 5
`;

let root = '';
const quiet = () => createProgressReporter({ write: () => true, isTTY: false });
const weights = (dir: string) => Object.fromEntries(Object.entries(readSafetensors(path.join(dir, 'model.safetensors')).tensors)
  .map(([k, t]) => [k, Array.from(t.data)]));

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-gen-'));
  fs.writeFileSync(path.join(root, 'tiny.yaml'), SPEC);
});
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

describe('training a generated module', () => {
  it('resumes exactly and leaks no tensors across epochs or decoding calls', async () => {
    const specPath = path.join(root, 'tiny.yaml');
    const straight = path.join(root, 'straight');
    const split = path.join(root, 'split');
    const counts: number[] = [];
    const reporter = quiet();
    await runTraining({
      specPath, out: straight, backend: 'cpu', checkpointEvery: 1,
      reporter: { ...reporter, note: () => {}, summary: () => {}, stop: () => {}, epochEnd: () => { counts.push(tf.memory().numTensors); } },
    });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);

    await runTraining({ specPath, out: split, backend: 'cpu', epochs: 2, reporter: quiet() });
    await runTraining({ specPath, out: split, backend: 'cpu', resume: true, reporter: quiet() });
    expect(weights(split)).toEqual(weights(straight));

    const before = tf.memory().numTensors;
    const a = await runTranslate({ checkpoint: straight, backend: 'cpu', flags: {}, sentences: ['three hundred', 'twelve'] });
    const b = await runTranslate({ checkpoint: straight, backend: 'cpu', flags: {}, sentences: ['twelve'] });
    expect(tf.memory().numTensors).toBe(before);
    expect(b.results[0]).toEqual(a.results[1]);
  });
});
