"""@generated from test/codegen/specs/d2l-lstm-torch.yaml — DO NOT EDIT

The seq2seq model `d2l-lstm-torch` as a PyTorch module (class D2lLstmTorch),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/d2l-lstm-torch.yaml --target pytorch`.

Plan:
  encode (once per source batch, over T_src): src_emb, encoder
  target, time-batched over T_tgt: tgt_emb, decoder, logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class D2lLstmTorchEncoded:
    """What `encode` hands to the decoder: every source-side value the target side reads."""
    encoder_state: Tuple[Tensor, Tensor]  # encoder.state — h, c [2, B, 5]


@dataclass
class D2lLstmTorchDecoderState:
    """What one decoder step carries, one row per sentence (× beam): N rows."""
    decoder_state: Tuple[Tensor, Tensor]  # decoder state — h, c [2, N, 5]


class D2lLstmTorch(nn.Module):
    """The seq2seq model `d2l-lstm-torch` (test/codegen/specs/d2l-lstm-torch.yaml)."""

    spec_name = "d2l-lstm-torch"
    task = "seq2seq"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 10, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"source": size, "target": size}."""
        super().__init__()
        v_source = sl.vocab_size(vocab, "source")
        v_target = sl.vocab_size(vocab, "target")
        self.vocab = {"source": v_source, "target": v_target}
        # graph.src_emb (embedding): checkpoint prefix `encoder.embedding`
        sl.attach(self, "encoder.embedding", nn.Embedding(v_source, 6))
        # graph.encoder (recurrent lstm, 2 layer(s), hidden 5): checkpoint prefix `encoder.rnn`
        sl.attach(self, "encoder.rnn", nn.LSTM(6, 5, num_layers=2, batch_first=True))
        # graph.tgt_emb (embedding): checkpoint prefix `decoder.embedding`
        sl.attach(self, "decoder.embedding", nn.Embedding(v_target, 6))
        # graph.decoder (recurrent lstm, 2 layer(s), hidden 5): checkpoint prefix `decoder.rnn`
        sl.attach(self, "decoder.rnn", nn.LSTM(6, 5, num_layers=2, batch_first=True))
        # graph.logits (dense): checkpoint prefix `decoder.dense`
        sl.attach(self, "decoder.dense", nn.Linear(5, v_target))

    def encode(self, src: Tensor, src_len: Tensor) -> D2lLstmTorchEncoded:
        """The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it."""
        src_emb = sl.layer(self, "encoder.embedding")(src)  # [B, T_src, 6]
        encoder, encoder_state = sl.run_recurrent(
            sl.layer(self, "encoder.rnn"),
            src_emb,
            lengths=src_len,
        )  # output [B, T_src, 5]; h, c [2, B, 5]
        return D2lLstmTorchEncoded(encoder_state=encoder_state)

    def init_decoder_state(self, encoded: D2lLstmTorchEncoded, src_len: Tensor) -> D2lLstmTorchDecoderState:
        """The decoder state before the first step: one row per sentence."""
        return D2lLstmTorchDecoderState(decoder_state=encoded.encoder_state)

    def decode_step(self, tokens: Tensor, state: D2lLstmTorchDecoderState) -> Tuple[Tensor, D2lLstmTorchDecoderState]:
        """One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state."""
        logits, next_state = self.step_logits(tokens, state)
        return torch.log_softmax(logits, -1), next_state

    def step_logits(self, tokens: Tensor, state: D2lLstmTorchDecoderState) -> Tuple[Tensor, D2lLstmTorchDecoderState]:
        """The target side for one step: every node on [N, D]; logits [N, V_target]."""
        tgt_emb = sl.layer(self, "decoder.embedding")(tokens)  # [N, 6]
        decoder, decoder_state = sl.recurrent_step(sl.layer(self, "decoder.rnn"), tgt_emb, state.decoder_state)  # output [N, 5]; h, c [2, N, 5]
        logits = sl.layer(self, "decoder.dense")(decoder)  # [N, V_target]
        next_state = D2lLstmTorchDecoderState(decoder_state=decoder_state)
        return logits, next_state

    def select_state(self, state: D2lLstmTorchDecoderState, rows: Tensor) -> D2lLstmTorchDecoderState:
        """Row i of the result is row rows[i] of state (beam reordering)."""
        return D2lLstmTorchDecoderState(decoder_state=sl.select_state(state.decoder_state, rows))

    def features(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced decoder [B, T_tgt, 5], what the output layer `logits` reads."""
        encoded = self.encode(src, src_len)
        tgt_emb = sl.layer(self, "decoder.embedding")(tgt_in)  # [B, T_tgt, 6]
        decoder, decoder_state = sl.run_recurrent(
            sl.layer(self, "decoder.rnn"),
            tgt_emb,
            init=encoded.encoder_state,
        )  # output [B, T_tgt, 5]; h, c [2, B, 5]
        return decoder

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`."""
        return sl.layer(self, "decoder.dense")(self.features(src, src_len, tgt_in))

    def forward_stepwise(self, src: Tensor, src_len: Tensor, tgt_in: Tensor, teacher_forcing: float = 1.0) -> Tensor:
        """Logits [B, T_tgt, V_target] through the decoding path, one step at a time. Each step feeds the
        gold token with probability `teacher_forcing`, else the previous step's argmax.
        """
        encoded = self.encode(src, src_len)
        state = self.init_decoder_state(encoded, src_len)
        steps: List[Tensor] = []
        for t in range(tgt_in.shape[1]):
            tokens = tgt_in[:, t]
            if t > 0 and teacher_forcing < 1:
                chosen = torch.rand(tokens.shape[0], device=tokens.device) < teacher_forcing
                tokens = torch.where(chosen, tokens, steps[-1].argmax(-1))
            logits_t, state = self.step_logits(tokens, state)
            steps.append(logits_t)
        return torch.stack(steps, 1)

    def loss(self, src: Tensor, src_len: Tensor, tgt_in: Tensor, tgt_out: Tensor, tgt_len: Tensor) -> Tuple[Tensor, int]:
        """Masked cross-entropy: (Σ over valid target tokens, their count); the mean is sum / count."""
        return sl.masked_dense_cross_entropy(sl.layer(self, "decoder.dense"), "none", self.features(src, src_len, tgt_in), tgt_out, tgt_len)

    def greedy(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0) -> List[List[sl.Hypothesis]]:
        """Greedy decoding (eval mode): per sentence, one hypothesis."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.greedy_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, device=src.device)

    def beam(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0, beam_size: int = 4, n_best: int = 1) -> List[List[sl.Hypothesis]]:
        """Beam search (eval mode): per sentence, the n-best finished hypotheses."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.beam_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, beam_size=beam_size, n_best=n_best, device=src.device)

    def exhaustive(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0, n_best: int = 1) -> List[List[sl.Hypothesis]]:
        """Every sequence up to max_len (tiny vocabularies): the oracle for beam search."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.exhaustive_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, n_best=n_best, device=src.device)
