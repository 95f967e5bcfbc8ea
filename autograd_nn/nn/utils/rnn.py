"""Variable-length sequences: padding and packing, as ``torch.nn.utils.rnn``.

A :class:`PackedSequence` stores the valid steps of a batch time-major: ``data`` (N, *) holds
step 0 of every sequence, then step 1 of those still running, ... with the sequences sorted by
decreasing length; ``batch_sizes[t]`` counts the sequences still running at step t.
All conversions are differentiable (one gather/scatter op each).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ..._ops.indexing import IndexPut
from ..._ops.shape import cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]

_PackedSequenceBase = namedtuple("PackedSequence",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _long(a: np.ndarray) -> Tensor:
    return Tensor._wrap(np.ascontiguousarray(a, dtype=np.int64))


def _np(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of an index permutation (None stays None)."""
    if permutation is None:
        return None
    p = _np(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return _long(inv)


class PackedSequence(_PackedSequenceBase):
    """A packed batch of variable-length sequences (build it with :func:`pack_padded_sequence`
    or :func:`pack_sequence`, not directly).

    Fields: ``data`` (N, *), ``batch_sizes`` (T,) int64, ``sorted_indices`` (B,) int64 or None
    (the permutation that sorted the batch by decreasing length), ``unsorted_indices`` (its
    inverse).
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise ValueError("PackedSequence: batch_sizes is required; use pack_padded_sequence "
                             "or pack_sequence to build one")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def float(self) -> PackedSequence:
        return self._with_data(self.data.float())

    def double(self) -> PackedSequence:
        return self._with_data(self.data.double())

    def cpu(self) -> PackedSequence:
        return self

    def detach(self) -> PackedSequence:
        return self._with_data(self.data.detach())

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _layout(batch_sizes: np.ndarray) -> tuple:
    """(T, B, lengths (B,), time index (N,), batch index (N,)) of a packed layout, in the
    packed order (time-major, then batch)."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    T, B = bs.size, int(bs[0]) if bs.size else 0
    valid = np.arange(B)[None, :] < bs[:, None]  # (T, B)
    t_idx, b_idx = np.nonzero(valid)
    return T, B, valid.sum(0), t_idx, b_idx


def _lengths_array(lengths: Any, n: int) -> np.ndarray:
    lens = np.asarray(_np(lengths)).astype(np.int64).reshape(-1)
    if lens.size != n:
        raise ValueError(f"pack_padded_sequence: expected {n} lengths (one per sequence in the "
                         f"batch), got {lens.size}")
    return lens


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``input`` (T, B, *) (or (B, T, *) with ``batch_first``) whose
    sequence b has ``lengths[b]`` valid steps.

    With ``enforce_sorted`` the lengths must be decreasing; otherwise the batch is sorted here
    and the permutation kept in ``sorted_indices`` (undone by :func:`pad_packed_sequence` and
    by the recurrent layers' ``h_n``).
    """
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: expected input of at least 2 dimensions "
                         f"(T, B, *), got shape {list(input.shape)}")
    bdim = 0 if batch_first else 1
    T, B = input.shape[1 - bdim], input.shape[bdim]
    lens = _lengths_array(lengths, B)
    if B and lens.min() <= 0:
        raise RuntimeError(f"pack_padded_sequence: length of all samples has to be greater "
                           f"than 0, but found an element in 'lengths' that is <= 0 "
                           f"(lengths {lens.tolist()})")
    if B and lens.max() > T:
        raise RuntimeError(f"pack_padded_sequence: a length ({int(lens.max())}) exceeds the "
                           f"padded length {T} of input of shape {list(input.shape)}")
    sorted_indices = None
    if enforce_sorted:
        if (np.diff(lens) > 0).any():
            raise RuntimeError(f"`lengths` array must be sorted in decreasing order when "
                               f"`enforce_sorted` is True (got {lens.tolist()}). You can pass "
                               f"`enforce_sorted=False` to pack_padded_sequence and/or "
                               f"pack_sequence to sidestep this requirement if you do not need "
                               f"ONNX exportability.")
        order = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _long(order)
    batch_sizes = (np.arange(int(lens.max()) if B else 0)[:, None] < lens[None, :]).sum(1)
    _, _, _, t_idx, b_idx = _layout(batch_sizes)
    b_orig = b_idx if order is None else order[b_idx]
    idx = (b_orig, t_idx) if batch_first else (t_idx, b_orig)
    data = input[idx]
    return PackedSequence(data, _long(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """Inverse of :func:`pack_padded_sequence`: returns (padded (T, B, *) or (B, T, *),
    lengths (B,) int64), in the batch's original order. ``total_length`` pads to that many
    steps (it must be at least the longest length)."""
    data = sequence.data
    T, B, lens, t_idx, b_idx = _layout(_np(sequence.batch_sizes))
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"pad_packed_sequence: expected total_length to be at least the "
                             f"length of the longest sequence ({T}), but got "
                             f"total_length={total_length}")
        T = total_length
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        # place each packed row straight at its original batch position
        perm = _np(sequence.sorted_indices)
        b_idx = perm[b_idx]
        lens = lens[_np(unsorted)]
    shape = (B, T) + tuple(data.shape[1:]) if batch_first else (T, B) + tuple(data.shape[1:])
    base = np.full(shape, padding_value, dtype=data._data.dtype)
    idx = (b_idx, t_idx) if batch_first else (t_idx, b_idx)
    return IndexPut.apply(base, data, idx=idx), _long(lens)


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack tensors (L_i, *) of different lengths into (T, B, *) (``batch_first``: (B, T, *)),
    T = max L_i, filling with ``padding_value`` on the ``padding_side`` ('right' or 'left')."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    if len(sequences) == 0:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    trail = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if s.ndim == 0 or tuple(s.shape[1:]) != trail:
            raise RuntimeError(f"pad_sequence: all sequences must have shape (L, "
                               f"{', '.join(map(str, trail)) or '*'}), but sequence {i} has "
                               f"shape {list(s.shape)} (sequence 0: {list(sequences[0].shape)})")
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    T, B = int(lens.max()), len(sequences)
    b_idx = np.repeat(np.arange(B), lens)
    t_idx = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t_idx = t_idx + np.repeat(T - lens, lens)
    data = cat(list(sequences), dim=0) if B > 1 else sequences[0]
    shape = (B, T) + trail if batch_first else (T, B) + trail
    base = np.full(shape, padding_value, dtype=data._data.dtype)
    return IndexPut.apply(base, data, idx=(b_idx, t_idx) if batch_first else (t_idx, b_idx))


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors (L_i, *) (decreasing lengths unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list:
    """Split a padded batch back into a list of tensors (lengths[b], *)."""
    lens = _np(lengths).astype(np.int64).reshape(-1)
    if batch_first:
        return [padded_sequences[b, :int(n)] for b, n in enumerate(lens)]
    return [padded_sequences[:int(n), b] for b, n in enumerate(lens)]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Split a PackedSequence into its list of tensors (L_i, *), in the original order."""
    padded, lens = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lens, batch_first=True)
