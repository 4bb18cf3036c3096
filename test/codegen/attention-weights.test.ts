/**
 * Attention weights out of decoding (`SearchOptions.attention`): for generated modules with attention
 * over the source (Bahdanau: in a `.prev` loop; Luong: after the decoder), greedy, beam and
 * exhaustive search return per hypothesis one row per generated token over the sentence's valid
 * source positions. Rows sum to 1, padding gets exactly 0 (decodeStep), every row equals the
 * teacher-forced weights of the same tokens (`attentionWeights`), and they do not depend on which
 * sentences share the batch. Without the option nothing changes: same hypotheses, no weights.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/runtime/backend/index.js';
import { createOptimizer } from '../../src/runtime/nn/index.js';
import type { Hypothesis, Seq2SeqBatch } from '../../src/runtime/module.js';
import { REPO, TEST_SPECS, disposeBatch, seq2seqModule, tinyBatch, type GeneratedSeq2Seq } from './helpers.js';

const VOCAB = { source: 12, target: 12 };
const SPECIALS = { bos: 2, eos: 3, pad: 0 };
const SRC_LEN = [4, 2, 5];

const CASES = (['cpu', 'wasm'] as const).flatMap((backend) => (['bahdanau', 'bidirectional-luong'] as const).map((spec) => [spec, backend] as const));

describe.each(CASES)('attention weights out of decoding: %s (%s)', (spec, backend) => {
  let module: GeneratedSeq2Seq;
  let batch: Seq2SeqBatch;

  beforeAll(async () => {
    await useBackend(backend);
    module = await seq2seqModule(path.join(TEST_SPECS, `${spec}.yaml`), VOCAB, 5);
    batch = tinyBatch();
    // A few steps of training make the weights peaked, so a row given to the wrong hypothesis shows.
    const optimizer = createOptimizer({ name: 'adam', lr: 0.05 });
    for (let i = 0; i < 15; i++) module.trainStep(batch, optimizer, 1);
    optimizer.dispose();
  });

  afterAll(() => {
    disposeBatch(batch);
    module.dispose();
  });

  it('names its attention node; decodeStep returns the weights only when asked, zero on padding', () => {
    expect(module.attentionNode).toBe('attn');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const state = module.initDecoderState(module.encode(batch.src, batch.srcLen, false), batch.srcLen);
      const tokens = tf.tensor1d([2, 2, 2], 'int32');
      expect(module.decodeStep(tokens, state).attention).toBeUndefined();
      const w = module.decodeStep(tokens, state, { attention: true }).attention!;
      expect(w.shape).toEqual([3, 5]);
      const rows = w.arraySync();
      rows.forEach((row, b) => {
        expect(sum(row.slice(0, SRC_LEN[b]))).toBeCloseTo(1, 5);
        expect(row.slice(SRC_LEN[b])).toEqual(row.slice(SRC_LEN[b]).map(() => 0));
      });
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('greedy and beam: one row per token over the valid source, summing to 1, as teacher-forced', () => {
    const opts = { ...SPECIALS, maxLen: 6 };
    const before = tf.memory().numTensors;
    const greedy = module.greedy(batch.src, batch.srcLen, { ...opts, attention: true });
    const beam = module.beam(batch.src, batch.srcLen, { ...opts, beamSize: 3, nBest: 3, attention: true });
    expect(tf.memory().numTensors).toBe(before);
    for (const [s, list] of [...greedy.entries(), ...beam.entries()]) {
      for (const h of list) {
        const rows = h.attention!;
        expect(rows).toHaveLength(h.tokens.length);
        for (const row of rows) {
          expect(row).toHaveLength(SRC_LEN[s]!);
          expect(sum(row)).toBeCloseTo(1, 5);
        }
        expectClose(rows, teacherForced(module, batch, s, h), 2e-5);
      }
    }
    // The rows are informative: not all the same (so a row handed to the wrong hypothesis shows).
    const all = beam.flatMap((l) => l.flatMap((h) => h.attention!.map((r) => r[0]!)));
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(0.05);
  });

  it('does not change the hypotheses, and leaves them without weights unless asked', () => {
    const opts = { ...SPECIALS, maxLen: 6, beamSize: 3, nBest: 2 };
    const plain = module.beam(batch.src, batch.srcLen, opts);
    const withWeights = module.beam(batch.src, batch.srcLen, { ...opts, attention: true });
    expect(plain.flat().every((h) => h.attention === undefined)).toBe(true);
    expect(withWeights.map((l) => l.map(({ tokens, score }) => ({ tokens, score })))).toEqual(plain.map((l) => l.map(({ tokens, score }) => ({ tokens, score }))));
  });

  it('does not depend on the batch: each sentence alone gives the same rows', () => {
    const opts = { ...SPECIALS, maxLen: 6, beamSize: 2, nBest: 2, attention: true };
    const together = module.beam(batch.src, batch.srcLen, opts);
    for (let s = 0; s < 3; s++) {
      const alone = tf.tidy(() => ({
        src: batch.src.slice([s, 0], [1, SRC_LEN[s]!]) as tf.Tensor2D, srcLen: batch.srcLen.slice([s], [1]) as tf.Tensor1D,
      }));
      const [list] = module.beam(alone.src, alone.srcLen, opts);
      tf.dispose([alone.src, alone.srcLen]);
      expect(list!.map((h) => h.tokens)).toEqual(together[s]!.map((h) => h.tokens));
      list!.forEach((h, i) => expectClose(h.attention!, together[s]![i]!.attention!, 1e-5));
    }
  });

  it('exhaustive search returns them too', () => {
    const opts = { ...SPECIALS, maxLen: 3, nBest: 2, attention: true };
    const list = module.exhaustive(batch.src, batch.srcLen, opts);
    const beam = module.beam(batch.src, batch.srcLen, { ...opts, beamSize: 12 });
    list.forEach((l, s) => l.forEach((h, i) => {
      expect(h.tokens).toEqual(beam[s]![i]!.tokens);
      expectClose(h.attention!, beam[s]![i]!.attention!, 1e-6);
    }));
  });
});

describe('a module without attention', () => {
  it('refuses to return weights, with a clear error', async () => {
    await useBackend('cpu');
    const module = await seq2seqModule(path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), VOCAB, 1);
    const batch = tinyBatch();
    expect(module.attentionNode).toBeUndefined();
    expect(() => module.greedy(batch.src, batch.srcLen, { ...SPECIALS, maxLen: 3, attention: true }))
      .toThrow(/attention weights were asked for, but this model returns none/);
    disposeBatch(batch);
    module.dispose();
  });
});

/** The teacher-forced weights of hypothesis `h` of sentence `s`: [bos, tokens[:-1]] fed alone. */
function teacherForced(module: GeneratedSeq2Seq, batch: Seq2SeqBatch, s: number, h: Hypothesis): number[][] {
  return tf.tidy(() => {
    const len = SRC_LEN[s]!;
    const tgtIn = [SPECIALS.bos, ...h.tokens.slice(0, -1)];
    const one: Seq2SeqBatch = {
      src: batch.src.slice([s, 0], [1, len]) as tf.Tensor2D,
      srcLen: tf.tensor1d([len], 'int32'),
      tgtIn: tf.tensor2d([tgtIn], undefined, 'int32'),
      tgtOut: tf.tensor2d([h.tokens], undefined, 'int32'),
      tgtLen: tf.tensor1d([h.tokens.length], 'int32'),
    };
    return (module.attentionWeights!(one).arraySync() as number[][][])[0]!;
  });
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function expectClose(got: readonly (readonly number[])[], want: readonly (readonly number[])[], tol: number): void {
  expect(got.map((r) => r.length)).toEqual(want.map((r) => r.length));
  let worst = 0;
  got.forEach((row, t) => row.forEach((x, j) => { worst = Math.max(worst, Math.abs(x - want[t]![j]!)); }));
  expect(worst).toBeLessThanOrEqual(tol);
}
