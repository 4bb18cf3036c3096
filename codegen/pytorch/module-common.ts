/**
 * The parts every generated PyTorch module has: the header docstring (where it came from, the plan),
 * the imports, the dataclasses carried between methods (`Encoded`, `DecoderState` or a language
 * model's `State`, from the same StateLayout as the TypeScript module's types) and the class's start:
 * its spec constants and `__init__`, which builds one layer per parametrized node under the node's
 * checkpoint prefix, in spec order.
 */
import type { ModuleIR } from '../ir/types.js';
import type { CrossingField } from '../passes/layout.js';
import { stateShapeText } from '../emit/ops/recurrent.js';
import { widthText } from '../emit/scope.js';
import { isPlainAttribute, pyComment, pyNumber, pyString } from './names.js';
import { pyEmitter } from './ops.js';
import type { PyGen } from './bodies.js';
import type { PyWriter } from './writer.js';

export function writeHeader(w: PyWriter, ir: ModuleIR, className: string): void {
  const path = pyComment(ir.specPath);
  const plan = ir.plan;
  const list = (names: string[]): string => (names.length === 0 ? '(none)' : pyComment(names.join(', ')));
  const lines = [
    `@generated from ${path} — DO NOT EDIT`,
    '',
    `The ${ir.task === 'seq2seq' ? 'seq2seq model' : 'language model'} \`${pyComment(ir.spec.name)}\` as a PyTorch module (class ${className}),`,
    'from the same plan as its TypeScript module. Parameter names are seqloom\'s checkpoint names, so',
    '`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.',
    `Regenerate with \`seqloom generate ${path} --target pytorch\`.`,
    '',
    'Plan:',
    ...(ir.task === 'seq2seq' ? [`  encode (once per source batch, over T_src): ${list(plan.encode)}`] : []),
  ];
  let batched: string[] = [];
  const flush = (): void => {
    if (batched.length > 0) lines.push(`  ${plan.main.side}, time-batched over ${plan.main.time}: ${list(batched)}`);
    batched = [];
  };
  for (const s of plan.main.steps) {
    if (s.kind === 'batched') { batched.push(s.node); continue; }
    flush();
    lines.push(`  ${plan.main.side}, per step (a loop closed by .prev): ${list(plan.loops[s.loop]!.nodes)}`);
  }
  flush();
  w.doc(lines);
}

/** The import block, for what `body` uses. */
export function importsFor(body: string): string {
  const typing = ['Dict', 'List', 'Optional', 'Tuple'].filter((n) => new RegExp(`\\b${n}\\[`).test(body));
  return [
    'from __future__ import annotations',
    '',
    'from dataclasses import dataclass',
    ...(typing.length > 0 ? [`from typing import ${typing.join(', ')}`] : []),
    '',
    'import torch',
    ...(/\bF\./.test(body) ? ['import torch.nn.functional as F'] : []),
    'from torch import Tensor, nn',
    '',
    'import seqloom_torch as sl',
  ].join('\n');
}

interface Field { key: string; type: string; doc: string }

function stateType(g: PyGen, nodeName: string): string {
  return g.ir.byName.get(nodeName)!.recurrent!.cell === 'lstm' ? 'Tuple[Tensor, Tensor]' : 'Tensor';
}

function crossingField(g: PyGen, c: CrossingField, rows: string): Field {
  if (c.info === null || c.node === null) return { key: c.key, type: 'Tensor', doc: `source lengths — [${rows}] int64` };
  const raw = c.crossing.part === 'output' ? c.crossing.from : `${c.crossing.from}.${c.crossing.part}`;
  if (c.info.kind === 'state') return { key: c.key, type: stateType(g, c.crossing.from), doc: `${raw} — ${stateShapeText(c.node.recurrent!, rows)}` };
  const width = widthText(c.info.width);
  return { key: c.key, type: 'Tensor', doc: `${raw} — ${c.info.time === null ? `[${rows}, ${width}]` : `[${rows}, ${c.info.time}, ${width}]`}` };
}

function dataclassOf(w: PyWriter, name: string, doc: string, fields: Field[]): void {
  w.line('@dataclass');
  w.block(`class ${name}:`, () => {
    w.doc(doc);
    if (fields.length === 0) w.line('pass');
    for (const f of fields) w.line(`${f.key}: ${f.type}  # ${pyComment(f.doc)}`);
  });
  w.line().line();
}

/** The dataclasses: seq2seq `Encoded` and `DecoderState`; a language model's `State`. */
export function writeDataclasses(w: PyWriter, g: PyGen): void {
  const carried: Field[] = [
    ...g.layout.recurrent.map(({ node, key }) => ({ key, type: stateType(g, node.node.name), doc: `${node.node.name} state — ${stateShapeText(node.recurrent!, 'N')}` })),
    ...g.layout.prevs.map(({ node, key }) => ({ key, type: 'Tensor', doc: `${node.node.name}.prev — [N, ${widthText(node.out.width)}]` })),
  ];
  if (g.ir.task === 'seq2seq') {
    dataclassOf(w, g.names.encoded, 'What `encode` hands to the decoder: every source-side value the target side reads.',
      g.layout.crossings.map((c) => crossingField(g, c, 'B')));
    dataclassOf(w, g.names.state, 'What one decoder step carries, one row per sentence (× beam): N rows.', [
      ...carried,
      ...g.layout.crossings.filter((c) => !c.initOnly).map((c) => crossingField(g, c, 'N')),
      ...g.layout.projectedKeys.map((p) => ({ key: p.key, type: 'Tensor', doc: `${p.node.node.name}: keys · W_k, once per sentence — [N, T_src, h]` })),
    ]);
    return;
  }
  dataclassOf(w, g.names.state, 'What the language model carries from one step (or batch) to the next: N rows.', carried);
}

/** The class's spec constants and `__init__`. */
export function writeClassStart(w: PyWriter, g: PyGen): void {
  const ir = g.ir;
  const d = ir.spec.decode;
  w.doc(`The ${ir.task} model \`${pyComment(ir.spec.name)}\` (${pyComment(ir.specPath)}).`);
  w.line();
  w.line(`spec_name = ${pyString(ir.spec.name)}`);
  w.line(`task = ${pyString(ir.task)}`);
  w.line('#: The spec\'s `decode:` settings.');
  w.line(`decode_defaults = {"strategy": ${pyString(d.strategy)}, "beam_size": ${d.beam_size}, "max_len": ${d.max_len}, ` +
    `"length_penalty": ${pyNumber(d.length_penalty)}, "n_best": ${d.n_best}}`);
  w.line();
  const streams = ir.task === 'seq2seq' ? ['source', 'target'] : ['tokens'];
  w.block('def __init__(self, vocab: Dict[str, int]) -> None:', () => {
    w.doc(`Layers in spec order, each under its checkpoint prefix; \`vocab\`: {${streams.map((s) => `"${s}": size`).join(', ')}}.`);
    w.line('super().__init__()');
    for (const s of streams) w.line(`v_${s} = sl.vocab_size(vocab, "${s}")`);
    w.line(`self.vocab = {${streams.map((s) => `"${s}": v_${s}`).join(', ')}}`);
    for (const node of ir.nodes) {
      const layer = pyEmitter(node).layer(node as never);
      if (layer === null) continue;
      const detail = node.recurrent ? `recurrent ${node.recurrent.cell}, ${node.recurrent.layers} layer(s), hidden ${node.recurrent.hidden}` : node.node.op;
      w.line(`# graph.${pyComment(node.node.name)} (${detail}): checkpoint prefix \`${pyComment(node.node.weights)}\``);
      const prefix = node.node.weights;
      w.line(isPlainAttribute(prefix) ? `self.${prefix} = ${layer}` : `sl.attach(self, ${pyString(prefix)}, ${layer})`);
    }
  });
}
