/**
 * Input folding (codegen/ir/folds.ts): d2l's encoder reads `embedded(src_emb)`, and its decoder
 * `dec_in = [tgt_emb; context]` (an embedding and a repeat) as parts in time-batched bodies (no
 * lookup, tile or concat of their own), while decodeStep keeps the per-step concat; a node that
 * anything else reads is evaluated as written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFromSpec } from '../../codegen/index.js';
import { loadSpecText } from '../../src/spec/index.js';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/runtime/backend/index.js';
import { maskedCrossEntropy } from '../../src/runtime/nn/index.js';
import { disposeBatch, REPO, seq2seqModule, tinyBatch } from './helpers.js';

const D2L = readFileSync(path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), 'utf8');

function generate(yaml: string): string {
  const spec = loadSpecText(yaml, 'test.yaml');
  expect(spec.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const out = generateFromSpec(spec.value!, 'test.yaml');
  expect(out.value).not.toBeNull();
  return out.value!.text;
}

/** The body of a method, from its signature to the next method's doc comment. */
function method(text: string, signature: string): string {
  const start = text.indexOf(signature);
  expect(start).toBeGreaterThan(0);
  const end = text.indexOf('\n  /**', start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('repeat folding', () => {
  it('d2l: the encoder and decoder read embedded ids and the repeated context; decodeStep still concatenates', () => {
    const text = generate(D2L);
    const encode = method(text, '  encode(src: tf.Tensor2D');
    expect(encode).toContain('runRecurrent(this.cells.encoder, this.params.encoder, [embedded(this.params.src_emb, src)],');
    expect(encode).not.toContain('const src_emb');
    const forward = method(text, '  private features(batch: Seq2SeqBatch');
    expect(forward).toContain('runRecurrent(this.cells.decoder, this.params.decoder, [embedded(this.params.tgt_emb, batch.tgtIn), repeated(encoded.encoder_state_top)],');
    expect(forward).not.toContain('repeatOverTime');
    expect(forward).not.toContain('const dec_in');
    expect(forward).not.toContain('const tgt_emb');
    const step = method(text, '  private stepLogits(');
    expect(step).toContain('const dec_in = tf.concat([tgt_emb, context], -1)');
    expect(text).toContain('decoder reads its input as parts: tgt_emb via its projected table when V < B·T, context once per sentence');
  });

  it.each([
    ['the concat', 'dec_in', 'const dec_in = tf.concat([tgt_emb, context], -1)'],
    ['the repeat', 'context', 'repeatOverTime(encoded.encoder_state_top'],
  ])('keeps %s when another node reads it, folding none of it', (_what, read, written) => {
    const yaml = D2L.replace(/logits: \{ op: dense, input: decoder,/, `both: { op: concat, inputs: [decoder, ${read}] }\n  logits: { op: dense, input: both,`);
    expect(yaml).not.toBe(D2L);
    const forward = method(generate(yaml), '  private features(batch: Seq2SeqBatch');
    expect(forward).toContain(written);
    expect(forward).toContain('const tgt_emb = embedding(this.params.tgt_emb, batch.tgtIn)');
    expect(forward).toContain('runRecurrent(this.cells.decoder, this.params.decoder, dec_in,');
  });
});

describe('the output layer in the loss', () => {
  it('d2l: loss applies the output dense to valid tokens only; forward applies it to features', () => {
    const text = generate(D2L);
    expect(method(text, '  loss(batch: Seq2SeqBatch')).toContain(
      "maskedDenseCrossEntropy(this.params.logits, 'none', this.features(batch, training, batch.tgtLen), batch.tgtOut, batch.tgtLen)");
    expect(method(text, '  private features(batch: Seq2SeqBatch')).toContain('{ lengths: tgtLen ?? undefined, init: encoded.encoder_state,');
    expect(method(text, '  forward(batch: Seq2SeqBatch')).toContain("dense(this.params.logits, this.features(batch, training), 'none')");
    expect(method(text, '  private features(batch: Seq2SeqBatch')).not.toContain('const logits');
  });

  it('with attention on the target side the recurrences run to T (not position-wise in general)', () => {
    const text = generate(readFileSync(path.join(REPO, 'models/d2l-seq2seq-attention.yaml'), 'utf8'));
    expect(method(text, '  loss(batch: Seq2SeqBatch')).toContain('this.features(batch, training), batch.tgtOut, batch.tgtLen)');
    expect(text).not.toContain('tgtLen ?? undefined');
  });

  it('under scheduled sampling (teacher_forcing < 1) the loss reads the logits of the stepwise path', () => {
    const yaml = D2L.replace(/teacher_forcing: 1\.0/, 'teacher_forcing: 0.5');
    expect(yaml).not.toBe(D2L);
    const text = generate(yaml);
    expect(text).not.toContain('maskedDenseCrossEntropy');
    expect(method(text, '  loss(batch: Seq2SeqBatch')).toContain('maskedCrossEntropy(training ? this.forwardStepwise(batch, true, 0.5)');
  });
});

describe.each(['cpu', 'wasm'] as const)('the generated loss on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(['gru', 'lstm', 'rnn'])('d2l %s: loss (valid rows, decoder stopped at lengths) equals the masked loss of forward, gradients too', async (cell) => {
    const m = await seq2seqModule(path.join(REPO, `models/d2l-seq2seq-${cell}.yaml`), { source: 13, target: 12 }, 3);
    const batch = tinyBatch();
    expect(Array.from(batch.tgtLen.dataSync())).toContain(2);   // a row with padding
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const vars = m.variables();
      const ours = tf.variableGrads(() => m.loss(batch, false).mean, vars);
      const plain = tf.variableGrads(() => maskedCrossEntropy(m.forward(batch, false), batch.tgtOut, batch.tgtLen).mean, vars);
      expect(Math.abs(ours.value.dataSync()[0]! - plain.value.dataSync()[0]!)).toBeLessThan(1e-5);
      for (const v of vars) {
        const a = ours.grads[v.name]!.dataSync(), b = plain.grads[v.name]!.dataSync();
        for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThan(1e-5);
      }
    });
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(batch);
    m.dispose();
  });
});
