"""Functional activations (``F.relu``, ``F.softmax``...), built on the Tensor ops.

Each takes a tensor of any shape and returns one of the same shape (``glu`` halves ``dim``).
``inplace=True`` overwrites the input through the engine's in-place path (version counters and
graph rewiring included), as PyTorch's in-place activations do.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..._ops import elementwise as E
from ..._ops import xp
from ..._ops.elementwise import Where, hardshrink, prelu
from ...autograd import engine
from ...autograd import inplace as _inplace
from ...autograd.engine import Op
from ...random import _gen
from ...tensor import Tensor

__all__ = ["relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "rrelu",
           "rrelu_", "elu",
           "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "hardswish",
           "hardsigmoid",
           "sigmoid", "tanh", "softplus", "softsign", "tanhshrink", "logsigmoid", "threshold",
           "threshold_", "hardshrink", "softshrink", "prelu", "glu", "softmax", "softmin",
           "log_softmax", "normalize"]


class Hardtanh(Op):
    """clamp(x, lo, hi) whose gradient is 0 *at* the bounds too (PyTorch's hardtanh_backward;
    ``clamp``'s gradient is 1 there, so the two are different ops)."""
    grad_fn_name = "HardtanhBackward0"

    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        ctx.bounds = (min_val, max_val)
        # maximum/minimum, not np.clip: np.clip turns bfloat16 (ml_dtypes) into float32
        return np.minimum(np.maximum(x, x.dtype.type(min_val)), x.dtype.type(max_val))

    @staticmethod
    def backward(ctx, g):
        lo, hi = ctx.bounds
        y = ctx.out._data if isinstance(ctx.out, Tensor) else ctx.out
        return g * xp.mask_like((y > lo) & (y < hi), g)


def _composite_inplace(input: Tensor, fn: Any) -> Tensor:  # noqa: A002
    """``input.copy_(fn(input))`` for activations built from several ops: when recording,
    ``fn`` reads a clone, so the overwrite does not invalidate what its backward saved."""
    src = input.clone() if engine.is_grad_enabled() and input.requires_grad else input
    return input.copy_(fn(src))


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(x, 0); gradient 0 at 0."""
    return input.relu_() if inplace else E.Relu.apply(input)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    return input.relu_()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    if inplace:
        return _inplace.apply(input, Hardtanh, min_val=min_val, max_val=max_val)
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return _inplace.apply(input, E.LeakyRelu, negative_slope=negative_slope)
    return E.LeakyRelu.apply(input, negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    return leaky_relu(input, negative_slope, True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: x if x > 0 else a * x, with a ~ U(lower, upper) drawn per element
    from the global generator in training, and a = (lower + upper) / 2 otherwise."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    x = input._data
    slope = _gen().uniform(lower, upper, x.shape).astype(x.dtype, copy=False)
    factor = np.where(x > 0, x.dtype.type(1), slope)  # a constant: the gradient is the factor
    return input.mul_(factor) if inplace else input * factor


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,  # noqa: A002
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x if x > 0 else alpha * (exp(x) - 1)."""
    if inplace:
        return _inplace.apply(input, E.Elu, alpha=alpha)
    return E.Elu.apply(input, alpha=alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """scale * elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return _composite_inplace(input, selu)
    return engine.name_node(E.Elu.apply(input, alpha=_SELU_ALPHA) * _SELU_SCALE, "EluBackward0")


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place :func:`selu`."""
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha must be non-zero")
    if inplace:
        return _composite_inplace(input, lambda x: celu(x, alpha))
    return engine.name_node(E.Elu.apply(input * (1.0 / alpha), alpha=1.0) * alpha, "CeluBackward0")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`celu`."""
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation)."""
    return input.gelu(approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * sigmoid(x)."""
    if inplace:
        return _inplace.apply(input, E.Silu)
    return input.silu()


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * tanh(softplus(x))."""
    if inplace:
        return _composite_inplace(input, mish)
    return engine.name_node(input * E.Softplus.apply(input).tanh(), "MishBackward0")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu6(x + 3) / 6."""
    if inplace:
        return _composite_inplace(input, hardsigmoid)
    return engine.name_node(Hardtanh.apply(input + 3.0, min_val=0.0, max_val=6.0) * (1.0 / 6.0),
                            "HardsigmoidBackward0")


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * relu6(x + 3) / 6."""
    if inplace:
        return _composite_inplace(input, hardswish)
    out = input * Hardtanh.apply(input + 3.0, min_val=0.0, max_val=6.0) * (1.0 / 6.0)
    return engine.name_node(out, "HardswishBackward0")


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + exp(-x)), stable for any x."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold."""
    return E.Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """x / (1 + |x|)."""
    return input / (input.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """x - tanh(x)."""
    return input - input.tanh()


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log(sigmoid(x)) = -softplus(-x), stable for any x."""
    return engine.name_node(-E.Softplus.apply(-input, beta=1.0, threshold=math.inf),
                            "LogSigmoidBackward0")


def threshold(input: Tensor, threshold: float, value: float,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """x if x > threshold else value."""
    out = Where.apply(input._data > threshold, input, value)  # saves only the mask
    return input.copy_(out) if inplace else engine.name_node(out, "ThresholdBackward0")


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    return input.copy_(Where.apply(input._data > threshold, input, value))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x - lambd if x > lambd; x + lambd if x < -lambd; else 0."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be "
                           f"{lambd}.")
    x = input._data
    out = Where.apply(x > lambd, input - lambd, Where.apply(x < -lambd, input + lambd, 0.0))
    return engine.name_node(out, "SoftshrinkBackward0")


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a * sigmoid(b) where (a, b) are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {dim} is size "
                           f"{size}")
    a, b = input.chunk(2, dim)
    return engine.name_node(a * b.sigmoid(), "GluBackward0")


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (computed stably)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return input.softmax(dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return (-input).softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim`` (computed stably)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return input.log_softmax(dim, dtype=dtype)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Tensor | None = None) -> Tensor:
    """x / max(||x||_p along dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    res = input / denom
    if out is not None:
        out.copy_(res)
        return out
    return res
