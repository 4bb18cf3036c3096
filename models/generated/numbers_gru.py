"""@generated from models/numbers-gru.yaml — DO NOT EDIT

The seq2seq model `numbers-gru` as a PyTorch module (class NumbersGru),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate models/numbers-gru.yaml --target pytorch`.

Plan:
  encode (once per source batch, over T_src): src_emb, encoder
  target, time-batched over T_tgt: tgt_emb, context, dec_in, decoder, logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class NumbersGruEncoded:
    """What `encode` hands to the decoder: every source-side value the target side reads."""
    encoder_state_top: Tensor  # encoder.state.top — [B, 64]
    encoder_state: Tensor  # encoder.state — h [2, B, 64]


@dataclass
class NumbersGruDecoderState:
    """What one decoder step carries, one row per sentence (× beam): N rows."""
    decoder_state: Tensor  # decoder state — h [2, N, 64]
    encoder_state_top: Tensor  # encoder.state.top — [N, 64]


class NumbersGru(nn.Module):
    """The seq2seq model `numbers-gru` (models/numbers-gru.yaml)."""

    spec_name = "numbers-gru"
    task = "seq2seq"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "beam", "beam_size": 2, "max_len": 10, "length_penalty": 0.75, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"source": size, "target": size}."""
        super().__init__()
        v_source = sl.vocab_size(vocab, "source")
        v_target = sl.vocab_size(vocab, "target")
        self.vocab = {"source": v_source, "target": v_target}
        # graph.src_emb (embedding): checkpoint prefix `src_emb`
        self.src_emb = nn.Embedding(v_source, 32)
        # graph.encoder (recurrent gru, 2 layer(s), hidden 64): checkpoint prefix `encoder`
        self.encoder = nn.GRU(32, 64, num_layers=2, batch_first=True)
        # graph.tgt_emb (embedding): checkpoint prefix `tgt_emb`
        self.tgt_emb = nn.Embedding(v_target, 32)
        # graph.decoder (recurrent gru, 2 layer(s), hidden 64): checkpoint prefix `decoder`
        self.decoder = nn.GRU(96, 64, num_layers=2, batch_first=True)
        # graph.logits (dense): checkpoint prefix `logits`
        self.logits = nn.Linear(64, v_target)

    def encode(self, src: Tensor, src_len: Tensor) -> NumbersGruEncoded:
        """The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it."""
        src_emb = self.src_emb(src)  # [B, T_src, 32]
        encoder, encoder_state = sl.run_recurrent(
            self.encoder,
            src_emb,
            lengths=src_len,
        )  # output [B, T_src, 64]; h [2, B, 64]
        return NumbersGruEncoded(encoder_state_top=sl.state_top(encoder_state), encoder_state=encoder_state)

    def init_decoder_state(self, encoded: NumbersGruEncoded, src_len: Tensor) -> NumbersGruDecoderState:
        """The decoder state before the first step: one row per sentence."""
        return NumbersGruDecoderState(decoder_state=encoded.encoder_state, encoder_state_top=encoded.encoder_state_top)

    def decode_step(self, tokens: Tensor, state: NumbersGruDecoderState) -> Tuple[Tensor, NumbersGruDecoderState]:
        """One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state."""
        logits, next_state = self.step_logits(tokens, state)
        return torch.log_softmax(logits, -1), next_state

    def step_logits(self, tokens: Tensor, state: NumbersGruDecoderState) -> Tuple[Tensor, NumbersGruDecoderState]:
        """The target side for one step: every node on [N, D]; logits [N, V_target]."""
        tgt_emb = self.tgt_emb(tokens)  # [N, 32]
        context = state.encoder_state_top  # [N, 64]
        dec_in = torch.cat([tgt_emb, context], -1)  # [N, 96]
        decoder, decoder_state = sl.recurrent_step(self.decoder, dec_in, state.decoder_state)  # output [N, 64]; h [2, N, 64]
        logits = self.logits(decoder)  # [N, V_target]
        next_state = NumbersGruDecoderState(decoder_state=decoder_state, encoder_state_top=state.encoder_state_top)
        return logits, next_state

    def select_state(self, state: NumbersGruDecoderState, rows: Tensor) -> NumbersGruDecoderState:
        """Row i of the result is row rows[i] of state (beam reordering)."""
        return NumbersGruDecoderState(
            decoder_state=sl.select_state(state.decoder_state, rows),
            encoder_state_top=state.encoder_state_top.index_select(0, rows),
        )

    def features(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced decoder [B, T_tgt, 64], what the output layer `logits` reads."""
        encoded = self.encode(src, src_len)
        tgt_emb = self.tgt_emb(tgt_in)  # [B, T_tgt, 32]
        context = sl.repeat_over_time(encoded.encoder_state_top, tgt_emb.shape[1])  # [B, T_tgt, 64]
        dec_in = torch.cat([tgt_emb, context], -1)  # [B, T_tgt, 96]
        decoder, decoder_state = sl.run_recurrent(
            self.decoder,
            dec_in,
            init=encoded.encoder_state,
        )  # output [B, T_tgt, 64]; h [2, B, 64]
        return decoder

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`."""
        return self.logits(self.features(src, src_len, tgt_in))

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
        return sl.masked_dense_cross_entropy(self.logits, "none", self.features(src, src_len, tgt_in), tgt_out, tgt_len)

    def greedy(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0.75) -> List[List[sl.Hypothesis]]:
        """Greedy decoding (eval mode): per sentence, one hypothesis."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.greedy_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, device=src.device)

    def beam(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0.75, beam_size: int = 2, n_best: int = 1) -> List[List[sl.Hypothesis]]:
        """Beam search (eval mode): per sentence, the n-best finished hypotheses."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.beam_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, beam_size=beam_size, n_best=n_best, device=src.device)

    def exhaustive(self, src: Tensor, src_len: Tensor, *, bos: int, eos: int, pad: int, max_len: int = 10, length_penalty: float = 0.75, n_best: int = 1) -> List[List[sl.Hypothesis]]:
        """Every sequence up to max_len (tiny vocabularies): the oracle for beam search."""
        with sl.eval_mode(self):
            init = self.init_decoder_state(self.encode(src, src_len), src_len)
            return sl.exhaustive_search(self, init, batch=src.shape[0], bos=bos, eos=eos, pad=pad, max_len=max_len, length_penalty=length_penalty, n_best=n_best, device=src.device)
