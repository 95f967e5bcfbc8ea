"""Muon, as ``torch.optim.Muon``."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _lerp_, _zeros_like

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x: np.ndarray) -> np.ndarray:
    """``x`` rounded to bfloat16 (to nearest, ties to even), held as float32: PyTorch runs the
    Newton-Schulz iteration in bfloat16, so each of its results is rounded the same way
    (products accumulate in float32, as PyTorch's CPU bfloat16 matmul)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    bits = bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
    return (bits & np.uint32(0xFFFF0000)).view(np.float32)


def zeropower_via_newtonschulz(grad: np.ndarray, ns_coefficients: tuple, ns_steps: int,
                               eps: float) -> np.ndarray:
    """The quintic Newton-Schulz iteration towards the orthogonal factor U V^T of a 2-D
    ``grad`` (roughly: singular values land in about (0.5, 1.5)), in bfloat16 precision as
    PyTorch's: X = G / max(|G|_F, eps) (transposed when tall), then ns_steps times
    A = X X^T, B = b A + c A A, X = a X + B X. Returns float32 values (bfloat16-exact)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(np.float32(np.linalg.norm(x.astype(np.float32))))
    x = _bf16(x / max(norm, _bf16(np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        upd = _bf16(np.float32(b) * gram + np.float32(c) * (gram @ gram))
        x = _bf16(np.float32(a) * x + upd @ x)
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, shape: tuple) -> float:
    """Muon's per-shape learning rate: ``sqrt(max(1, A / B))`` ('original', the default) or
    ``0.2 sqrt(max(A, B))`` ('match_rms_adamw'), for a parameter (A, B)."""
    A, B = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, A / B))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(A, B))
    return lr


class Muon(Optimizer):
    r"""Muon (MomentUm Orthogonalized by Newton-Schulz), for 2-D parameters::

        buf = lerp(buf, g, 1 - momentum)
        u = lerp(g, buf, momentum) if nesterov else buf
        O = NewtonSchulz(u)                       (bfloat16 quintic iteration, ns_steps)
        p *= 1 - lr * weight_decay;  p -= adjust_lr(lr, p.shape) * O

    State: ``momentum_buffer``.

    Args:
        params: 2-D parameters or param-group dicts. lr: default 1e-3. weight_decay: default
        0.1 (decoupled). momentum: default 0.95. nesterov: default True. ns_coefficients:
        default (3.4445, -4.775, 2.0315). eps: default 1e-7. ns_steps: default 5.
        adjust_lr_fn: None / 'original' or 'match_rms_adamw'.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple = (DEFAULT_A, DEFAULT_B, DEFAULT_C), eps: float = EPS,
                 ns_steps: int = DEFAULT_NS_STEPS, adjust_lr_fn: str | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.shape}")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, mu = group["lr"], group["momentum"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = _zeros_like(p)
            g = p.grad._data
            if g.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            buf = state["momentum_buffer"]._data
            _lerp_(buf, g, 1 - mu)
            u = g + mu * (buf - g) if group["nesterov"] else buf
            o = zeropower_via_newtonschulz(u, group["ns_coefficients"], group["ns_steps"],
                                           group["eps"])
            x = p._data
            x *= 1 - lr * group["weight_decay"]
            x -= _adjust_lr(lr, group["adjust_lr_fn"], x.shape) * o.astype(x.dtype)
            inplace.bump_version(p)
