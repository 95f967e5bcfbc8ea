"""``default_collate`` / ``default_convert``: turn a list of samples into a batch, as PyTorch.

Tensors are stacked; NumPy arrays become tensors and are stacked; NumPy scalars keep their dtype;
Python floats give float64, ints int64 and bools bool tensors; strings and bytes stay lists;
mappings, namedtuples and sequences are collated field by field (a tuple gives a list, as in
PyTorch).
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import _dtype
from ..._creation import as_tensor, tensor
from ..._ops.shape import stack
from ...autograd import engine
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_NP_STR_OBJ = re.compile(r"[SaUO]")
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _collate_tensor(batch: Sequence[Tensor], *, collate_fn_map: Any = None) -> Tensor:
    if engine.is_grad_enabled() and any(t.requires_grad for t in batch):
        return stack(batch, 0)  # keep the graph
    ref = batch[0].shape
    for i, t in enumerate(batch):
        if t.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    return Tensor._wrap(np.stack([t._data for t in batch]))


def _collate_ndarray(batch: Sequence[np.ndarray], *, collate_fn_map: Any = None) -> Tensor:
    if _NP_STR_OBJ.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERR.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _collate_np_scalar(batch: Sequence[Any], *, collate_fn_map: Any = None) -> Tensor:
    return Tensor._wrap(np.array(batch))  # keeps the scalars' dtype (float32 stays float32)


def _collate_float(batch: Sequence[float], *, collate_fn_map: Any = None) -> Tensor:
    return tensor(batch, dtype=_dtype.float64)


def _collate_int(batch: Sequence[int], *, collate_fn_map: Any = None) -> Tensor:
    return tensor(batch)  # int64, or bool for bools


def _collate_str(batch: Sequence[Any], *, collate_fn_map: Any = None) -> Any:
    return batch


default_collate_fn_map: dict = {
    Tensor: _collate_tensor,
    (np.ndarray, np.memmap): _collate_ndarray,
    (np.bool_, np.number, np.object_): _collate_np_scalar,
    float: _collate_float,
    int: _collate_int,
    str: _collate_str,
    bytes: _collate_str,
}


def collate(batch: Sequence[Any], *, collate_fn_map: dict | None = None) -> Any:
    """Collate ``batch`` by the type of its first element, looking handlers up in
    ``collate_fn_map`` (exact type first, then ``isinstance``), then recursing into mappings,
    namedtuples and sequences."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for typ, fn in collate_fn_map.items():
            if isinstance(elem, typ):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)  # keeps a subclass and its extra attributes
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # PyTorch returns a list for tuples (backwards compatibility)
        return _same_sequence_type(elem, fields)
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch (see the module docstring for the rules).

    Example: ``default_collate([(x0, 0), (x1, 1)])`` with ``x*`` of shape ``(3,)`` gives
    ``[Tensor (2, 3), tensor([0, 1])]``.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays and scalars in ``data`` (recursively) to tensors, without batching
    (the ``batch_size=None`` path)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if (elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_")):
        if isinstance(data, np.ndarray) and _NP_STR_OBJ.search(data.dtype.str) is not None:
            return data
        return as_tensor(data) if isinstance(data, np.ndarray) else Tensor._wrap(np.array(data))
    if isinstance(data, collections.abc.Mapping):
        fields = {k: default_convert(data[k]) for k in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        fields = [default_convert(d) for d in data]
        return _same_sequence_type(data, fields)
    return data


CollateFn = Callable[[list], Any]


def _same_sequence_type(like: Any, fields: list) -> Any:
    """``fields`` in a sequence of ``like``'s type (a mutable one is copied and filled, as
    PyTorch); a plain list when that type cannot be built from a list."""
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, f in enumerate(fields):
                clone[i] = f
            return clone
        return type(like)(fields)
    except TypeError:
        return fields
