/**
 * One word in the YAML (`cell: &cell gru` → `lstm` / `rnn`) changes the generated module: its
 * state types and cell configs follow, and the module compiles (src/compile), trains on a tiny
 * batch (loss falls, tensor count flat), and its two paths agree: the teacher-forced time-batched
 * `forward` and the decoding path (`forwardStepwise` through the same step function as
 * `decodeStep`); beam search of width 1 equals greedy; weights survive export → import. On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFromSpec } from '../../codegen/index.js';
import { loadGeneratedModuleForSpec } from '../../src/compile/index.js';
import { useBackend } from '../../src/runtime/backend/index.js';
import { createOptimizer } from '../../src/runtime/nn/index.js';
import { loadSpecText } from '../../src/spec/index.js';
import type { Spec } from '../../src/spec/types.js';
import { REPO, disposeBatch, maxAbsDiff, tinyBatch, type GeneratedSeq2Seq } from './helpers.js';

const GRU_SPEC = path.join(REPO, 'models/d2l-seq2seq-gru.yaml');
const STATE_TYPE = { rnn: 'RnnState', gru: 'GruState', lstm: 'LstmState' } as const;

/** The GRU example with its one cell word replaced. */
function variant(cell: keyof typeof STATE_TYPE): Spec {
  const text = readFileSync(GRU_SPEC, 'utf8');
  expect(text).toContain('cell: &cell gru');
  const spec = loadSpecText(text.replace('cell: &cell gru', `cell: &cell ${cell}`), path.join(REPO, `models/variant-${cell}.yaml`));
  expect(spec.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return spec.value!;
}

const VOCAB = { source: 12, target: 12 };

const CASES = (['cpu', 'wasm'] as const).flatMap((backend) => (['rnn', 'gru', 'lstm'] as const).map((cell) => [cell, backend] as const));

describe.each(CASES)('the d2l spec with cell: %s (%s)', (cell, backend) => {
  let module: GeneratedSeq2Seq;

  beforeAll(async () => {
    await useBackend(backend);
    const { ModuleClass } = await loadGeneratedModuleForSpec(variant(cell));
    module = new ModuleClass({ vocab: VOCAB, seed: 3 }) as GeneratedSeq2Seq;
  });

  it('generates state types and cell configs for that cell', () => {
    const text = generateFromSpec(variant(cell), 'models/variant.yaml').value!.text;
    const state = /export interface D2lSeq2seqGruDecoderState \{([^}]*)\}/.exec(text)![1]!;
    expect(state).toContain(`decoder_state: ${STATE_TYPE[cell]};`);
    expect(text).toContain(`encoder: { cell: '${cell}',`);
    expect(text).toContain(`decoder: { cell: '${cell}',`);
    // The state fields follow the cell: {h} or {h, c}.
    expect(text.includes('c: tf.gather(state.decoder_state.c, rows, 1)')).toBe(cell === 'lstm');
  });

  it('trains on a tiny batch: loss falls, tensor count flat', () => {
    const batch = tinyBatch();
    const optimizer = createOptimizer({ name: 'adam', lr: 0.02 });
    const first = module.trainStep(batch, optimizer, 1);
    const count = tf.memory().numTensors; // after the optimizer made its slots
    let last = first;
    for (let i = 0; i < 24; i++) last = module.trainStep(batch, optimizer, 1);
    expect(tf.memory().numTensors).toBe(count);
    expect(first.tokens).toBe(10);
    expect(Number.isFinite(first.gradNorm) && first.gradNorm > 0).toBe(true);
    expect(last.loss).toBeLessThan(first.loss * 0.6);
    optimizer.dispose();
    disposeBatch(batch);
  });

  it('forward (time-batched) equals the decoding path (step by step)', () => {
    const batch = tinyBatch();
    tf.tidy(() => {
      const batched = module.forward(batch, false);
      expect(batched.shape).toEqual([3, 4, VOCAB.target]);
      expect(maxAbsDiff(batched, module.forwardStepwise(batch, false))).toBeLessThan(1e-5);
      // decodeStep is log-softmax of the same step.
      const encoded = module.encode(batch.src, batch.srcLen, false);
      const state = module.initDecoderState(encoded, batch.srcLen);
      const first = module.decodeStep(tf.unstack(batch.tgtIn, 1)[0] as tf.Tensor1D, state);
      const want = tf.logSoftmax(tf.squeeze(tf.slice(batched, [0, 0, 0], [-1, 1, -1]), [1]));
      expect(maxAbsDiff(first.logProbs, want)).toBeLessThan(1e-5);
    });
    disposeBatch(batch);
  });

  it('checks shapes at its boundary', () => {
    const batch = tinyBatch();
    const flat = tf.tensor1d([4, 5], 'int32');
    expect(() => module.encode(flat as never, batch.srcLen, false)).toThrow(/src has shape \[2\], expected \[\*, \*\]/);
    expect(() => module.encode(batch.src, flat, false)).toThrow(/srcLen has shape \[2\], expected \[3\]/);
    tf.tidy(() => {
      expect(() => module.forward({ ...batch, tgtIn: batch.tgtIn.slice([0, 0], [2, -1]) }, false)).toThrow(/tgtIn has shape \[2, 4\]/);
    });
    flat.dispose();
    disposeBatch(batch);
  });

  it('beam search of width 1 is greedy; decoding leaks nothing', () => {
    const batch = tinyBatch();
    const opts = { bos: 2, eos: 3, pad: 0, maxLen: 6 };
    const before = tf.memory().numTensors;
    const greedy = module.greedy(batch.src, batch.srcLen, opts);
    const beam = module.beam(batch.src, batch.srcLen, { ...opts, beamSize: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(beam.map((n) => n[0]!.tokens)).toEqual(greedy.map((n) => n[0]!.tokens));
    expect(greedy).toHaveLength(3);
    for (const [h] of greedy) expect(h!.tokens.every((t) => t !== 0 && t !== 2)).toBe(true);
    disposeBatch(batch);
  });

  it('weights survive exportTensors → importTensors into a differently seeded module', async () => {
    const { ModuleClass } = await loadGeneratedModuleForSpec(variant(cell));
    const other = new ModuleClass({ vocab: VOCAB, seed: 99 }) as GeneratedSeq2Seq;
    const batch = tinyBatch();
    other.importTensors(module.exportTensors());
    tf.tidy(() => {
      expect(maxAbsDiff(other.forward(batch, false), module.forward(batch, false))).toBe(0);
    });
    other.dispose();
    disposeBatch(batch);
  });
});
