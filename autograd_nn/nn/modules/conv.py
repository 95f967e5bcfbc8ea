"""Convolution modules: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` (one base class)."""

from __future__ import annotations

import math
from typing import Any, Sequence, Union

from ..._ops.shape import pad as _pad
from ...tensor import Tensor
from .. import init
from .._functional.conv import _conv_transposend, _convnd, ntuple
from .linear import weight_and_bias
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

IntOrTuple = Union[int, Sequence[int]]
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Shared constructor, init and repr of the conv layers; ``_nd`` is the spatial rank."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple,
                 stride: IntOrTuple = 1, padding: IntOrTuple | str = 0,
                 dilation: IntOrTuple = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", output_padding: IntOrTuple = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {list(_PADDING_MODES)}, but "
                             f"got padding_mode='{padding_mode}'")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f"Only 'zeros' padding mode is supported for {name}")
        if self._transposed and isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple of ints, got "
                             f"'{padding}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ntuple(kernel_size, nd, "kernel_size", name)
        self.stride = ntuple(stride, nd, "stride", name)
        self.dilation = ntuple(dilation, nd, "dilation", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: Invalid padding string '{padding}', should be one of "
                                 f"['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions")
            self.padding = padding
        else:
            self.padding = ntuple(padding, nd, "padding", name)
        self.output_padding = ntuple(output_padding, nd, "output_padding", name)
        self.groups = groups
        self.padding_mode = padding_mode
        self.transposed = self._transposed
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        weight_and_bias(self, shape, bias, dtype, device, bias_size=out_channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's default: kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)), bias alike
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _explicit_padding(self) -> list:
        """F.pad's (last dim first) list for a non-zeros padding_mode."""
        if self.padding == "valid":
            pads = [(0, 0)] * self._nd
        elif self.padding == "same":
            tot = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pads = [(t // 2, t - t // 2) for t in tot]
        else:
            pads = [(p, p) for p in self.padding]
        return [v for lo_hi in reversed(pads) for v in lo_hi]

    def extra_repr(self) -> str:
        nd = self._nd
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"  # PyTorch prints 'same' unquoted
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple,
                 stride: IntOrTuple = 1, padding: IntOrTuple | str = 0,
                 dilation: IntOrTuple = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, 0, device, dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        name = f"conv{self._nd}d"
        if self.padding_mode != "zeros":
            input = _pad(input, self._explicit_padding(), mode=self.padding_mode)
            return _convnd(name, self._nd, input, self.weight, self.bias, self.stride, 0,
                           self.dilation, self.groups)
        return _convnd(name, self._nd, input, self.weight, self.bias, self.stride, self.padding,
                       self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution. input (N, C_in, L) -> (N, C_out, L_out); weight
    (C_out, C_in/groups, k) and bias (C_out,) start U(+-1/sqrt(C_in/groups * k))."""

    _nd = 1


class Conv2d(_Conv):
    """2-D convolution. input (N, C_in, H, W) -> (N, C_out, H_out, W_out), H_out =
    (H + 2 pad - dil (kH - 1) - 1) // stride + 1; weight (C_out, C_in/groups, kH, kW).
    ``padding`` may be an int, a pair, 'same' or 'valid'; ``padding_mode`` 'zeros',
    'reflect', 'replicate' or 'circular'; ``groups=C_in`` gives a depthwise conv."""

    _nd = 2


class Conv3d(_Conv):
    """3-D convolution. input (N, C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out)."""

    _nd = 3


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrTuple,
                 stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                 output_padding: IntOrTuple = 0, groups: int = 1, bias: bool = True,
                 dilation: IntOrTuple = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device, dtype)

    def forward(self, input: Tensor,  # noqa: A002
                output_size: Sequence[int] | None = None) -> Tensor:
        return _conv_transposend(f"conv_transpose{self._nd}d", self._nd, input, self.weight,
                                 self.bias, self.stride, self.padding, self.output_padding,
                                 self.groups, self.dilation, output_size)


class ConvTranspose1d(_ConvTranspose):
    """Transposed 1-D conv. input (N, C_in, L) -> (N, C_out, L_out), L_out =
    (L - 1) stride - 2 pad + dil (k - 1) + output_padding + 1; weight (C_in, C_out/groups, k)."""

    _nd = 1


class ConvTranspose2d(_ConvTranspose):
    """Transposed 2-D conv (the gradient of Conv2d w.r.t. its input). input (N, C_in, H, W) ->
    (N, C_out, H_out, W_out); weight (C_in, C_out/groups, kH, kW); ``forward(x, output_size)``
    picks output_padding to reach ``output_size``."""

    _nd = 2


class ConvTranspose3d(_ConvTranspose):
    """Transposed 3-D conv. input (N, C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out)."""

    _nd = 3
