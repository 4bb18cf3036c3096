/**
 * Pass 2, "emit types": the typed config, cell configs, parameter map, and the values carried between
 * methods (`Encoded`, `DecoderState` or the language model's `State`). A state's type names its
 * cell: `GruState` (`{h}`) or `LstmState` (`{h, c}`), so changing `cell:` in the YAML changes it.
 */
import type { OptionalKind, PropertySignatureStructure, SourceFile } from 'ts-morph';
import type { ImportSet } from '../framework/imports.js';
import { commentText } from '../framework/text.js';
import type { IRNode, ModuleIR, ValueInfo } from '../ir/types.js';
import { stateShapeText, stateTypeName } from '../emit/ops/recurrent.js';
import { emitterFor } from '../emit/ops/index.js';
import { attentionHidden } from '../emit/ops/attention.js';
import type { NodeOf } from '../emit/ops/types.js';
import { widthText } from '../emit/scope.js';
import type { CrossingField, StateLayout } from './layout.js';

export interface TypeNames {
  config: string;
  cells: string;
  params: string;
  encoded: string;
  state: string;
}

export function typeNames(ir: ModuleIR): TypeNames {
  const c = ir.className;
  return {
    config: `${c}Config`,
    cells: `${c}Cells`,
    params: `${c}Params`,
    encoded: `${c}Encoded`,
    state: ir.task === 'seq2seq' ? `${c}DecoderState` : `${c}State`,
  };
}

/** Streams whose vocabulary size the module needs. */
export function vocabStreams(ir: ModuleIR): string[] {
  return ir.task === 'seq2seq' ? ['source', 'target'] : ['tokens'];
}

export function emitTypes(file: SourceFile, ir: ModuleIR, layout: StateLayout, imports: ImportSet): TypeNames {
  const names = typeNames(ir);
  file.addInterface({
    name: names.config,
    isExported: true,
    extends: [imports.type('ModuleConfig')],
    docs: ['Vocabulary sizes (known once data is loaded) and the seed for initialization and dropout.'],
    properties: [{ name: 'vocab', type: `{ ${vocabStreams(ir).map((s) => `${s}: number`).join('; ')} }` }],
  });
  const recurrent = ir.nodes.filter((n) => n.recurrent);
  file.addInterface({
    name: names.cells,
    isExported: true,
    docs: ['Configuration of each recurrent node.'],
    properties: recurrent.map((n) => ({ name: n.id, type: imports.type('RecurrentConfig'), docs: [nodeDoc(ir, n)] })),
  });
  file.addInterface({
    name: names.params,
    isExported: true,
    docs: ['Trainable parameters of each node that has any (compute layout), in spec order.'],
    properties: ir.nodes.filter((n) => emitterFor(n.node.op).params).map((n) => ({
      name: n.id,
      type: emitterFor(n.node.op).params!.type(imports),
      docs: [nodeDoc(ir, n)],
    })),
  });
  if (ir.task === 'seq2seq') {
    file.addInterface({
      name: names.encoded,
      isExported: true,
      docs: ['What `encode` hands to the decoder: every source-side value the target side reads.'],
      properties: fieldsOf(layout.crossings.map((c) => crossingField(c, 'B', imports))),
    });
  }
  const stateFields = [
    ...layout.recurrent.map((r) => ({ key: r.key, type: stateTypeName(r.node, imports), doc: `${r.node.node.name} state — ${stateShapeText(r.node.recurrent!, 'N')}` })),
    ...layout.prevs.map((p) => ({ key: p.key, type: 'tf.Tensor2D', doc: `${p.node.node.name}.prev — [N, ${widthText(p.node.out.width)}]` })),
    ...layout.crossings.filter((c) => !c.initOnly).map((c) => crossingField(c, 'N', imports)),
    ...layout.projectedKeys.map((p) => ({ key: p.key, type: 'tf.Tensor3D', doc: `${p.node.node.name}: keys · W_k, once per sentence — [N, T_src, ${attentionHidden(p.node as NodeOf<'attention'>)}]` })),
  ];
  file.addInterface({
    name: names.state,
    isExported: true,
    docs: [ir.task === 'seq2seq'
      ? 'What one decoder step carries, one row per sentence (× beam): N rows.'
      : 'The state carried across steps and batches: one row per sequence (N rows).'],
    properties: fieldsOf(stateFields),
  });
  return names;
}

function crossingField(c: CrossingField, rows: string, imports: ImportSet): { key: string; type: string; doc: string } {
  if (c.info === null || c.node === null) return { key: c.key, type: 'tf.Tensor1D', doc: `source lengths — [${rows}] int32` };
  const raw = c.crossing.part === 'output' ? c.crossing.from : `${c.crossing.from}.${c.crossing.part}`;
  return { key: c.key, type: valueType(c.info, c.node, imports), doc: `${raw} — ${shapeDoc(c.info, c.node, rows)}` };
}

function fieldsOf(fields: { key: string; type: string; doc: string }[]): OptionalKind<PropertySignatureStructure>[] {
  return fields.map((f) => ({ name: f.key, type: f.type, docs: [commentText(f.doc)] }));
}

/** The TS type of a carried value. */
export function valueType(info: ValueInfo, node: IRNode, imports: ImportSet): string {
  if (info.kind === 'state') return stateTypeName(node, imports);
  return info.time === null ? 'tf.Tensor2D' : 'tf.Tensor3D';
}

function shapeDoc(info: ValueInfo, node: IRNode, rows: string): string {
  if (info.kind === 'state') return stateShapeText(node.recurrent!, rows);
  const w = widthText(info.width);
  return info.time === null ? `[${rows}, ${w}]` : `[${rows}, ${info.time}, ${w}]`;
}

/** `graph.decoder (recurrent gru)` — where a member comes from in the spec. */
export function nodeDoc(ir: ModuleIR, n: IRNode): string {
  const detail = n.recurrent ? `${n.node.op} ${n.recurrent.cell}, ${n.recurrent.layers} layer(s), hidden ${n.recurrent.hidden}` : n.node.op;
  return commentText(`${ir.specPath}: graph.${n.node.name} (${detail})`);
}
