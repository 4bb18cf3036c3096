/**
 * The best `limit` expansions of one sentence's live hypotheses, computed on CPU data: every live
 * hypothesis (rows `firstRow…`, in rank order) × every generable token, scored by cumulative
 * log-probability. Order: log-prob descending; ties → the better-ranked parent, then the lower token
 * id (a stable order, so results never depend on which other sentences share the batch). Impossible
 * expansions (log-prob -Infinity or NaN) are never returned.
 *
 * A partial selection, not a sort: one pass over the [parents, V] block, where a value at or below the
 * current `limit`-th best is rejected by one comparison; only the few that beat it are inserted into
 * the short sorted list.
 */
export interface Expansions {
  count: number;
  /** Index of the parent among the live hypotheses passed in (0 = best ranked). */
  parent: Int32Array;
  token: Int32Array;
  logp: Float64Array;
}

/** Buffers for up to `limit` expansions, to reuse across sentences and steps. */
export function expansionBuffers(limit: number): Expansions {
  return { count: 0, parent: new Int32Array(limit), token: new Int32Array(limit), logp: new Float64Array(limit) };
}

/**
 * Fills `out` (capacity `out.logp.length` = the limit) with the best expansions of parents
 * `parentLogps[0…parents)`; returns `out`. Allocates `out` when not given.
 */
export function topExpansions(
  values: Float32Array,
  vocab: number,
  firstRow: number,
  parentLogps: ArrayLike<number>,
  generable: Uint8Array,
  limit: number,
  out: Expansions = expansionBuffers(limit),
  parents: number = parentLogps.length,
): Expansions {
  if (out.logp.length < limit) throw new Error(`topExpansions: buffers for ${out.logp.length} < ${limit} expansions`);
  const { parent, token, logp } = out;
  let count = 0;
  let worst = Number.NEGATIVE_INFINITY; // logp[limit - 1] once the list is full
  for (let p = 0; p < parents; p++) {
    const base = parentLogps[p]!;
    const offset = (firstRow + p) * vocab;
    // Raw log-probs at or below `floor` cannot enter the list (refreshed as the list fills up).
    let floor = count === limit ? worst - base : Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) {
      const x = values[offset + v]!;
      if (!(x > floor)) continue; // the common case; also skips NaN and -Infinity
      if (generable[v] === 0) continue;
      const c = base + x;
      if (!(c > Number.NEGATIVE_INFINITY)) continue; // impossible
      if (count === limit && !(c > worst)) continue; // not better than the worst kept
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
      if (count === limit) {
        worst = logp[limit - 1]!;
        floor = worst - base;
      }
    }
  }
  out.count = count;
  return out;
}
