/**
 * A whole small d2l seq2seq against PyTorch: logits, masked cross-entropy, every gradient,
 * global-norm clipping, and two Adam steps through trainStep; GRU with context concatenation and
 * LSTM without; on cpu and wasm; the tensor count stays flat across training steps.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/runtime/backend/index.js';
import { clipByGlobalNorm, createOptimizer, createRng, trainStep } from '../../../src/runtime/nn/index.js';
import { expectClose, readFixture } from './helpers/fixtures.js';
import { TinySeq2Seq, type Batch } from './helpers/seq2seq-model.js';

interface Seq2SeqCase {
  name: string; cell: 'gru' | 'lstm'; context: boolean; srcVocab: number; tgtVocab: number; embed: number;
  hidden: number; layers: number; loss: number; tokens: number; gradNorm: number; theta: number;
  adamLr: number; adamLosses: number[];
}

const fixture = readFixture<Seq2SeqCase>('seq2seq.safetensors');

function batchOf(): Batch {
  return {
    src: fixture.tensor('src'), srcLen: fixture.tensor('src_len'), tgtIn: fixture.tensor('tgt_in'),
    tgtOut: fixture.tensor('tgt_out'), tgtLen: fixture.tensor('tgt_len'),
  };
}

describe.each(['cpu', 'wasm'] as const)('d2l seq2seq vs PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: logits, loss, gradients, clipping', (name, c) => {
    const before = tf.memory().numTensors;
    const model = new TinySeq2Seq(c, createRng(1));
    model.importTensors(fixture.dict(`${name}/param/`));
    const batch = batchOf();

    tf.tidy(() => {
      expectClose(model.forward(batch, false), fixture.raw(`${name}/logits`), 'logits');
      const { value, grads } = tf.variableGrads(() => {
        const loss = model.loss(batch, true);
        expect(loss.count).toBe(c.tokens);
        return loss.mean;
      }, model.variables());
      expectClose([value.dataSync()[0]!], [c.loss], 'mean loss');
      const named = model.torchNamed(grads);
      for (const [n, g] of Object.entries(named)) expectClose(g, fixture.raw(`${name}/grad/${n}`), `grad ${n}`);
      const clipped = clipByGlobalNorm(named, c.theta);
      expectClose([clipped.norm], [c.gradNorm], 'gradient norm');
      for (const [n, g] of Object.entries(clipped.grads)) expectClose(g, fixture.raw(`${name}/clipped/${n}`), `clipped ${n}`);
    });

    tf.dispose(Object.values(batch));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: two clipped Adam steps move weights as torch.optim.Adam', (name, c) => {
    const model = new TinySeq2Seq(c, createRng(1));
    model.importTensors(fixture.dict(`${name}/param/`));
    const batch = batchOf();
    const optimizer = createOptimizer({ name: 'adam', lr: c.adamLr });
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      const { loss } = trainStep(() => model.loss(batch, true).mean, model.variables(), optimizer, c.theta);
      losses.push(loss);
      counts.push(tf.memory().numTensors);
      if (step === 1) {
        expectClose(losses, c.adamLosses, 'losses of the two steps');
        const after = model.exportTensors();
        for (const [n, t] of Object.entries(after)) expectClose(t.data, fixture.raw(`${name}/after_adam/${n}`).data, `after adam ${n}`);
      }
    }
    // Steps after the first (which creates Adam's slots) leave the tensor count unchanged.
    expect(new Set(counts.slice(1)).size).toBe(1);
    optimizer.dispose();
    tf.dispose(Object.values(batch));
    model.dispose();
  });
});
