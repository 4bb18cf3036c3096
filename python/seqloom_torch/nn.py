"""
The building blocks a generated PyTorch module calls, with seqloom's semantics (the TypeScript
runtime's src/runtime/nn does the same in TensorFlow.js):

- recurrences are `nn.RNN` / `nn.GRU` / `nn.LSTM` (PyTorch's own equations, gate order and
  state_dict names: `weight_ih_l0`, …); with valid lengths the state stops at each sequence's length
  (pack_padded_sequence: the reverse direction starts at its last valid token), so padding never
  changes a result. A state is `h` [L·dirs, B, H] for rnn/gru and `(h, c)` for lstm.
- attention is d2l's: additive `w_v·tanh(W_q q + W_k k)` or dot `q·k/√d`, scores at or past a valid
  length set to −1e6 before the softmax (`W_q.weight`, `W_k.weight`, `w_v.weight`: no biases).
- the masked losses return (sum over valid tokens, number of valid tokens), so a caller can
  normalize by a count summed over processes.

Shapes in comments: B batch, N search rows, T time, H hidden, V vocabulary.
"""
from __future__ import annotations

import contextlib
import math
from typing import Iterator, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

#: h [L·dirs, B, H] (rnn, gru) or (h, c) (lstm), as nn.RNN/nn.GRU/nn.LSTM take and return it.
RecurrentState = Union[Tensor, Tuple[Tensor, Tensor]]

#: The score d2l's masked_softmax writes where a key is past its valid length.
MASKED_SCORE = -1e6


def vocab_size(vocab: dict, stream: str) -> int:
    """A vocabulary size from the module's `vocab` mapping: a positive integer, or a ValueError naming it."""
    size = vocab.get(stream)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f'vocab[{stream!r}] must be a positive integer (got {size!r})')
    return size


def attach(root: nn.Module, path: str, module: nn.Module) -> nn.Module:
    """
    Registers `module` at the dotted checkpoint prefix `path` (`encoder.rnn`), creating plain
    containers on the way, so its parameters are named `<path>.<param>` in `state_dict()`. For
    prefixes that are not plain attribute names (dots, Python keywords, names nn.Module uses).
    """
    *parents, leaf = path.split('.')
    holder = root
    for name in parents:
        child = holder._modules.get(name)
        if child is None:
            child = holder._modules[name] = nn.Module()
        holder = child
    # Straight into _modules: add_module refuses names nn.Module has as methods (`type`, `forward`),
    # which a checkpoint prefix may well be; state_dict() and .to() walk _modules either way.
    holder._modules[leaf] = module
    return module


def layer(root: nn.Module, path: str) -> nn.Module:
    """The module `attach` registered at `path`."""
    holder = root
    for name in path.split('.'):
        holder = holder._modules[name]
    return holder


@contextlib.contextmanager
def eval_mode(module: nn.Module) -> Iterator[None]:
    """Evaluation mode (no dropout) and no gradients for the block; the module's mode is restored after."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(was_training)


def run_recurrent(
    rnn: nn.RNNBase, x: Tensor, lengths: Optional[Tensor] = None, init: Optional[RecurrentState] = None,
) -> Tuple[Tensor, RecurrentState]:
    """
    x [B, T, In] → output [B, T, H·dirs] and the final state. With `lengths` [B] (1 ≤ length ≤ T),
    row b's state is taken at step lengths[b] and its outputs past that length are zeros (nothing
    downstream reads them: attention masks them, losses skip them).
    """
    if lengths is not None and bool((lengths < x.shape[1]).any()):
        packed = pack_padded_sequence(x, lengths.to('cpu', torch.int64), batch_first=True, enforce_sorted=False)
        out, state = rnn(packed, init)
        output, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return output, state
    return rnn(x, init)


def recurrent_step(rnn: nn.RNNBase, x: Tensor, state: RecurrentState) -> Tuple[Tensor, RecurrentState]:
    """One time step through all layers: x [N, In] → the top layer's output [N, H] and the next state."""
    out, next_state = rnn(x.unsqueeze(1), state)
    return out.squeeze(1), next_state


def zero_state(rnn: nn.RNNBase, rows: int) -> RecurrentState:
    """The all-zeros state for `rows` rows."""
    weight = rnn.weight_hh_l0
    h = weight.new_zeros(rnn.num_layers * (2 if rnn.bidirectional else 1), rows, rnn.hidden_size)
    return (h, h.clone()) if isinstance(rnn, nn.LSTM) else h


def state_top(state: RecurrentState, bidirectional: bool = False) -> Tensor:
    """The top layer's h [N, H]; bidirectional: both directions side by side [N, 2H] (forward first)."""
    h = state[0] if isinstance(state, tuple) else state
    return torch.cat([h[-2], h[-1]], -1) if bidirectional else h[-1]


def select_state(state: RecurrentState, rows: Tensor) -> RecurrentState:
    """Row i of the result is row rows[i] of `state` (beam reordering)."""
    if isinstance(state, tuple):
        return (state[0].index_select(1, rows), state[1].index_select(1, rows))
    return state.index_select(1, rows)


def repeat_over_time(x: Tensor, steps: int) -> Tensor:
    """x [B, D] → [B, T, D], the same vector at every step."""
    return x.unsqueeze(1).expand(-1, steps, -1)


def activate(x: Tensor, activation: str) -> Tensor:
    """A dense layer's activation: none | tanh | relu | sigmoid."""
    if activation == 'none':
        return x
    if activation == 'tanh':
        return torch.tanh(x)
    if activation == 'relu':
        return torch.relu(x)
    if activation == 'sigmoid':
        return torch.sigmoid(x)
    raise ValueError(f'unknown activation {activation!r}')


class AdditiveAttention(nn.Module):
    """d2l's AdditiveAttention parameters: W_q [h, Dq], W_k [h, Dk], w_v [1, h], no biases."""

    def __init__(self, query_dim: int, key_dim: int, hidden: int) -> None:
        super().__init__()
        self.W_q = nn.Linear(query_dim, hidden, bias=False)
        self.W_k = nn.Linear(key_dim, hidden, bias=False)
        self.w_v = nn.Linear(hidden, 1, bias=False)


def project_keys(attn: AdditiveAttention, keys: Tensor) -> Tensor:
    """keys [B, Tk, Dk] → W_k keys [B, Tk, h]: fixed over a decoding loop, so computed once."""
    return attn.W_k(keys)


def masked_softmax(scores: Tensor, valid_lens: Optional[Tensor]) -> Tensor:
    """Softmax over the last axis of scores [B, (Tq,) Tk]; keys at or past valid_lens[b] excluded."""
    if valid_lens is None:
        return torch.softmax(scores, -1)
    tk = scores.shape[-1]
    valid = torch.arange(tk, device=scores.device) < valid_lens.reshape(-1, *([1] * (scores.dim() - 1)))
    return torch.softmax(torch.where(valid, scores, torch.full_like(scores, MASKED_SCORE)), -1)


def attention(
    kind: str, attn: Optional[AdditiveAttention], query: Tensor, keys: Tensor, values: Tensor,
    valid_lens: Optional[Tensor] = None, projected_keys: Optional[Tensor] = None,
) -> Tensor:
    """
    query [B, Dq] (or [B, Tq, Dq]: every step at once), keys [B, Tk, Dk], values [B, Tk, Dv],
    valid_lens [B] → context [B, Dv] (or [B, Tq, Dv]).
    """
    q = query.unsqueeze(1) if query.dim() == 2 else query                       # [B, Tq, Dq]
    if kind == 'additive':
        assert attn is not None
        k = projected_keys if projected_keys is not None else attn.W_k(keys)    # [B, Tk, h]
        features = torch.tanh(k.unsqueeze(1) + attn.W_q(q).unsqueeze(2))       # [B, Tq, Tk, h]
        scores = attn.w_v(features).squeeze(-1)                                 # [B, Tq, Tk]
    elif kind == 'dot':
        scores = torch.bmm(q, keys.transpose(1, 2)) / math.sqrt(q.shape[-1])   # [B, Tq, Tk]
    else:
        raise ValueError(f'unknown attention kind {kind!r}')
    weights = masked_softmax(scores, valid_lens)                                # [B, Tq, Tk]
    context = torch.bmm(weights, values)                                        # [B, Tq, Dv]
    return context.squeeze(1) if query.dim() == 2 else context


def sequence_mask(lengths: Tensor, steps: int) -> Tensor:
    """bool [B, T]: True where t < lengths[b]."""
    return torch.arange(steps, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def masked_cross_entropy(logits: Tensor, labels: Tensor, lengths: Tensor) -> Tuple[Tensor, int]:
    """logits [B, T, V], labels [B, T], lengths [B] → (Σ over valid tokens of −log p(label), valid tokens)."""
    mask = sequence_mask(lengths, logits.shape[1]).reshape(-1)
    picked = logits.reshape(-1, logits.shape[-1])[mask]
    total = F.cross_entropy(picked, labels.reshape(-1)[mask].long(), reduction='sum')
    return total, int(mask.sum())


def masked_dense_cross_entropy(
    dense: nn.Linear, activation: str, features: Tensor, labels: Tensor, lengths: Tensor,
) -> Tuple[Tensor, int]:
    """
    The output layer and the masked loss in one: features [B, T, In] → the dense layer at the valid
    positions only → (loss sum, valid tokens). Equals masked_cross_entropy(dense(features), …) without
    spending the widest product of a step on padding.
    """
    mask = sequence_mask(lengths, features.shape[1]).reshape(-1)
    logits = activate(dense(features.reshape(-1, features.shape[-1])[mask]), activation)  # [N, V]
    total = F.cross_entropy(logits, labels.reshape(-1)[mask].long(), reduction='sum')
    return total, int(mask.sum())
