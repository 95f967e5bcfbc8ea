"""N-d convolution as three bilinear ops that are each other's adjoints.

``y = Conv(x, w)`` is bilinear in (x, w). Its two adjoints are ops too:

* ``ConvTranspose(gy, w)``: the adjoint in x (``<Conv(x, w), gy> = <x, ConvTranspose(gy, w)>``),
  which is also PyTorch's ``conv_transpose``;
* ``ConvWeightGrad(x, gy)``: the adjoint in w (``<Conv(x, w), gy> = <w, ConvWeightGrad(x, gy)>``).

Every backward is written with these three ops' ``.call``, so gradients of any order work.
One implementation serves every spatial rank (1-D, 2-D, 3-D): the geometry is a :class:`Geom`
holding per-dim stride, (low, high) padding, dilation, the input's spatial size and groups.

Numerics: im2col through ``as_strided`` (a view, then one copy into the column matrix) and one
batched matmul over (batch, group); depthwise convs (one input channel per group) skip the
column matrix and accumulate one multiply per kernel tap. The transposed direction (col2im)
adds one strided slice per kernel tap -- no Python loop over pixels or batch items.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.engine import Op
from . import xp


class Geom(NamedTuple):
    """Geometry of a convolution over ``len(stride)`` spatial dims."""

    stride: tuple
    padding: tuple  # ((lo, hi), ...) per spatial dim
    dilation: tuple
    groups: int
    in_size: tuple  # spatial size of x (unpadded)


def out_size(g: Geom, ksize: tuple) -> tuple:
    return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1 for n, (lo, hi), d, k, s in
                 zip(g.in_size, g.padding, g.dilation, ksize, g.stride))


def _windows(xp: np.ndarray, g: Geom, ksize: tuple, osize: tuple) -> np.ndarray:
    """View of padded ``xp`` (N, C, *P) as (N, C, *K, *Out) sliding windows."""
    st = xp.strides
    sp = st[2:]
    return as_strided(
        xp, shape=xp.shape[:2] + tuple(ksize) + tuple(osize),
        strides=st[:2] + tuple(s * d for s, d in zip(sp, g.dilation))
        + tuple(s * k for s, k in zip(sp, g.stride)), writeable=False)


def _pad(x: np.ndarray, g: Geom) -> np.ndarray:
    if any(lo or hi for lo, hi in g.padding):
        return np.pad(x, ((0, 0), (0, 0)) + tuple(g.padding))
    return x


def _depthwise(g: Geom, cin: int) -> bool:
    return g.groups == cin and g.groups > 1


def conv_forward(x: np.ndarray, w: np.ndarray, g: Geom) -> np.ndarray:
    """(N, C, *S) x (O, C/groups, *K) -> (N, O, *Out)."""
    N, C = x.shape[:2]
    O, Cg = w.shape[:2]
    ksize = w.shape[2:]
    osize = out_size(g, ksize)
    G = g.groups
    Og = O // G
    win = _windows(_pad(x, g), g, ksize, osize)  # (N, C, *K, *Out)
    if _depthwise(g, C):
        # out[n, c, m] = sum_k x_k[n, c] * w[c, m, k]: one fused multiply-add per tap
        wk = w.reshape(C, Og, -1)
        out = np.zeros((N, C, Og) + osize, dtype=np.result_type(x, w))
        bshape = (1, C, Og) + (1,) * len(osize)
        for i, k in enumerate(np.ndindex(*ksize)):
            out += win[(slice(None), slice(None), None) + k] * wk[:, :, i].reshape(bshape)
        return out.reshape((N, O) + osize)
    kp = math.prod(ksize)
    op = math.prod(osize)
    cols = win.reshape(N, G, Cg * kp, op)  # the im2col copy
    out = xp.matmul(w.reshape(G, Og, Cg * kp), cols)  # (N, G, Og, Out)
    return out.reshape((N, O) + osize)


def conv_transpose_forward(gy: np.ndarray, w: np.ndarray, g: Geom) -> np.ndarray:
    """Adjoint of :func:`conv_forward` in x: (N, O, *Out) x (O, C/groups, *K) -> (N, C, *S)."""
    N, O = gy.shape[:2]
    Cg = w.shape[1]
    ksize = w.shape[2:]
    osize = gy.shape[2:]
    G = g.groups
    Og = O // G
    C = Cg * G
    nd = len(ksize)
    kp = math.prod(ksize)
    dtype = np.result_type(gy, w)
    psize = tuple(n + lo + hi for n, (lo, hi) in zip(g.in_size, g.padding))
    xp = np.zeros((N, C) + psize, dtype=dtype)
    if _depthwise(g, C):
        # cols[n, c, k, ...] = sum_m gy[n, c, m, ...] * w[c, m, k]
        gyr = gy.reshape((N, C, Og) + osize)
        wk = w.reshape(C, Og, kp)
        bshape = (1, C, Og) + (1,) * nd
        for i, k in enumerate(np.ndindex(*ksize)):
            tap = (gyr * wk[:, :, i].reshape(bshape)).sum(axis=2) if Og > 1 else \
                gyr[:, :, 0] * wk[:, 0, i].reshape(bshape[:2] + bshape[3:])
            xp[_tap_slice(k, g, osize)] += tap
    else:
        cols = np.matmul(w.reshape(G, Og, Cg * kp).transpose(0, 2, 1),
                         gy.reshape(N, G, Og, -1))  # (N, G, Cg*K, Out)
        cols = cols.reshape((N, C, kp) + osize)
        for i, k in enumerate(np.ndindex(*ksize)):
            xp[_tap_slice(k, g, osize)] += cols[:, :, i]
    crop = (slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in
                                              zip(g.in_size, g.padding))
    return xp[crop] if any(lo or hi for lo, hi in g.padding) else xp


def _tap_slice(k: tuple, g: Geom, osize: tuple) -> tuple:
    """The padded-input positions kernel tap ``k`` reads, for every output position."""
    return (slice(None), slice(None)) + tuple(
        slice(ki * d, ki * d + s * (o - 1) + 1, s)
        for ki, d, s, o in zip(k, g.dilation, g.stride, osize))


def conv_weight_grad(x: np.ndarray, gy: np.ndarray, g: Geom, ksize: tuple) -> np.ndarray:
    """Adjoint of :func:`conv_forward` in w: (N, C, *S) x (N, O, *Out) -> (O, C/groups, *K)."""
    N, C = x.shape[:2]
    O = gy.shape[1]
    osize = gy.shape[2:]
    G = g.groups
    Og, Cg = O // G, C // G
    win = _windows(_pad(x, g), g, ksize, osize)
    kp = math.prod(ksize)
    if _depthwise(g, C):
        gyr = gy.reshape((N, C, Og, -1))
        xr = win.reshape(N, C, kp, -1)  # copy
        # gw[c, m, k] = sum_{n, p} gy[n, c, m, p] * x[n, c, k, p]
        gw = xp.einsum("ncmp,nckp->cmk", gyr, xr, optimize=True)
        return gw.reshape((O, 1) + tuple(ksize))
    cols = win.reshape(N, G, Cg * kp, -1)
    gyr = gy.reshape(N, G, Og, -1)
    if G == 1:
        gw = np.tensordot(gyr[:, 0], cols[:, 0], axes=([0, 2], [0, 2]))
    else:
        gw = xp.einsum("ngop,ngkp->gok", gyr, cols, optimize=True)
    return gw.reshape((O, Cg) + tuple(ksize))


class Conv(Op):
    """``Conv(x, w, geom=...)``: cross-correlation, (N, C, *S) x (O, C/g, *K) -> (N, O, *Out)."""
    grad_fn_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, geom=None):
        ctx.geom = geom
        return conv_forward(x, w, geom)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.inputs
        need_x, need_w = ctx.needs_input_grad
        gx = ConvTranspose.call(g, w, geom=ctx.geom) if need_x else None
        gw = ConvWeightGrad.call(x, g, geom=ctx.geom, ksize=tuple(w.shape[2:])) if need_w else None
        return gx, gw


class ConvTranspose(Op):
    """``ConvTranspose(y, w, geom=...)``: adjoint of :class:`Conv` in x; ``geom.in_size`` is the
    spatial size of the result."""
    grad_fn_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, y, w, geom=None):
        ctx.geom = geom
        return conv_transpose_forward(y, w, geom)

    @staticmethod
    def backward(ctx, g):
        y, w = ctx.inputs
        need_y, need_w = ctx.needs_input_grad
        gy = Conv.call(g, w, geom=ctx.geom) if need_y else None
        gw = ConvWeightGrad.call(g, y, geom=ctx.geom, ksize=tuple(w.shape[2:])) if need_w else None
        return gy, gw


class ConvWeightGrad(Op):
    """``ConvWeightGrad(x, gy, geom=..., ksize=...)``: adjoint of :class:`Conv` in w."""

    @staticmethod
    def forward(ctx, x, gy, geom=None, ksize=None):
        ctx.geom = geom
        return conv_weight_grad(x, gy, geom, ksize)

    @staticmethod
    def backward(ctx, g):
        x, gy = ctx.inputs
        need_x, need_gy = ctx.needs_input_grad
        gx = ConvTranspose.call(gy, g, geom=ctx.geom) if need_x else None
        ggy = Conv.call(x, g, geom=ctx.geom) if need_gy else None
        return gx, ggy
