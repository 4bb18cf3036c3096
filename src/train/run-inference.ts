/**
 * The checkpoint-using commands as functions: translate, sample, eval. Each loads the checkpoint
 * (model-loader.ts), does its work, frees the module, and returns data for the command to print.
 */
import path from 'node:path';
import type { DataSpec } from '../spec/types.js';
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import { UserError } from '../errors.js';
import { loadTrainedModel, type SpecModuleLoader, type TrainedModel } from './model-loader.js';
import { resolveDecodeSettings, type DecodeFlags, type DecodeSettings } from './search.js';
import { translateSentences, type TranslationResult } from './translate.js';
import { sampleText, type SampleOutput, type SampleTextOptions } from './sample-text.js';
import { loadLmDataset, readSeq2seqCorpus } from '../runtime/data/load.js';
import { encodePairs, heldOutCount, slicePairs, type EncodedPairs } from '../runtime/data/seq2seq.js';
import type { Vocab } from '../runtime/text/vocab.js';
import type { Spec, StreamSpec } from '../spec/types.js';
import type { TrainingMeta } from './checkpoint.js';
import { evaluateLm, evaluateSeq2Seq, type BleuMethod, type LmEvalResult, type Seq2SeqEvalResult } from './evaluate.js';

interface Common { checkpoint: string; backend?: string; loadModule?: SpecModuleLoader }

async function withModel<T>(o: Common, task: 'seq2seq' | 'language-model', command: string, fn: (m: TrainedModel) => T): Promise<T> {
  const model = await loadTrainedModel(o.checkpoint, o.backend, o.loadModule);
  try {
    if (model.spec.task !== task) {
      const kind = (t: string) => (t === 'seq2seq' ? 'a seq2seq model' : 'a language model');
      throw new UserError(`${command} needs a ${task} checkpoint; ${o.checkpoint} holds ${kind(model.spec.task)}`,
        task === 'seq2seq' ? 'use `seqloom sample` for language models' : 'use `seqloom translate` for seq2seq models');
    }
    return fn(model);
  } finally {
    model.module.dispose();
  }
}

export interface TranslateOptions extends Common {
  sentences: string[];
  flags: DecodeFlags;
  /** Also return source/target tokens and attention weights (models with attention). */
  attention?: boolean;
}

export async function runTranslate(o: TranslateOptions): Promise<{ results: TranslationResult[]; notes: string[]; settings: DecodeSettings }> {
  return withModel(o, 'seq2seq', 'translate', (m) => {
    if (m.checkpoint.vocabs.task !== 'seq2seq') throw new UserError(`${o.checkpoint}: vocab.json lacks source/target`);
    const settings = resolveDecodeSettings(m.spec.decode, o.flags);
    const { source, target } = m.checkpoint.vocabs;
    const out = translateSentences(m.module as Seq2SeqModule, o.sentences, { source, target }, m.spec.data, settings, { attention: o.attention === true });
    return { ...out, settings };
  });
}

export interface SampleCommandOptions extends Common, SampleTextOptions {}

export type { SampleOutput };

export async function runSample(o: SampleCommandOptions): Promise<SampleOutput> {
  return withModel(o, 'language-model', 'sample', (m) => {
    if (m.checkpoint.vocabs.task !== 'language-model') throw new UserError(`${o.checkpoint}: vocab.json lacks tokens`);
    return sampleText(m.module as LanguageModelModule, m.checkpoint.vocabs.tokens, m.spec, o);
  });
}

/** The spec's data section as a checkpoint ran it: `--data`, else the path recorded at training. */
export function evalDataSpec(data: DataSpec, recordedPath: string | null, override: string | undefined): DataSpec {
  const p = override ?? recordedPath;
  if (p === null || p === undefined) return { ...data, path: null, resolvedPath: null };
  return { ...data, path: p, resolvedPath: p };
}

export interface EvalOptions extends Common { data?: string; bleu: BleuMethod; flags?: DecodeFlags }

export interface EvalOutput {
  result: Seq2SeqEvalResult | LmEvalResult;
  origin: string;
  /** The held-out split, the training split when the spec holds nothing out, or a separate test file. */
  split: 'valid' | 'train' | 'test';
  notes: string[];
  settings?: DecodeSettings;
}

/**
 * The pairs a seq2seq checkpoint is scored on, encoded with its vocabularies: a separate test file
 * (`--data` naming another file than the training data: every pair of it, no limit, nothing held
 * out), else the training data's held-out split as training made it (its training split when it
 * holds nothing out).
 */
function seq2seqEvalPairs(
  spec: Spec, meta: TrainingMeta, vocabs: { source: Vocab; target: Vocab }, dataArg: string | undefined,
): { pairs: EncodedPairs; origin: string; split: EvalOutput['split']; warnings: string[] } {
  const streams = { source: spec.data.source as StreamSpec, target: spec.data.target as StreamSpec };
  const testFile = dataArg !== undefined && dataArg !== meta.data.path ? dataArg : null;
  if (testFile !== null) {
    const read = readSeq2seqCorpus({ ...spec.data, path: testFile, resolvedPath: testFile, limit: null, valid_fraction: 0 });
    return { pairs: encodePairs(read.data.rows(), read.data.count, vocabs, streams), origin: read.origin, split: 'test', warnings: read.warnings };
  }
  const read = readSeq2seqCorpus(evalDataSpec(spec.data, meta.data.path, dataArg));
  const count = read.data.count;
  const nTrain = count - heldOutCount(count, spec.data.valid_fraction);
  const all = encodePairs(read.data.rows(), count, vocabs, streams);
  const split = nTrain < count ? 'valid' : 'train';
  return { pairs: split === 'valid' ? slicePairs(all, nTrain, count) : all, origin: read.origin, split, warnings: read.warnings };
}

export async function runEval(o: EvalOptions): Promise<EvalOutput> {
  const model = await loadTrainedModel(o.checkpoint, o.backend, o.loadModule);
  try {
    const { spec, checkpoint } = model;
    const dataSpec = evalDataSpec(spec.data, checkpoint.meta.data.path, o.data === undefined ? undefined : path.resolve(o.data));
    const v = checkpoint.vocabs;
    const notes: string[] = [];
    if (v.task === 'seq2seq') {
      const settings = resolveDecodeSettings(spec.decode, o.flags ?? {});
      const vocabs = { source: v.source, target: v.target };
      const { pairs, origin, split, warnings } = seq2seqEvalPairs(spec, checkpoint.meta, vocabs, o.data === undefined ? undefined : path.resolve(o.data));
      if (split === 'train') notes.push('note: the spec holds out no data (data.valid_fraction is 0); evaluating on the training split');
      const result = evaluateSeq2Seq(model.module as Seq2SeqModule, { pairs, vocabs }, settings, o.bleu);
      return { result, origin, split, notes: [...warnings, ...notes], settings };
    }
    const loaded = loadLmDataset(dataSpec);
    const d = loaded.data;
    const split = d.valid.length > 1 ? 'valid' : 'train';
    if (split === 'train') notes.push('note: the spec holds out no text (data.valid_fraction is 0); evaluating on the training split');
    const heldOut = split === 'valid' ? d.valid : d.train;
    // Ids under the checkpoint's vocabulary (the data's own vocabulary may differ with --data).
    const sameVocab = d.vocab.size === v.tokens.size && d.vocab.tokens.every((t, i) => t === v.tokens.tokens[i]);
    const stream = sameVocab ? heldOut : Int32Array.from(v.tokens.encode(d.vocab.decode(heldOut)));
    const result = evaluateLm(model.module as LanguageModelModule, stream, spec.train.batch_size, dataSpec.num_steps ?? 35);
    return { result, origin: loaded.origin, split, notes: [...loaded.warnings, ...notes] };
  } finally {
    model.module.dispose();
  }
}
