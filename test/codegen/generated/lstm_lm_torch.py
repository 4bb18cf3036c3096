"""@generated from test/codegen/specs/lstm-lm-torch.yaml — DO NOT EDIT

The language model `lstm-lm-torch` as a PyTorch module (class LstmLmTorch),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/lstm-lm-torch.yaml --target pytorch`.

Plan:
  tokens, time-batched over T: emb, rnn, logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class LstmLmTorchState:
    """What the language model carries from one step (or batch) to the next: N rows."""
    rnn_state: Tuple[Tensor, Tensor]  # rnn state — h, c [2, N, 5]


class LstmLmTorch(nn.Module):
    """The language-model model `lstm-lm-torch` (test/codegen/specs/lstm-lm-torch.yaml)."""

    spec_name = "lstm-lm-torch"
    task = "language-model"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 100, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"tokens": size}."""
        super().__init__()
        v_tokens = sl.vocab_size(vocab, "tokens")
        self.vocab = {"tokens": v_tokens}
        # graph.emb (embedding): checkpoint prefix `embedding`
        self.embedding = nn.Embedding(v_tokens, 6)
        # graph.rnn (recurrent lstm, 2 layer(s), hidden 5): checkpoint prefix `rnn`
        self.rnn = nn.LSTM(6, 5, num_layers=2, batch_first=True)
        # graph.logits (dense): checkpoint prefix `dense`
        self.dense = nn.Linear(5, v_tokens)

    def init_state(self, batch: int, device: Optional[torch.device] = None) -> LstmLmTorchState:
        """The state before the first token: zeros, `batch` rows."""
        return LstmLmTorchState(rnn_state=sl.zero_state(self.rnn, batch))

    def forward(self, x: Tensor, state: Optional[LstmLmTorchState] = None) -> Tuple[Tensor, LstmLmTorchState]:
        """Logits [B, T, V_tokens] for ids x [B, T], time-batched, from `state` (None: zeros); and the state after the last step."""
        emb = self.embedding(x)  # [B, T, 6]
        rnn, rnn_state = sl.run_recurrent(
            self.rnn,
            emb,
            init=state.rnn_state if state is not None else None,
        )  # output [B, T, 5]; h, c [2, B, 5]
        logits = self.dense(rnn)  # [B, T, V_tokens]
        next_state = LstmLmTorchState(rnn_state=rnn_state)
        return logits, next_state

    def decode_step(self, tokens: Tensor, state: LstmLmTorchState) -> Tuple[Tensor, LstmLmTorchState]:
        """One step for N rows (sampling; call in eval mode): tokens [N] → log-probabilities [N, V_tokens] and the next state."""
        emb = self.embedding(tokens)  # [N, 6]
        rnn, rnn_state = sl.recurrent_step(self.rnn, emb, state.rnn_state)  # output [N, 5]; h, c [2, N, 5]
        logits = self.dense(rnn)  # [N, V_tokens]
        next_state = LstmLmTorchState(rnn_state=rnn_state)
        return torch.log_softmax(logits, -1), next_state

    def loss(self, x: Tensor, y: Tensor, state: Optional[LstmLmTorchState] = None) -> Tuple[Tensor, int, LstmLmTorchState]:
        """Cross-entropy over all B·T next-token predictions: (sum, B·T, the state after the batch)."""
        logits, next_state = self.forward(x, state)
        total = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        return total, y.numel(), next_state
