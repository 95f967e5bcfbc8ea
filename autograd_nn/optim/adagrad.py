"""Adagrad, as ``torch.optim.Adagrad``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from ..tensor import Tensor
from .optimizer import Optimizer, _check_nonneg, _scalar_state

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.): ``s += g^2``; ``p -= clr * g / (sqrt(s) + eps)`` with
    ``clr = lr / (1 + (t - 1) * lr_decay)``. State (created at construction, as torch):
    ``step``, ``sum`` (filled with ``initial_accumulator_value``).

    Args:
        params: parameters or param-group dicts. lr: default 1e-2. lr_decay, weight_decay,
        initial_accumulator_value: default 0. eps: default 1e-10. maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_state()
                state["sum"] = Tensor._wrap(
                    np.full_like(p._data, group["initial_accumulator_value"]))

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            step_t = state["step"]._data
            step_t += 1
            g = self._grad(p, group)
            clr = lr / (1 + (float(step_t) - 1) * lr_decay)
            s = state["sum"]._data
            s += g * g
            std = np.sqrt(s)
            std += eps
            np.divide(g, std, out=std)
            std *= clr
            p._data -= std
            inplace.bump_version(p)
