/**
 * The plan: how the generated module runs the graph. Plain data (no graphology) for the code
 * generator to walk:
 *
 *   encode:  source-only nodes, once per batch, each over the whole source          (seq2seq)
 *   main:    the target/tokens side as a schedule of steps, each either one node over the whole
 *            time axis (batched) or a loop run step by step (nodes strongly connected through `.prev`)
 *
 * Teacher-forced `forward()` walks `encode` then `main.steps`. `decodeStep()` runs every `main` node
 * for one time step, carrying `stepState` between calls; `crossings` are what `encode()` hands it.
 */
import type { OpKind, TaskKind } from '../spec/types.js';
import type { NodeInfo, ResolvedInput, StateShape, TimeAxis, ValueShape, Width } from './types.js';

export type Phase = 'encode' | 'decode-batched' | 'decode-loop' | 'lm-batched' | 'lm-loop';

export interface PlanNode {
  name: string;
  op: OpKind;
  phase: Phase;
  /** Index into `Plan.loops` when the node runs in a loop, else null. */
  loop: number | null;
  /** Widths, time axis, state, parameter sizes, inputs (each with its shape) and the spec node. */
  info: NodeInfo;
  /** Inputs, each marked with where its value comes from at run time. */
  inputs: PlanInput[];
}

export interface PlanInput extends ResolvedInput {
  /**
   * `encoded`: computed by `encode()` and read from the crossing named `crossing`;
   * `stream`: a stream's ids; `delayed`: the previous step's value (from the loop's carried state);
   * `node`: a node of the same side, computed earlier in the schedule.
   */
  via: 'encoded' | 'stream' | 'delayed' | 'node';
  /** For `encoded`: the key in `Plan.crossings`. For `delayed`: the key in the loop's `carried`. */
  key?: string;
}

/** One entry of `main.steps`: a node over the whole time axis, or a loop stepped through time. */
export type PlanStep = { kind: 'batched'; node: string } | { kind: 'loop'; loop: number };

/**
 * A value carried from one time step to the next. `state`: a recurrent node's whole state ({h} or
 * {h, c}); `x.prev` of a recurrent node reads its top layer's h from here. `output`: a non-recurrent
 * node's previous output, read by `x.prev`.
 */
export interface CarriedValue {
  kind: 'state' | 'output';
  node: string;
  /** Field name (`decoder_state`, `attn_prev`). */
  key: string;
  /** `state` values: the state shape. */
  state: StateShape | null;
  /** `output` values: the per-step width (`[B, width]`). */
  width: Width | null;
  /** The value before the first step: zeros, or the node's `init` (a crossing key when from encode). */
  initial: { kind: 'zeros' } | { kind: 'init'; from: string; crossing: string | null };
  /** The delayed references that read it. */
  readBy: Array<{ node: string; role: string }>;
}

export interface PlanLoop {
  index: number;
  phase: 'decode-loop' | 'lm-loop';
  time: TimeAxis;
  /** The nodes of one step in dependency order (delay edges excluded). */
  nodes: string[];
  /** The loop's carried state: recurrent states stepped inside it and the delayed outputs it reads. */
  carried: CarriedValue[];
  /** Values from outside the loop: `perStep` ones are sequences sliced at each step, others constant. */
  inputs: Array<{ node: string; role: string; from: string; part: ResolvedInput['part']; perStep: boolean }>;
  /**
   * Recurrent nodes whose input is a concat inside the loop: which concat parts are known before the
   * loop, so their share of the input projection (`x·W_ih` rows `offset..offset+width`) can run
   * batched over `[B·T, width]` and only the rest per step.
   */
  projections: Array<{ node: string; concat: string; parts: Array<{ from: string; offset: number; width: number; batched: boolean }> }>;
}

/** A value `encode()` computes and the decoding side reads (seq2seq only). */
export interface Crossing {
  /** Field name in the module's `Encoded` type (`encoder_output`, `encoder_state`, `source_lengths`). */
  key: string;
  /** A node name, or `source` for lengths. */
  from: string;
  part: 'output' | 'state' | 'state.top' | 'lengths';
  /** The value's shape; `lengths` are int32 `[B]` (shape null). */
  shape: ValueShape | null;
  readBy: Array<{ node: string; role: string }>;
}

export interface Plan {
  task: TaskKind;
  output: string;
  /** Every node the output depends on: encode nodes first, then the main schedule flattened. */
  order: string[];
  nodes: Record<string, PlanNode>;
  /** seq2seq: the source-only nodes in dependency order; [] for language models. */
  encode: string[];
  /** The target (seq2seq) or tokens (language model) side. */
  main: { side: 'target' | 'tokens'; time: TimeAxis; steps: PlanStep[] };
  loops: PlanLoop[];
  crossings: Crossing[];
  /** What `decodeStep()` carries between calls: every recurrent state on the main side, and delayed outputs. */
  stepState: CarriedValue[];
  /** Nodes that do not contribute to the output (not planned). */
  unused: string[];
}
