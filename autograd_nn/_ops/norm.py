"""Fused standardisation + affine: ``(x - mean) / sqrt(var + eps) * weight + bias``.

The statistics are taken over ``dims`` (biased variance); ``weight`` / ``bias`` (optional) are
reshaped to ``wshape`` to broadcast against x. Batch, layer and instance norm are this op over
different dims; group norm uses it on a reshaped input and applies its per-channel affine
outside. The plain backward is the compact closed form

    gxhat = g * weight
    gx = invstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
    gweight = sum(g * xhat),  gbias = sum(g)

from the saved ``xhat``; under ``create_graph`` the same formulas are evaluated on Tensors with
the statistics recomputed by differentiable ops, so double backward is exact (a documented
composition fallback).
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op
from .reduction import mean_of


class Normalize(Op):
    """``Normalize(x, weight, bias, dims=..., eps=..., wshape=..., stats=None)``; weight and
    bias may be None. If ``stats`` is a list, the batch mean and biased variance (keepdims
    arrays) are appended to it (for running statistics)."""
    grad_fn_name = "NativeLayerNormBackward0"

    saved_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, dims=None, eps=1e-5, wshape=None, stats=None):
        mean = mean_of(x, dims, True)
        xc = x - mean
        var = mean_of(np.square(xc), dims, True)
        invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        if stats is not None:
            stats.extend((mean, var))
        xc *= invstd  # now xhat
        ctx.dims, ctx.eps, ctx.wshape, ctx.invstd, ctx.xhat = dims, eps, wshape, invstd, xc
        ctx.has_w = weight is not None
        if weight is None and bias is None:
            return xc.copy()  # the saved xhat must not alias the (user-mutable) output
        out = xc * weight.reshape(wshape) if weight is not None else xc.copy()
        if bias is not None:
            out += bias.reshape(wshape)
        return out

    @staticmethod
    def backward(ctx, g):
        dims, wshape = ctx.dims, ctx.wshape
        x, weight, bias = ctx.inputs
        if not ctx.has_w:
            weight = None  # (under create_graph a None input arrives wrapped)
        _, need_w, need_b = ctx.needs_input_grad
        if isinstance(g, np.ndarray):
            xhat, invstd = ctx.xhat, ctx.invstd
            gxh = g * weight.reshape(wshape) if weight is not None else g
            gx = gxh - mean_of(gxh, dims, True)
            gx -= xhat * mean_of(gxh * xhat, dims, True)
            gx *= invstd
        else:  # create_graph: everything as differentiable Tensor ops, statistics included
            xc = x - x.mean(dim=dims, keepdim=True)
            invstd = ((xc * xc).mean(dim=dims, keepdim=True) + ctx.eps) ** -0.5
            xhat = xc * invstd
            gxh = g * weight.reshape(wshape) if weight is not None else g
            gx = invstd * (gxh - gxh.mean(dim=dims, keepdim=True)
                           - xhat * (gxh * xhat).mean(dim=dims, keepdim=True))
        # parameter grads: sum over every axis the parameter is broadcast along
        gw = gb = None
        if not (need_w or need_b):
            return gx, None, None
        lead = len(g.shape) - len(wshape)
        red = tuple(i for i in range(len(g.shape)) if i < lead or wshape[i - lead] == 1)
        if need_w:
            gw = (g * xhat).sum(red).reshape(weight.shape) if isinstance(g, np.ndarray) else \
                (g * xhat).sum(dim=red).reshape(weight.shape)
        if need_b:
            gb = g.sum(red).reshape(bias.shape) if isinstance(g, np.ndarray) else \
                g.sum(dim=red).reshape(bias.shape)
        return gx, gw, gb
