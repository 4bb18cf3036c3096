"""
`python3 -m seqloom_torch.torchrun …` — PyTorch's own torchrun (`torch.distributed.run`), with one
compatibility fix: torch 1.13 (Debian bookworm's python3-torch) on Python ≥ 3.11 parses its default
`--redirects 0` / `--tee 0` to None (its `Std.from_str` looks the value up by iterating the IntFlag,
and Python 3.11 no longer yields the zero member), and every launch then fails inside
`start_processes`. Where that bug is present, None is read as Std.NONE; elsewhere nothing changes.
"""
from __future__ import annotations

from torch.distributed.elastic.multiprocessing import api as _mp


def _patch_std_from_str() -> None:
    original = _mp.Std.from_str
    if original('0') is not None:
        return

    def from_str(vm: str):
        value = original(vm)
        if isinstance(value, dict):
            return {k: (_mp.Std.NONE if v is None else v) for k, v in value.items()}
        return _mp.Std.NONE if value is None else value

    _mp.Std.from_str = from_str  # type: ignore[assignment]


_patch_std_from_str()

if __name__ == '__main__':
    from torch.distributed.run import main
    main()
