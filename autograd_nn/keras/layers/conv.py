"""Channels-last convolution and pooling layers: Conv2D, DepthwiseConv2D, MaxPooling2D,
AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D.

Data is (N, H, W, C) as in Keras; each layer moves it to (N, C, H, W) for autograd_nn's
convolution and pooling ops and back. 'same' padding is Keras's: total padding
``max((ceil(n / s) - 1) * s + k_eff - n, 0)``, the odd pixel at the end; symmetric padding goes
to the op, asymmetric padding is applied first (zeros for convolutions, edge replication for
pooling, as Keras's torch backend does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...nn import functional as F
from ...tensor import Tensor
from .. import activations
from .base import Layer, Shape

__all__ = ["Conv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D", "MaxPool2D",
           "AvgPool2D", "GlobalAvgPool2D", "GlobalMaxPool2D", "Conv1D", "MaxPooling1D",
           "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MaxPool1D",
           "AvgPool1D", "GlobalAvgPool1D", "GlobalMaxPool1D"]


def _pair(v: Any, name: str, layer: str) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    t = tuple(v)
    if len(t) != 2 or not all(isinstance(i, int) for i in t):
        raise ValueError(f"{layer}: the `{name}` argument must be an int or a tuple of 2 "
                         f"ints, got {v!r}")
    return t  # type: ignore[return-value]


def _check_padding(padding: str, layer: str) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"{layer}: the `padding` argument must be 'valid' or 'same', got "
                         f"{padding!r}")
    return p


def _check_format(data_format: Any, layer: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer}: only data_format='channels_last' is supported here, got "
                         f"{data_format!r}")


def _same_pad(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    k_eff = (k - 1) * d + 1
    total = k_eff - 1 if s == 1 else max(0, ((n + s - 1) // s - 1) * s + k_eff - n)
    return total // 2, total - total // 2


def _out_len(n: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    if n is None:
        return None
    if padding == "same":
        return (n + s - 1) // s
    return (n - ((k - 1) * d + 1)) // s + 1


def _to_nchw(x: Tensor) -> Tensor:
    return x.permute(0, 3, 1, 2)


def _to_nhwc(x: Tensor) -> Tensor:
    return x.permute(0, 2, 3, 1)


def _check_input(layer: Layer, x: Tensor, channels: int | None) -> None:
    if x.ndim != 4:
        raise ValueError(f"Input 0 of layer '{layer.name}' ({type(layer).__name__}) is "
                         f"incompatible with the layer: expected ndim=4 (batch, height, width, "
                         f"channels), found ndim={x.ndim}. Full shape received: "
                         f"{tuple(x.shape)}")
    if channels is not None and x.shape[-1] != channels:
        raise ValueError(f"Input 0 of layer '{layer.name}' ({type(layer).__name__}) is "
                         f"incompatible with the layer: expected axis -1 of input shape to "
                         f"have value {channels}, but received input with shape "
                         f"{tuple(x.shape)}")


class _Conv(Layer):
    def _conv(self, x: Tensor, weight: Tensor, bias: Tensor | None, groups: int) -> Tensor:
        xc = _to_nchw(x)
        pad: Any = 0
        if self.padding == "same":
            pads = [_same_pad(xc.shape[2 + i], self.kernel_size[i], self.strides[i],
                              self.dilation_rate[i]) for i in range(2)]
            if all(a == b for a, b in pads):
                pad = (pads[0][0], pads[1][0])
            else:
                xc = F.pad(xc, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
        y = F.conv2d(xc, weight, bias, stride=self.strides, padding=pad,
                     dilation=self.dilation_rate, groups=groups)
        return self.activation(_to_nhwc(y))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, h, w, _ = input_shape
        return (n, _out_len(h, self.kernel_size[0], self.strides[0], self.dilation_rate[0],
                            self.padding),
                _out_len(w, self.kernel_size[1], self.strides[1], self.dilation_rate[1],
                         self.padding), self._out_channels())


class Conv2D(_Conv):
    """2-D convolution on (N, H, W, C) data.

    Weights: ``kernel`` (kh, kw, C / groups, filters), ``bias`` (filters,).
    Output (N, H', W', filters); H' = ceil(H / s) with 'same', (H - k_eff) // s + 1 'valid'.
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _check_format(data_format, "Conv2D")
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = _pair(strides, "strides", "Conv2D")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate", "Conv2D")
        self.padding = _check_padding(padding, "Conv2D")
        self.groups = groups
        self._kernel_layer_options(activation, use_bias, kernel_initializer, bias_initializer,
                                   kernel_regularizer, bias_regularizer, kernel_constraint,
                                   bias_constraint)

    def _out_channels(self) -> int:
        return self.filters

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"Input 0 of layer '{self.name}' (Conv2D) is incompatible with "
                             f"the layer: expected ndim=4, found ndim={len(input_shape)}. Full "
                             f"shape received: {input_shape}")
        cin = input_shape[-1]
        if cin % self.groups or self.filters % self.groups:
            raise ValueError(f"Conv2D '{self.name}': the number of input channels ({cin}) and "
                             f"filters ({self.filters}) must be divisible by groups "
                             f"({self.groups})")
        self.add_weight("kernel", self.kernel_size + (cin // self.groups, self.filters),
                        self.kernel_initializer, self.kernel_regularizer,
                        constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            self.bias_regularizer, constraint=self.bias_constraint)

    def call(self, inputs: Tensor) -> Tensor:
        _check_input(self, inputs, self.kernel.shape[2] * self.groups)
        return self._conv(inputs, self.kernel.permute(3, 2, 0, 1),
                          self.bias if self.use_bias else None, self.groups)


class DepthwiseConv2D(_Conv):
    """Per-channel 2-D convolution (``depth_multiplier`` filters per input channel).

    Weights: ``kernel`` (kh, kw, C, depth_multiplier), ``bias`` (C * depth_multiplier,).
    """

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        _check_format(data_format, "DepthwiseConv2D")
        self.kernel_size = _pair(kernel_size, "kernel_size", "DepthwiseConv2D")
        self.strides = _pair(strides, "strides", "DepthwiseConv2D")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate", "DepthwiseConv2D")
        self.padding = _check_padding(padding, "DepthwiseConv2D")
        self.depth_multiplier = depth_multiplier
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer, self.bias_initializer = depthwise_initializer, \
            bias_initializer
        self.depthwise_regularizer, self.bias_regularizer = depthwise_regularizer, \
            bias_regularizer
        self.depthwise_constraint, self.bias_constraint = depthwise_constraint, bias_constraint
        self._channels: int | None = None
        if self._input_shape_arg is not None:
            self._maybe_build(self._input_shape_arg)

    def _out_channels(self) -> int:
        return (self._channels or 0) * self.depth_multiplier

    def build(self, input_shape: Shape) -> None:
        self._channels = input_shape[-1]
        self.add_weight("kernel", self.kernel_size + (self._channels, self.depth_multiplier),
                        self.depthwise_initializer, self.depthwise_regularizer,
                        constraint=self.depthwise_constraint)
        if self.use_bias:
            self.add_weight("bias", (self._channels * self.depth_multiplier,),
                            self.bias_initializer, self.bias_regularizer,
                            constraint=self.bias_constraint)

    def call(self, inputs: Tensor) -> Tensor:
        _check_input(self, inputs, self._channels)
        kh, kw, c, m = self.kernel.shape
        weight = self.kernel.reshape(kh, kw, 1, c * m).permute(3, 2, 0, 1)
        return self._conv(inputs, weight, self.bias if self.use_bias else None, c)


class _Pool2D(Layer):
    _kind = "max"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        name = type(self).__name__
        _check_format(data_format, name)
        self.pool_size = _pair(pool_size, "pool_size", name)
        self.strides = self.pool_size if strides is None else _pair(strides, "strides", name)
        self.padding = _check_padding(padding, name)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        _check_input(self, inputs, None)
        x = _to_nchw(inputs)
        pad: Any = 0
        if self.padding == "same":
            pads = [_same_pad(x.shape[2 + i], self.pool_size[i], self.strides[i])
                    for i in range(2)]
            if all(a == b for a, b in pads):
                pad = (pads[0][0], pads[1][0])
            else:
                x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]),
                          mode="replicate")
        if self._kind == "max":
            y = F.max_pool2d(x, self.pool_size, self.strides, padding=pad)
        else:
            y = F.avg_pool2d(x, self.pool_size, self.strides, padding=pad,
                             count_include_pad=False)
        return _to_nhwc(y)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, h, w, c = input_shape
        return (n, _out_len(h, self.pool_size[0], self.strides[0], 1, self.padding),
                _out_len(w, self.pool_size[1], self.strides[1], 1, self.padding), c)


class MaxPooling2D(_Pool2D):
    """Max over ``pool_size`` windows (default stride = pool_size) of (N, H, W, C) data."""

    _kind = "max"


class AveragePooling2D(_Pool2D):
    """Mean over ``pool_size`` windows; 'same' padding averages only the real pixels."""

    _kind = "avg"


class _GlobalPool2D(Layer):
    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format, type(self).__name__)
        self.keepdims = keepdims
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, _, _, c = input_shape
        return (n, 1, 1, c) if self.keepdims else (n, c)


class GlobalAveragePooling2D(_GlobalPool2D):
    """(N, H, W, C) -> (N, C): the mean over H and W (``keepdims``: (N, 1, 1, C))."""

    def call(self, inputs: Tensor) -> Tensor:
        _check_input(self, inputs, None)
        return inputs.mean(dim=(1, 2), keepdim=self.keepdims)


class GlobalMaxPooling2D(_GlobalPool2D):
    """(N, H, W, C) -> (N, C): the max over H and W."""

    def call(self, inputs: Tensor) -> Tensor:
        _check_input(self, inputs, None)
        return inputs.amax(dim=(1, 2), keepdim=self.keepdims)


class ZeroPadding2D(Layer):
    """Pad H and W with zeros: ``padding`` an int, (h, w) or ((top, bottom), (left, right))."""

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format, "ZeroPadding2D")
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        elif all(isinstance(p, int) for p in padding):
            padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        self.padding = tuple(tuple(int(v) for v in p) for p in padding)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        (t, b), (left, r) = self.padding
        return F.pad(inputs, (0, 0, left, r, t, b))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, h, w, c = input_shape
        (t, b), (left, r) = self.padding
        return (n, None if h is None else h + t + b, None if w is None else w + left + r, c)


MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D


# ------------------------------------------------------------------------ 1-D (sequences)
class Conv1D(Conv2D):
    """1-D convolution over time on (N, T, C) data: a Conv2D on (N, 1, T, C).

    Weights: ``kernel`` (k, C / groups, filters), ``bias`` (filters,).
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, **kwargs: Any) -> None:
        if str(padding).lower() == "causal":
            raise NotImplementedError("Conv1D: padding='causal' is not supported")
        super().__init__(filters, (1, _one(kernel_size)), (1, _one(strides)), padding,
                         data_format, (1, _one(dilation_rate)), groups, activation, use_bias,
                         **kwargs)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"Input 0 of layer '{self.name}' (Conv1D) is incompatible with "
                             f"the layer: expected ndim=3, found ndim={len(input_shape)}. Full "
                             f"shape received: {input_shape}")
        super().build((input_shape[0], 1) + tuple(input_shape[1:]))
        k = self._parameters["kernel"]
        k._data = k._data[0]  # (1, k, cin, f) -> (k, cin, f): Keras's Conv1D kernel

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != 3:
            raise ValueError(f"Input 0 of layer '{self.name}' (Conv1D) is incompatible with the "
                             f"layer: expected ndim=3 (batch, steps, channels), found "
                             f"ndim={inputs.ndim}")
        x = inputs.unsqueeze(1)
        _check_input(self, x, self.kernel.shape[1] * self.groups)
        out = self._conv(x, self.kernel.unsqueeze(0).permute(3, 2, 0, 1),
                         self.bias if self.use_bias else None, self.groups)
        return out.squeeze(1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, t, c = input_shape
        out = super().compute_output_shape((n, 1, t, c))
        return (out[0], out[2], out[3])


def _one(v: Any) -> int:
    if isinstance(v, int):
        return v
    t = tuple(v)
    if len(t) != 1:
        raise ValueError(f"a 1-D layer takes an int or a 1-tuple, got {v!r}")
    return int(t[0])


class _Pool1D(_Pool2D):
    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        p = _one(pool_size)
        s = p if strides is None else _one(strides)
        super().__init__((1, p), (1, s), padding, data_format, **kwargs)

    def call(self, inputs: Tensor) -> Tensor:
        return super().call(inputs.unsqueeze(1)).squeeze(1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, t, c = input_shape
        out = super().compute_output_shape((n, 1, t, c))
        return (out[0], out[2], out[3])


class MaxPooling1D(_Pool1D):
    """Max over ``pool_size`` steps of (N, T, C) data."""

    _kind = "max"


class AveragePooling1D(_Pool1D):
    """Mean over ``pool_size`` steps of (N, T, C) data."""

    _kind = "avg"


class GlobalAveragePooling1D(Layer):
    """(N, T, C) -> (N, C): the mean over time; with a mask, over the unmasked steps only."""

    supports_masking = True

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format, "GlobalAveragePooling1D")
        self.keepdims = keepdims
        self.built = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return inputs.mean(dim=1, keepdim=self.keepdims)
        m = Tensor._wrap(np.asarray(mask, inputs._data.dtype)[:, :, None])
        return (inputs * m).sum(dim=1, keepdim=self.keepdims) / m.sum(dim=1,
                                                                     keepdim=self.keepdims)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, _, c = input_shape
        return (n, 1, c) if self.keepdims else (n, c)


class GlobalMaxPooling1D(Layer):
    """(N, T, C) -> (N, C): the max over time."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format, "GlobalMaxPooling1D")
        self.keepdims = keepdims
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.amax(dim=1, keepdim=self.keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, _, c = input_shape
        return (n, 1, c) if self.keepdims else (n, c)


MaxPool1D, AvgPool1D = MaxPooling1D, AveragePooling1D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
