"""``torch.autograd.Variable``: PyTorch's pre-0.4 wrapper, now an alias kept for old code.
``Variable(t, requires_grad=...)`` returns a tensor sharing ``t``'s data (a leaf), and every
tensor is an instance of ``Variable``."""

from __future__ import annotations

from typing import Any

from .._creation import tensor
from ..tensor import Tensor

__all__ = ["Variable", "variable", "is_tensor_like"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)

    def __call__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False
                 ) -> Any:
        if data is None:
            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(bool(requires_grad))


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``: a leaf tensor sharing ``tensor``'s data."""


def variable(*args: Any, **kwargs: Any) -> Any:
    """Deprecated spelling of ``torch.tensor``."""
    return tensor(*args, **kwargs)


def is_tensor_like(inp: Any) -> bool:
    """Whether ``inp`` is a tensor (or overrides ``__torch_function__`` as one)."""
    return isinstance(inp, Tensor) or hasattr(type(inp), "__torch_function__")
