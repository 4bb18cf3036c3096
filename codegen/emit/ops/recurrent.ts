/**
 * `recurrent`: an RNN/GRU/LSTM stack. Time-batched it is one `runRecurrent` (the first layer's input
 * projection for all steps in one matMul, the recurrence per step inside the runtime); one step is
 * `recurrentStep` on the carried state.
 *
 * For the YAML node
 *
 *     decoder: { op: recurrent, cell: gru, input: dec_in, hidden: 32, layers: 2, init: encoder.state }
 *
 * we generate the cell config `decoder: { cell: 'gru', inputSize: 64, hidden: 32, layers: 2,
 * dropout: 0, bidirectional: false, nonlinearity: 'tanh' }`, its parameters
 * `decoder: createRecurrentParams(cells.decoder, rng)`, and
 *
 *     // forward, time-batched (dec_in = [tgt_emb; context], an embedding and a `repeat`, read as parts: ir/folds.ts):
 *     // input as parts: dec_in = [tgt_emb; context]; tgt_emb via its projected table, context once per sentence
 *     const decoder = runRecurrent(this.cells.decoder, this.params.decoder, [embedded(this.params.tgt_emb, batch.tgtIn), repeated(encoded.encoder_state_top)], { init: encoded.encoder_state, training, rng: this.rng }); // output [B, T_tgt, 32]; h [2, B, 32]
 *     // decodeStep, one step:
 *     const decoder = recurrentStep(this.cells.decoder, this.params.decoder, dec_in, state.decoder, { training, rng: this.rng }); // output [N, 32]; h [2, N, 32]
 */
import type { ImportSet } from '../../framework/imports.js';
import { numberLiteral, stringLiteral } from '../../framework/text.js';
import type { IRNode, RecurrentShape } from '../../ir/types.js';
import { widthExpr } from '../scope.js';
import type { NodeOf, OpEmitter } from './types.js';
import { property } from '../../passes/context.js';
import { describeFold } from '../../ir/folds.js';

export const recurrentEmitter: OpEmitter<'recurrent'> = {
  op: 'recurrent',
  params: {
    type: (imports) => imports.type('ParamMap'),
    create: (node, imports) => `${imports.use('createRecurrentParams')}(cells.${node.id}, rng)`,
    torchKind: 'recurrent',
    torchConfig: (node) => `this.cells.${node.id}`,
  },
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    const from = scope.startState(node);
    const shapes = `output ${scope.shape(node.out)}; ${stateShapeText(node.recurrent!, scope.rows)}`;
    const cell = scope.cellOf(node);
    const params = scope.paramsOf(node);
    if (scope.mode === 'step') {
      if (from === null) throw new Error(`codegen: no carried state for ${node.node.name}`);
      const call = `${scope.imports.use('recurrentStep')}(${cell}, ${params}, ${x}, ${from}, { ${property('training', scope.training)}, rng: this.rng })`;
      w.writeLine(`const ${node.id} = ${call}; // ${shapes}`);
      return;
    }
    const opts = [
      ...(scope.lengths(node) !== null ? [`lengths: ${scope.lengths(node)}`] : []),
      ...(from !== null ? [`init: ${from}`] : []),
      property('training', scope.training),
      'rng: this.rng',
    ];
    const fold = scope.ir.folds.byRecurrent.get(node.node.name);
    const input = fold === undefined ? x : `[${fold.parts.map((p) => {
      switch (p.kind) {
        case 'sequence': return scope.value(p.ref);
        case 'repeated': return `${scope.imports.use('repeated')}(${scope.value(p.ref)})`;
        case 'embedded': return `${scope.imports.use('embedded')}(${scope.paramsOf(p.embedding)}, ${scope.value(p.ids)})`;
      }
    }).join(', ')}]`;
    if (fold !== undefined) {
      const concat = fold.input.node.op === 'concat' ? `${fold.input.node.name} = [${fold.written.map((r) => r.raw).join('; ')}]; ` : '';
      w.writeLine(`// input as parts: ${concat}${describeFold(fold)}`);
    }
    const call = `${scope.imports.use('runRecurrent')}(${cell}, ${params}, ${input}, { ${opts.join(', ')} })`;
    w.writeLine(`const ${node.id} = ${call}; // ${shapes}`);
  },
};

/** The cell configuration literal (`RecurrentConfig`) of a recurrent node. */
export function cellConfigLiteral(node: NodeOf<'recurrent'>): string {
  const n = node.node;
  return `{ cell: ${stringLiteral(n.cell)}, inputSize: ${widthExpr(node.inputWidth, 'v')}, hidden: ${n.hidden}, ` +
    `layers: ${n.layers}, dropout: ${numberLiteral(n.dropout)}, bidirectional: ${n.bidirectional}, ` +
    `nonlinearity: ${stringLiteral(n.nonlinearity)} }`;
}

/** `h [2, B, 32]` / `h, c [2, B, 32]`. */
export function stateShapeText(r: RecurrentShape, rows: string): string {
  const dims = `[${r.layers * r.dirs}, ${rows}, ${r.hidden}]`;
  return r.cell === 'lstm' ? `h, c ${dims}` : `h ${dims}`;
}

/** The runtime's typed state for a cell: `{h}` for RNN/GRU, `{h, c}` for LSTM. */
export function stateTypeName(node: IRNode, imports: ImportSet): string {
  const cell = node.recurrent!.cell;
  return imports.type(cell === 'lstm' ? 'LstmState' : cell === 'gru' ? 'GruState' : 'RnnState');
}

/** Field-by-field expression over a typed state (`{ h: f(s.h), c: f(s.c) }`). */
export function mapState(node: IRNode, state: string, f: (tensor: string, field: 'h' | 'c') => string): string {
  const fields: ('h' | 'c')[] = node.recurrent!.cell === 'lstm' ? ['h', 'c'] : ['h'];
  return `{ ${fields.map((k) => `${k}: ${f(`${state}.${k}`, k)}`).join(', ')} }`;
}

/** The tensors of a typed state, for disposal lists. */
export function stateTensors(node: IRNode, state: string): string[] {
  return node.recurrent!.cell === 'lstm' ? [`${state}.h`, `${state}.c`] : [`${state}.h`];
}


