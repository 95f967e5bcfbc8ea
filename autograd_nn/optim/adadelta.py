"""Adadelta, as ``torch.optim.Adadelta``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler): ``v = rho v + (1 - rho) g^2``;
    ``d = sqrt(u + eps) / sqrt(v + eps) * g``; ``u = rho u + (1 - rho) d^2``; ``p -= lr * d``.
    State: ``step``, ``square_avg`` (v), ``acc_delta`` (u).

    Args:
        params: parameters or param-group dicts. lr: default 1.0. rho: default 0.9.
        eps: default 1e-6. weight_decay: default 0. maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        for p, state, _ in self._each_param(group, ("square_avg", "acc_delta")):
            g = self._grad(p, group)
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            gg = (1 - rho) * g
            gg *= g
            v += gg
            std = v + eps
            np.sqrt(std, out=std)
            d = u + eps
            np.sqrt(d, out=d)
            d /= std
            d *= g
            u *= rho
            dd = (1 - rho) * d
            dd *= d
            u += dd
            d *= lr
            p._data -= d
            inplace.bump_version(p)
