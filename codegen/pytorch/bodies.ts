/**
 * The bodies that run the graph in Python (the PyTorch twin of ../passes/bodies.ts): `encode` (the
 * source side, time-batched), the target side time-batched with its loops (teacher-forced
 * `forward`), and the target side for one step (`step_logits`). Each binds what lies outside the
 * nodes, then lets the op emitters write one line per node.
 */
import type { SymbolTable } from '../framework/symbols.js';
import type { IRNode, ModuleIR } from '../ir/types.js';
import type { CrossingField, StateLayout } from '../passes/layout.js';
import { initCrossing as tsInitCrossing, startField } from '../passes/bodies.js';
import { emitPyNode } from './ops.js';
import { emitPyLoop } from './loop.js';
import { PyScope } from './scope.js';
import type { PyWriter } from './writer.js';

/** What every part of one Python generation shares. */
export interface PyGen {
  ir: ModuleIR;
  symbols: SymbolTable;
  layout: StateLayout;
  /** Class names: the module, its Encoded and its (Decoder)State dataclasses. */
  names: { module: string; encoded: string; state: string };
}

export function initCrossing(g: PyGen, node: IRNode): CrossingField | null {
  return tsInitCrossing(g, node);
}

function bindCrossings(scope: PyScope, crossings: readonly CrossingField[], holder: string): void {
  for (const c of crossings) {
    const expr = `${holder}.${c.key}`;
    if (c.crossing.part === 'lengths') scope.bindStreamLengths('source', expr);
    else scope.bind({ base: c.crossing.from, part: c.crossing.part, delayed: false }, expr);
  }
}

/** `encode`: the source side once over [B, T_src]; returns the Encoded dataclass. */
export function writeEncodeBody(w: PyWriter, g: PyGen): void {
  const scope = new PyScope(g.ir, g.symbols, 'batched');
  scope.bind({ base: 'source', part: 'output', delayed: false }, 'src');
  scope.bindStreamLengths('source', 'src_len');
  for (const node of g.ir.encode) {
    if (node.recurrent) scope.bindLengths(node, 'src_len');
    emitPyNode(w, node, scope);
  }
  const fields = g.layout.crossings.map((c) => {
    const value = c.crossing.part === 'lengths' ? 'src_len' : scope.value({ base: c.crossing.from, part: c.crossing.part, delayed: false, raw: c.crossing.from });
    return `${c.key}=${value}`;
  });
  w.call(`return ${g.names.encoded}`, fields);
}

export interface PyBatchedTarget {
  /** Expression of the stream's ids [B, T] (`tgt_in`, `x`). */
  ids: string;
  /** Where crossings live (`encoded`), or null for a language model. */
  encoded: string | null;
  /** Language models: the carried state (`state`, may be None at run time). */
  carried: string | null;
  /** A batched node not to evaluate (the output layer, when the caller applies it itself). */
  skip?: IRNode;
}

/**
 * The target side over the whole time axis: batched nodes once, loops per step. Returns the scope
 * and the final `.prev` locals of loop nodes (a language model's next state).
 */
export function writeBatchedTarget(w: PyWriter, g: PyGen, t: PyBatchedTarget): { scope: PyScope; prevLocals: Map<string, string> } {
  const scope = new PyScope(g.ir, g.symbols, 'batched');
  scope.bind({ base: g.ir.stream, part: 'output', delayed: false }, t.ids);
  if (t.encoded !== null) bindCrossings(scope, g.layout.crossings, t.encoded);
  /** Where a carried node starts: the language model's state (else `otherwise`), or its `init` crossing. */
  const start = (node: IRNode, otherwise: string): string | null => {
    const key = startField(g, node, t.carried !== null);
    if (key === null) return null;
    return t.carried !== null ? `${t.carried}.${key} if ${t.carried} is not None else ${otherwise}` : `${t.encoded}.${key}`;
  };
  const prevLocals = new Map<string, string>();
  for (const step of g.ir.plan.main.steps) {
    if (step.kind === 'batched') {
      const node = g.ir.byName.get(step.node)!;
      if (node === t.skip) continue;
      if (node.recurrent) scope.bindStartState(node, start(node, 'None'));
      emitPyNode(w, node, scope);
      continue;
    }
    const loop = g.ir.loops[step.loop]!;
    const loopNames = new Set(loop.map((n) => n.node.name));
    const outside = g.ir.decode.filter((n) => !loopNames.has(n.node.name));
    emitPyLoop(w, loop, scope, {
      rows: `${t.ids}.shape[0]`,
      steps: `${t.ids}.shape[1]`,
      device: () => `${t.ids}.device`,
      startState: (node) => start(node, `sl.zero_state(${scope.layer(node)}, ${t.ids}.shape[0])`),
      startPrev: (node) => start(node, `torch.zeros(${t.ids}.shape[0], ${widthOf(node)}, device=${t.ids}.device)`),
      neededAfter: (node) => node === g.ir.output || outside.some((o) => o.inputs.some(({ ref }) => ref.base === node.node.name && !ref.delayed)),
      prevLocal: (node, local) => prevLocals.set(node.node.name, local),
    });
  }
  return { scope, prevLocals };
}

function widthOf(node: IRNode): string {
  return node.out.width.map((t) => (typeof t === 'number' ? String(t) : `self.vocab["${t}"]`)).join(' + ');
}

/**
 * One step of the target side for N rows: `tokens` [N] and the carried `state` in, each node on
 * [N, D]; declares `next_state`. Returns the scope (for the output's value).
 */
export function writeTargetStep(w: PyWriter, g: PyGen): PyScope {
  const scope = new PyScope(g.ir, g.symbols, 'step');
  scope.bind({ base: g.ir.stream, part: 'output', delayed: false }, 'tokens');
  bindCrossings(scope, g.layout.crossings.filter((c) => !c.initOnly), 'state');
  for (const { node, key } of g.layout.recurrent) {
    scope.bindStartState(node, `state.${key}`);
    scope.bind({ base: node.node.name, part: 'output', delayed: true }, `sl.state_top(state.${key})`);
  }
  for (const { node, key } of g.layout.prevs) scope.bind({ base: node.node.name, part: 'output', delayed: true }, `state.${key}`);
  for (const { node, key } of g.layout.projectedKeys) scope.bindProjectedKeys(node, `state.${key}`);
  for (const node of g.ir.decode) emitPyNode(w, node, scope);
  const fields = [
    ...g.layout.recurrent.map(({ node, key }) => `${key}=${scope.local(node, 'state')}`),
    ...g.layout.prevs.map(({ node, key }) => `${key}=${scope.id(node)}`),
    ...g.layout.crossings.filter((c) => !c.initOnly).map((c) => `${c.key}=state.${c.key}`),
    ...g.layout.projectedKeys.map(({ key }) => `${key}=state.${key}`),
  ];
  w.call(`next_state = ${g.names.state}`, fields);
  return scope;
}

/** The output node's value in a scope. */
export function pyOutputValue(g: PyGen, scope: PyScope): string {
  return scope.value({ base: g.ir.output.node.name, part: 'output', delayed: false, raw: g.ir.output.node.name });
}
