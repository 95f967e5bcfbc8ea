"""Core layers: Dense, Dropout, Flatten, Activation, Reshape, ReLU, Softmax, LeakyReLU."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...nn import functional as F
from ...random import _gen
from ...tensor import Tensor
from .. import activations
from .base import Layer, Shape

__all__ = ["Dense", "Dropout", "Flatten", "Activation", "Reshape", "ReLU", "Softmax",
           "LeakyReLU", "Identity", "Lambda", "Rescaling", "Permute", "RepeatVector"]


def _check_rank(layer: Layer, shape: Shape, min_rank: int) -> None:
    if len(shape) < min_rank:
        raise ValueError(f"Input 0 of layer '{layer.name}' ({type(layer).__name__}) is "
                         f"incompatible with the layer: expected min_ndim={min_rank}, found "
                         f"ndim={len(shape)}. Full shape received: {shape}")


class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` on the last axis.

    Weights: ``kernel`` (in, units) (glorot_uniform), ``bias`` (units,) (zeros).
    Input (..., in) -> output (..., units).
    """

    supports_masking = True

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        self.units = int(units)
        self._kernel_layer_options(activation, use_bias, kernel_initializer, bias_initializer,
                                   kernel_regularizer, bias_regularizer, kernel_constraint,
                                   bias_constraint)

    def build(self, input_shape: Shape) -> None:
        _check_rank(self, input_shape, 2)
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"Dense '{self.name}': the last dimension of the inputs must be "
                             f"known, got input shape {input_shape}")
        self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                        self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                            constraint=self.bias_constraint)

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Input 0 of layer '{self.name}' (Dense) is incompatible with the "
                             f"layer: expected axis -1 of input shape to have value "
                             f"{self.kernel.shape[0]}, but received input with shape "
                             f"{tuple(inputs.shape)}")
        y = inputs @ self.kernel
        if self.use_bias:
            y = y + self.bias
        return self.activation(y)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape[:-1]) + (self.units,)

    def extra_repr(self) -> str:
        return f"name={self.name!r}, units={self.units}"


class Dropout(Layer):
    """Zero each input with probability ``rate`` in training and scale the rest by
    1 / (1 - rate); the identity in inference. ``noise_shape`` shares the mask along the
    dims given as 1."""

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self.built = True

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return F.dropout(inputs, self.rate, training=True)
        shape = [inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        keep = (_gen().random(shape) >= self.rate).astype(inputs._data.dtype)
        return inputs * Tensor._wrap(keep / (1 - self.rate))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1*d2*...), in channels-last (row-major) order."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        n = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], n)


class Activation(Layer):
    """Apply an activation (a name or a callable) elementwise."""

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Identity(Layer):
    supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if -1 in self.target_shape:
            known = int(np.prod([d for d in self.target_shape if d != -1]))
            rest = input_shape[1:]
            total = None if any(d is None for d in rest) else int(np.prod(rest))
            fill = None if total is None else total // known
            return (input_shape[0],) + tuple(fill if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self.target_shape


class ReLU(Layer):
    """Keras's ReLU layer: ``max_value`` cap, ``negative_slope`` below ``threshold``."""

    supports_masking = True

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if self.max_value == 6.0 and not self.negative_slope and not self.threshold:
            return F.relu6(inputs)
        return activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class LeakyReLU(Layer):
    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Softmax(Layer):
    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.built = True

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:
            inputs = inputs.masked_fill(Tensor._wrap(~np.asarray(mask, bool)), -1e9)
        return F.softmax(inputs, dim=self.axis)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Lambda(Layer):
    """Wrap a function of Tensors as a layer: ``Lambda(lambda x: x ** 2)``. Its output shape
    is found by running it (or given as ``output_shape``, without the batch dim)."""

    def __init__(self, function: Any, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, got {function!r}")
        self.function, self.arguments = function, dict(arguments or {})
        self._given_shape = output_shape
        self.built = True

    def call(self, inputs: Any) -> Any:
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._given_shape is not None:
            if callable(self._given_shape):
                return self._given_shape(input_shape)
            return (input_shape[0],) + tuple(self._given_shape)
        return self._probe_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        raise ValueError(f"Lambda layer '{self.name}' wraps Python code and cannot be saved "
                         f"into a config; save the weights (save_weights) instead")


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1 / 255)``)."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class Permute(Layer):
    """Permute the non-batch dims: ``dims`` is 1-based, e.g. (2, 1) swaps the first two."""

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)


class RepeatVector(Layer):
    """(N, F) -> (N, n, F): repeat the input ``n`` times."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = int(n)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != 2:
            raise ValueError(f"RepeatVector '{self.name}': expected a 2-D input, got shape "
                             f"{tuple(inputs.shape)}")
        return inputs.unsqueeze(1).expand(inputs.shape[0], self.n, inputs.shape[1])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.n, input_shape[1])
