"""Top-level ``torch.*`` names that are not ops: the deprecated end-inclusive ``range``, the
``layout`` and ``memory_format`` constants (one dense layout here; memory formats are accepted
and ignored), device and inference-mode queries, ``set_default_tensor_type`` and
``set_printoptions`` (the options live in ``_repr``)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import _dtype
from ._repr import set_printoptions
from .autograd import engine, inplace
from .tensor import Tensor

__all__ = ["range", "layout", "strided", "sparse_coo", "memory_format", "contiguous_format",
           "channels_last", "channels_last_3d", "preserve_format", "get_device",
           "is_inference", "is_inference_mode_enabled", "set_default_tensor_type",
           "set_printoptions"]


class _Constant:
    """A named constant that prints as PyTorch's (``torch.strided``); only this module makes
    them (PyTorch's classes have no public constructor either)."""

    def __init__(self, *args: Any) -> None:
        raise TypeError(f"cannot create 'torch.{type(self).__name__}' instances")

    @classmethod
    def _make(cls, name: str) -> Any:
        obj = object.__new__(cls)
        obj._name = name
        return obj

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:  # pickles as the module-level name (one object per name)
        return self._name


class layout(_Constant):  # noqa: N801 - PyTorch's name
    """A tensor's memory layout: ``strided`` (dense) for every tensor here."""


class memory_format(_Constant):  # noqa: N801
    """A memory format argument (``x.contiguous(memory_format=...)``, ``.to(...)``); accepted
    and ignored here (NumPy arrays are row-major)."""


strided = layout._make("strided")
sparse_coo = layout._make("sparse_coo")
contiguous_format = memory_format._make("contiguous_format")
channels_last = memory_format._make("channels_last")
channels_last_3d = memory_format._make("channels_last_3d")
preserve_format = memory_format._make("preserve_format")


def range(start: float = 0, end: float | None = None, step: float = 1, *, out: Any = None,  # noqa: A001
          dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Deprecated (use ``arange``): ``start, start + step, ...`` up to ``end`` *included*,
    ``floor((end - start) / step) + 1`` values, in the default float dtype unless ``dtype``
    is given (even for integer arguments, as PyTorch). Warns, as PyTorch does."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if d is _dtype.bool:
        raise RuntimeError("\"range_cpu\" not implemented for 'Bool'")
    start, end, step = (float(v) if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.floor((end - start) / step) + 1
    # start + i * step in double, then cast (PyTorch's accumulate type)
    values = (start + np.arange(n, dtype=np.float64) * step).astype(d.np)
    result = Tensor._wrap(values, requires_grad=requires_grad)
    return result if out is None else inplace.write_out(out, result, "range")


def get_device(input: Tensor) -> int:  # noqa: A002
    """The CUDA device index of ``input``; -1 for a CPU tensor (every tensor here)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"get_device(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    return input.get_device()


def is_inference(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` is an inference tensor (made in ``inference_mode``)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_inference(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_inference()


is_inference_mode_enabled = engine.is_inference_mode_enabled

_TENSOR_TYPES = {"torch.FloatTensor": _dtype.float32, "torch.DoubleTensor": _dtype.float64,
                 "torch.HalfTensor": _dtype.float16}


def set_default_tensor_type(t: Any) -> None:
    """Deprecated (use ``set_default_dtype``): the default floating type from a legacy tensor
    type (``torch.DoubleTensor``) or its name (``'torch.DoubleTensor'``)."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else f"torch.{getattr(t, '__name__', t)}"
    d = _TENSOR_TYPES.get(name)
    if d is None:
        raise TypeError(f"set_default_tensor_type: only floating-point types are supported as "
                        f"the default type (got {t!r})")
    _dtype.set_default_dtype(d)
