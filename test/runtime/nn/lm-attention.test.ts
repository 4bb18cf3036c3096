/**
 * A language model forward (embedding → 2-layer LSTM from a carried state → dense) and d2l's
 * additive / scaled dot-product attention with masked softmax, against PyTorch, on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import {
  attention, createAttentionParams, createDenseParams, createEmbeddingParams, createRecurrentParams, createRng, dense,
  disposeParams, embedding, fromTorchTensors, maskedCrossEntropy, projectAttentionKeys, runRecurrent,
  type AttentionKind, type RecurrentConfig,
} from '../../../src/runtime/nn/index.js';
import { expectClose, readFixture, transposed } from './helpers/fixtures.js';

interface LmCase { name: string; vocab: number; embed: number; hidden: number; layers: number; loss: number; perplexity: number }
interface AttentionCase { name: string; kind: AttentionKind; queryDim: number; keyDim: number; hidden: number }

const lm = readFixture<LmCase>('lm.safetensors');
const att = readFixture<AttentionCase>('attention.safetensors');

describe.each(['cpu', 'wasm'] as const)('language model and attention vs PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('LSTM language model: logits, carried final state, loss and perplexity', () => {
    const before = tf.memory().numTensors;
    const c = lm.cases[0]!;
    const rng = createRng(3);
    const cfg: RecurrentConfig = { cell: 'lstm', inputSize: c.embed, hidden: c.hidden, layers: c.layers, dropout: 0, bidirectional: false, nonlinearity: 'tanh' };
    const emb = createEmbeddingParams(c.vocab, c.embed, rng);
    const rnn = createRecurrentParams(cfg, rng);
    const out = createDenseParams(c.hidden, c.vocab, rng);
    const tensors = lm.dict('param/');
    fromTorchTensors('embedding', { vocab: c.vocab, dim: c.embed }, tensors, emb, 'embedding');
    fromTorchTensors('recurrent', cfg, tensors, rnn, 'rnn');
    fromTorchTensors('dense', { inSize: c.hidden, outSize: c.vocab }, tensors, out, 'dense');
    tf.tidy(() => {
      const x = lm.tensor('x') as tf.Tensor2D;
      const y = lm.tensor('y') as tf.Tensor2D;
      const { output, state } = runRecurrent(cfg, rnn, embedding(emb, x), { init: { h: lm.tensor('h0'), c: lm.tensor('c0') } });
      const logits = dense(out, output);
      expectClose(logits, lm.raw('logits'), 'logits');
      expectClose(state.h, lm.raw('h_n'), 'h_n');
      expectClose(state.c!, lm.raw('c_n'), 'c_n');
      const [b, t] = x.shape;
      const loss = maskedCrossEntropy(logits, y, tf.fill([b], t, 'int32') as tf.Tensor1D);
      expect(loss.count).toBe(b * t);
      expectClose([loss.mean.dataSync()[0]!, Math.exp(loss.mean.dataSync()[0]!)], [c.loss, c.perplexity], 'loss, perplexity');
      expectClose(loss.sum, [c.loss * b * t], 'summed loss');
    });
    disposeParams(emb, rnn, out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(att.cases.map((c) => [c.name, c] as const))('%s attention: context, weights and gradients', (name, c) => {
    const before = tf.memory().numTensors;
    const params = createAttentionParams(c.kind, c.queryDim, c.keyDim, c.hidden, createRng(4));
    fromTorchTensors('attention', c, att.dict(`${name}/param/`), params);
    tf.tidy(() => {
      const at = (k: string) => att.tensor(`${name}/${k}`);
      const [q, k, v] = [at('query') as tf.Tensor2D, at('keys') as tf.Tensor3D, at('values') as tf.Tensor3D];
      const lens = at('valid_lens') as tf.Tensor1D;
      const { context, weights } = attention(c.kind, params, q, k, v, lens);
      expectClose(context, att.raw(`${name}/context`), 'context');
      expectClose(weights, att.raw(`${name}/weights`), 'weights');
      if (c.kind === 'additive') {
        const pre = attention(c.kind, params, q, k, v, lens, { projectedKeys: projectAttentionKeys(params, k) });
        expectClose(pre.context, att.raw(`${name}/context`), 'context with projected keys');
      }
      const names = Object.keys(params);
      const r = at('r');
      const grads = tf.grads((..._xs: tf.Tensor[]) => tf.sum(attention(c.kind, params, q, k, v, lens).context.mul(r)) as tf.Scalar)(
        [...names.map((n) => params[n]!), q, k, v]);
      names.forEach((n, i) => expectClose(transposed(grads[i]!), att.raw(`${name}/grad/${n}`), `grad ${n}`));
      ['query', 'keys', 'values'].forEach((n, i) => expectClose(grads[names.length + i]!, att.raw(`${name}/grad/${n}`), `grad ${n}`));
    });
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
  });
});
