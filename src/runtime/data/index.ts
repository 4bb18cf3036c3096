/** Data: readers, the built-in task, seq2seq and language-model encoding and batching. */
export { mulberry32, toRandomSource, randomInt, shuffleInPlace, shuffledIndices, type RandomSource } from './rng.js';
export { firstInvalidUtf8 } from './utf8.js';
export { MAX_DATA_FILE_BYTES, MAX_LINE_WARNINGS, type OnBadLine } from './read-lines.js';
export {
  readPairs, readText, DEFAULT_TSV_MAX_LINE_BYTES, DEFAULT_TEXT_MAX_LINE_BYTES,
  type SentencePair, type ReadOptions, type PairsRead, type TextRead,
} from './readers.js';
export {
  numberToEnglish, numberToFrench, builtinPairs, builtinText,
  BUILTIN_MAX_NUMBER, BUILTIN_PAIR_COUNT, BUILTIN_DATA_SEED, BUILTIN_TEXT_LINES, type BuiltinOptions,
} from './builtin-numbers.js';
export {
  buildSeq2seqData, sentenceTokens, encodeInto, encodeSequences, encodeSourceSentences, heldOutCount,
  type EncodedPairs, type Seq2seqData, type Truncation,
} from './seq2seq.js';
export { seq2seqBatches, type Seq2seqBatchArrays } from './batches.js';
export {
  lmCorpus, buildLmData, lmBatchesRandom, lmBatchesSequential,
  type LmCorpus, type LmData, type LmBatchArrays,
} from './lm.js';
export {
  loadSeq2seqDataset, loadLmDataset, BUILTIN_SEQ2SEQ_ORIGIN, BUILTIN_TEXT_ORIGIN, type Loaded,
} from './load.js';
