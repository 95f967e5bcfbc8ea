"""Adamax, as ``torch.optim.Adamax``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _check_betas, _check_nonneg, _lerp_

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Adam with the infinity norm): ``m = lerp(m, g, 1 - b1)``,
    ``u = max(b2 u, |g| + eps)``, ``p -= lr / (1 - b1^t) * m / u``.
    State: ``step``, ``exp_avg``, ``exp_inf``.

    Args:
        params: parameters or param-group dicts. lr: default 2e-3. betas: default
        (0.9, 0.999). eps: default 1e-8. weight_decay: default 0. maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_nonneg(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonneg(weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        for p, state, step in self._each_param(group, ("exp_avg", "exp_inf")):
            g = self._grad(p, group)
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            _lerp_(m, g, 1 - b1)
            u *= b2
            a = np.abs(g)
            a += eps
            np.maximum(u, a, out=u)
            clr = lr / (1 - b1 ** step)
            np.divide(m, u, out=a)
            a *= clr
            p._data -= a
            inplace.bump_version(p)
