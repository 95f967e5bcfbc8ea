"""Embedding lookup and its adjoint (row accumulation), each differentiable in turn.

The per-index ``scale`` (0 at ``padding_idx``, 1/count with ``scale_grad_by_freq``, else None)
is computed once in forward and shared by the whole chain of derivatives.
"""

from __future__ import annotations

import numpy as np

from .._dtype import is_float_np
from ..autograd import engine
from ..autograd.engine import Op


def accumulate_rows(g: np.ndarray, flat_idx: np.ndarray, num_rows: int) -> np.ndarray:
    """zeros((num_rows, D)) with row ``g[k]`` added at ``flat_idx[k]`` (repeats accumulate).

    Every repeat is summed in one vectorised pass over (row, column) bins, in float64 in the
    order of ``flat_idx``, rounded once (float64 gradients get the sequential sum, float32 ones
    a more accurate one): ``np.add.at`` on a flat float64 array, which gives the bits of
    ``np.bincount(bins, weights=g)`` (the same sums in the same order; tested) in a fraction
    of its time on NumPy 2 (bincount converts float32 weights slowly: W5's 1,280 x 32
    gradient, ~50 us against ~280 us), and is several times faster than a sort +
    ``np.add.reduceat``, whose cost is per distinct row. The bins, the float64 copy and the
    sums (~1 MB at W5's shape) are scratch from the engine's allocator: where the heap is
    trimmed between calls, fresh ones cost ~220 page faults a call (a loop of these calls
    alone: ~490 us against ~115 us).
    When the table is much larger than the batch, the bins are the distinct indices only, so
    the work never scales with ``num_rows``.
    """
    D = g.shape[-1]
    N = flat_idx.size
    if N == 0 or D == 0:
        return np.zeros((num_rows, D), dtype=g.dtype)
    if not is_float_np(g.dtype):  # (bincount's own errors for other dtypes)
        bins = (flat_idx.reshape(-1, 1) * D + np.arange(D)).reshape(-1)
        out = np.zeros((num_rows, D), dtype=g.dtype)
        out[...] = np.bincount(bins, weights=g.reshape(-1),
                               minlength=num_rows * D).reshape(num_rows, D)
        return out
    if num_rows <= 4 * N:
        rows, inv, n = None, flat_idx, num_rows
    else:
        rows, inv = np.unique(flat_idx, return_inverse=True)
        n = rows.size
    take = engine.allocator.take
    bins, w, sums = take((N, D), np.int64), take((N, D), np.float64), take((n * D,), np.float64)
    np.multiply(inv.reshape(-1, 1), D, out=bins)  # row * D + column
    np.add(bins, _arange(D), out=bins)
    np.copyto(w, g.reshape(N, D))
    sums.fill(0)
    np.add.at(sums, bins.reshape(-1), w.reshape(-1))
    if rows is None:
        out = sums.reshape(n, D).astype(g.dtype)
    else:
        out = np.zeros((num_rows, D), dtype=g.dtype)
        out[rows] = sums.reshape(n, D)
    engine.allocator.release([bins, w, sums])
    return out


_ARANGES: dict = {}


def _arange(n: int) -> np.ndarray:
    """``np.arange(n)`` (int64), made once per n."""
    a = _ARANGES.get(n)
    if a is None:
        a = _ARANGES[n] = np.arange(n, dtype=np.int64)
        a.flags.writeable = False
    return a


class EmbeddingLookup(Op):
    """``weight[indices]`` (indices: an integer array of any shape; output (*, D))."""
    grad_fn_name = "EmbeddingBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, weight, indices, scale=None):
        ctx.scale = scale
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        indices = ctx.inputs[1]
        if not isinstance(indices, np.ndarray):
            indices = indices._data
        return EmbeddingDenseGrad.call(g, indices, num_rows=ctx.inputs[0].shape[0],
                                       scale=ctx.scale), None


class EmbeddingDenseGrad(Op):
    """(num_rows, D) with ``g[..., :] * scale`` accumulated into rows ``indices``."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, indices, num_rows=0, scale=None):
        ctx.scale = scale
        ctx.np_dtype = g.dtype
        g2 = g.reshape(-1, g.shape[-1])
        if scale is not None:
            g2 = g2 * scale.reshape(-1, 1).astype(g.dtype, copy=False)
        return accumulate_rows(g2, indices.reshape(-1), num_rows)

    @staticmethod
    def backward(ctx, gg):
        indices = ctx.inputs[1]
        if not isinstance(indices, np.ndarray):
            indices = indices._data
        out = EmbeddingLookup.call(gg, indices)
        if ctx.scale is not None:
            out = out * ctx.scale[..., None].astype(ctx.np_dtype, copy=False)
        return out, None
