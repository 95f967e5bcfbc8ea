"""``torch.special``: the special functions built on autograd_nn's ops, differentiable.
Names whose op the library lacks are looked up on ``autograd_nn`` itself (``special.erf`` is
``autograd_nn.erf`` once that exists), so the namespace grows with the op table."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_nn  # the package namespace (aliases resolve to its functions at call time)

from ._ops.elementwise import where
from .autograd.function import Function
from .tensor import Tensor

__all__ = ["expit", "logit", "expm1", "log1p", "exp2", "logsumexp", "softmax", "log_softmax",
           "round", "sinc", "xlogy", "xlog1py", "entr"]

# special name -> the autograd_nn (torch) top-level function it is
_ALIASES = {"expit": "sigmoid", "psi": "digamma", "gammaln": "lgamma", "multigammaln":
            "mvlgamma", "erf": "erf", "erfc": "erfc", "erfinv": "erfinv", "digamma": "digamma",
            "polygamma": "polygamma", "i0": "i0", "ndtri": "ndtri", "logsumexp": "logsumexp",
            "softmax": "softmax", "log_softmax": "log_softmax", "round": "round"}


class _Expm1(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        out = Tensor._wrap(np.expm1(x._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class _Log1p(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return Tensor._wrap(np.log1p(x._data))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g / (x + 1)


def expit(input: Tensor) -> Tensor:
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    p = input if eps is None else input.clamp(eps, 1 - eps)
    return (p / (1 - p)).log()


def expm1(input: Tensor) -> Tensor:
    """``exp(x) - 1``, accurate for small ``x``."""
    return _Expm1.apply(input)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + x)``, accurate for small ``x``."""
    return _Log1p.apply(input)


def exp2(input: Tensor) -> Tensor:
    """``2 ** x``."""
    return 2.0 ** input


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return input.logsumexp(dim, keepdim=keepdim)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    return input.round(decimals=decimals)


def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0; below ``|x| = 1e-3`` its Taylor series (the quotient's
    derivative cancels catastrophically there)."""
    small = input.abs() < 1e-3
    px = where(small, 1.0, input * np.pi)
    u = (input * np.pi) ** 2
    series = 1 - u / 6 + u * u / 120 - u * u * u / 5040
    return where(small, series, px.sin() / px)


def _as_tensor_like(y: Any, x: Tensor) -> Tensor:
    return y if isinstance(y, Tensor) else Tensor._wrap(np.asarray(y, dtype=x._data.dtype))


def xlogy(input: Any, other: Any) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0`` (unless ``y`` is NaN)."""
    x = input if isinstance(input, Tensor) else _as_tensor_like(input, other)
    y = _as_tensor_like(other, x)
    # where x == 0 the value is 0, yet d/dx stays log(y) as PyTorch's: only the y that would
    # make log(y) non-finite are replaced
    return x * where((x == 0) & (y <= 0), 1.0, y).log()


def xlog1py(input: Any, other: Any) -> Tensor:
    """``x * log1p(y)``, 0 where ``x == 0`` (unless ``y`` is NaN)."""
    x = input if isinstance(input, Tensor) else _as_tensor_like(input, other)
    y = _as_tensor_like(other, x)
    return x * log1p(where((x == 0) & (y <= -1), 0.0, y))


class _Entr(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        a = x._data
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(a > 0, -a * np.log(np.where(a > 0, a, 1)), 0.0)
        return Tensor._wrap(np.where(a < 0, -np.inf, out).astype(a.dtype))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * -(x.log() + 1)  # PyTorch's rule: +inf at 0, NaN below


def entr(input: Tensor) -> Tensor:
    """Elementwise entropy ``-x log x`` (0 at 0, -inf for negative x)."""
    return _Entr.apply(input)


def __getattr__(name: str) -> Any:
    target = _ALIASES.get(name)
    if target is not None and target in vars(autograd_nn):
        return vars(autograd_nn)[target]
    raise AttributeError(f"module 'autograd_nn.special' has no attribute {name!r}")
