/**
 * Where a Python op emitter finds its inputs (the PyTorch twin of ../emit/scope.ts). A scope is one
 * method body: `batched` runs each node once over the whole time axis ([B, T, D]), `step` runs it for
 * one time step ([N, D]). The passes bind what lies outside the nodes (streams, encoded values,
 * carried state, per-step slices); everything else resolves to the locals a node's emitter declared:
 * `<id>` for its output and, for a recurrent node, `<id>_state` for its state.
 */
import type { Ref, StreamName } from '../../src/spec/types.js';
import type { SymbolTable } from '../framework/symbols.js';
import type { IRNode, ModuleIR, ValueInfo, Width } from '../ir/types.js';
import { widthText } from '../emit/scope.js';
import { Bindings } from '../emit/bindings.js';
import { layerExpr } from './names.js';

export type PyMode = 'batched' | 'step';

export class PyScope extends Bindings {
  constructor(
    readonly ir: ModuleIR,
    /** Node names → identifiers, and derived locals. */
    readonly symbols: SymbolTable,
    readonly mode: PyMode,
    readonly rows: 'B' | 'N' = mode === 'step' ? 'N' : 'B',
  ) {
    super();
  }

  streamLengths(stream: StreamName): string {
    return this.value({ base: stream, part: 'state', delayed: false, raw: `${stream} lengths` });
  }

  /** The local holding a node's output. */
  id(node: IRNode): string {
    return this.symbols.get(node.node.name);
  }

  /** A local derived from a node (`decoder_state`, `attn_keys`), unique in the file. */
  local(node: IRNode, suffix: string): string {
    return this.symbols.declare(`${node.node.name}#${suffix}`, `${this.id(node)}_${suffix}`);
  }

  /** The layer (nn.Module) of a node with parameters. */
  layer(node: IRNode): string {
    return layerExpr(node.node.weights);
  }

  value(ref: Pick<Ref, 'base' | 'part' | 'delayed' | 'raw'>): string {
    const bound = this.bound(ref);
    if (bound !== undefined) return bound;
    const node = this.ir.byName.get(ref.base);
    if (!node || ref.delayed) throw new Error(`codegen: ${ref.raw} is not bound in this scope`);
    if (node.node.op !== 'recurrent') return this.id(node);
    switch (ref.part) {
      case 'output': return this.id(node);
      case 'state': return this.local(node, 'state');
      case 'state.top': return `sl.state_top(${this.local(node, 'state')}${node.recurrent?.dirs === 2 ? ', bidirectional=True' : ''})`;
    }
  }

  /** Shape comment: `[B, T_tgt, 32]`, `[N, V_target]`. */
  shape(info: ValueInfo): string {
    if (info.kind === 'ids') return this.mode === 'step' ? `[${this.rows}] int64` : `[${this.rows}, ${info.time}] int64`;
    const width = widthText(info.width);
    return this.mode === 'step' || info.time === null ? `[${this.rows}, ${width}]` : `[${this.rows}, ${info.time}, ${width}]`;
  }
}

/** `[32, 'target']` → `32 + v_target` (the constructor's locals) or `32 + self.vocab["target"]`. */
export function pyWidth(width: Width, where: 'init' | 'method'): string {
  return width.map((t) => (typeof t === 'number' ? String(t) : where === 'init' ? `v_${t}` : `self.vocab["${t}"]`)).join(' + ');
}
