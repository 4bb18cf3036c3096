/**
 * Lowering: the graph stage's ModelGraph and Plan (src/graph) → the generator's ModuleIR. Pass 1 of
 * the generator ("register symbols") happens here: every node name gets its identifier from the
 * symbol table before any code is written, so renames (`class` → `class_`) are decided up front.
 */
import type { ModelGraph, ValueShape, Width as GraphWidth } from '../../src/graph/types.js';
import type { Plan } from '../../src/graph/plan-types.js';
import type { StreamName } from '../../src/spec/types.js';
import { SymbolTable, pascalClassName } from '../framework/symbols.js';
import { GENERATED_LOCALS, RUNTIME_NAMES } from './reserved.js';
import { findRepeatFolds } from './folds.js';
import type { IRNode, ModuleIR, ValueInfo, Width } from './types.js';

export interface LowerOptions {
  /** The spec path to name in the header (`models/x.yaml`). */
  specPath: string;
}

export function lowerPlan(graph: ModelGraph, plan: Plan, opts: LowerOptions): { ir: ModuleIR; symbols: SymbolTable } {
  const spec = graph.spec;
  const symbols = new SymbolTable([...RUNTIME_NAMES, ...GENERATED_LOCALS]);
  const className = pascalClassName(spec.name, new Set(RUNTIME_NAMES));
  // Nodes the output does not depend on are not planned, so they get no code and no parameters.
  const used = spec.nodes.filter((n) => plan.nodes[n.name] !== undefined);
  for (const node of used) symbols.declare(node.name);

  const byName = new Map<string, IRNode>();
  const nodes = used.map((node): IRNode => {
    const planned = plan.nodes[node.name]!;
    const info = planned.info;
    const inputs = info.inputs.map((i) => ({ ref: i.ref, role: i.role, info: shapeInfo(i.shape) }));
    const ir: IRNode = {
      node,
      id: symbols.get(node.name),
      side: planned.phase === 'encode' ? 'encode' : 'decode',
      loop: planned.loop,
      inputs,
      inputWidth: inputs[0]?.info.width ?? [],
      out: shapeInfo(info.output),
      recurrent: info.state && info.params?.op === 'recurrent'
        ? { ...info.state, inputWidth: width(info.params.inputSize) }
        : null,
    };
    byName.set(node.name, ir);
    return ir;
  });
  const pick = (names: readonly string[]): IRNode[] => names.map((n) => byName.get(n)!);
  const decode = plan.main.steps.flatMap((s) => (s.kind === 'batched' ? [s.node] : plan.loops[s.loop]!.nodes));
  const stream: StreamName = plan.main.side;
  const output = byName.get(plan.output)!;
  return {
    ir: {
      spec, task: spec.task, className, specPath: opts.specPath, nodes, byName,
      encode: pick(plan.encode), decode: pick(decode), loops: plan.loops.map((l) => pick(l.nodes)),
      output, stream, plan, folds: findRepeatFolds(nodes, output),
    },
    symbols,
  };
}

export function width(w: GraphWidth): Width {
  if (typeof w === 'number') return [w];
  return [w.slice(2) as StreamName];
}

function shapeInfo(shape: ValueShape): ValueInfo {
  switch (shape.kind) {
    case 'ids': return { kind: 'ids', time: shape.time, width: [1] };
    case 'sequence': return { kind: 'features', time: shape.time, width: width(shape.width) };
    case 'vector': return { kind: 'features', time: null, width: width(shape.width) };
    case 'state': return { kind: 'state', time: null, width: [shape.state.hidden * shape.state.dirs] };
  }
}
