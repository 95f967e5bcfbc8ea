"""RAdam, as ``torch.optim.RAdam``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _adam_moments_, _check_betas, _check_nonneg

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): Adam whose adaptive term is switched on, with the variance
    rectification ``r_t``, only once ``rho_t > 5``; before that the step is SGD with momentum,
    ``p -= lr * m / (1 - b1^t)``. State: ``step``, ``exp_avg``, ``exp_avg_sq``.

    Args:
        params: parameters or param-group dicts. lr: default 1e-3. betas: default
        (0.9, 0.999). eps: default 1e-8. weight_decay: default 0.
        decoupled_weight_decay, maximize: flags.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonneg(weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        rho_inf = 2 / (1 - b2) - 1
        for p, state, step in self._each_param(group, ("exp_avg", "exp_avg_sq")):
            g = self._grad(p, group)
            x = p._data
            m, v = _adam_moments_(p, state, g, group)
            bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
            upd = m / bc1
            upd *= lr
            rho_t = rho_inf - 2 * step * (b2 ** step) / bc2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                ada = np.sqrt(v)
                ada += eps
                np.divide(bc2 ** 0.5, ada, out=ada)
                upd *= ada
                upd *= rect
            x -= upd
            inplace.bump_version(p)
