"""@generated from test/codegen/specs/char-lm.yaml — DO NOT EDIT

The language model `char-lm` as a PyTorch module (class CharLm),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/char-lm.yaml --target pytorch`.

Plan:
  tokens, time-batched over T: emb, rnn, drop, logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class CharLmState:
    """What the language model carries from one step (or batch) to the next: N rows."""
    rnn_state: Tuple[Tensor, Tensor]  # rnn state — h, c [1, N, 32]


class CharLm(nn.Module):
    """The language-model model `char-lm` (test/codegen/specs/char-lm.yaml)."""

    spec_name = "char-lm"
    task = "language-model"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 100, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"tokens": size}."""
        super().__init__()
        v_tokens = sl.vocab_size(vocab, "tokens")
        self.vocab = {"tokens": v_tokens}
        # graph.emb (embedding): checkpoint prefix `emb`
        self.emb = nn.Embedding(v_tokens, 16)
        # graph.rnn (recurrent lstm, 1 layer(s), hidden 32): checkpoint prefix `rnn`
        self.rnn = nn.LSTM(16, 32, batch_first=True)
        # graph.logits (dense): checkpoint prefix `logits`
        self.logits = nn.Linear(32, v_tokens)

    def init_state(self, batch: int, device: Optional[torch.device] = None) -> CharLmState:
        """The state before the first token: zeros, `batch` rows."""
        return CharLmState(rnn_state=sl.zero_state(self.rnn, batch))

    def forward(self, x: Tensor, state: Optional[CharLmState] = None) -> Tuple[Tensor, CharLmState]:
        """Logits [B, T, V_tokens] for ids x [B, T], time-batched, from `state` (None: zeros); and the state after the last step."""
        emb = self.emb(x)  # [B, T, 16]
        rnn, rnn_state = sl.run_recurrent(
            self.rnn,
            emb,
            init=state.rnn_state if state is not None else None,
        )  # output [B, T, 32]; h, c [1, B, 32]
        drop = F.dropout(rnn, 0.2, self.training)  # [B, T, 32]
        logits = self.logits(drop)  # [B, T, V_tokens]
        next_state = CharLmState(rnn_state=rnn_state)
        return logits, next_state

    def decode_step(self, tokens: Tensor, state: CharLmState) -> Tuple[Tensor, CharLmState]:
        """One step for N rows (sampling; call in eval mode): tokens [N] → log-probabilities [N, V_tokens] and the next state."""
        emb = self.emb(tokens)  # [N, 16]
        rnn, rnn_state = sl.recurrent_step(self.rnn, emb, state.rnn_state)  # output [N, 32]; h, c [1, N, 32]
        drop = F.dropout(rnn, 0.2, self.training)  # [N, 32]
        logits = self.logits(drop)  # [N, V_tokens]
        next_state = CharLmState(rnn_state=rnn_state)
        return torch.log_softmax(logits, -1), next_state

    def loss(self, x: Tensor, y: Tensor, state: Optional[CharLmState] = None) -> Tuple[Tensor, int, CharLmState]:
        """Cross-entropy over all B·T next-token predictions: (sum, B·T, the state after the batch)."""
        logits, next_state = self.forward(x, state)
        total = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        return total, y.numel(), next_state
