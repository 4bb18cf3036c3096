/**
 * Vocabularies of a seq2seq data set from its token rows (typed arrays, stream-rows.ts):
 * - `word`, `char`, `segmenter`: token counts over all examples, held-out ones included (as d2l
 *   builds them from all `num_examples` pairs), `min_freq` and `data.max_vocab` applied;
 * - `bpe`: merges learned from the words of the training examples only (`merges: N`; one model for
 *   both streams with `data.shared_bpe`), then the subwords of those words counted and kept as
 *   above. The vocabulary carries its merges (vocab.json), so translate/eval segment the same way.
 */
import type { DataSpec, StreamSpec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import { BpeModel, SUBWORD_MARKER, learnBpe } from '../text/bpe.js';
import { TokenTypes, countTypes } from '../text/token-types.js';
import { Vocab } from '../text/vocab.js';

/** Raw token rows of one stream, as read (no vocabulary yet). */
export interface RawRows { types: TokenTypes; offsets: Int32Array; ids: Int32Array }

/** Word counts of rows [0, upto): `[word, count]` in first-appearance order. */
function wordCounts(raw: RawRows, upto: number): [string, number][] {
  const counts = countTypes(raw.ids, raw.types.size, 0, raw.offsets[upto]);
  const out: [string, number][] = [];
  for (let t = 0; t < counts.length; t++) if (counts[t]! > 0) out.push([raw.types.token(t), counts[t]!]);
  return out;
}

export function mergesOf(stream: StreamSpec, name: string): number {
  const merges = stream.merges;
  if (merges === null || merges === undefined || !Number.isInteger(merges) || merges < 1) {
    throw new UserError(`data.${name}.merges must be a positive integer for tokenizer: bpe, got ${merges}`);
  }
  return merges;
}

/** Learns the merges of one stream, or of several together (their word counts summed). */
export function learnStreamBpe(raws: readonly RawRows[], upto: number, merges: number): BpeModel {
  const total = new Map<string, number>();
  for (const raw of raws) for (const [w, c] of wordCounts(raw, upto)) total.set(w, (total.get(w) ?? 0) + c);
  return new BpeModel(learnBpe(total, merges));
}

/**
 * The subword vocabulary of rows [0, upto) under `model`: the pieces of the training words, and
 * every character of them in both forms (`c@@` inside a word, `c` at its end), counted by how often
 * it occurs — so an unseen word can always be spelled out in known pieces (within `min_freq`).
 */
export function subwordVocab(raw: RawRows, upto: number, model: BpeModel, stream: StreamSpec, maxVocab: number | null): Vocab {
  const pieces = new TokenTypes();
  const counts: number[] = [];
  const add = (piece: string, c: number) => {
    const id = pieces.intern(piece);
    counts[id] = (counts[id] ?? 0) + c;
  };
  const chars = new Map<string, number>();
  for (const [word, c] of wordCounts(raw, upto)) {
    for (const piece of model.segment(word)) add(piece, c);
    for (const ch of word) chars.set(ch, (chars.get(ch) ?? 0) + c);
  }
  for (const [ch, c] of chars) {
    if (pieces.find(`${ch}${SUBWORD_MARKER}`) < 0) add(`${ch}${SUBWORD_MARKER}`, c);
    if (pieces.find(ch) < 0) add(ch, c);
  }
  return Vocab.fromCounts(pieces.tokens, counts, stream.min_freq, maxVocab, model);
}

/** A word-level vocabulary over rows [0, upto). */
export function tokenVocab(raw: RawRows, upto: number, stream: StreamSpec, maxVocab: number | null): Vocab {
  const counts = countTypes(raw.ids, raw.types.size, 0, raw.offsets[upto]);
  return Vocab.fromCounts(raw.types.tokens, counts, stream.min_freq, maxVocab);
}

/** Source and target vocabularies; `nTrain` examples (the first ones) are the training split. */
export function buildPairVocabs(
  raw: { source: RawRows; target: RawRows }, count: number, nTrain: number, dataSpec: DataSpec,
): { srcVocab: Vocab; tgtVocab: Vocab } {
  const source = dataSpec.source!, target = dataSpec.target!;
  const maxVocab = dataSpec.max_vocab ?? null;
  if (dataSpec.shared_bpe) {
    if (source.tokenizer !== 'bpe' || target.tokenizer !== 'bpe') {
      throw new UserError('data.shared_bpe needs tokenizer: bpe on both streams');
    }
    const model = learnStreamBpe([raw.source, raw.target], nTrain, mergesOf(source, 'source'));
    return {
      srcVocab: subwordVocab(raw.source, nTrain, model, source, maxVocab),
      tgtVocab: subwordVocab(raw.target, nTrain, model, target, maxVocab),
    };
  }
  const one = (rows: RawRows, stream: StreamSpec, name: string): Vocab => (stream.tokenizer === 'bpe'
    ? subwordVocab(rows, nTrain, learnStreamBpe([rows], nTrain, mergesOf(stream, name)), stream, maxVocab)
    : tokenVocab(rows, count, stream, maxVocab));
  return { srcVocab: one(raw.source, source, 'source'), tgtVocab: one(raw.target, target, 'target') };
}
