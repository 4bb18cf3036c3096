/**
 * Test helpers for the graph stage: a spec from YAML text with real source ranges (so diagnostics
 * have real lines), and the line a diagnostic points at.
 *
 * `specFromYaml` is a small stand-in for the front end's `loadSpecText` (src/spec): it reads only
 * what the graph needs (task, graph nodes, output, data, train) and fills the same defaults.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostic, SourceRange } from '../../src/diagnostics/types.js';
import { buildGraph } from '../../src/graph/index.js';
import { loadSpecText } from '../../src/spec/index.js';
import type { GraphNode, Ref, SizeRef, Spec, StreamName, StreamSpec } from '../../src/spec/types.js';

const rangeOf = (n: Node | null | undefined): SourceRange => ({ start: n?.range?.[0] ?? 0, end: n?.range?.[1] ?? 0 });

export function parseRef(raw: string, range: SourceRange): Ref {
  const m = /^([a-z_][a-z0-9_]*)(\.state(\.top)?)?(\.prev)?$/.exec(raw);
  if (!m) throw new Error(`test helper: bad reference ${raw}`);
  return { raw, base: m[1]!, part: m[3] ? 'state.top' : m[2] ? 'state' : 'output', delayed: Boolean(m[4]), range };
}

function sizeRef(v: unknown, range: SourceRange): SizeRef {
  if (typeof v === 'number') return v;
  const m = /^(source|target|tokens)\.vocab$/.exec(String(v));
  if (!m) throw new Error(`test helper: bad size ${String(v)}`);
  return { vocab: m[1] as StreamName, raw: String(v), range };
}

function toNode(name: string, pair: Pair): GraphNode {
  const map = pair.value as YAMLMap;
  const keyRanges: Record<string, SourceRange> = {};
  const data: Record<string, unknown> = {};
  const refs: Record<string, Ref | Ref[]> = {};
  for (const item of map.items) {
    const key = String((item.key as { value: unknown }).value);
    const value = item.value as Node;
    keyRanges[key] = rangeOf(value);
    if (isSeq(value)) refs[key] = value.items.map((i) => parseRef(String((i as { value: unknown }).value), rangeOf(i as Node)));
    else if (isScalar(value)) {
      data[key] = value.value;
      if (typeof value.value === 'string' && ['input', 'init', 'like', 'query', 'keys', 'values', 'mask'].includes(key)) {
        refs[key] = parseRef(value.value, rangeOf(value));
      }
    }
  }
  const base = { name, nameRange: rangeOf(pair.key as Node), weights: (data.weights as string) ?? name, range: rangeOf(map), keyRanges };
  const ref = (k: string): Ref => refs[k] as Ref;
  const opt = (k: string): Ref | null => (refs[k] as Ref | undefined) ?? null;
  switch (data.op) {
    case 'embedding': return { ...base, op: 'embedding', input: ref('input'), dim: data.dim as number };
    case 'recurrent': return {
      ...base, op: 'recurrent', cell: (data.cell as 'gru') ?? 'gru', input: ref('input'), hidden: data.hidden as number,
      layers: (data.layers as number) ?? 1, dropout: (data.dropout as number) ?? 0, bidirectional: (data.bidirectional as boolean) ?? false,
      init: opt('init'), nonlinearity: (data.nonlinearity as 'tanh') ?? 'tanh',
    };
    case 'dense': return { ...base, op: 'dense', input: ref('input'), units: sizeRef(data.units, keyRanges.units!), activation: (data.activation as 'none') ?? 'none' };
    case 'concat': return { ...base, op: 'concat', inputs: refs.inputs as Ref[] };
    case 'repeat': return { ...base, op: 'repeat', input: ref('input'), like: ref('like') };
    case 'dropout': return { ...base, op: 'dropout', input: ref('input'), rate: (data.rate as number) ?? 0.1 };
    case 'attention': return {
      ...base, op: 'attention', kind: (data.kind as 'additive') ?? 'additive', query: ref('query'), keys: ref('keys'), values: ref('values'),
      mask: opt('mask'), hidden: (data.hidden as number) ?? null,
    };
    default: throw new Error(`test helper: unknown op ${String(data.op)}`);
  }
}

const stream = (max_len: number): StreamSpec => ({ tokenizer: 'word', min_freq: 1, max_len });

/** A Spec from YAML text: `task`, `graph`, `output` and (optionally) `train.batch_size`, stream `max_len`s. */
export function specFromYaml(text: string, file = 'spec.yaml'): Spec {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`test helper: ${doc.errors[0]!.message}`);
  const plain = doc.toJS() as Record<string, any>;
  const graph = doc.get('graph', true);
  if (!isMap(graph)) throw new Error('test helper: no graph');
  const nodes = (graph.items as Pair[]).map((p) => toNode(String((p.key as { value: unknown }).value), p));
  const outNode = doc.get('output', true) as Node;
  const task = plain.task ?? 'seq2seq';
  const d = plain.data ?? {};
  return {
    seqloom: 1, name: plain.name ?? 'test', task, file, source: text,
    data: {
      path: null, resolvedPath: null, format: task === 'seq2seq' ? 'tsv' : 'text', limit: d.limit ?? null, preprocess: [],
      on_bad_line: 'error', valid_fraction: 0,
      ...(task === 'seq2seq'
        ? { source: stream(d.source?.max_len ?? 10), target: stream(d.target?.max_len ?? 10) }
        : { tokens: { ...stream(d.tokens?.max_len ?? 35), tokenizer: 'char' }, num_steps: d.num_steps ?? 35, sampling: 'random' }),
    },
    nodes,
    output: parseRef(String(plain.output), rangeOf(outNode)),
    train: {
      loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: 0.005 }, clip_norm: 1,
      epochs: 1, batch_size: plain.train?.batch_size ?? 64, seed: 0, carry_state: false, checkpoint_every: null, keep_last: 1,
    },
    decode: { strategy: 'greedy', beam_size: 1, max_len: 10, length_penalty: 0, n_best: 1 },
    ranges: {},
  };
}

/** 1-based line of a diagnostic's start. */
export function lineOf(source: string, d: Diagnostic | { range: SourceRange }): number {
  return source.slice(0, d.range.start).split('\n').length;
}

/** 1-based line of the first occurrence of `needle` in `source`. */
export function lineContaining(source: string, needle: string): number {
  const i = source.indexOf(needle);
  if (i < 0) throw new Error(`test helper: ${needle} not in source`);
  return source.slice(0, i).split('\n').length;
}

/** A spec through the real front end (parse → schema → normalize); fails the test if that rejects it. */
export function loadSpec(text: string, file = 'spec.yaml'): Spec {
  const r = loadSpecText(text, file);
  if (!r.value) throw new Error(`front end rejected the test spec:\n${r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  return r.value;
}

/** The graph's diagnostics for a spec text. */
export function graphDiagnostics(text: string): Diagnostic[] {
  return buildGraph(loadSpec(text)).diagnostics;
}

/** A seq2seq spec text around the given `graph:` lines (each indented by two spaces). */
export function seq2seq(graph: string, output = 'logits'): string {
  return `seqloom: 1\nname: test\ntask: seq2seq\ngraph:\n${graph.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}\noutput: ${output}\n`;
}

export function languageModel(graph: string, output = 'logits'): string {
  return `seqloom: 1\nname: test-lm\ntask: language-model\ngraph:\n${graph.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}\noutput: ${output}\n`;
}

/** `text` with the one occurrence of `from` replaced (fails when `from` is missing or repeated). */
export function variant(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`test helper: \`${from}\` must occur exactly once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** The single diagnostic with `code` (fails when there is not exactly one). */
export function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  if (found.length !== 1) {
    throw new Error(`expected one ${code}, got: ${diagnostics.map((d) => `${d.code} ${d.message}`).join(' | ') || 'none'}`);
  }
  return found[0]!;
}
