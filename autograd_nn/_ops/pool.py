"""Max pooling (regular and adaptive, any spatial rank) as a gather with a scatter adjoint.

A pooling geometry is one index table per spatial dim, ``(out_d, k_d)`` positions into the
(padded) input; regular, dilated, ceil-mode and adaptive windows are all such tables, so one
code path serves ``max_pool1d/2d/3d`` and ``adaptive_max_pool1d/2d``. The forward picks the
arg-max per window (first maximum wins, as in PyTorch) and the op is then a gather of the input
at those flat indices; its backward is a scatter-add (``np.bincount``) whose own backward is the
gather again, so double backward works.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.engine import Op


def window_table(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> np.ndarray:
    """(out, k) positions, in input coordinates (may be negative / past the end = padding),
    of a regular pooling window; PyTorch's output-size rule incl. ceil_mode."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:  # the last window may not start in the right pad
        out -= 1
    return (np.arange(out) * s - p)[:, None] + np.arange(k)[None, :] * d


def adaptive_table(n: int, out: int) -> np.ndarray:
    """(out, kmax) positions of adaptive pooling windows [floor(i n / o), ceil((i+1) n / o));
    short windows repeat their last element (harmless for a max)."""
    i = np.arange(out)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    kmax = int((end - start).max())
    return start[:, None] + np.minimum(np.arange(kmax)[None, :], (end - start - 1)[:, None])


def max_pool_indices(x: np.ndarray, tables: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Max over windows of ``x`` (N, C, *S). Returns (values (N, C, *Out), flat arg-max indices
    into S, shaped (N, C, *Out))."""
    nd = len(tables)
    S = x.shape[2:]
    lo = [max(0, -int(t.min())) for t in tables]
    hi = [max(0, int(t.max()) + 1 - n) for t, n in zip(tables, S)]
    if any(lo) or any(hi):
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        x = np.pad(x, ((0, 0), (0, 0)) + tuple(zip(lo, hi)), constant_values=fill)
    osize = tuple(t.shape[0] for t in tables)
    idx = []
    flat = 0
    sstride = np.cumprod((1,) + S[::-1])[::-1][1:]  # row-major strides of S
    for dd, (t, lo_d) in enumerate(zip(tables, lo)):
        shape = [1] * (2 * nd)
        shape[dd], shape[nd + dd] = t.shape
        tt = t.reshape(shape)
        idx.append(tt + lo_d)
        flat = flat + tt * int(sstride[dd])
    win = x[(slice(None), slice(None)) + tuple(idx)]  # (N, C, *Out, *K), a copy
    N, C = x.shape[:2]
    op = math.prod(osize)
    win = win.reshape(N, C, op, -1)
    arg = win.argmax(axis=-1)
    vals = np.take_along_axis(win, arg[..., None], axis=-1)
    flat = np.broadcast_to(flat, osize + flat.shape[nd:]).reshape(op, -1)
    indices = flat[np.arange(op), arg]
    return vals.reshape((N, C) + osize), indices.reshape((N, C) + osize)


class PoolGather(Op):
    """``x`` (N, C, *S) read at flat spatial ``index`` (N, C, *Out). ``values`` may pass the
    already computed result (the max-pool forward has it), avoiding a second gather."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, index=None, values=None):
        ctx.index = index
        if values is not None:
            return values
        N, C = x.shape[:2]
        flat = np.take_along_axis(x.reshape(N, C, -1), index.reshape(N, C, -1), axis=2)
        return flat.reshape(index.shape)

    @staticmethod
    def backward(ctx, g):
        return PoolScatter.call(g, index=ctx.index, shape=tuple(ctx.inputs[0].shape))


class PoolScatter(Op):
    """zeros(shape) with ``g`` added at flat spatial ``index``: the adjoint of PoolGather."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, index=None, shape=None):
        ctx.index = index
        N, C = shape[:2]
        sp = math.prod(shape[2:])
        gi = (index.reshape(N * C, -1) + (np.arange(N * C) * sp)[:, None]).ravel()
        out = np.bincount(gi, weights=g.ravel(), minlength=N * C * sp)
        return out.astype(g.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return PoolGather.call(g, index=ctx.index)
