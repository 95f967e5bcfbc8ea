"""BatchNormalization and LayerNormalization with Keras's weights and defaults."""

from __future__ import annotations

from typing import Any

from ...autograd import inplace
from ...tensor import Tensor
from .base import Layer, Shape

__all__ = ["BatchNormalization", "LayerNormalization"]


class BatchNormalization(Layer):
    """Normalise over every axis but ``axis`` (the channels, last by default).

    Training: batch mean and (biased) variance; the moving statistics follow
    ``moving = moving * momentum + batch * (1 - momentum)``. Inference (and whenever the layer
    is frozen with ``trainable = False``, as in Keras 3): the moving statistics.
    Weights: gamma, beta (trainable), moving_mean, moving_variance, each (C,).
    """

    supports_masking = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self._inits = (gamma_initializer, beta_initializer, moving_mean_initializer,
                       moving_variance_initializer)
        self._regs = (gamma_regularizer, beta_regularizer)
        self._cons = (gamma_constraint, beta_constraint)
        if self._input_shape_arg is not None:
            self._maybe_build(self._input_shape_arg)

    def build(self, input_shape: Shape) -> None:
        axis = self.axis % len(input_shape)
        c = input_shape[axis]
        if c is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} of the input "
                             f"shape {input_shape} must be known")
        self._axis = axis
        if self.scale:
            self.add_weight("gamma", (c,), self._inits[0], self._regs[0],
                            constraint=self._cons[0])
        if self.center:
            self.add_weight("beta", (c,), self._inits[1], self._regs[1],
                            constraint=self._cons[1])
        self.add_weight("moving_mean", (c,), self._inits[2], trainable=False)
        self.add_weight("moving_variance", (c,), self._inits[3], trainable=False)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        ndim = inputs.ndim
        reduce = tuple(i for i in range(ndim) if i != self._axis)
        shape = [1] * ndim
        shape[self._axis] = inputs.shape[self._axis]
        if training and self._trainable:
            mean = inputs.mean(dim=reduce, keepdim=True)
            var = ((inputs - mean) ** 2).mean(dim=reduce, keepdim=True)
            m = self.momentum
            self.moving_mean._data *= m
            self.moving_mean._data += (1 - m) * mean._data.reshape(-1)
            self.moving_variance._data *= m
            self.moving_variance._data += (1 - m) * var._data.reshape(-1)
            inplace.bump_version(self.moving_mean)
            inplace.bump_version(self.moving_variance)
        else:
            mean = self.moving_mean.reshape(shape)
            var = self.moving_variance.reshape(shape)
        y = (inputs - mean) * (var + self.epsilon).rsqrt()
        if self.scale:
            y = y * self.gamma.reshape(shape)
        if self.center:
            y = y + self.beta.reshape(shape)
        return y

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


class LayerNormalization(Layer):
    """Normalise each sample over ``axis`` (last by default): weights gamma, beta."""

    supports_masking = True

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, float(epsilon)
        self.center, self.scale = center, scale
        self._inits = (gamma_initializer, beta_initializer)

    def build(self, input_shape: Shape) -> None:
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        self._axes = tuple(sorted(a % len(input_shape) for a in axes))
        shape = tuple(input_shape[a] for a in self._axes)
        if self.scale:
            self.add_weight("gamma", shape, self._inits[0])
        if self.center:
            self.add_weight("beta", shape, self._inits[1])

    def call(self, inputs: Tensor) -> Tensor:
        mean = inputs.mean(dim=self._axes, keepdim=True)
        var = ((inputs - mean) ** 2).mean(dim=self._axes, keepdim=True)
        y = (inputs - mean) * (var + self.epsilon).rsqrt()
        bshape = [inputs.shape[i] if i in self._axes else 1 for i in range(inputs.ndim)]
        if self.scale:
            y = y * self.gamma.reshape(bshape)
        if self.center:
            y = y + self.beta.reshape(bshape)
        return y

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return input_shape


