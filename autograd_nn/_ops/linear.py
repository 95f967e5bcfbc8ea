"""Fused affine map ``y = x @ W.T + b`` (one graph node instead of three)."""

from __future__ import annotations

from typing import Any

from ..autograd.engine import Op
from . import xp

__all__ = ["Linear", "linear_node_name"]


class Linear(Op):
    """``forward(x (..., in), w (out, in), b (out,) optional) -> (..., out)``.

    Backward computes only the gradients asked for (``needs_input_grad``); the rule is written
    with dispatching ops so it also builds a graph under ``create_graph``.
    """

    grad_fn_name = "AddmmBackward0"  # 2-D input with bias; see linear_node_name
    saved_inputs = (0, 1)  # b's value is never read by backward

    @classmethod
    def next_order(cls, node: Any) -> tuple | None:
        # PyTorch's addmm(bias, input, weight.t()) lists the bias first
        return (2, 0, 1) if len(node.needs_input_grad) == 3 and \
            node.name() == "AddmmBackward0" else None

    @staticmethod
    def forward(ctx, x, w, b=None):
        out = xp.matmul(x, w.T)
        if b is not None:
            out += b  # out is a fresh array: add in place, no extra temporary
        return out

    @staticmethod
    def backward(ctx, g):
        # operators and methods only: the same lines run on arrays (a plain backward, no
        # dispatch cost) and on Tensors (recorded, under create_graph)
        x, w = ctx.inputs[0], ctx.inputs[1]
        needs = ctx.needs_input_grad
        gx = g @ w if needs[0] else None
        gw = gb = None
        if needs[1] or (len(needs) > 2 and needs[2]):
            g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
            if needs[1]:
                gw = g2.T @ (x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x)
            if len(needs) > 2 and needs[2]:
                gb = g2.sum(0)
        if len(needs) > 2:
            return gx, gw, gb
        return gx, gw


def linear_node_name(input_ndim: int, bias: bool) -> str:
    """PyTorch's name for the outer node of ``linear``: addmm for a 2-D input with bias, mm
    without; other ranks go through matmul (and a view when a bias is added)."""
    if input_ndim == 2:
        return "AddmmBackward0" if bias else "MmBackward0"
    if bias:
        return "ViewBackward0"
    return "SqueezeBackward4" if input_ndim == 1 else "UnsafeViewBackward0"
