/**
 * "Did you mean …?" for unknown keys, enum values, ops and node references. Distance is optimal
 * string alignment (Levenshtein plus adjacent transpositions, so `gur` is one edit from `gru`),
 * compared case-insensitively.
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: i-2, i-1, i.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** The largest distance still worth suggesting for a word of this length. */
function maxDistance(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

/**
 * The candidate closest to `word`, or undefined when none is close enough (a suggestion must be
 * likelier right than wrong). Ties go to the earlier candidate. An exact match is never suggested.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of list) {
    if (candidate === word) continue;
    const c = candidate.toLowerCase();
    const d = c === w ? 0.5 : editDistance(w, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= maxDistance(word)) return best;
  // A prefix of exactly one longer candidate also counts (`bidir` → `bidirectional`).
  if (w.length < 3) return undefined;
  const prefixed = [...new Set(list)].filter((c) => c.toLowerCase().startsWith(w) && c !== word);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
