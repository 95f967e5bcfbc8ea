"""Keras's backend settings (``floatx``, ``epsilon``) and the helpers the namespace shares.

Keras computes in float32 (``floatx``) whatever the input dtype, and clips probabilities at
``epsilon`` (1e-7) in its cross-entropies; both are global settings, as in Keras.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import Any

import numpy as np

from .. import _dtype
from ..tensor import Tensor

# how many layers took each automatic name (dense, dense_1, ...); clear_session resets it
_NAME_COUNTS: defaultdict[str, int] = defaultdict(int)

__all__ = ["floatx", "set_floatx", "epsilon", "set_epsilon", "image_data_format",
           "clear_session"]

_FLOATX = "float32"
_EPSILON = 1e-7


def floatx() -> str:
    """The default float dtype of weights and computations ('float32')."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float dtype ('float32' or 'float64')."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"keras.backend.set_floatx: unknown floatx type {value!r}; expected "
                         f"'float16', 'float32' or 'float64'")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor of the probability clipping in losses (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Always 'channels_last' (the only layout the Keras layers here take)."""
    return "channels_last"


def clear_session() -> None:
    """Reset the automatic layer names (``dense``, ``dense_1``...), as Keras does."""
    _NAME_COUNTS.clear()


# ------------------------------------------------------------------------- shared helpers
def to_tensor(x: Any, dtype: str | None = None) -> Tensor:
    """``x`` (array, list, scalar, Tensor) as a Tensor; float data is cast to ``dtype``
    (default floatx), integer and bool data keep their dtype unless ``dtype`` is given."""
    if isinstance(x, Tensor):
        arr = x
        kind = x._data.dtype.kind
        if dtype is not None and str(x._data.dtype) != dtype:
            return x.to(_to_dtype(dtype))
        if dtype is None and kind == "f" and str(x._data.dtype) != floatx():
            return x.to(_to_dtype(floatx()))
        return arr
    a = np.asarray(x)
    if dtype is not None:
        a = a.astype(dtype)
    elif a.dtype.kind == "f" or a.dtype == object:
        a = a.astype(floatx())
    return Tensor._wrap(np.ascontiguousarray(a))


def to_numpy(x: Any) -> np.ndarray:
    """NumPy view of a Tensor (detached) or ``np.asarray`` of anything else."""
    if isinstance(x, Tensor):
        return x._data
    return np.asarray(x)


def _to_dtype(name: str) -> Any:
    return _dtype.to_dtype(name)


# Keras attaches a mask to a tensor (``Embedding(mask_zero=True)``); the layers that follow read
# it. Tensors have slots, so the masks live here, keyed by id and dropped with the tensor.
_MASKS: dict[int, tuple[weakref.ref, Any]] = {}


def set_keras_mask(t: Tensor, mask: np.ndarray | None) -> None:
    key = id(t)
    if mask is None:
        _MASKS.pop(key, None)
        return
    _MASKS[key] = (weakref.ref(t, lambda _r, k=key: _MASKS.pop(k, None)), mask)


def get_keras_mask(t: Any) -> np.ndarray | None:
    entry = _MASKS.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[1]


# Weight constraints (``kernel_constraint=...``) ride along with the weight the same way; the
# optimizer projects each constrained weight after its update.
_CONSTRAINTS: dict[int, tuple[weakref.ref, Any]] = {}


def set_constraint(w: Tensor, constraint: Any) -> None:
    key = id(w)
    _CONSTRAINTS[key] = (weakref.ref(w, lambda _r, k=key: _CONSTRAINTS.pop(k, None)),
                         constraint)


def get_constraint(w: Tensor) -> Any:
    entry = _CONSTRAINTS.get(id(w))
    if entry is None or entry[0]() is not w:
        return None
    return entry[1]
