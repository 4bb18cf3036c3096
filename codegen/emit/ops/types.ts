/**
 * The interface every op emitter implements: how the op's parameters are created and named in
 * checkpoints, and the code that evaluates the op in a Scope (time-batched or one step). Each
 * emitter file documents, for one YAML node, the TypeScript it produces.
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { GraphNode } from '../../../src/spec/types.js';
import type { ImportSet } from '../../framework/imports.js';
import type { IRNode } from '../../ir/types.js';
import type { Scope } from '../scope.js';

export type NodeOf<K extends GraphNode['op']> = IRNode & { node: Extract<GraphNode, { op: K }> };

export interface ParamsEmitter<K extends GraphNode['op']> {
  /** The runtime type of the node's parameter map. */
  type(imports: ImportSet): string;
  /**
   * Expression creating the parameters, with `v` the typed vocabulary sizes, `rng` the init
   * generator and `cells` the recurrent configs in scope.
   */
  create(node: NodeOf<K>, imports: ImportSet): string;
  /** First argument of the runtime's torch-layout converters: what kind of parameters these are. */
  torchKind: 'embedding' | 'recurrent' | 'dense' | 'attention';
  /** Second argument: the layer's sizes (`v` = vocabulary sizes, `this.cells` in scope). */
  torchConfig(node: NodeOf<K>): string;
}

export interface OpEmitter<K extends GraphNode['op']> {
  op: K;
  params: ParamsEmitter<K> | null;
  /** Writes the declaration of the node's local (`const <id> = …; // <shape>`). */
  emit(w: CodeBlockWriter, node: NodeOf<K>, scope: Scope): void;
}
