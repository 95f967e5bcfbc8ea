"""``keras.utils``: ``to_categorical``, ``set_random_seed``, ``normalize``, ``Progbar``,
``pad_sequences`` and the image helpers (``load_img``...), as Keras 3 places them."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from .. import random as an_random
from .preprocessing.image import array_to_img, img_to_array, load_img, save_img
from .preprocessing.sequence import pad_sequences
from .progbar import Progbar

__all__ = ["to_categorical", "set_random_seed", "normalize", "Progbar", "pad_sequences",
           "load_img", "img_to_array", "array_to_img", "save_img"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class ids: (...,) -> (..., num_classes), float64 as Keras 3.
    A trailing dimension of 1 is dropped first; ``num_classes`` defaults to max + 1."""
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ValueError("to_categorical: class ids must be integers")
    arr = arr.astype(np.int64)
    if arr.ndim > 1 and arr.shape[-1] == 1:
        arr = arr.reshape(arr.shape[:-1])
    if num_classes is None:
        num_classes = int(arr.max()) + 1 if arr.size else 0
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(f"to_categorical: class ids must be in [0, {num_classes}), got values "
                         f"in [{arr.min()}, {arr.max()}]")
    out = np.zeros(arr.shape + (num_classes,), dtype=np.float64)
    np.put_along_axis(out, arr[..., None], 1.0, axis=-1)
    return out


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and autograd_nn's generator (weight
    initialisation, dropout, shuffling), as ``keras.utils.set_random_seed``."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    an_random.manual_seed(seed)


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Divide by the ``order``-norm along ``axis`` (zero vectors stay zero)."""
    arr = np.asarray(x, dtype=np.float64 if np.asarray(x).dtype == np.float64 else np.float32)
    norm = np.linalg.norm(arr, ord=order, axis=axis, keepdims=True)
    return arr / np.where(norm == 0, 1, norm)
