"""``torch.fft``'s real-valued helpers: sample frequencies (``fftfreq``, ``rfftfreq``) and
the zero-frequency shifts (``fftshift``, ``ifftshift``, differentiable). The transforms
themselves produce complex tensors, which autograd_nn does not have."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from ._ops.shape import cat
from .tensor import Tensor

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _freq(values: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    t = Tensor._wrap(values.astype(d.np))
    return t.requires_grad_(True) if requires_grad else t


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """The ``n`` sample frequencies of a length-``n`` FFT with sample spacing ``d``:
    ``[0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d n)``."""
    return _freq(np.fft.fftfreq(n, d), dtype, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """The ``n // 2 + 1`` non-negative sample frequencies of a real FFT."""
    return _freq(np.fft.rfftfreq(n, d), dtype, requires_grad)


def _roll(x: Tensor, shift: int, dim: int) -> Tensor:
    n = x.shape[dim]
    shift %= n if n else 1
    if shift == 0:
        return x
    idx = [slice(None)] * x.dim()
    head, tail = list(idx), list(idx)
    head[dim], tail[dim] = slice(n - shift, n), slice(0, n - shift)
    return cat([x[tuple(head)], x[tuple(tail)]], dim=dim)


def _shift(x: Tensor, dim: Any, sign: int) -> Tensor:
    dims = range(x.dim()) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    for d in dims:
        n = x.shape[d]
        x = _roll(x, n // 2 if sign > 0 else -(n // 2), d)
    return x


def fftshift(input: Tensor, dim: Any = None) -> Tensor:
    """Move the zero-frequency term to the centre of ``dim`` (every dimension by default)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: Any = None) -> Tensor:
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, -1)
