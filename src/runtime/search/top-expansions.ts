/**
 * The best `limit` expansions of one sentence's live hypotheses, computed on CPU data: every live
 * hypothesis (rows `firstRow…`, in rank order) × every generable token, scored by cumulative
 * log-probability. Order: log-prob descending; ties → the better-ranked parent, then the lower token
 * id (a stable order, so results never depend on which other sentences share the batch). Impossible
 * expansions (log-prob -Infinity or NaN) are never returned.
 */
export interface Expansions {
  count: number;
  /** Index of the parent among the live hypotheses passed in (0 = best ranked). */
  parent: Int32Array;
  token: Int32Array;
  logp: Float64Array;
}

export function topExpansions(
  values: Float32Array,
  vocab: number,
  firstRow: number,
  parentLogps: readonly number[],
  generable: Uint8Array,
  limit: number,
): Expansions {
  const parent = new Int32Array(limit);
  const token = new Int32Array(limit);
  const logp = new Float64Array(limit);
  let count = 0;
  for (let p = 0; p < parentLogps.length; p++) {
    const base = parentLogps[p]!;
    const offset = (firstRow + p) * vocab;
    // Raw log-probs at or below `floor` cannot enter the list (refreshed as the list fills up).
    let floor = count === limit ? logp[limit - 1]! - base : Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) {
      const x = values[offset + v]!;
      if (!(x > floor) || !generable[v]) continue; // also skips NaN and -Infinity
      const c = base + x;
      if (!(c > Number.NEGATIVE_INFINITY)) continue; // impossible
      if (count === limit && !(c > logp[limit - 1]!)) continue; // not better than the worst kept
      // Candidates arrive in (parent, token) order, so an equal log-prob goes after those kept.
      let pos = count < limit ? count : limit - 1;
      while (pos > 0 && logp[pos - 1]! < c) {
        parent[pos] = parent[pos - 1]!;
        token[pos] = token[pos - 1]!;
        logp[pos] = logp[pos - 1]!;
        pos--;
      }
      parent[pos] = p;
      token[pos] = v;
      logp[pos] = c;
      if (count < limit) count++;
      if (count === limit) floor = logp[limit - 1]! - base;
    }
  }
  return { count, parent, token, logp };
}
