"""@generated from test/codegen/specs/bahdanau.yaml — DO NOT EDIT

The seq2seq model `bahdanau-gru` as a PyTorch module (class BahdanauGru),
from the same plan as its TypeScript module. Parameter names are seqloom's checkpoint names, so
`load_state_dict` takes the tensors of a seqloom `model.safetensors` as they are.
Regenerate with `seqloom generate test/codegen/specs/bahdanau.yaml --target pytorch`.

Plan:
  encode (once per source batch, over T_src): src_emb, encoder
  target, time-batched over T_tgt: tgt_emb
  target, per step (a loop closed by .prev): attn, dec_in, decoder
  target, time-batched over T_tgt: logits
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
from torch import Tensor, nn

import seqloom_torch as sl


@dataclass
class BahdanauGruEncoded:
    """What `encode` hands to the decoder: every source-side value the target side reads."""
    encoder_output: Tensor  # encoder — [B, T_src, 16]
    source_lengths: Tensor  # source lengths — [B] int64
    encoder_state: Tensor  # encoder.state — h [2, B, 16]


@dataclass
class BahdanauGruDecoderState:
    """What one decoder step carries, one row per sentence (× beam): N rows."""
    decoder_state: Tensor  # decoder state — h [2, N, 16]
    encoder_output: Tensor  # encoder — [N, T_src, 16]
    source_lengths: Tensor  # source lengths — [N] int64
    attn_keys: Tensor  # attn: keys · W_k, once per sentence — [N, T_src, h]


class BahdanauGru(nn.Module):
    """The seq2seq model `bahdanau-gru` (test/codegen/specs/bahdanau.yaml)."""

    spec_name = "bahdanau-gru"
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
        self.src_emb = nn.Embedding(v_source, 16)
        # graph.encoder (recurrent gru, 2 layer(s), hidden 16): checkpoint prefix `encoder.rnn`
        sl.attach(self, "encoder.rnn", nn.GRU(16, 16, num_layers=2, batch_first=True))
        # graph.tgt_emb (embedding): checkpoint prefix `tgt_emb`
        self.tgt_emb = nn.Embedding(v_target, 16)
        # graph.attn (attention): checkpoint prefix `attn`
        self.attn = sl.AdditiveAttention(16, 16, 16)
        # graph.decoder (recurrent gru, 2 layer(s), hidden 16): checkpoint prefix `decoder`
        self.decoder = nn.GRU(32, 16, num_layers=2, batch_first=True)
        # graph.logits (dense): checkpoint prefix `logits`
        self.logits = nn.Linear(16, v_target)

    def encode(self, src: Tensor, src_len: Tensor) -> BahdanauGruEncoded:
        """The source side, once over src [B, T_src] with lengths src_len [B]: everything the decoder reads from it."""
        src_emb = self.src_emb(src)  # [B, T_src, 16]
        encoder, encoder_state = sl.run_recurrent(
            sl.layer(self, "encoder.rnn"),
            src_emb,
            lengths=src_len,
        )  # output [B, T_src, 16]; h [2, B, 16]
        return BahdanauGruEncoded(encoder_output=encoder, source_lengths=src_len, encoder_state=encoder_state)

    def init_decoder_state(self, encoded: BahdanauGruEncoded, src_len: Tensor) -> BahdanauGruDecoderState:
        """The decoder state before the first step: one row per sentence."""
        return BahdanauGruDecoderState(
            decoder_state=encoded.encoder_state,
            encoder_output=encoded.encoder_output,
            source_lengths=encoded.source_lengths,
            attn_keys=sl.project_keys(self.attn, encoded.encoder_output),
        )

    def decode_step(self, tokens: Tensor, state: BahdanauGruDecoderState) -> Tuple[Tensor, BahdanauGruDecoderState]:
        """One decoder step for N rows: tokens [N] → log-probabilities [N, V_target] and the next state."""
        logits, next_state = self.step_logits(tokens, state)
        return torch.log_softmax(logits, -1), next_state

    def step_logits(self, tokens: Tensor, state: BahdanauGruDecoderState) -> Tuple[Tensor, BahdanauGruDecoderState]:
        """The target side for one step: every node on [N, D]; logits [N, V_target]."""
        tgt_emb = self.tgt_emb(tokens)  # [N, 16]
        attn = sl.attention(
            "additive",
            self.attn,
            sl.state_top(state.decoder_state),
            state.encoder_output,
            state.encoder_output,
            state.source_lengths,
            projected_keys=state.attn_keys,
        )  # [N, 16]
        dec_in = torch.cat([attn, tgt_emb], -1)  # [N, 32]
        decoder, decoder_state = sl.recurrent_step(self.decoder, dec_in, state.decoder_state)  # output [N, 16]; h [2, N, 16]
        logits = self.logits(decoder)  # [N, V_target]
        next_state = BahdanauGruDecoderState(
            decoder_state=decoder_state,
            encoder_output=state.encoder_output,
            source_lengths=state.source_lengths,
            attn_keys=state.attn_keys,
        )
        return logits, next_state

    def select_state(self, state: BahdanauGruDecoderState, rows: Tensor) -> BahdanauGruDecoderState:
        """Row i of the result is row rows[i] of state (beam reordering)."""
        return BahdanauGruDecoderState(
            decoder_state=sl.select_state(state.decoder_state, rows),
            encoder_output=state.encoder_output.index_select(0, rows),
            source_lengths=state.source_lengths.index_select(0, rows),
            attn_keys=state.attn_keys.index_select(0, rows),
        )

    def features(self, src: Tensor, src_len: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher-forced decoder [B, T_tgt, 16], what the output layer `logits` reads."""
        encoded = self.encode(src, src_len)
        tgt_emb = self.tgt_emb(tgt_in)  # [B, T_tgt, 16]
        # loop over T_tgt: attn, dec_in, decoder (closed by .prev), one step at a time
        attn_keys = sl.project_keys(self.attn, encoded.encoder_output)  # keys · W_k, once for all steps
        decoder_carry = encoded.encoder_state
        decoder_steps: List[Tensor] = []
        for t in range(tgt_in.shape[1]):
            attn = sl.attention(
                "additive",
                self.attn,
                sl.state_top(decoder_carry),
                encoded.encoder_output,
                encoded.encoder_output,
                encoded.source_lengths,
                projected_keys=attn_keys,
            )  # [B, 16]
            dec_in = torch.cat([attn, tgt_emb[:, t]], -1)  # [B, 32]
            decoder, decoder_state = sl.recurrent_step(self.decoder, dec_in, decoder_carry)  # output [B, 16]; h [2, B, 16]
            decoder_carry = decoder_state
            decoder_steps.append(decoder)
        decoder = torch.stack(decoder_steps, 1)  # [B, T_tgt, 16]
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
