"""
seqloom's optimizer step in PyTorch, matching the TypeScript trainer (src/runtime/nn/train.ts,
fused-adam.ts) number for number:

- global-norm clipping: ‖g‖ = sqrt(Σ g²) over all parameters (accumulated in float64), then every
  gradient scaled by min(1, θ/‖g‖) (clip_grad_norm_'s rule);
- Adam as tfjs computes it (optimizers/adam_optimizer.js, which seqloom's fused kernel reproduces
  in float64): β1 0.9, β2 0.999, ε 1e-8 (PyTorch's defaults), the running powers accBeta1/2 kept
  as float32 products (not β^t from pow), and ε added to √(v/c2), the bias-corrected root:

      m' = β1·m + (1−β1)·s·g        v' = β2·v + (1−β2)·(s·g)²          (stored as float32)
      x' = x − lr · (m'/c1) / (√(v'/c2) + ε),   c1 = f32(1 − accβ1), c2 = f32(1 − accβ2)

  (torch.optim.Adam divides by √v'/√c2 + ε: the same up to where ε sits, which moves the last bits.)
- SGD as tfjs: x' = x + (−lr)·(s·g) in float32.

State for checkpoints: per parameter m and v (PyTorch layout, seqloom names), acc_beta1, acc_beta2
and the iteration count — what seqloom's optimizer.safetensors holds, keyed by name.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from torch import nn


def global_norm(params: List[torch.Tensor]) -> float:
    """sqrt(Σ over parameters Σ g²), accumulated in float64."""
    total = 0.0
    for p in params:
        if p.grad is not None:
            total += float(torch.sum(p.grad.double() * p.grad.double()))
    return math.sqrt(total)


def clip_scale(norm: float, theta: Optional[float]) -> float:
    """min(1, θ/‖g‖), or 1 without clipping."""
    return theta / norm if theta is not None and norm > theta else 1.0


class TfjsAdam:
    """tfjs's Adam on named parameters (see the module docstring)."""

    def __init__(self, named: List[Tuple[str, nn.Parameter]], lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.named = named
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m: Dict[str, torch.Tensor] = {n: torch.zeros_like(p, dtype=torch.float32) for n, p in named}
        self.v: Dict[str, torch.Tensor] = {n: torch.zeros_like(p, dtype=torch.float32) for n, p in named}
        self.acc_beta1 = np.float32(beta1)
        self.acc_beta2 = np.float32(beta2)
        self.iterations = 0

    @torch.no_grad()
    def step(self, scale: float) -> None:
        c1 = float(np.float32(1.0 - float(self.acc_beta1)))
        c2 = float(np.float32(1.0 - float(self.acc_beta2)))
        a1, a2 = 1.0 - self.beta1, 1.0 - self.beta2
        for name, p in self.named:
            if p.grad is None:
                continue
            g = scale * p.grad.double()
            m1 = (self.beta1 * self.m[name].double() + a1 * g).float()
            v1 = (self.beta2 * self.v[name].double() + a2 * g * g).float()
            x1 = p.double() - self.lr * (m1.double() / c1) / (torch.sqrt(v1.double() / c2) + self.eps)
            self.m[name], self.v[name] = m1, v1
            p.copy_(x1.float())
        self.acc_beta1 = np.float32(float(self.acc_beta1) * float(np.float32(self.beta1)))
        self.acc_beta2 = np.float32(float(self.acc_beta2) * float(np.float32(self.beta2)))
        self.iterations += 1

    def state(self) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
        """Tensors `m.<name>`, `v.<name>`, `acc_beta1`, `acc_beta2`, and metadata for a checkpoint."""
        tensors = {f'm.{n}': t.cpu() for n, t in self.m.items()}
        tensors.update({f'v.{n}': t.cpu() for n, t in self.v.items()})
        tensors['acc_beta1'] = torch.tensor(float(self.acc_beta1), dtype=torch.float32)
        tensors['acc_beta2'] = torch.tensor(float(self.acc_beta2), dtype=torch.float32)
        return tensors, {'optimizer': 'Adam', 'iterations': str(self.iterations)}

    def load(self, tensors: Dict[str, torch.Tensor], meta: Dict[str, str]) -> None:
        for name, p in self.named:
            self.m[name] = tensors[f'm.{name}'].to(p.device, torch.float32).reshape(p.shape).clone()
            self.v[name] = tensors[f'v.{name}'].to(p.device, torch.float32).reshape(p.shape).clone()
        self.acc_beta1 = np.float32(float(tensors['acc_beta1']))
        self.acc_beta2 = np.float32(float(tensors['acc_beta2']))
        self.iterations = int(meta.get('iterations', '0'))


class TfjsSgd:
    """tfjs's SGD: x' = x + (−lr)·g, in float32."""

    def __init__(self, named: List[Tuple[str, nn.Parameter]], lr: float) -> None:
        self.named, self.lr, self.iterations = named, lr, 0

    @torch.no_grad()
    def step(self, scale: float) -> None:
        c = torch.tensor(-self.lr, dtype=torch.float32)
        for _, p in self.named:
            if p.grad is None:
                continue
            g = p.grad if scale == 1.0 else p.grad * torch.tensor(scale, dtype=torch.float32)
            p.copy_(c.to(p.device) * g + p)
        self.iterations += 1

    def state(self) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
        return {}, {'optimizer': 'SGD', 'iterations': str(self.iterations)}

    def load(self, tensors: Dict[str, torch.Tensor], meta: Dict[str, str]) -> None:
        self.iterations = int(meta.get('iterations', '0'))


def create_optimizer(name: str, named: List[Tuple[str, nn.Parameter]], lr: float):
    if name == 'adam':
        return TfjsAdam(named, lr)
    if name == 'sgd':
        return TfjsSgd(named, lr)
    raise ValueError(f'unknown optimizer {name!r} (adam | sgd)')
