"""Scans: cumulative sum."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.engine import Op
from .shape import Flip, norm_dim


class Cumsum(Op):
    grad_fn_name = "CumsumBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dim=0):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim
        # the adjoint of a prefix sum is a suffix sum
        return Flip.call(Cumsum.call(Flip.call(g, dims=(d,)), dim=d), dims=(d,))


def cumsum(input: Any, dim: int, dtype: Any = None) -> Any:
    """Running sum along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    return Cumsum.apply(x, dim=norm_dim(dim, x.ndim, "cumsum"))


