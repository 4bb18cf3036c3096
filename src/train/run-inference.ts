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
import { loadLmDataset, loadSeq2seqDataset } from '../runtime/data/load.js';
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
  /** The held-out split, or the training split when the spec holds nothing out. */
  split: 'valid' | 'train';
  notes: string[];
  settings?: DecodeSettings;
}

export async function runEval(o: EvalOptions): Promise<EvalOutput> {
  const model = await loadTrainedModel(o.checkpoint, o.backend, o.loadModule);
  try {
    const { spec, checkpoint } = model;
    const dataSpec = evalDataSpec(spec.data, checkpoint.meta.data.path, o.data === undefined ? undefined : path.resolve(o.data));
    const v = checkpoint.vocabs;
    const notes: string[] = [];
    if (v.task === 'seq2seq') {
      const loaded = loadSeq2seqDataset(dataSpec);
      const settings = resolveDecodeSettings(spec.decode, o.flags ?? {});
      const held = loaded.data.valid;
      const split = held.count > 0 ? 'valid' : 'train';
      const valid = held.count > 0 ? held : loaded.data.train;
      if (split === 'train') notes.push('note: the spec holds out no data (data.valid_fraction is 0); evaluating on the training split');
      const result = evaluateSeq2Seq(model.module as Seq2SeqModule, {
        sourceTokens: valid.sourceTokens, targetTokens: valid.targetTokens, vocabs: { source: v.source, target: v.target },
        maxLen: { source: valid.srcT, target: valid.tgtT },
      }, settings, o.bleu);
      return { result, origin: loaded.origin, split, notes: [...loaded.warnings, ...notes], settings };
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
