"""Functional forms: max / average / adaptive pooling over 1, 2 or 3 spatial dims.

Max pooling gathers the input at its per-window arg-max (see ``_ops/pool.py``). Average
pooling is a depthwise convolution with a constant all-ones kernel followed by a division by the
window counts, so it reuses the conv ops' gradients (of every order). Adaptive average pooling
is a product with constant averaging matrices along each pooled dim.
"""

from __future__ import annotations

from typing import Any, Sequence, Union

import numpy as np

from ..._dtype import is_float_np
from ..._ops.conv import Conv, Geom
from ..._ops.indexing import MatMul
from ..._ops.pool import (
    PoolGather,
    PoolScatter,
    adaptive_table,
    max_pool_indices,
    max_pool_regular,
    window_table,
)
from ...autograd.engine import name_node
from ...random import _gen
from ...tensor import Tensor
from .conv import ntuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d", "fractional_max_pool2d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]

IntOrTuple = Union[int, Sequence[int]]


def _batched(op: str, x: Any, nd: int) -> tuple[Tensor, bool]:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2) or 0 in x.shape[-nd:]:
        raise RuntimeError(f"{op}: Expected {nd + 1}D or {nd + 2}D input with non-zero spatial "
                           f"size, but got input of size: {list(x.shape)}")
    return (x.unsqueeze(0), True) if x.ndim == nd + 1 else (x, False)


def _node_name(kernel: str, nd: int) -> str:
    """PyTorch's node for a pooling kernel (``MaxPool2DWithIndices``...): its 1-D forms run the
    2-D kernel between an unsqueeze and a squeeze."""
    return "SqueezeBackward1" if nd == 1 else f"{kernel.format(nd)}Backward0"


def _max_pool(x: Tensor, vals: np.ndarray, idx: np.ndarray, return_indices: bool,
              name: str, unique: bool = False) -> Any:
    out = name_node(PoolGather.apply(x, index=idx, values=vals, unique=unique), name)
    return (out, Tensor._wrap(idx)) if return_indices else out


def _max_poolnd(op: str, nd: int, x: Tensor, kernel_size: IntOrTuple,
                stride: IntOrTuple | None, padding: IntOrTuple, dilation: IntOrTuple,
                ceil_mode: bool, return_indices: bool) -> Any:
    x, unb = _batched(op, x, nd)
    if x._data.dtype == np.bool_:
        raise RuntimeError(f"{op}: not implemented for bool input")
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        ntuple(stride, nd, "stride", op)
    p = ntuple(padding, nd, "padding", op)
    d = ntuple(dilation, nd, "dilation", op)
    if min(k) < 1 or min(s) < 1 or min(d) < 1:
        raise ValueError(f"{op}: kernel_size {k}, stride {s} and dilation {d} must be positive")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise ValueError(f"{op}: pad should be at most half of effective kernel size, but got "
                         f"pad={p} and kernel_size={k}")
    tables = tuple(window_table(n, ki, si, pi, di, ceil_mode)
                   for n, ki, si, pi, di in zip(x.shape[2:], k, s, p, d))
    if min(t.shape[0] for t in tables) < 1:
        raise RuntimeError(f"{op}: Given input size {list(x.shape[1:])} and kernel_size {k}, the "
                           f"calculated output size is too small")
    osize = tuple(t.shape[0] for t in tables)
    vals, idx = max_pool_regular(x._data, k, s, p, d, osize)
    # windows that never overlap let the backward assign instead of accumulate
    unique = all(si >= (ki - 1) * di + 1 for si, ki, di in zip(s, k, d))
    res = _max_pool(x, vals, idx, return_indices, _node_name("MaxPool{}DWithIndices", nd),
                    unique)
    if unb:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over sliding windows: (N, C, L) -> (N, C, L_out); stride defaults to kernel_size;
    padding is -inf; ``return_indices`` also returns flat arg-max positions in L (int64)."""
    return _max_poolnd("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over sliding windows: (N, C, H, W) -> (N, C, H_out, W_out), H_out =
    floor_or_ceil((H + 2 pad - dil (k - 1) - 1) / stride) + 1; indices are flat in H*W."""
    return _max_poolnd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over sliding windows: (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""
    return _max_poolnd("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def _avg_poolnd(op: str, nd: int, x: Tensor, kernel_size: IntOrTuple,
                stride: IntOrTuple | None, padding: IntOrTuple, ceil_mode: bool,
                count_include_pad: bool, divisor_override: int | None) -> Tensor:
    x, unb = _batched(op, x, nd)
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype}")
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        ntuple(stride, nd, "stride", op)
    p = ntuple(padding, nd, "padding", op)
    if min(k) < 1 or min(s) < 1:
        raise ValueError(f"{op}: kernel_size {k} and stride {s} must be positive")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise ValueError(f"{op}: pad should be at most half of kernel size, but got pad={p} and "
                         f"kernel_size={k}")
    if divisor_override is not None and divisor_override == 0:
        raise ValueError(f"{op}: divisor must be not zero")
    pads, divs = [], []
    for n, ki, si, pi in zip(x.shape[2:], k, s, p):
        start = window_table(n, ki, si, pi, 1, ceil_mode)[:, 0]
        out = start.shape[0]
        if out < 1:
            raise RuntimeError(f"{op}: Given input size {list(x.shape[1:])} and kernel_size "
                               f"{k}, the calculated output size is too small")
        # windows are clipped to the padded input; the padding counts only if asked
        end = np.minimum(start + ki, n + pi)
        cnt = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        pads.append((pi, max(pi, (out - 1) * si + ki - n - pi)))
        divs.append(cnt)
    C = x.shape[1]
    dt = x._data.dtype
    w = np.ones((C, 1) + k, dtype=dt)
    geom = Geom(s, tuple(pads), (1,) * nd, C, tuple(x.shape[2:]))
    y = Conv.apply(x, w, geom=geom)
    if divisor_override is not None:
        y = y * (1.0 / divisor_override)
    else:
        div = divs[0].astype(dt)
        for c in divs[1:]:
            div = np.multiply.outer(div, c.astype(dt))
        y = y * (1.0 / div)
    name_node(y, _node_name("AvgPool{}D", nd))
    return y.squeeze(0) if unb else y


def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows: (N, C, L) -> (N, C, L_out)."""
    return _avg_poolnd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over sliding windows: (N, C, H, W) -> (N, C, H_out, W_out). Zero padding counts in
    the divisor when ``count_include_pad``; ``divisor_override`` replaces the divisor."""
    return _avg_poolnd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over sliding windows: (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""
    return _avg_poolnd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def _out_sizes(op: str, nd: int, x: Tensor, output_size: Any) -> tuple:
    osz = ntuple(output_size if output_size is not None else x.shape[-nd:], nd, "output_size",
                 op) if not isinstance(output_size, (list, tuple)) else tuple(
        x.shape[-nd + i] if o is None else int(o) for i, o in enumerate(output_size))
    if len(osz) != nd or min(osz) < 1:
        raise ValueError(f"{op}: output_size must be {nd} positive ints (or None), got "
                         f"{output_size!r}")
    return osz


def _adaptive_avg(op: str, nd: int, x: Tensor, output_size: Any) -> Tensor:
    x, unb = _batched(op, x, nd)
    osz = _out_sizes(op, nd, x, output_size)
    if all(o == 1 for o in osz):
        y = x.mean(dim=tuple(range(-nd, 0)), keepdim=True)
    else:
        y = x
        dt = x._data.dtype
        for i, (n, o) in enumerate(zip(x.shape[2:], osz)):
            if n == o:
                continue
            i_ = np.arange(o)
            start, end = (i_ * n) // o, -((-(i_ + 1) * n) // o)
            pos = np.arange(n)[None, :]
            mask = (pos >= start[:, None]) & (pos < end[:, None])
            A = (mask / (end - start)[:, None]).astype(dt)  # (o, n) averaging matrix
            ax = 2 + i
            # pool dim ax: move it last, multiply by A^T, move it back
            y = MatMul.apply(y.transpose(ax, -1), A.T).transpose(ax, -1) if ax != x.ndim - 1 \
                else MatMul.apply(y, A.T)
        if y is not x:
            name_node(y, _node_name("AdaptiveAvgPool{}D", nd))
    return y.squeeze(0) if unb else y


def adaptive_avg_pool1d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    """Adaptive mean pooling: (N, C, L) -> (N, C, output_size); window i covers
    [floor(i L / out), ceil((i + 1) L / out))."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Adaptive mean pooling: (N, C, H, W) -> (N, C, *output_size); an entry None keeps
    that dim's size."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def _adaptive_max(op: str, nd: int, x: Tensor, output_size: Any, return_indices: bool) -> Any:
    x, unb = _batched(op, x, nd)
    osz = _out_sizes(op, nd, x, output_size)
    tables = tuple(adaptive_table(n, o) for n, o in zip(x.shape[2:], osz))
    vals, idx = max_pool_indices(x._data, tables)
    res = _max_pool(x, vals, idx, return_indices, _node_name("AdaptiveMaxPool{}D", nd))
    if unb:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def adaptive_max_pool1d(input: Tensor, output_size: IntOrTuple,
                        return_indices: bool = False) -> Any:
    """Adaptive max pooling: (N, C, L) -> (N, C, output_size)."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Adaptive max pooling: (N, C, H, W) -> (N, C, *output_size)."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Adaptive mean pooling: (N, C, D, H, W) -> (N, C, *output_size); an entry None keeps
    that dim's size."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Adaptive max pooling: (N, C, D, H, W) -> (N, C, *output_size)."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _max_unpoolnd(op: str, nd: int, x: Tensor, indices: Tensor, kernel_size: IntOrTuple,
                  stride: IntOrTuple | None, padding: IntOrTuple, output_size: Any) -> Tensor:
    """The values of ``x`` put at their flat ``indices`` into zeros of the pooled input's
    spatial size (the PoolGather adjoint, assigning: a later duplicate index wins)."""
    x, unb = _batched(op, x, nd)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}: expected indices to have dtype int64, got {idx.dtype}")
    idx = idx[None] if unb else idx
    if idx.shape != tuple(x.shape):
        raise RuntimeError(f"{op}: Expected shape of indices to be same as that of the input "
                           f"tensor ({list(x.shape)}) but got indices tensor with shape: "
                           f"{list(idx.shape)}")
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None else ntuple(stride, nd, "stride", op)
    p = ntuple(padding, nd, "padding", op)
    default = tuple((n - 1) * si - 2 * pi + ki
                    for n, si, pi, ki in zip(x.shape[2:], s, p, k))
    if output_size is None:
        osize = default
    else:
        osize = tuple(int(o) for o in output_size)
        if len(osize) == nd + 2:
            osize = osize[2:]
        if len(osize) != nd:
            raise ValueError(f"{op}: output_size must have {nd} or {nd + 2} elements (got "
                             f"{len(osize)})")
        for d, (o, df, si) in enumerate(zip(osize, default, s)):
            if not df - si < o < df + si:
                raise ValueError(f'invalid output_size "{tuple(osize)}" (dim {d} must be '
                                 f'between {df - si} and {df + si})')
    volume = int(np.prod(osize))
    if idx.size and (idx.min() < 0 or idx.max() >= volume):
        bad = int(idx.max() if idx.max() >= volume else idx.min())
        raise RuntimeError(f"{op}: Found an invalid max index: {bad} (output volumes are of "
                           f"size {'x'.join(map(str, osize))})")
    y = PoolScatter.apply(x, index=idx, shape=tuple(x.shape[:2]) + osize, unique=True)
    return y.squeeze(0) if unb else y


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                 stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 output_size: Any = None) -> Tensor:
    """Partial inverse of max_pool1d: (N, C, L_in) values at their ``indices`` (from
    ``max_pool1d(..., return_indices=True)``), zeros elsewhere: (N, C, L_out)."""
    return _max_unpoolnd("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                         output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                 stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 output_size: Any = None) -> Tensor:
    """Partial inverse of max_pool2d: (N, C, H_in, W_in) -> (N, C, H_out, W_out), with
    H_out = (H_in - 1) stride - 2 padding + kernel_size unless ``output_size`` says."""
    return _max_unpoolnd("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                         output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                 stride: IntOrTuple | None = None, padding: IntOrTuple = 0,
                 output_size: Any = None) -> Tensor:
    """Partial inverse of max_pool3d: (N, C, D, H, W) values -> (N, C, D', H', W')."""
    return _max_unpoolnd("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                         output_size)


def _fractional_starts(sample: Any, n: int, out: int, k: int) -> np.ndarray:
    """ATen's pseudo-random window starts: (i + u) alpha - u alpha truncated, alpha =
    (n - k) / (out - 1), computed in the input's dtype; the last window ends at n."""
    seq = np.zeros(out, dtype=np.int64)
    if out > 1:
        dt = type(sample)
        alpha = dt(n - k) / dt(out - 1)
        i = np.arange(out - 1).astype(type(sample))
        seq[:-1] = ((i + sample) * alpha).astype(np.int64) - int(sample * alpha)
    if out > 0:
        seq[-1] = n - k
    return seq


def _fractional_max(op: str, nd: int, x: Tensor, kernel_size: Any, output_size: Any,
                    output_ratio: Any, return_indices: bool, samples: Any) -> Any:
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    x, unb = _batched(op, x, nd)
    k = ntuple(kernel_size, nd, "kernel_size", op)
    spatial = tuple(x.shape[2:])
    if output_size is None:
        if nd == 3 and not isinstance(output_ratio, (list, tuple)):
            output_ratio = (output_ratio,) * 3
        if not isinstance(output_ratio, (list, tuple)):  # 2-D: as PyTorch's len(output_ratio)
            raise TypeError(f"{op}: output_ratio must be a tuple of {nd} ratios (object of "
                            f"type '{type(output_ratio).__name__}' has no len())")
        if len(output_ratio) != nd:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple "
                             f"of Ints.")
        ratio = tuple(output_ratio)
        osize = tuple(int(n * r) for n, r in zip(spatial, ratio))
    else:
        osize = ntuple(output_size, nd, "output_size", op)
    names = ("time", "height", "width")[3 - nd:]
    for name, o, ki, n in zip(names, osize, k, spatial):
        if o + ki - 1 > n or (nd == 3 and o + ki - 1 == n):  # ATen's 3-D check is strict
            raise RuntimeError(f"{op}(): pool {name} {ki} too large relative to input {name} "
                               f"{n}")
    N, C = x.shape[:2]
    dt = x._data.dtype
    if samples is None:
        u = _gen().random((N, C, nd)).astype(dt)
    else:
        u = samples._data if isinstance(samples, Tensor) else np.asarray(samples)
        if u.shape != (N, C, nd):
            raise RuntimeError(f"{op}(): expected _random_samples of shape {[N, C, nd]}, got "
                               f"{list(u.shape)}")
    # 2-D planes draw (W, H) in that order; 3-D ones (T, H, W)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    vals = np.empty((N, C) + osize, dtype=dt)
    idx = np.empty((N, C) + osize, dtype=np.int64)
    for b in range(N):
        for c in range(C):
            tables = tuple(_fractional_starts(u[b, c, order[d]], n, o, ki)[:, None]
                           + np.arange(ki)[None, :]
                           for d, (n, o, ki) in enumerate(zip(spatial, osize, k)))
            v, i = max_pool_indices(x._data[b:b + 1, c:c + 1], tables)
            vals[b, c], idx[b, c] = v[0, 0], i[0, 0]
    res = _max_pool(x, vals, idx, return_indices, f"FractionalMaxPool{nd}DBackward0")
    if unb:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def fractional_max_pool2d(input: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                          output_size: IntOrTuple | None = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Any = None) -> Any:
    """Fractional max pooling (Graham): (N, C, H, W) -> (N, C, *output_size) (or the input
    size times ``output_ratio``), kernel_size windows at pseudo-random starts per plane,
    drawn from ``_random_samples`` (N, C, 2) in [0, 1) (else the global generator)."""
    return _fractional_max("fractional_max_pool2d", 2, input, kernel_size, output_size,
                           output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                          output_size: IntOrTuple | None = None, output_ratio: Any = None,
                          return_indices: bool = False, _random_samples: Any = None) -> Any:
    """Fractional max pooling over (N, C, T, H, W); ``_random_samples`` (N, C, 3)."""
    return _fractional_max("fractional_max_pool3d", 3, input, kernel_size, output_size,
                           output_ratio, return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                                       output_size: IntOrTuple | None = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple:
    """``fractional_max_pool2d(..., return_indices=True)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: IntOrTuple,  # noqa: A002
                                       output_size: IntOrTuple | None = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple:
    """``fractional_max_pool3d(..., return_indices=True)``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)
