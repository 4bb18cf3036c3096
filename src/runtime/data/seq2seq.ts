/**
 * Sentence pairs → vocabularies and fixed-width encoded arrays (d2l's `build_array_nmt`).
 *
 * Encoding: tokens → ids, `<eos>` appended, then truncated or padded with `<pad>` to the stream's
 * `max_len`. Truncation follows d2l's `truncate_pad` by default: it cuts AFTER appending `<eos>`, so
 * an over-long sentence loses its `<eos>` (the model is never taught to stop mid-sentence; decoding
 * stops at `max_len` anyway). `truncation: 'keep-eos'` keeps `<eos>` as the last token instead.
 * The valid length is the number of non-pad tokens: min(tokens + 1, max_len).
 *
 * The vocabularies are built from all examples, held-out split included, as d2l builds them from all
 * `num_examples` pairs — so vocabulary sizes (and embedding shapes) match d2l's for the same data.
 */
import type { DataSpec, StreamSpec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import { preprocess } from '../text/preprocess.js';
import { tokenize } from '../text/tokenize.js';
import { Vocab } from '../text/vocab.js';
import type { SentencePair } from './readers.js';

export type Truncation = 'd2l' | 'keep-eos';

/** One split, row-major: example i's tokens are `src[i*srcT .. (i+1)*srcT)`. */
export interface EncodedPairs {
  count: number;
  srcT: number;
  tgtT: number;
  src: Int32Array;     // [count·srcT]
  srcLen: Int32Array;  // [count]
  tgt: Int32Array;     // [count·tgtT]  target, <eos> appended (unless truncated away), padded
  tgtLen: Int32Array;  // [count]
  /** The preprocessed tokens before truncation (BLEU references, printing). */
  sourceTokens: string[][];
  targetTokens: string[][];
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

/** Encode one stream's token lists into a fixed-width block. */
export function encodeSequences(
  sequences: readonly string[][], vocab: Vocab, maxLen: number, truncation: Truncation = 'd2l',
): { ids: Int32Array; lengths: Int32Array } {
  const ids = new Int32Array(sequences.length * maxLen);
  const lengths = new Int32Array(sequences.length);
  sequences.forEach((seq, i) => {
    lengths[i] = encodeInto(vocab.encode(seq), maxLen, vocab, ids, i * maxLen, truncation);
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

function encodeSplit(
  src: string[][], tgt: string[][], srcVocab: Vocab, tgtVocab: Vocab, source: StreamSpec, target: StreamSpec,
): EncodedPairs {
  const s = encodeSequences(src, srcVocab, source.max_len);
  const t = encodeSequences(tgt, tgtVocab, target.max_len);
  return {
    count: src.length, srcT: source.max_len, tgtT: target.max_len,
    src: s.ids, srcLen: s.lengths, tgt: t.ids, tgtLen: t.lengths,
    sourceTokens: src, targetTokens: tgt,
  };
}

/**
 * Pairs → vocabularies and encoded train/valid splits. `limit` keeps the first N pairs; the last
 * `valid_fraction` of those are held out for `eval`.
 */
export function buildSeq2seqData(pairs: readonly SentencePair[], dataSpec: DataSpec): Seq2seqData {
  const source = requireStream(dataSpec, 'source');
  const target = requireStream(dataSpec, 'target');
  const kept = dataSpec.limit === null ? pairs : pairs.slice(0, dataSpec.limit);
  if (kept.length === 0) throw new UserError('no sentence pairs to train on');
  const srcTokens = kept.map((p) => sentenceTokens(p.source, dataSpec, source));
  const tgtTokens = kept.map((p) => sentenceTokens(p.target, dataSpec, target));
  const srcVocab = Vocab.build(srcTokens, source.min_freq);
  const tgtVocab = Vocab.build(tgtTokens, target.min_freq);
  const nTrain = kept.length - heldOutCount(kept.length, dataSpec.valid_fraction);
  return {
    srcVocab, tgtVocab, source, target,
    train: encodeSplit(srcTokens.slice(0, nTrain), tgtTokens.slice(0, nTrain), srcVocab, tgtVocab, source, target),
    valid: encodeSplit(srcTokens.slice(nTrain), tgtTokens.slice(nTrain), srcVocab, tgtVocab, source, target),
  };
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
