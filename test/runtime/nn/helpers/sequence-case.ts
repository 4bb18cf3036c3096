/**
 * One recurrence case for the kernel tests (fused vs op-by-op, SIMD vs JS): random inputs from a
 * seed, then runCellSequence's outputs, and the value and gradients of a weighted sum of them with
 * respect to every input of the op.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../../../src/runtime/nn/index.js';
import { GATES, type CellKind } from '../../../../src/runtime/nn/params.js';
import { runCellSequence, type SequenceSpec } from '../../../../src/runtime/nn/sequence.js';

export const CELLS: Array<[CellKind, 'tanh' | 'relu']> = [['rnn', 'tanh'], ['rnn', 'relu'], ['gru', 'tanh'], ['lstm', 'tanh']];

export interface SequenceCase { steps: number; batch: number; hidden: number; lengths: number[] | null; h0: boolean; c0: boolean; reverse: boolean; seed: number }

/**
 * [outputs, h, (c), loss value, ...gradients for projected, W_hh, (b_hh for GRU), (h0), (c0)] as
 * plain arrays. `whhScale` scales W_hh's N(0, 1) draw; `useOps` forces the op-by-op implementation.
 */
export function sequenceValuesAndGrads(
  cell: CellKind, nl: 'tanh' | 'relu', c: SequenceCase, opts: { whhScale: number; useOps?: boolean },
): number[][] {
  const rng = createRng(c.seed);
  const G = GATES[cell];
  const { steps: T, batch: B, hidden: H } = c;
  const rand = (n: number, scale = 1) => Array.from({ length: n }, () => scale * rng.normal());
  return tf.tidy(() => {
    const projected = tf.tensor2d(rand(T * B * G * H), [T * B, G * H]);
    const whh = tf.tensor2d(rand(H * G * H, opts.whhScale), [H, G * H]);
    const bhh = tf.tensor1d(rand(G * H));
    const h0 = c.h0 ? tf.tensor2d(rand(B * H), [B, H]) : null;
    const c0 = cell === 'lstm' && c.c0 ? tf.tensor2d(rand(B * H), [B, H]) : null;
    const lengths = c.lengths === null ? null : tf.tensor1d(c.lengths, 'int32');
    const spec: SequenceSpec = {
      cell, nonlinearity: nl, steps: T, batch: B, hidden: H, lengths, reverse: c.reverse, ...(opts.useOps ? { useOps: true } : {}),
    };
    // b_hh is an input of the op for GRU only (rnn and lstm fold it into the projection).
    const inputs = [projected, whh, ...(cell === 'gru' ? [bhh] : []), ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
    const weights = tf.tensor3d(rand(T * B * H), [T, B, H]);
    const wc = tf.tensor2d(rand(B * H), [B, H]);
    const loss = (...xs: tf.Tensor[]) => {
      const [p, w, ...rest] = xs;
      const b = cell === 'gru' ? rest.shift() as tf.Tensor1D : bhh;
      const r = runCellSequence(spec, p as tf.Tensor2D, w as tf.Tensor2D, b,
        h0 ? rest.shift() as tf.Tensor2D : null, c0 ? rest.shift() as tf.Tensor2D : null);
      const total = tf.sum(r.outputs.mul(weights)).add(tf.sum(r.h.mul(wc)));
      return r.c === null ? total : total.add(tf.sum(r.c.mul(wc.neg())));
    };
    const { value, grads } = tf.valueAndGrads(loss)(inputs);
    const r = runCellSequence(spec, projected, whh, bhh, h0, c0);
    const outs = [r.outputs, r.h, ...(r.c === null ? [] : [r.c])];
    return [...outs.map((o) => Array.from(o.dataSync())), Array.from(value.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
  });
}
