"""Affine layers: ``Identity``, ``Linear``, ``Bilinear`` (as torch.nn)."""

from __future__ import annotations

import math
from typing import Any

from ... import _creation
from ...tensor import Tensor
from .. import init
from .._functional.linear import bilinear, linear
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


def weight_and_bias(module: Module, shape: tuple, bias: bool, dtype: Any, device: Any,
                    bias_size: int | None = None) -> None:
    """Give ``module`` an uninitialised ``weight`` Parameter of ``shape`` and a ``bias`` of
    ``bias_size`` (default ``shape[0]``), or register ``bias`` as None (its
    ``reset_parameters`` fills them)."""
    module.weight = Parameter(_creation.empty(*shape, dtype=dtype, device=device))
    if bias:
        n = shape[0] if bias_size is None else bias_size
        module.bias = Parameter(_creation.empty(n, dtype=dtype, device=device))
    else:
        module.register_parameter("bias", None)


class Identity(Module):
    """Returns its input unchanged; accepts (and ignores) any constructor arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Shapes: input (*, in_features) -> output (*, out_features). ``weight`` (out_features,
    in_features) and ``bias`` (out_features,) start as U(-1/sqrt(in_features),
    1/sqrt(in_features)), PyTorch's default.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        weight_and_bias(self, (out_features, in_features), bias, dtype, device)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_(a=sqrt(5)) gives bound = 1/sqrt(fan_in), as PyTorch
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1 @ weight[k] @ x2 + bias[k]`` for each output k.

    Shapes: input1 (*, in1_features), input2 (*, in2_features) -> (*, out_features).
    Init U(-1/sqrt(in1_features), 1/sqrt(in1_features)) for weight and bias.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        weight_and_bias(self, (out_features, in1_features, in2_features), bias, dtype, device)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
