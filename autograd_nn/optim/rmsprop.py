"""RMSprop, as ``torch.optim.RMSprop``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _check_nonneg, _lerp_

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton): ``v = alpha v + (1 - alpha) g^2``; ``avg = sqrt(v) + eps`` (eps outside
    the square root), or with ``centered`` ``sqrt(v - ga^2) + eps`` where ``ga`` is the running
    mean of ``g``; then ``p -= lr * g / avg``, or with momentum ``b = mu b + g / avg``,
    ``p -= lr * b``. State: ``step``, ``square_avg`` (+ ``momentum_buffer``, ``grad_avg``).

    Args:
        params: parameters or param-group dicts. lr: default 1e-2. alpha: default 0.99.
        eps: default 1e-8. weight_decay, momentum: default 0. centered, maximize: flags.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        mu, centered = group["momentum"], group["centered"]
        buffers = ("square_avg",) + (("momentum_buffer",) if mu > 0 else ()) + (
            ("grad_avg",) if centered else ())
        for p, state, _ in self._each_param(group, buffers):
            g = self._grad(p, group)
            v = state["square_avg"]._data
            v *= alpha
            gg = (1 - alpha) * g
            gg *= g
            v += gg
            if centered:
                ga = state["grad_avg"]._data
                _lerp_(ga, g, 1 - alpha)
                avg = v - ga * ga
                np.sqrt(avg, out=avg)
            else:
                avg = np.sqrt(v)
            avg += eps
            np.divide(g, avg, out=avg)
            if mu > 0:
                b = state["momentum_buffer"]._data
                b *= mu
                b += avg
                p._data -= lr * b
            else:
                avg *= lr
                p._data -= avg
            inplace.bump_version(p)
