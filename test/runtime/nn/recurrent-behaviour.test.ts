/**
 * Properties of the recurrent runtime that need no reference: padding never changes a result,
 * step-by-step equals whole-sequence, state helpers, and no tensor leaks across repeated runs.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createRecurrentParams, createRng, disposeParams, disposeRecurrentState, recurrentStep, runRecurrent, selectRecurrentState,
  stateTop, zeroState,
  type CellKind, type RecurrentConfig, type RecurrentState,
} from '../../../src/runtime/nn/index.js';

const CELLS: Array<[CellKind, 'tanh' | 'relu']> = [['rnn', 'tanh'], ['rnn', 'relu'], ['gru', 'tanh'], ['lstm', 'tanh']];

function config(cell: CellKind, nonlinearity: 'tanh' | 'relu', layers: number, bidirectional: boolean): RecurrentConfig {
  return { cell, nonlinearity, inputSize: 3, hidden: 4, layers, dropout: 0, bidirectional };
}

const values = (obj: { h: tf.Tensor; c?: tf.Tensor }) => [...obj.h.dataSync(), ...(obj.c?.dataSync() ?? [])];

describe.each(['cpu', 'wasm'] as const)('recurrent behaviour on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(CELLS)('%s (%s): padding content and padded length never change states or valid outputs', (cell, nl) => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(),
      (lengths, extraPad, seed, bidirectional) => {
        const cfg = config(cell, nl, 2, bidirectional);
        const params = createRecurrentParams(cfg, createRng(seed));
        const rng = createRng(seed + 1);
        const batch = lengths.length;
        const steps = Math.max(...lengths);
        const x = Array.from({ length: batch * steps * 3 }, () => rng.normal());
        tf.tidy(() => {
          const lens = tf.tensor1d(lengths, 'int32');
          const base = runRecurrent(cfg, params, tf.tensor3d(x, [batch, steps, 3]), { lengths: lens });
          // Same data, garbage in the padding, and `extraPad` more padded steps.
          const noisy = tf.tensor3d(Array.from({ length: batch * (steps + extraPad) * 3 }, (_, i) => {
            const [b, t, f] = [Math.floor(i / ((steps + extraPad) * 3)), Math.floor(i / 3) % (steps + extraPad), i % 3];
            return t < lengths[b]! ? x[(b * steps + t) * 3 + f]! : 100 * rng.normal();
          }), [batch, steps + extraPad, 3]);
          const padded = runRecurrent(cfg, params, noisy, { lengths: lens });
          expect(values(padded.state)).toEqual(values(base.state));
          const valid = (o: tf.Tensor3D) => lengths.flatMap((n, b) => Array.from(o.slice([b, 0, 0], [1, n, -1]).dataSync()));
          expect(valid(padded.output)).toEqual(valid(base.output));
          // Each sequence alone, unpadded, ends in the same state.
          lengths.forEach((n, b) => {
            const alone = runRecurrent(cfg, params, tf.tensor3d(x.slice(b * steps * 3, (b * steps + n) * 3), [1, n, 3]));
            const rows = (s: tf.Tensor3D) => Array.from(s.slice([0, b, 0], [-1, 1, -1]).dataSync());
            const close = (p: number[], q: number[]) => p.every((v, i) => Math.abs(v - q[i]!) < 1e-5);
            expect(close(Array.from(alone.state.h.dataSync()), rows(base.state.h))).toBe(true);
            if (cell === 'lstm') expect(close(Array.from(alone.state.c!.dataSync()), rows(base.state.c!))).toBe(true);
          });
        });
        disposeParams(params);
      }), { numRuns: 8, seed: 17 });
  });

  it.each(CELLS)('%s (%s): recurrentStep, step by step, equals runRecurrent over the sequence', (cell, nl) => {
    const cfg = config(cell, nl, 3, false);
    const params = createRecurrentParams(cfg, createRng(5));
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor3d(createRng(6).normalArray(2 * 4 * 3), [2, 4, 3]);
      const init: RecurrentState = tf.tidy(() => {
        const z = zeroState(cfg, 2);
        const h = z.h.add(0.3) as tf.Tensor3D;
        return cell === 'lstm' ? { h, c: z.c!.sub(0.2) as tf.Tensor3D } : { h };
      });
      const whole = runRecurrent(cfg, params, x, { init });
      let state = init;
      const outputs: tf.Tensor2D[] = [];
      for (let t = 0; t < 4; t++) {
        const step = recurrentStep(cfg, params, x.slice([0, t, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D, state);
        outputs.push(step.output);
        state = step.state;
      }
      const close = (a: tf.Tensor, b: tf.Tensor) => expect(tf.max(tf.abs(a.sub(b))).dataSync()[0]).toBeLessThan(1e-6);
      close(tf.stack(outputs, 1), whole.output);
      close(state.h, whole.state.h);
      if (cell === 'lstm') close(state.c!, whole.state.c!);
      close(stateTop(whole.state), outputs[3]!);
    });
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
  });

  it.each(CELLS)('%s (%s): gradients through recurrentStep equal those of runRecurrent (torch-checked)', (cell, nl) => {
    const cfg = config(cell, nl, 2, false);
    const params = createRecurrentParams(cfg, createRng(8));
    tf.tidy(() => {
      const x = tf.tensor3d(createRng(9).normalArray(3 * 4 * 3), [3, 4, 3]);
      const r = tf.tensor3d(createRng(10).normalArray(3 * 4 * 4), [3, 4, 4]);
      const names = Object.keys(params);
      const vars = names.map((n) => params[n]!);
      const whole = tf.grads(() => tf.sum(runRecurrent(cfg, params, x).output.mul(r)) as tf.Scalar)(vars);
      const stepped = tf.grads(() => {
        let state = zeroState(cfg, 3);
        const outs: tf.Tensor2D[] = [];
        for (let t = 0; t < 4; t++) {
          const step = recurrentStep(cfg, params, x.slice([0, t, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D, state);
          outs.push(step.output);
          state = step.state;
        }
        return tf.sum(tf.stack(outs, 1).mul(r)) as tf.Scalar;
      })(vars);
      names.forEach((n, i) => expect(tf.max(tf.abs(whole[i]!.sub(stepped[i]!))).dataSync()[0], n).toBeLessThan(1e-5));
    });
    disposeParams(params);
  });

  it('keeps the tensor count flat across repeated runs, steps and gradients', () => {
    const cfg = config('lstm', 'tanh', 2, true);
    const params = createRecurrentParams(cfg, createRng(1));
    const x = tf.ones([2, 3, 3]) as tf.Tensor3D;
    const lengths = tf.tensor1d([3, 1], 'int32');
    const once = () => {
      const r = runRecurrent(cfg, params, x, { lengths, training: true, rng: createRng(2) });
      r.output.dispose();
      disposeRecurrentState(r.state);
      const g = tf.grads((xx: tf.Tensor) => tf.sum(runRecurrent(cfg, params, xx as tf.Tensor3D, { lengths }).output))([x]);
      tf.dispose(g);
    };
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, lengths]);
    disposeParams(params);
  });
});

describe('state helpers', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('zeroState has [L·dirs, B, H] and c only for lstm', () => {
    const lstm = zeroState(config('lstm', 'tanh', 2, true), 5);
    expect(lstm.h.shape).toEqual([4, 5, 4]);
    expect(lstm.c!.shape).toEqual([4, 5, 4]);
    const gru = zeroState(config('gru', 'tanh', 3, false), 1);
    expect(gru.h.shape).toEqual([3, 1, 4]);
    expect(gru.c).toBeUndefined();
    disposeRecurrentState(lstm);
    disposeRecurrentState(gru);
  });

  it('stateTop takes the top layer; bidirectional concatenates forward then backward', () => {
    const h = tf.tensor3d(Array.from({ length: 4 * 2 * 3 }, (_, i) => i), [4, 2, 3]);
    expect(stateTop({ h }).arraySync()).toEqual([[18, 19, 20], [21, 22, 23]]);
    expect(stateTop({ h }, true).arraySync()).toEqual([[12, 13, 14, 18, 19, 20], [15, 16, 17, 21, 22, 23]]);
    h.dispose();
  });

  it('selectRecurrentState picks (and repeats) batch rows of h and c', () => tf.tidy(() => {
    const h = tf.tensor3d(Array.from({ length: 2 * 3 * 2 }, (_, i) => i), [2, 3, 2]);
    const c = h.neg() as tf.Tensor3D;
    const picked = selectRecurrentState({ h, c }, tf.tensor1d([2, 2, 0], 'int32'));
    expect(picked.h.arraySync()).toEqual([[[4, 5], [4, 5], [0, 1]], [[10, 11], [10, 11], [6, 7]]]);
    expect(picked.c!.arraySync()).toEqual(picked.h.neg().arraySync());
    expect(selectRecurrentState({ h }, tf.tensor1d([1], 'int32')).c).toBeUndefined();
  }));

  it('rejects states of the wrong shape and bidirectional single steps with a clear message', () => {
    const cfg = config('lstm', 'tanh', 2, false);
    const params = createRecurrentParams(cfg, createRng(1));
    const x = tf.zeros([3, 2, 3]) as tf.Tensor3D;
    const bad = { h: tf.zeros([1, 3, 4]) as tf.Tensor3D, c: tf.zeros([2, 3, 4]) as tf.Tensor3D };
    expect(() => runRecurrent(cfg, params, x, { init: bad })).toThrow(/state h has shape \[1,3,4\], expected \[2,3,4\]/);
    expect(() => runRecurrent(cfg, params, x, { init: { h: bad.c } })).toThrow(/lstm state c is missing/);
    expect(() => runRecurrent(cfg, params, tf.zeros([3, 2, 5]) as tf.Tensor3D)).toThrow(/input width 5, expected 3/);
    const bi = config('gru', 'tanh', 1, true);
    const biParams = createRecurrentParams(bi, createRng(1));
    expect(() => recurrentStep(bi, biParams, tf.zeros([3, 3]) as tf.Tensor2D, zeroState(bi, 3))).toThrow(/bidirectional/);
    expect(() => runRecurrent({ ...cfg, dropout: 0.5 }, params, x, { training: true })).toThrow(/rng/);
    tf.disposeVariables();
  });
});
