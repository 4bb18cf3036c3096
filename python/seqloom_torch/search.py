"""
Greedy, beam and exhaustive search over a module's `decode_step` / `select_state`: the decoding
contract of seqloom's ARCHITECTURE.md, ported line for line from src/runtime/search so both engines
return the same hypotheses (tie-breaking included):

- `<pad>` and `<bos>` are never generated; greedy takes the most probable token (ties: lowest id).
- beam (size k): every live hypothesis × every token (cumulative log-prob, float64); of the best 2k
  expansions (ties: better-ranked parent, then lower token id) an `<eos>` one is finished only when it
  ranks among the best k (beam 1 = greedy), the best k others stay live. After `max_len` steps the
  live ones are finished as they are; before, once `n_best` are finished, a live hypothesis that
  cannot reach the n-th best score is dropped (a sound bound: it never changes a result).
- score = logP / L^α (L counts `<eos>`); finished hypotheses ranked by score, ties by token ids.

The model step runs batched over all live rows; selection runs on the CPU (numpy).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

import numpy as np
import torch

#: Default bound of exhaustive search: sequences per sentence.
DEFAULT_MAX_CANDIDATES = 100_000


@dataclass
class Hypothesis:
    """One decoded hypothesis: tokens as generated (`<eos>` included when generated)."""
    tokens: List[int]
    logp: float
    score: float


def length_penalized_score(logp: float, length: int, alpha: float) -> float:
    return logp if alpha == 0 else logp / math.pow(length, alpha)


def best_reachable_score(logp: float, length: int, max_len: int, alpha: float) -> float:
    """The best score a descendant of a live hypothesis (log-prob `logp`, `length` tokens) can reach."""
    if alpha == 0:
        return logp
    reach = max_len if alpha > 0 else min(length + 1, max_len)
    return length_penalized_score(logp, reach, alpha)


def compare_tokens(a: Sequence[int], b: Sequence[int]) -> int:
    for x, y in zip(a, b):
        if x != y:
            return x - y
    return len(a) - len(b)


def compare_hypotheses(a: Hypothesis, b: Hypothesis) -> int:
    """Score descending, ties by token ids (lexicographic, ascending)."""
    if a.score != b.score:
        return -1 if a.score > b.score else 1
    return compare_tokens(a.tokens, b.tokens)


def make_hypothesis(tokens: List[int], logp: float, alpha: float) -> Hypothesis:
    return Hypothesis(tokens, logp, length_penalized_score(logp, len(tokens), alpha))


def _check(batch: int, bos: int, eos: int, pad: int, max_len: int, n_best: int, max_n_best: float) -> None:
    for name, value, least in (('batch', batch, 1), ('max_len', max_len, 1), ('bos', bos, 0), ('eos', eos, 0),
                               ('pad', pad, 0), ('n_best', n_best, 1)):
        if not isinstance(value, int) or value < least:
            raise ValueError(f'search option {name} must be an integer ≥ {least}, got {value!r}')
    if eos in (pad, bos):
        raise ValueError(f'search option eos ({eos}) must differ from pad ({pad}) and bos ({bos})')
    if n_best > max_n_best:
        raise ValueError(f'n_best ({n_best}) must be smaller than or equal to beam_size ({max_n_best})')


def _generable(vocab: int, bos: int, eos: int, pad: int) -> np.ndarray:
    for name, value in (('bos', bos), ('eos', eos), ('pad', pad)):
        if value >= vocab:
            raise ValueError(f"search option {name} ({value}) is outside the model's vocabulary of {vocab} tokens")
    mask = np.ones(vocab, dtype=bool)
    mask[pad] = False
    mask[bos] = False
    return mask


class _StepDriver:
    """
    Runs the model one batched step at a time and keeps its decoder state in between; after the
    first step, `generable` masks the tokens a search may take (all but `<pad>` and `<bos>`).
    """

    def __init__(self, model: Any, init: Any, rows: int, device: Optional[torch.device], bos: int, eos: int, pad: int) -> None:
        self.model, self.state, self.rows = model, init, rows
        self.device = device or torch.device('cpu')
        self.special = (bos, eos, pad)
        self.generable = np.zeros(0, dtype=bool)

    def step(self, tokens: Sequence[int]) -> np.ndarray:
        """tokens [rows] → log-probabilities [rows, V] (float32, on the CPU)."""
        ids = torch.tensor(list(tokens), dtype=torch.int64, device=self.device)
        log_probs, self.state = self.model.decode_step(ids, self.state)
        if log_probs.dim() != 2 or log_probs.shape[0] != self.rows:
            raise RuntimeError(f'search: decode_step returned log-probs of shape {tuple(log_probs.shape)} for {self.rows} rows')
        if self.generable.size == 0:
            self.generable = _generable(log_probs.shape[1], *self.special)
        return log_probs.detach().to('cpu', torch.float32).numpy()

    def keep_rows(self, rows: Sequence[int]) -> None:
        if len(rows) == self.rows and all(r == i for i, r in enumerate(rows)):
            return
        index = torch.tensor(list(rows), dtype=torch.int64, device=self.device)
        self.state = self.model.select_state(self.state, index)
        self.rows = len(rows)


def _argmax_generable(row: np.ndarray, generable: np.ndarray) -> int:
    """The largest generable entry (NaN counts as −∞; ties → the lowest id)."""
    values = np.where(generable & ~np.isnan(row), row.astype(np.float64), -np.inf)
    best = int(np.argmax(values))
    if not generable[best]:                       # every generable entry is −∞ or NaN: the first of them
        best = int(np.flatnonzero(generable)[0])
    return best


def greedy_search(
    model: Any, init: Any, *, batch: int, bos: int, eos: int, pad: int, max_len: int, length_penalty: float = 0.0,
    device: Optional[torch.device] = None, **_: Any,
) -> List[List[Hypothesis]]:
    """Per sentence, one hypothesis: the most probable token at each step until `<eos>` or `max_len`."""
    _check(batch, bos, eos, pad, max_len, 1, math.inf)
    alpha = float(length_penalty)
    tokens: List[List[int]] = [[] for _ in range(batch)]
    logps = [0.0] * batch
    row_sentence = list(range(batch))
    inputs = [bos] * batch
    driver = _StepDriver(model, init, batch, device, bos, eos, pad)
    for t in range(1, max_len + 1):
        values = driver.step(inputs)
        keep: List[int] = []
        next_tokens: List[int] = []
        for r, s in enumerate(row_sentence):
            best = _argmax_generable(values[r], driver.generable)
            tokens[s].append(best)
            logps[s] += float(values[r, best])
            if best != eos:
                keep.append(r)
                next_tokens.append(best)
        if not keep or t == max_len:
            break
        driver.keep_rows(keep)
        row_sentence = [row_sentence[r] for r in keep]
        inputs = next_tokens
    return [[make_hypothesis(toks, logps[s], alpha)] for s, toks in enumerate(tokens)]


def top_expansions(values: np.ndarray, parent_logps: Sequence[float], generable: np.ndarray, limit: int):
    """
    The best `limit` expansions of one sentence's live hypotheses (rows of `values`, in rank order):
    (parent, token, logp) triples by log-prob descending, ties → better parent, then lower token id.
    Impossible expansions (−∞ or NaN) are never returned.
    """
    parents = len(parent_logps)
    cand = values[:parents].astype(np.float64) + np.asarray(parent_logps, dtype=np.float64)[:, None]
    cand = np.where(generable[None, :], cand, np.nan).reshape(-1)
    possible = np.flatnonzero(cand > -np.inf)                   # False for NaN and −∞
    if possible.size > limit:
        kth = np.partition(cand[possible], possible.size - limit)[possible.size - limit]
        possible = possible[cand[possible] >= kth]              # the best `limit`, ties at the edge included
    order = possible[np.lexsort((possible, -cand[possible]))][:limit]
    vocab = values.shape[1]
    return [(int(i // vocab), int(i % vocab), float(cand[i])) for i in order]


def _add_finished(finished: List[Hypothesis], h: Hypothesis, k: int) -> None:
    pos = len(finished)
    while pos > 0 and compare_hypotheses(h, finished[pos - 1]) < 0:
        pos -= 1
    if pos >= k:
        return
    finished.insert(pos, h)
    if len(finished) > k:
        finished.pop()


def beam_search(
    model: Any, init: Any, *, batch: int, bos: int, eos: int, pad: int, max_len: int, beam_size: int,
    length_penalty: float = 0.0, n_best: int = 1, device: Optional[torch.device] = None, **_: Any,
) -> List[List[Hypothesis]]:
    """Per sentence, its `n_best` finished hypotheses (see the module docstring)."""
    if not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f'search option beam_size must be an integer ≥ 1, got {beam_size!r}')
    k = beam_size
    _check(batch, bos, eos, pad, max_len, n_best, k)
    alpha = float(length_penalty)
    beams = [{'live': [([], 0.0)], 'finished': [], 'done': False} for _ in range(batch)]
    inputs = [bos] * batch
    driver = _StepDriver(model, init, batch, device, bos, eos, pad)
    for t in range(1, max_len + 1):
        values = driver.step(inputs)
        next_rows: List[int] = []
        next_tokens: List[int] = []
        first_row = 0
        for beam in beams:
            if beam['done']:
                continue
            parents = beam['live']
            ex = top_expansions(values[first_row:first_row + len(parents)], [p[1] for p in parents], driver.generable, 2 * k)
            live, live_rows = [], []
            for i, (parent, token, logp) in enumerate(ex):
                if not (i < k or len(live) < k):
                    break
                if token == eos:
                    if i < k:
                        _add_finished(beam['finished'], make_hypothesis(parents[parent][0] + [token], logp, alpha), k)
                elif len(live) < k:
                    live.append((parents[parent][0] + [token], logp))
                    live_rows.append(first_row + parent)
            first_row += len(parents)
            if t == max_len:
                for tokens, logp in live:
                    _add_finished(beam['finished'], make_hypothesis(tokens, logp, alpha), k)
                beam['live'], beam['done'] = [], True
                continue
            finished = beam['finished']
            bar = finished[n_best - 1].score if len(finished) >= n_best else -math.inf
            beam['live'] = []
            for (tokens, logp), row in zip(live, live_rows):
                if bar > -math.inf and best_reachable_score(logp, t, max_len, alpha) < bar:
                    continue
                beam['live'].append((tokens, logp))
                next_rows.append(row)
                next_tokens.append(tokens[t - 1])
            if not beam['live']:
                beam['done'] = True
        if not next_rows:
            break
        driver.keep_rows(next_rows)
        inputs = next_tokens
    return [beam['finished'][:n_best] for beam in beams]


def exhaustive_search(
    model: Any, init: Any, *, batch: int, bos: int, eos: int, pad: int, max_len: int, length_penalty: float = 0.0,
    n_best: int = 1, max_candidates: int = DEFAULT_MAX_CANDIDATES, device: Optional[torch.device] = None, **_: Any,
) -> List[List[Hypothesis]]:
    """Every sequence up to `max_len` (tiny vocabularies only): the oracle beam search must match."""
    _check(batch, bos, eos, pad, max_len, n_best, math.inf)
    alpha = float(length_penalty)
    finished: List[List[Hypothesis]] = [[] for _ in range(batch)]
    prefixes = [(s, [], 0.0) for s in range(batch)]
    driver = _StepDriver(model, init, batch, device, bos, eos, pad)
    for t in range(1, max_len + 1):
        if not prefixes:
            break
        values = driver.step([p[1][-1] if p[1] else bos for p in prefixes])
        vocab = values.shape[1]
        generable = driver.generable
        if t == 1:
            _refuse_if_too_many(int(generable.sum()) - 1, vocab, max_len, max_candidates)
        next_prefixes, parent_rows = [], []
        for row, (sentence, tokens, base) in enumerate(prefixes):
            for v in np.flatnonzero(generable):
                logp = base + float(values[row, v])
                if not logp > -math.inf:
                    continue
                extended = tokens + [int(v)]
                if v == eos or t == max_len:
                    finished[sentence].append(make_hypothesis(extended, logp, alpha))
                else:
                    next_prefixes.append((sentence, extended, logp))
                    parent_rows.append(row)
        prefixes = next_prefixes
        if prefixes:
            driver.keep_rows(parent_rows)
    key = functools.cmp_to_key(compare_hypotheses)
    return [sorted(hyps, key=key)[:n_best] for hyps in finished]


def _refuse_if_too_many(g: int, vocab: int, max_len: int, limit: int) -> None:
    total, power = 0, 1
    for _ in range(max_len):
        total += power
        power *= g
        if total > limit or power > limit:
            break
    else:
        total += power
    if total > limit:
        raise ValueError(
            f'exhaustive search over a vocabulary of {vocab} tokens up to max_len {max_len} would score more than '
            f'{limit} sequences per sentence (use beam search or a smaller max_len)')
