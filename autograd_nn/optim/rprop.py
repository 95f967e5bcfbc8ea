"""Rprop, as ``torch.optim.Rprop``."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd import inplace
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Resilient backpropagation: each element keeps its own step size, multiplied by
    ``etaplus`` while the gradient keeps its sign and by ``etaminus`` when it flips (then that
    element skips one update), clamped to ``step_sizes``; ``p -= sign(g) * step``.
    State: ``step``, ``prev``, ``step_size``.

    Args:
        params: parameters or param-group dicts. lr: initial step size (default 1e-2).
        etas: (etaminus, etaplus), default (0.5, 1.2). step_sizes: (min, max), default
        (1e-6, 50). maximize: flag.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        (eta_minus, eta_plus), (lo, hi) = group["etas"], group["step_sizes"]
        for p, state, _ in self._each_param(group, ("prev", ("step_size", group["lr"]))):
            g = p.grad._data
            if group["maximize"]:
                g = -g
            prev, size = state["prev"]._data, state["step_size"]._data
            s = g * prev
            factor = np.ones_like(size)
            factor[s > 0] = eta_plus
            flipped = s < 0
            factor[flipped] = eta_minus
            size *= factor
            np.clip(size, lo, hi, out=size)
            g = np.array(g, copy=True)
            g[flipped] = 0  # after a sign flip this element does not move
            p._data -= np.sign(g) * size
            prev[...] = g
            inplace.bump_version(p)
