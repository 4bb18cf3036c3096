/** Seeded RNG, PyTorch-like initialization, dropout: same seed → identical results. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createDenseParams, createEmbeddingParams, createOptimizer, createRecurrentParams, createRng, disposeParams, dropout,
  runRecurrent, trainStep, type RecurrentConfig,
} from '../../../src/runtime/nn/index.js';
import { TinySeq2Seq } from './helpers/seq2seq-model.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('createRng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const draw = (seed: number) => { const r = createRng(seed); return Array.from({ length: 8 }, () => r.next()); };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(1));
  });

  it('draws uniforms, integers and normals with the right ranges and moments', () => {
    const r = createRng(42);
    const n = 20000;
    const u = r.uniformArray(n, -2, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(u.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0.5, 1);
    const z = r.normalArray(n);
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('shuffles into a deterministic permutation; forks are reproducible and independent', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = createRng(3).shuffle([...items]);
    expect(a).toEqual(createRng(3).shuffle([...items]));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    const f1 = createRng(5).fork();
    const f2 = createRng(5).fork();
    expect(f1.next()).toBe(f2.next());
    expect(createRng(5).fork().next()).not.toBe(createRng(5).next());
  });
});

describe('initialization (PyTorch defaults)', () => {
  const cfg: RecurrentConfig = { cell: 'gru', inputSize: 7, hidden: 16, layers: 2, dropout: 0, bidirectional: true, nonlinearity: 'tanh' };

  it('is identical for the same seed', () => {
    const a = createRecurrentParams(cfg, createRng(11));
    const b = createRecurrentParams(cfg, createRng(11));
    const c = createRecurrentParams(cfg, createRng(12));
    for (const name of Object.keys(a)) expect(Array.from(a[name]!.dataSync())).toEqual(Array.from(b[name]!.dataSync()));
    expect(Array.from(a.weight_ih_l0!.dataSync())).not.toEqual(Array.from(c.weight_ih_l0!.dataSync()));
    disposeParams(a, b, c);
  });

  it('draws recurrent weights from U(-1/√H, 1/√H), embeddings from N(0,1), dense from U(-1/√In, 1/√In)', () => {
    const rnn = createRecurrentParams(cfg, createRng(1));
    expect(Object.keys(rnn)).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    expect(rnn.weight_ih_l0!.shape).toEqual([7, 48]);
    expect(rnn.weight_ih_l1!.shape).toEqual([32, 48]);
    expect(rnn.weight_hh_l1_reverse!.shape).toEqual([16, 48]);
    const all = Object.values(rnn).flatMap((v) => Array.from(v.dataSync()));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.24);
    const emb = createEmbeddingParams(200, 32, createRng(2)).weight!;
    const e = Array.from(emb.dataSync());
    const std = Math.sqrt(e.reduce((a, b) => a + b * b, 0) / e.length);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const d = createDenseParams(25, 10, createRng(3));
    expect(d.weight!.shape).toEqual([25, 10]);
    expect(Math.max(...Array.from(d.weight!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(0.2);
    disposeParams(rnn, { w: emb }, d);
  });
});

describe('dropout', () => {
  it('is the identity outside training, and a seeded inverted-dropout mask in training', () => {
    const x = tf.ones([100, 50]);
    const evalOut = dropout(x, 0.3, false, createRng(1));
    expect(Array.from(evalOut.dataSync()).every((v) => v === 1)).toBe(true);
    const a = dropout(x, 0.3, true, createRng(1)).dataSync();
    const b = dropout(x, 0.3, true, createRng(1)).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const zeros = Array.from(a).filter((v) => v === 0).length / a.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.03);
    expect(Array.from(a).filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(() => dropout(x, 0.3, true)).toThrow(/Rng/);
    tf.dispose([x, evalOut]);
  });

  it('acts between recurrent layers only in training, never after the last layer', () => {
    const x = tf.tidy(() => tf.tensor3d(createRng(9).normalArray(2 * 4 * 3), [2, 4, 3]));
    const run = (layers: number, training: boolean, seed: number) => {
      const cfg: RecurrentConfig = { cell: 'lstm', inputSize: 3, hidden: 5, layers, dropout: 0.5, bidirectional: false, nonlinearity: 'tanh' };
      const params = createRecurrentParams(cfg, createRng(4));
      const { output, state } = runRecurrent(cfg, params, x, { training, rng: createRng(seed) });
      const values = Array.from(output.dataSync());
      tf.dispose([output, state.h, state.c!]);
      disposeParams(params);
      return values;
    };
    expect(run(2, true, 1)).toEqual(run(2, true, 1));   // same seed, same masks
    expect(run(2, true, 1)).not.toEqual(run(2, true, 2));
    expect(run(2, true, 1)).not.toEqual(run(2, false, 1));
    expect(run(2, false, 1)).toEqual(run(2, false, 2));  // eval: no randomness
    expect(run(1, true, 1)).toEqual(run(1, false, 1));   // one layer: nothing between layers
    x.dispose();
  });

  it('makes whole training runs reproducible: same seed → identical losses', () => {
    const sizes = { cell: 'gru' as const, context: true, srcVocab: 9, tgtVocab: 8, embed: 4, hidden: 6, layers: 2, dropout: 0.2 };
    const runTraining = (seed: number) => {
      const model = new TinySeq2Seq(sizes, createRng(seed));
      const batch = tf.tidy(() => ({
        src: tf.tensor2d([[4, 5, 3, 0], [6, 7, 8, 3]], undefined, 'int32'), srcLen: tf.tensor1d([3, 4], 'int32'),
        tgtIn: tf.tensor2d([[2, 4, 5], [2, 6, 7]], undefined, 'int32'), tgtOut: tf.tensor2d([[4, 5, 3], [6, 7, 3]], undefined, 'int32'),
        tgtLen: tf.tensor1d([3, 2], 'int32'),
      }));
      const opt = createOptimizer({ name: 'adam', lr: 0.01 });
      const losses = [0, 1, 2].map(() => trainStep(() => model.loss(batch, true).mean, model.variables(), opt, 1).loss);
      opt.dispose();
      tf.dispose(Object.values(batch));
      model.dispose();
      return losses;
    };
    expect(runTraining(5)).toEqual(runTraining(5));
    expect(runTraining(5)).not.toEqual(runTraining(6));
  });
});
