/**
 * `renderGraph(graph, format)`: the graph with shapes, phases and resource estimates, as Mermaid
 * (the default of `seqloom graph`), Graphviz DOT, or JSON. The view (./render-view.ts) gathers what
 * a diagram shows; the formats differ only in syntax (./render-diagrams.ts).
 */
import type { ResourceDimsInput } from './estimate.js';
import { renderDot, renderMermaid } from './render-diagrams.js';
import { graphView, type GraphView } from './render-view.js';
import type { ModelGraph } from './types.js';

export type GraphFormat = 'mermaid' | 'dot' | 'json';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'json'];

export function renderGraph(g: ModelGraph, format: GraphFormat, dims?: ResourceDimsInput): string {
  const view = graphView(g, dims);
  switch (format) {
    case 'mermaid': return renderMermaid(view);
    case 'dot': return renderDot(view);
    case 'json': return `${JSON.stringify(toJson(view), null, 2)}\n`;
  }
}

function toJson(view: GraphView): unknown {
  const { plan, estimate } = view;
  const streams = view.task === 'seq2seq' ? (['source', 'target'] as const) : (['tokens'] as const);
  const axes = view.task === 'seq2seq' ? (['T_src', 'T_tgt'] as const) : (['T'] as const);
  return {
    name: view.name,
    task: view.task,
    output: view.output,
    dims: {
      batch: estimate.dims.batch,
      time: Object.fromEntries(axes.map((a) => [a, estimate.dims.time[a]])),
      vocab: Object.fromEntries(streams.map((s) => [s, estimate.dims.vocab[s]])),
    },
    guessed: estimate.guessed,
    totals: { params: estimate.totalParams, paramBytes: estimate.paramBytes, activationBytes: estimate.totalActivationBytes },
    nodes: view.nodes,
    edges: view.edges,
    plan: {
      encode: plan.encode,
      steps: plan.main.steps,
      loops: plan.loops.map((l) => ({ nodes: l.nodes, carried: l.carried.map((c) => c.key) })),
      crossings: plan.crossings.map((c) => c.key),
      stepState: plan.stepState.map((c) => c.key),
      unused: plan.unused,
    },
  };
}

