"""Counting, searching and index functions, as torch's: ``unique``, ``unique_consecutive``,
``histc``, ``histogram``, ``bincount``, ``searchsorted``, ``bucketize``, ``tril_indices``,
``triu_indices``; and the distances ``cdist``, ``cosine_similarity``, ``pairwise_distance``.

The first group is not differentiable (integer results, or counts); ``histogram``'s counts
are floats without a gradient, as in PyTorch. ``cdist`` is differentiable.
"""

from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from . import _dtype
from ._creation import tensor
from ._dtype import is_float_np
from ._ops.common import structseq
from ._ops.reduction import Norm
from ._ops.shape import norm_dim
from .tensor import Tensor

__all__ = ["unique", "unique_consecutive", "histc", "histogram", "histogramdd", "bincount",
           "searchsorted", "bucketize", "tril_indices", "triu_indices", "cdist", "pdist",
           "cosine_similarity", "pairwise_distance"]

histogram_result = structseq("histogram", ["hist", "bin_edges"])
histogramdd_result = structseq("histogramdd", ["hist", "bin_edges"])


def _array(x: Any, name: str, fn: str) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple, np.ndarray, int, float, builtins.bool, np.generic)):

        return tensor(x)._data
    raise TypeError(f"{fn}(): argument '{name}' must be a Tensor, got {type(x).__name__}")


def _dtype_name(a: np.ndarray) -> str:
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
             "uint8": "Byte", "bool": "Bool", "float16": "Half", "float32": "Float",
             "float64": "Double"}
    return names.get(a.dtype.name, a.dtype.name)


def _long(a: np.ndarray) -> Tensor:
    return Tensor._wrap(np.asarray(a, dtype=np.int64))


# -------------------------------------------------------------------------------- unique


def _results(values: np.ndarray, inverse: np.ndarray, counts: np.ndarray,
             return_inverse: bool, return_counts: bool) -> Any:
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(_long(inverse))
    if return_counts:
        out.append(_long(counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values of ``input`` (flattened), ascending, or its distinct slices along
    ``dim`` (lexicographic order). With ``return_inverse`` also where each element / slice
    went (input's shape, or (input.shape[dim],)); with ``return_counts`` how often each
    occurs. NaNs are all distinct, as in PyTorch. ``sorted=False`` gives the sorted order
    too (PyTorch's CPU result for these inputs)."""
    a = _array(input, "input", "unique")
    if dim is None:
        flat = a.reshape(-1)
        values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                            equal_nan=False)
        return _results(values, inverse.reshape(a.shape), counts, return_inverse,
                        return_counts)

    d = norm_dim(dim, a.ndim, "unique")
    moved = np.moveaxis(a, d, 0)
    if moved.shape[0] == 0:
        return _results(a, np.zeros(0, np.int64), np.zeros(0, np.int64), return_inverse,
                        return_counts)
    rows = moved.reshape(moved.shape[0], -1)
    values, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    values = np.moveaxis(values.reshape((-1,) + moved.shape[1:]), 0, d)
    return _results(np.ascontiguousarray(values), inverse.reshape(-1), counts, return_inverse,
                    return_counts)


def unique_consecutive(input: Tensor, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """``input`` (flattened, or its slices along ``dim``) with runs of equal consecutive
    elements collapsed to one; ``return_inverse`` / ``return_counts`` as in :func:`unique`."""
    a = _array(input, "input", "unique_consecutive")
    if dim is None:
        flat = a.reshape(-1)
        if flat.size == 0:
            return _results(flat, np.zeros(a.shape, np.int64), np.zeros(0, np.int64),
                            return_inverse, return_counts)
        change = np.concatenate([[True], flat[1:] != flat[:-1]])
        starts = np.flatnonzero(change)
        counts = np.diff(np.append(starts, flat.size))
        inverse = np.cumsum(change) - 1
        return _results(flat[starts], inverse.reshape(a.shape), counts, return_inverse,
                        return_counts)

    d = norm_dim(dim, a.ndim, "unique_consecutive")
    moved = np.moveaxis(a, d, 0)
    n = moved.shape[0]
    if n == 0:
        return _results(a, np.zeros(0, np.int64), np.zeros(0, np.int64), return_inverse,
                        return_counts)
    rows = moved.reshape(n, -1)
    change = np.concatenate([[True], (rows[1:] != rows[:-1]).any(axis=1)])
    starts = np.flatnonzero(change)
    counts = np.diff(np.append(starts, n))
    values = np.ascontiguousarray(np.moveaxis(moved[starts], 0, d))
    return _results(values, np.cumsum(change) - 1, counts, return_inverse, return_counts)


# ---------------------------------------------------------------------------- histograms


def _linear_bin_index(x: np.ndarray, edges: np.ndarray, lo: Any, hi: Any,
                      local_search: bool) -> np.ndarray:
    """Bin of each x in [lo, hi] for equal-width ``edges``, as PyTorch's histogram kernel:
    the scaled position (x - lo) * bins / (hi - lo) in x's dtype, then (``local_search``,
    torch.histogram) the last edge <= x among the neighbouring three; the last bin is closed."""
    bins = edges.size - 1
    pos = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    if local_search:
        start = np.maximum(pos - 1, 0)
        count = np.zeros_like(pos)
        for k in range(3):
            j = start + k
            ok = j < np.minimum(pos + 2, bins + 1)
            count += ok & (edges[np.minimum(j, bins)] <= x)
        pos = start + count - 1
    return np.where(pos >= bins, bins - 1, pos)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0  # noqa: A002
          ) -> Tensor:
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (both 0: the data's range;
    a single value v: [v - 1, v + 1]); values outside are ignored, the last bin includes max.
    Float input only; the counts have its dtype."""
    a = _array(input, "input", "histc")
    if not is_float_np(a.dtype):
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_dtype_name(a)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    lo, hi = a.dtype.type(min), a.dtype.type(max)
    if lo == hi and a.size:
        lo, hi = a.min(), a.max()
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    return Tensor._wrap(_linear_hist(a.reshape(-1), int(bins), lo, hi, None, False)[0])


def _linear_hist(x: np.ndarray, bins: int, lo: Any, hi: Any, weight: np.ndarray | None,
                 local_search: bool) -> tuple:
    dt = x.dtype
    edges = np.linspace(lo, hi, bins + 1, dtype=dt)
    inside = (x >= lo) & (x <= hi)
    idx = _linear_bin_index(x[inside], edges, dt.type(lo), dt.type(hi), local_search)
    w = None if weight is None else weight.reshape(-1)[inside]
    return np.bincount(idx, weights=w, minlength=bins).astype(dt), edges


def _dim_bins(x: np.ndarray, bins: Any, lo_hi: tuple | None, d: int, fn: str) -> tuple:
    """One dimension of a histogram: (edges, bin index of each value, mask of the values
    inside the edges). ``bins``: a count (equal bins over ``lo_hi`` or the values' range; a
    single value v: [v - 0.5, v + 0.5]) or increasing edges."""
    dt = x.dtype
    if isinstance(bins, (Tensor, list, tuple, np.ndarray)):
        edges = _array(bins, "bins", fn).astype(dt)
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError(f"torch.histogramdd: expected bins to be a 1-D tensor with at "
                               f"least one edge, got shape {list(edges.shape)} for dimension "
                               f"{d}")
        if (np.diff(edges) < 0).any():
            raise RuntimeError(f"torch.histogramdd: bin edges must be increasing (dimension "
                               f"{d})")
        n = edges.size - 1
        inside = (x >= edges[0]) & (x <= edges[-1])
        idx = np.clip(np.searchsorted(edges, x[inside], side="right") - 1, 0,
                      builtins.max(n - 1, 0))
        return edges, idx, inside
    n = int(bins)
    if n <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {n} for dimension {d}")
    if lo_hi is not None:
        lo, hi = (dt.type(v) for v in lo_hi)
    elif x.size:
        lo, hi = x.min(), x.max()
    else:
        lo, hi = dt.type(0), dt.type(0)
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo} "
                           f"max {hi} for dimension {d}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: range of [{lo}, {hi}] is not finite")
    if lo == hi:
        lo, hi = lo - dt.type(0.5), hi + dt.type(0.5)
    edges = np.linspace(lo, hi, n + 1, dtype=dt)
    inside = (x >= lo) & (x <= hi)
    return edges, _linear_bin_index(x[inside], edges, lo, hi, True), inside


def _histdd(a: np.ndarray, bins: Any, rng: Any, weight: Any, density: bool, fn: str
            ) -> tuple:
    """Counts over the last dim's D coordinates of ``a`` (..., D): (hist, [edges per dim])."""
    if not is_float_np(a.dtype):
        raise NotImplementedError(f'"histogramdd" not implemented for \'{_dtype_name(a)}\'')
    D = a.shape[-1]
    pts = a.reshape(-1, D)
    w = None
    if weight is not None:
        w = _array(weight, "weight", fn)
        if w.shape != a.shape[:-1]:
            raise RuntimeError(f"torch.histogramdd: expected weight to have the shape of the "
                               f"input without its last dim, {list(a.shape[:-1])}, got "
                               f"{list(w.shape)}")
        w = w.astype(a.dtype, copy=False).reshape(-1)
    if isinstance(bins, (int, np.integer)):
        per_dim = [int(bins)] * D  # one count for every dim
    elif isinstance(bins, (Tensor, np.ndarray)):
        per_dim = [bins]  # the edges of a 1-D histogram
    else:
        per_dim = list(bins)  # a count or an edge tensor per dim
    if len(per_dim) != D:
        raise RuntimeError(f"torch.histogramdd: expected {D} sequences of bin edges for each "
                           f"of the {D} input dimensions, but got {len(per_dim)}")
    if rng is not None and len(rng) != 2 * D:
        raise RuntimeError(f"torch.histogramdd: for a {D}-dimensional histogram, range should "
                           f"have {2 * D} elements, but got {len(rng)}")
    keep = np.ones(pts.shape[0], bool)
    all_edges, indices = [], []
    for d in builtins.range(D):
        edges, idx, inside = _dim_bins(pts[:, d], per_dim[d],
                                       None if rng is None else rng[2 * d:2 * d + 2], d, fn)
        full = np.zeros(pts.shape[0], np.int64)
        full[inside] = idx
        keep &= inside
        all_edges.append(edges)
        indices.append(full)
    shape = tuple(e.size - 1 for e in all_edges)
    flat = np.ravel_multi_index(tuple(i[keep] for i in indices), shape) if D else \
        np.zeros(0, np.int64)
    hist = np.bincount(flat, weights=None if w is None else w[keep],
                       minlength=int(np.prod(shape))).astype(a.dtype).reshape(shape)
    if density:
        total = hist.sum()
        vol = np.ones((), a.dtype)
        for d, e in enumerate(all_edges):
            vol = np.multiply.outer(vol, np.diff(e)) if d else np.diff(e)
        hist = (hist / (total * vol) if total else hist * np.nan).astype(a.dtype)
    return hist, all_edges


def histogram(input: Tensor, bins: Any, *, range: tuple | None = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False,
              out: Any = None) -> histogram_result:
    """(hist, bin_edges): ``bins`` an int (equal bins over ``range`` or the data's range; a
    single value v: [v - 0.5, v + 0.5]) or a 1-D tensor of increasing edges. The last bin
    includes its right edge; values outside are ignored. ``weight`` (input's shape) weights
    each value; ``density`` normalises to a probability density. Float input only."""
    a = _array(input, "input", "histogram")
    if weight is not None and _array(weight, "weight", "histogram").shape != a.shape:
        raise RuntimeError(f"torch.histogramdd: expected weight to have the same shape as the "
                           f"input, got {list(_array(weight, 'weight', 'histogram').shape)} "
                           f"and {list(a.shape)}")
    if isinstance(bins, (Tensor, np.ndarray, list, tuple)):
        bins = [bins]
    hist, edges = _histdd(a.reshape(-1, 1), bins, None if range is None else tuple(range),
                          None if weight is None else _array(weight, "weight",
                                                             "histogram").reshape(-1, 1)[:, 0],
                          density, "histogram")
    return histogram_result(Tensor._wrap(np.ascontiguousarray(hist)), Tensor._wrap(edges[0]))


def histogramdd(input: Tensor, bins: Any, *, range: Sequence[float] | None = None,  # noqa: A002
                weight: Tensor | None = None, density: bool = False,
                out: Any = None) -> histogramdd_result:
    """D-dimensional histogram of the points ``input`` (..., D): ``bins`` one count for every
    dim, a count per dim, or a sequence of D edge tensors; ``range`` [min_0, max_0, min_1,
    ...]; ``weight`` (...) per point; ``density``. Returns (hist (n_0, ..., n_{D-1}),
    [bin edges per dim]). Float input only."""
    a = _array(input, "input", "histogramdd")
    if a.ndim < 1:
        raise RuntimeError("torch.histogramdd: input should have at least 1 dimension")
    hist, edges = _histdd(a, bins, None if range is None else tuple(range), weight, density,
                          "histogramdd")
    return histogramdd_result(Tensor._wrap(np.ascontiguousarray(hist)),
                              [Tensor._wrap(e) for e in edges])


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0  # noqa: A002
             ) -> Tensor:
    """Occurrences of each value 0..max(input) in a 1-D non-negative integer tensor (at least
    ``minlength`` bins): int64, or the sum of ``weights`` per value (weights' dtype)."""
    a = _array(input, "input", "bincount")
    if a.dtype.kind not in "iub" or a.dtype == np.bool_:
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_dtype_name(a)}\'')
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("bincount: minlength should be >= 0")
    if weights is None:
        return _long(np.bincount(a, minlength=minlength))
    w = _array(weights, "weights", "bincount")
    if w.shape != a.shape:
        raise RuntimeError("bincount: weights should be 1-d and have the same length as input")
    dt = w.dtype if is_float_np(w.dtype) else np.dtype(np.float64)
    return Tensor._wrap(np.bincount(a, weights=w, minlength=minlength).astype(dt))


# ------------------------------------------------------------------------------ searching


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,  # noqa: A002
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None,
                 out: Tensor | None = None) -> Tensor:
    """Index where each value of ``input`` would be inserted into the innermost dim of
    ``sorted_sequence`` to keep it sorted: the first such index (``side='left'``) or the last
    (``right=True`` / ``side='right'``). ``sorted_sequence`` is 1-D, or has ``input``'s
    leading dims; ``sorter`` sorts an unsorted sequence. int64 (int32 with ``out_int32``);
    a scalar ``input`` gives a 0-d result."""
    fn = "torch.searchsorted()"
    seq = _array(sorted_sequence, "sorted_sequence", "searchsorted")
    scalar = not isinstance(input, Tensor) and np.ndim(input) == 0
    vals = np.asarray(input) if scalar else _array(input, "input", "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{fn}: side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"{fn}: side and right can't be set to opposites, got side of "
                               f"left while right was True")
        right = side == "right"
    if sorter is not None:
        srt = _array(sorter, "sorter", "searchsorted")
        if srt.shape != seq.shape:
            raise RuntimeError(f"{fn}: boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(srt.shape)}")
        seq = np.take_along_axis(seq, srt.astype(np.int64), axis=-1)
    if seq.ndim == 0:
        raise RuntimeError(f"{fn}: boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor [] and input value tensor "
                           f"{list(vals.shape)}")
    side_s = "right" if right else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, side=side_s)
    else:
        if scalar or seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"{fn}: boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must "
                               f"match, but we got boundaries tensor {list(seq.shape)} and "
                               f"input value tensor {list(vals.shape)}")
        flat_s = seq.reshape(-1, seq.shape[-1])
        flat_v = vals.reshape(-1, vals.shape[-1])
        res = np.stack([np.searchsorted(s, v, side=side_s) for s, v in zip(flat_s, flat_v)]
                       ).reshape(vals.shape) if flat_s.shape[0] else np.zeros(vals.shape)
    res = np.asarray(res, dtype=np.int32 if out_int32 else np.int64)
    result = Tensor._wrap(res)
    if out is not None:
        out.copy_(result)
        return out
    return result


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,  # noqa: A002
              right: bool = False, out: Tensor | None = None) -> Tensor:
    """The bucket of each value of ``input`` given 1-D increasing ``boundaries``: i with
    boundaries[i-1] < x <= boundaries[i] (``right=True``: boundaries[i-1] <= x <
    boundaries[i]). int64 (int32 with ``out_int32``)."""
    b = _array(boundaries, "boundaries", "bucketize")
    if b.ndim != 1:
        raise RuntimeError(f"torch.bucketize(): boundaries tensor must be 1 dimension, but got "
                           f"dim({b.ndim})")
    return searchsorted(b, input, out_int32=out_int32, right=right, out=out)


def _tri_indices(row: int, col: int, offset: int, dtype: Any, upper: bool, fn: str) -> Tensor:
    if row < 0 or col < 0:
        raise RuntimeError(f"{fn}: row must be non-negative, got {row}" if row < 0 else
                           f"{fn}: col must be non-negative, got {col}")
    mask = np.triu(np.ones((row, col), bool), offset) if upper else \
        np.tril(np.ones((row, col), bool), offset)
    idx = np.stack(np.nonzero(mask)) if row and col else np.zeros((2, 0), np.int64)
    d = np.int64 if dtype is None else _dtype.to_dtype(dtype).np
    return Tensor._wrap(idx.astype(d))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """(2, N) row and column indices of the lower triangle (on and below diagonal ``offset``)
    of a row x col matrix, row-major."""
    return _tri_indices(row, col, offset, dtype, False, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """(2, N) indices of the upper triangle (on and above diagonal ``offset``), row-major."""
    return _tri_indices(row, col, offset, dtype, True, "triu_indices")


# ------------------------------------------------------------------------------- distances


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between the rows of x1 (..., P, M) and of x2 (..., R, M) ->
    (..., P, R), batch dims broadcasting. Differentiable (gradient 0 where two rows
    coincide, as torch)."""
    for name, t in (("X1", x1), ("X2", x2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"cdist(): argument '{name.lower()}' must be a Tensor, got "
                            f"{type(t).__name__}")
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t.ndim}D")
    if not is_float_np(x1._data.dtype) or not is_float_np(x2._data.dtype):
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have the same dtype, got {x1.dtype} and "
                           f"{x2.dtype}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
    return Norm.apply(diff, p=float(p), dim=(diff.ndim - 1,), keepdim=False)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """p-norm distances between every pair of rows i < j of ``input`` (N, M), in row-major
    order of the pairs: (N * (N - 1) / 2,). Differentiable."""
    if not isinstance(input, Tensor) or input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: "
                           f"{input.ndim if isinstance(input, Tensor) else '?'}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    return Norm.apply(input[i] - input[j], p=float(p), dim=(1,), keepdim=False)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along ``dim`` (as PyTorch >= 2.0),
    after broadcasting ``x1`` and ``x2`` to one shape (norms are taken of the broadcast
    tensors); also ``nn.functional.cosine_similarity``."""
    if tuple(x1.shape) != tuple(x2.shape):
        try:
            shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
        except ValueError:
            raise RuntimeError(f"cosine_similarity: x1 of shape {list(x1.shape)} and x2 of shape "
                               f"{list(x2.shape)} do not broadcast") from None
        x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim; also ``nn.functional.pairwise_distance``."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)
