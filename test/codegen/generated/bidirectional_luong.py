"""@generated from test/codegen/specs/bidirectional-luong.yaml — DO NOT EDIT

The seq2seq model `bidirectional-luong` as a PyTorch module (class BidirectionalLuong),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/bidirectional-luong.yaml --target pytorch`.

Plan:
  encode (once per source batch, over T_src): src_emb, encoder, bridge
  target, time-batched over T_tgt: tgt_emb, context, dec_in, decoder, attn, mixed, hidden, logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class BidirectionalLuongEncoded:
    """What `encode` hands to the decoder: every source-side value the target side reads."""
    bridge_output: Tensor  # bridge — [B, 12]
    encoder_output: Tensor  # encoder — [B, T_src, 12]
    source_lengths: Tensor  # source lengths — [B] int64


@dataclass
class BidirectionalLuongDecoderState:
    """What one decoder step carries, one row per sentence (× beam): N rows."""
    decoder_state: Tensor  # decoder state — h [1, N, 12]
    bridge_output: Tensor  # bridge — [N, 12]
    encoder_output: Tensor  # encoder — [N, T_src, 12]
    source_lengths: Tensor  # source lengths — [N] int64


class BidirectionalLuong(nn.Module):
    """The seq2seq model `bidirectional-luong` (test/codegen/specs/bidirectional-luong.yaml)."""

    spec_name = "bidirectional-luong"
    task = "seq2seq"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 10, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"source": size, "target": size}."""
        super().__init__()
        v_source = sl.vocab_size(vocab, "source")
        v_target = sl.vocab_size(vocab, "target")
        self.vocab = {"source": v_source, "target": v_target}
        # graph.src_emb (embedding): checkpoint prefix `src_emb`
        self.src_emb = nn.Embedding(v_source, 8)
        # graph.encoder (recurrent lstm, 1 layer(s), hidden 6): checkpoint prefix `encoder`
        self.encoder = nn.LSTM(8, 6, bidirectional=True, batch_first=True)
        # graph.bridge (dense): checkpoint prefix `bridge`
        self.bridge = nn.Linear(12, 12)
        # graph.tgt_emb (embedding): checkpoint prefix `tgt_emb`
        self.tgt_emb = nn.Embedding(v_target, 8)
        # graph.decoder (recurrent gru, 1 layer(s), hidden 12): checkpoint prefix `decoder`
        self.decoder = nn.GRU(20, 12, batch_first=True)
        # graph.hidden (dense): checkpoint prefix `hidden`
        self.hidden = nn.Linear(24, 12)
        # graph.logits (dense): checkpoint prefix `logits`
        self.logits = nn.Linear(12, v_target)

    def encode(self, src: Tensor, src_len: Tensor) -> BidirectionalLuongEncoded:
        """The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it."""
        src_emb = self.src_emb(src)  # [B, T_src, 8]
        encoder, encoder_state = sl.run_recurrent(
            self.encoder,
            src_emb,
            lengths=src_len,
        )  # output [B, T_src, 12]; h, c [2, B, 6]
        bridge = torch.tanh(self.bridge(sl.state_top(encoder_state, bidirectional=True)))  # [B, 12]
        return BidirectionalLuongEncoded(bridge_output=bridge, encoder_output=encoder, source_lengths=src_len)

    def init_decoder_state(self, encoded: BidirectionalLuongEncoded, src_len: Tensor) -> BidirectionalLuongDecoderState:
        """The decoder state before the first step: one row per sentence."""
        return BidirectionalLuongDecoderState(
            decoder_state=sl.zero_state(self.decoder, src_len.shape[0]),
            bridge_output=encoded.bridge_output,
            encoder_output=encoded.encoder_output,
            source_lengths=encoded.source_lengths,
        )

    def decode_step(self, tokens: Tensor, state: BidirectionalLuongDecoderState) -> Tuple[Tensor, BidirectionalLuongDecoderState]:
        """One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state."""
        logits, next_state = self.step_logits(tokens, state)
        return torch.log_softmax(logits, -1), next_state

    def step_logits(self, tokens: Tensor, state: BidirectionalLuongDecoderState) -> Tuple[Tensor, BidirectionalLuongDecoderState]:
        """The target side for one step: every node on [N, D]; logits [N, V_target]."""
        tgt_emb = self.tgt_emb(tokens)  # [N, 8]
        context = state.bridge_output  # [N, 12]
        dec_in = torch.cat([tgt_emb, context], -1)  # [N, 20]
        decoder, decoder_state = sl.recurrent_step(self.decoder, dec_in, state.decoder_state)  # output [N, 12]; h [1, N, 12]
        attn = sl.attention(
            "dot",
            None,
            decoder,
            state.encoder_output,
            state.encoder_output,
            state.source_lengths,
        )  # [N, 12]
        mixed = torch.cat([decoder, attn], -1)  # [N, 24]
        hidden = torch.relu(self.hidden(mixed))  # [N, 12]
        logits = self.logits(hidden)  # [N, V_target]
        next_state = BidirectionalLuongDecoderState(
            decoder_state=decoder_state,
            bridge_output=state.bridge_output,
            encoder_output=state.encoder_output,
            source_lengths=state.source_lengths,
        )
        return logits, next_state

    def select_state(self, state: BidirectionalLuongDecoderState, rows: Tensor) -> BidirectionalLuongDecoderState:
        """Row i of the result is row rows[i] of state (beam reordering)."""
        return BidirectionalLuongDecoderState(
            decoder_state=sl.select_state(state.decoder_state, rows),
            bridge_output=state.bridge_output.index_select(0, rows),
            encoder_output=state.encoder_output.index_select(0, rows),
            source_lengths=state.source_lengths.index_select(0, rows),
        )

    def features(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced hidden [B, T_tgt, 12], what the output layer `logits` reads."""
        encoded = self.encode(src, src_len)
        tgt_emb = self.tgt_emb(tgt_in)  # [B, T_tgt, 8]
        context = sl.repeat_over_time(encoded.bridge_output, tgt_emb.shape[1])  # [B, T_tgt, 12]
        dec_in = torch.cat([tgt_emb, context], -1)  # [B, T_tgt, 20]
        decoder, decoder_state = sl.run_recurrent(self.decoder, dec_in)  # output [B, T_tgt, 12]; h [1, B, 12]
        attn = sl.attention(
            "dot",
            None,
            decoder,
            encoded.encoder_output,
            encoded.encoder_output,
            encoded.source_lengths,
        )  # [B, T_tgt, 12]
        mixed = torch.cat([decoder, attn], -1)  # [B, T_tgt, 24]
        hidden = torch.relu(self.hidden(mixed))  # [B, T_tgt, 12]
        return hidden

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
