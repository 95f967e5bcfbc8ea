"""Reductions (sum, mean, var, max, logsumexp, prod, norm) and softmax / log-softmax."""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable

import numpy as np

from .._dtype import is_float_np, np_kind, promote
from ..autograd import engine
from ..autograd.engine import Op
from . import xp
from .common import (
    float_input,
    named_as,
    returns,
    structseq,
    to_tensor,
    values_indices,
    wrap,
    write_result,
)
from .elementwise import Exp, Maximum, Minimum, Sign, Where, binary, cast, clamp, sqrt, where
from .indexing import Gather, matmul, sort
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


def _reduce_dims(dim: Any, x: Any, op: str) -> tuple | None:
    """``reduce_dims`` that also accepts dim 0 / -1 of a 0-d tensor (reducing nothing), as
    PyTorch's reductions do."""
    if x.ndim == 0 and dim is not None:
        for d in (dim,) if isinstance(dim, (int, np.integer)) else dim:
            norm_dim(int(d), 0, op)
        return None
    return reduce_dims(dim, x.ndim, op)


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
        if x.dtype.kind == "V":  # bfloat16 in float32 (xp.float32_for_bfloat16; inline: hot)
            return x.sum(axis=dim, keepdims=keepdim, dtype=np.float32).astype(x.dtype)
        return x.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(g, ctx)


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """Sum over ``dim`` (None or () = all); bool and integer input sum in int64."""
    x = input if dtype is None else input.to(dtype)
    if dtype is None and x._data.dtype.kind in "biu":  # (promotion keeps any other dtype)
        x = cast(x, promote(x._data, wide_ints=True))
    return Sum.apply(x, dim=_reduce_dims(dim, x, "sum"), keepdim=keepdim)


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
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {x.dtype}")
    return Mean.apply(x, dim=_reduce_dims(dim, x, "mean"), keepdim=keepdim)


class Var(Op):
    grad_fn_name = "VarBackward0"

    @staticmethod
    @xp.float32_for_bfloat16
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
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"std and var only support floating point and complex dtypes, "
                           f"got {x.dtype}")
    return op.apply(x, dim=_reduce_dims(dim, x, op.__name__.lower()), correction=corr,
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
    @xp.float32_for_bfloat16
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
    @xp.float32_for_bfloat16
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
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point tensor as input. "
                           f"Got {x.dtype}")
    return Norm.apply(x, p=p, dim=reduce_dims(dim, x.ndim, "norm"), keepdim=keepdim)


class Softmax(Op):
    grad_fn_name = "SoftmaxBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    @xp.float32_for_bfloat16
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
    @xp.float32_for_bfloat16
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


# --- statistics, NaN-aware reductions and order statistics. Compositions of the differentiable
# ops above (sum, where, gather): their gradients come from the pieces, at any order.

aminmax_result = structseq("aminmax", ["min", "max"])


def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> aminmax_result:
    """(min, max) over ``dim`` (None: all elements; with ``keepdim`` every dim kept as 1)."""
    op = "aminmax"
    if input._data.size == 0 and (dim is None or input.shape[norm_dim(dim, input.ndim, op)] == 0):
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0"
                         f" (input of shape {list(input.shape)})")
    dims = None if dim is None else (norm_dim(dim, input.ndim, op),)
    if input.ndim == 0:
        dims = None
    elif dims is None and keepdim:
        dims = tuple(range(input.ndim))
    return aminmax_result(Amin.apply(input, dim=dims, keepdim=keepdim),
                          Amax.apply(input, dim=dims, keepdim=keepdim))


def count_nonzero(input: Any, dim: Any = None) -> Any:
    """Number of nonzero elements over ``dim`` (int, tuple or None = all), as int64."""
    dims = _reduce_dims(dim, input, "count_nonzero")
    return wrap(np.asarray(np.count_nonzero(input._data, axis=dims), dtype=np.int64))


def _nan_mask(x: Any) -> np.ndarray | None:
    """Where a float tensor is NaN (None for integer / bool tensors, which hold no NaN)."""
    return np.isnan(x._data) if is_float_np(x._data.dtype) else None


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """``sum`` with NaN counted as zero (gradient 0 at the NaN)."""
    x = input if dtype is None else input.to(dtype)
    nan = _nan_mask(x)
    if nan is not None and nan.any():
        x = where(nan, 0.0, x)
    return sum(x, dim, keepdim)


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """``mean`` of the non-NaN elements (NaN where all are NaN); floating point input only."""
    x = input if dtype is None else input.to(dtype)
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {x.dtype}")
    dims = _reduce_dims(dim, x, "nanmean")
    count = np.sum(~np.isnan(x._data), axis=dims, keepdims=keepdim).astype(x._data.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return nansum(x, dim, keepdim) / wrap(count)


def _stat_mean(spread: Callable, name: str, input: Any, dim: Any, unbiased: Any,
               keepdim: bool, correction: Any) -> tuple:
    if isinstance(dim, bool) and unbiased is None:  # std_mean(x, False): the old form
        dim, unbiased = None, dim
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"{name}(): std and var only support floating point and complex "
                           f"dtypes, got {input.dtype}")
    return (spread(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


def std_mean(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple:
    """(std, mean) over ``dim``, as two ``std`` / ``mean`` calls (a plain tuple, as PyTorch)."""
    return _stat_mean(std, "std_mean", input, dim, unbiased, keepdim, correction)


def var_mean(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: Any = None) -> tuple:
    """(var, mean) over ``dim`` (a plain tuple, as PyTorch)."""
    return _stat_mean(var, "var_mean", input, dim, unbiased, keepdim, correction)


def trace(input: Any) -> Any:
    """Sum of the main diagonal of a 2-D tensor (integers sum in int64)."""
    _no_bool(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    k = np.arange(builtins.min(input.shape))
    return sum(input[k, k])


def dist(input: Any, other: Any, p: float = 2) -> Any:
    """The p-norm of ``input - other`` (broadcast), a 0-d tensor."""
    other = other if isinstance(other, engine.Tensor) else to_tensor(other)
    return norm(input - other, p)


def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Any:
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled to norm ``maxnorm``
    (PyTorch's factor ``maxnorm / (norm + 1e-7)``); differentiable through the norm."""
    op = "renorm"
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    if p <= 0:
        raise RuntimeError(f"{op}: non-positive-norm not supported (p={p})")
    if maxnorm < 0:
        raise RuntimeError(f"{op}: non-negative maxnorm expected, got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"{op}: input needs at least 2 dimensions, got {input.ndim} "
                           f"dimensions")
    d = norm_dim(dim, input.ndim, op)
    others = tuple(i for i in range(input.ndim) if i != d)
    n = Norm.apply(input, p=float(p), dim=others, keepdim=True)
    over = xp.data(n) > maxnorm
    factor = where(over, maxnorm / (n + 1e-7), 1.0)
    return input * factor


def renorm_(input: Any, p: float, dim: int, maxnorm: float) -> Any:
    """In-place ``renorm``."""
    return write_result(input, renorm, "renorm_", p, dim, maxnorm)


# ---- order statistics: a stable sort (NaN last, as PyTorch's sort), then a gather


def _sorted_along(x: Any, d: int) -> tuple:
    """(sorted values (a Tensor, differentiable), their int64 source indices) along ``d``."""
    v, i = sort(x, d)
    return v, i._data


def _pick(values: Any, idx: Any, pos: np.ndarray, d: int, keepdim: bool) -> values_indices:
    """values/indices at per-slice positions ``pos`` (keepdims layout) along ``d``."""
    v = Gather.apply(values, pos, dim=d)
    i = np.take_along_axis(idx, pos, axis=d)
    if not keepdim:
        v, i = v.squeeze(d), np.squeeze(i, d)
    return values_indices(v, wrap(i.astype(np.int64)))


def _no_bool(input: Any, name: str) -> None:
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"{name}: not implemented for 'Bool' tensors")


def _order_stat(name: str, input: Any, dim: Any, keepdim: bool, position: Callable
                ) -> values_indices:
    """The value at ``position(sorted array, n_valid, d)`` of each slice along ``dim``."""
    _no_bool(input, name)
    d = norm_dim(dim, input.ndim, name)
    x = input.reshape(1) if input.ndim == 0 else input
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    v, i = _sorted_along(x, d)
    pos = position(v._data, d)
    res = _pick(v, i, pos, d, keepdim or input.ndim == 0)
    if input.ndim == 0:
        return values_indices(res.values.reshape(()), res.indices.reshape(()))
    return res


def _median_pos(nan_aware: bool) -> Callable:
    def position(sv: np.ndarray, d: int) -> np.ndarray:
        n = sv.shape[d]
        nan = np.isnan(sv) if is_float_np(sv.dtype) else np.zeros(sv.shape, bool)
        nans = nan.sum(axis=d, keepdims=True)
        if nan_aware:  # the lower median of the non-NaN values; an all-NaN slice gives NaN
            valid = n - nans
            return np.where(valid > 0, (valid - 1) // 2, 0)
        # a NaN in the slice makes the median NaN: the first NaN (sorted last, stably)
        return np.where(nans > 0, n - nans, (n - 1) // 2)
    return position


def _whole_median(name: str, input: Any, nan_aware: bool) -> Any:
    """median of all elements: the value, its gradient split evenly among the elements equal
    to it (or among the NaN, for a NaN result), as PyTorch's median()."""
    _no_bool(input, name)
    if input._data.size == 0:
        return wrap(np.asarray(np.nan, input._data.dtype))
    flat = input.reshape(-1)
    value = _order_stat(name, flat, 0, False, _median_pos(nan_aware)).values
    xd, vd = flat._data, value._data
    mask = np.isnan(xd) if vd != vd else xd == vd
    if not is_float_np(input._data.dtype):
        return value
    return sum(where(mask, flat, 0.0)) / float(mask.sum())


def median(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median of all elements (a 0-d tensor), or (values, indices) along ``dim``;
    NaN if the slice holds a NaN."""
    if dim is None:
        return _whole_median("median", input, False)
    return _order_stat("median", input, dim, keepdim, _median_pos(False))


def nanmedian(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` of the non-NaN values (NaN only where a slice is all NaN)."""
    if dim is None:
        return _whole_median("nanmedian", input, True)
    return _order_stat("nanmedian", input, dim, keepdim, _median_pos(True))


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> values_indices:
    """(values, indices) of the ``k``-th smallest element (1-based) along ``dim``."""
    d = norm_dim(dim, input.ndim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} "
                           f"(k={k}, size {n})")

    def position(sv: np.ndarray, d: int) -> np.ndarray:
        shape = list(sv.shape)
        shape[d] = 1
        return np.full(shape, k - 1)
    return _order_stat("kthvalue", input, d, keepdim, position)


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> values_indices:
    """(values, indices) of the most frequent value along ``dim`` (the smallest on ties; the
    index of its last occurrence)."""
    d = norm_dim(dim, input.ndim, "mode")
    x = input.reshape(1) if input.ndim == 0 else input
    if x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    a = np.moveaxis(x._data, d, -1)
    n = a.shape[-1]
    sidx = np.argsort(a, axis=-1, kind="stable")
    sv = np.take_along_axis(a, sidx, -1)
    new = np.ones(sv.shape, bool)  # a run of equal values starts here
    new[..., 1:] = sv[..., 1:] != sv[..., :-1]
    # length of each run, at each element; the first longest run is the smallest value
    starts = np.where(new, np.arange(n), 0)
    start = np.maximum.accumulate(starts, axis=-1)
    ends = np.where(np.append(new[..., 1:], np.ones(new.shape[:-1] + (1,), bool), -1),
                    np.arange(n), n)
    end = np.flip(np.minimum.accumulate(np.flip(ends, -1), axis=-1), -1)
    length = end - start + 1
    best = np.argmax(length, axis=-1)[..., None]  # first position of the longest run
    last = np.take_along_axis(end, best, -1)      # its last element (stable: last index)
    pos = np.moveaxis(np.take_along_axis(sidx, last, -1), -1, d)
    v = Gather.apply(x, pos, dim=d)
    if not keepdim:
        v, pos = v.squeeze(d), np.squeeze(pos, d)
    if input.ndim == 0:
        v, pos = v.reshape(()), pos.reshape(())
    return values_indices(v, wrap(pos.astype(np.int64)))


def msort(input: Any) -> Any:
    """``sort(input, dim=0).values``."""
    return input.clone() if input.ndim == 0 else sort(input, 0).values


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name: str, input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Any:
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype, got "
                           f"{input.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of {', '.join(_INTERPOLATIONS)}"
                           f". Got '{interpolation}'")
    scalar_q = not isinstance(q, engine.Tensor)
    if not scalar_q and q.dtype != input.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor, got "
                           f"{q.dtype} and {input.dtype}")
    qa = np.asarray(xp.data(q), dtype=input._data.dtype)
    if qa.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor, got {qa.ndim}-D")
    if not ((qa >= 0) & (qa <= 1)).all():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if input._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = norm_dim(dim, input.ndim, name)
        x = input.reshape(1) if input.ndim == 0 else input
    v, _ = _sorted_along(x, d)
    sv = v._data
    n = sv.shape[d]
    nans = np.isnan(sv).sum(axis=d, keepdims=True)
    last = (n - nans - 1) if ignore_nan else np.full(nans.shape, n - 1)
    ranks = qa.reshape((-1,) + (1,) * sv.ndim) * np.maximum(last, 0)  # (Q, ...keepdims)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)  # half to even, as PyTorch's round
    lo = np.floor(ranks).astype(np.int64)
    hi = np.ceil(ranks).astype(np.int64)
    weight = ranks - lo
    if interpolation == "midpoint":
        weight = np.where(hi > lo, 0.5, 0.0).astype(sv.dtype)
    bad = (nans > 0) if not ignore_nan else (nans == n)  # NaN result (a NaN, or all NaN)
    results = []
    for j in range(lo.shape[0]):
        a = Gather.apply(v, lo[j], dim=d)
        b = Gather.apply(v, hi[j], dim=d)
        r = a + (b - a) * wrap(weight[j].astype(sv.dtype))
        r = where(np.broadcast_to(bad, r.shape), float("nan"), r)
        if dim is None or input.ndim == 0:
            r = r.reshape((1,) * input.ndim if keepdim else ())
        elif not keepdim:
            r = r.squeeze(d) if input.ndim else r.reshape(())
        results.append(r)
    return results[0] if qa.ndim == 0 else Cat.apply(*[r.unsqueeze(0) for r in results], dim=0)


def quantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Any:
    """The ``q``-th quantiles (a float or a 1-D tensor in [0, 1]; the q dim comes first) of
    ``input`` along ``dim`` (None: flattened); NaN if the slice holds a NaN. Interpolation
    between the two nearest ranks: linear, lower, higher, midpoint or nearest."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Any:
    """``quantile`` of the non-NaN values (NaN only for an all-NaN slice)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ---- covariance


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns;
    a 1-D input is one variable), with frequency / observation weights, as ``torch.cov``."""
    op = "cov"
    if input.ndim > 2:
        raise ValueError(f"{op}(): expected input to have two or fewer dimensions but got an "
                         f"input with {input.ndim} dimensions")
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{op}(): bool dtype is not supported for input")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    if not is_float_np(x._data.dtype):
        x = cast(x, promote(x._data, floating=True))
    n = x.shape[1]
    w = None
    for wname, wt, kinds in (("fweights", fweights, "iu"), ("aweights", aweights, "f")):
        if wt is None:
            continue
        if wt.ndim > 1:
            raise ValueError(f"{op}(): expected {wname} to have one or fewer dimensions but got "
                             f"{wname} with {wt.ndim} dimensions")
        if np_kind(wt._data.dtype) not in kinds:
            raise ValueError(f"{op}(): expected {wname} to have "
                             f"{'integral' if kinds == 'iu' else 'floating point'} dtype but got "
                             f"{wname} with {wt.dtype} dtype")
        if wt.numel() != n:
            raise ValueError(f"{op}(): expected {wname} to have the same numel as there are "
                             f"observations in the input but got {wt.numel()} != {n}")
        if (wt._data < 0).any():
            raise ValueError(f"{op}(): {wname} cannot be negative")
        wt = cast(wt, x._data.dtype) if wt._data.dtype != x._data.dtype else wt
        w = wt if w is None else w * wt
    if w is None:
        avg = mean(x, 1)
        norm_factor = n - correction
    else:
        w_sum = sum(w)
        avg = sum(x * w, 1) / w_sum
        if correction == 0:
            norm_factor = w_sum
        elif aweights is None:
            norm_factor = w_sum - correction
        else:
            aw = aweights if aweights._data.dtype == x._data.dtype else cast(aweights,
                                                                              x._data.dtype)
            norm_factor = w_sum - correction * sum(w * aw) / w_sum
    nf = float(xp.data(norm_factor))
    if nf <= 0:
        norm_factor = 0 * (norm_factor if isinstance(norm_factor, engine.Tensor) else 1)
    xm = x - avg.unsqueeze(1)
    weighted = xm if w is None else xm * w
    with np.errstate(divide="ignore", invalid="ignore"):
        c = matmul(xm, weighted.transpose(0, 1)) / norm_factor
    return c.squeeze() if input.ndim < 2 or x.shape[0] == 1 else c


def corrcoef(input: Any) -> Any:
    """Pearson correlation coefficients of the rows of ``input`` (clipped to [-1, 1])."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    k = np.arange(c.shape[0])
    std_dev = sqrt(c[k, k])
    with np.errstate(divide="ignore", invalid="ignore"):
        c = c / std_dev.unsqueeze(1) / std_dev.unsqueeze(0)
    return clamp(c, -1, 1)


# PyTorch's node names (here compositions: a sort and a gather, a norm and a product)
median = named_as(median, lambda a, k: "MedianBackward1" if len(a) > 1 or k.get("dim") is not None
                  else "MedianBackward0")
nanmedian = named_as(nanmedian, lambda a, k: "NanmedianBackward1"
                     if len(a) > 1 or k.get("dim") is not None else "NanmedianBackward0")
kthvalue = named_as(kthvalue, "KthvalueBackward0")
mode = named_as(mode, "ModeBackward0")
renorm = named_as(renorm, "RenormBackward0")
# PyTorch's quantile and cov end in a squeeze (its last node, whatever keepdim says)
quantile = named_as(quantile, "SqueezeBackward4")
nanquantile = named_as(nanquantile, "SqueezeBackward4")
cov = named_as(cov, "SqueezeBackward0")

# results as PyTorch's torch.return_types.<name> (they print as PyTorch's)
max, min = returns(max, "max"), returns(min, "min")
median, nanmedian = returns(median, "median"), returns(nanmedian, "nanmedian")
kthvalue, mode = returns(kthvalue, "kthvalue"), returns(mode, "mode")
