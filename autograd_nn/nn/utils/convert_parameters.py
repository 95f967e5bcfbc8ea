"""``parameters_to_vector`` / ``vector_to_parameters``."""

from __future__ import annotations

from typing import Iterable

from ..._ops.shape import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's data the matching slice of ``vec`` (a view, as PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: vec must be 1-D with {total} elements (the "
                           f"parameters' total), got shape {list(vec.shape)}")
    data = vec._data
    ptr = 0
    for p in params:
        n = p.numel()
        p._data = data[ptr: ptr + n].reshape(p._data.shape)
        ptr += n
