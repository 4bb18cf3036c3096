"""
seqloom's PyTorch runtime: what a module written by `seqloom generate SPEC --target pytorch` imports
(`import seqloom_torch as sl`), the way a TypeScript module imports `seqloom/runtime`.

    nn       recurrences with valid lengths, attention, dense activations, masked losses
    search   greedy, beam and exhaustive search (ARCHITECTURE.md's decoding contract)
    optim    tfjs's Adam update and global-norm clipping, as seqloom's trainer does them
    io       safetensors read/write (no extra package) and seqloom's prepared data shards

The numerics are seqloom's (PyTorch's cell equations and layouts); parameter names are seqloom's
checkpoint names, so `state_dict()` and a seqloom `model.safetensors` map one to one.
"""
from .nn import (
    AdditiveAttention, RecurrentState, activate, attach, attention, eval_mode, layer, masked_cross_entropy,
    masked_dense_cross_entropy, masked_softmax, project_keys, recurrent_step, repeat_over_time, run_recurrent,
    select_state, state_top, vocab_size, zero_state,
)
from .search import Hypothesis, beam_search, exhaustive_search, greedy_search

__all__ = [
    'AdditiveAttention', 'Hypothesis', 'RecurrentState', 'activate', 'attach', 'attention', 'beam_search',
    'eval_mode', 'exhaustive_search', 'greedy_search', 'layer', 'masked_cross_entropy', 'masked_dense_cross_entropy',
    'masked_softmax', 'project_keys', 'recurrent_step', 'repeat_over_time', 'run_recurrent', 'select_state',
    'state_top', 'vocab_size', 'zero_state',
]
