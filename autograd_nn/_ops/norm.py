"""Fused standardisation ``(x - mean) / sqrt(var + eps)`` over some dims (biased variance).

Batch, layer, group and instance norm are all this op over different dims (after a reshape for
group norm), followed by an elementwise affine. The plain backward is the compact closed form

    gx = invstd * (g - mean(g) - xhat * mean(g * xhat))

from the saved output; under ``create_graph`` the same formula is evaluated on Tensors with the
statistics recomputed by differentiable ops, so double backward is exact (composition fallback).
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op


class Normalize(Op):
    """``xhat = (x - mean(x)) / sqrt(var(x) + eps)`` over ``dims`` (keepdims). If ``stats`` is
    a list, the batch mean and biased variance (keepdims arrays) are appended to it."""

    saved_inputs = (0,)  # read back under create_graph (and by PyTorch's own batch norm)
    saves_out = True

    @staticmethod
    def forward(ctx, x, dims=None, eps=1e-5, stats=None):
        mean = x.mean(axis=dims, keepdims=True)
        xc = x - mean
        var = np.mean(xc * xc, axis=dims, keepdims=True)
        invstd = 1.0 / np.sqrt(var + eps)
        ctx.dims, ctx.eps, ctx.invstd = dims, eps, invstd.astype(x.dtype, copy=False)
        if stats is not None:
            stats.extend((mean, var))
        xc *= ctx.invstd
        return xc

    @staticmethod
    def backward(ctx, g):
        dims = ctx.dims
        if isinstance(g, np.ndarray):
            xhat, invstd = ctx.out, ctx.invstd
            gm = g.mean(axis=dims, keepdims=True)
            gxm = (g * xhat).mean(axis=dims, keepdims=True)
            return invstd * (g - gm - xhat * gxm)
        # create_graph: everything as differentiable Tensor ops, statistics included
        x = ctx.inputs[0]
        xc = x - x.mean(dim=dims, keepdim=True)
        invstd = ((xc * xc).mean(dim=dims, keepdim=True) + ctx.eps) ** -0.5
        xhat = xc * invstd
        return invstd * (g - g.mean(dim=dims, keepdim=True)
                         - xhat * (g * xhat).mean(dim=dims, keepdim=True))
