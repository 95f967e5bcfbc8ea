"""Parameter: a Tensor that a Module registers as learnable (``torch.nn.Parameter``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from .._dtype import is_float_np
from ..tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A leaf Tensor that is registered as a parameter when assigned to a Module attribute.

    ``Parameter(data=None, requires_grad=True)``: shares ``data``'s memory (and version counter);
    ``data=None`` gives an empty float tensor of shape (0,). Ops on a Parameter return plain
    Tensors; in-place updates (``p.add_``, ``p.data = ...``) keep it a Parameter.
    """

    __slots__ = ()

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> Parameter:
        # Built directly on the slots (no Tensor.__init__ copy): parameters wrap existing memory.
        if data is None:
            arr = np.empty((0,), dtype=_dtype.get_default_dtype().np)
            vc = None
        elif isinstance(data, Tensor):
            arr = data._data
            vc = data._vc if data._vc is not None else data._new_vc()
        else:
            arr = np.asarray(data)
            vc = None
        if requires_grad and not is_float_np(arr.dtype):
            raise RuntimeError(f"Parameter: only Tensors of floating point dtype can require "
                               f"gradients, got {_dtype.from_numpy_dtype(arr.dtype)}")
        return Tensor._wrap(arr, bool(requires_grad), cls, vc)

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(self._data.copy(), self.requires_grad)
        if self.grad is not None:
            new.grad = Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marker (as ``torch.nn.Buffer``): assigning ``Buffer(t)`` to a Module attribute registers
    ``t`` as a buffer (``persistent=True`` by default)."""

    __slots__ = ("persistent",)

    def __new__(cls, data: Any, *, persistent: bool = True) -> Buffer:
        arr = data._data if isinstance(data, Tensor) else np.asarray(data)
        t = Tensor._wrap(arr, cls=cls)
        t.persistent = persistent
        return t

    def __init__(self, data: Any, *, persistent: bool = True) -> None:
        pass
