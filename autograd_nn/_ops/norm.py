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
from . import xp
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


class CrossMapLrn(Op):
    """PyTorch's legacy ``CrossMapLRN2d`` (``torch.nn._functions._cross_map_lrn2d``) on
    (N, C, H, W): ``x * (k + alpha / size * s)^-beta`` with ``s`` PyTorch's running channel
    sum of x^2, kept as PyTorch computes it (a channel is dropped from the sum only once
    ``c > pre_pad``, so channel 0 stays in every later sum), and PyTorch's backward for it
    (the symmetric-window formula). Differentiable once, as PyTorch's legacy function."""

    saved_inputs = (0,)
    saves_out = True

    @staticmethod
    def forward(ctx, x, size=5, alpha=1e-4, beta=0.75, k=1.0):
        C = x.shape[1]
        sq = x * x
        pre_pad = int((size - 1) / 2 + 1)
        scale = np.empty_like(x)
        scale[:, 0] = sq[:, :min(pre_pad, C)].sum(axis=1)
        for c in range(1, C):
            scale[:, c] = scale[:, c - 1]
            if c < C - pre_pad + 1:
                scale[:, c] += sq[:, c + pre_pad - 1]
            if c > pre_pad:
                scale[:, c] -= sq[:, c - pre_pad]
        scale *= alpha / size
        scale += k
        ctx.scale, ctx.lrn = scale, (size, alpha, beta)
        return x * scale ** -beta

    @staticmethod
    def backward(ctx, g):
        if xp.is_graph(g):
            raise RuntimeError("CrossMapLRN2d: double backward is not implemented (PyTorch's "
                               "legacy function computes its backward outside autograd)")
        x, out, scale = ctx.inputs[0], ctx.out, ctx.scale
        size, alpha, beta = ctx.lrn
        N, C = x.shape[:2]
        inverse_pre_pad = int(size - (size - 1) / 2)
        padded = np.zeros((N, C + size - 1) + x.shape[2:], dtype=x.dtype)
        padded[:, inverse_pre_pad:inverse_pre_pad + C] = g * out / scale
        # channel c sums padded[c : c + size] (PyTorch's running accumulation)
        csum = np.concatenate([np.zeros_like(padded[:, :1]), np.cumsum(padded, axis=1)], 1)
        accum = csum[:, size:size + C] - csum[:, :C]
        return scale ** -beta * g - (2 * alpha * beta / size) * x * accum
