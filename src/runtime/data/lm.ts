/**
 * Language-model data: a text corpus → one token-id stream (d2l's `load_corpus_time_machine`) and
 * the two d2l minibatch iterators over it.
 *
 * d2l equivalence: each line is preprocessed and tokenized on its own and the lines' tokens are
 * concatenated with nothing between them (so with `char` tokens the last letter of a line touches the
 * first of the next, exactly as d2l's corpus does); blank lines contribute nothing. With
 * `[letters-only, lowercase]` and `char`, timemachine.txt gives d2l's 170,580 tokens and 27 symbols
 * (26 letters and space) — 31 ids with seqloom's four specials.
 */
import type { DataSpec, StreamSpec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import { preprocess } from '../text/preprocess.js';
import { tokenize } from '../text/tokenize.js';
import { TokenTypes } from '../text/token-types.js';
import type { Vocab } from '../text/vocab.js';
import { GrowableInt32 } from './growable.js';
import { randomInt, shuffleInPlace, toRandomSource, type RandomSource } from './rng.js';
import { heldOutCount } from './seq2seq.js';
import { StreamCodec } from './stream-rows.js';
import { learnStreamBpe, mergesOf, subwordVocab, tokenVocab, type RawRows } from './vocabs.js';

export interface LmCorpus {
  vocab: Vocab;
  /** Token ids of the whole text, in order. */
  corpus: Int32Array;
  /** Token ids per line (before concatenation), for splitting by line. */
  lineLengths: Int32Array;
}

export interface LmData {
  vocab: Vocab;
  tokens: StreamSpec;
  train: Int32Array;
  valid: Int32Array;
}

/** Row-major int32 arrays: `y` is `x` shifted by one token. */
export interface LmBatchArrays {
  batch: number;
  steps: number;
  x: Int32Array; // [batch·steps]
  y: Int32Array; // [batch·steps]
}

function tokensStream(dataSpec: DataSpec): StreamSpec {
  if (!dataSpec.tokens) throw new UserError('data.tokens is missing: the tokenizer and min_freq of the tokens stream');
  return dataSpec.tokens;
}

/**
 * The text's lines (first `limit`), tokenized into typed rows, and a vocabulary over all of them
 * (`tokenizer: bpe`: merges learned on the lines before the held-out tail).
 */
export function lmCorpus(text: string, dataSpec: DataSpec): LmCorpus {
  const stream = tokensStream(dataSpec);
  let lines = text.split(/\r?\n/);
  if (dataSpec.limit !== null) lines = lines.slice(0, dataSpec.limit);
  const types = new TokenTypes();
  const ids = new GrowableInt32(1 << 16), offsets = new GrowableInt32(lines.length + 1);
  offsets.push(0);
  for (const line of lines) {
    for (const tok of tokenize(preprocess(line, dataSpec.preprocess), stream.tokenizer)) ids.push(types.intern(tok));
    offsets.push(ids.length);
  }
  const raw: RawRows = { types, ids: ids.toArray(), offsets: offsets.toArray() };
  const maxVocab = dataSpec.max_vocab ?? null;
  const vocab = stream.tokenizer === 'bpe'
    ? (() => {
      const nTrain = lines.length - heldOutCount(lines.length, dataSpec.valid_fraction);
      return subwordVocab(raw, nTrain, learnStreamBpe([raw], nTrain, mergesOf(stream, 'tokens')), stream, maxVocab);
    })()
    : tokenVocab(raw, lines.length, stream, maxVocab);
  const codec = new StreamCodec(vocab, types);
  const codes = codec.codes();
  const lineLengths = new Int32Array(lines.length);
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    for (let k = raw.offsets[i]!; k < raw.offsets[i + 1]!; k++) lineLengths[i] += codec.length(raw.ids[k]!);
    total += lineLengths[i]!;
  }
  if (total === 0) throw new UserError('the language-model text has no tokens after preprocessing');
  const corpus = new Int32Array(total);
  let at = 0;
  for (let k = 0; k < raw.ids.length; k++) {
    const t = raw.ids[k]!;
    corpus.set(codes.subarray(codec.start(t), codec.start(t + 1)), at);
    at += codec.length(t);
  }
  return { vocab, corpus, lineLengths };
}

/** Corpus, vocabulary and a held-out tail: the last `valid_fraction` of the lines. */
export function buildLmData(text: string, dataSpec: DataSpec): LmData {
  const { vocab, corpus, lineLengths } = lmCorpus(text, dataSpec);
  const validLines = heldOutCount(lineLengths.length, dataSpec.valid_fraction);
  let validTokens = 0;
  for (let i = lineLengths.length - validLines; i < lineLengths.length; i++) validTokens += lineLengths[i]!;
  const cut = corpus.length - validTokens;
  return { vocab, tokens: tokensStream(dataSpec), train: corpus.slice(0, cut), valid: corpus.slice(cut) };
}

function checkShape(corpus: Int32Array, batchSize: number, numSteps: number, need: number, how: string): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`batch_size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new UserError(`data.num_steps must be a positive integer, got ${numSteps}`);
  if (corpus.length < need) {
    throw new UserError(
      `the language-model corpus has ${corpus.length} tokens, too few for ${how} batches of ` +
      `batch_size ${batchSize} × num_steps ${numSteps} (needs ${need})`,
      'use more text, or a smaller batch_size or data.num_steps');
  }
}

/**
 * d2l `seq_data_iter_random`: drop a random 0..numSteps-1 tokens from the start, cut the rest into
 * `numSteps`-long subsequences, shuffle them, and group `batchSize` at a time (the remainder is dropped).
 * Adjacent batches are not contiguous, so the hidden state must not be carried across them.
 */
export function lmBatchesRandom(
  corpus: Int32Array, batchSize: number, numSteps: number, rng: RandomSource | number,
): LmBatchArrays[] {
  checkShape(corpus, batchSize, numSteps, batchSize * numSteps + numSteps, 'random');
  const random = toRandomSource(rng);
  const offset = randomInt(random, 0, numSteps - 1);
  const numSubseqs = Math.floor((corpus.length - offset - 1) / numSteps);
  const starts = Array.from({ length: numSubseqs }, (_, i) => offset + i * numSteps);
  shuffleInPlace(starts, random);
  const numBatches = Math.floor(numSubseqs / batchSize);
  const batches: LmBatchArrays[] = [];
  for (let b = 0; b < numBatches; b++) {
    const x = new Int32Array(batchSize * numSteps);
    const y = new Int32Array(batchSize * numSteps);
    for (let r = 0; r < batchSize; r++) {
      const s = starts[b * batchSize + r]!;
      x.set(corpus.subarray(s, s + numSteps), r * numSteps);
      y.set(corpus.subarray(s + 1, s + 1 + numSteps), r * numSteps);
    }
    batches.push({ batch: batchSize, steps: numSteps, x, y });
  }
  return batches;
}

/**
 * d2l `seq_data_iter_sequential`: drop a random 0..numSteps tokens from the start, lay the rest out
 * as `batchSize` parallel streams, and walk them `numSteps` at a time. Row r of batch k+1 continues
 * row r of batch k, so the hidden state may be carried (`train.carry_state`).
 */
export function lmBatchesSequential(
  corpus: Int32Array, batchSize: number, numSteps: number, rng: RandomSource | number,
): LmBatchArrays[] {
  checkShape(corpus, batchSize, numSteps, batchSize * numSteps + numSteps + 1, 'sequential');
  const offset = randomInt(toRandomSource(rng), 0, numSteps);
  const perRow = Math.floor((corpus.length - offset - 1) / batchSize); // tokens per stream
  const numBatches = Math.floor(perRow / numSteps);
  const batches: LmBatchArrays[] = [];
  for (let k = 0; k < numBatches; k++) {
    const x = new Int32Array(batchSize * numSteps);
    const y = new Int32Array(batchSize * numSteps);
    for (let r = 0; r < batchSize; r++) {
      const s = offset + r * perRow + k * numSteps;
      x.set(corpus.subarray(s, s + numSteps), r * numSteps);
      y.set(corpus.subarray(s + 1, s + 1 + numSteps), r * numSteps);
    }
    batches.push({ batch: batchSize, steps: numSteps, x, y });
  }
  return batches;
}
