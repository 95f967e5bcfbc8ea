"""Functional forms: embedding lookups (``F.embedding``, ``F.embedding_bag``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._ops.embedding import EmbeddingLookup
from ..._ops.indexing import ScatterAdd
from ..._ops.shape import stack
from ...autograd import engine, inplace
from ...tensor import Tensor

__all__: list[str] = ["embedding", "embedding_bag"]


def _indices(input: Any, op: str, num: int) -> np.ndarray:  # noqa: A002
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected the indices to be an integer tensor (Long or Int), "
                           f"got dtype {idx.dtype} with shape {list(idx.shape)}")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{op}: index {int(bad)} is out of range for an embedding table with "
                         f"{num} rows (indices shape {list(idx.shape)}): index out of range in "
                         f"self")
    return idx


def _padding_idx(padding_idx: int | None, num: int, op: str) -> int | None:
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise ValueError(f"{op}: padding_idx {padding_idx} must be within num_embeddings "
                         f"({num})")
    return padding_idx % num


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """In place (no autograd, as torch.embedding_renorm_): rows used by ``idx`` with a
    ``norm_type``-norm above ``max_norm`` are scaled to ``max_norm``."""
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        r = rows[big]
        w[r] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        inplace.bump_version(weight)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, D) at integer ``input`` of any shape (*).

    Returns (*, D). The gradient accumulates over repeated indices; row ``padding_idx`` gets
    none; ``scale_grad_by_freq`` divides each index's gradient by its count in ``input``.
    ``max_norm`` renormalises the looked-up rows of ``weight`` in place first. ``sparse`` is
    accepted for compatibility: gradients are always dense (there are no sparse tensors).
    """
    if weight.ndim != 2:
        raise ValueError(f"embedding: expected weight to be 2-D (num_embeddings, "
                         f"embedding_dim), got shape {list(weight.shape)}")
    num = weight.shape[0]
    idx = _indices(input, "embedding", num)
    padding_idx = _padding_idx(padding_idx, num, "embedding")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    scale = None
    if (padding_idx is not None or scale_grad_by_freq) and engine.is_grad_enabled() and \
            weight.requires_grad:
        scale = _grad_scale(idx, num, padding_idx, scale_grad_by_freq)
    return engine.guard(EmbeddingLookup.apply(weight, idx, scale=scale), input)


def _grad_scale(idx: np.ndarray, num: int, padding_idx: int | None,
                scale_grad_by_freq: bool) -> np.ndarray:
    """The gradient's factor per looked-up index (idx's shape): 0 at ``padding_idx``, 1 / the
    index's count in ``idx`` under ``scale_grad_by_freq``, else 1. A helper of its own so that
    ``autograd_nn.compile`` re-runs it on each batch's indices (compiler/tracer.py)."""
    scale = np.ones(idx.shape)
    if scale_grad_by_freq:
        scale = 1.0 / np.bincount(idx.ravel(), minlength=num)[idx]
    if padding_idx is not None:
        scale[idx == padding_idx] = 0.0
    return scale


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,  # noqa: A002
                  max_norm: float | None = None, norm_type: float = 2.0,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxes of bags of embeddings without materialising them per bag.

    ``input`` is (B, N) (B bags of N indices; ``offsets`` must be None) or 1-D with ``offsets``
    (B,) the start of each bag (``include_last_offset``: B+1 entries; as PyTorch's, the last
    one only has to be at most len(input): the last bag runs to the end of ``input``).
    ``per_sample_weights`` (same shape as ``input``) scales each embedding, mode 'sum' only.
    Entries equal to ``padding_idx`` are left out of their bag (and of its mean's count).
    Returns (B, D); an empty bag gives zeros.
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode has to be one of sum, mean or max, got {mode!r}")
    num = weight.shape[0]
    idx = _indices(input, "embedding_bag", num)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"embedding_bag: if input is 2-D (shape {list(idx.shape)}), "
                             f"offsets has to be None")
        b, n = idx.shape
        starts = np.arange(0, b * n, n)
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("embedding_bag: offsets has to be a 1-D tensor but got None")
        starts = np.asarray(offsets._data if isinstance(offsets, Tensor) else offsets)
        if starts.ndim != 1:
            raise ValueError(f"embedding_bag: offsets has to be a 1-D tensor but got shape "
                             f"{list(starts.shape)}")
        if include_last_offset:
            # ATen's: the last offset only bounds; the last bag runs to the end of input
            if starts.size == 0 or starts[-1] > idx.size:
                raise RuntimeError(f"embedding_bag: offsets[-1] can not be greater than input's "
                                   f"length {idx.size} but got offsets[-1] of "
                                   f"{int(starts[-1]) if starts.size else None}")
            starts = starts[:-1]
        if starts.size and (starts[0] != 0 or (np.diff(starts) < 0).any()
                            or starts[-1] > idx.size):
            raise ValueError(f"embedding_bag: offsets must start at 0 and be non-decreasing "
                             f"within [0, {idx.size}], got {starts.tolist()}")
    else:
        raise ValueError(f"embedding_bag: input has to be 1-D or 2-D, got shape "
                         f"{list(idx.shape)}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported for "
                                  f"mode='sum' (got mode={mode!r})")
    nbags = starts.size
    bag = np.zeros(idx.size, dtype=np.int64)  # bag id of each index
    if nbags:
        bag = np.searchsorted(starts, np.arange(idx.size), side="right") - 1
    keep = np.ones(idx.size, dtype=bool)
    pidx = _padding_idx(padding_idx, num, "embedding_bag")
    if pidx is not None:
        keep = idx != pidx
    rows = embedding(Tensor._wrap(idx[keep]), weight, None, max_norm, norm_type,
                     scale_grad_by_freq)
    bag = bag[keep]
    d = weight.shape[1]
    if mode == "max":
        outs = []
        for k in range(nbags):  # one vectorised amax per bag (bags are few, rows many)
            sel = np.flatnonzero(bag == k)
            outs.append(rows[sel].amax(0) if sel.size else weight.new_zeros(d))
        return stack(outs) if outs else weight.new_zeros(0, d)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)[np.flatnonzero(keep)]
        rows = rows * psw.unsqueeze(1)
    index = np.broadcast_to(bag[:, None], rows.shape)
    out = ScatterAdd.apply(rows, np.ascontiguousarray(index), shape=(nbags, d), dim=0)
    if mode == "mean":
        counts = np.bincount(bag, minlength=nbags).astype(weight._data.dtype)
        out = out / np.maximum(counts, 1)[:, None]
    return out
