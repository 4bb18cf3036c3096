/**
 * The data a training run uses: the spec's `data` section, `--data` overriding its path, the
 * built-in task when neither names a file, or a folder made by `seqloom prepare` (its batches as
 * written: ./prepared/read.ts); vocabularies and the per-epoch batches.
 */
import path from 'node:path';
import type { DataSpec, Spec, StreamSpec } from '../spec/types.js';
import type { Vocab } from '../runtime/text/vocab.js';
import type { ModuleConfig } from '../runtime/module.js';
import { loadLmDataset, loadSeq2seqDataset } from '../runtime/data/load.js';
import type { CheckpointVocabs } from './checkpoint.js';
import type { EpochData } from './trainer.js';
import { lmEpochs, seq2seqEpochs } from './epoch-data.js';
import type { ValidationSet } from './validation.js';
import { readSeq2seqCorpus } from '../runtime/data/load.js';
import { readText } from '../runtime/data/readers.js';
import { encodePairs } from '../runtime/data/seq2seq.js';
import { preprocess } from '../runtime/text/preprocess.js';
import { tokenize } from '../runtime/text/tokenize.js';
import { UserError } from '../errors.js';
import type { Showcase } from './show-examples.js';
import { isPreparedDir, loadPreparedData, type PreparedFolder } from './prepared/read.js';

export interface TrainingData {
  vocabs: CheckpointVocabs;
  vocabSizes: ModuleConfig['vocab'];
  epochs: EpochData;
  /** The resolved data file, or null for the built-in task. */
  path: string | null;
  /** Where the data came from, for messages. */
  origin: string;
  /** Sizes, for the start-of-training line. */
  description: string;
  warnings: string[];
  /** What `train --show` decodes after training (held-out sentences, or the text's start). */
  showcase: Showcase;
  /** Epochs of batches there are (prepared data holds a fixed number); undefined: any number. */
  maxEpochs?: number;
  /** The prepared folder the batches come from (`--data DIR` made by `seqloom prepare`). */
  prepared?: PreparedFolder;
  /** The held-out split as a validation set (null when nothing is held out). */
  heldOut: ValidationSet | null;
  /** The data spec as loaded (path resolved). */
  dataSpec: DataSpec;
}

/** The spec's data section with `--data` (relative to the working directory) as its path. */
export function dataSpecWith(data: DataSpec, override: string | undefined): DataSpec {
  if (override === undefined) return data;
  return { ...data, path: override, resolvedPath: path.resolve(override) };
}

export function loadTrainingData(spec: Spec, dataOverride: string | undefined, seed: number): TrainingData {
  const dataSpec = dataSpecWith(spec.data, dataOverride);
  const file = dataSpec.resolvedPath ?? (dataSpec.path === null ? null : path.resolve(path.dirname(spec.file), dataSpec.path));
  if (file !== null && isPreparedDir(file)) return loadPreparedData(file, spec, seed);
  const resolved = { ...dataSpec, resolvedPath: file };
  if (spec.task === 'seq2seq') {
    const loaded = loadSeq2seqDataset(resolved);
    const d = loaded.data;
    const split = d.valid.count > 0 ? d.valid : d.train;
    return {
      vocabs: { task: 'seq2seq', source: d.srcVocab, target: d.tgtVocab },
      vocabSizes: { source: d.srcVocab.size, target: d.tgtVocab.size },
      epochs: seq2seqEpochs(d, spec.train, seed, resolved),
      path: file, origin: loaded.origin, warnings: loaded.warnings,
      description: `${d.train.count} training pairs, ${d.valid.count} held out; vocabularies ${d.srcVocab.size} → ${d.tgtVocab.size}`,
      heldOut: d.valid.count > 0
        ? { task: 'seq2seq', pairs: d.valid, vocabs: { source: d.srcVocab, target: d.tgtVocab }, origin: 'the held-out split' } : null,
      dataSpec: resolved,
      showcase: {
        task: 'seq2seq', split: d.valid.count > 0 ? 'held-out' : 'training', pairs: split,
        vocabs: { source: d.srcVocab, target: d.tgtVocab }, streams: { source: d.source, target: d.target },
      },
    };
  }
  const loaded = loadLmDataset(resolved);
  const d = loaded.data;
  return {
    vocabs: { task: 'language-model', tokens: d.vocab },
    vocabSizes: { tokens: d.vocab.size },
    epochs: lmEpochs(d, resolved, spec.train, seed),
    path: file, origin: loaded.origin, warnings: loaded.warnings,
    description: `${d.train.length} training tokens, ${d.valid.length} held out; vocabulary ${d.vocab.size}`,
    heldOut: d.valid.length > 1 ? lmValidationSet(d.valid, resolved, spec, 'the held-out split') : null,
    dataSpec: resolved,
    showcase: { task: 'language-model', prefix: lmPrefix(d.train, d.vocab, d.tokens), vocab: d.vocab, stream: d.tokens },
  };
}

/** The first few words of the text (4 words; for characters, the whole words within 24). */
export function lmPrefix(stream: Int32Array, vocab: Vocab, tokens: StreamSpec): number[] {
  if (tokens.tokenizer !== 'char') return Array.from(stream.subarray(0, 4));
  const head = Array.from(stream.subarray(0, 24));
  const lastSpace = vocab.has(' ') ? head.lastIndexOf(vocab.id(' ')) : -1;
  return lastSpace > 0 ? head.slice(0, lastSpace) : head;
}

function lmValidationSet(stream: Int32Array, dataSpec: DataSpec, spec: Spec, origin: string): ValidationSet {
  return { task: 'language-model', stream, batchSize: spec.train.batch_size, numSteps: dataSpec.num_steps ?? 35, origin };
}

/**
 * `train --valid FILE`: a file read like the training data (its format, preprocessing and bad-line
 * policy; no limit, nothing held out) and encoded with the training vocabularies.
 */
export function loadValidationFile(spec: Spec, data: TrainingData, file: string): { set: ValidationSet; warnings: string[] } {
  const abs = path.resolve(file);
  const dataSpec: DataSpec = { ...data.dataSpec, path: abs, resolvedPath: abs, limit: null, valid_fraction: 0 };
  if (data.vocabs.task === 'seq2seq') {
    const read = readSeq2seqCorpus(dataSpec);
    const streams = { source: dataSpec.source!, target: dataSpec.target! };
    const vocabs = { source: data.vocabs.source, target: data.vocabs.target };
    return { set: { task: 'seq2seq', pairs: encodePairs(read.data.rows(), read.data.count, vocabs, streams), vocabs, origin: abs }, warnings: read.warnings };
  }
  const read = readText(abs, { onBadLine: dataSpec.on_bad_line });
  const vocab = data.vocabs.tokens;
  const ids: number[] = [];
  for (const line of read.text.split('\n')) ids.push(...vocab.encodeWords(tokenize(preprocess(line, dataSpec.preprocess), dataSpec.tokens!.tokenizer)));
  if (ids.length < 2) throw new UserError(`${abs}: the validation text has fewer than 2 tokens`);
  return { set: lmValidationSet(Int32Array.from(ids), dataSpec, spec, abs), warnings: read.warnings };
}
