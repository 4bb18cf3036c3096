/** Tarjan's SCC and the stable topological order, against brute-force reachability. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCycle, stronglyConnectedComponents, topologicalOrder } from '../../src/graph/scc.js';

type Edges = Array<[number, number]>;
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i}`);
const succOf = (edges: Edges) => (v: string): string[] => edges.filter(([a]) => `n${a}` === v).map(([, b]) => `n${b}`);

function reachable(n: number, edges: Edges): boolean[][] {
  const r = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  for (const [a, b] of edges) r[a]![b] = true;
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r[i]![k] && r[k]![j]) r[i]![j] = true;
  return r;
}

const graphs = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 20 })));

describe('stronglyConnectedComponents', () => {
  it('the attention decoder: attn, dec_in, decoder form one loop', () => {
    const edges: Record<string, string[]> = { tgt_emb: ['dec_in'], attn: ['dec_in'], dec_in: ['decoder'], decoder: ['attn', 'logits'], logits: [] };
    const comps = stronglyConnectedComponents(['tgt_emb', 'attn', 'dec_in', 'decoder', 'logits'], (n) => edges[n]!);
    expect(comps).toEqual([['logits'], ['attn', 'dec_in', 'decoder'], ['tgt_emb']]);
    expect(isCycle(['logits'], (n) => edges[n]!)).toBe(false);
    expect(isCycle(['x'], () => ['x'])).toBe(true);
  });

  it('partitions into mutually reachable sets, sinks first', () => {
    fc.assert(fc.property(graphs, ([n, edges]) => {
      const comps = stronglyConnectedComponents(names(n), succOf(edges));
      const r = reachable(n, edges);
      const compOf = new Map<number, number>();
      comps.forEach((c, i) => c.forEach((v) => compOf.set(Number(v.slice(1)), i)));
      expect(compOf.size).toBe(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) expect(compOf.get(i) === compOf.get(j)).toBe(r[i]![j]! && r[j]![i]!);
      }
      for (const [a, b] of edges) expect(compOf.get(b)!).toBeLessThanOrEqual(compOf.get(a)!);
    }));
  });

  it('handles a long chain without recursion limits', () => {
    const n = 20_000;
    const comps = stronglyConnectedComponents(names(n), (v) => {
      const i = Number(v.slice(1));
      return i + 1 < n ? [`n${i + 1}`] : ['n0'];
    });
    expect(comps).toHaveLength(1);
  });
});

describe('topologicalOrder', () => {
  it('orders every edge forward, ties by listed order; null on a cycle', () => {
    fc.assert(fc.property(graphs, ([n, edges]) => {
      const dag = edges.filter(([a, b]) => a < b);
      const order = topologicalOrder(names(n), succOf(dag))!;
      const pos = new Map(order.map((v, i) => [v, i]));
      for (const [a, b] of dag) expect(pos.get(`n${a}`)!).toBeLessThan(pos.get(`n${b}`)!);
      if (dag.length === 0) expect(order).toEqual(names(n));
      const cyclic = edges.some(([a, b]) => a === b || reachable(n, edges)[b]![a]);
      expect(topologicalOrder(names(n), succOf(edges)) === null).toBe(cyclic);
    }));
  });
});
