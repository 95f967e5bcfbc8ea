"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum.

Each takes a list of tensors (same shape, except along ``axis`` for Concatenate)."""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from ..._ops.shape import cat, stack
from ...tensor import Tensor
from .base import Layer, Shape

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum"]


class _Merge(Layer):
    supports_masking = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"A merge layer ({type(self).__name__}) should be called on a list "
                             f"of at least 2 inputs. Got input shape {input_shape}")
        self._check_shapes(input_shape)

    def _check_shapes(self, shapes: list) -> None:
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(f"{type(self).__name__} '{self.name}': inputs must have the same "
                             f"rank, got shapes {shapes}")
        for dims in zip(*[s[1:] for s in shapes]):
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes {shapes}")

    def _merge(self, xs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def call(self, inputs: list[Tensor]) -> Tensor:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"A merge layer ({type(self).__name__}) should be called on a "
                             f"list of at least 2 inputs")
        return self._merge(list(inputs))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or all(m is None for m in mask):
            return None
        ms = [np.ones(x.shape[:2], bool) if m is None else np.asarray(m, bool)
              for x, m in zip(inputs, mask)]
        return reduce(np.logical_and, ms)

    def compute_output_shape(self, input_shape: list) -> Shape:
        return tuple(next((d for d in dims if d is not None), None)
                     for dims in zip(*input_shape))


class Add(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a + b, xs)


class Subtract(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        if len(xs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs, got "
                             f"{len(xs)}")
        return xs[0] - xs[1]


class Multiply(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a * b, xs)


class Average(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        return reduce(lambda a, b: a + b, xs) / len(xs)


class Maximum(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        return stack(xs).amax(dim=0)


class Minimum(_Merge):
    def _merge(self, xs: list[Tensor]) -> Tensor:
        return stack(xs).amin(dim=0)


class Concatenate(_Merge):
    """Join the inputs along ``axis`` (default -1, the features)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _check_shapes(self, shapes: list) -> None:
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes "
                             f"except for the concatenation axis. Received: input_shape="
                             f"{shapes}")
        rank = ranks.pop()
        axis = self.axis % rank
        for i, dims in enumerate(zip(*shapes)):
            if i in (0, axis):
                continue
            if len({d for d in dims if d is not None}) > 1:
                raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes "
                                 f"except for the concatenation axis. Received: input_shape="
                                 f"{shapes}")

    def _merge(self, xs: list[Tensor]) -> Tensor:
        return cat(xs, dim=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None or all(m is None for m in mask):
            return None
        if self.axis % inputs[0].ndim == inputs[0].ndim - 1:
            return super().compute_mask(inputs, mask)
        return None

    def compute_output_shape(self, input_shape: list) -> Shape:
        rank = len(input_shape[0])
        axis = self.axis % rank
        out = list(super().compute_output_shape(input_shape))
        sizes = [s[axis] for s in input_shape]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)


def _functional(cls: type) -> Any:
    def fn(inputs: list, **kwargs: Any) -> Any:
        return cls(**kwargs)(inputs)
    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)``."
    return fn


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
