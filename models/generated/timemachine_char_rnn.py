"""@generated from models/timemachine-char-rnn.yaml — DO NOT EDIT

The language model `timemachine-char-rnn` as a PyTorch module (class TimemachineCharRnn),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate models/timemachine-char-rnn.yaml --target pytorch`.

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
class TimemachineCharRnnState:
    """What the language model carries from one step (or batch) to the next: N rows."""
    rnn_state: Tensor  # rnn state — h [1, N, 256]


class TimemachineCharRnn(nn.Module):
    """The language-model model `timemachine-char-rnn` (models/timemachine-char-rnn.yaml)."""

    spec_name = "timemachine-char-rnn"
    task = "language-model"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 50, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"tokens": size}."""
        super().__init__()
        v_tokens = sl.vocab_size(vocab, "tokens")
        self.vocab = {"tokens": v_tokens}
        # graph.emb (embedding): checkpoint prefix `emb`
        self.emb = nn.Embedding(v_tokens, 32)
        # graph.rnn (recurrent rnn, 1 layer(s), hidden 256): checkpoint prefix `rnn`
        self.rnn = nn.RNN(32, 256, nonlinearity="tanh", batch_first=True)
        # graph.logits (dense): checkpoint prefix `logits`
        self.logits = nn.Linear(256, v_tokens)

    def init_state(self, batch: int, device: Optional[torch.device] = None) -> TimemachineCharRnnState:
        """The state before the first token: zeros, `batch` rows."""
        return TimemachineCharRnnState(rnn_state=sl.zero_state(self.rnn, batch))

    def forward(self, x: Tensor, state: Optional[TimemachineCharRnnState] = None) -> Tuple[Tensor, TimemachineCharRnnState]:
        """Logits [B, T, V_tokens] for ids x [B, T], time-batched, from `state` (None: zeros); and the state after the last step."""
        emb = self.emb(x)  # [B, T, 32]
        rnn, rnn_state = sl.run_recurrent(
            self.rnn,
            emb,
            init=state.rnn_state if state is not None else None,
        )  # output [B, T, 256]; h [1, B, 256]
        logits = self.logits(rnn)  # [B, T, V_tokens]
        next_state = TimemachineCharRnnState(rnn_state=rnn_state)
        return logits, next_state

    def decode_step(self, tokens: Tensor, state: TimemachineCharRnnState) -> Tuple[Tensor, TimemachineCharRnnState]:
        """One step for N rows (sampling; call in eval mode): tokens [N] → log-probabilities [N, V_tokens] and the next state."""
        emb = self.emb(tokens)  # [N, 32]
        rnn, rnn_state = sl.recurrent_step(self.rnn, emb, state.rnn_state)  # output [N, 256]; h [1, N, 256]
        logits = self.logits(rnn)  # [N, V_tokens]
        next_state = TimemachineCharRnnState(rnn_state=rnn_state)
        return torch.log_softmax(logits, -1), next_state

    def loss(self, x: Tensor, y: Tensor, state: Optional[TimemachineCharRnnState] = None) -> Tuple[Tensor, int, TimemachineCharRnnState]:
        """Cross-entropy over all B·T next-token predictions: (sum, B·T, the state after the batch)."""
        logits, next_state = self.forward(x, state)
        total = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
        return total, y.numel(), next_state
