"""Scans: cumulative sum, max / min, log-sum-exp; differences, numerical gradients and
trapezoid integration along a dim."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._dtype import is_float_np, promote
from ..autograd import engine
from ..autograd.engine import Op
from . import xp
from .common import (
    check_inplace_dtype,
    named_as,
    returns,
    to_tensor,
    values_indices,
    wrap,
    write_result,
)
from .elementwise import Abs, Exp, Log, Where, cast, ne
from .indexing import Gather
from .reduction import sum as _sum
from .shape import Flip, cat, norm_dim


class Cumsum(Op):
    grad_fn_name = "CumsumBackward0"
    saved_inputs = ()

    @staticmethod
    @xp.float32_for_bfloat16
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
    d = norm_dim(dim, x.ndim, "cumsum")
    return x.clone() if x.ndim == 0 else Cumsum.apply(x, dim=d)




def cumsum_(input: Any, dim: int, dtype: Any = None) -> Any:
    """In-place ``cumsum`` along ``dim``."""
    check_inplace_dtype(input, dtype, "cumsum_")
    return write_result(input, cumsum, "cumsum_", dim, dtype)


def _cum_extreme(name: str, input: Any, dim: int, accumulate: Any) -> values_indices:
    """Running max / min along ``dim``: (values, indices); an equal value moves the index to
    the newer element and a NaN propagates (with the index of the latest NaN), as PyTorch.
    The running extreme (NumPy's ``accumulate``, which propagates NaN the same way) changes
    exactly where an element equals it or is NaN: the index is the last such position."""
    d = norm_dim(dim, input.ndim, name)
    x = input.reshape(1) if input.ndim == 0 else input
    a = x._data
    running = accumulate(a, axis=d)
    update = a == running
    if is_float_np(a.dtype):
        update |= np.isnan(a)
    shape = [1] * a.ndim
    shape[d] = -1
    positions = np.where(update, np.arange(a.shape[d]).reshape(shape), 0)
    idx = np.maximum.accumulate(positions, axis=d) if a.size else positions
    idx = idx.astype(np.int64)
    values = Gather.apply(x, idx, dim=d)
    if input.ndim == 0:
        return values_indices(values.reshape(()), wrap(idx.reshape(())))
    return values_indices(values, wrap(idx))


def cummax(input: Any, dim: int) -> values_indices:
    """(values, indices) of the running maximum along ``dim``."""
    return _cum_extreme("cummax", input, dim, np.maximum.accumulate)


def cummin(input: Any, dim: int) -> values_indices:
    """(values, indices) of the running minimum along ``dim``."""
    return _cum_extreme("cummin", input, dim, np.minimum.accumulate)


class Logcumsumexp(Op):
    """``log(cumsum(exp(x)))`` along ``dim``, stable (NumPy's ``logaddexp.accumulate``)."""
    grad_fn_name = "LogcumsumexpBackward0"
    saves_out = True

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, x, dim=0):
        ctx.dim = dim
        return np.logaddexp.accumulate(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        # d out_i / d x_j = exp(x_j - out_i) for j <= i, so the gradient is a suffix sum,
        # taken in log space as PyTorch's (and TensorFlow's) rule: the positive and negative
        # parts of g separately, each log|g| - out through a reversed logcumsumexp, plus x
        x, out, d = ctx.inputs[0], ctx.out, ctx.dim
        gd = xp.data(g)
        lowest = float(np.finfo(gd.dtype).min)  # log 0, finite: no inf - inf below
        log_abs = Log.call(Where.call(gd != 0, Abs.call(g), 1.0))

        def part(mask: np.ndarray) -> Any:
            logs = Where.call(mask, log_abs, lowest) - out
            suffix = Flip.call(Logcumsumexp.call(Flip.call(logs, dims=(d,)), dim=d), dims=(d,))
            return Exp.call(suffix + x)
        return part(gd > 0) - part(gd < 0)


def logcumsumexp(input: Any, dim: int) -> Any:
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably; floating point only."""
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"logcumsumexp: expected a floating point input, got {input.dtype}")
    x = input.reshape(1) if input.ndim == 0 else input
    out = Logcumsumexp.apply(x, dim=norm_dim(dim, input.ndim, "logcumsumexp"))
    return out.reshape(()) if input.ndim == 0 else out


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
         ) -> Any:
    """The ``n``-th forward difference along ``dim`` (``prepend`` / ``append`` joined first);
    for bool tensors ``x[i + 1] != x[i]``."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, input.ndim, "diff")
    parts = [to_tensor(t) if not isinstance(t, engine.Tensor) else t
             for t in (prepend, input, append) if t is not None]
    for t in parts:
        if t.ndim != input.ndim:
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as "
                               f"input (input {input.ndim}-D, got {t.ndim}-D)")
    if len(parts) > 1:
        target = promote(*[t._data for t in parts])
        x = cat([cast(t, target) for t in parts], d)
    else:
        x = input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        a, b = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = ne(a, b) if x._data.dtype == np.bool_ else a - b
    return x


def _along(t: Any, d: int, ndim: int) -> Any:
    """A 1-D tensor reshaped to broadcast along dim ``d`` of an ``ndim``-D tensor."""
    shape = [1] * ndim
    shape[d] = -1
    return t.reshape(shape)


def _float(y: Any) -> Any:
    return y if is_float_np(y._data.dtype) else cast(y, promote(y._data, floating=True))


def _trapezoid_terms(name: str, y: Any, x: Any, dx: Any, dim: int) -> tuple:
    """(the per-interval areas along ``d``, d) of ``y`` sampled at ``x`` or spacing ``dx``."""
    d = norm_dim(dim, y.ndim, name)
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received both x and dx; expected one of them")
    y = _float(y)
    n = y.shape[d]
    if n == 0:
        return y.narrow(d, 0, 0), d
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2
    if x is None:
        return mid * (1 if dx is None else dx), d
    if not isinstance(x, engine.Tensor):
        return mid * x, d  # a scalar x is the spacing
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}(): there must be one `x` value for each sample point "
                               f"(got {x.shape[0]} x values for {n} samples along dim {d})")
        step = _along(diff(x), d, y.ndim)
    else:
        step = diff(x, dim=dim)
    return mid * step, d


def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The trapezoid-rule integral of ``y`` along ``dim``, at sample points ``x`` (a 1-D
    tensor, or one shaped as ``y``) or with spacing ``dx`` (default 1)."""
    terms, d = _trapezoid_terms("trapezoid", y, x, dx, dim)
    return _sum(terms, d)


def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """``trapezoid`` (its older name)."""
    terms, d = _trapezoid_terms("trapz", y, x, dx, dim)
    return _sum(terms, d)


def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The running trapezoid-rule integral of ``y`` along ``dim`` (one element shorter)."""
    terms, d = _trapezoid_terms("cumulative_trapezoid", y, x, dx, dim)
    return cumsum(terms, d)


def _gradient_one(f: Any, d: int, h: Any, edge_order: int) -> Any:
    """``torch.gradient`` along dim ``d``: second-order central differences inside, first- or
    second-order one-sided ones at the ends; ``h`` a number or 1-D coordinates (NumPy's
    formulas for unevenly spaced points)."""
    n = f.shape[d]

    def at(start: int, length: int = 1) -> Any:
        return f.narrow(d, start % n, length)
    if not isinstance(h, engine.Tensor):
        inner = (at(2, n - 2) - at(0, n - 2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (at(1) - at(0)) / h, (at(-1) - at(-2)) / h
        else:
            first = (-1.5 * at(0) + 2.0 * at(1) - 0.5 * at(2)) / h
            last = (0.5 * at(-3) - 2.0 * at(-2) + 1.5 * at(-1)) / h
        return cat([first, inner, last], d)
    step = _along(diff(h), d, f.ndim)

    def s(i: int, length: int = 1) -> Any:
        return step.narrow(d, i % (n - 1), length)
    d1, d2 = s(0, n - 2), s(1, n - 2)
    inner = (-d2 / (d1 * (d1 + d2)) * at(0, n - 2) + (d2 - d1) / (d1 * d2) * at(1, n - 2)
             + d1 / (d2 * (d1 + d2)) * at(2, n - 2))
    if edge_order == 1:
        first, last = (at(1) - at(0)) / s(0), (at(-1) - at(-2)) / s(-1)
    else:
        a1, a2 = s(0), s(1)
        first = (-(2 * a1 + a2) / (a1 * (a1 + a2)) * at(0) + (a1 + a2) / (a1 * a2) * at(1)
                 - a1 / (a2 * (a1 + a2)) * at(2))
        b1, b2 = s(-2), s(-1)
        last = (b2 / (b1 * (b1 + b2)) * at(-3) - (b2 + b1) / (b1 * b2) * at(-2)
                + (2 * b2 + b1) / (b2 * (b1 + b2)) * at(-1))
    return cat([first, inner, last], d)


def gradient(input: Any, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1) -> tuple:
    """Estimates of the derivative of ``input`` along each of ``dim`` (default: every dim),
    one tensor per dim; ``spacing``: a number, one number per dim, or one 1-D coordinate
    tensor per dim."""
    op = "torch.gradient"
    if edge_order not in (1, 2):
        raise RuntimeError(f"{op} only supports edge_order=1 and edge_order=2, got "
                           f"{edge_order}")
    dims = list(range(input.ndim)) if dim is None else (
        [dim] if isinstance(dim, int) else list(dim))
    dims = [norm_dim(k, input.ndim, "gradient") for k in dims]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"{op} expected spacing to be unspecified, a scalar or its "
                               f"length to match the number of dimensions ({len(dims)}), but "
                               f"got {len(spacing)}")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    for k in dims:
        if input.shape[k] < edge_order + 1:
            raise RuntimeError(f"{op} expected each dimension size to be at least "
                               f"edge_order+1 (dim {k} has size {input.shape[k]})")
    f = _float(input)
    out = []
    for k, h in zip(dims, steps):
        if isinstance(h, engine.Tensor) and h.ndim == 0:
            h = h.item()
        elif isinstance(h, engine.Tensor) and h.shape[0] != input.shape[k]:
            raise RuntimeError(f"{op} expected each tensor in spacing to match the size of "
                               f"dim {k} ({input.shape[k]}), got {h.shape[0]}")
        out.append(_gradient_one(f, k, h, edge_order))
    return tuple(out)


cummax = named_as(cummax, "CummaxBackward0")  # PyTorch's node names (here: a gather)
cummin = named_as(cummin, "CumminBackward0")
cummax, cummin = returns(cummax, "cummax"), returns(cummin, "cummin")  # torch.return_types
