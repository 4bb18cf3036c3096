/**
 * runRecurrent with its input given as parts (sequences and `repeated` per-sentence vectors): the
 * outputs, final state and every gradient equal running on the explicit concatenation with the
 * vectors tiled over time — any part order, several of each kind, bidirectional, masked — and bad
 * parts are refused with a message. Tensor counts stay flat.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createRecurrentParams, createRng, disposeParams, repeated, repeatOverTime, runRecurrent,
  type CellKind, type RecurrentConfig, type RecurrentInputPart,
} from '../../../src/runtime/nn/index.js';

const B = 3, T = 5, H = 4;

/** Part layouts: widths, `r` = repeated vector, `s` = sequence. */
const LAYOUTS: Array<{ name: string; parts: Array<['s' | 'r', number]> }> = [
  { name: '[seq; rep] (d2l)', parts: [['s', 3], ['r', 2]] },
  { name: '[rep; seq]', parts: [['r', 2], ['s', 3]] },
  { name: '[seq; rep; seq; rep]', parts: [['s', 2], ['r', 1], ['s', 3], ['r', 2]] },
];

const CELLS: Array<[CellKind, boolean]> = [['rnn', false], ['gru', false], ['lstm', false], ['gru', true], ['lstm', true]];

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

describe.each(['cpu', 'wasm'] as const)('runRecurrent input parts on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(LAYOUTS.flatMap((l) => CELLS.map(([cell, bi]) => [l.name, cell, bi, l] as const)))(
    '%s, %s (bidirectional: %s): values and gradients equal the tiled concatenation',
    (_name, cell, bidirectional, layout) => {
      const inputSize = layout.parts.reduce((s, [, w]) => s + w, 0);
      const cfg: RecurrentConfig = { cell, inputSize, hidden: H, layers: 2, dropout: 0, bidirectional, nonlinearity: 'tanh' };
      const params = createRecurrentParams(cfg, createRng(7));
      const rng = createRng(11);
      const tensors = layout.parts.map(([kind, w]) => (kind === 's'
        ? tf.tensor3d(Array.from({ length: B * T * w }, () => rng.normal()), [B, T, w])
        : tf.tensor2d(Array.from({ length: B * w }, () => rng.normal()), [B, w])));
      const lengths = tf.tensor1d([5, 2, 4], 'int32');
      const before = tf.memory().numTensors;
      const run = (asParts: boolean) => (...xs: tf.Tensor[]): tf.Tensor => {
        const input = asParts
          ? xs.map((x, i): RecurrentInputPart => (layout.parts[i]![0] === 'r' ? repeated(x as tf.Tensor2D) : x as tf.Tensor3D))
          : tf.concat(xs.map((x, i) => (layout.parts[i]![0] === 'r' ? repeatOverTime(x as tf.Tensor2D, T) : x)), 2) as tf.Tensor3D;
        const { output, state } = runRecurrent(cfg, params, input, { lengths });
        // One scalar from everything, with distinct weights so no gradient cancels.
        const w = tf.linspace(0.5, 1.5, output.size).reshape(output.shape);
        return output.mul(w).sum().add(state.h.square().sum()).add(state.c?.sum() ?? 0);
      };
      const vars = Object.values(params);
      const grads = (asParts: boolean) => tf.tidy(() => {
        const f = run(asParts);
        const { value, grads: g } = tf.variableGrads(() => f(...tensors) as tf.Scalar, vars);
        const dx = tf.grads(f)(tensors);
        return [value, ...vars.map((v) => g[v.name]!), ...dx];
      });
      const parts = grads(true);
      const tiled = grads(false);
      for (let i = 0; i < parts.length; i++) expect(maxDiff(parts[i]!, tiled[i]!)).toBeLessThan(2e-5);
      tf.dispose([...parts, ...tiled]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([...tensors, lengths]);
      disposeParams(params);
    });

  it('refuses parts that do not fit, with a message', () => {
    const cfg: RecurrentConfig = { cell: 'gru', inputSize: 5, hidden: H, layers: 1, dropout: 0, bidirectional: false, nonlinearity: 'tanh' };
    const params = createRecurrentParams(cfg, createRng(1));
    tf.tidy(() => {
      const seq = tf.zeros([B, T, 3]) as tf.Tensor3D;
      expect(() => runRecurrent(cfg, params, [repeated(tf.zeros([B, 5]))])).toThrow(/no sequence part/);
      expect(() => runRecurrent(cfg, params, [seq, repeated(tf.zeros([B, 3]))])).toThrow(/input width 6, expected 5/);
      expect(() => runRecurrent(cfg, params, [seq, repeated(tf.zeros([B + 1, 2]))])).toThrow(/repeated input has shape \[4,2\]/);
      expect(() => runRecurrent(cfg, params, [seq, tf.zeros([B, T + 1, 2]) as tf.Tensor3D])).toThrow(/input part has shape \[3,6,2\]/);
    });
    disposeParams(params);
  });
});
