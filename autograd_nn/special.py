"""``torch.special``: the special functions. Most are rows of the op table (``_ops/special.py``:
the error, gamma and Bessel functions, orthogonal polynomials), exposed here under PyTorch's
``special`` names; differentiable where PyTorch is."""

from __future__ import annotations

from typing import Any

from ._ops import table as _table
from .tensor import Tensor

__all__ = ["logsumexp", "softmax", "log_softmax", "round"]


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return input.logsumexp(dim, keepdim=keepdim)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool"}


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    """``torch.round`` for floating input; unlike it, PyTorch's special.round has no integer
    kernel (it raises)."""
    name = input._data.dtype.name
    if name in _TYPE_NAMES:
        raise NotImplementedError(f"special.round: \"round_vml_cpu\" not implemented for "
                                  f"'{_TYPE_NAMES[name]}' (round integer tensors with "
                                  f"torch.round)")
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
    "expit": "sigmoid", "expm1": "expm1", "log1p": "log1p", "exp2": "exp2",
    "psi": "digamma", "gammaln": "lgamma", "multigammaln": "mvlgamma", "gammainc": "igamma",
    "gammaincc": "igammac"}
_ROWS = {row.name: row for row in _table.OPS}
# each as autograd_nn.<row> is: array-likes accepted, out= taken
globals().update({name: _table._function_form(_ROWS[row]) for name, row in _FROM_TABLE.items()})
__all__ += sorted(_FROM_TABLE)
