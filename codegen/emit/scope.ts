/**
 * Where an emitter finds its inputs. A Scope is one method body being written: `batched` runs each
 * node once over the whole time axis (`[B, T, D]`), `step` runs it for one time step (`[N, D]`). The
 * passes bind what lies outside the nodes (streams, values from `encode`, `.prev` values, per-step
 * slices); everything else resolves to the local a node's emitter declared.
 */
import type { CodeBlockWriter } from 'ts-morph';
import type { Ref, StreamName } from '../../src/spec/types.js';
import type { ImportSet } from '../framework/imports.js';
import type { SymbolTable } from '../framework/symbols.js';
import type { IRNode, ModuleIR, ValueInfo, Width } from '../ir/types.js';
import { Bindings } from './bindings.js';

export type Mode = 'batched' | 'step';

export { refKey } from './bindings.js';

export class Scope extends Bindings {
  private readonly weightsOf = new Map<string, string>();

  constructor(
    readonly ir: ModuleIR,
    readonly imports: ImportSet,
    /** Identifiers for locals this scope declares beyond the nodes' own. */
    private readonly symbols: SymbolTable,
    readonly mode: Mode,
    /** Expression of the `training` flag. */
    readonly training: string,
    /** `B` (a batch) or `N` (search rows): the batch letter in shape comments. */
    readonly rows: 'B' | 'N' = mode === 'step' ? 'N' : 'B',
  ) {
    super();
  }

  /** An attention node whose weights this body returns: they go to local `expr` beside its context. */
  bindAttentionWeights(node: IRNode, expr: string): void {
    this.weightsOf.set(node.node.name, expr);
  }

  attentionWeights(node: IRNode): string | null {
    return this.weightsOf.get(node.node.name) ?? null;
  }

  /** A local derived from a node (`attn_keys`), unique in the file's symbol table. */
  local(node: IRNode, suffix: string): string {
    return this.symbols.declare(`${node.node.name}#${suffix}`, `${node.id}_${suffix}`);
  }

  /** The expression of a reference's value in this scope. */
  value(ref: Pick<Ref, 'base' | 'part' | 'delayed' | 'raw'>): string {
    const bound = this.bound(ref);
    if (bound !== undefined) return bound;
    const node = this.ir.byName.get(ref.base);
    if (!node || ref.delayed) throw new Error(`codegen: ${ref.raw} is not bound in this scope`);
    if (node.node.op !== 'recurrent') return node.id;
    switch (ref.part) {
      case 'output': return `${node.id}.output`;
      case 'state': return `${node.id}.state`;
      case 'state.top': return `${this.imports.use('stateTop')}(${node.id}.state${node.recurrent?.dirs === 2 ? ', true' : ''})`;
    }
  }

  /** Valid lengths of a stream (attention `mask: source`). */
  streamLengths(stream: StreamName): string {
    return this.value({ base: stream, part: 'state', delayed: false, raw: `${stream} lengths` });
  }

  paramsOf(node: IRNode): string {
    return `this.params.${node.id}`;
  }

  cellOf(node: IRNode): string {
    return `this.cells.${node.id}`;
  }

  /** Shape comment of a value in this scope: `[B, T_tgt, 32]`, `[N, V_target]`. */
  shape(info: ValueInfo): string {
    if (info.kind === 'ids') return this.mode === 'step' ? `[${this.rows}] int32` : `[${this.rows}, ${info.time}] int32`;
    const width = widthText(info.width);
    return this.mode === 'step' || info.time === null ? `[${this.rows}, ${width}]` : `[${this.rows}, ${info.time}, ${width}]`;
  }
}

/** `[32, 'target']` → `32+V_target` (comments). */
export function widthText(width: Width): string {
  return width.map((t) => (typeof t === 'number' ? String(t) : `V_${t}`)).join('+');
}

/** `[32, 'target']` → `32 + v.target` (code; `vocab` names the typed vocabulary sizes). */
export function widthExpr(width: Width, vocab: string): string {
  return width.map((t) => (typeof t === 'number' ? String(t) : `${vocab}.${t}`)).join(' + ');
}

/** Writes `const <id> = <expr>; // <shape>`. */
export function declare(w: CodeBlockWriter, id: string, expr: string, shape: string): void {
  w.writeLine(`const ${id} = ${expr}; // ${shape}`);
}
