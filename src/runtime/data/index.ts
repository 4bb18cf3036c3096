/**
 * Data, browser-safe: the built-in task, seq2seq and language-model encoding and batching. Reading
 * data files (readPairs, readText, loadSeq2seqDataset, loadLmDataset) is Node-only:
 * seqloom/runtime/node (src/runtime/node/index.ts).
 */
export { mulberry32, toRandomSource, randomInt, shuffleInPlace, shuffledIndices, type RandomSource } from './rng.js';
export { firstInvalidUtf8 } from './utf8.js';
export type { SentencePair } from './readers.js';
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
