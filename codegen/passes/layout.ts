/**
 * The layout of the values a module carries between its methods, from the plan: what `encode` hands
 * over (`Encoded`: the plan's crossings — every source-side value the target side reads) and what one
 * decoder step carries (`DecoderState` / the language model's `State`: the plan's step state — each
 * target-side recurrent node's state and the `.prev` value of each delayed non-recurrent node — plus
 * the crossings a step reads). Plan keys become fields through their own symbol table.
 */
import type { Crossing } from '../../src/graph/plan-types.js';
import { SymbolTable } from '../framework/symbols.js';
import type { IRNode, ModuleIR, ValueInfo } from '../ir/types.js';
import { width } from '../ir/lower.js';

export interface CrossingField {
  key: string;
  crossing: Crossing;
  /** The encode-side node (null for `source` lengths). */
  node: IRNode | null;
  info: ValueInfo | null;
  /** Read only as a recurrent node's `init`: used to start the decoder, not carried per step. */
  initOnly: boolean;
}

export interface StateLayout {
  crossings: CrossingField[];
  /** Target-side recurrent nodes, with their field name. */
  recurrent: { node: IRNode; key: string }[];
  /** Target-side non-recurrent nodes read through `.prev`, with their field name. */
  prevs: { node: IRNode; key: string }[];
  /**
   * Additive attention on the target side over encoded keys: the keys projected by W_k once per
   * sentence (in initDecoderState) instead of at every step.
   */
  projectedKeys: { node: IRNode; key: string; keys: CrossingField }[];
  /**
   * The attention node whose weights decoding can return (seq2seq): the first target-side attention
   * over source-side keys, in spec order; null when there is none.
   */
  attention: IRNode | null;
}

export function stateLayout(ir: ModuleIR): StateLayout {
  const fields = new SymbolTable();
  const crossings = ir.plan.crossings.map((c): CrossingField => {
    const node = ir.byName.get(c.from) ?? null;
    const info: ValueInfo | null = c.shape === null ? null
      : c.shape.kind === 'state' ? { kind: 'state', time: null, width: [c.shape.state.hidden * c.shape.state.dirs] }
      : c.shape.kind === 'sequence' ? { kind: 'features', time: c.shape.time, width: width(c.shape.width) }
      : c.shape.kind === 'vector' ? { kind: 'features', time: null, width: width(c.shape.width) }
      : null;
    return { key: fields.declare(`crossing:${c.key}`, c.key), crossing: c, node, info, initOnly: c.readBy.every((r) => r.role === 'init') };
  });
  const recurrent: StateLayout['recurrent'] = [];
  const prevs: StateLayout['prevs'] = [];
  for (const carried of ir.plan.stepState) {
    const node = ir.byName.get(carried.node)!;
    const key = fields.declare(`carried:${carried.key}`, carried.key);
    (carried.kind === 'state' ? recurrent : prevs).push({ node, key });
  }
  const projectedKeys: StateLayout['projectedKeys'] = [];
  for (const node of ir.decode) {
    if (node.node.op !== 'attention' || node.node.kind !== 'additive' || node.node.keys.delayed) continue;
    const keys = crossingFor({ crossings } as StateLayout, node.node.keys.base, node.node.keys.part);
    if (keys) projectedKeys.push({ node, keys, key: fields.declare(`keys:${node.node.name}`, `${node.node.name}_keys`) });
  }
  const attention = ir.task !== 'seq2seq' ? null : ir.nodes.find((n) => n.side === 'decode' && n.node.op === 'attention'
    && n.inputs.some((i) => i.role === 'keys' && i.info.time === 'T_src')) ?? null;
  return { crossings, recurrent, prevs, projectedKeys, attention };
}

/** Crossings a decoder step reads (not only as a recurrent `init`). */
export function carriedCrossings(layout: StateLayout): CrossingField[] {
  return layout.crossings.filter((c) => !c.initOnly);
}

/** The crossing field for a reference from the target side to the source side, if it is one. */
export function crossingFor(layout: StateLayout, from: string, part: Crossing['part']): CrossingField | undefined {
  return layout.crossings.find((c) => c.crossing.from === from && c.crossing.part === part);
}
