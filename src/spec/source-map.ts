/**
 * Where every key and value of the spec sits in the YAML text, by JSON pointer (`/graph/encoder/cell`),
 * as the plain data sees it: merge keys (`<<`) and aliases are followed, so a value that came from an
 * anchor points at the anchor's text. ajv errors (instancePath) and normalize use this to locate
 * diagnostics on the offending key or value rather than on its parent.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { SourceRange } from '../diagnostics/types.js';

export interface SourceMap {
  /** Range of the value at each pointer ('' is the root). */
  values: Map<string, SourceRange>;
  /** Range of the key whose value is at each pointer (absent for the root and list items). */
  keys: Map<string, SourceRange>;
}

/** JSON-pointer segment escaping (RFC 6901), as ajv's instancePath uses. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapePointer(String(s))}`).join('');
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function rangeOf(node: { range?: [number, number, number] | null } | null | undefined): SourceRange | null {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : null;
}

/** A `<<` merge key (yaml marks it with a symbol value when `merge: true`). */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN'));
}

/** The string a key becomes in the plain data (scalar keys only; others are rejected by parse). */
export function keyString(key: unknown): string {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return key === null || key === undefined ? '' : String(key);
}

const MAX_NODES = 100_000;

/** A map's pairs as the data sees them: merged sources first, later sources and local keys override. */
export function effectivePairs(doc: Document, map: Node, seen = new Set<Node>()): Map<string, Pair> {
  const out = new Map<string, Pair>();
  if (!isMap(map) || seen.has(map)) return out;
  seen.add(map);
  const local: Pair[] = [];
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    if (!isMergeKey(pair.key)) {
      local.push(pair);
      continue;
    }
    const value = resolve(doc, pair.value as Node | null);
    const sources = isSeq(value) ? value.items.map((n) => resolve(doc, n as Node)) : [value];
    // In `<<: [*a, *b]` the earlier source wins, so apply them last-to-first.
    for (const source of [...sources].reverse()) {
      if (source && isMap(source)) for (const [k, p] of effectivePairs(doc, source, seen)) out.set(k, p);
    }
  }
  seen.delete(map);
  for (const pair of local) out.set(keyString(pair.key), pair);
  return out;
}

export function resolve(doc: Document, node: Node | null | undefined): Node | null {
  let n: Node | null | undefined = node;
  for (let hops = 0; n && isAlias(n) && hops < 64; hops++) n = n.resolve(doc) as Node | undefined;
  return n && !isAlias(n) ? n : null;
}

export function buildSourceMap(doc: Document): SourceMap {
  const map: SourceMap = { values: new Map(), keys: new Map() };
  let budget = MAX_NODES;
  const onPath = new Set<Node>();

  const walk = (node: Node | null, pointer: string, fallback: SourceRange): void => {
    if (--budget < 0) return;
    map.values.set(pointer, rangeOf(node) ?? fallback);
    const target = resolve(doc, node);
    if (!target || onPath.has(target)) return;
    onPath.add(target);
    if (isMap(target)) {
      for (const [key, pair] of effectivePairs(doc, target)) {
        const keyRange = rangeOf(pair.key as Node) ?? rangeOf(target) ?? fallback;
        const child = `${pointer}/${escapePointer(key)}`;
        map.keys.set(child, keyRange);
        walk(pair.value as Node | null, child, { start: keyRange.end, end: keyRange.end });
      }
    } else if (isSeq(target)) {
      target.items.forEach((item, i) => walk(item as Node, `${pointer}/${i}`, rangeOf(target) ?? fallback));
    }
    onPath.delete(target);
  };

  walk(doc.contents as Node | null, '', { start: 0, end: 0 });
  return map;
}

/**
 * The best range for a pointer: the value there, or else the key of the nearest ancestor that
 * exists (a missing key is reported on its parent's key).
 */
export function locateValue(map: SourceMap, pointer: string): SourceRange {
  let p = pointer;
  for (;;) {
    const v = map.values.get(p);
    if (v && p === pointer) return v;
    const k = map.keys.get(p);
    if (k && p !== pointer) return k;
    if (v) return v;
    if (p === '') return { start: 0, end: 0 };
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

/** The range of the key at a pointer (falls back to its value, then to ancestors). */
export function locateKey(map: SourceMap, pointer: string): SourceRange {
  return map.keys.get(pointer) ?? locateValue(map, pointer);
}
