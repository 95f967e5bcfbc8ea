"""Averaged SGD, as ``torch.optim.ASGD``."""

from __future__ import annotations

from typing import Any, Iterable

from ..autograd import inplace
from .optimizer import Optimizer, _check_nonneg, _scalar_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky): ``p *= 1 - lambd * eta``, ``p -= eta * g``, with
    ``eta = lr / (1 + lambd lr t)^alpha``; ``ax`` keeps the running average of ``p`` from step
    ``t0`` on (use it for evaluation). State: ``step``, ``eta``, ``mu``, ``ax``.

    Args:
        params: parameters or param-group dicts. lr: default 1e-2. lambd: decay term (1e-4).
        alpha: power for the eta update (0.75). t0: step at which averaging starts (1e6).
        weight_decay: default 0. maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_nonneg(lr=lr, weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        for p, state, step in self._each_param(group, ("ax",), {"eta": lr, "mu": 1.0}):
            eta_t, mu_t = state["eta"]._data, state["mu"]._data
            g = self._grad(p, group)
            x = p._data
            eta = float(eta_t)
            x *= 1 - lambd * eta
            x -= eta * g
            ax = state["ax"]._data
            if float(mu_t) != 1:
                ax += (x - ax) * mu_t
            else:
                ax[...] = x
            # torch rounds the new eta and mu through a default-dtype scalar (float32 unless
            # the default is float64), whatever dtype the state holds after a load
            eta_t[...] = _scalar_state(lr / ((1 + lambd * lr * step) ** alpha))._data
            mu_t[...] = _scalar_state(1 / max(1, step - t0))._data
            inplace.bump_version(p)
