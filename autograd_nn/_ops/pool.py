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

from .._dtype import is_float_np
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


def max_pool_regular(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple,
                     osize: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Max over regular windows (kernel k, stride s, padding p, dilation d per spatial dim) of
    ``x`` (N, C, *S) with output size ``osize``: (values, flat arg-max indices into S).

    One pass per kernel tap over strided views (no window copy, no argmax over a copied axis);
    a strict ``>`` keeps the first maximum, as PyTorch (NaN wins, as there)."""
    S = x.shape[2:]
    if s == k and not any(p) and all(di == 1 for di in d):
        # non-overlapping tiles: one transposing copy puts the K taps on a leading axis, so
        # every pass below is over contiguous memory (strided passes are several times slower)
        N, C = x.shape[:2]
        crop, split, perm = tile_geometry(x.shape, k, osize)
        taps_first = x[crop].reshape(split).transpose(perm).reshape((-1, N, C) + tuple(osize))
        best = taps_first.max(axis=0)
        if is_float_np(x.dtype) and np.isnan(best).any():  # NaN wins; first NaN's tap
            eq = [np.isnan(v) for v in taps_first]
        else:
            eq = [v == best for v in taps_first]
        tap_of = np.full(best.shape, len(eq) - 1, dtype=np.int64)
        for t in range(len(eq) - 2, -1, -1):  # last to first, so the first maximum wins
            tap_of = np.where(eq[t], t, tap_of)
    else:
        hi = [max(0, (o - 1) * si + (ki - 1) * di + 1 - n - pi)
              for o, si, ki, di, n, pi in zip(osize, s, k, d, S, p)]
        if any(p) or any(hi):
            fill = -np.inf if is_float_np(x.dtype) else np.iinfo(x.dtype).min
            x = np.pad(x, ((0, 0), (0, 0)) + tuple(zip(p, hi)), constant_values=fill)
        best = tap_of = None
        for t, kk in enumerate(np.ndindex(*k)):
            v = x[(slice(None), slice(None)) + tuple(
                slice(ki * di, ki * di + si * (o - 1) + 1, si)
                for ki, di, si, o in zip(kk, d, s, osize))]
            if best is None:
                best, tap_of = v.copy(), np.zeros(v.shape, dtype=np.int64)
                continue
            upd = v > best
            if is_float_np(x.dtype):
                upd |= np.isnan(v) & ~np.isnan(best)
            np.copyto(best, v, where=upd)
            tap_of[upd] = t
    base, koff = regular_offsets(S, k, s, p, d, osize)
    return best, base + koff[tap_of]


def regular_offsets(S: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
                    osize: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(base, koff): the flat index into S of an output position's window origin (shaped
    ``osize``) and of each kernel tap's offset (K,), in unpadded coordinates; the arg-max's
    flat index is ``base + koff[tap]``. (Shared with the compiler's written-out pooling.)"""
    nd = len(k)
    sstride = np.cumprod((1,) + S[::-1])[::-1][1:]
    base = 0
    koff = 0
    taps = np.array(list(np.ndindex(*k)), dtype=np.int64).reshape(-1, nd)
    for dd in range(nd):
        shape = [1] * nd
        shape[dd] = osize[dd]
        base = base + ((np.arange(osize[dd]) * s[dd] - p[dd]) * int(sstride[dd])).reshape(shape)
        koff = koff + taps[:, dd] * d[dd] * int(sstride[dd])
    return base, koff


def tile_geometry(shape: tuple, k: tuple, osize: tuple) -> tuple:
    """(crop index, split shape, transpose) putting the K taps of non-overlapping windows on
    leading axes: ``x[crop].reshape(split).transpose(perm)`` is (*k, N, C, *osize)."""
    nd = len(k)
    crop = (slice(None), slice(None)) + tuple(slice(0, o * ki) for o, ki in zip(osize, k))
    split = tuple(shape[:2]) + tuple(v for o, ki in zip(osize, k) for v in (o, ki))
    perm = tuple(3 + 2 * i for i in range(nd)) + (0, 1) + tuple(2 + 2 * i for i in range(nd))
    return crop, split, perm


def max_pool_indices(x: np.ndarray, tables: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Max over windows of ``x`` (N, C, *S). Returns (values (N, C, *Out), flat arg-max indices
    into S, shaped (N, C, *Out))."""
    nd = len(tables)
    S = x.shape[2:]
    lo = [max(0, -int(t.min())) for t in tables]
    hi = [max(0, int(t.max()) + 1 - n) for t, n in zip(tables, S)]
    if any(lo) or any(hi):
        fill = -np.inf if is_float_np(x.dtype) else np.iinfo(x.dtype).min
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
    def forward(ctx, x, index=None, values=None, unique=False):
        ctx.index, ctx.unique = index, unique
        if values is not None:
            return values
        N, C = x.shape[:2]
        flat = np.take_along_axis(x.reshape(N, C, -1), index.reshape(N, C, -1), axis=2)
        return flat.reshape(index.shape)

    @staticmethod
    def backward(ctx, g):
        return PoolScatter.call(g, index=ctx.index, shape=tuple(ctx.inputs[0].shape),
                                unique=ctx.unique)


class PoolScatter(Op):
    """zeros(shape) with ``g`` added at flat spatial ``index``: the adjoint of PoolGather."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, index=None, shape=None, unique=False):
        ctx.index, ctx.unique = index, unique
        N, C = shape[:2]
        sp = math.prod(shape[2:])
        gi = (index.reshape(N * C, -1) + (np.arange(N * C) * sp)[:, None]).ravel()
        if unique:  # windows never overlap: each input position receives at most one value
            out = np.zeros(N * C * sp, dtype=g.dtype)
            out[gi] = g.ravel()
            return out.reshape(shape)
        out = np.bincount(gi, weights=g.ravel(), minlength=N * C * sp)
        return out.astype(g.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return PoolGather.call(g, index=ctx.index)
