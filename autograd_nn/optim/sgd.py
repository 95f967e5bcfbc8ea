"""Stochastic gradient descent (optionally with momentum / Nesterov), as ``torch.optim.SGD``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent.

    With ``g = grad + weight_decay * p`` (negated first if ``maximize``) and momentum ``mu``:
    ``b = g`` on the first step, then ``b = mu * b + (1 - dampening) * g``; the step direction is
    ``g + mu * b`` (nesterov) or ``b``; ``p -= lr * direction``. State: ``momentum_buffer``
    (only when ``momentum != 0``).

    Args:
        params: parameters or param-group dicts.
        lr: learning rate (default 1e-3).
        momentum, dampening, weight_decay: as above (default 0).
        nesterov: Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
        maximize: ascend the objective instead of descending.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg(lr=lr, momentum=momentum, weight_decay=weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, mu, damp = group["lr"], group["momentum"], group["dampening"]
        nesterov = group["nesterov"]
        for p in group["params"]:
            if p.grad is None:
                continue
            g = self._grad(p, group)
            if mu != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    b = np.array(g, copy=True)
                    state["momentum_buffer"] = Tensor._wrap(b)
                else:
                    b = buf._data
                    b *= mu
                    b += (1 - damp) * g if damp != 0 else g
                g = g + mu * b if nesterov else b
            p._data -= lr * g
            inplace.bump_version(p)
