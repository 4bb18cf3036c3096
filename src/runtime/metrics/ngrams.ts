/** Whitespace tokenization and clipped n-gram matching, shared by both BLEU variants. */

/** Splits on runs of whitespace; an empty or blank line has no tokens. */
export function whitespaceTokens(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

// Joins an n-gram's tokens into a map key; tokens never contain it (whitespace-split, or controls).
const SEPARATOR = '\u0001';

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(SEPARATOR);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Clipped matches of the hypothesis' n-grams (each counted at most as often as in the reference) and
 * the number of hypothesis n-grams, max(0, |hyp| − n + 1).
 */
export function clippedNgramMatches(hyp: readonly string[], ref: readonly string[], n: number): { matches: number; total: number } {
  const total = Math.max(0, hyp.length - n + 1);
  if (total === 0) return { matches: 0, total };
  const refCounts = ngramCounts(ref, n);
  let matches = 0;
  for (const [gram, count] of ngramCounts(hyp, n)) matches += Math.min(count, refCounts.get(gram) ?? 0);
  return { matches, total };
}
