/**
 * Every cell (rnn tanh/relu, gru, lstm), layers 1–3, uni/bidirectional, packed by lengths or not,
 * from zeros or a given state: outputs, final states and all gradients equal PyTorch's within 1e-4,
 * on cpu and wasm, without leaking tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  createRecurrentParams, createRng, disposeParams, fromTorchTensors, runRecurrent, type RecurrentConfig,
} from '../../../src/runtime/nn/index.js';
import { expectClose, readFixture, transposed } from './helpers/fixtures.js';

interface CellCase {
  name: string; cell: 'rnn' | 'gru' | 'lstm'; nonlinearity: 'tanh' | 'relu'; layers: number;
  bidirectional: boolean; inputSize: number; hidden: number; masked: boolean; init: boolean; loss: number;
}

const fixture = readFixture<CellCase>('cells.safetensors');

describe.each(['cpu', 'wasm'] as const)('cells vs PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const before = tf.memory().numTensors;
    const cfg: RecurrentConfig = {
      cell: c.cell, inputSize: c.inputSize, hidden: c.hidden, layers: c.layers, dropout: 0,
      bidirectional: c.bidirectional, nonlinearity: c.nonlinearity,
    };
    const params = createRecurrentParams(cfg, createRng(0));
    fromTorchTensors('recurrent', cfg, fixture.dict(`${name}/param/`), params);
    const at = (k: string) => fixture.tensor(`${name}/${k}`);
    const x = at('x') as tf.Tensor3D;
    const lengths = c.masked ? at('lengths') as tf.Tensor1D : undefined;
    const h0 = c.init ? at('h0') as tf.Tensor3D : undefined;
    const c0 = c.init && c.cell === 'lstm' ? at('c0') as tf.Tensor3D : undefined;
    const init = h0 === undefined ? undefined : c0 === undefined ? { h: h0 } : { h: h0, c: c0 };
    const rOut = at('r_out');
    const rH = at('r_h');
    const rC = c.cell === 'lstm' ? at('r_c') : null;

    const names = Object.keys(params);
    const inputs: tf.Tensor[] = [...names.map((n) => params[n]!), x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
    const lossOf = () => {
      const { output, state } = runRecurrent(cfg, params, x, { lengths, init });
      let loss = tf.sum(output.mul(rOut)).add(tf.sum(state.h.mul(rH)));
      if (rC !== null) loss = loss.add(tf.sum(state.c!.mul(rC)));
      return { output, state, loss: loss as tf.Scalar };
    };

    tf.tidy(() => {
      const { output, state, loss } = lossOf();
      // PyTorch pads outputs past each length with zeros; seqloom's may be anything there.
      const valid = at('r_out').notEqual(0).any(2, true).cast('float32');
      expectClose(output.mul(valid), fixture.raw(`${name}/output`), 'output');
      expectClose(state.h, fixture.raw(`${name}/h_n`), 'h_n');
      if (c.cell === 'lstm') expectClose(state.c!, fixture.raw(`${name}/c_n`), 'c_n');
      expectClose([loss.dataSync()[0]!], [c.loss], 'loss');

      const grads = tf.grads((..._args: tf.Tensor[]) => lossOf().loss)(inputs);
      names.forEach((n, i) => expectClose(transposed(grads[i]!), fixture.raw(`${name}/grad/${n}`), `grad ${n}`));
      expectClose(grads[names.length]!, fixture.raw(`${name}/grad/x`), 'grad x');
      if (h0) expectClose(grads[names.length + 1]!, fixture.raw(`${name}/grad/h0`), 'grad h0');
      if (c0) expectClose(grads[names.length + 2]!, fixture.raw(`${name}/grad/c0`), 'grad c0');
    });

    tf.dispose([x, rOut, rH, ...(rC ? [rC] : []), ...(lengths ? [lengths] : []), ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])]);
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
  });
});
