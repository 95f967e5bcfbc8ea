"""Reductions (sum, mean, var, max, logsumexp, prod, norm) and softmax / log-softmax."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .._dtype import promote
from ..autograd import engine
from ..autograd.engine import Op
from . import xp
from .common import float_input, values_indices, wrap
from .elementwise import Exp, Maximum, Minimum, Sign, Where, binary, cast
from .indexing import Gather
from .shape import Cat, ExpandTo, norm_dim, norm_dims, reduce_dims


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

    @classmethod
    def node_name(cls, node: Any) -> str:
        # PyTorch's overloads: sum() (SumBackward0) and sum(dim) (SumBackward1)
        return "SumBackward0" if node.dims is None else "SumBackward1"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return x.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(g, ctx)


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Sum over ``dim`` (None or () = all); bool and integer input sum in int64."""
    x = input if dtype is None else input.to(dtype)
    if dtype is None:
        x = cast(x, promote(x._data, wide_ints=True))
    return Sum.apply(x, dim=reduce_dims(dim, x.ndim, "sum"), keepdim=keepdim)


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

    @classmethod
    def node_name(cls, node: Any) -> str:
        return "MeanBackward0" if node.dims is None else "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        ctx.n = x.size if dim is None else math.prod([x.shape[d] for d in dim])
        return mean_of(x, dim, keepdim)

    @staticmethod
    def backward(ctx, g):
        # scale the (small) reduced gradient, then broadcast it: no full-size multiply
        return _expand(g * (1.0 / ctx.n if ctx.n else np.nan), ctx)


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Mean over ``dim`` (None or () = all); floating point input only, as PyTorch."""
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {x.dtype}")
    return Mean.apply(x, dim=reduce_dims(dim, x.ndim, "mean"), keepdim=keepdim)


class Var(Op):
    grad_fn_name = "VarBackward0"

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


def var(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None) -> Any:
    """Variance over ``dim``; unbiased (correction=1) by default, as PyTorch."""
    return _spread(Var, input, dim, unbiased, keepdim, correction)


def _spread(op: type, x: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> Any:
    if isinstance(dim, bool) and unbiased is None:  # var(False): the old positional form
        dim, unbiased = None, dim
    corr = correction if correction is not None else (
        1 if unbiased is None or unbiased else 0)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes, "
                           f"got {x.dtype}")
    return op.apply(x, dim=reduce_dims(dim, x.ndim, op.__name__.lower()), correction=corr,
                    keepdim=keepdim)


class Std(Var):
    """sqrt(var); the gradient is 0 where the std is 0 (PyTorch's std_backward), not NaN."""
    grad_fn_name = "StdBackward0"

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


def std(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None) -> Any:
    """Standard deviation over ``dim`` (gradient 0 where it is 0, as PyTorch)."""
    return _spread(Std, input, dim, unbiased, keepdim, correction)


class Amax(Op):
    """max over ``dim`` (None = all); ties share the gradient evenly, as PyTorch's amax."""
    grad_fn_name = "AmaxBackward0"

    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return _max_or_min(x, dim, keepdim, np.max)

    @staticmethod
    def backward(ctx, g):
        return _tie_split(ctx, g)


def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Max over ``dim`` (() = all); ties share the gradient evenly."""
    return Amax.apply(input, dim=reduce_dims(dim, input.ndim, "amax"), keepdim=keepdim)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Max of all elements; ``max(dim)`` -> (values, indices); ``max(other)``: elementwise."""
    return _max_min(input, dim, keepdim, Amax, np.argmax, Maximum)


def _max_min(x: Any, dim: Any, keepdim: bool, whole: type, argfn: Callable, pair: type
             ) -> Any:
    if isinstance(dim, engine.Tensor):
        return binary(pair, x, dim)
    if dim is None:  # PyTorch's max() / min(): MaxBackward1 (max(dim) is MaxBackward0)
        return engine.name_node(whole.apply(x, dim=None, keepdim=False),
                                ("MaxBackward1" if whole is Amax else "MinBackward1"))
    name = argfn.__name__[3:]
    d = norm_dim(dim, x.ndim, name)
    if x._data.shape and x._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if x.ndim == 0:
        return values_indices(x.clone(), wrap(np.zeros((), np.int64)))
    idx = np.expand_dims(argfn(x._data, axis=d), d)
    values = Gather.apply(x, idx, dim=d)
    if not keepdim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, d)
    engine.name_node(values, "MaxBackward0" if whole is Amax else "MinBackward0")
    return values_indices(values, wrap(idx.astype(np.int64)))


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """Index of the (first) max over ``dim``, or of the flattened input (int64)."""
    return _arg_reduce(input, dim, keepdim, np.argmax)


def _arg_reduce(x: Any, dim: Any, keepdim: bool, fn: Callable) -> Any:
    if dim is None:
        if x._data.size == 0:
            raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
        r = np.asarray(fn(x._data), dtype=np.int64)
        return wrap(r.reshape((1,) * x.ndim if keepdim else ()))
    d = norm_dim(dim, x.ndim, fn.__name__)
    return wrap(np.asarray(fn(x._data, axis=d, keepdims=keepdim), dtype=np.int64))


class Amin(Amax):
    """min over ``dim``; the backward is Amax's (ties share the gradient)."""
    grad_fn_name = "AminBackward0"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        ctx.dims, ctx.keepdim = dim, keepdim
        return _max_or_min(x, dim, keepdim, np.min)


def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Any:
    """Min over ``dim`` (() = all); ties share the gradient evenly."""
    return Amin.apply(input, dim=reduce_dims(dim, input.ndim, "amin"), keepdim=keepdim)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Min of all elements; ``min(dim)`` -> (values, indices); ``min(other)``: elementwise."""
    return _max_min(input, dim, keepdim, Amin, np.argmin, Minimum)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """Index of the (first) min over ``dim``, or of the flattened input (int64)."""
    return _arg_reduce(input, dim, keepdim, np.argmin)


def any(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Whether any element is nonzero (over ``dim``); no gradient."""
    return wrap(np.asarray(np.any(input._data, axis=dim, keepdims=keepdim)))


def all(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """Whether every element is nonzero (over ``dim``); no gradient."""
    return wrap(np.asarray(np.all(input._data, axis=dim, keepdims=keepdim)))


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
    grad_fn_name = "LogsumexpBackward0"
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


def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Any:
    """``log(sum(exp(x)))`` over ``dim``, stable at any magnitude; integers in default float."""
    x = cast(input, promote(input._data, floating=True))
    return Logsumexp.apply(x, dim=norm_dims(dim, x.ndim, "logsumexp"), keepdim=keepdim)


class Prod(Op):
    saves_out = True

    @classmethod
    def node_name(cls, node: Any) -> str:
        return "ProdBackward0" if node.dims is None else "ProdBackward1"

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
        prod_others = Cat.call(*parts, dim=axis)
        return ge * prod_others.reshape(x.shape)


def prod(input: Any, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Product over ``dim`` (None = all); exact gradient with zeros in the input."""
    x = input if dtype is None else input.to(dtype)
    return Prod.apply(x, dim=norm_dims(dim, x.ndim, "prod"), keepdim=keepdim)


class Norm(Op):
    """Vector p-norm over ``dim`` (None = all): p in (inf, -inf, 0, or any positive float)."""
    grad_fn_name = "LinalgVectorNormBackward0"

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


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
         ) -> Any:
    """Vector p-norm (``'fro'`` = 2) over ``dim`` or all elements."""
    if isinstance(p, str) and p != "fro":
        raise RuntimeError(f"norm: order p={p!r} is not supported"
                           f"{' (the nuclear norm needs an SVD)' if p == 'nuc' else ''}; "
                           f"expected a number, inf, -inf or 'fro'")
    p = 2.0 if p in ("fro", None) else float(p)
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point tensor as input. "
                           f"Got {x.dtype}")
    return Norm.apply(x, p=p, dim=reduce_dims(dim, x.ndim, "norm"), keepdim=keepdim)


class Softmax(Op):
    grad_fn_name = "SoftmaxBackward0"
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


def softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``exp(x) / sum(exp(x))`` along ``dim`` (shifted by the max: stable)."""
    x = float_input(input, dtype, "softmax")
    return Softmax.apply(x, dim=norm_dim(dim, x.ndim, "softmax"))


class LogSoftmax(Op):
    grad_fn_name = "LogSoftmaxBackward0"
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


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """``x - logsumexp(x)`` along ``dim``."""
    x = float_input(input, dtype, "log_softmax")
    return LogSoftmax.apply(x, dim=norm_dim(dim, x.ndim, "log_softmax"))
