"""Pooling modules: max, average and adaptive pooling over 1-3 spatial dims."""

from __future__ import annotations

from typing import Any, Sequence, Union

from ...tensor import Tensor
from .._functional import pooling as P
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]

IntOrTuple = Union[int, Sequence[int]]


class _MaxPoolNd(Module):
    _fn: Any = None

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, dilation: IntOrTuple = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max over windows: (N, C, L) -> (N, C, L_out); stride defaults to kernel_size."""

    _fn = staticmethod(P.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max over windows: (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel_size;
    ``return_indices`` also returns flat (H*W) arg-max indices, as PyTorch."""

    _fn = staticmethod(P.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max over windows: (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""

    _fn = staticmethod(P.max_pool3d)


class _AvgPoolNd(Module):
    _fn: Any = None

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return P._avg_poolnd(f"avg_pool{self._nd}d", self._nd, input, self.kernel_size,
                             self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                             self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Mean over windows: (N, C, L) -> (N, C, L_out)."""

    _nd = 1

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        one = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731 (PyTorch's repr)
        super().__init__(one(kernel_size), one(stride if stride is not None else kernel_size),
                         one(padding), ceil_mode, count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """Mean over windows: (N, C, H, W) -> (N, C, H_out, W_out); zero padding counts in the
    divisor when ``count_include_pad``; ``divisor_override`` replaces the divisor."""

    _nd = 2


class AvgPool3d(_AvgPoolNd):
    """Mean over windows: (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""

    _nd = 3


class _AdaptivePool(Module):
    _fn: Any = None

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Adaptive mean: (N, C, L) -> (N, C, output_size)."""

    _fn = staticmethod(P.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Adaptive mean: (N, C, H, W) -> (N, C, *output_size) (None keeps a dim)."""

    _fn = staticmethod(P.adaptive_avg_pool2d)


class _AdaptiveMax(_AdaptivePool):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return type(self)._fn(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMax):
    """Adaptive max: (N, C, L) -> (N, C, output_size)."""

    _fn = staticmethod(P.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMax):
    """Adaptive max: (N, C, H, W) -> (N, C, *output_size)."""

    _fn = staticmethod(P.adaptive_max_pool2d)
