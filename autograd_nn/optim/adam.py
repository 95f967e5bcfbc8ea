"""Adam and AdamW, as ``torch.optim.Adam`` / ``torch.optim.AdamW``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _adam_moments_, _check_betas, _check_nonneg

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), optionally AMSGrad and decoupled weight decay (= AdamW).

    ``m = lerp(m, g, 1 - b1)``, ``v = b2 v + (1 - b2) g^2``, then
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`` (eps after the square root;
    with ``amsgrad`` the running max of ``v`` replaces ``v``). ``weight_decay`` adds
    ``wd * p`` to the gradient, or with ``decoupled_weight_decay`` multiplies ``p`` by
    ``1 - lr * wd`` first. State: ``step``, ``exp_avg``, ``exp_avg_sq`` (+ ``max_exp_avg_sq``).

    Args:
        params: parameters or param-group dicts.
        lr: learning rate (default 1e-3). betas: (b1, b2) (default (0.9, 0.999)).
        eps: denominator term (default 1e-8). weight_decay: default 0.
        amsgrad, maximize, decoupled_weight_decay: flags (default False).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_nonneg(lr=lr, eps=eps)
        _check_betas(betas)
        _check_nonneg(weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        amsgrad = group["amsgrad"]
        buffers = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())
        for p, state, step in self._each_param(group, buffers):
            g = self._grad(p, group)
            x = p._data
            m, v = _adam_moments_(p, state, g, group)
            step_size = lr / (1 - b1 ** step)
            bc2_sqrt = (1 - b2 ** step) ** 0.5
            if amsgrad:
                vmax = state["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                v = vmax
            denom = np.sqrt(v)
            denom /= bc2_sqrt
            denom += eps
            np.divide(m, denom, out=denom)
            denom *= step_size
            x -= denom
            inplace.bump_version(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * wd`` before the
    Adam step. Same arguments as :class:`Adam`; ``weight_decay`` defaults to 0.01."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
