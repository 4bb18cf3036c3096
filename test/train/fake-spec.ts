/**
 * Hand-built normalized specs (src/spec/types.ts) for driving the training session with the fake
 * modules: the built-in data tasks, small limits, no graph (the fakes ignore it).
 */
import type { GeneratedModuleClass } from '../../src/runtime/module.js';
import type { Spec } from '../../src/spec/types.js';
import type { SpecModuleLoader } from '../../src/train/model-loader.js';
import { FakeLm, FakeSeq2Seq, type FakeOptions } from './fakes.js';

const range = { start: 0, end: 0 };

export function fakeSeq2SeqSpec(over: { limit?: number; epochs?: number; lr?: number; source?: string } = {}): Spec {
  return {
    seqloom: 1, name: 'fake-seq2seq', task: 'seq2seq', file: '/nonexistent/fake-seq2seq.yaml',
    source: over.source ?? `seqloom: 1\nname: fake-seq2seq\n# limit ${over.limit ?? 120}\n`,
    data: {
      path: null, resolvedPath: null, format: 'tsv', limit: over.limit ?? 120, preprocess: ['lowercase'],
      on_bad_line: 'error', valid_fraction: 0.1,
      source: { tokenizer: 'word', min_freq: 1, max_len: 8 },
      target: { tokenizer: 'word', min_freq: 1, max_len: 8 },
    },
    nodes: [],
    output: { raw: 'logits', base: 'logits', part: 'output', delayed: false, range },
    train: {
      loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: over.lr ?? 0.02 }, clip_norm: 1,
      epochs: over.epochs ?? 3, batch_size: 32, seed: 7, carry_state: false, checkpoint_every: null, keep_last: 1,
    },
    decode: { strategy: 'greedy', beam_size: 2, max_len: 8, length_penalty: 0, n_best: 1 },
    ranges: {},
  };
}

export function fakeLmSpec(): Spec {
  return {
    seqloom: 1, name: 'fake-lm', task: 'language-model', file: '/nonexistent/fake-lm.yaml',
    source: 'seqloom: 1\nname: fake-lm\n',
    data: {
      path: null, resolvedPath: null, format: 'text', limit: 12, preprocess: ['lowercase'], on_bad_line: 'error',
      valid_fraction: 0.2, tokens: { tokenizer: 'char', min_freq: 1, max_len: 8 }, num_steps: 8, sampling: 'sequential',
    },
    nodes: [],
    output: { raw: 'logits', base: 'logits', part: 'output', delayed: false, range },
    train: {
      loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: 0.05 }, clip_norm: 1,
      epochs: 2, batch_size: 4, seed: 3, carry_state: true, checkpoint_every: null, keep_last: 1,
    },
    decode: { strategy: 'greedy', beam_size: 1, max_len: 8, length_penalty: 0, n_best: 1 },
    ranges: {},
  };
}

/** A module class with fixed fake options (e.g. dropout, a NaN at some step). */
export function fakeSeq2SeqClass(opts: FakeOptions = {}): GeneratedModuleClass {
  return class extends FakeSeq2Seq {
    constructor(config: ConstructorParameters<typeof FakeSeq2Seq>[0]) { super(config, opts); }
  };
}

export function fakeLoader(spec: Spec, ModuleClass: GeneratedModuleClass = fakeSeq2SeqClass()): SpecModuleLoader {
  return async () => ({ spec, ModuleClass, backend: 'cpu' });
}

export const FakeLmClass: GeneratedModuleClass = FakeLm;
