/**
 * A model from bytes or URLs, in the browser and in Node alike (browser-safe): the safetensors
 * weights, vocab.json, the inference spec (spec-json.ts) and the generated module (its class, or
 * the URL of its compiled JavaScript). Bad bytes get the CLI's errors: the same parsers and checks
 * (runtime/io/safetensors.ts, checkpoint-bytes.ts), with the URL where the CLI names the file.
 *
 *   const model = await loadModel({ weights: 'model.safetensors', vocab: 'vocab.json', spec, module: NumbersGru });
 *   model.translate(['twenty one'], { strategy: 'greedy' }).results  // as `seqloom translate --json`
 */
import { UserError } from '../errors.js';
import type { AnyModule, GeneratedModuleClass, LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import { parseSafetensors } from '../runtime/io/safetensors.js';
import {
  checkpointVocabs, floatTensors, instantiate, moduleConfig, parseJsonBytes, parseVocabJson, type CheckpointVocabs,
} from '../runtime/io/checkpoint-bytes.js';
import { translateSentences, type TranslationResult } from '../train/translate.js';
import { resolveDecodeSettings, type DecodeFlags, type DecodeSettings } from '../train/search.js';
import { sampleText, type SampleOutput, type SampleTextOptions } from '../train/sample-text.js';
import { parseInferenceSpec, type InferenceSpec } from './spec-json.js';
import { isBytes, loadBytes, resolveUrl, type Fetch, type Source } from './sources.js';

export interface ModelSources {
  /** model.safetensors. */
  weights: Source;
  /** vocab.json, or its parsed object. */
  vocab: Source | Record<string, unknown>;
  /** The inference spec, or its JSON. */
  spec: InferenceSpec | Source;
  /** The generated module class, or the URL of its compiled JavaScript (default export). */
  module: GeneratedModuleClass | URL | string;
  /** The module's seed (initialization and dropout only: decoding does not use it). Default 0. */
  seed?: number;
}

export interface LoadModelOptions { fetch?: Fetch }

/**
 * `translate` flags, as the CLI's: `beam` = `--beam k` (beam search of size k); `attention` =
 * `--attention` (source/target tokens and attention weights in each result; attention models).
 */
export interface TranslateFlags extends DecodeFlags { beam?: number; attention?: boolean }

export interface TranslateOutput { results: TranslationResult[]; notes: string[]; settings: DecodeSettings }

export interface WebModel {
  readonly spec: InferenceSpec;
  /** True for seq2seq models whose decoding can return attention weights (translate's `attention`). */
  readonly hasAttention: boolean;
  readonly module: AnyModule;
  readonly vocabs: CheckpointVocabs;
  /** Decodes every sentence in one batched search; `results` is `seqloom translate --json`'s. */
  translate(sentences: readonly string[], flags?: TranslateFlags): TranslateOutput;
  /** Language models: `seqloom sample`'s output (its --json fields, plus notes). */
  sample(options: SampleTextOptions): SampleOutput;
  dispose(): void;
}

export async function loadModel(sources: ModelSources, options: LoadModelOptions = {}): Promise<WebModel> {
  const [spec, ModuleClass, vocab, weights] = await Promise.all([
    loadSpec(sources.spec, options.fetch),
    loadModuleClass(sources.module),
    loadVocab(sources.vocab, options.fetch),
    loadBytes(sources.weights, 'model.safetensors', options.fetch),
  ]);
  if (ModuleClass.specName !== spec.name || ModuleClass.task !== spec.task) {
    throw new UserError(`the generated module is for '${ModuleClass.specName}' (${ModuleClass.task}), the spec is '${spec.name}' (${spec.task})`,
      'load the module generated from this spec');
  }
  const vocabs = checkpointVocabs(vocab.value, spec.task, vocab.where);
  const { tensors, metadata } = parseSafetensors(weights.bytes, weights.where);
  if (metadata.spec_hash !== undefined && metadata.spec_hash !== spec.spec_hash) {
    throw new UserError(`${weights.where}: was saved for a different spec than this page's (spec_hash differs)`,
      'export the checkpoint again, or use the weights it was trained with');
  }
  const module = instantiate(ModuleClass, moduleConfig(vocabs, sources.seed ?? 0), floatTensors(tensors, weights.where), weights.where);
  return makeModel(spec, module, vocabs);
}

function makeModel(spec: InferenceSpec, module: AnyModule, vocabs: CheckpointVocabs): WebModel {
  const hasAttention = vocabs.task === 'seq2seq' && typeof (module as Seq2SeqModule).attentionNode === 'string';
  return {
    spec, module, vocabs, hasAttention,
    translate(sentences, flags = {}) {
      if (vocabs.task !== 'seq2seq') throw new UserError('translate needs a seq2seq model; this is a language model', 'use sample');
      const { beam, attention, ...rest } = flags;
      const settings = resolveDecodeSettings(spec.decode, beam === undefined ? rest : { ...rest, beamSize: rest.beamSize ?? beam });
      const out = translateSentences(module as Seq2SeqModule, sentences, { source: vocabs.source, target: vocabs.target }, spec.data, settings,
        { attention: attention === true });
      return { ...out, settings };
    },
    sample(o) {
      if (vocabs.task !== 'language-model') throw new UserError('sample needs a language model; this is a seq2seq model', 'use translate');
      return sampleText(module as LanguageModelModule, vocabs.tokens, spec, o);
    },
    dispose() {
      module.dispose();
    },
  };
}

async function loadSpec(source: InferenceSpec | Source, fetchImpl?: Fetch): Promise<InferenceSpec> {
  if (!isBytes(source) && !(source instanceof URL) && typeof source !== 'string') return parseInferenceSpec(source, 'the spec');
  const { bytes, where } = await loadBytes(source, 'spec.json', fetchImpl);
  return parseInferenceSpec(parseJsonBytes(bytes, where), where);
}

async function loadVocab(source: Source | Record<string, unknown>, fetchImpl?: Fetch): Promise<{ value: ReturnType<typeof parseVocabJson>; where: string }> {
  if (!isBytes(source) && !(source instanceof URL) && typeof source !== 'string') return { value: parseVocabJson(source, 'vocab.json'), where: 'vocab.json' };
  const { bytes, where } = await loadBytes(source, 'vocab.json', fetchImpl);
  return { value: parseVocabJson(parseJsonBytes(bytes, where), where), where };
}

async function loadModuleClass(source: GeneratedModuleClass | URL | string): Promise<GeneratedModuleClass> {
  if (typeof source === 'function') return checkedClass(source, 'the module');
  const url = resolveUrl(source);
  let imported: { default?: unknown };
  try {
    imported = await import(/* @vite-ignore */ url) as { default?: unknown };
  } catch (err) {
    throw new UserError(`${url}: cannot import the generated module (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  return checkedClass(imported.default, url);
}

function checkedClass(value: unknown, where: string): GeneratedModuleClass {
  const cls = value as { specName?: unknown; task?: unknown } | undefined;
  if (typeof value !== 'function' || typeof cls?.specName !== 'string' || (cls.task !== 'seq2seq' && cls.task !== 'language-model')) {
    throw new UserError(`${where}: not a generated seqloom module (its default export needs specName and task)`);
  }
  return value as GeneratedModuleClass;
}
