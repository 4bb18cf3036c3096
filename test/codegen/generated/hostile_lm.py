"""@generated from test/codegen/specs/hostile-lm.yaml — DO NOT EDIT

The language model `object` as a PyTorch module (class ObjectModel),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/hostile-lm.yaml --target pytorch`.

Plan:
  tokens, time-batched over T: type, async, _, of, v
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class ObjectModelState:
    """What the language model carries from one step (or batch) to the next: N rows."""
    async_state: Tensor  # async state — h [2, N, 8]


class ObjectModel(nn.Module):
    """The language-model model `object` (test/codegen/specs/hostile-lm.yaml)."""

    spec_name = "object"
    task = "language-model"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 100, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"tokens": size}."""
        super().__init__()
        v_tokens = sl.vocab_size(vocab, "tokens")
        self.vocab = {"tokens": v_tokens}
        # graph.type (embedding): checkpoint prefix `type`
        sl.attach(self, "type", nn.Embedding(v_tokens, 8))
        # graph.async (recurrent rnn, 2 layer(s), hidden 8): checkpoint prefix `async`
        sl.attach(self, "async", nn.RNN(8, 8, num_layers=2, nonlinearity="relu", batch_first=True))
        # graph.of (dense): checkpoint prefix `of`
        self.of = nn.Linear(8, 8)
        # graph.v (dense): checkpoint prefix `v`
        self.v = nn.Linear(8, v_tokens)

    def init_state(self, batch: int, device: Optional[torch.device] = None) -> ObjectModelState:
        """The state before the first token: zeros, `batch` rows."""
        return ObjectModelState(async_state=sl.zero_state(sl.layer(self, "async"), batch))

    def forward(self, x: Tensor, state: Optional[ObjectModelState] = None) -> Tuple[Tensor, ObjectModelState]:
        """Logits [B, T, V_tokens] for ids x [B, T], time-batched, from `state` (None: zeros); and the state after the last step."""
        type_ = sl.layer(self, "type")(x)  # [B, T, 8]
        async_, async__state = sl.run_recurrent(
            sl.layer(self, "async"),
            type_,
            init=state.async_state if state is not None else None,
        )  # output [B, T, 8]; h [2, B, 8]
        _ = F.dropout(async_, 0, self.training)  # [B, T, 8]
        of_ = torch.tanh(self.of(_))  # [B, T, 8]
        v = self.v(of_)  # [B, T, V_tokens]
        next_state = ObjectModelState(async_state=async__state)
        return v, next_state

    def decode_step(self, tokens: Tensor, state: ObjectModelState) -> Tuple[Tensor, ObjectModelState]:
        """One step for N rows (sampling; call in eval mode): tokens [N] → log-probabilities [N, V_tokens] and the next state."""
        type_ = sl.layer(self, "type")(tokens)  # [N, 8]
        async_, async__state = sl.recurrent_step(sl.layer(self, "async"), type_, state.async_state)  # output [N, 8]; h [2, N, 8]
        _ = F.dropout(async_, 0, self.training)  # [N, 8]
        of_ = torch.tanh(self.of(_))  # [N, 8]
        v = self.v(of_)  # [N, V_tokens]
        next_state = ObjectModelState(async_state=async__state)
        return torch.log_softmax(v, -1), next_state

    def loss(self, x: Tensor, y: Tensor, state: Optional[ObjectModelState] = None) -> Tuple[Tensor, int, ObjectModelState]:
        """Cross-entropy over all B·T next-token predictions: (sum, B·T, the state after the batch)."""
        logits, next_state = self.forward(x, state)
        total = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        return total, y.numel(), next_state
