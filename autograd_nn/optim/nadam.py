"""NAdam, as ``torch.optim.NAdam``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _adam_moments_, _check_betas, _check_nonneg

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat): Adam with Nesterov momentum and the momentum schedule
    ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``:
    ``p -= lr (1 - mu_t) / (1 - prod mu) * g / d + lr mu_{t+1} / (1 - prod mu * mu_{t+1}) * m / d``
    with ``d = sqrt(v / (1 - b2^t)) + eps``. State: ``step``, ``mu_product``, ``exp_avg``,
    ``exp_avg_sq``.

    Args:
        params: parameters or param-group dicts. lr: default 2e-3. betas: default
        (0.9, 0.999). eps: default 1e-8. weight_decay: default 0. momentum_decay: default
        4e-3. decoupled_weight_decay, maximize: flags.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonneg(weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        md = group["momentum_decay"]
        for p, state, step in self._each_param(group, ("exp_avg", "exp_avg_sq"),
                                               {"mu_product": 1.0}):
            g = self._grad(p, group)
            x = p._data
            mu = b1 * (1.0 - 0.5 * 0.96 ** (step * md))
            mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
            mu_prod_t = state["mu_product"]._data
            mu_prod_t *= mu  # kept in the scalar state dtype, as torch
            mu_prod = float(mu_prod_t)
            m, v = _adam_moments_(p, state, g, group)
            denom = v / (1 - b2 ** step)
            np.sqrt(denom, out=denom)
            denom += eps
            x -= (lr * (1.0 - mu) / (1.0 - mu_prod)) * (g / denom)
            x -= (lr * mu_next / (1.0 - mu_prod * mu_next)) * (m / denom)
            inplace.bump_version(p)
