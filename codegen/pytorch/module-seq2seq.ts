/**
 * The methods of a generated seq2seq PyTorch module (the twin of ../passes/emit-seq2seq.ts):
 *
 *   encode(src, src_len)                    the source side once, time-batched      → Encoded
 *   init_decoder_state(encoded, src_len)    the decoder's start
 *   decode_step(tokens, state)              one step for N rows                    → log-probs [N, V]
 *   select_state(state, rows)               beam reordering
 *   forward(src, src_len, tgt_in)           teacher-forced logits [B, T_tgt, V] (loops per step)
 *   forward_stepwise(…, teacher_forcing)    the same through the decoding path (scheduled sampling)
 *   loss(…)                                 (Σ masked cross-entropy, valid tokens)
 *   greedy / beam / exhaustive              seqloom_torch's searches over decode_step
 */
import { numberLiteral } from '../framework/text.js';
import { outputLayer } from '../passes/emit-seq2seq.js';
import { carriedCrossings } from '../passes/layout.js';
import { widthText } from '../emit/scope.js';
import { initCrossing, pyOutputValue, writeBatchedTarget, writeEncodeBody, writeTargetStep, type PyGen } from './bodies.js';
import { denseCall } from './ops.js';
import { layerExpr as pyLayer, pyString } from './names.js';
import { pyWidth } from './scope.js';
import type { PyWriter } from './writer.js';

const BATCH = 'src: Tensor, src_len: Tensor, tgt_in: Tensor';

export function writeSeq2seqMethods(w: PyWriter, g: PyGen): void {
  const E = g.names.encoded;
  const S = g.names.state;
  w.line();
  w.block(`def encode(self, src: Tensor, src_len: Tensor) -> ${E}:`, () => {
    w.doc('The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it.');
    writeEncodeBody(w, g);
  });
  w.line();
  w.block(`def init_decoder_state(self, encoded: ${E}, src_len: Tensor) -> ${S}:`, () => {
    w.doc('The decoder state before the first step: one row per sentence.');
    const fields: string[] = [];
    for (const { node, key } of g.layout.recurrent) {
      const init = initCrossing(g, node);
      fields.push(`${key}=${init !== null ? `encoded.${init.key}` : `sl.zero_state(${layerOf(g, node.node.name)}, src_len.shape[0])`}`);
    }
    for (const { node, key } of g.layout.prevs) {
      fields.push(`${key}=torch.zeros(src_len.shape[0], ${pyWidth(node.out.width, 'method')}, device=src_len.device)`);
    }
    for (const c of carriedCrossings(g.layout)) fields.push(`${c.key}=encoded.${c.key}`);
    for (const p of g.layout.projectedKeys) fields.push(`${p.key}=sl.project_keys(${layerOf(g, p.node.node.name)}, encoded.${p.keys.key})`);
    w.call(`return ${S}`, fields);
  });
  w.line();
  w.block(`def decode_step(self, tokens: Tensor, state: ${S}) -> Tuple[Tensor, ${S}]:`, () => {
    w.doc('One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state.');
    w.line('logits, next_state = self.step_logits(tokens, state)');
    w.line('return torch.log_softmax(logits, -1), next_state');
  });
  w.line();
  w.block(`def step_logits(self, tokens: Tensor, state: ${S}) -> Tuple[Tensor, ${S}]:`, () => {
    w.doc('The target side for one step: every node on [N, D]; logits [N, V_target].');
    const scope = writeTargetStep(w, g);
    w.line(`return ${pyOutputValue(g, scope)}, next_state`);
  });
  w.line();
  w.block(`def select_state(self, state: ${S}, rows: Tensor) -> ${S}:`, () => {
    w.doc('Row i of the result is row rows[i] of state (beam reordering).');
    const fields = [
      ...g.layout.recurrent.map(({ key }) => `${key}=sl.select_state(state.${key}, rows)`),
      ...g.layout.prevs.map(({ key }) => `${key}=state.${key}.index_select(0, rows)`),
      ...carriedCrossings(g.layout).map((c) => c.crossing.part === 'state'
        ? `${c.key}=sl.select_state(state.${c.key}, rows)` : `${c.key}=state.${c.key}.index_select(0, rows)`),
      ...g.layout.projectedKeys.map(({ key }) => `${key}=state.${key}.index_select(0, rows)`),
    ];
    w.call(`return ${S}`, fields);
  });
  writeTraining(w, g);
  writeSearches(w, g);
}

function layerOf(g: PyGen, name: string): string {
  return pyLayer(g.ir.byName.get(name)!.node.weights);
}

function writeTraining(w: PyWriter, g: PyGen): void {
  const layer = outputLayer(g);
  const teacherForced = (skip?: typeof layer): ReturnType<typeof writeBatchedTarget>['scope'] => {
    w.line('encoded = self.encode(src, src_len)');
    return writeBatchedTarget(w, g, { ids: 'tgt_in', encoded: 'encoded', carried: null, ...(skip ? { skip } : {}) }).scope;
  };
  w.line();
  if (layer !== null) {
    const x = layer.node.input;
    w.block(`def features(self, ${BATCH}) -> Tensor:`, () => {
      w.doc(`Teacher-forced ${x.raw} [B, T_tgt, ${widthText(layer.inputWidth)}], what the output layer \`${layer.node.name}\` reads.`);
      const scope = teacherForced(layer);
      w.line(`return ${scope.value({ ...x, raw: x.raw })}`);
    });
    w.line();
    w.block(`def forward(self, ${BATCH}) -> Tensor:`, () => {
      w.doc('Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`.');
      w.line(`return ${denseCall(pyLayer(layer.node.weights), 'self.features(src, src_len, tgt_in)', layer.node.activation)}`);
    });
  } else {
    w.block(`def forward(self, ${BATCH}) -> Tensor:`, () => {
      w.doc('Teacher-forced logits [B, T_tgt, V_target]: the target side time-batched, loops per step.');
      const scope = teacherForced();
      w.line(`return ${pyOutputValue(g, scope)}`);
    });
  }
  w.line();
  w.block(`def forward_stepwise(self, ${BATCH}, teacher_forcing: float = 1.0) -> Tensor:`, () => {
    w.doc([
      'Logits [B, T_tgt, V_target] through the decoding path, one step at a time. Each step feeds the',
      'gold token with probability `teacher_forcing`, else the previous step\'s argmax.',
    ]);
    w.line('encoded = self.encode(src, src_len)');
    w.line('state = self.init_decoder_state(encoded, src_len)');
    w.line('steps: List[Tensor] = []');
    w.block('for t in range(tgt_in.shape[1]):', () => {
      w.line('tokens = tgt_in[:, t]');
      w.block('if t > 0 and teacher_forcing < 1:', () => {
        w.line('chosen = torch.rand(tokens.shape[0], device=tokens.device) < teacher_forcing');
        w.line('tokens = torch.where(chosen, tokens, steps[-1].argmax(-1))');
      });
      w.line('logits_t, state = self.step_logits(tokens, state)');
      w.line('steps.append(logits_t)');
    });
    w.line('return torch.stack(steps, 1)');
  });
  w.line();
  w.block(`def loss(self, ${BATCH}, tgt_out: Tensor, tgt_len: Tensor) -> Tuple[Tensor, int]:`, () => {
    w.doc('Masked cross-entropy: (Σ over valid target tokens, their count); the mean is sum / count.');
    if (layer !== null) {
      w.line(`return sl.masked_dense_cross_entropy(${pyLayer(layer.node.weights)}, ${pyString(layer.node.activation)}, self.features(src, src_len, tgt_in), tgt_out, tgt_len)`);
      return;
    }
    const tf = g.ir.spec.train.teacher_forcing;
    const logits = tf < 1
      ? `self.forward_stepwise(src, src_len, tgt_in, ${numberLiteral(tf)}) if self.training else self.forward(src, src_len, tgt_in)`
      : 'self.forward(src, src_len, tgt_in)';
    w.line(`return sl.masked_cross_entropy(${logits}, tgt_out, tgt_len)`);
  });
}

function writeSearches(w: PyWriter, g: PyGen): void {
  const d = g.ir.spec.decode;
  const common = `bos: int, eos: int, pad: int, max_len: int = ${d.max_len}, length_penalty: float = ${numberLiteral(d.length_penalty)}`;
  const search = (name: string, fn: string, extra: string, args: string, doc: string): void => {
    w.line();
    w.block(`def ${name}(self, src: Tensor, src_len: Tensor, *, ${common}${extra}) -> List[List[sl.Hypothesis]]:`, () => {
      w.doc(doc);
      w.block('with sl.eval_mode(self):', () => {
        w.line('init = self.init_decoder_state(self.encode(src, src_len), src_len)');
        w.line(`return sl.${fn}(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty${args}, device=src.device)`);
      });
    });
  };
  search('greedy', 'greedy_search', '', '', 'Greedy decoding (eval mode): per sentence, one hypothesis.');
  search('beam', 'beam_search', `, beam_size: int = ${d.beam_size}, n_best: int = ${d.n_best}`, ', beam_size=beam_size, n_best=n_best',
    'Beam search (eval mode): per sentence, the n-best finished hypotheses.');
  search('exhaustive', 'exhaustive_search', `, n_best: int = ${d.n_best}`, ', n_best=n_best',
    'Every sequence up to max_len (tiny vocabularies): the oracle for beam search.');
}
