/**
 * Data, browser-safe: the built-in task, seq2seq and language-model encoding and batching. Reading
 * data files (readPairs, readText, forEachPair, loadSeq2seqDataset, loadLmDataset, readSeq2seqCorpus)
 * is Node-only: seqloom/runtime/node (src/runtime/node/index.ts).
 */
export { mulberry32, toRandomSource, randomInt, shuffleInPlace, shuffledIndices, epochSeed, type RandomSource } from './rng.js';
export { firstInvalidUtf8 } from './utf8.js';
export type { SentencePair } from './readers.js';
export {
  numberToEnglish, numberToFrench, builtinPairs, builtinText,
  BUILTIN_MAX_NUMBER, BUILTIN_PAIR_COUNT, BUILTIN_DATA_SEED, BUILTIN_TEXT_LINES, type BuiltinOptions,
} from './builtin-numbers.js';
export {
  buildSeq2seqData, sentenceTokens, encodeInto, encodeSequences, encodeSourceSentences, heldOutCount,
  PairCorpusBuilder, finishSeq2seqData, encodePairs, encodeTokenPairs, slicePairs, splitTokens,
  type EncodedPairs, type Seq2seqData, type Truncation,
} from './seq2seq.js';
export {
  StreamCodec, writeRow, rowTokens, sliceRows, validLengths, encodedLength, type StreamRows,
} from './stream-rows.js';
export { GrowableInt32 } from './growable.js';
export { buildPairVocabs, learnStreamBpe, subwordVocab, tokenVocab, type RawRows } from './vocabs.js';
export {
  seq2seqBatches, seq2seqBatch, planBatches, epochBatchPlan, batchPadding, trimsBatches,
  type Seq2seqBatchArrays, type BatchingOptions,
} from './batches.js';
export {
  lmCorpus, buildLmData, lmBatchesRandom, lmBatchesSequential,
  type LmCorpus, type LmData, type LmBatchArrays,
} from './lm.js';
