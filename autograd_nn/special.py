"""``torch.special``: the special functions. Most are rows of the op table (``_ops/special.py``:
the error, gamma and Bessel functions, orthogonal polynomials), exposed here under PyTorch's
``special`` names; differentiable where PyTorch is."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._ops import table as _table
from .autograd.function import Function
from .tensor import Tensor

__all__ = ["expit", "expm1", "log1p", "exp2", "logsumexp", "softmax", "log_softmax", "round"]


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


# special name -> its op-table row (PyTorch's aliases: psi is digamma, gammaln lgamma...)
_FROM_TABLE = {
    **{n: n for n in (
        "logit", "sinc", "xlogy", "xlog1py", "entr", "erf", "erfc", "erfcx", "erfinv", "digamma",
        "polygamma", "i0", "i0e", "i1", "i1e", "log_ndtr", "ndtr", "ndtri", "zeta", "airy_ai",
        "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
        "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
        "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
        "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
        "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
        "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
        "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
        "laguerre_polynomial_l", "legendre_polynomial_p")},
    "psi": "digamma", "gammaln": "lgamma", "multigammaln": "mvlgamma", "gammainc": "igamma",
    "gammaincc": "igammac"}
_ROWS = {row.name: row for row in _table.OPS}
# each as autograd_nn.<row> is: array-likes accepted, out= taken
globals().update({name: _table._function_form(_ROWS[row]) for name, row in _FROM_TABLE.items()})
__all__ += sorted(_FROM_TABLE)
