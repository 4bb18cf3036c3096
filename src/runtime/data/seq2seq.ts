/**
 * Sentence pairs → vocabularies and encoded splits (d2l's `build_array_nmt`, in typed arrays).
 *
 * Pairs go through a PairCorpusBuilder one at a time (a reader streams them in): each side is
 * preprocessed and tokenized, and its tokens stored as int32 type ids (stream-rows.ts). Vocabularies
 * come from the rows (vocabs.ts); rows are encoded when batches are built.
 *
 * Encoding: tokens → ids, `<eos>` appended, then truncated or padded with `<pad>` to the stream's
 * `max_len`. Truncation follows d2l's `truncate_pad`: it cuts AFTER appending `<eos>`, so an
 * over-long sentence loses its `<eos>` (the model is never taught to stop mid-sentence; decoding
 * stops at `max_len` anyway). The valid length is the number of non-pad tokens: min(ids + 1, max_len).
 */
import type { DataSpec, StreamSpec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import { preprocess } from '../text/preprocess.js';
import { tokenize } from '../text/tokenize.js';
import { TokenTypes } from '../text/token-types.js';
import type { Vocab } from '../text/vocab.js';
import { GrowableInt32 } from './growable.js';
import type { SentencePair } from './readers.js';
import { StreamCodec, rowTokens, sliceRows, validLengths, type StreamRows } from './stream-rows.js';
import { buildPairVocabs, type RawRows } from './vocabs.js';

export type Truncation = 'd2l' | 'keep-eos';

/** One split: `count` examples, each stream's rows in typed arrays (encode with `writeRow`). */
export interface EncodedPairs {
  count: number;
  /** The streams' `max_len`: the widest a row gets. */
  srcT: number;
  tgtT: number;
  /** [count] valid lengths (`<eos>` included when it fits). */
  srcLen: Int32Array;
  tgtLen: Int32Array;
  source: StreamRows;
  target: StreamRows;
}

export interface Seq2seqData {
  srcVocab: Vocab;
  tgtVocab: Vocab;
  train: EncodedPairs;
  valid: EncodedPairs;
  source: StreamSpec;
  target: StreamSpec;
}

/** Preprocess and tokenize one sentence the way `data` says (for training data and for user input). */
export function sentenceTokens(text: string, dataSpec: Pick<DataSpec, 'preprocess'>, stream: StreamSpec): string[] {
  return tokenize(preprocess(text, dataSpec.preprocess), stream.tokenizer);
}

/**
 * Write `ids` + `<eos>`, truncated/padded to `maxLen`, into `out` at `offset`; returns the valid length.
 */
export function encodeInto(
  ids: readonly number[], maxLen: number, vocab: Vocab, out: Int32Array, offset: number,
  truncation: Truncation = 'd2l',
): number {
  const withEos = ids.length + 1;
  const keep = truncation === 'keep-eos' ? Math.min(ids.length, maxLen - 1) : Math.min(ids.length, maxLen);
  for (let t = 0; t < keep; t++) out[offset + t] = ids[t]!;
  let len = keep;
  if (keep < maxLen && (truncation === 'keep-eos' || withEos <= maxLen)) out[offset + len++] = vocab.eos;
  for (let t = len; t < maxLen; t++) out[offset + t] = vocab.pad;
  return len;
}

/** Encode one stream's token lists (words, for BPE) into a fixed-width block. */
export function encodeSequences(
  sequences: readonly string[][], vocab: Vocab, maxLen: number, truncation: Truncation = 'd2l',
): { ids: Int32Array; lengths: Int32Array } {
  const ids = new Int32Array(sequences.length * maxLen);
  const lengths = new Int32Array(sequences.length);
  sequences.forEach((seq, i) => {
    lengths[i] = encodeInto(vocab.encodeWords(seq), maxLen, vocab, ids, i * maxLen, truncation);
  });
  return { ids, lengths };
}

function requireStream(dataSpec: DataSpec, name: 'source' | 'target' | 'tokens'): StreamSpec {
  const stream = dataSpec[name];
  if (!stream) throw new UserError(`data.${name} is missing: the tokenizer, min_freq and max_len of the ${name} stream`);
  if (!Number.isInteger(stream.max_len) || stream.max_len < 1) {
    throw new UserError(`data.${name}.max_len must be a positive integer, got ${stream.max_len}`);
  }
  return stream;
}

/** How many of `count` examples are held out: round(count·fraction), leaving at least one for training. */
export function heldOutCount(count: number, fraction: number): number {
  if (!(fraction >= 0 && fraction < 1)) throw new UserError(`data.valid_fraction must be in [0, 1), got ${fraction}`);
  return Math.min(Math.round(count * fraction), count - 1);
}

/** One side of the builder: type ids and row offsets, growing. */
class RowsBuilder {
  readonly types: TokenTypes;
  private readonly ids = new GrowableInt32(1 << 16);
  private readonly offsets = new GrowableInt32(1 << 12);
  constructor(types = new TokenTypes()) {
    this.types = types;
    this.offsets.push(0);
  }
  add(tokens: readonly string[]): void {
    for (const t of tokens) this.ids.push(this.types.intern(t));
    this.offsets.push(this.ids.length);
  }
  rows(): RawRows {
    return { types: this.types, offsets: this.offsets.toArray(), ids: this.ids.toArray() };
  }
}

/** Collects sentence pairs as typed token rows (first `data.limit` of them). */
export class PairCorpusBuilder {
  private readonly src: RowsBuilder;
  private readonly tgt: RowsBuilder;
  readonly source: StreamSpec;
  readonly target: StreamSpec;
  count = 0;

  /** `types`: tables to extend (a test file encoded with a training set's tables); fresh ones otherwise. */
  constructor(readonly dataSpec: DataSpec, types?: { source: TokenTypes; target: TokenTypes }) {
    this.source = requireStream(dataSpec, 'source');
    this.target = requireStream(dataSpec, 'target');
    this.src = new RowsBuilder(types?.source);
    this.tgt = new RowsBuilder(types?.target);
  }

  /** False once `data.limit` pairs are in (the caller can stop reading). */
  get wantsMore(): boolean {
    return this.dataSpec.limit === null || this.count < this.dataSpec.limit;
  }

  add(pair: SentencePair): void {
    this.src.add(sentenceTokens(pair.source, this.dataSpec, this.source));
    this.tgt.add(sentenceTokens(pair.target, this.dataSpec, this.target));
    this.count++;
  }

  /** Pre-tokenized pairs (tokens as `sentenceTokens` gives them). */
  addTokens(source: readonly string[], target: readonly string[]): void {
    this.src.add(source);
    this.tgt.add(target);
    this.count++;
  }

  rows(): { source: RawRows; target: RawRows } {
    return { source: this.src.rows(), target: this.tgt.rows() };
  }
}

function streamRows(raw: RawRows, vocab: Vocab, count: number, maxLen: number): StreamRows {
  const codec = new StreamCodec(vocab, raw.types);
  const rows = { ...raw, codec };
  return { ...rows, maxLen, len: validLengths(rows, count, maxLen) };
}

/** All of a builder's pairs encoded with the given vocabularies (one split). */
export function encodePairs(
  raw: { source: RawRows; target: RawRows }, count: number, vocabs: { source: Vocab; target: Vocab },
  streams: { source: StreamSpec; target: StreamSpec },
): EncodedPairs {
  const source = streamRows(raw.source, vocabs.source, count, streams.source.max_len);
  const target = streamRows(raw.target, vocabs.target, count, streams.target.max_len);
  return { count, srcT: source.maxLen, tgtT: target.maxLen, srcLen: source.len, tgtLen: target.len, source, target };
}

/** Examples [from, to) of a split, sharing its arrays. */
export function slicePairs(e: EncodedPairs, from: number, to: number): EncodedPairs {
  const source = sliceRows(e.source, from, to), target = sliceRows(e.target, from, to);
  return { ...e, count: to - from, srcLen: source.len, tgtLen: target.len, source, target };
}

/** Vocabularies (vocabs.ts) and the train/valid splits: the last `valid_fraction` is held out. */
export function finishSeq2seqData(builder: PairCorpusBuilder): Seq2seqData {
  const { dataSpec, source, target, count } = builder;
  if (count === 0) throw new UserError('no sentence pairs to train on');
  const raw = builder.rows();
  const nTrain = count - heldOutCount(count, dataSpec.valid_fraction);
  const { srcVocab, tgtVocab } = buildPairVocabs(raw, count, nTrain, dataSpec);
  const all = encodePairs(raw, count, { source: srcVocab, target: tgtVocab }, { source, target });
  return {
    srcVocab, tgtVocab, source, target,
    train: slicePairs(all, 0, nTrain), valid: slicePairs(all, nTrain, count),
  };
}

/** Pairs → vocabularies and encoded train/valid splits (`limit` keeps the first N pairs). */
export function buildSeq2seqData(pairs: Iterable<SentencePair>, dataSpec: DataSpec): Seq2seqData {
  const builder = new PairCorpusBuilder(dataSpec);
  for (const p of pairs) {
    if (!builder.wantsMore) break;
    builder.add(p);
  }
  return finishSeq2seqData(builder);
}

/** Token lists (as `sentenceTokens` gives them) encoded with existing vocabularies: one split. */
export function encodeTokenPairs(
  sourceTokens: readonly string[][], targetTokens: readonly string[][], vocabs: { source: Vocab; target: Vocab },
  streams: { source: StreamSpec; target: StreamSpec },
): EncodedPairs {
  const b = new PairCorpusBuilder({ ...emptyDataSpec, source: streams.source, target: streams.target });
  sourceTokens.forEach((s, i) => b.addTokens(s, targetTokens[i]!));
  return encodePairs(b.rows(), b.count, vocabs, streams);
}

const emptyDataSpec: DataSpec = {
  path: null, resolvedPath: null, format: 'tsv', limit: null, preprocess: [], on_bad_line: 'error', valid_fraction: 0,
};

/** A split's tokens per example, as string lists (small splits: tests, printing). */
export function splitTokens(e: EncodedPairs, side: 'source' | 'target'): string[][] {
  return Array.from({ length: e.count }, (_, i) => rowTokens(e[side], i));
}

/**
 * User sentences (translate, eval) → a source batch with the checkpoint's vocabulary:
 * `{ src: Int32Array [batch·srcT], srcLen: Int32Array [batch] }`.
 */
export function encodeSourceSentences(
  sentences: readonly string[], srcVocab: Vocab, dataSpec: DataSpec,
): { src: Int32Array; srcLen: Int32Array; batch: number; srcT: number; tokens: string[][] } {
  const source = requireStream(dataSpec, 'source');
  const tokens = sentences.map((s) => sentenceTokens(s, dataSpec, source));
  const { ids, lengths } = encodeSequences(tokens, srcVocab, source.max_len);
  return { src: ids, srcLen: lengths, batch: sentences.length, srcT: source.max_len, tokens };
}
