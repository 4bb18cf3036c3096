/**
 * The methods of a generated language-model PyTorch module (the twin of ../passes/emit-lm.ts):
 *
 *   init_state(batch)          zeros for every recurrent node (and `.prev` value)
 *   forward(x, state)          logits [B, T, V] time-batched, and the state after the last step
 *   decode_step(tokens, state) one step for N rows (sampling) → log-probs [N, V]
 *   loss(x, y, state)          (Σ cross-entropy over all B·T tokens, B·T, the state after the batch)
 */
import { pyOutputValue, writeBatchedTarget, writeTargetStep, type PyGen } from './bodies.js';
import { layerExpr } from './names.js';
import { pyWidth } from './scope.js';
import type { PyWriter } from './writer.js';

export function writeLmMethods(w: PyWriter, g: PyGen): void {
  const S = g.names.state;
  w.line();
  w.block(`def init_state(self, batch: int, device: Optional[torch.device] = None) -> ${S}:`, () => {
    w.doc('The state before the first token: zeros, `batch` rows.');
    const fields = [
      ...g.layout.recurrent.map(({ node, key }) => `${key}=sl.zero_state(${layerExpr(node.node.weights)}, batch)`),
      ...g.layout.prevs.map(({ node, key }) => `${key}=torch.zeros(batch, ${pyWidth(node.out.width, 'method')}, device=device)`),
    ];
    w.call(`return ${S}`, fields);
  });
  w.line();
  w.block(`def forward(self, x: Tensor, state: Optional[${S}] = None) -> Tuple[Tensor, ${S}]:`, () => {
    w.doc('Logits [B, T, V_tokens] for ids x [B, T], time-batched, from `state` (None: zeros); and the state after the last step.');
    const { scope, prevLocals } = writeBatchedTarget(w, g, { ids: 'x', encoded: null, carried: 'state' });
    const fields = [
      ...g.layout.recurrent.map(({ node, key }) => `${key}=${scope.value({ base: node.node.name, part: 'state', delayed: false, raw: node.node.name })}`),
      ...g.layout.prevs.map(({ node, key }) => `${key}=${prevLocals.get(node.node.name)!}`),
    ];
    w.call(`next_state = ${S}`, fields);
    w.line(`return ${pyOutputValue(g, scope)}, next_state`);
  });
  w.line();
  w.block(`def decode_step(self, tokens: Tensor, state: ${S}) -> Tuple[Tensor, ${S}]:`, () => {
    w.doc('One step for N rows (sampling; call in eval mode): tokens [N] → log-probabilities [N, V_tokens] and the next state.');
    const scope = writeTargetStep(w, g);
    w.line(`return torch.log_softmax(${pyOutputValue(g, scope)}, -1), next_state`);
  });
  w.line();
  w.block(`def loss(self, x: Tensor, y: Tensor, state: Optional[${S}] = None) -> Tuple[Tensor, int, ${S}]:`, () => {
    w.doc('Cross-entropy over all B·T next-token predictions: (sum, B·T, the state after the batch).');
    w.line('logits, next_state = self.forward(x, state)');
    w.line('total = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")');
    w.line('return total, y.numel(), next_state');
  });
}
