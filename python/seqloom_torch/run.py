"""
`python3 -m seqloom_torch.run` — the PyTorch engine of `seqloom forward|decode --engine torch`.

seqloom's CLI validates IN.json and the weights, then sends one request as JSON on stdin:

    {"mode": "forward" | "decode", "module": "<generated .py>", "weights": "<.safetensors>",
     "vocab": {...}, "input": {IN.json's ids}, "decode": {"strategy", "beam_size", "max_len",
     "length_penalty", "n_best"}, "threads": n}

and this prints the same JSON document the tfjs engine prints: {"logits": [B][T][V]} or
{"results": [[{"tokens", "score", "logp"}]]}. A user error is one line on stderr and exit status 2.
A JSON list of requests gets a list of answers (one interpreter start for many checks).
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any, Dict, List

import torch

from .loader import UserError, build_model, report_error


def _finite(x: float) -> Any:
    return x if math.isfinite(x) else None


def forward(model: Any, inp: Dict[str, Any]) -> Dict[str, Any]:
    with torch.no_grad():
        if model.task == 'seq2seq':
            logits = model(torch.tensor(inp['src']), torch.tensor(inp['src_len']), torch.tensor(inp['tgt_in']))
        else:
            logits, _ = model(torch.tensor(inp['tokens']))
    return {'logits': [[[_finite(v) for v in row] for row in seq] for seq in logits.tolist()]}


def decode(model: Any, inp: Dict[str, Any], settings: Dict[str, Any]) -> Dict[str, Any]:
    src, src_len = torch.tensor(inp['src']), torch.tensor(inp['src_len'])
    common = dict(bos=inp['bos'], eos=inp['eos'], pad=inp['pad'], max_len=settings['max_len'], length_penalty=settings['length_penalty'])
    strategy = settings['strategy']
    if strategy == 'greedy':
        results = model.greedy(src, src_len, **common)
    elif strategy == 'beam':
        results = model.beam(src, src_len, beam_size=settings['beam_size'], n_best=settings['n_best'], **common)
    elif strategy == 'exhaustive':
        results = model.exhaustive(src, src_len, n_best=settings['n_best'], **common)
    else:
        raise UserError(f'unknown strategy {strategy!r}')
    out: List[List[Dict[str, Any]]] = [
        [{'tokens': h.tokens, 'score': _finite(h.score), 'logp': _finite(h.logp)} for h in hyps] for hyps in results
    ]
    return {'results': out}


def answer(request: Dict[str, Any]) -> Dict[str, Any]:
    model = build_model(request['module'], request['vocab'], request['weights'])
    model.eval()
    if request['mode'] == 'forward':
        return forward(model, request['input'])
    return decode(model, request['input'], request['decode'])


def main() -> int:
    request = json.load(sys.stdin)
    batch = isinstance(request, list)          # a list of requests (tests): a list of answers
    torch.set_num_threads(int((request[0] if batch and request else request).get('threads') or 1) if request else 1)
    try:
        out: Any = [answer(r) for r in request] if batch else answer(request)
    except (UserError, ValueError) as e:
        report_error(e)
        return 2
    sys.stdout.write(json.dumps(out, separators=(',', ':'), allow_nan=False))
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
