/**
 * A token vocabulary. Ids 0–3 are the specials `<pad> <unk> <bos> <eos>` (always, in that order);
 * the remaining tokens follow by frequency, most frequent first, ties in order of first appearance
 * (d2l's `Vocab` order: a stable sort of a first-appearance-ordered counter). Tokens seen fewer than
 * `minFreq` times are left out and encode as `<unk>`.
 */
import { UserError } from '../../errors.js';

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
export const BOS_TOKEN = '<bos>';
export const EOS_TOKEN = '<eos>';
export const SPECIAL_TOKENS: readonly string[] = [PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN];

/** What `vocab.json` stores per stream. */
export interface VocabJSON { tokens: string[] }

export class Vocab {
  readonly pad = 0;
  readonly unk = 1;
  readonly bos = 2;
  readonly eos = 3;
  readonly tokens: readonly string[];
  private readonly index: Map<string, number>;

  /** `tokens` must start with the four specials and hold no duplicates (use `build`/`fromJSON`). */
  constructor(tokens: readonly string[]) {
    const problem = vocabProblem(tokens);
    if (problem) throw new UserError(`invalid vocabulary: ${problem}`);
    this.tokens = Object.freeze([...tokens]);
    this.index = new Map(this.tokens.map((t, i) => [t, i]));
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
    return { tokens: [...this.tokens] };
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
    return new Vocab(tokens);
  }

  /**
   * Count tokens over `sequences` and keep those seen at least `minFreq` times. Special tokens found
   * in the data are not added twice.
   */
  static build(sequences: Iterable<readonly string[]>, minFreq = 1): Vocab {
    const counts = new Map<string, number>(); // insertion order = first appearance
    for (const seq of sequences) {
      for (const tok of seq) counts.set(tok, (counts.get(tok) ?? 0) + 1);
    }
    const ranked = [...counts.entries()]
      .filter(([tok, n]) => n >= minFreq && !SPECIAL_TOKENS.includes(tok))
      .sort((a, b) => b[1] - a[1]); // Array.prototype.sort is stable: ties keep first appearance
    return new Vocab([...SPECIAL_TOKENS, ...ranked.map(([tok]) => tok)]);
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
