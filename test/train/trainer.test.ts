import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/runtime/backend/index.js';
import { DivergenceError, trainLoop, type EpochSummary } from '../../src/train/trainer.js';
import { createProgressReporter } from '../../src/train/progress.js';
import { FakeLm, FakeSeq2Seq } from './fakes.js';
import { lmEpochData, makePairs, seq2seqEpochData } from './fake-data.js';

const V = 12;

beforeAll(async () => {
  await useBackend('cpu');
});

describe('trainLoop', () => {
  it('lowers the loss of a learnable seq2seq fake and reports each epoch', async () => {
    const module = new FakeSeq2Seq({ vocab: { source: V, target: V }, seed: 1 });
    const optimizer = tf.train.adam(0.05);
    const data = seq2seqEpochData(makePairs(64, V, 7), 16, 3);
    const seen: EpochSummary[] = [];
    const r = await trainLoop({
      module, optimizer, clipNorm: 1, data, startEpoch: 0, epochs: 8, startStep: 0,
      afterEpoch: (s) => { seen.push(s); },
    });
    expect(r.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen).toHaveLength(8);
    expect(r.step).toBe(8 * 4);
    // tokens per epoch: 64 pairs × 3 target tokens
    expect(r.epochs[0]!.tokens).toBe(64 * 3);
    expect(r.epochs[7]!.loss).toBeLessThan(r.epochs[0]!.loss * 0.6);
    expect(r.epochs[0]!.perplexity).toBeCloseTo(Math.exp(r.epochs[0]!.loss), 6);
    optimizer.dispose();
    module.dispose();
  });

  it('keeps the tensor count flat across epochs (seq2seq and carried LM state)', async () => {
    const s2s = new FakeSeq2Seq({ vocab: { source: V, target: V }, seed: 2 });
    const opt1 = tf.train.adam(0.01);
    const data = seq2seqEpochData(makePairs(32, V, 1), 8, 1);
    await trainLoop({ module: s2s, optimizer: opt1, clipNorm: null, data, startEpoch: 0, epochs: 1, startStep: 0 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await trainLoop({
      module: s2s, optimizer: opt1, clipNorm: 1, data, startEpoch: 1, epochs: 4, startStep: 4,
      afterEpoch: () => { counts.push(tf.memory().numTensors); },
    });
    expect(counts).toEqual([before, before, before]);

    const lm = new FakeLm({ vocab: { tokens: V }, seed: 3 });
    const opt2 = tf.train.sgd(0.5);
    const lmData = lmEpochData(V, 4, 5, 6);
    await trainLoop({ module: lm, optimizer: opt2, clipNorm: 1, data: lmData, startEpoch: 0, epochs: 1, startStep: 0, carryState: true });
    const lmBefore = tf.memory().numTensors;
    const lmCounts: number[] = [];
    const r = await trainLoop({
      module: lm, optimizer: opt2, clipNorm: 1, data: lmData, startEpoch: 1, epochs: 4, startStep: 6, carryState: true,
      afterEpoch: () => { lmCounts.push(tf.memory().numTensors); },
    });
    expect(lmCounts).toEqual([lmBefore, lmBefore, lmBefore]);
    expect(r.epochs[0]!.tokens).toBe(6 * 4 * 5);
    [opt1, opt2, s2s, lm].forEach((x) => x.dispose());
  });

  it('stops on a non-finite loss and names the step, epoch and batch', async () => {
    const module = new FakeSeq2Seq({ vocab: { source: V, target: V }, seed: 1 }, { nanAtStep: 6 });
    const optimizer = tf.train.adam(0.01);
    const data = seq2seqEpochData(makePairs(16, V, 7), 4, 3); // 4 batches per epoch
    const finished: number[] = [];
    const err = await trainLoop({
      module, optimizer, clipNorm: 1, data, startEpoch: 0, epochs: 5, startStep: 0,
      afterEpoch: (s) => { finished.push(s.epoch); },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect([d.step, d.epoch, d.batch]).toEqual([6, 2, 2]);
    expect(d.message).toMatch(/step 6 \(epoch 2, batch 2\).*NaN/);
    expect(finished).toEqual([1]); // epoch 2 never reached its checkpoint hook
    optimizer.dispose();
    module.dispose();
  });

  it('prints one plain line per epoch and a summary when stderr is not a terminal', async () => {
    const lines: string[] = [];
    const reporter = createProgressReporter({ write: (s: string) => lines.push(s), isTTY: false });
    const module = new FakeLm({ vocab: { tokens: V }, seed: 5 });
    const optimizer = tf.train.adam(0.05);
    const r = await trainLoop({
      module, optimizer, clipNorm: null, data: lmEpochData(V, 2, 4, 3), startEpoch: 0, epochs: 3, startStep: 0,
      observer: reporter,
    });
    reporter.summary(r);
    const text = lines.join('');
    expect(text).not.toMatch(/\x1b|\r/);
    const epochLines = text.split('\n').filter((l) => l.startsWith('epoch '));
    expect(epochLines).toHaveLength(3);
    expect(epochLines[0]).toMatch(/^epoch 1\/3: loss \d+\.\d{4}, perplexity \d+\.\d+, \d+ tokens\/s, [\d.]+s, ETA [\d.]+s$/);
    expect(epochLines[2]).not.toMatch(/ETA/);
    expect(text).toMatch(/trained 3 epoch\(s\) to epoch 3 in [\d.]+s: loss \d+\.\d{4}, perplexity \d+\.\d+, \d+ tokens\/s/);
    optimizer.dispose();
    module.dispose();
  });
});
