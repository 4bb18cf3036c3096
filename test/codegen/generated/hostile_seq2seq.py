"""@generated from test/codegen/specs/hostile-seq2seq.yaml — DO NOT EDIT

The seq2seq model `gru-state` as a PyTorch module (class GruStateModel),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/hostile-seq2seq.yaml --target pytorch`.

Plan:
  encode (once per source batch, over T_src): tf, src
  target, time-batched over T_tgt: batch, tidy, x, t
  target, per step (a loop closed by .prev): attn, attn_keys, next
  target, time-batched over T_tgt: next_state
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class GruStateModelEncoded:
    """What `encode` hands to the decoder: every source-side value the target side reads."""
    src_state_top: Tensor  # src.state.top — [B, 8]
    src_output: Tensor  # src — [B, T_src, 8]
    source_lengths: Tensor  # source lengths — [B] int64
    src_state: Tensor  # src.state — h [2, B, 8]


@dataclass
class GruStateModelDecoderState:
    """What one decoder step carries, one row per sentence (× beam): N rows."""
    next_state: Tensor  # next state — h [2, N, 8]
    src_state_top: Tensor  # src.state.top — [N, 8]
    src_output: Tensor  # src — [N, T_src, 8]
    source_lengths: Tensor  # source lengths — [N] int64
    attn_keys: Tensor  # attn: keys · W_k, once per sentence — [N, T_src, h]


class GruStateModel(nn.Module):
    """The seq2seq model `gru-state` (test/codegen/specs/hostile-seq2seq.yaml)."""

    spec_name = "gru-state"
    task = "seq2seq"
    #: The spec's `decode:` settings.
    decode_defaults = {"strategy": "greedy", "beam_size": 4, "max_len": 10, "length_penalty": 0, "n_best": 1}

    def __init__(self, vocab: Dict[str, int]) -> None:
        """Layers in spec order, each under its checkpoint prefix; `vocab`: {"source": size, "target": size}."""
        super().__init__()
        v_source = sl.vocab_size(vocab, "source")
        v_target = sl.vocab_size(vocab, "target")
        self.vocab = {"source": v_source, "target": v_target}
        # graph.tf (embedding): checkpoint prefix `tf`
        self.tf = nn.Embedding(v_source, 8)
        # graph.src (recurrent gru, 2 layer(s), hidden 8): checkpoint prefix `src`
        self.src = nn.GRU(8, 8, num_layers=2, batch_first=True)
        # graph.batch (embedding): checkpoint prefix `batch`
        self.batch = nn.Embedding(v_target, 8)
        # graph.attn (attention): checkpoint prefix `attn`
        self.attn = sl.AdditiveAttention(8, 8, 8)
        # graph.next (recurrent gru, 2 layer(s), hidden 8): checkpoint prefix `next`
        sl.attach(self, "next", nn.GRU(24, 8, num_layers=2, batch_first=True))
        # graph.next_state (dense): checkpoint prefix `encoded.state_1`
        sl.attach(self, "encoded.state_1", nn.Linear(8, v_target))

    def encode(self, src: Tensor, src_len: Tensor) -> GruStateModelEncoded:
        """The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it."""
        tf = self.tf(src)  # [B, T_src, 8]
        src_, src__state = sl.run_recurrent(self.src, tf, lengths=src_len)  # output [B, T_src, 8]; h [2, B, 8]
        return GruStateModelEncoded(
            src_state_top=sl.state_top(src__state),
            src_output=src_,
            source_lengths=src_len,
            src_state=src__state,
        )

    def init_decoder_state(self, encoded: GruStateModelEncoded, src_len: Tensor) -> GruStateModelDecoderState:
        """The decoder state before the first step: one row per sentence."""
        return GruStateModelDecoderState(
            next_state=encoded.src_state,
            src_state_top=encoded.src_state_top,
            src_output=encoded.src_output,
            source_lengths=encoded.source_lengths,
            attn_keys=sl.project_keys(self.attn, encoded.src_output),
        )

    def decode_step(self, tokens: Tensor, state: GruStateModelDecoderState) -> Tuple[Tensor, GruStateModelDecoderState]:
        """One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state."""
        logits, next_state = self.step_logits(tokens, state)
        return torch.log_softmax(logits, -1), next_state

    def step_logits(self, tokens: Tensor, state: GruStateModelDecoderState) -> Tuple[Tensor, GruStateModelDecoderState]:
        """The target side for one step: every node on [N, D]; logits [N, V_target]."""
        batch = self.batch(tokens)  # [N, 8]
        tidy = state.src_state_top  # [N, 8]
        x_ = torch.cat([batch, tidy], -1)  # [N, 16]
        t_ = F.dropout(x_, 0.1, self.training)  # [N, 16]
        attn = sl.attention(
            "additive",
            self.attn,
            sl.state_top(state.next_state),
            state.src_output,
            state.src_output,
            state.source_lengths,
            projected_keys=state.attn_keys,
        )  # [N, 8]
        attn_keys = torch.cat([attn, t_], -1)  # [N, 24]
        next_, next__state = sl.recurrent_step(sl.layer(self, "next"), attn_keys, state.next_state)  # output [N, 8]; h [2, N, 8]
        next_state_ = sl.layer(self, "encoded.state_1")(next_)  # [N, V_target]
        next_state = GruStateModelDecoderState(
            next_state=next__state,
            src_state_top=state.src_state_top,
            src_output=state.src_output,
            source_lengths=state.source_lengths,
            attn_keys=state.attn_keys,
        )
        return next_state_, next_state

    def select_state(self, state: GruStateModelDecoderState, rows: Tensor) -> GruStateModelDecoderState:
        """Row i of the result is row rows[i] of state (beam reordering)."""
        return GruStateModelDecoderState(
            next_state=sl.select_state(state.next_state, rows),
            src_state_top=state.src_state_top.index_select(0, rows),
            src_output=state.src_output.index_select(0, rows),
            source_lengths=state.source_lengths.index_select(0, rows),
            attn_keys=state.attn_keys.index_select(0, rows),
        )

    def features(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced next [B, T_tgt, 8], what the output layer `next_state` reads."""
        encoded = self.encode(src, src_len)
        batch = self.batch(tgt_in)  # [B, T_tgt, 8]
        tidy = sl.repeat_over_time(encoded.src_state_top, batch.shape[1])  # [B, T_tgt, 8]
        x_ = torch.cat([batch, tidy], -1)  # [B, T_tgt, 16]
        t_ = F.dropout(x_, 0.1, self.training)  # [B, T_tgt, 16]
        # loop over T_tgt: attn, attn_keys, next (closed by .prev), one step at a time
        attn_keys_ = sl.project_keys(self.attn, encoded.src_output)  # keys · W_k, once for all steps
        next__carry = encoded.src_state
        next__steps: List[Tensor] = []
        for t in range(tgt_in.shape[1]):
            attn = sl.attention(
                "additive",
                self.attn,
                sl.state_top(next__carry),
                encoded.src_output,
                encoded.src_output,
                encoded.source_lengths,
                projected_keys=attn_keys_,
            )  # [B, 8]
            attn_keys = torch.cat([attn, t_[:, t]], -1)  # [B, 24]
            next_, next__state = sl.recurrent_step(sl.layer(self, "next"), attn_keys, next__carry)  # output [B, 8]; h [2, B, 8]
            next__carry = next__state
            next__steps.append(next_)
        next_ = torch.stack(next__steps, 1)  # [B, T_tgt, 8]
        return next_

    def forward(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced logits [B, T_tgt, V_target]: the output layer over `features`."""
        return sl.layer(self, "encoded.state_1")(self.features(src, src_len, tgt_in))

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
        return sl.masked_dense_cross_entropy(sl.layer(self, "encoded.state_1"), "none", self.features(src, src_len, tgt_in), tgt_out, tgt_len)

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
