"""
Loading a generated module: its `.py` file (written by `seqloom generate --target pytorch`, or by the
CLI into its cache) → the nn.Module class it defines, and a seqloom weights file into an instance.
"""
from __future__ import annotations

import importlib.util
import sys
from typing import Dict, Optional

import torch
from torch import nn

from .safetensors import read_safetensors


class UserError(Exception):
    """A problem with the user's input: printed as one line (`seqloom: error: …`), never a traceback."""

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.hint = hint


def report_error(e: Exception) -> None:
    """One `seqloom-torch: error: … | help: …` line on stderr, which seqloom's CLI shows as its own error."""
    hint = getattr(e, 'hint', None)
    message = ' '.join(str(e).split('\n'))
    sys.stderr.write(f'seqloom-torch: error: {message}{f" | help: {hint}" if hint else ""}\n')


def load_module_class(path: str) -> type:
    """The generated class in the `.py` file at `path` (the nn.Module subclass with a `spec_name`)."""
    name = f'seqloom_generated_{abs(hash(path))}'
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserError(f'{path}: not a Python module')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, nn.Module) and isinstance(getattr(value, 'spec_name', None), str):
            return value
    raise UserError(f'{path}: defines no generated seqloom module')


def load_weights(model: nn.Module, tensors: Dict[str, torch.Tensor], where: str) -> None:
    """Loads seqloom-named tensors (PyTorch layouts) into `model`; wrong names or shapes are UserErrors."""
    expected = model.state_dict()
    unknown = [n for n in tensors if n not in expected]
    if unknown:
        raise UserError(f'{where}: checkpoint has tensors this model does not have: {", ".join(unknown)}',
                        f'expected: {", ".join(expected)}')
    missing = [n for n in expected if n not in tensors]
    if missing:
        raise UserError(f'{where}: checkpoint lacks tensors: {", ".join(missing)}')
    for n, t in tensors.items():
        if tuple(t.shape) != tuple(expected[n].shape):
            raise UserError(f"{where}: tensor '{n}' has shape [{', '.join(map(str, t.shape))}], "
                            f"expected [{', '.join(map(str, expected[n].shape))}]")
    model.load_state_dict({n: t.to(expected[n].dtype) for n, t in tensors.items()})


def build_model(module_path: str, vocab: Dict[str, int], weights: Optional[str] = None) -> nn.Module:
    """The generated module with vocabulary sizes `vocab`, weights loaded from a safetensors file when given."""
    cls = load_module_class(module_path)
    model = cls(vocab)
    if weights is not None:
        tensors, _ = read_safetensors(weights)
        load_weights(model, tensors, weights)
    return model
