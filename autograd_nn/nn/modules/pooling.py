"""Pooling modules: max, average and adaptive pooling over 1-3 spatial dims."""

from __future__ import annotations

from typing import Any, Sequence, Union

from ...tensor import Tensor
from .._functional import pooling as P
from .._functional.conv import ntuple
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
           "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "FractionalMaxPool2d", "FractionalMaxPool3d"]

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


class AdaptiveAvgPool3d(_AdaptivePool):
    """Adaptive mean: (N, C, D, H, W) -> (N, C, *output_size) (None keeps a dim)."""

    _fn = staticmethod(P.adaptive_avg_pool3d)


class AdaptiveMaxPool3d(_AdaptiveMax):
    """Adaptive max: (N, C, D, H, W) -> (N, C, *output_size)."""

    _fn = staticmethod(P.adaptive_max_pool3d)


class _MaxUnpoolNd(Module):
    _nd = 0

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        self.kernel_size = ntuple(kernel_size, nd, "kernel_size", name)
        self.stride = ntuple(stride if stride is not None else kernel_size, nd, "stride", name)
        self.padding = ntuple(padding, nd, "padding", name)

    def forward(self, input: Tensor, indices: Tensor,  # noqa: A002
                output_size: Sequence[int] | None = None) -> Tensor:
        return P._max_unpoolnd(f"max_unpool{self._nd}d", self._nd, input, indices,
                               self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Inverse of MaxPool1d at its indices: (N, C, L_in) -> (N, C, L_out), zeros elsewhere."""

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Inverse of MaxPool2d at its indices: (N, C, H, W) -> (N, C, H_out, W_out)."""

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Inverse of MaxPool3d at its indices: (N, C, D, H, W) -> (N, C, D', H', W')."""

    _nd = 3


class _FractionalMaxPoolNd(Module):
    _nd = 0

    def __init__(self, kernel_size: IntOrTuple, output_size: IntOrTuple | None = None,
                 output_ratio: Any = None, return_indices: bool = False,
                 _random_samples: Tensor | None = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        self.kernel_size = ntuple(kernel_size, nd, "kernel_size", name)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = None if output_size is None else ntuple(output_size, nd,
                                                                   "output_size", name)
        self.output_ratio = None if output_ratio is None else (
            tuple(output_ratio) if isinstance(output_ratio, (list, tuple))
            else (output_ratio,) * nd)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             f"ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return P._fractional_max(f"fractional_max_pool{self._nd}d", self._nd, input,
                                 self.kernel_size, self.output_size, self.output_ratio,
                                 self.return_indices, self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling: (N, C, H, W) -> (N, C, *output_size) (or the input size times
    ``output_ratio``), windows at pseudo-random starts (``_random_samples`` (N, C, 2) fixes
    them; otherwise drawn per call)."""

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling over (N, C, T, H, W); ``_random_samples`` (N, C, 3)."""

    _nd = 3
