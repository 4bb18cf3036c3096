/**
 * runRecurrent with its input given as parts (sequences, `repeated` per-sentence vectors, `embedded`
 * ids): the outputs, final state and every gradient (weights, embeddings, inputs) equal running on
 * the explicit concatenation with the vectors tiled over time and the ids looked up — any part
 * order, several of each kind, a vocabulary smaller than B·T (projected table) and larger (plain
 * lookup), bidirectional, masked — and bad parts are refused with a message. Tensor counts stay flat.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createEmbeddingParams, createRecurrentParams, createRng, disposeParams, embedded, embedding, repeated, repeatOverTime, runRecurrent, setInputParts,
  setProjectValidRows,
  type CellKind, type RecurrentConfig, type RecurrentInputPart,
} from '../../../src/runtime/nn/index.js';

const B = 3, T = 5, H = 4;

/** Part layouts: widths, `r` = repeated vector, `s` = sequence, `e` = embedded ids (V = 7 < B·T), `E` (V = 40 ≥ B·T). */
type Kind = 's' | 'r' | 'e' | 'E';
const LAYOUTS: Array<{ name: string; parts: Array<[Kind, number]> }> = [
  { name: '[seq; rep]', parts: [['s', 3], ['r', 2]] },
  { name: '[rep; seq]', parts: [['r', 2], ['s', 3]] },
  { name: '[seq; rep; seq; rep]', parts: [['s', 2], ['r', 1], ['s', 3], ['r', 2]] },
  { name: '[emb] (encoder)', parts: [['e', 3]] },
  { name: '[emb; rep] (d2l decoder)', parts: [['e', 3], ['r', 2]] },
  { name: '[rep; big emb; seq; emb]', parts: [['r', 2], ['E', 2], ['s', 1], ['e', 2]] },
];
const VOCAB: Record<'e' | 'E', number> = { e: 7, E: 40 };

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
      const tables = layout.parts.map(([kind, w], i) => (kind === 'e' || kind === 'E' ? createEmbeddingParams(VOCAB[kind], w, createRng(20 + i)) : null));
      const tensors = layout.parts.map(([kind, w]) => {
        if (kind === 'e' || kind === 'E') return tf.tensor2d(Array.from({ length: B * T }, () => Math.floor(rng.next() * VOCAB[kind])), [B, T], 'int32');
        return kind === 's'
          ? tf.tensor3d(Array.from({ length: B * T * w }, () => rng.normal()), [B, T, w])
          : tf.tensor2d(Array.from({ length: B * w }, () => rng.normal()), [B, w]);
      });
      const lengths = tf.tensor1d([5, 2, 4], 'int32');
      const before = tf.memory().numTensors;
      const run = (asParts: boolean) => (...xs: tf.Tensor[]): tf.Tensor => {
        const kind = (i: number) => layout.parts[i]![0];
        const input = asParts
          ? xs.map((x, i): RecurrentInputPart => {
            if (kind(i) === 'r') return repeated(x as tf.Tensor2D);
            return tables[i] === null ? x as tf.Tensor3D : embedded(tables[i]!, x as tf.Tensor2D);
          })
          : tf.concat(xs.map((x, i) => {
            if (kind(i) === 'r') return repeatOverTime(x as tf.Tensor2D, T);
            return tables[i] === null ? x : embedding(tables[i]!, x as tf.Tensor2D);
          }), 2) as tf.Tensor3D;
        const { output, state } = runRecurrent(cfg, params, input, { lengths });
        // One scalar from everything, with distinct weights so no gradient cancels.
        const w = tf.linspace(0.5, 1.5, output.size).reshape(output.shape);
        return output.mul(w).sum().add(state.h.square().sum()).add(state.c?.sum() ?? 0);
      };
      const vars = [...Object.values(params), ...tables.flatMap((t) => (t === null ? [] : Object.values(t)))];
      const floats = tensors.filter((t) => t.dtype === 'float32');
      const grads = (asParts: boolean) => tf.tidy(() => {
        const f = run(asParts);
        const { value, grads: g } = tf.variableGrads(() => f(...tensors) as tf.Scalar, vars);
        // Input gradients: of the float parts (ids have none).
        const dx = floats.length === 0 ? [] : tf.grads((...fs: tf.Tensor[]) => {
          let k = 0;
          return f(...tensors.map((t) => (t.dtype === 'float32' ? fs[k++]! : t)));
        })(floats);
        return [value, ...vars.map((v) => g[v.name]!), ...dx];
      });
      const parts = grads(true);
      const tiled = grads(false);
      for (let i = 0; i < parts.length; i++) expect(maxDiff(parts[i]!, tiled[i]!)).toBeLessThan(2e-5);
      tf.dispose([...parts, ...tiled]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([...tensors, lengths]);
      disposeParams(params);
      for (const t of tables) if (t !== null) disposeParams(t);
    });

  it.each(CELLS)('%s (bidirectional: %s): projecting only the valid rows of a masked sequence changes no value or gradient', (cell, bidirectional) => {
    const cfg: RecurrentConfig = { cell, inputSize: 3, hidden: H, layers: 3, dropout: 0, bidirectional, nonlinearity: 'tanh' };
    const params = createRecurrentParams(cfg, createRng(5));
    const rng = createRng(6);
    const x = tf.tensor3d(Array.from({ length: B * T * 3 }, () => rng.normal()), [B, T, 3]);
    const lengths = tf.tensor1d([5, 1, 3], 'int32');
    const vars = Object.values(params);
    const run = (validOnly: boolean) => tf.tidy(() => {
      setProjectValidRows(validOnly, 0);   // from any size, so these small shapes take the path
      try {
        const f = (z: tf.Tensor) => {
          const { output, state } = runRecurrent(cfg, params, z as tf.Tensor3D, { lengths });
          const w = tf.linspace(0.5, 1.5, output.size).reshape(output.shape);
          return output.mul(w).sum().add(state.h.square().sum()).add(state.c?.sum() ?? 0) as tf.Scalar;
        };
        const { value, grads } = tf.variableGrads(() => f(x), vars);
        return [value, tf.grad(f)(x), ...vars.map((v) => grads[v.name]!)];
      } finally {
        setProjectValidRows(true);
      }
    });
    const valid = run(true), all = run(false);
    valid.forEach((t, i) => expect(maxDiff(t, all[i]!)).toBeLessThan(1e-5));
    tf.dispose([...valid, ...all, x, lengths]);
    disposeParams(params);
  });

  it('with parts off, runs exactly the concatenation as written', () => {
    const cfg: RecurrentConfig = { cell: 'lstm', inputSize: 5, hidden: H, layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh' };
    const params = createRecurrentParams(cfg, createRng(3));
    const table = createEmbeddingParams(7, 3, createRng(4));
    tf.tidy(() => {
      const ids = tf.tensor2d([[1, 2, 3, 4, 5], [6, 0, 1, 2, 3], [4, 4, 4, 4, 4]], undefined, 'int32');
      const v = tf.tensor2d([[1, -1], [0.5, 2], [-3, 0]]);
      const written = runRecurrent(cfg, params, tf.concat([embedding(table, ids), repeatOverTime(v, T)], 2) as tf.Tensor3D).output;
      setInputParts(false);
      try {
        const off = runRecurrent(cfg, params, [embedded(table, ids), repeated(v)]).output;
        expect(Array.from(off.dataSync())).toEqual(Array.from(written.dataSync()));
      } finally {
        setInputParts(true);
      }
      const on = runRecurrent(cfg, params, [embedded(table, ids), repeated(v)]).output;
      expect(maxDiff(on, written)).toBeLessThan(1e-5);
    });
    disposeParams(params);
    disposeParams(table);
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
      const table = { weight: tf.variable(tf.zeros([7, 2])) };
      expect(() => runRecurrent(cfg, params, [seq, embedded(table, tf.zeros([B, T + 1], 'int32') as tf.Tensor2D)])).toThrow(/embedded ids have shape \[3,6\], expected \[3, 5\]/);
      table.weight.dispose();
    });
    disposeParams(params);
  });
});
