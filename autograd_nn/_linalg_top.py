"""The torch.* function forms of linear algebra (``torch.det``, ``torch.inverse``,
``torch.svd`` ...): thin wrappers over :mod:`autograd_nn.linalg`, with the legacy signatures
and result types PyTorch keeps for them."""

from __future__ import annotations

import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from . import linalg as L
from ._ops.linalg import CholeskySolve
from .tensor import Tensor

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "pinverse", "svd", "qr", "matrix_power", "cross", "matrix_exp",
           "lu", "lu_unpack", "lu_solve", "orgqr"]

svd_legacy = namedtuple("svd", ["U", "S", "V"])
qr_legacy = namedtuple("qr", ["Q", "R"])

det = L.det
logdet = L.logdet
slogdet = L.slogdet
matrix_power = L.matrix_power
matrix_exp = L.matrix_exp
lu_unpack = L.lu_unpack
orgqr = L.householder_product


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, *,  # noqa: N803
       out: Any = None) -> tuple:
    """torch.lu: (LU, pivots) or, with ``get_infos``, (LU, pivots, infos) (no error then)."""
    res = L.lu_factor_ex(A, pivot=pivot)
    if get_infos:
        return res
    if res.info._data.any():
        L.lu_factor(A)  # raises PyTorch's error
    return res.LU, res.pivots


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *,  # noqa: N803
             out: Tensor | None = None) -> Tensor:
    """torch.lu_solve(b, LU_data, LU_pivots): ``linalg.lu_solve(LU_data, LU_pivots, b)``."""
    return L.lu_solve(LU_data, LU_pivots, b, out=out)


def inverse(input: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """torch.inverse: ``linalg.inv``."""
    return L.inv(input, out=out)


def cholesky(input: Tensor, upper: bool = False, *, out: Tensor | None = None  # noqa: A002
             ) -> Tensor:
    """torch.cholesky (deprecated in PyTorch for ``linalg.cholesky``, which it equals)."""
    return L.cholesky(input, upper=upper, out=out)


def cholesky_solve(B: Tensor, L_: Tensor, upper: bool = False, *,  # noqa: N803
                   out: Tensor | None = None) -> Tensor:
    """X with A X = B given A's Cholesky factor (lower L, or upper U with ``upper``):
    two triangular solves; differentiable in B and in the factor."""
    b, f = L._matrix(B, "cholesky_solve"), L._square(L_, "cholesky_solve")
    if b.shape[-2] != f.shape[-1]:
        raise RuntimeError(f"cholesky_solve: Incompatible matrix sizes for cholesky_solve: "
                           f"each A matrix is {f.shape[-1]} by {f.shape[-1]} but each b matrix "
                           f"is {b.shape[-2]} by {b.shape[-1]}")
    return L._out(CholeskySolve.apply(b, f, upper=upper), out)


def cholesky_inverse(L_: Tensor, upper: bool = False, *,  # noqa: N803
                     out: Tensor | None = None) -> Tensor:
    """(L L^T)^-1 (or (U^T U)^-1 with ``upper``) from a Cholesky factor."""
    f = L._square(L_, "cholesky_inverse")
    eye = np.broadcast_to(np.eye(f.shape[-1], dtype=f._data.dtype), f.shape).copy()
    return L._out(cholesky_solve(Tensor._wrap(eye), f, upper), out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """torch.pinverse: ``linalg.pinv`` with relative tolerance ``rcond``."""
    return L.pinv(input, rtol=rcond)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *,  # noqa: A002
        out: Any = None) -> svd_legacy:
    """torch.svd: (U, S, V) with A = U diag(S) V^T (V, not Vh); ``some=False`` gives the full
    U and V; ``compute_uv=False`` gives zero U and V (and S is then not differentiable)."""
    a = L._matrix(input, "svd")
    if not compute_uv:
        s = Tensor._wrap(np.linalg.svd(a._data, compute_uv=False))
        m, n = a.shape[-2:]
        k = min(m, n)
        z = a._data.dtype
        return svd_legacy(Tensor._wrap(np.zeros(a.shape[:-2] + (m, m if not some else k), z)), s,
                          Tensor._wrap(np.zeros(a.shape[:-2] + (n, n if not some else k), z)))
    u, s, vh = L.svd(a, full_matrices=not some)
    return svd_legacy(u, s, vh.mT)


def qr(input: Tensor, some: bool = True, *, out: Any = None) -> qr_legacy:  # noqa: A002
    """torch.qr: reduced (``some``) or complete QR."""
    q, r = L.qr(input, "reduced" if some else "complete")
    return qr_legacy(q, r)


def cross(input: Tensor, other: Tensor, dim: int | None = None, *,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """torch.cross: ``linalg.cross``; with ``dim=None`` the first dim of size 3 (deprecated in
    PyTorch, which warns)."""
    if dim is None:
        a, b = L._as_tensor(input, "cross"), L._as_tensor(other, "cross")
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"linalg.cross: no dimension of size 3 in input (shape "
                               f"{list(shape)})")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please "
                      "either pass the dim explicitly or simply use torch.linalg.cross. The "
                      "default value of dim will change to agree with that of linalg.cross in "
                      "a future release.", UserWarning, stacklevel=2)
    return L.cross(input, other, dim=dim, out=out)
