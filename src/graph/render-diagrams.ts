/**
 * Mermaid and Graphviz DOT text for a `GraphView`. Both draw the same picture: streams as inputs,
 * a box per phase (`encode`, the decoding or language-model side, each per-step loop inside it),
 * one edge per reference labelled with the shape it carries, delays (`x.prev`) dashed.
 */
import { formatBytes, formatCount, type GraphView, type ViewEdge, type ViewNode } from './render-view.js';

export interface Group { id: string; title: string; members: ViewNode[]; inner: Group[] }

/** Nodes grouped by phase; loops nest inside the side they belong to. */
export function groups(view: GraphView): { outside: ViewNode[]; groups: Group[] } {
  const side = view.task === 'seq2seq' ? 'decode' : 'lm';
  const axis = view.plan.main.time;
  const encode: Group = { id: 'encode', title: 'encode: once per batch over T_src', members: [], inner: [] };
  const main: Group = {
    id: side, title: view.task === 'seq2seq' ? `decode: batched over ${axis} (teacher forcing)` : `language model: batched over ${axis}`,
    members: [], inner: [],
  };
  for (const loop of view.plan.loops) {
    const carried = loop.carried.map((c) => c.key).join(', ');
    main.inner.push({ id: `loop${loop.index}`, title: `${loop.phase} ${loop.index}: per step, carries ${carried}`, members: [], inner: [] });
  }
  const outside: ViewNode[] = [];
  for (const n of view.nodes) {
    if (n.phase === 'encode') encode.members.push(n);
    else if (n.loop !== null) main.inner[n.loop]!.members.push(n);
    else if (n.phase === 'decode-batched' || n.phase === 'lm-batched') main.members.push(n);
    else outside.push(n);
  }
  return { outside, groups: [encode, main].filter((g) => g.members.length > 0 || g.inner.length > 0) };
}

export function nodeLines(n: ViewNode): string[] {
  if (n.op === 'stream') return [n.name, n.shape];
  const head = `${n.name}: ${n.op}${n.detail ? ` (${n.detail})` : ''}`;
  const cost = `${formatCount(n.params)} params · ${formatBytes(n.activationBytes)}`;
  return n.phase === 'unused' ? [head, n.shape, 'unused'] : [head, n.shape, cost];
}

/** `[B, T_tgt, 32]`, prefixed by the key when not `input` and by the reference when it has a suffix. */
export function edgeLabel(e: ViewEdge): string {
  const role = e.role === 'input' ? '' : `${e.role.replace(/^inputs\.(\d+)$/, '#$1')}: `;
  const ref = e.ref.includes('.') ? `${e.ref} ` : '';
  return `${role}${ref}${e.shape}`;
}

export function header(view: GraphView): string[] {
  const { dims, guessed, totalParams, totalActivationBytes } = view.estimate;
  const times = view.task === 'seq2seq' ? `T_src=${dims.time.T_src}, T_tgt=${dims.time.T_tgt}` : `T=${dims.time.T}`;
  const vocab = (view.task === 'seq2seq' ? ['source', 'target'] as const : ['tokens'] as const)
    .map((s) => `V_${s}=${dims.vocab[s]}${guessed.includes(`V_${s}`) ? ' (guessed)' : ''}`).join(', ');
  return [
    `${view.name} (${view.task}), output ${view.output}`,
    `${formatCount(totalParams)} parameters; activations ${formatBytes(totalActivationBytes)} for B=${dims.batch}, ${times}, ${vocab}`,
  ];
}

const mq = (s: string): string => s.replace(/"/g, '#quot;');
/** Words Mermaid reads as syntax; such a node gets an id with a capital (never a node name). */
const MERMAID_WORDS = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classdef', 'click', 'linkstyle', 'direction', 'default']);
const mid = (name: string): string => (MERMAID_WORDS.has(name) ? `${name}N` : name);

export function renderMermaid(view: GraphView): string {
  const out: string[] = ['flowchart TD', ...header(view).map((l) => `  %% ${l}`)];
  const { outside, groups: gs } = groups(view);
  const node = (n: ViewNode, indent: string): string => {
    const label = mq(nodeLines(n).join('<br/>'));
    return n.op === 'stream' ? `${indent}${mid(n.name)}[/"${label}"/]` : `${indent}${mid(n.name)}["${label}"]`;
  };
  for (const n of outside.filter((x) => x.op === 'stream')) out.push(node(n, '  '));
  const emit = (g: Group, indent: string): void => {
    out.push(`${indent}subgraph ${g.id[0]!.toUpperCase()}${g.id.slice(1)} ["${mq(g.title)}"]`);
    for (const n of g.members) out.push(node(n, `${indent}  `));
    for (const inner of g.inner) emit(inner, `${indent}  `);
    out.push(`${indent}end`);
  };
  for (const g of gs) emit(g, '  ');
  for (const n of outside.filter((x) => x.op !== 'stream')) out.push(node(n, '  '));
  for (const e of view.edges) {
    const arrow = e.delayed ? '-.->' : '-->';
    out.push(`  ${mid(e.from)} ${arrow}|"${mq(edgeLabel(e))}"| ${mid(e.to)}`);
  }
  out.push(`  style ${mid(view.output)} stroke-width:3px`);
  for (const n of outside.filter((x) => x.phase === 'unused')) out.push(`  style ${mid(n.name)} stroke-dasharray:4 4`);
  return `${out.join('\n')}\n`;
}

export const dq = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
/** DOT keywords (any case) cannot be bare ids; quote them. */
export const did = (name: string): string => (/^(node|edge|graph|digraph|subgraph|strict)$/i.test(name) ? `"${name}"` : name);

export function renderDot(view: GraphView): string {
  const out: string[] = [`digraph "${dq(view.name)}" {`, ...header(view).map((l) => `  // ${l}`)];
  out.push('  rankdir=TB;', '  node [shape=box, fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];');
  const { outside, groups: gs } = groups(view);
  const node = (n: ViewNode, indent: string): string => {
    const attrs = [`label="${nodeLines(n).map(dq).join('\\n')}"`];
    if (n.op === 'stream') attrs.unshift('shape=invhouse');
    if (n.name === view.output) attrs.push('penwidth=2');
    if (n.phase === 'unused') attrs.push('style=dashed');
    return `${indent}${did(n.name)} [${attrs.join(', ')}];`;
  };
  for (const n of outside.filter((x) => x.op === 'stream')) out.push(node(n, '  '));
  const emit = (g: Group, indent: string): void => {
    out.push(`${indent}subgraph cluster_${g.id} {`, `${indent}  label="${dq(g.title)}";`);
    for (const n of g.members) out.push(node(n, `${indent}  `));
    for (const inner of g.inner) emit(inner, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const g of gs) emit(g, '  ');
  for (const n of outside.filter((x) => x.op !== 'stream')) out.push(node(n, '  '));
  for (const e of view.edges) {
    const attrs = [`label="${dq(edgeLabel(e))}"`];
    if (e.delayed) attrs.push('style=dashed', 'constraint=false');
    out.push(`  ${did(e.from)} -> ${did(e.to)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
