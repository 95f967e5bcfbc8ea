"""Fused affine map ``y = x @ W.T + b`` (one graph node instead of three)."""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op
from .indexing import MatMul
from .reduction import Sum
from .shape import Transpose

__all__ = ["Linear"]


class Linear(Op):
    """``forward(x (..., in), w (out, in), b (out,) optional) -> (..., out)``.

    Backward computes only the gradients asked for (``needs_input_grad``); the rule is written
    with dispatching ops so it also builds a graph under ``create_graph``.
    """

    saved_inputs = (0, 1)  # b's value is never read by backward

    @staticmethod
    def forward(ctx, x, w, b=None):
        out = np.matmul(x, w.T)
        if b is not None:
            out += b  # out is a fresh array: add in place, no extra temporary
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.inputs[0], ctx.inputs[1]
        needs = ctx.needs_input_grad
        gx = MatMul.call(g, w) if needs[0] else None
        gw = gb = None
        if needs[1] or (len(needs) > 2 and needs[2]):
            g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
            if needs[1]:
                x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
                gw = MatMul.call(Transpose.call(g2, dim0=0, dim1=1), x2)
            if len(needs) > 2 and needs[2]:
                gb = Sum.call(g2, dim=(0,))
        if len(needs) > 2:
            return gx, gw, gb
        return gx, gw
