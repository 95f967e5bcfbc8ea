"""Keras activations by name (``keras.activations.get('relu')``), written with autograd_nn ops.

Each takes and returns a Tensor; the formulas are Keras 3's (``hard_sigmoid`` is
``relu6(x + 3) / 6``, ``softmax`` runs over the last axis, ``gelu`` is exact by default).
"""

from __future__ import annotations

from typing import Any, Callable

from ..nn import functional as F
from ..tensor import Tensor

__all__ = ["get", "serialize", "deserialize", "relu", "relu6", "sigmoid", "tanh", "softmax",
           "log_softmax", "linear", "elu", "selu", "softplus", "softsign", "swish", "silu",
           "gelu", "exponential", "leaky_relu", "hard_sigmoid", "hard_silu", "mish"]


def relu(x: Tensor, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """max(x, 0), with Keras's options: slope below ``threshold``, cap at ``max_value``."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return F.relu(x)
    y = x if threshold == 0.0 else x.masked_fill(x <= threshold, 0.0)
    pos = F.relu(y)
    if max_value is not None:
        pos = pos.clamp(max=max_value)
    if negative_slope != 0.0:
        pos = pos + negative_slope * (-F.relu(threshold - x) if threshold else -F.relu(-x))
    return pos


def relu6(x: Tensor) -> Tensor:
    return F.relu6(x)


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return F.softmax(x, dim=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return F.log_softmax(x, dim=axis)


def linear(x: Tensor) -> Tensor:
    return x


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.elu(x, alpha)


def selu(x: Tensor) -> Tensor:
    return F.selu(x)


def softplus(x: Tensor) -> Tensor:
    return F.softplus(x)


def softsign(x: Tensor) -> Tensor:
    return F.softsign(x)


def silu(x: Tensor) -> Tensor:
    return F.silu(x)


swish = silu


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    return F.gelu(x, approximate="tanh" if approximate else "none")


def exponential(x: Tensor) -> Tensor:
    return x.exp()


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(x, negative_slope)


def hard_sigmoid(x: Tensor) -> Tensor:
    return F.relu6(x + 3.0) / 6.0


def hard_silu(x: Tensor) -> Tensor:
    return x * hard_sigmoid(x)


def mish(x: Tensor) -> Tensor:
    return F.mish(x)


_ALL: dict[str, Callable[..., Tensor]] = {
    "relu": relu, "relu6": relu6, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "log_softmax": log_softmax, "linear": linear, "elu": elu, "selu": selu,
    "softplus": softplus, "softsign": softsign, "swish": swish, "silu": silu, "gelu": gelu,
    "exponential": exponential, "leaky_relu": leaky_relu, "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu, "hard_swish": hard_silu, "mish": mish,
}


def get(identifier: Any) -> Callable[..., Tensor]:
    """The activation for a name ('relu', ...), a callable (returned as is) or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _ALL.get(identifier)
        if fn is None:
            raise ValueError(f"keras.activations.get: unknown activation {identifier!r}; "
                             f"expected one of {sorted(_ALL)} or a callable")
        return fn
    if callable(identifier):
        return identifier
    raise ValueError(f"keras.activations.get: could not interpret activation {identifier!r} "
                     f"(expected a name, a callable or None)")


def serialize(fn: Callable[..., Tensor]) -> str:
    """The name of a built-in activation (to save a model's config)."""
    for name, f in _ALL.items():
        if f is fn:
            return name
    raise ValueError(f"keras.activations.serialize: {fn!r} is not a built-in activation; a "
                     f"model using it can save its weights (save_weights) but not its config")


def deserialize(name: str) -> Callable[..., Tensor]:
    return get(name)
