/**
 * The two graph algorithms the planner rests on, written out (no library): Tarjan's strongly
 * connected components and a stable topological order. Both take the graph as a node list and a
 * successor function, so callers choose which edges count (all edges, or only non-delay ones).
 */

export type Successors = (node: string) => readonly string[];

/**
 * Tarjan's algorithm, iterative (no recursion-depth limit). Returns the components in reverse
 * topological order of the condensation (a component comes after every component it reaches:
 * sinks first), each component's nodes in the order they were listed.
 */
export function stronglyConnectedComponents(nodes: readonly string[], successors: Successors): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const position = new Map(nodes.map((n, i) => [n, i]));
  let counter = 0;

  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame: a node and how many of its successors were visited so far.
    const frames: Array<{ node: string; next: number; succ: readonly string[] }> = [];
    const enter = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, next: 0, succ: successors(node).filter((s) => position.has(s)) });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.next < frame.succ.length) {
        const s = frame.succ[frame.next++]!;
        if (!index.has(s)) enter(s);
        else if (onStack.has(s)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(s)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        component.sort((a, b) => position.get(a)! - position.get(b)!);
        components.push(component);
      }
    }
  }
  return components;
}

/** True when a component is a real cycle: several nodes, or one node with an edge to itself. */
export function isCycle(component: readonly string[], successors: Successors): boolean {
  return component.length > 1 || successors(component[0]!).includes(component[0]!);
}

/**
 * Kahn's algorithm with ties broken by the nodes' listed order, so the result is deterministic and
 * reads like the spec. Successors outside `nodes` are ignored. Returns null when a cycle remains.
 */
export function topologicalOrder(nodes: readonly string[], successors: Successors): string[] | null {
  const position = new Map(nodes.map((n, i) => [n, i]));
  const indegree = new Map(nodes.map((n) => [n, 0]));
  for (const n of nodes) {
    for (const s of successors(n)) if (position.has(s)) indegree.set(s, indegree.get(s)! + 1);
  }
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    // Smallest listed position first (the lists are short; a linear scan is fine).
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (position.get(ready[i]!)! < position.get(ready[best]!)!) best = i;
    const n = ready.splice(best, 1)[0]!;
    order.push(n);
    for (const s of successors(n)) {
      if (!position.has(s)) continue;
      const d = indegree.get(s)! - 1;
      indegree.set(s, d);
      if (d === 0) ready.push(s);
    }
  }
  return order.length === nodes.length ? order : null;
}
