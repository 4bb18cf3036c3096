/**
 * One stream (source, target or tokens) of a data set, kept as typed arrays: each example's tokens as
 * type ids (token-types.ts: each distinct string stored once), and a codec from a type to its
 * vocabulary ids — one id for word/char/segmenter streams, the subword ids for BPE. Rows are encoded
 * on demand when a batch is built (d2l's `truncate_pad`: ids, then `<eos>` if it fits within
 * `max_len`, then `<pad>`), so a corpus costs 4 bytes a token plus its distinct strings, never a
 * string or an array per token.
 */
import type { Vocab } from '../text/vocab.js';
import type { TokenTypes } from '../text/token-types.js';
import { GrowableInt32 } from './growable.js';

/** Type id → vocabulary ids, grown as new types appear (a test file read after training). */
export class StreamCodec {
  private starts = new GrowableInt32();
  private ids = new GrowableInt32();
  private idsArray: Int32Array = new Int32Array(0);
  private startsArray: Int32Array = new Int32Array(1);

  constructor(readonly vocab: Vocab, private readonly types: TokenTypes) {
    this.starts.push(0);
    this.refresh();
  }

  /** Encodes the types added to the table since the last call. */
  refresh(): void {
    const done = this.starts.length - 1;
    if (done === this.types.size && this.idsArray.length === this.ids.length) return;
    for (let t = done; t < this.types.size; t++) {
      const token = this.types.token(t);
      for (const id of this.vocab.encodeWords([token])) this.ids.push(id);
      this.starts.push(this.ids.length);
    }
    this.idsArray = this.ids.toArray();
    this.startsArray = this.starts.toArray();
  }

  /** Vocabulary ids of type `t`: `codes()[start(t) .. start(t+1))`. */
  start(t: number): number {
    return this.startsArray[t]!;
  }

  codes(): Int32Array {
    return this.idsArray;
  }

  /** Number of vocabulary ids type `t` encodes to. */
  length(t: number): number {
    return this.startsArray[t + 1]! - this.startsArray[t]!;
  }
}

/** A stream's rows: example i's raw tokens are `types.token(ids[k])` for k in `offsets[i] .. offsets[i+1]`. */
export interface StreamRows {
  types: TokenTypes;
  /** [count + 1], absolute positions in `ids` (a split is a window of a whole data set's offsets). */
  offsets: Int32Array;
  ids: Int32Array;
  codec: StreamCodec;
  /** Sequence length rows are truncated and padded to (`<eos>` included). */
  maxLen: number;
  /** [count] valid length of each encoded row: min(vocabulary ids + 1, maxLen). */
  len: Int32Array;
}

/** Number of vocabulary ids of row i before `<eos>` and truncation. */
export function encodedLength(s: Pick<StreamRows, 'offsets' | 'ids' | 'codec'>, i: number): number {
  let n = 0;
  for (let k = s.offsets[i]!; k < s.offsets[i + 1]!; k++) n += s.codec.length(s.ids[k]!);
  return n;
}

/** Valid lengths of all rows (d2l truncation: `<eos>` counts when it fits, else the row is cut at maxLen). */
export function validLengths(s: Pick<StreamRows, 'offsets' | 'ids' | 'codec'>, count: number, maxLen: number): Int32Array {
  const len = new Int32Array(count);
  for (let i = 0; i < count; i++) len[i] = Math.min(encodedLength(s, i) + 1, maxLen);
  return len;
}

/**
 * Writes row i encoded into `out[offset .. offset + width)`: its ids up to `maxLen`, `<eos>` when
 * it fits, then `<pad>` up to `width` (≥ the row's valid length). Returns the valid length.
 */
export function writeRow(s: StreamRows, i: number, out: Int32Array, offset: number, width: number): number {
  const codec = s.codec;
  const codes = codec.codes();
  const limit = Math.min(s.maxLen, width);
  let n = 0, total = 0;
  for (let k = s.offsets[i]!; k < s.offsets[i + 1]!; k++) {
    const t = s.ids[k]!;
    const from = codec.start(t), to = codec.start(t + 1);
    total += to - from;
    for (let c = from; c < to && n < limit; c++) out[offset + n++] = codes[c]!;
  }
  if (total + 1 <= s.maxLen && n < width) out[offset + n++] = codec.vocab.eos;
  for (let t = n; t < width; t++) out[offset + t] = codec.vocab.pad;
  return n;
}

/** Row i's raw tokens (as tokenized, before the vocabulary: the words BLEU references use). */
export function rowTokens(s: Pick<StreamRows, 'types' | 'offsets' | 'ids'>, i: number): string[] {
  const out: string[] = [];
  for (let k = s.offsets[i]!; k < s.offsets[i + 1]!; k++) out.push(s.types.token(s.ids[k]!));
  return out;
}

/** Rows `from .. to` of a stream as their own StreamRows (shares the arrays). */
export function sliceRows(s: StreamRows, from: number, to: number): StreamRows {
  return { ...s, offsets: s.offsets.subarray(from, to + 1), len: s.len.subarray(from, to) };
}
