/**
 * Byte-pair encoding (Sennrich, Haddow & Birch 2016), as subword-nmt 0.2+ learns and applies it.
 *
 * Learning: every word is a sequence of characters whose last one carries the end-of-word mark
 * (`low` → `l o w</w>`); repeatedly, the most frequent adjacent pair of symbols (counted over word
 * frequencies) is merged into one symbol, ties going to the larger pair (subword-nmt's
 * `max(stats, key=lambda x: (stats[x], x))`, strings compared by code point). Learning stops after
 * `merges` merges or when no pair occurs `minFrequency` times. Counting is incremental: a merge
 * recounts only the words that contain the pair (an index from pair to words), and the next pair
 * comes from a max-heap with lazy deletion — so the whole fra-eng file learns in about a second, not
 * in the minutes a recount per merge takes. (subword-nmt also prunes rare pairs from its statistics
 * as a speed heuristic; we keep exact counts, which is the algorithm that pruning approximates.)
 *
 * Applying (subword-nmt's `encode`): split a word into characters (last one marked), then merge, over
 * and over, the adjacent pair that was learned earliest, every non-overlapping occurrence left to
 * right; drop the end mark. Non-final pieces carry the continuation marker `@@` (`lo@@ w`), which
 * `joinSubwords` removes again: no marker is ever shown to a user.
 */

import { TokenTypes } from './token-types.js';

export const END_OF_WORD = '</w>';
export const SUBWORD_MARKER = '@@';

/** A learned merge: two symbols (`</w>` marks word-final ones), in the order they were learned. */
export type BpeMerge = readonly [string, string];

/** What vocab.json keeps of a BPE model. */
export interface BpeJSON { version: '0.2'; merges: [string, string][] }

/** Code-point order (Python's `str` comparison); JS `<` compares UTF-16 units, which differs past U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff, ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate starts a code point above every BMP one
    return x - y;
  }
  return a.length - b.length;
}

/** A word as learning sees it: characters, the last one marked. */
function wordSymbols(word: string): string[] {
  const chars = Array.from(word);
  chars[chars.length - 1] += END_OF_WORD;
  return chars;
}

/**
 * Pair keys a·base + b. With fewer than 2^15 symbols the key stays a small integer (V8 hashes those
 * fastest); otherwise 2^21, still exact in a double.
 */
function pairBase(maxSymbols: number): number {
  return maxSymbols < 0x8000 ? 0x8000 : 0x200000;
}

/** A max-heap of (count, pair) with subword-nmt's order; stale entries are skipped when popped. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];
  constructor(private readonly names: readonly string[], private readonly base: number) {}
  get size(): number { return this.keys.length; }
  /** True when entry i ranks above entry j. */
  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!, cj = this.counts[j]!;
    if (ci !== cj) return ci > cj;
    const ki = this.keys[i]!, kj = this.keys[j]!, base = this.base;
    const ai = Math.floor(ki / base), aj = Math.floor(kj / base);
    const first = ai === aj ? 0 : compareCodePoints(this.names[ai]!, this.names[aj]!);
    if (first !== 0) return first > 0;
    return compareCodePoints(this.names[ki - ai * base]!, this.names[kj - aj * base]!) > 0;
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    const lastCount = this.counts.pop()!, lastKey = this.keys.pop()!;
    if (this.keys.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let best = i;
        if (l < this.keys.length && this.above(l, best)) best = l;
        if (r < this.keys.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

export interface LearnBpeOptions {
  /** Stop when the most frequent pair occurs fewer times than this (subword-nmt's default: 2). */
  minFrequency?: number;
}

/**
 * Learns up to `merges` merges from word frequencies (`[word, count]`, any order; words must be
 * non-empty and contain no whitespace).
 */
export function learnBpe(wordCounts: Iterable<readonly [string, number]>, merges: number, opts: LearnBpeOptions = {}): BpeMerge[] {
  const minFrequency = opts.minFrequency ?? 2;
  const symbols = new TokenTypes();
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [word, count] of wordCounts) {
    if (count <= 0 || word.length === 0) continue;
    words.push(wordSymbols(word).map((s) => symbols.intern(s)));
    freqs.push(count);
  }
  const base = pairBase(symbols.size + merges);
  const stats = new Map<number, number>();
  const where = new Map<number, Set<number>>(); // pair → words that contained it (a superset)
  const heap = new PairHeap(symbols.tokens, base);
  const touched = new Set<number>();
  const bump = (w: number, x: number, y: number, delta: number): void => {
    const key = x * base + y;
    stats.set(key, (stats.get(key) ?? 0) + delta);
    touched.add(key);
    if (delta > 0) {
      let set = where.get(key);
      if (!set) where.set(key, (set = new Set()));
      set.add(w);
    }
  };
  for (let w = 0; w < words.length; w++) {
    const s = words[w]!;
    for (let i = 0; i + 1 < s.length; i++) bump(w, s[i]!, s[i + 1]!, freqs[w]!);
  }
  for (const key of touched) heap.push(stats.get(key)!, key);
  touched.clear();

  const learned: BpeMerge[] = [];
  const oldMarked: boolean[] = [], newMarked: boolean[] = [];
  while (learned.length < merges && heap.size > 0) {
    const top = heap.pop();
    if (stats.get(top.key) !== top.count) continue; // stale: the count has changed since
    if (top.count < minFrequency) break;
    const a = Math.floor(top.key / base), b = top.key - a * base;
    const merged = symbols.intern(symbols.token(a) + symbols.token(b));
    learned.push([symbols.token(a), symbols.token(b)]);
    for (const w of where.get(top.key) ?? []) {
      const s = words[w]!, f = freqs[w]!;
      // Merge left to right; mark the positions that took part, in the old word and in the new one.
      const out: number[] = [];
      oldMarked.length = 0;
      newMarked.length = 0;
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          oldMarked[i] = oldMarked[i + 1] = true;
          newMarked[out.length] = true;
          out.push(merged);
          i++;
        } else {
          oldMarked[i] = false;
          newMarked[out.length] = false;
          out.push(s[i]!);
        }
      }
      if (out.length === s.length) continue; // the pair is no longer in this word
      // Pairs away from a merge are the same before and after; only the ones touching one change.
      for (let i = 0; i + 1 < s.length; i++) if (oldMarked[i] || oldMarked[i + 1]) bump(w, s[i]!, s[i + 1]!, -f);
      for (let i = 0; i + 1 < out.length; i++) if (newMarked[i] || newMarked[i + 1]) bump(w, out[i]!, out[i + 1]!, f);
      words[w] = out;
    }
    where.delete(top.key);
    for (const key of touched) {
      const c = stats.get(key)!;
      if (c > 0) heap.push(c, key);
      else stats.delete(key);
    }
    touched.clear();
  }
  return learned;
}

/** Applies learned merges to words (cached per word). */
export class BpeModel {
  readonly merges: readonly BpeMerge[];
  private readonly rank = new Map<string, number>();
  /** merged symbol → the pair it came from (for splitting pieces outside a vocabulary). */
  private readonly parts = new Map<string, BpeMerge>();
  private readonly cache = new Map<string, string[]>();

  constructor(merges: readonly BpeMerge[]) {
    this.merges = merges.map(([a, b]) => [a, b] as const);
    merges.forEach(([a, b], i) => {
      const key = `${a} ${b}`;
      if (!this.rank.has(key)) this.rank.set(key, i);
      if (!this.parts.has(a + b)) this.parts.set(a + b, [a, b]);
    });
  }

  /**
   * A word's pieces without markers (subword-nmt `encode`): `lowest` → ['low', 'est'] with the
   * merges `l o`, `lo w`, `e s`, `es t</w>`.
   */
  pieces(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    if (chars.length <= 1) return chars;
    let w = wordSymbols(word);
    for (;;) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < w.length; i++) {
        const r = this.rank.get(`${w[i]} ${w[i + 1]}`);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      const [a, b] = this.merges[bestRank]!;
      const out: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(a + b);
          i++;
        } else {
          out.push(w[i]!);
        }
      }
      w = out;
      if (w.length === 1) break;
    }
    const last = w[w.length - 1]!;
    if (last === END_OF_WORD) w.pop();
    else w[w.length - 1] = last.slice(0, -END_OF_WORD.length);
    if (this.cache.size < 1_000_000) this.cache.set(word, w);
    return w;
  }

  /** Pieces with the continuation marker on all but the last: `lowest` → ['low@@', 'est']. */
  segment(word: string): string[] {
    const p = this.pieces(word);
    return p.map((s, i) => (i < p.length - 1 ? s + SUBWORD_MARKER : s));
  }

  /**
   * Like `segment`, but a piece `known` rejects is split back along the merges that built it
   * (subword-nmt's `--vocabulary` filter), down to characters: rare pieces become common ones.
   */
  segmentWithin(word: string, known: (piece: string) => boolean): string[] {
    const p = this.pieces(word);
    const out: string[] = [];
    p.forEach((piece, i) => this.splitUnknown(piece, i === p.length - 1, known, out));
    return out;
  }

  private splitUnknown(piece: string, final: boolean, known: (piece: string) => boolean, out: string[]): void {
    const shown = final ? piece : piece + SUBWORD_MARKER;
    if (known(shown)) { out.push(shown); return; }
    const from = this.parts.get(final ? piece + END_OF_WORD : piece);
    if (!from) { out.push(shown); return; }
    const [a, b] = from;
    this.splitUnknown(a, false, known, out);
    this.splitUnknown(final ? b.slice(0, -END_OF_WORD.length) : b, final, known, out);
  }

  toJSON(): BpeJSON {
    return { version: '0.2', merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** From `toJSON()` output; returns a problem description instead when it is not one. */
  static fromJSON(json: unknown): BpeModel | string {
    const j = json as Partial<BpeJSON> | null;
    if (typeof j !== 'object' || j === null || j.version !== '0.2' || !Array.isArray(j.merges)) {
      return 'bpe must be {"version": "0.2", "merges": [[a, b], ...]}';
    }
    for (const m of j.merges) {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string' || m[0] === '' || m[1] === '') {
        return `bpe merge ${JSON.stringify(m)} is not a pair of non-empty strings`;
      }
    }
    return new BpeModel(j.merges as [string, string][]);
  }
}

/** Subword tokens back to words: a piece ending in `@@` joins the next one (a dangling one stands alone). */
export function joinSubwords(tokens: readonly string[]): string[] {
  const words: string[] = [];
  let pending = '';
  for (const t of tokens) {
    if (t.endsWith(SUBWORD_MARKER)) {
      pending += t.slice(0, -SUBWORD_MARKER.length);
    } else {
      words.push(pending + t);
      pending = '';
    }
  }
  if (pending !== '') words.push(pending);
  return words;
}
