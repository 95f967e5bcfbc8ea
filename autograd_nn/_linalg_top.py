"""The torch.* function forms of linear algebra (``torch.det``, ``torch.inverse``,
``torch.svd`` ...): thin wrappers over :mod:`autograd_nn.linalg`, with the legacy signatures
and result types PyTorch keeps for them."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import linalg as L
from ._creation import randn
from ._ops.common import structseq
from ._ops.linalg import CholeskySolve
from ._ops.shape import cat
from .tensor import Tensor

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "pinverse", "svd", "qr", "matrix_power", "cross", "matrix_exp",
           "lu", "lu_unpack", "lu_solve", "orgqr", "geqrf", "ormqr", "triangular_solve",
           "svd_lowrank", "pca_lowrank", "lobpcg"]

svd_legacy = structseq("svd", ["U", "S", "V"])
geqrf_result = structseq("geqrf", ["a", "tau"])
triangular_solve_result = structseq("triangular_solve", ["solution", "cloned_coefficient"])
qr_legacy = structseq("qr", ["Q", "R"])

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
    U and V; ``compute_uv=False`` gives zero (m, m) U and (n, n) V whatever ``some`` says (and
    S is then not differentiable), as PyTorch."""
    a = L._matrix(input, "svd")
    if not compute_uv:
        s = Tensor._wrap(np.linalg.svd(a._data, compute_uv=False))
        m, n = a.shape[-2:]
        z = a._data.dtype
        return svd_legacy(Tensor._wrap(np.zeros(a.shape[:-2] + (m, m), z)), s,
                          Tensor._wrap(np.zeros(a.shape[:-2] + (n, n), z)))
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


def geqrf(input: Tensor, *, out: Any = None) -> geqrf_result:  # noqa: A002
    """LAPACK's geqrf: R on and above the diagonal of ``a``, the Householder vectors below it
    (unit first entries implied) and their scalars ``tau`` (..., min(m, n)); Q is
    ``householder_product(a, tau)``. Not differentiable (as in PyTorch)."""
    x = L._matrix(input, "geqrf")
    a = np.array(x._data, copy=True)
    m, n = a.shape[-2:]
    k = min(m, n)
    flat = a.reshape((-1, m, n))
    tau = np.zeros((flat.shape[0], k), a.dtype)
    for j in range(k):  # dlarfg + dlarf, batched
        alpha = flat[:, j, j].copy()
        xnorm = np.sqrt((flat[:, j + 1:, j] ** 2).sum(-1))
        active = xnorm != 0
        beta = -np.copysign(np.hypot(alpha, xnorm), alpha)
        safe_beta = np.where(active, beta, 1)
        t = np.where(active, (beta - alpha) / safe_beta, 0)
        scale = np.where(active, 1 / np.where(active, alpha - beta, 1), 0)
        v = np.concatenate([np.ones((flat.shape[0], 1), a.dtype),
                            flat[:, j + 1:, j] * scale[:, None]], axis=1)  # (B, m - j)
        rest = flat[:, j:, j + 1:]
        rest -= t[:, None, None] * v[:, :, None] * np.einsum("bi,bij->bj", v, rest)[:, None, :]
        flat[:, j + 1:, j] = np.where(active[:, None], v[:, 1:], flat[:, j + 1:, j])
        flat[:, j, j] = np.where(active, beta, alpha)
        tau[:, j] = t
    return geqrf_result(Tensor._wrap(flat.reshape(a.shape)),
                        Tensor._wrap(tau.reshape(a.shape[:-2] + (k,))))


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True,  # noqa: A002
          transpose: bool = False, *, out: Tensor | None = None) -> Tensor:
    """Q @ other (or other @ Q; Q^T with ``transpose``) for the full m x m Q of Householder
    reflectors (``input``, ``tau``), as LAPACK's ormqr. Differentiable."""
    a = L._matrix(input, "ormqr")
    m = a.shape[-2]
    if a.shape[-1] > m:  # a wide input: its reflectors are the first m columns
        a = a[..., :, :m]
    if a.shape[-1] < m:  # the full Q: pad the reflector matrix to m columns

        pad = np.zeros(a.shape[:-1] + (m - a.shape[-1],), a._data.dtype)
        a = cat([a, Tensor._wrap(pad)], -1)
    q = L.householder_product(a, tau)
    if transpose:
        q = q.mT
    b = L._matrix(other, "ormqr")
    return L._out(L.matmul(q, b) if left else L.matmul(b, q), out)


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True,  # noqa: N803
                     transpose: bool = False, unitriangular: bool = False, *,
                     out: Any = None) -> triangular_solve_result:
    """torch.triangular_solve (deprecated in PyTorch): (solution of op(A) X = b, a copy of A),
    op(A) = A^T with ``transpose``."""
    a = L._square(A, "triangular_solve")
    coef = a.mT if transpose else a
    x = L.solve_triangular(coef, b, upper=upper != transpose, unitriangular=unitriangular)
    return triangular_solve_result(x, a.clone())


def _approximate_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:  # noqa: N803
    """An orthonormal (m, q) basis of the range of ``A - M`` (Halko et al. 2009, algorithm
    4.4: a Gaussian sketch and ``niter`` subspace iterations), as PyTorch's."""
    R = randn(A.shape[-1], q, dtype=A.dtype)  # noqa: N806

    def minus_m(x: Tensor, y: Tensor, m_op: Tensor | None) -> Tensor:
        return x if m_op is None else x - L.matmul(m_op, y)
    Q = L.qr(minus_m(L.matmul(A, R), R, M)).Q  # noqa: N806
    for _ in range(niter):
        Q = L.qr(minus_m(L.matmul(A.mT, Q), Q, None if M is None else M.mT)).Q  # noqa: N806
        Q = L.qr(minus_m(L.matmul(A, Q), Q, M)).Q  # noqa: N806
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int = 2,  # noqa: N803
                M: Tensor | None = None) -> tuple:  # noqa: N803
    """A rank-``q`` approximate SVD (U, S, V) of ``A - M`` (A ~ U diag(S) V^T) by randomized
    subspace iteration (Halko et al. 2009, algorithm 5.1), as ``torch.svd_lowrank``: exact up
    to signs when the rank is at most ``q``; differentiable (a composition of matmul, QR and
    SVD). The random sketch comes from the global generator."""
    a = L._matrix(A, "svd_lowrank")
    q = 6 if q is None else q
    m, n = a.shape[-2:]
    mm = None if M is None else M.broadcast_to(a.shape)
    if m < n:  # sketch the tall side
        a = a.mT
        mm = None if mm is None else mm.mT
    Q = _approximate_basis(a, q, niter, mm)  # noqa: N806
    B = L.matmul(Q.mT, a)  # noqa: N806
    if mm is not None:
        B = B - L.matmul(Q.mT, mm)  # noqa: N806
    u, s, vh = L.svd(B, full_matrices=False)
    u, v = L.matmul(Q, u), vh.mT
    return (v, s, u) if m < n else (u, s, v)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True,  # noqa: N803
                niter: int = 2) -> tuple:
    """Principal components of ``A`` (rows: observations): ``svd_lowrank`` of ``A`` with
    its column means removed (``center``), rank ``q`` (default min(6, m, n))."""
    a = L._matrix(A, "pca_lowrank")
    m, n = a.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        a = a - a.mean(dim=-2, keepdim=True)
    return svd_lowrank(a, q, niter=niter)


def lobpcg(A: Tensor, k: int | None = None, B: Tensor | None = None,  # noqa: N803
           X: Tensor | None = None, n: int | None = None, iK: Any = None,  # noqa: N803
           niter: int | None = None, tol: float | None = None, largest: bool | None = None,
           method: str | None = None, tracker: Any = None, ortho_iparams: Any = None,
           ortho_fparams: Any = None, ortho_bparams: Any = None) -> tuple:
    """The ``k`` largest (``largest=False``: smallest) eigenpairs (E (..., k), X (..., m, k))
    of the symmetric generalized problem A x = lambda B x, as ``torch.lobpcg`` with PyTorch's
    argument checks. Computed exactly by a dense symmetric eigendecomposition (of
    L^-1 A L^-T, B = L L^T) -- the pairs LOBPCG's iterations converge to -- so the iteration
    controls (X's initial values, iK, niter, tol, method, tracker, ortho_*) have no effect;
    differentiable through ``linalg.eigh``."""
    a = L._square(A, "lobpcg")
    m = a.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LPBPCG algorithm is not applicable when the number of A rows (={m})"
                         f" is smaller than 3 x the number of requested eigenpairs (={n})")
    if method not in (None, "basic", "ortho"):
        raise ValueError(f"lobpcg: method must be 'basic' or 'ortho', got {method!r}")
    largest = True if largest is None else largest
    if B is None:
        values, vectors = L.eigh(a)
    else:
        low = L.cholesky(L._square(B, "lobpcg"))
        c = L.solve_triangular(low, L.solve_triangular(low, a, upper=False).mT, upper=False)
        values, y = L.eigh(c)
        vectors = L.solve_triangular(low.mT, y, upper=True)
    # eigh's values ascend: the k largest are the last k, largest first (as LOBPCG's order)
    if largest:
        values, vectors = values.flip(-1), vectors.flip(-1)
    return values[..., :k], vectors[..., :k]
