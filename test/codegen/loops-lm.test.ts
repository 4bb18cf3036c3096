/**
 * The parts of generated code beyond a plain encoder-decoder: a decoder loop closed by `.prev`
 * (Bahdanau attention: forward runs the loop per step, everything else batched), scheduled
 * sampling (`teacher_forcing` < 1), a language model with carried state, and specs whose names
 * collide with the generator's own identifiers. Each runs through src/compile, as commands do.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFromSpec } from '../../codegen/index.js';
import { loadGeneratedModuleForSpec } from '../../src/compile/index.js';
import { useBackend } from '../../src/runtime/backend/index.js';
import type { LanguageModelModule } from '../../src/runtime/module.js';
import { createOptimizer } from '../../src/runtime/nn/index.js';
import { loadSpecText } from '../../src/spec/index.js';
import { REPO, TEST_SPECS, disposeBatch, languageModel, maxAbsDiff, seq2seqModule, tinyBatch, tinyLmBatch, type GeneratedSeq2Seq } from './helpers.js';

const VOCAB = { source: 12, target: 12 };
const SEARCH = { bos: 2, eos: 3, pad: 0, maxLen: 4 };

beforeAll(async () => {
  await useBackend('cpu');
});

describe.each([
  ['d2l attention example', path.join(REPO, 'models/d2l-seq2seq-attention.yaml')],
  ['hostile names', path.join(TEST_SPECS, 'hostile-seq2seq.yaml')],
])('a decoder loop closed by .prev (%s)', (_, spec) => {
  it('forward runs the loop per step and equals the decoding path; search and training work', async () => {
    const m = await seq2seqModule(spec, VOCAB, 5);
    const batch = tinyBatch();
    tf.tidy(() => {
      expect(maxAbsDiff(m.forward(batch, false), m.forwardStepwise(batch, false))).toBeLessThan(1e-5);
    });
    const before = tf.memory().numTensors;
    const greedy = m.greedy(batch.src, batch.srcLen, SEARCH);
    const beam1 = m.beam(batch.src, batch.srcLen, { ...SEARCH, beamSize: 1 });
    expect(beam1.map((n) => n[0]!.tokens)).toEqual(greedy.map((n) => n[0]!.tokens));
    // A beam as wide as every candidate finds the exhaustive optimum.
    const small = { ...SEARCH, maxLen: 2, lengthPenalty: 0 };
    const exhaustive = m.exhaustive(batch.src, batch.srcLen, small);
    const wide = m.beam(batch.src, batch.srcLen, { ...small, beamSize: 144 });
    expect(wide.map((n) => n[0]!.tokens)).toEqual(exhaustive.map((n) => n[0]!.tokens));
    expect(tf.memory().numTensors).toBe(before);
    const optimizer = createOptimizer({ name: 'adam', lr: 0.02 });
    const first = m.trainStep(batch, optimizer, 1);
    let last = first;
    for (let i = 0; i < 20; i++) last = m.trainStep(batch, optimizer, 1);
    expect(last.loss).toBeLessThan(first.loss * 0.7);
    optimizer.dispose();
    disposeBatch(batch);
    m.dispose();
  });

  it('hoists the attention key projection out of the loop', () => {
    const text = generateFromSpec(loadSpecText(readFileSync(spec, 'utf8'), spec).value!, 'x.yaml').value!.text;
    // The teacher-forced body: `features` (the output layer is applied by forward and by the loss).
    const forward = text.slice(text.indexOf('  private features('), text.indexOf('  forwardStepwise('));
    expect(forward.indexOf('projectAttentionKeys(')).toBeGreaterThan(0);
    expect(forward.indexOf('projectAttentionKeys(')).toBeLessThan(forward.indexOf('for (let t = 0;'));
  });
});

describe('a bidirectional encoder and attention over the whole decoder output (no loop)', () => {
  it('agrees with the decoding path, searches and trains', async () => {
    const m = await seq2seqModule(path.join(TEST_SPECS, 'bidirectional-luong.yaml'), VOCAB, 4);
    const batch = tinyBatch();
    tf.tidy(() => {
      expect(maxAbsDiff(m.forward(batch, false), m.forwardStepwise(batch, false))).toBeLessThan(1e-5);
      // Padding never changes a result: a longer pad tail gives the same logits.
      const padded = { ...batch, src: tf.pad(batch.src, [[0, 0], [0, 3]]) as tf.Tensor2D };
      expect(maxAbsDiff(m.forward(padded, false), m.forward(batch, false))).toBeLessThan(1e-5);
    });
    const before = tf.memory().numTensors;
    const beam = m.beam(batch.src, batch.srcLen, { ...SEARCH, beamSize: 3, nBest: 2 });
    expect(beam.map((n) => n.length)).toEqual([2, 2, 2]);
    expect(tf.memory().numTensors).toBe(before);
    const optimizer = createOptimizer({ name: 'adam', lr: 0.02 });
    const first = m.trainStep(batch, optimizer, 1);
    let last = first;
    for (let i = 0; i < 20; i++) last = m.trainStep(batch, optimizer, 1);
    expect(last.loss).toBeLessThan(first.loss * 0.7);
    optimizer.dispose();
    disposeBatch(batch);
    m.dispose();
  });
});

describe('teacher_forcing below 1', () => {
  it('trains through the step path, mixing in its own predictions', async () => {
    const file = path.join(REPO, 'models/d2l-seq2seq-gru.yaml');
    const text = readFileSync(file, 'utf8').replace('teacher_forcing: 1.0', 'teacher_forcing: 0.5');
    const spec = loadSpecText(text, path.join(REPO, 'models/scheduled.yaml')).value!;
    expect(generateFromSpec(spec, 'scheduled.yaml').value!.text).toContain('this.forwardStepwise(batch, true, 0.5)');
    const { ModuleClass } = await loadGeneratedModuleForSpec(spec);
    const m = new ModuleClass({ vocab: VOCAB, seed: 1 }) as GeneratedSeq2Seq;
    const batch = tinyBatch();
    const optimizer = createOptimizer({ name: 'adam', lr: 0.02 });
    const first = m.trainStep(batch, optimizer, 1);
    const count = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 25; i++) last = m.trainStep(batch, optimizer, 1);
    expect(tf.memory().numTensors).toBe(count);
    expect(last.loss).toBeLessThan(first.loss * 0.7);
    // Evaluation stays teacher-forced: the batched forward.
    tf.tidy(() => {
      const loss = m.loss(batch, false).mean;
      const forced = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.tgtOut, 12), m.forward(batch, false)));
      expect(Number.isFinite(loss.dataSync()[0]!) && Number.isFinite(forced.dataSync()[0]!)).toBe(true);
    });
    optimizer.dispose();
    disposeBatch(batch);
    m.dispose();
  });
});

describe.each([
  ['timemachine example', path.join(REPO, 'models/timemachine-char-rnn.yaml')],
  ['hostile names', path.join(TEST_SPECS, 'hostile-lm.yaml')],
  ['LSTM with dropout', path.join(TEST_SPECS, 'char-lm.yaml')],
])('a language model (%s)', (_, spec) => {
  const V = 9;
  let m: LanguageModelModule;
  beforeAll(async () => {
    m = await languageModel(spec, V, 2);
  });

  it('carries state: two half batches equal one whole; decodeStep equals forward', () => {
    const whole = tinyLmBatch(V, 3, 8);
    tf.tidy(() => {
      const all = m.forward(whole.x, null, false);
      const [a, b] = tf.split(whole.x, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const first = m.forward(a, null, false);
      const second = m.forward(b, first.state, false);
      expect(maxAbsDiff(tf.concat([first.logits, second.logits], 1), all.logits)).toBeLessThan(1e-5);
      let state = m.initState(3);
      const expected = tf.logSoftmax(all.logits);
      (tf.unstack(whole.x, 1) as tf.Tensor1D[]).forEach((tokens, t) => {
        const step = m.decodeStep(tokens, state);
        state = step.state;
        expect(maxAbsDiff(step.logProbs, tf.squeeze(tf.slice(expected, [0, t, 0], [-1, 1, -1]), [1]))).toBeLessThan(1e-5);
      });
    });
    disposeBatch(whole);
  });

  it('trains with carried state; loss falls; tensors flat once states are disposed', () => {
    const optimizer = createOptimizer({ name: 'adam', lr: 0.02 });
    const batch = tinyLmBatch(V);
    let out = m.trainStep(batch, null, optimizer, 1);
    const first = out.loss;
    const count = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      const next = m.trainStep(batch, null, optimizer, 1);
      m.disposeState(out.state);
      out = next;
    }
    expect(tf.memory().numTensors).toBe(count);
    expect(out.loss).toBeLessThan(first * 0.8);
    expect(out.tokens).toBe(18);
    // carried: the returned state feeds the next batch.
    const carried = m.trainStep(batch, out.state, optimizer, 1);
    expect(Number.isFinite(carried.loss)).toBe(true);
    m.disposeState(out.state);
    m.disposeState(carried.state);
    optimizer.dispose();
    disposeBatch(batch);
  });
});
