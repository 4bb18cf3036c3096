/**
 * The graph stage: a normalized `Spec` → a checked, shaped `ModelGraph` (graphology inside) →
 * a plain `Plan` for the code generator, plus resource estimates and diagrams.
 */
export { buildGraph } from './build.js';
export { planGraph } from './plan.js';
export {
  countActivations, countParams, estimateResources, guessVocab, resolveDims, widthValue,
} from './estimate.js';
export type { NodeEstimate, ResourceDims, ResourceDimsInput, ResourceEstimate } from './estimate.js';
export { GRAPH_FORMATS, renderGraph } from './render.js';
export type { GraphFormat } from './render.js';
export { graphView, shapeLabel } from './render-view.js';
export type { GraphView, ViewEdge, ViewNode } from './render-view.js';
export { describeShape, describeState } from './diagnostics.js';
export { stronglyConnectedComponents, topologicalOrder } from './scc.js';
export { STREAM_TIME, STREAM_VOCAB } from './types.js';
export type {
  GraphEdgeAttributes, GraphNodeAttributes, ModelDirectedGraph, ModelGraph, NodeInfo, ParamShapes, RefTarget,
  ResolvedInput, Side, StateShape, TimeAxis, ValueShape, VocabSymbol, Width,
} from './types.js';
export type {
  CarriedValue, Crossing, Phase, Plan, PlanInput, PlanLoop, PlanNode, PlanStep,
} from './plan-types.js';
