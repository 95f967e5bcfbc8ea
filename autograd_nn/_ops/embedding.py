"""Embedding lookup and its adjoint (row accumulation), each differentiable in turn.

The per-index ``scale`` (0 at ``padding_idx``, 1/count with ``scale_grad_by_freq``, else None)
is computed once in forward and shared by the whole chain of derivatives.
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op


def accumulate_rows(g: np.ndarray, flat_idx: np.ndarray, num_rows: int) -> np.ndarray:
    """zeros((num_rows, D)) with row ``g[k]`` added at ``flat_idx[k]`` (repeats accumulate).

    One ``np.bincount`` over (row, column) bins sums every repeat in a single vectorised pass
    (in float64, rounded once: float64 gradients get the sequential sum, float32 ones a more
    accurate one); several times faster than ``np.add.at`` or a sort + ``np.add.reduceat``,
    whose cost is per distinct row. When the table is much larger than the batch, the bins are
    the distinct indices only, so the work never scales with ``num_rows``.
    """
    D = g.shape[-1]
    out = np.zeros((num_rows, D), dtype=g.dtype)
    if flat_idx.size == 0 or D == 0:
        return out
    w = g.reshape(-1)
    if num_rows <= 4 * flat_idx.size:
        rows, inv, n = None, flat_idx, num_rows
    else:
        rows, inv = np.unique(flat_idx, return_inverse=True)
        n = rows.size
    bins = inv.reshape(-1, 1) * D + np.arange(D)  # (N, D): row * D + column
    sums = np.bincount(bins.reshape(-1), weights=w, minlength=n * D).reshape(n, D)
    if rows is None:
        out[...] = sums
    else:
        out[rows] = sums
    return out


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
