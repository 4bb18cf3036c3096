/**
 * The graph as a picture (`seqloom graph --format svg`, the report's model graph): the same view
 * as the DOT diagram (./render-diagrams.ts), styled for reading — rounded boxes coloured by op,
 * the node name in bold, its shape in monospace and its parameter count — and laid out by Graphviz
 * compiled to WebAssembly (@viz-js/viz), offline, in Node or a browser.
 */
import { instance, type Viz } from '@viz-js/viz';
import { did, dq, edgeLabel, groups, type Group } from './render-diagrams.js';
import { formatBytes, formatCount, type GraphView, type ViewNode } from './render-view.js';

/** Fill colours by op (streams and the lighter ops share a grey). */
const FILL: Record<string, string> = {
  stream: '#eef1f5', embedding: '#e3eefb', recurrent: '#e2f3e7', attention: '#fdf0dc', dense: '#efe6fb',
};
const GREY_FILL = '#f4f5f7';
const INK = '#24292f';
const MUTED = '#6a737d';

const html = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function nodeLabel(n: ViewNode): string {
  if (n.op === 'stream') return `<<b>${html(n.name)}</b><br/><font face="Courier" point-size="9">${html(n.shape)}</font>>`;
  const head = `<b>${html(n.name)}</b>  ${html(n.op)}${n.detail ? ` <font color="${MUTED}">(${html(n.detail)})</font>` : ''}`;
  const cost = n.phase === 'unused' ? 'unused' : `${formatCount(n.params)} params · ${formatBytes(n.activationBytes)}`;
  return `<${head}<br/><font face="Courier" point-size="9">${html(n.shape)}</font><br/><font color="${MUTED}" point-size="8.5">${html(cost)}</font>>`;
}

/** Styled DOT for the picture (the plain `--format dot` output is unchanged). */
export function renderPictureDot(view: GraphView): string {
  const { totalParams } = view.estimate;
  const title = `<<b>${html(view.name)}</b>  <font color="${MUTED}">${html(view.task)} · ${formatCount(totalParams)} parameters · output ${html(view.output)}</font>>`;
  const out: string[] = [
    `digraph "${dq(view.name)}" {`,
    `  graph [rankdir=TB, fontname="Helvetica", fontsize=12, fontcolor="${INK}", nodesep=0.3, ranksep=0.42, labelloc=t, labeljust=l, label=${title}];`,
    `  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor="${INK}", color="#8c959f", penwidth=1, margin="0.14,0.06"];`,
    `  edge [fontname="Helvetica", fontsize=8, fontcolor="${MUTED}", color="#8c959f", arrowsize=0.6];`,
  ];
  const { outside, groups: gs } = groups(view);
  const node = (n: ViewNode, indent: string): string => {
    const attrs = [`label=${nodeLabel(n)}`, `fillcolor="${FILL[n.op] ?? GREY_FILL}"`];
    if (n.op === 'stream') attrs.push('shape=invhouse', 'style=filled');
    if (n.name === view.output) attrs.push('penwidth=2.2', `color="${INK}"`);
    if (n.phase === 'unused') attrs.push('style="rounded,filled,dashed"');
    return `${indent}${did(n.name)} [${attrs.join(', ')}];`;
  };
  for (const n of outside.filter((x) => x.op === 'stream')) out.push(node(n, '  '));
  const emit = (g: Group, indent: string, depth: number): void => {
    const loop = depth > 0;
    out.push(`${indent}subgraph cluster_${g.id} {`,
      `${indent}  label="${dq(g.title)}"; fontsize=9; fontcolor="${MUTED}"; labeljust=l;`,
      `${indent}  style="rounded,filled${loop ? ',dashed' : ''}"; fillcolor="${loop ? '#fffaf2' : '#f8f9fb'}"; color="${loop ? '#d4a35a' : '#d0d7de'}";`);
    for (const n of g.members) out.push(node(n, `${indent}  `));
    for (const inner of g.inner) emit(inner, `${indent}  `, depth + 1);
    out.push(`${indent}}`);
  };
  for (const g of gs) emit(g, '  ', 0);
  for (const n of outside.filter((x) => x.op !== 'stream')) out.push(node(n, '  '));
  for (const e of view.edges) {
    const attrs = [`label="${dq(edgeLabel(e))}"`];
    if (e.delayed) attrs.push('style=dashed', 'constraint=false', 'color="#c9822b"', 'fontcolor="#a8691f"');
    out.push(`  ${did(e.from)} -> ${did(e.to)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

let viz: Promise<Viz> | null = null;

/** DOT → SVG text (a standalone document: XML declaration, doctype, `<svg>`). */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    throw new Error(`graphviz could not lay out the graph: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.output;
}

/** The graph as an SVG document. */
export async function renderSvg(view: GraphView): Promise<string> {
  return dotToSvg(renderPictureDot(view));
}

/** An SVG document as an element to inline in HTML (no XML declaration or doctype). */
export function inlineSvg(svg: string): string {
  return svg.slice(svg.indexOf('<svg'));
}
