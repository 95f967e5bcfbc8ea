"""Reductions (sum, mean, var, max, logsumexp, prod, norm) and softmax / log-softmax."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.engine import Op
from . import xp
from .elementwise import Exp, Sign, Where
from .shape import ExpandTo


def _keep(g, x_shape, dims, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input (re-insert reduced axes)."""
    if keepdim or dims is None and g.ndim == len(x_shape):
        return g
    if dims is None:
        return g.reshape((1,) * len(x_shape))
    shape = list(g.shape)
    for d in dims:
        shape.insert(d, 1)
    return g.reshape(tuple(shape))


def _expand(g, ctx):
    x_shape = ctx.inputs[0].shape
    g = _keep(g, x_shape, ctx.dims, ctx.keepdim)
    if isinstance(g, np.ndarray) and math.prod(x_shape) <= 1 << 16:
        # a small gradient is cheaper filled than viewed (np.broadcast_to costs ~6 us)
        out = np.empty(x_shape, dtype=g.dtype)
        out[...] = g
        return out
    return ExpandTo.call(g, shape=x_shape)


class Sum(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return x.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(g, ctx)


def mean_of(x: np.ndarray, axis: tuple | None = None, keepdims: bool = False) -> np.ndarray:
    """``x.mean(axis, keepdims)`` of a float array as its sum over the count, which is what
    NumPy's mean computes too, without its ~10 us of Python per call (more than the arithmetic
    on small arrays). float16 sums in float32 as NumPy does; the mean of nothing is NaN."""
    n = x.size if axis is None else math.prod([x.shape[d] for d in axis])
    if x.dtype.itemsize < 4:
        s = np.add.reduce(x, axis=axis, dtype=np.float32, keepdims=keepdims)
        return np.asarray(np.true_divide(s, n) if n else s * np.nan).astype(x.dtype)
    s = np.add.reduce(x, axis=axis, keepdims=keepdims)
    return np.true_divide(s, n) if n else s * np.nan


class Mean(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        ctx.n = x.size if dim is None else math.prod([x.shape[d] for d in dim])
        return mean_of(x, dim, keepdim)

    @staticmethod
    def backward(ctx, g):
        # scale the (small) reduced gradient, then broadcast it: no full-size multiply
        return _expand(g * (1.0 / ctx.n if ctx.n else np.nan), ctx)


class Var(Op):
    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        ctx.dims, ctx.keepdim, ctx.correction = dim, keepdim, correction
        ctx.n = x.size if dim is None else int(np.prod([x.shape[d] for d in dim]))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(x.var(axis=dim, ddof=correction, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        centered = x - Mean.call(x, dim=ctx.dims, keepdim=True)
        denom = ctx.n - ctx.correction
        scale = 2.0 / denom if denom > 0 else np.inf
        return _expand(g, ctx) * centered * scale


class Std(Var):
    """sqrt(var); the gradient is 0 where the std is 0 (PyTorch's std_backward), not NaN."""

    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        return np.sqrt(Var.forward(ctx, x, dim=dim, correction=correction, keepdim=keepdim))

    @staticmethod
    def backward(ctx, g):
        std = ctx.out
        zero = xp.data(std) == 0
        safe = Where.call(zero, 1.0, std)  # no inf/nan on the masked side, at any order
        return Var.backward(ctx, Where.call(zero, 0.0, g / (safe * 2)))


class Amax(Op):
    """max over ``dim`` (None = all); ties share the gradient evenly, as PyTorch's amax."""

    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return _max_or_min(x, dim, keepdim, np.max)

    @staticmethod
    def backward(ctx, g):
        return _tie_split(ctx, g)


class Amin(Op):
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return _max_or_min(x, dim, keepdim, np.min)

    @staticmethod
    def backward(ctx, g):
        return _tie_split(ctx, g)


def _max_or_min(x, dim, keepdim, fn):
    if x.size == 0 and dim is None:
        raise RuntimeError(f"max()/min(): Expected reduction dim to be specified for input.numel()"
                           f" == 0, got input of shape {list(x.shape)}")
    empty = [d for d in dim or () if x.shape[d] == 0]
    if empty:
        raise RuntimeError(f"amax()/amin(): Expected reduction dim {empty[0]} to have non-zero "
                           f"size (input of shape {list(x.shape)})")
    return fn(x, axis=dim, keepdims=keepdim)


def _row_max(x, dim):
    """max over ``dim`` (keepdims), the shift of the stable exp-normalisations; -inf over an
    empty dim (so logsumexp there is -inf and softmax of nothing is nothing, as PyTorch)."""
    return np.max(x, axis=dim, keepdims=True, initial=-np.inf) if x.size == 0 else \
        np.max(x, axis=dim, keepdims=True)


def _tie_split(ctx, g, absolute=False):
    """Gradient of a max/min (of |x| when ``absolute``) shared evenly between tied elements."""
    x = ctx.inputs[0]
    out = _keep(ctx.out, x.shape, ctx.dims, ctx.keepdim)
    xd, od = xp.data(x), xp.data(out)
    mask = ((np.abs(xd) if absolute else xd) == od).astype(xd.dtype)
    mask /= mask.sum(axis=ctx.dims, keepdims=True)
    return _expand(g, ctx) * mask


class Logsumexp(Op):
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        m = _row_max(x, dim)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        out = _keep(ctx.out, x.shape, ctx.dims, ctx.keepdim)
        return _expand(g, ctx) * Exp.call(x - out)


class Prod(Op):
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return np.prod(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        xd = xp.data(x)
        ge = _expand(g, ctx)
        if (xd != 0).all():
            return ge * _keep(ctx.out, x.shape, ctx.dims, ctx.keepdim) / x
        # zeros present: the product of all *other* elements, one reduced position at a time
        dim = ctx.dims
        flat = x.reshape(-1) if dim is None else x
        axis = 0 if dim is None else dim[0]
        if dim is not None and len(dim) > 1:
            raise NotImplementedError("prod backward with zeros over several dims")
        n = flat.shape[axis]
        parts = []
        for i in range(n):
            onehot = np.zeros(n, dtype=bool)
            onehot[i] = True
            shape = [1] * flat.ndim
            shape[axis] = n
            others = Where.call(onehot.reshape(shape), 1.0, flat)
            parts.append(Prod.call(others, dim=(axis,), keepdim=True))
        from .shape import Cat

        prod_others = Cat.call(*parts, dim=axis)
        return ge * prod_others.reshape(x.shape)


class Norm(Op):
    """Vector p-norm over ``dim`` (None = all): p in (inf, -inf, 0, or any positive float)."""

    saves_out = True

    @staticmethod
    def forward(ctx, x, p=2.0, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim, ctx.p = dim, keepdim, p
        a = np.abs(x)
        if p == np.inf:
            return a.max(axis=dim, keepdims=keepdim)
        if p == -np.inf:
            return a.min(axis=dim, keepdims=keepdim)
        if p == 0:
            return (a != 0).sum(axis=dim, keepdims=keepdim).astype(x.dtype)
        if p == 2:
            return np.sqrt((x * x).sum(axis=dim, keepdims=keepdim))
        if p == 1:
            return a.sum(axis=dim, keepdims=keepdim)
        return (a ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        p = ctx.p
        ge = _expand(g, ctx)
        if p == 0:
            return ge * 0
        if p in (np.inf, -np.inf):
            return _tie_split(ctx, g, absolute=True) * Sign.call(x)
        if p == 1:
            return ge * Sign.call(x)
        n = _keep(ctx.out, x.shape, ctx.dims, ctx.keepdim)
        zero = xp.data(n) == 0
        safe_n = Where.call(zero, 1.0, n)
        if p == 2:
            return Where.call(zero, 0.0, ge * x / safe_n)
        ax = x * Sign.call(x)
        return Where.call(zero, 0.0, ge * Sign.call(x) * ax ** (p - 1) / safe_n ** (p - 1))


class Softmax(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        e = np.exp(x - _row_max(x, dim))
        return e / e.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return y * (g - Sum.call(g * y, dim=(ctx.dim,), keepdim=True))


class LogSoftmax(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.dim = dim
        shifted = x - _row_max(x, dim)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        return g - Exp.call(ctx.out) * Sum.call(g, dim=(ctx.dim,), keepdim=True)


__all__ = ["Sum", "Mean", "Var", "Amax", "Amin", "Logsumexp", "Prod", "Norm", "Softmax",
           "LogSoftmax"]
