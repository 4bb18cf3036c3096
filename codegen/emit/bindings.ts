/**
 * What a method body binds outside its nodes, for either emitter's scope (./scope.ts for
 * TypeScript, ../pytorch/scope.ts for Python): references bound to expressions (streams, encoded
 * values, `.prev` values, per-step slices), the state each recurrent node starts from, the valid
 * lengths it reads, and additive attention keys projected once before a loop.
 */
import type { Ref, StreamName } from '../../src/spec/types.js';
import type { IRNode } from '../ir/types.js';

/** Key of a reference's value: `encoder|state.top`, `decoder|output|prev`. */
export function refKey(ref: Pick<Ref, 'base' | 'part' | 'delayed'>): string {
  return `${ref.base}|${ref.part}${ref.delayed ? '|prev' : ''}`;
}

export class Bindings {
  private readonly bindings = new Map<string, string>();
  /** Per recurrent node: the expression of the state it starts from (or continues). */
  private readonly startStates = new Map<string, string>();
  private readonly lengthsOf = new Map<string, string>();
  private readonly projected = new Map<string, string>();

  /** Bind a reference (stream, encoded value, `.prev`, per-step slice) to an expression. */
  bind(ref: Pick<Ref, 'base' | 'part' | 'delayed'>, expr: string): void {
    this.bindings.set(refKey(ref), expr);
  }

  /** The expression bound to a reference, if any. */
  bound(ref: Pick<Ref, 'base' | 'part' | 'delayed'>): string | undefined {
    return this.bindings.get(refKey(ref));
  }

  bindStreamLengths(stream: StreamName, expr: string): void {
    this.bind({ base: stream, part: 'state', delayed: false }, expr);
  }

  bindStartState(node: IRNode, expr: string | null): void {
    if (expr !== null) this.startStates.set(node.node.name, expr);
  }

  startState(node: IRNode): string | null {
    return this.startStates.get(node.node.name) ?? null;
  }

  /** Valid lengths for a recurrent node reading a padded stream (source side: `srcLen`). */
  bindLengths(node: IRNode, expr: string): void {
    this.lengthsOf.set(node.node.name, expr);
  }

  lengths(node: IRNode): string | null {
    return this.lengthsOf.get(node.node.name) ?? null;
  }

  /** Additive attention whose keys are fixed over a loop: the keys projected once before it. */
  bindProjectedKeys(node: IRNode, expr: string): void {
    this.projected.set(node.node.name, expr);
  }

  projectedKeys(node: IRNode): string | null {
    return this.projected.get(node.node.name) ?? null;
  }
}
