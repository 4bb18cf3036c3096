/**
 * A token vocabulary. Ids 0–3 are the specials `<pad> <unk> <bos> <eos>` (always, in that order);
 * the remaining tokens follow by frequency, most frequent first, ties in order of first appearance
 * (d2l's `Vocab` order: a stable sort of a first-appearance-ordered counter). Tokens seen fewer than
 * `minFreq` times are left out and encode as `<unk>`.
 */
import { UserError } from '../../errors.js';
import { BpeModel, joinSubwords, type BpeJSON } from './bpe.js';

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
export const BOS_TOKEN = '<bos>';
export const EOS_TOKEN = '<eos>';
export const SPECIAL_TOKENS: readonly string[] = [PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN];

/** What `vocab.json` stores per stream: the tokens, and the BPE merges of a `tokenizer: bpe` stream. */
export interface VocabJSON { tokens: string[]; bpe?: BpeJSON }

/** The smallest `max_vocab`: the four specials and one token. */
export const MIN_VOCAB_SIZE = SPECIAL_TOKENS.length + 1;

export class Vocab {
  readonly pad = 0;
  readonly unk = 1;
  readonly bos = 2;
  readonly eos = 3;
  readonly tokens: readonly string[];
  /** A subword stream's merges (`tokenizer: bpe`): words are segmented before lookup. */
  readonly bpe: BpeModel | null;
  private readonly index: Map<string, number>;

  /** `tokens` must start with the four specials and hold no duplicates (use `build`/`fromJSON`). */
  constructor(tokens: readonly string[], bpe: BpeModel | null = null) {
    const problem = vocabProblem(tokens);
    if (problem) throw new UserError(`invalid vocabulary: ${problem}`);
    this.tokens = Object.freeze([...tokens]);
    this.index = new Map(this.tokens.map((t, i) => [t, i]));
    this.bpe = bpe;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token; `<unk>`'s for tokens outside the vocabulary. */
  id(token: string): number {
    return this.index.get(token) ?? this.unk;
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }

  /**
   * Tokens as the tokenizer gives them (words, for BPE) → ids: a BPE vocabulary segments each word
   * into subwords first (pieces it lacks are split back toward characters), so an unseen word
   * becomes known pieces rather than `<unk>`.
   */
  encodeWords(words: readonly string[]): number[] {
    if (!this.bpe) return this.encode(words);
    const out: number[] = [];
    for (const w of words) for (const piece of this.segmentWord(w)) out.push(this.id(piece));
    return out;
  }

  /** Whether a word reads as something other than `<unk>` (under BPE: whether all its pieces are known). */
  knows(word: string): boolean {
    return this.bpe ? this.encodeWords([word]).every((id) => id !== this.unk) : this.index.has(word);
  }

  /** One word's vocabulary tokens: the word itself, or its subwords (with `@@` markers) under BPE. */
  segmentWord(word: string): string[] {
    return this.bpe ? this.bpe.segmentWithin(word, (piece) => this.index.has(piece)) : [word];
  }

  /** Words of generated ids: `decodeUntilEos`, then subwords joined back into words (no marker left). */
  decodeWords(ids: ArrayLike<number>): string[] {
    const tokens = this.decodeUntilEos(ids);
    return this.bpe ? joinSubwords(tokens) : tokens;
  }

  /** Ids to tokens; an id outside the vocabulary decodes as `<unk>`. */
  decode(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) out.push(this.tokens[ids[i]!] ?? UNK_TOKEN);
    return out;
  }

  /** Generated ids to the tokens a reader sees: stops at `<eos>`, drops `<pad>` and `<bos>`. */
  decodeUntilEos(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.eos) break;
      if (id === this.pad || id === this.bos) continue;
      out.push(this.tokens[id] ?? UNK_TOKEN);
    }
    return out;
  }

  toJSON(): VocabJSON {
    return this.bpe ? { tokens: [...this.tokens], bpe: this.bpe.toJSON() } : { tokens: [...this.tokens] };
  }

  /** Rebuild from `toJSON()` output; anything else is a UserError naming `where` (e.g. the file). */
  static fromJSON(json: unknown, where = 'vocabulary'): Vocab {
    const tokens = (json as { tokens?: unknown } | null)?.tokens;
    if (typeof json !== 'object' || json === null || !Array.isArray(tokens)) {
      throw new UserError(`${where}: expected an object {"tokens": [...]}`);
    }
    if (!tokens.every((t): t is string => typeof t === 'string')) {
      throw new UserError(`${where}: every token must be a string`);
    }
    const problem = vocabProblem(tokens);
    if (problem) throw new UserError(`${where}: ${problem}`);
    const rawBpe = (json as { bpe?: unknown }).bpe;
    let bpe: BpeModel | null = null;
    if (rawBpe !== undefined) {
      const parsed = BpeModel.fromJSON(rawBpe);
      if (typeof parsed === 'string') throw new UserError(`${where}: ${parsed}`);
      bpe = parsed;
    }
    return new Vocab(tokens, bpe);
  }

  /**
   * Count tokens over `sequences` and keep those seen at least `minFreq` times. Special tokens found
   * in the data are not added twice.
   */
  static build(sequences: Iterable<readonly string[]>, minFreq = 1, maxSize: number | null = null): Vocab {
    const counts = new Map<string, number>(); // insertion order = first appearance
    for (const seq of sequences) {
      for (const tok of seq) counts.set(tok, (counts.get(tok) ?? 0) + 1);
    }
    return Vocab.fromCounts([...counts.keys()], [...counts.values()], minFreq, maxSize);
  }

  /**
   * From token counts, `tokens` in order of first appearance: tokens seen at least `minFreq` times,
   * most frequent first, ties in first-appearance order; at most `maxSize` in all (specials
   * included; null: no cap). `bpe` is kept with the vocabulary.
   */
  static fromCounts(
    tokens: readonly string[], counts: ArrayLike<number>, minFreq = 1, maxSize: number | null = null, bpe: BpeModel | null = null,
  ): Vocab {
    if (maxSize !== null && (!Number.isInteger(maxSize) || maxSize < MIN_VOCAB_SIZE)) {
      throw new UserError(`max_vocab must be an integer ≥ ${MIN_VOCAB_SIZE} (the ${SPECIAL_TOKENS.length} specials and a token), got ${maxSize}`);
    }
    const kept: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (counts[i]! >= minFreq && counts[i]! > 0 && !SPECIAL_TOKENS.includes(tokens[i]!)) kept.push(i);
    }
    kept.sort((a, b) => counts[b]! - counts[a]! || a - b);
    const room = maxSize === null ? kept.length : maxSize - SPECIAL_TOKENS.length;
    return new Vocab([...SPECIAL_TOKENS, ...kept.slice(0, room).map((i) => tokens[i]!)], bpe);
  }
}

function vocabProblem(tokens: readonly string[]): string | null {
  for (let i = 0; i < SPECIAL_TOKENS.length; i++) {
    if (tokens[i] !== SPECIAL_TOKENS[i]) {
      return `token ${i} must be ${SPECIAL_TOKENS[i]} (specials come first: ${SPECIAL_TOKENS.join(' ')})`;
    }
  }
  const seen = new Set<string>();
  for (const tok of tokens) {
    if (seen.has(tok)) return `token ${JSON.stringify(tok)} appears twice`;
    seen.add(tok);
  }
  return null;
}
