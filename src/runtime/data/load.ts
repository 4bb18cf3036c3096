/**
 * One call from a spec's `data` section to ready data: read the file (or generate the built-in
 * task when `data.path` is null), then build vocabularies and encoded splits. Files are streamed:
 * each pair goes straight into typed token rows (seq2seq.ts), so memory follows the token count,
 * not the file's text.
 */
import type { DataSpec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import type { TokenTypes } from '../text/token-types.js';
import { builtinPairs, builtinText, BUILTIN_DATA_SEED } from './builtin-numbers.js';
import { forEachPair, readText } from './readers.js';
import { PairCorpusBuilder, finishSeq2seqData, type Seq2seqData } from './seq2seq.js';
import { buildLmData, type LmData } from './lm.js';

export interface Loaded<T> {
  data: T;
  /** Where the data came from: the resolved file path, or a description of the built-in task. */
  origin: string;
  /** `file:line: problem` for skipped lines (first few), then a count; empty when all was well. */
  warnings: string[];
  skipped: number;
}

export const BUILTIN_SEQ2SEQ_ORIGIN = 'built-in task: English number words → French number words';
export const BUILTIN_TEXT_ORIGIN = 'built-in text: English number words, counting';

function dataPath(dataSpec: DataSpec): string | null {
  return dataSpec.resolvedPath ?? dataSpec.path;
}

/**
 * The pairs of a spec's data (`format: tsv`; the built-in task when no path is given), read into
 * token rows — the first `data.limit`. `types`: token tables to extend (encoding a test file with a
 * checkpoint's vocabulary keeps its own tables; any works).
 */
export function readSeq2seqCorpus(
  dataSpec: DataSpec, builtinSeed = BUILTIN_DATA_SEED, types?: { source: TokenTypes; target: TokenTypes },
): Loaded<PairCorpusBuilder> {
  const builder = new PairCorpusBuilder(dataSpec, types);
  const file = dataPath(dataSpec);
  if (file === null) {
    for (const p of builtinPairs(builtinSeed)) {
      if (!builder.wantsMore) break;
      builder.add(p);
    }
    return { data: builder, origin: BUILTIN_SEQ2SEQ_ORIGIN, warnings: [], skipped: 0 };
  }
  if (dataSpec.format !== 'tsv') {
    throw new UserError(`${file}: a seq2seq model reads data.format tsv (source<TAB>target), not ${dataSpec.format}`);
  }
  const read = forEachPair(file, { limit: dataSpec.limit, onBadLine: dataSpec.on_bad_line }, (p) => builder.add(p));
  return { data: builder, origin: file, warnings: read.warnings, skipped: read.skipped };
}

/** Seq2seq data for a spec (`format: tsv`), or the built-in numbers task when no path is given. */
export function loadSeq2seqDataset(dataSpec: DataSpec, builtinSeed = BUILTIN_DATA_SEED): Loaded<Seq2seqData> {
  const read = readSeq2seqCorpus(dataSpec, builtinSeed);
  return { ...read, data: finishSeq2seqData(read.data) };
}

/** Language-model data for a spec (`format: text`), or the built-in number-words text. */
export function loadLmDataset(dataSpec: DataSpec, builtinSeed = BUILTIN_DATA_SEED): Loaded<LmData> {
  const file = dataPath(dataSpec);
  if (file === null) {
    return { data: buildLmData(builtinText(builtinSeed), dataSpec), origin: BUILTIN_TEXT_ORIGIN, warnings: [], skipped: 0 };
  }
  if (dataSpec.format !== 'text') {
    throw new UserError(`${file}: a language model reads data.format text, not ${dataSpec.format}`);
  }
  const read = readText(file, { limit: dataSpec.limit, onBadLine: dataSpec.on_bad_line });
  return { data: buildLmData(read.text, dataSpec), origin: file, warnings: read.warnings, skipped: read.skipped };
}
