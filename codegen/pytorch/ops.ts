/**
 * One Python emitter per op: the layer its parameters live in (built in `__init__`, registered under
 * the node's checkpoint prefix) and the line that evaluates it in a PyScope. For the YAML nodes
 *
 *     src_emb: { op: embedding, input: source, dim: 32 }
 *     encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 32, layers: 2, dropout: 0.1 }
 *     logits:  { op: dense, input: decoder, units: target.vocab }
 *
 * the layers are `nn.Embedding(v_source, 32)`, `nn.GRU(32, 32, num_layers=2, dropout=0.1,
 * batch_first=True)` and `nn.Linear(32, v_target)`, and time-batched bodies read
 *
 *     src_emb = self.src_emb(src)  # [B, T_src, 32]
 *     encoder, encoder_state = sl.run_recurrent(self.encoder, src_emb, lengths=src_len)  # output [B, T_src, 32]; h [2, B, 32]
 *     logits = self.logits(decoder)  # [B, T_tgt, V_target]
 *
 * while one decoding step reads `sl.recurrent_step(self.decoder, dec_in, state.decoder_state)`.
 */
import type { GraphNode } from '../../src/spec/types.js';
import type { IRNode } from '../ir/types.js';
import type { NodeOf } from '../emit/ops/types.js';
import { stateShapeText } from '../emit/ops/recurrent.js';
import { pyNumber, pyString } from './names.js';
import { pyWidth, type PyScope } from './scope.js';
import type { PyWriter } from './writer.js';

export interface PyOpEmitter<K extends GraphNode['op']> {
  /** The layer holding the node's parameters (`v_<stream>` are vocabulary sizes), or null when it has none. */
  layer(node: NodeOf<K>): string | null;
  emit(w: PyWriter, node: NodeOf<K>, scope: PyScope): void;
}

function declare(w: PyWriter, id: string, expr: string, shape: string): void {
  w.line(`${id} = ${expr}  # ${shape}`);
}

const embedding: PyOpEmitter<'embedding'> = {
  layer: (node) => `nn.Embedding(v_${node.node.input.base}, ${node.node.dim})`,
  emit(w, node, scope) {
    declare(w, scope.id(node), `${scope.layer(node)}(${scope.value(node.node.input)})`, scope.shape(node.out));
  },
};

const recurrent: PyOpEmitter<'recurrent'> = {
  layer(node) {
    const n = node.node;
    const cls = n.cell === 'lstm' ? 'nn.LSTM' : n.cell === 'gru' ? 'nn.GRU' : 'nn.RNN';
    const args = [pyWidth(node.inputWidth, 'init'), String(n.hidden)];
    if (n.layers > 1) args.push(`num_layers=${n.layers}`);
    if (n.cell === 'rnn') args.push(`nonlinearity=${pyString(n.nonlinearity)}`);
    if (n.layers > 1 && n.dropout > 0) args.push(`dropout=${pyNumber(n.dropout)}`);
    if (n.bidirectional) args.push('bidirectional=True');
    args.push('batch_first=True');
    return `${cls}(${args.join(', ')})`;
  },
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    const from = scope.startState(node);
    const shapes = `output ${scope.shape(node.out)}; ${stateShapeText(node.recurrent!, scope.rows)}`;
    const outs = `${scope.id(node)}, ${scope.local(node, 'state')}`;
    if (scope.mode === 'step') {
      if (from === null) throw new Error(`codegen: no carried state for ${node.node.name}`);
      w.line(`${outs} = sl.recurrent_step(${scope.layer(node)}, ${x}, ${from})  # ${shapes}`);
      return;
    }
    const opts = [
      ...(scope.lengths(node) !== null ? [`lengths=${scope.lengths(node)}`] : []),
      ...(from !== null ? [`init=${from}`] : []),
    ];
    w.call(`${outs} = sl.run_recurrent`, [scope.layer(node), x, ...opts], `  # ${shapes}`);
  },
};

const dense: PyOpEmitter<'dense'> = {
  layer: (node) => `nn.Linear(${pyWidth(node.inputWidth, 'init')}, ${unitsExpr(node)})`,
  emit(w, node, scope) {
    declare(w, scope.id(node), denseCall(scope.layer(node), scope.value(node.node.input), node.node.activation), scope.shape(node.out));
  },
};

/** `self.logits(x)`, or `torch.tanh(self.hidden(x))` with an activation. */
export function denseCall(layer: string, x: string, activation: string): string {
  const y = `${layer}(${x})`;
  return activation === 'none' ? y : `torch.${activation}(${y})`;
}

function unitsExpr(node: NodeOf<'dense'>): string {
  return typeof node.node.units === 'number' ? String(node.node.units) : `v_${node.node.units.vocab}`;
}

const concat: PyOpEmitter<'concat'> = {
  layer: () => null,
  emit(w, node, scope) {
    declare(w, scope.id(node), `torch.cat([${node.node.inputs.map((r) => scope.value(r)).join(', ')}], -1)`, scope.shape(node.out));
  },
};

const repeat: PyOpEmitter<'repeat'> = {
  layer: () => null,
  emit(w, node, scope) {
    const x = scope.value(node.node.input);
    if (scope.mode === 'step') {
      declare(w, scope.id(node), x, scope.shape(node.out));
      return;
    }
    declare(w, scope.id(node), `sl.repeat_over_time(${x}, ${scope.value(node.node.like)}.shape[1])`, scope.shape(node.out));
  },
};

const dropout: PyOpEmitter<'dropout'> = {
  layer: () => null,
  emit(w, node, scope) {
    declare(w, scope.id(node), `F.dropout(${scope.value(node.node.input)}, ${pyNumber(node.node.rate)}, self.training)`, scope.shape(node.out));
  },
};

const attention: PyOpEmitter<'attention'> = {
  layer(node) {
    if (node.node.kind === 'dot') return null;
    const query = node.inputs.find((i) => i.role === 'query')!.info.width;
    const keys = node.inputs.find((i) => i.role === 'keys')!.info.width;
    const hidden = node.node.hidden !== null ? String(node.node.hidden) : pyWidth(query, 'init');
    return `sl.AdditiveAttention(${pyWidth(query, 'init')}, ${pyWidth(keys, 'init')}, ${hidden})`;
  },
  emit(w, node, scope) {
    const n = node.node;
    const args = [
      pyString(n.kind), n.kind === 'dot' ? 'None' : scope.layer(node),
      scope.value(n.query), scope.value(n.keys), scope.value(n.values),
      n.mask ? scope.streamLengths(n.mask.base as 'source') : 'None',
    ];
    const projected = scope.projectedKeys(node);
    if (projected !== null) args.push(`projected_keys=${projected}`);
    w.call(`${scope.id(node)} = sl.attention`, args, `  # ${scope.shape(node.out)}`);
  },
};

const EMITTERS: { [K in GraphNode['op']]: PyOpEmitter<K> } = { embedding, recurrent, dense, concat, repeat, dropout, attention };

export function pyEmitter(node: IRNode): PyOpEmitter<never> {
  return EMITTERS[node.node.op] as unknown as PyOpEmitter<never>;
}

export function emitPyNode(w: PyWriter, node: IRNode, scope: PyScope): void {
  pyEmitter(node).emit(w, node as never, scope);
}
