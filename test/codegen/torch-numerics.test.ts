/**
 * The generated modules against PyTorch (test/fixtures/torch, written by make_fixtures.py): the d2l
 * encoder-decoder specs of test/codegen/specs name PyTorch's state_dict keys with `weights:`, so the
 * fixture's parameters load through `importTensors` as they are. Then the teacher-forced logits, the
 * decoding path's logits, the masked loss, the gradient norm and two clipped Adam steps through the
 * module's `trainStep` must match torch; and the language model's logits and final state from a
 * carried state, through `forward` and through chained `decodeStep`s. On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/runtime/backend/index.js';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { createOptimizer } from '../../src/runtime/nn/index.js';
import type { Seq2SeqBatch, TensorDict } from '../../src/runtime/module.js';
import type { LstmLmTorchState } from './generated/lstm-lm-torch.js';
import { REPO, TEST_SPECS, languageModel, maxAbsDiff, seq2seqModule } from './helpers.js';

const FIXTURES = path.join(REPO, 'test/fixtures/torch');

interface Seq2SeqCase {
  name: string; cell: string; srcVocab: number; tgtVocab: number; loss: number; tokens: number;
  gradNorm: number; theta: number; adamLr: number; adamLosses: number[];
}
interface LmCase { name: string; vocab: number; loss: number }

function fixture<Case>(file: string) {
  const { tensors, metadata } = readSafetensors(path.join(FIXTURES, file));
  const tensor = <R extends tf.Rank>(name: string): tf.Tensor<R> => {
    const t = tensors[name];
    if (!t) throw new Error(`fixture ${file} has no ${name}`);
    return tf.tensor(t.data, t.shape as number[], t.dtype === 'I32' ? 'int32' : 'float32') as unknown as tf.Tensor<R>;
  };
  const dict = (prefix: string): TensorDict => Object.fromEntries(Object.entries(tensors)
    .filter(([n]) => n.startsWith(prefix))
    .map(([n, t]) => [n.slice(prefix.length), { shape: t.shape, data: t.data as Float32Array }]));
  return { cases: JSON.parse(metadata['cases']!) as Case[], tensor, dict, raw: (name: string) => tensors[name]!.data };
}

const seq2seq = fixture<Seq2SeqCase>('seq2seq.safetensors');
const lm = fixture<LmCase>('lm.safetensors');
const SPECS: Record<string, string> = {
  gru_context: path.join(TEST_SPECS, 'd2l-gru-torch.yaml'),
  lstm_plain: path.join(TEST_SPECS, 'd2l-lstm-torch.yaml'),
};

function batch(): Seq2SeqBatch {
  return {
    src: seq2seq.tensor('src'), srcLen: seq2seq.tensor('src_len'), tgtIn: seq2seq.tensor('tgt_in'),
    tgtOut: seq2seq.tensor('tgt_out'), tgtLen: seq2seq.tensor('tgt_len'),
  };
}

describe.each(['cpu', 'wasm'] as const)('generated modules vs PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(seq2seq.cases.map((c) => [c.name, c] as const))('%s: logits (both paths), loss, export', async (name, c) => {
    const m = await seq2seqModule(SPECS[name]!, { source: c.srcVocab, target: c.tgtVocab });
    const params = seq2seq.dict(`${name}/param/`);
    m.importTensors(params);
    const b = batch();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const expected = seq2seq.raw(`${name}/logits`);
      expect(maxAbsDiff(m.forward(b, false), expected)).toBeLessThan(1e-4);
      expect(maxAbsDiff(m.forwardStepwise(b, false), expected)).toBeLessThan(1e-4);
      const loss = m.loss(b, false);
      expect(loss.count).toBe(c.tokens);
      expect(Math.abs(loss.mean.dataSync()[0]! - c.loss)).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
    // export gives back exactly what was imported: the same names, shapes and values.
    const exported = m.exportTensors();
    expect(Object.keys(exported).sort()).toEqual(Object.keys(params).sort());
    for (const [n, t] of Object.entries(params)) {
      expect(exported[n]!.shape).toEqual(t.shape);
      expect(maxAbsDiff(exported[n]!.data, t.data)).toBe(0);
    }
    tf.dispose(Object.values(b));
    m.dispose();
  });

  it.each(seq2seq.cases.map((c) => [c.name, c] as const))('%s: two clipped Adam steps through trainStep', async (name, c) => {
    const m = await seq2seqModule(SPECS[name]!, { source: c.srcVocab, target: c.tgtVocab });
    m.importTensors(seq2seq.dict(`${name}/param/`));
    const b = batch();
    const optimizer = createOptimizer({ name: 'adam', lr: c.adamLr });
    const first = m.trainStep(b, optimizer, c.theta);
    expect(first.tokens).toBe(c.tokens);
    expect(Math.abs(first.loss - c.adamLosses[0]!)).toBeLessThan(1e-5);
    expect(Math.abs(first.gradNorm - c.gradNorm)).toBeLessThan(1e-5);
    const second = m.trainStep(b, optimizer, c.theta);
    expect(Math.abs(second.loss - c.adamLosses[1]!)).toBeLessThan(1e-5);
    const after = m.exportTensors();
    for (const [n, t] of Object.entries(seq2seq.dict(`${name}/after_adam/`))) {
      expect(maxAbsDiff(after[n]!.data, t.data), n).toBeLessThan(1e-4);
    }
    optimizer.dispose();
    tf.dispose(Object.values(b));
    m.dispose();
  });

  it('lstm_lm: forward from a carried state, and the same through decodeStep', async () => {
    const c = lm.cases[0]!;
    const m = await languageModel(path.join(TEST_SPECS, 'lstm-lm-torch.yaml'), c.vocab);
    m.importTensors(lm.dict('param/'));
    const x = lm.tensor<tf.Rank.R2>('x');
    const y = lm.tensor<tf.Rank.R2>('y');
    const state: LstmLmTorchState = { rnn_state: { h: lm.tensor('h0'), c: lm.tensor('c0') } };
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const out = m.forward(x, state, false);
      const next = out.state as LstmLmTorchState;
      expect(maxAbsDiff(out.logits, lm.raw('logits'))).toBeLessThan(1e-4);
      expect(maxAbsDiff(next.rnn_state.h, lm.raw('h_n'))).toBeLessThan(1e-5);
      expect(maxAbsDiff(next.rnn_state.c, lm.raw('c_n'))).toBeLessThan(1e-5);
      const loss = m.loss({ x, y }, state, false);
      expect(Math.abs(loss.mean.dataSync()[0]! - c.loss)).toBeLessThan(1e-5);
      // Step by step from the same state: log-softmax of the same logits.
      let s: LstmLmTorchState = state;
      const columns = tf.unstack(x, 1) as tf.Tensor1D[];
      const expected = tf.logSoftmax(out.logits);
      columns.forEach((tokens, t) => {
        const step = m.decodeStep(tokens, s);
        s = step.state as LstmLmTorchState;
        const want = tf.squeeze(tf.slice(expected, [0, t, 0], [-1, 1, -1]), [1]);
        expect(maxAbsDiff(step.logProbs, want)).toBeLessThan(1e-4);
      });
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, state.rnn_state.h, state.rnn_state.c]);
    m.dispose();
  });
});
