/**
 * Random graphs: `buildGraph` never throws, whatever the wiring; when it succeeds, the plan and
 * every renderer work and the plan schedules each used node exactly once, after its inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph, planGraph, renderGraph, type Plan } from '../../src/graph/index.js';
import type { GraphNode, Ref, Spec } from '../../src/spec/types.js';
import { specFromYaml } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

const R = { start: 0, end: 1 };
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

const refArb = (names: string[]): fc.Arbitrary<Ref> =>
  fc.tuple(fc.constantFrom(...names, 'source', 'target', 'tokens', 'nope'), fc.constantFrom('output', 'state', 'state.top'), fc.boolean())
    .map(([base, part, delayed]) => ({
      raw: `${base}${part === 'output' ? '' : `.${part}`}${delayed ? '.prev' : ''}`, base,
      part: part as Ref['part'], delayed: delayed && part === 'output', range: R,
    }));

const nodeArb = (name: string, names: string[]): fc.Arbitrary<GraphNode> => {
  const base = { name, nameRange: R, weights: name, range: R, keyRanges: {} };
  const ref = refArb(names);
  const size = fc.integer({ min: 1, max: 4 });
  return fc.oneof(
    fc.record({ input: ref, dim: size }).map((x) => ({ ...base, op: 'embedding' as const, ...x })),
    fc.record({ input: ref, hidden: size, layers: fc.integer({ min: 1, max: 2 }), bidirectional: fc.boolean(), init: fc.option(ref), cell: fc.constantFrom('rnn', 'gru', 'lstm') as fc.Arbitrary<'gru'> })
      .map((x) => ({ ...base, op: 'recurrent' as const, dropout: 0, nonlinearity: 'tanh' as const, ...x })),
    fc.record({ input: ref, units: fc.oneof(size, fc.constantFrom('target', 'tokens').map((v) => ({ vocab: v as 'target', raw: `${v}.vocab`, range: R }))) })
      .map((x) => ({ ...base, op: 'dense' as const, activation: 'none' as const, ...x })),
    fc.array(ref, { minLength: 1, maxLength: 3 }).map((inputs) => ({ ...base, op: 'concat' as const, inputs })),
    fc.record({ input: ref, like: ref }).map((x) => ({ ...base, op: 'repeat' as const, ...x })),
    ref.map((input) => ({ ...base, op: 'dropout' as const, input, rate: 0.1 })),
    fc.record({ query: ref, keys: ref, values: ref, mask: fc.option(ref), kind: fc.constantFrom('additive', 'dot') as fc.Arbitrary<'dot'> })
      .map((x) => ({ ...base, op: 'attention' as const, hidden: null, ...x })),
  );
};

const BASE = specFromYaml(D2L_SEQ2SEQ);
const specArb: fc.Arbitrary<Spec> = fc.integer({ min: 1, max: NAMES.length }).chain((n) => {
  const names = NAMES.slice(0, n);
  return fc.tuple(fc.tuple(...names.map((name) => nodeArb(name, names))), refArb(names), fc.constantFrom('seq2seq', 'language-model'))
    .map(([nodes, output, task]) => ({ ...BASE, task: task as Spec['task'], nodes: nodes as GraphNode[], output }));
});

/** Valid specs with one or two references rewired: mostly near-valid graphs, many still building. */
const VALID = [D2L_SEQ2SEQ, ATTENTION_SEQ2SEQ, CHAR_LM].map((t) => specFromYaml(t));
const mutatedArb: fc.Arbitrary<Spec> = fc.tuple(fc.nat(VALID.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 2 }))
  .map(([which, edits]) => {
    const spec = structuredClone(VALID[which]!);
    const names = spec.nodes.map((n) => n.name);
    for (const [i, j, part, delayed] of edits) {
      const node = spec.nodes[i % spec.nodes.length]! as unknown as Record<string, unknown>;
      const keys = ['input', 'init', 'like', 'query', 'keys', 'values', 'mask'].filter((k) => node[k]);
      const base = [...names, 'source', 'target', 'tokens'][j % (names.length + 3)]!;
      const p = (['output', 'output', 'state', 'state.top'] as const)[part]!;
      const ref: Ref = { raw: base, base, part: p, delayed: delayed && p === 'output', range: R };
      if (keys.length > 0) node[keys[j % keys.length]!] = ref;
      else if (Array.isArray(node.inputs)) (node.inputs as Ref[])[j % node.inputs.length] = ref;
    }
    return spec;
  });

function checkPlan(plan: Plan): void {
  const position = new Map(plan.order.map((n, i) => [n, i]));
  expect(position.size).toBe(plan.order.length);
  expect(new Set(Object.keys(plan.nodes))).toEqual(new Set(plan.order));
  for (const n of plan.order) {
    for (const i of plan.nodes[n]!.inputs) {
      if (i.target.kind === 'node' && !i.delayed) expect(position.get(i.target.node)!).toBeLessThan(position.get(n)!);
    }
  }
}

describe('random graphs', () => {
  it('build never throws on arbitrary wiring', () => {
    fc.assert(fc.property(specArb, (spec) => {
      const r = buildGraph(spec);
      expect(r.value === null).toBe(r.diagnostics.some((d) => d.severity === 'error'));
    }), { numRuns: 1000, seed: 7 });
  });

  it('rewired valid specs: build never throws; successful builds plan and render', () => {
    let built = 0;
    fc.assert(fc.property(mutatedArb, (spec) => {
      const r = buildGraph(spec);
      expect(r.value === null).toBe(r.diagnostics.some((d) => d.severity === 'error'));
      for (const d of r.diagnostics) expect(d.code).toMatch(/^G0\d\d$/);
      if (!r.value) return;
      built++;
      checkPlan(planGraph(r.value));
      for (const f of ['mermaid', 'dot', 'json'] as const) expect(renderGraph(r.value, f).length).toBeGreaterThan(0);
    }), { numRuns: 1000, seed: 11 });
    expect(built).toBeGreaterThan(20);
  });
});
