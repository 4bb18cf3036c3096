/**
 * The model graph: what `buildGraph(spec)` returns once every reference resolved and every shape
 * checked. Nodes are ops (plus the task's streams as input nodes); edges carry tensors. Besides the
 * graphology graph (for walking and rendering), each op gets a plain `NodeInfo` record: the resolved
 * widths, time axis, state shape and parameter sizes that the code generator needs.
 */
import type { MultiDirectedGraph } from 'graphology';
import type { CellKind, GraphNode, OpKind, Ref, Spec, StreamName, TaskKind } from '../spec/types.js';

/** The time axis of a sequence value: the source, the target, or a language model's tokens. */
export type TimeAxis = 'T_src' | 'T_tgt' | 'T';
/** A vocabulary size known only once data is loaded. */
export type VocabSymbol = 'V_source' | 'V_target' | 'V_tokens';
/** A feature width: a number, or a vocabulary size (`dense {units: target.vocab}`). */
export type Width = number | VocabSymbol;

export const STREAM_TIME: Record<StreamName, TimeAxis> = { source: 'T_src', target: 'T_tgt', tokens: 'T' };
/** The time axis decoding runs over, step by step: the target's, or a language model's tokens'. */
export function decodeAxis(task: TaskKind): TimeAxis {
  return task === 'seq2seq' ? 'T_tgt' : 'T';
}
export const STREAM_VOCAB: Record<StreamName, VocabSymbol> = {
  source: 'V_source', target: 'V_target', tokens: 'V_tokens',
};

/** A recurrent node's state: `h` (and `c` for LSTM), each `[layers·dirs, B, hidden]`. */
export interface StateShape { cell: CellKind; layers: number; dirs: 1 | 2; hidden: number }

/** The shape of a value flowing along an edge (B, the batch, is implicit everywhere). */
export type ValueShape =
  /** A stream: int32 token ids `[B, T]`. */
  | { kind: 'ids'; time: TimeAxis; vocab: VocabSymbol }
  /** Features over time `[B, T, width]`. */
  | { kind: 'sequence'; time: TimeAxis; width: Width }
  /** One feature vector per example `[B, width]` (e.g. `encoder.state.top`). */
  | { kind: 'vector'; width: Width }
  /** A whole recurrent state (`encoder.state`): `{h}` or `{h, c}`. */
  | { kind: 'state'; state: StateShape };

/** Sizes each parametrized op is built with (what `create*Params` needs). */
export type ParamShapes =
  | { op: 'embedding'; vocab: VocabSymbol; dim: number }
  | { op: 'recurrent'; cell: CellKind; inputSize: Width; hidden: number; layers: number; dirs: 1 | 2 }
  | { op: 'dense'; inSize: Width; outSize: Width }
  | { op: 'attention'; kind: 'additive' | 'dot'; queryDim: Width; keyDim: Width; valueDim: Width; hidden: Width | null };

/** What a reference points at once resolved. */
export type RefTarget = { kind: 'stream'; stream: StreamName } | { kind: 'node'; node: string };

/**
 * One input of an op: which key it came from (`input`, `init`, `like`, `query`, `keys`, `values`,
 * `mask`, `inputs.0`…), what it points at, and the shape of the value it carries.
 */
export interface ResolvedInput {
  role: string;
  ref: Ref;
  target: RefTarget;
  part: Ref['part'];
  /** `x.prev`: the value at the previous time step. */
  delayed: boolean;
  shape: ValueShape;
}

/** Which stream a node's value is derived from (seq2seq: `source` = encoder side). */
export type Side = 'source' | 'target' | 'tokens';

/** Everything codegen needs about one op, with no graphology in it. */
export interface NodeInfo {
  name: string;
  op: OpKind;
  /** The normalized spec node: params and source ranges. */
  spec: GraphNode;
  /** Position in the spec (file order). */
  index: number;
  inputs: ResolvedInput[];
  /** The node's output value (`x`): a sequence, or a vector when computed from vectors. */
  output: ValueShape;
  /** Resolved feature width of the output. */
  width: Width;
  /** The output's time axis, or null for a non-sequence value. */
  time: TimeAxis | null;
  /** Recurrent nodes: the state shape (`x.state`). */
  state: StateShape | null;
  /** Parametrized ops (embedding, recurrent, dense, attention): their sizes; null otherwise. */
  params: ParamShapes | null;
  /** The stream the node depends on: seq2seq `target` wins over `source`. */
  side: Side;
}

/** Node attributes in the graphology graph. */
export type GraphNodeAttributes =
  | { kind: 'stream'; name: StreamName; shape: ValueShape }
  | { kind: 'op'; name: string; op: OpKind; shape: ValueShape; info: NodeInfo };

/** Edge attributes: one edge per reference, from the value's producer to its consumer. */
export interface GraphEdgeAttributes {
  role: string;
  raw: string;
  part: Ref['part'];
  delayed: boolean;
  shape: ValueShape;
}

export type ModelDirectedGraph = MultiDirectedGraph<GraphNodeAttributes, GraphEdgeAttributes>;

export interface ModelGraph {
  spec: Spec;
  task: TaskKind;
  /** The task's streams, in order. */
  streams: readonly StreamName[];
  /** graphology multigraph: streams and ops as nodes, references as edges (keyed `consumer:role`). */
  graph: ModelDirectedGraph;
  /** Per op, by name. */
  nodes: Record<string, NodeInfo>;
  /** Ops in a topological order of the non-delay edges (ties by file order). */
  order: string[];
  /** The node named by `output:`. */
  output: string;
}
