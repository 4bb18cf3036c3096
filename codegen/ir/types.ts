/**
 * The generator's view of a model: every node with its side (source-only `encode` part or the
 * target-dependent `decode` part), whether teacher-forced `forward` runs it once over the whole time
 * axis (`loop: null`) or per step inside a loop closed by `.prev`, its time axis and feature width.
 * Lowered from the graph stage's ModelGraph and Plan (src/graph) by ./lower.ts.
 */
import type { Plan } from '../../src/graph/plan-types.js';
import type { GraphNode, Ref, Spec, StreamName, TaskKind } from '../../src/spec/types.js';
import type { RepeatFolds } from './folds.js';

/** A time axis, or null for per-sentence vectors (`encoder.state.top`). */
export type TimeAxis = 'T_src' | 'T_tgt' | 'T' | null;

/** A feature width: the sum of its terms (numbers and vocabulary sizes). `[32, 'target']` = 32 + V_target. */
export type Width = readonly (number | StreamName)[];

/** What a reference evaluates to. */
export interface ValueInfo {
  /** `ids`: int32 token ids; `features`: float features; `state`: a recurrent state `{h}` / `{h, c}`. */
  kind: 'ids' | 'features' | 'state';
  time: TimeAxis;
  width: Width;
}

export interface RecurrentShape {
  cell: 'rnn' | 'gru' | 'lstm';
  layers: number;
  dirs: 1 | 2;
  hidden: number;
  inputWidth: Width;
}

export interface IRNode {
  node: GraphNode;
  /** Safe identifier (symbol table) used for locals and property keys. */
  id: string;
  /** `encode`: depends only on `source`; `decode`: depends on `target`/`tokens`. */
  side: 'encode' | 'decode';
  /** Index into ModuleIR.loops when forward runs this node per step; null = time-batched. */
  loop: number | null;
  /** What the node reads, in the order its op lists its references. */
  inputs: { ref: Ref; role: string; info: ValueInfo }[];
  /** Width of the first input (`input`, `query`, first of `inputs`). */
  inputWidth: Width;
  /** The node's (sequence) output. */
  out: ValueInfo;
  recurrent: RecurrentShape | null;
}

export interface ModuleIR {
  spec: Spec;
  task: TaskKind;
  className: string;
  /** Spec path as written in the header (relative to the repo or as given). */
  specPath: string;
  /** Every node, in the order the spec wrote them (parameter creation order). */
  nodes: IRNode[];
  byName: ReadonlyMap<string, IRNode>;
  /** Source-only nodes, topologically ordered. */
  encode: IRNode[];
  /** Target-dependent nodes, topologically ordered (delay edges ignored; loops kept contiguous). */
  decode: IRNode[];
  /** Loops of the decode part (strongly connected through `.prev`), each topologically ordered. */
  loops: IRNode[][];
  output: IRNode;
  /** The stream the decode part reads: `target` (seq2seq) or `tokens` (language model). */
  stream: StreamName;
  /** The graph stage's plan this IR was lowered from (crossings, carried state, loops). */
  plan: Plan;
  /** Recurrent inputs read as parts in time-batched bodies (./folds.ts). */
  folds: RepeatFolds;
}
