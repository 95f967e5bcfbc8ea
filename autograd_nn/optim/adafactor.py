"""Adafactor, as ``torch.optim.Adafactor``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from ..tensor import Tensor
from .optimizer import Optimizer, _lerp_, _scalar_state

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern), PyTorch's variant: the second moment of a matrix gradient
    is kept factored over its last two dims (``row_var`` (..., R, 1), ``col_var`` (..., 1, C)),
    a vector's whole (``variance``); with ``b = step^beta2_decay``::

        row_var = lerp(row_var, mean(g^2, -1), b); col_var = lerp(col_var, mean(g^2, -2), b)
        v = row_var @ col_var / max(mean(row_var, -2), eps1)      (vector: lerp(variance, g^2, b))
        u = g / sqrt(max(v, eps1^2))
        p *= 1 - lr * weight_decay
        p -= max(eps2, rms(p_before)) * min(lr, step^-1/2) / max(1, rms(u) / d) * u

    eps1 None is the parameter dtype's machine epsilon. State: ``step`` and the factors.

    Args:
        params: parameters or param-group dicts. lr: default 1e-2. beta2_decay: default -0.8.
        eps: (eps1, eps2), default (None, 1e-3). d: clipping threshold, default 1.
        weight_decay: default 0 (decoupled). maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, wd, d = group["lr"], group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        undecayed = dict(group, weight_decay=0)  # the decay is decoupled, on p below
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if not state:  # torch's layout: step, then the factors (or the whole variance)
                state["step"] = _scalar_state()
                if p.grad.ndim > 1:
                    shape = list(p.shape)
                    state["row_var"] = Tensor._wrap(np.zeros(shape[:-1] + [1], p._data.dtype))
                    state["col_var"] = Tensor._wrap(np.zeros(shape[:-2] + [1, shape[-1]],
                                                             p._data.dtype))
                else:
                    state["variance"] = Tensor._wrap(np.zeros_like(p._data))
            g = self._grad(p, undecayed)
            x = p._data
            if eps1 is None:  # as torch: set from the first parameter, kept for the group
                eps1 = float(np.finfo(x.dtype).eps)
            step_t = state["step"]._data
            step_t += 1
            step = float(step_t)
            b = step ** group["beta2_decay"]
            rho = min(lr, 1 / step ** 0.5)
            alpha = max(eps2, float(np.linalg.norm(x.ravel())) / x.size ** 0.5) * rho
            if wd != 0:
                x *= 1 - lr * wd
            if g.ndim > 1:
                row, col = state["row_var"]._data, state["col_var"]._data
                # mean(g^2) along a dim as torch forms it: the norm squared over the count
                _lerp_(row, np.linalg.norm(g, axis=-1, keepdims=True) ** 2 / g.shape[-1], b)
                _lerp_(col, np.linalg.norm(g, axis=-2, keepdims=True) ** 2 / g.shape[-2], b)
                v = row @ col
                v /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)
            else:
                var = state["variance"]._data
                _lerp_(var, g * g, b)
                v = var.copy()
            u = 1 / np.sqrt(np.maximum(v, eps1 * eps1))
            u *= g
            denom = max(1.0, float(np.linalg.norm(u.ravel())) / (u.size ** 0.5 * d))
            u *= alpha / denom
            x -= u
            inplace.bump_version(p)
