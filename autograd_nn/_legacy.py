"""PyTorch's legacy typed-tensor constructors (``torch.LongTensor([1, 2])``,
``torch.FloatTensor(2, 3)``) and ``isinstance`` checks against them
(``isinstance(x, torch.LongTensor)`` is True for an int64 tensor only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from ._creation import tensor
from .tensor import Size, Tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


class _LegacyTensorType(type):
    """Metaclass: calling the class builds a tensor of its dtype; ``isinstance`` checks the
    dtype."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        d = cls._dtype
        if len(args) == 1 and isinstance(args[0], Tensor):
            src = args[0]
            if src.dtype is not d:
                raise TypeError(f"{cls.__name__}(): expected {d.name} (got {src.dtype.name})")
            return src.detach()
        if not args:
            return Tensor._wrap(np.empty((0,), d.np))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
                (len(args) == 1 and isinstance(args[0], Size)):
            shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
            if any(s < 0 for s in shape):
                raise RuntimeError(f"{cls.__name__}(): Trying to create tensor with negative "
                                   f"dimension: {list(shape)}")
            return Tensor._wrap(np.zeros(shape, d.np))  # zeros: "uninitialised" made safe
        if len(args) == 1:
            return tensor(args[0], dtype=d)
        raise TypeError(f"{cls.__name__}(): expected a sequence of data or sizes (ints), got "
                        f"({', '.join(type(a).__name__ for a in args)})")

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _make(name: str, d: _dtype.dtype) -> type:
    # ``dtype`` (the NumPy dtype) lets ``x.type(torch.LongTensor)`` and ``x.to(...)`` resolve
    # the class through NumPy's dtype protocol
    return _LegacyTensorType(name, (), {"_dtype": d, "dtype": d.np, "is_legacy": True,
                                        "__doc__": f"Legacy constructor: a {d.name} tensor."})


FloatTensor = _make("FloatTensor", _dtype.float32)
DoubleTensor = _make("DoubleTensor", _dtype.float64)
HalfTensor = _make("HalfTensor", _dtype.float16)
LongTensor = _make("LongTensor", _dtype.int64)
IntTensor = _make("IntTensor", _dtype.int32)
ShortTensor = _make("ShortTensor", _dtype.int16)
CharTensor = _make("CharTensor", _dtype.int8)
ByteTensor = _make("ByteTensor", _dtype.uint8)
BoolTensor = _make("BoolTensor", _dtype.bool)
