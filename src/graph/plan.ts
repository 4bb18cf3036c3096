/**
 * `planGraph(graph)`: which nodes run once over the whole time axis and which run per step.
 *
 * Nodes that depend only on `source` form `encode`. The rest (the target or tokens side) are grouped
 * into strongly connected components through all edges, delays included: a component with a cycle
 * (closed by `.prev`) is a loop run step by step; every other node runs batched over `[B·T, …]`
 * (embedding lookups, repeat, concat, the output dense — and recurrent nodes whose only recurrence
 * is their own, run whole by `runRecurrent`). Components are scheduled in a topological order.
 */
import { STREAM_TIME } from './types.js';
import type { ModelGraph, NodeInfo, ResolvedInput, StateShape } from './types.js';
import type { CarriedValue, Crossing, Phase, Plan, PlanInput, PlanLoop, PlanNode, PlanStep } from './plan-types.js';
import { isCycle, stronglyConnectedComponents, topologicalOrder } from './scc.js';

const producerOf = (i: ResolvedInput): string => (i.target.kind === 'stream' ? i.target.stream : i.target.node);

export function planGraph(g: ModelGraph): Plan {
  const used = usedFrom(g);
  const order = g.order.filter((n) => used.has(n));
  const unused = g.order.filter((n) => !used.has(n));
  const isEncode = (n: string): boolean => g.nodes[n]!.side === 'source';
  const encode = order.filter(isEncode);
  const mainNodes = order.filter((n) => !isEncode(n));
  const mainSide = g.task === 'seq2seq' ? 'target' : 'tokens';
  const loopPhase = g.task === 'seq2seq' ? 'decode-loop' : 'lm-loop';

  // Components of the main side through every edge; cycles (closed by `.prev`) are loops.
  const consumers = new Map<string, string[]>(mainNodes.map((n) => [n, []]));
  for (const n of mainNodes) {
    for (const i of g.nodes[n]!.inputs) if (i.target.kind === 'node' && consumers.has(i.target.node)) consumers.get(i.target.node)!.push(n);
  }
  const succ = (n: string): string[] => consumers.get(n)!;
  const components = stronglyConnectedComponents(mainNodes, succ);
  const rank = new Map(order.map((n, i) => [n, i]));
  const first = (c: string[]): number => Math.min(...c.map((n) => rank.get(n)!));
  components.sort((a, b) => first(a) - first(b));
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((n) => componentOf.set(n, i)));
  const ids = components.map((_, i) => String(i));
  const scheduled = topologicalOrder(ids, (id) => [...new Set(components[Number(id)]!.flatMap((n) => succ(n).map((s) => String(componentOf.get(s)))))]
    .filter((s) => s !== id))!;

  const crossings = collectCrossings(g, mainNodes, isEncode);
  const crossingKey = (from: string, part: Crossing['part']): string | null =>
    crossings.find((c) => c.from === from && c.part === part)?.key ?? null;

  const loops: PlanLoop[] = [];
  const steps: PlanStep[] = [];
  const loopOf = new Map<string, number>();
  for (const id of scheduled) {
    const members = components[Number(id)]!;
    if (!isCycle(members, succ)) { steps.push({ kind: 'batched', node: members[0]! }); continue; }
    const index = loops.length;
    const nodes = order.filter((n) => members.includes(n));
    nodes.forEach((n) => loopOf.set(n, index));
    loops.push(buildLoop(g, index, loopPhase, nodes, crossingKey));
    steps.push({ kind: 'loop', loop: index });
  }

  const phaseOf = (n: string): Phase => {
    if (isEncode(n)) return 'encode';
    if (loopOf.has(n)) return loopPhase;
    return g.task === 'seq2seq' ? 'decode-batched' : 'lm-batched';
  };
  const carriedKey = (n: string): string | undefined => {
    for (const l of loops) for (const c of l.carried) if (c.node === n) return c.key;
    return undefined;
  };
  const nodes: Record<string, PlanNode> = {};
  for (const n of order) {
    const info = g.nodes[n]!;
    const inputs: PlanInput[] = info.inputs.map((i) => {
      const from = producerOf(i);
      if (i.delayed) return { ...i, via: 'delayed', key: carriedKey(from)! };
      if (!isEncode(n) && (i.target.kind === 'stream' ? i.target.stream === 'source' : isEncode(from))) {
        return { ...i, via: 'encoded', key: crossingKey(from, i.target.kind === 'stream' ? 'lengths' : i.part)! };
      }
      return { ...i, via: i.target.kind === 'stream' ? 'stream' : 'node' };
    });
    nodes[n] = { name: n, op: info.op, phase: phaseOf(n), loop: loopOf.get(n) ?? null, info, inputs };
  }

  const flat = steps.flatMap((s) => (s.kind === 'batched' ? [s.node] : loops[s.loop]!.nodes));
  return {
    task: g.task, output: g.output, order: [...encode, ...flat], nodes, encode,
    main: { side: mainSide, time: STREAM_TIME[mainSide], steps },
    loops, crossings, stepState: stepStateOf(g, mainNodes, loops, crossingKey), unused,
  };
}

function usedFrom(g: ModelGraph): Set<string> {
  const used = new Set([g.output]);
  const stack = [g.output];
  while (stack.length > 0) {
    for (const i of g.nodes[stack.pop()!]!.inputs) {
      if (i.target.kind === 'node' && !used.has(i.target.node)) { used.add(i.target.node); stack.push(i.target.node); }
    }
  }
  return used;
}

/** Values `encode()` must hand to the decoding side: encoder outputs, states, source lengths. */
function collectCrossings(g: ModelGraph, mainNodes: string[], isEncode: (n: string) => boolean): Crossing[] {
  const out: Crossing[] = [];
  for (const n of mainNodes) {
    for (const i of g.nodes[n]!.inputs) {
      const stream = i.target.kind === 'stream';
      if (stream ? i.target.kind === 'stream' && i.target.stream !== 'source' : !isEncode(producerOf(i))) continue;
      const from = producerOf(i);
      const part: Crossing['part'] = stream ? 'lengths' : i.part;
      let c = out.find((x) => x.from === from && x.part === part);
      if (!c) {
        const key = part === 'lengths' ? `${from}_lengths` : `${from}_${part.replace('.', '_')}`;
        c = { key, from, part, shape: stream ? null : i.shape, readBy: [] };
        out.push(c);
      }
      c.readBy.push({ node: n, role: i.role });
    }
  }
  return out;
}

type CrossingKey = (from: string, part: Crossing['part']) => string | null;

function initialOf(info: NodeInfo, crossingKey: CrossingKey): CarriedValue['initial'] {
  const init = info.inputs.find((i) => i.role === 'init');
  if (!init || init.target.kind !== 'node') return { kind: 'zeros' };
  return { kind: 'init', from: init.target.node, crossing: crossingKey(init.target.node, 'state') };
}

function carriedState(info: NodeInfo, crossingKey: CrossingKey): CarriedValue {
  return {
    kind: 'state', node: info.name, key: `${info.name}_state`, state: info.state as StateShape, width: null,
    initial: initialOf(info, crossingKey), readBy: [],
  };
}

function buildLoop(g: ModelGraph, index: number, phase: PlanLoop['phase'], nodes: string[], crossingKey: CrossingKey): PlanLoop {
  const carried: CarriedValue[] = [];
  const carry = (name: string): CarriedValue => {
    let c = carried.find((x) => x.node === name);
    if (!c) {
      const info = g.nodes[name]!;
      c = info.op === 'recurrent'
        ? carriedState(info, crossingKey)
        : { kind: 'output', node: name, key: `${name}_prev`, state: null, width: info.width, initial: { kind: 'zeros' }, readBy: [] };
      carried.push(c);
    }
    return c;
  };
  for (const n of nodes) if (g.nodes[n]!.op === 'recurrent') carry(n);
  const inputs: PlanLoop['inputs'] = [];
  for (const n of nodes) {
    for (const i of g.nodes[n]!.inputs) {
      const from = producerOf(i);
      if (i.delayed) carry(from).readBy.push({ node: n, role: i.role });
      else if (!nodes.includes(from) && i.role !== 'init') {
        inputs.push({ node: n, role: i.role, from, part: i.part, perStep: i.shape.kind === 'sequence' && g.nodes[from]?.side !== 'source' });
      }
    }
  }
  carried.sort((a, b) => nodes.indexOf(a.node) - nodes.indexOf(b.node));
  const projections: PlanLoop['projections'] = [];
  for (const n of nodes) {
    const info = g.nodes[n]!;
    const input = info.inputs.find((i) => i.role === 'input');
    if (info.op !== 'recurrent' || !input || input.target.kind !== 'node' || input.delayed) continue;
    const concat = g.nodes[input.target.node]!;
    if (concat.op !== 'concat' || !nodes.includes(concat.name)) continue;
    let offset = 0;
    const parts = concat.inputs.map((p) => {
      const width = (p.shape.kind === 'sequence' || p.shape.kind === 'vector') ? (p.shape.width as number) : 0;
      const part = { from: p.ref.raw, offset, width, batched: !p.delayed && !nodes.includes(producerOf(p)) };
      offset += width;
      return part;
    });
    projections.push({ node: n, concat: concat.name, parts });
  }
  return { index, phase, time: STREAM_TIME[g.task === 'seq2seq' ? 'target' : 'tokens'], nodes, carried, inputs, projections };
}

/** decodeStep's state: every main-side recurrent state, then the delayed non-recurrent outputs. */
function stepStateOf(g: ModelGraph, mainNodes: string[], loops: PlanLoop[], crossingKey: CrossingKey): CarriedValue[] {
  const out: CarriedValue[] = [];
  for (const n of mainNodes) {
    const fromLoop = loops.flatMap((l) => l.carried).find((c) => c.node === n);
    if (fromLoop) out.push(fromLoop);
    else if (g.nodes[n]!.op === 'recurrent') out.push(carriedState(g.nodes[n]!, crossingKey));
  }
  return out;
}
