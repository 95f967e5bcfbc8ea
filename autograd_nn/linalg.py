"""``autograd_nn.linalg``: torch.linalg on NumPy (real floating dtypes).

Every function takes batches of matrices (..., m, n), returns PyTorch's result types
(named tuples with its field names) and is differentiable with PyTorch's formulas, to any
order (the backward rules are built from differentiable ops). Errors are PyTorch's: a
non-square input to a function that needs one, an integer input, a singular matrix to
``inv``/``solve``, a matrix that is not positive-definite to ``cholesky`` raise (the last
two as :class:`LinAlgError`, a RuntimeError).

Eigen- and singular vectors are unique only up to sign (and within repeated eigen/singular
values): they equal LAPACK's, as PyTorch's on CPU usually do, and gradients of quantities
that do not depend on that choice are exact.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Sequence

import numpy as np

from ._creation import tensor
from ._dtype import is_float_np
from ._ops import linalg as LA
from ._ops.common import structseq
from ._ops.elementwise import Where
from ._ops.indexing import matmul
from ._ops.pointwise import recorded
from ._ops.reduction import Norm
from ._ops.shape import norm_dim, reduce_dims, stack
from .tensor import Tensor

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "svd", "svdvals", "qr", "inv",
           "inv_ex", "det", "slogdet", "solve", "solve_ex", "solve_triangular", "eigh",
           "eigvalsh", "cholesky", "cholesky_ex", "pinv", "matrix_rank", "lstsq", "cross",
           "matrix_power", "multi_dot", "vecdot", "matmul", "diagonal", "cond", "vander",
           "tensorinv", "tensorsolve", "matrix_exp", "eig", "eigvals", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "lu_unpack", "householder_product", "ldl_factor",
           "ldl_factor_ex", "ldl_solve"]


class LinAlgError(RuntimeError):
    """A linear-algebra failure on valid input: a singular matrix, a matrix that is not
    positive-definite (``torch.linalg.LinAlgError``)."""


svd_result = structseq("linalg_svd", ["U", "S", "Vh"])
eigh_result = structseq("linalg_eigh", ["eigenvalues", "eigenvectors"])
qr_result = structseq("linalg_qr", ["Q", "R"])
slogdet_result = structseq("linalg_slogdet", ["sign", "logabsdet"])
lstsq_result = structseq("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
inv_ex_result = structseq("linalg_inv_ex", ["inverse", "info"])
cholesky_ex_result = structseq("linalg_cholesky_ex", ["L", "info"])
lu_result = structseq("linalg_lu", ["P", "L", "U"])
lu_factor_result = structseq("linalg_lu_factor", ["LU", "pivots"])
lu_factor_ex_result = structseq("linalg_lu_factor_ex", ["LU", "pivots", "info"])
solve_ex_result = structseq("linalg_solve_ex", ["result", "info"])
ldl_factor_result = structseq("linalg_ldl_factor", ["LD", "pivots"])
ldl_factor_ex_result = structseq("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


# ------------------------------------------------------------------------------- checks


def _as_tensor(x: Any, fn: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple, np.ndarray)) or np.isscalar(x):

        return tensor(x)
    raise TypeError(f"linalg.{fn}(): argument 'A' must be a Tensor, got {type(x).__name__}")


def _float(x: Any, fn: str) -> Tensor:
    x = _as_tensor(x, fn)
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"linalg.{fn}: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype_name(x)}")
    return x


def _dtype_name(x: Tensor) -> str:
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
             "uint8": "Byte", "bool": "Bool", "float16": "Half", "float32": "Float",
             "float64": "Double", "bfloat16": "BFloat16"}
    return names.get(x._data.dtype.name, x._data.dtype.name)


# the decompositions PyTorch also runs in float16 / bfloat16; the others raise there
_LOW_PRECISION_OK = frozenset({"matrix_exp", "lu_unpack"})


def _matrix(x: Any, fn: str) -> Tensor:
    x = _float(x, fn)
    if x._data.dtype.itemsize < 4 and fn not in _LOW_PRECISION_OK:
        # (LAPACK has neither: NumPy raises for float16 and computes bfloat16 in float64)
        raise RuntimeError(f"linalg.{fn}: Low precision dtypes not supported. Got "
                           f"{_dtype_name(x)}")
    if x.ndim < 2:
        raise RuntimeError(f"linalg.{fn}: The input tensor A must have at least 2 dimensions.")
    return x


def _square(x: Any, fn: str) -> Tensor:
    x = _matrix(x, fn)
    m, n = x.shape[-2:]
    if m != n:
        raise RuntimeError(f"linalg.{fn}: A must be batches of square matrices, but they are "
                           f"{m} by {n} matrices")
    return x


def _batch_index(idx: tuple, batch: tuple) -> str:
    if not batch:
        return ""
    return f"(Batch element {int(np.ravel_multi_index(idx, batch))}): "


def _first_singular(a: np.ndarray) -> tuple | None:
    """Batch index of the first exactly singular matrix (a zero pivot), or None."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, mat in enumerate(flat):
        try:
            np.linalg.inv(mat)
        except np.linalg.LinAlgError:
            return np.unravel_index(i, a.shape[:-2]) if a.ndim > 2 else ()
    return None


# --------------------------------------------------------------------- inverse, det, solve


def inv(A: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: N803 - torch's name
    """A^-1 of (..., n, n) matrices; a singular matrix raises :class:`LinAlgError`.
    Gradient: -A^-T G A^-T."""
    a = _square(A, "inv")
    try:
        res = LA.Inv.apply(a)
    except np.linalg.LinAlgError:
        where = _batch_index(_first_singular(a._data), a.shape[:-2])
        raise LinAlgError(f"linalg.inv: {where}The input matrix is singular (a zero pivot), the "
                          f"inversion could not be completed.") from None
    return _out(res, out)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> inv_ex_result:  # noqa: N803
    """(inverse, info): info (int32, batch shape) is 0, or LAPACK's getrf code (the 1-based index
    of the first zero pivot of U) where a matrix is singular; a singular matrix's inverse is
    NaN (the others are inverted), unless ``check_errors`` (which raises instead)."""
    a = _square(A, "inv_ex")
    info = LA.lu_np(a._data)[3].astype(np.int32)
    if not info.any():
        return inv_ex_result(inv(a), Tensor._wrap(info))
    if check_errors:
        return inv_ex_result(inv(a), None)  # raises, naming the singular matrix
    singular = (info != 0)[..., None, None]
    safe = np.where(singular, np.eye(a.shape[-1], dtype=a._data.dtype), a._data)
    res = inv(Tensor._wrap(safe)) if not a.requires_grad else inv(
        a * Tensor._wrap(~singular) + Tensor._wrap(np.where(singular, safe, 0)))
    res = res.masked_fill(Tensor._wrap(np.broadcast_to(singular, a.shape)), float("nan"))
    return inv_ex_result(res, Tensor._wrap(info))


def det(A: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """det A of (..., n, n) -> (...). Gradient g det(A) A^-T (a singular A: the cofactor
    matrix, through the SVD)."""
    return _out(LA.Det.apply(_square(A, "det")), out)


def slogdet(A: Tensor, *, out: Any = None) -> slogdet_result:  # noqa: N803
    """(sign, logabsdet) of det A; logabsdet is differentiable (g A^-T), sign passes no
    gradient (it requires grad with A, as PyTorch's); a singular matrix gives (0, -inf)."""
    a = _square(A, "slogdet")
    sign = LA.NoGradOutput.apply(np.linalg.slogdet(a._data)[0].astype(a._data.dtype), a)
    with np.errstate(divide="ignore"):
        return slogdet_result(sign, LA.LogAbsDet.apply(a))


def logdet(A: Tensor) -> Tensor:  # noqa: N803
    """log det A (NaN where det < 0, -inf where it is 0), as torch.logdet."""
    s, la = slogdet(A)
    return la + Tensor._wrap(np.where(s._data < 0, np.nan, 0).astype(s._data.dtype))


def _is_vector_rhs(a: Tensor, b: Tensor) -> bool:
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Tensor | None = None  # noqa: N803
          ) -> Tensor:
    """X with A X = B (``left=False``: X A = B). A (..., n, n); B (..., n, k), or a vector
    (n,) / (..., n) when its shape is A's batch plus n; batch dims broadcast. A singular A raises
    :class:`LinAlgError`."""
    a = _square(A, "solve")
    b = _float(B, "solve")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_dtype_name(a)} and B of type {_dtype_name(b)} instead")
    vec = _is_vector_rhs(a, b)
    if vec and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                           "supported for left=False. In this case linalg.solve is equivalent "
                           "to B / A.squeeze(-1)")
    bm = b.unsqueeze(-1) if vec else b
    n = a.shape[-1]
    if bm.shape[-2 if left else -1] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({'x'.join(map(str, a.shape[-2:]))}"
                           f" and {'x'.join(map(str, bm.shape[-2:]))})")
    try:
        if left:
            x = LA.Solve.apply(a, bm)
        else:
            x = LA.Solve.apply(a.mT, bm.mT).mT
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.") from None
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dims of A {list(a.shape)} and B "
                           f"{list(b.shape)} do not broadcast") from None
    return _out(x.squeeze(-1) if vec else x, out)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             check_errors: bool = False) -> solve_ex_result:
    """(result, info) as torch.linalg.solve_ex: info is 0 where solved; a singular A raises
    when ``check_errors``, otherwise its result is NaN and info > 0."""
    a = _square(A, "solve_ex")
    try:
        res = solve(a, B, left=left)
        info = np.zeros(a.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        b = _float(B, "solve_ex")
        shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1]) + b.shape[-1:] \
            if not _is_vector_rhs(a, b) else np.broadcast_shapes(a.shape[:-1], b.shape)
        res = Tensor._wrap(np.full(shape, np.nan, a._data.dtype))
        info = np.ones(a.shape[:-2], np.int32)
    return solve_ex_result(res, Tensor._wrap(info))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False, out: Tensor | None = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A (only the ``upper`` or lower
    triangle is read; ``unitriangular``: its diagonal taken as ones). A (..., n, n),
    B (..., n, k) (left) or (..., k, n)."""
    a = _square(A, "solve_triangular")
    b = _matrix(B, "solve_triangular")
    n = a.shape[-1]
    if b.shape[-2 if left else -1] != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} "
                           f"({'x'.join(map(str, a.shape[-2:]))} and "
                           f"{'x'.join(map(str, b.shape[-2:]))})")
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            x = LA.SolveTriangular.apply(a, b, upper=upper, left=left,
                                         unitriangular=unitriangular)
        except np.linalg.LinAlgError:  # a zero on the diagonal: inf/nan, as LAPACK's trsm
            x = None
    if x is None:
        t = LA._triangle(a._data, upper, unitriangular)
        d = np.diagonal(t, axis1=-2, axis2=-1)
        x = Tensor._wrap(_trsm_with_zeros(t, b._data, d, left))
    return _out(x, out)


def _trsm_with_zeros(t: np.ndarray, b: np.ndarray, d: np.ndarray, left: bool) -> np.ndarray:
    """Triangular solve by substitution when a diagonal entry is 0 (inf / NaN appear, as in
    LAPACK's trsm, which never raises)."""
    if not left:
        return np.swapaxes(_trsm_with_zeros(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2),
                                            d, True), -1, -2)
    n = t.shape[-1]
    upper = not np.tril(t, -1).any()
    x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                 np.result_type(t, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        order = range(n - 1, -1, -1) if upper else range(n)
        for i in order:
            acc = b[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, :], x)
            x[..., i, :] = acc / d[..., i, None]
    return x


# ------------------------------------------------------------------------ factorizations


def _not_pd(a: np.ndarray, fn: str) -> LinAlgError:
    """PyTorch's message: which batch element and the order of the first leading minor that
    is not positive-definite."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, mat in enumerate(flat):
        try:
            np.linalg.cholesky(mat)
            continue
        except np.linalg.LinAlgError:
            pass
        order = next(k for k in range(1, mat.shape[-1] + 1)
                     if not _is_pd(mat[:k, :k]))
        where = _batch_index(np.unravel_index(i, a.shape[:-2]), a.shape[:-2]) \
            if a.ndim > 2 else ""
        return LinAlgError(f"linalg.{fn}: {where}The factorization could not be completed "
                           f"because the input is not positive-definite (the leading minor of "
                           f"order {order} is not positive-definite).")
    return LinAlgError(f"linalg.{fn}: the input is not positive-definite")


def _is_pd(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
        return True
    except np.linalg.LinAlgError:
        return False


def cholesky(A: Tensor, *, upper: bool = False, out: Tensor | None = None  # noqa: N803
             ) -> Tensor:
    """L (lower triangular) with A = L L^T for symmetric positive-definite A (..., n, n); only
    A's lower triangle is read; ``upper``: U = L^T. Not positive-definite raises
    :class:`LinAlgError` naming the leading minor, as torch."""
    a = _square(A, "cholesky")
    try:
        return _out(LA.Cholesky.apply(a, upper=upper), out)
    except np.linalg.LinAlgError:
        raise _not_pd(a._data, "cholesky") from None


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False  # noqa: N803
                ) -> cholesky_ex_result:
    """(L, info): info (int32) is 0, or the order of the first non positive-definite leading
    minor (L is then partial, here NaN), unless ``check_errors``."""
    a = _square(A, "cholesky_ex")
    try:
        return cholesky_ex_result(cholesky(a, upper=upper),
                                  Tensor._wrap(np.zeros(a.shape[:-2], np.int32)))
    except LinAlgError:
        if check_errors:
            raise
    flat = a._data.reshape((-1,) + a.shape[-2:])
    info = np.array([0 if _is_pd(m) else next(k for k in range(1, m.shape[-1] + 1)
                                              if not _is_pd(m[:k, :k])) for m in flat],
                    np.int32).reshape(a.shape[:-2])
    return cholesky_ex_result(Tensor._wrap(np.full(a.shape, np.nan, a._data.dtype)),
                              Tensor._wrap(info))


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> eigh_result:  # noqa: N803
    """(eigenvalues (..., n) ascending, eigenvectors (..., n, n) as columns) of symmetric A;
    only the ``UPLO`` ('L' or 'U') triangle is read. Gradients as torch's (the eigenvector
    gradient is ill-defined for repeated eigenvalues)."""
    a = _square(A, "eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got "
                           f"{UPLO}")
    n = a.shape[-1]
    w, v = LA.unpack_results(LA.Eigh.apply(a, UPLO=UPLO), ((n,), (n, n)))
    return eigh_result(w, v)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:  # noqa: N803
    """Eigenvalues (ascending) of symmetric A; gradient V diag(g) V^T."""
    return eigh(A, UPLO).eigenvalues


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None,  # noqa: N803
        out: Any = None) -> svd_result:
    """(U, S, Vh) with A = U diag(S) Vh, S descending. A (..., m, n), k = min(m, n): U (..., m, k)
    and Vh (..., k, n), or (m, m) and (n, n) with ``full_matrices`` (the default, as torch;
    pass False for gradients through U / Vh of a non-square A to be cheap)."""
    a = _matrix(A, "svd")
    shapes = LA._svd_shapes(a.shape[-2], a.shape[-1], full_matrices)
    u, s, vh = LA.unpack_results(LA.Svd.apply(a, full_matrices=full_matrices), shapes)
    return svd_result(u, s, vh)


def svdvals(A: Tensor, *, driver: str | None = None, out: Any = None) -> Tensor:  # noqa: N803
    """Singular values (..., min(m, n)), descending; gradient U diag(g) Vh."""
    return svd(_matrix(A, "svdvals"), full_matrices=False).S


_QR_R = ("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
         "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
         "linalg.qr.")


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> qr_result:  # noqa: N803
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular. ``mode``: 'reduced'
    (Q (m, k), R (k, n)), 'complete' (Q (m, m), R (m, n)), 'r' (R only; Q is empty and R
    is not differentiable)."""
    a = _matrix(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    if mode == "r":  # both require grad with A, as PyTorch's, and refuse backward
        r = np.linalg.qr(a._data, mode="r")
        return qr_result(LA.NoGradOutput.apply(np.empty((0,), a._data.dtype), a, error=_QR_R),
                         LA.NoGradOutput.apply(r, a, error=_QR_R))
    m, n = a.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    q, r = LA.unpack_results(LA.Qr.apply(a, mode=mode), ((m, k), (k, n)))
    return qr_result(q, r)


def _tolerances(a: Tensor, atol: Any, rtol: Any, fn: str) -> tuple:
    """torch's rule: rtol defaults to eps * max(m, n) when atol is None or 0, else to 0."""
    def val(t: Any) -> Any:
        if t is None:
            return None
        return t._data if isinstance(t, Tensor) else float(t)

    at, rt = val(atol), val(rtol)
    if rt is None:
        eps = float(np.finfo(a._data.dtype).eps) * max(a.shape[-2:])
        rt = eps if at is None or np.all(np.asarray(at) == 0) else 0.0
    return (0.0 if at is None else at), rt


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,  # noqa: N803
         out: Tensor | None = None) -> Tensor:
    """Moore-Penrose pseudo-inverse (..., n, m) of A (..., m, n) through the SVD: singular
    values <= max(atol, rtol * largest) are treated as 0 (rtol default eps * max(m, n)).
    ``hermitian`` is accepted (the SVD covers it)."""
    a = _matrix(A, "pinv")
    at, rt = _tolerances(a, atol, rtol, "pinv")
    return _out(LA.Pinv.apply(a, atol=at, rtol=rt), out)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None,  # noqa: N803
                hermitian: bool = False, out: Tensor | None = None) -> Tensor:
    """Number of singular values > max(atol, rtol * largest) (int64, batch shape)."""
    a = _matrix(A, "matrix_rank")
    at, rt = _tolerances(a, atol, rtol, "matrix_rank")
    s = np.linalg.svd(a._data, compute_uv=False)
    tol = np.maximum(np.asarray(at)[..., None],
                     np.asarray(rt)[..., None] * s.max(-1, keepdims=True, initial=0))
    return _out(Tensor._wrap((s > tol).sum(-1).astype(np.int64)), out)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *,  # noqa: N803
          driver: str | None = None) -> lstsq_result:
    """Least-squares solution of A X = B: (solution (..., n, k), residuals, rank,
    singular_values) as torch's CPU drivers report them: 'gelsy' (default) gives the rank only,
    'gelsd' / 'gelss' the rank, singular values and (m > n, full rank) the squared residuals,
    'gels' the residuals only. The solution (pinv(A) B, the minimum-norm one) and the
    residuals are differentiable."""
    a = _matrix(A, "lstsq")
    b = _float(B, "lstsq")
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss), but got {driver}")
    vec = b.ndim == a.ndim - 1
    bm = b.unsqueeze(-1) if vec else b
    m, n = a.shape[-2:]
    if bm.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2) "
                           f"(got {m} and {bm.shape[-2]})")
    rt = float(np.finfo(a._data.dtype).eps) * max(m, n) if rcond is None or rcond < 0 \
        else float(rcond)
    x = matmul(LA.Pinv.apply(a, atol=0.0, rtol=rt), bm)
    s = np.linalg.svd(a._data, compute_uv=False)
    rank = (s > rt * s.max(-1, keepdims=True, initial=0)).sum(-1).astype(np.int64)
    empty = Tensor._wrap(np.empty((0,), a._data.dtype))
    residuals = LA.NoGradOutput.apply(empty._data, a, bm)  # requires grad, as PyTorch's
    if driver != "gelsy" and m > n and (rank == n).all():
        residuals = ((matmul(a, x) - bm) ** 2).sum(-2)
        if vec:
            residuals = residuals.squeeze(-1)
    rank_t = Tensor._wrap(rank) if driver != "gels" else Tensor._wrap(np.empty((0,), np.int64))
    sv = Tensor._wrap(s) if driver in ("gelsd", "gelss") else empty
    return lstsq_result(x.squeeze(-1) if vec else x, residuals, rank_t, sv)


# -------------------------------------------------------------------------------------- LU


def _no_pivot(pivot: bool, fn: str) -> None:
    if not pivot:
        raise RuntimeError(f"linalg.{fn}: LU without pivoting is not implemented on the CPU")


def lu(A: Tensor, *, pivot: bool = True, out: Any = None) -> lu_result:  # noqa: N803
    """(P, L, U) with A = P L U: P a permutation (partial pivoting, LAPACK's choices), L
    (..., m, k) unit lower triangular, U (..., k, n) upper triangular, k = min(m, n).
    Differentiable in L and U (PyTorch's formula)."""
    a = _matrix(A, "lu")
    _no_pivot(pivot, "lu")
    return _lu(a, LA.lu_np(a._data))


def _lu(a: Tensor, fact: tuple) -> lu_result:
    m, n = a.shape[-2:]
    k = min(m, n)
    lo, up = LA.unpack_results(LA.Lu.apply(a, fact=fact), ((m, k), (k, n)))
    return lu_result(Tensor._wrap(LA.perm_matrix(fact[2], a._data.dtype)), lo, up)


def _pack_lu(lo: Tensor, up: Tensor) -> Tensor:
    """The LAPACK layout (..., m, n): L's strict lower part and U's upper part in one matrix
    (differentiable in both)."""
    m, k = lo.shape[-2:]
    n = up.shape[-1]
    strict = lo.tril(-1)
    if m >= n:
        pad = np.zeros(up.shape[:-2] + (m - k, n), up._data.dtype)
        return strict + (LA._cat_last(up, pad, axis=-2) if m > k else up)
    pad = np.zeros(lo.shape[:-1] + (n - k,), lo._data.dtype)
    return LA._cat_last(strict, pad) + up


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False,  # noqa: N803
                 out: Any = None) -> lu_factor_ex_result:
    """(LU, pivots, info): the LAPACK-style packed factorization, pivots (..., k) int32
    1-based, info 0 or the index of the first zero on U's diagonal. Differentiable in LU."""
    a = _matrix(A, "lu_factor_ex")
    _no_pivot(pivot, "lu_factor_ex")
    fact = LA.lu_np(a._data)
    piv, info = fact[1], fact[3]
    if check_errors and info.any():
        i = int(info[info > 0].min())
        raise LinAlgError(f"torch.linalg.lu_factor_ex: U[{i},{i}] is zero")
    p, lo, up = _lu(a, fact)
    return lu_factor_ex_result(_pack_lu(lo, up), Tensor._wrap(piv), Tensor._wrap(info))


def lu_factor(A: Tensor, *, pivot: bool = True, out: Any = None  # noqa: N803
              ) -> lu_factor_result:
    """(LU, pivots) as :func:`lu_factor_ex`; a zero on U's diagonal raises, as torch (the
    factors could not be used to solve)."""
    a = _matrix(A, "lu_factor")
    _no_pivot(pivot, "lu_factor")
    res = lu_factor_ex(a)
    info = res.info._data
    if info.any():
        i = int(info[info > 0].min())
        raise RuntimeError(f"torch.linalg.lu_factor: U[{i},{i}] is zero and using it on "
                           f"lu_solve would result in a division by zero. If you still want to "
                           f"perform the factorization, consider calling linalg.lu(A, pivot) or "
                           f"linalg.lu_factor_ex(A, pivot)")
    return lu_factor_result(res.LU, res.pivots)


def _perm_from_pivots(piv: np.ndarray, m: int) -> np.ndarray:
    """Row order ``perm`` (A[perm] = L U) from LAPACK's sequential 1-based swaps."""
    flat = piv.reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    perm = np.broadcast_to(np.arange(m), (flat.shape[0], m)).copy()
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
    return perm.reshape(piv.shape[:-1] + (m,))


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,  # noqa: N803
              unpack_pivots: bool = True, *, out: Any = None) -> lu_result:
    """(P, L, U) from :func:`lu_factor`'s packed form (differentiable in ``LU_data``)."""
    lu_ = _matrix(LU_data, "lu_unpack")
    m, n = lu_.shape[-2:]
    k = min(m, n)
    empty = Tensor._wrap(np.empty((0,), lu_._data.dtype))
    p = empty
    if unpack_pivots:
        perm = _perm_from_pivots(_array_of(LU_pivots), m)
        p = Tensor._wrap(LA.perm_matrix(perm, lu_._data.dtype))
    if not unpack_data:
        return lu_result(p, empty, empty)
    eye = np.eye(m, k, dtype=lu_._data.dtype)
    lo = lu_[..., :, :k].tril(-1) + eye
    up = lu_[..., :k, :].triu()
    return lu_result(p, lo, up)


def _array_of(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,  # noqa: N803
             adjoint: bool = False, out: Tensor | None = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B; ``adjoint``: A^T instead of A) from A's
    :func:`lu_factor`. Differentiable in LU and B."""
    lu_ = _square(LU, "lu_solve")
    b = _matrix(B, "lu_solve")
    n = lu_.shape[-1]
    if b.shape[-2 if left else -1] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{'x'.join(map(str, b.shape[-2:]))})")
    p, lo, up = lu_unpack(lu_, pivots)
    st = LA.SolveTriangular.apply
    if left and not adjoint:      # P L U X = B
        y = matmul(p.mT, b)
        x = st(up, st(lo, y, upper=False, unitriangular=True), upper=True)
    elif left:                    # U^T L^T P^T X = B
        y = st(lo.mT, st(up.mT, b, upper=False), upper=True, unitriangular=True)
        x = matmul(p, y)
    elif not adjoint:             # X P L U = B
        y = st(lo, st(up, b, upper=True, left=False), upper=False, left=False,
               unitriangular=True)
        x = matmul(y, p.mT)
    else:                         # X U^T L^T P^T = B
        y = matmul(b, p)
        x = st(up.mT, st(lo.mT, y, upper=True, left=False, unitriangular=True), upper=False,
               left=False)
    return _out(x, out)


# ----------------------------------------------------------------------- Householder, LDL


def householder_product(A: Tensor, tau: Tensor, *, out: Tensor | None = None  # noqa: N803
                        ) -> Tensor:
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, where v_i is column i of
    A (..., m, n) below the diagonal with a 1 on it (LAPACK's orgqr; e.g. from geqrf).
    tau (..., k), k <= n <= m. Differentiable in A and tau."""
    a = _matrix(A, "householder_product")
    t = _float(tau, "householder_product")
    m, n = a.shape[-2:]
    k = t.shape[-1]
    if m < n:
        raise RuntimeError(f"torch.linalg.householder_product: input.shape[-2] must be greater "
                           f"than or equal to input.shape[-1] (got {m} and {n})")
    if k > n:
        raise RuntimeError(f"torch.linalg.householder_product: input.shape[-1] must be greater "
                           f"than or equal to tau.shape[-1] (got {n} and {k})")
    if tuple(t.shape[:-1]) != tuple(a.shape[:-2]):
        raise RuntimeError(f"torch.linalg.householder_product: Expected batch dimensions of tau "
                           f"{list(t.shape[:-1])} to be equal to input's {list(a.shape[:-2])}")
    eye = np.eye(m, dtype=a._data.dtype)
    v = a.tril(-1) + np.eye(m, n, dtype=a._data.dtype)  # the reflectors, unit diagonal
    q = None
    for i in range(k):
        vi = v[..., :, i:i + 1]
        h = eye - t[..., i:i + 1].unsqueeze(-1) * matmul(vi, vi.mT)
        q = h if q is None else matmul(q, h)
    if q is None:  # no reflectors: I, connected to A with a zero gradient (as torch)
        q = Where.apply(np.ones(a.shape[:-2] + (m, m), bool), eye, a[..., :, :1])
    return _out(q[..., :, :n], out)


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False,  # noqa: N803
                  out: Any = None) -> ldl_factor_ex_result:
    """(LD, pivots, info): the Bunch-Kaufman factorization P A P^T = L D L^T of symmetric A
    (..., n, n), read from its lower triangle, in LAPACK sytrf's compact form and with its
    pivot choices (``pivots`` (..., n) int32, 1-based, both entries of a 2x2 block of D
    negative); ``info`` (...) int32 is 0 or the first zero column (D singular), raised with
    ``check_errors``. ``hermitian`` changes nothing for real A. Not differentiable (PyTorch
    records LD and refuses its backward)."""
    a = _square(A, "ldl_factor_ex")
    ld, piv, info = LA.ldl_np(a._data)
    if check_errors and info.any():
        raise LinAlgError(_ldl_error("ldl_factor_ex", info))
    res = ldl_factor_ex_result(recorded("linalg_ldl_factor_ex", ld, a), Tensor._wrap(piv),
                               Tensor._wrap(info))
    return _outs(res, out)


def _ldl_error(fn: str, info: np.ndarray) -> str:
    i = int(info[info > 0].min())
    return (f"torch.linalg.{fn}: D[{i},{i}] is zero: the input is singular and LD cannot be "
            f"used to solve a system (ldl_solve would divide by zero)")


def ldl_factor(A: Tensor, *, hermitian: bool = False, out: Any = None  # noqa: N803
               ) -> ldl_factor_result:
    """(LD, pivots) as :func:`ldl_factor_ex`; a singular D raises."""
    a = _square(A, "ldl_factor")
    res = ldl_factor_ex(a, hermitian=hermitian)
    if res.info._data.any():
        raise LinAlgError(_ldl_error("ldl_factor", res.info._data))
    return _outs(ldl_factor_result(res.LD, res.pivots), out)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False,  # noqa: N803
              out: Any = None) -> Tensor:
    """X with A X = B, from :func:`ldl_factor`'s (LD, pivots) of A (LAPACK's sytrs). LD
    (..., n, n), pivots (..., n), B (..., n, k): batch dims broadcast. Not differentiable
    (as PyTorch's)."""
    ld = _square(LD, "ldl_solve")
    b = _as_tensor(B, "ldl_solve")
    if b.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got "
                         f"-2): linalg.ldl_solve: B must have shape (*, n, k), got "
                         f"{list(b.shape)}")
    if b._data.dtype != ld._data.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_dtype_name(b)} and A of type {_dtype_name(ld)} instead.")
    piv = _as_tensor(pivots, "ldl_solve")._data
    n = ld.shape[-1]
    if piv.dtype.kind not in "iu" or piv.shape[-1:] != (n,) or b.shape[-2] != n:
        raise RuntimeError(f"linalg.ldl_solve: expected LD (*, n, n), integer pivots (*, n) and "
                           f"B (*, n, k) with the same n; got LD {list(ld.shape)}, pivots "
                           f"{list(piv.shape)} ({piv.dtype}), B {list(b.shape)}")
    batch = np.broadcast_shapes(ld.shape[:-2], piv.shape[:-1], b.shape[:-2])
    count = math.prod(batch)
    lds = np.broadcast_to(ld._data, batch + (n, n)).reshape((count, n, n))
    pvs = np.broadcast_to(piv, batch + (n,)).reshape((count, n))
    x = np.broadcast_to(b._data, batch + tuple(b.shape[-2:])).copy()  # C order: xs is a view
    xs = x.reshape((count,) + tuple(b.shape[-2:]))
    for m in range(xs.shape[0]):
        LA.ldl_solve_np(lds[m], pvs[m], xs[m])
    return _out(recorded("linalg_ldl_solve", x, ld, b), out)


def _outs(res: tuple, out: Any) -> tuple:
    """A named tuple of results written into ``out`` (a tuple of tensors) when given."""
    if out is None:
        return res
    if not isinstance(out, (tuple, list)) or len(out) != len(res):
        raise TypeError(f"out must be a tuple of {len(res)} tensors")
    return type(res)(*[_out(r, o) for r, o in zip(res, out)])


# ------------------------------------------------------------------------------------ norms


def _ord_value(ord: Any) -> float:  # noqa: A002 - torch's name
    return float(ord)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over ``dim`` (None: all elements); ord inf / -inf: max / min |x|,
    0: the count of non-zeros. Gradient 0 at x = 0 (ord 2), as torch."""
    x = _as_tensor(x, "vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_dtype_name(x)}")
    p = _ord_value(ord)
    dims = reduce_dims(dim, x.ndim, "linalg.vector_norm")
    if x._data.size == 0 and p < 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                           f"tensor because the operation does not have an identity")
    return _out(Norm.apply(x, p=p, dim=dims, keepdim=keepdim), out)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Sequence[int] = (-2, -1),  # noqa: A002,N803
                keepdim: bool = False, *, dtype: Any = None, out: Tensor | None = None
                ) -> Tensor:
    """Matrix norm over the two dims ``dim``: 'fro' (Frobenius), 'nuc' (sum of singular
    values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column abs-sum),
    inf / -inf (max / min row abs-sum)."""
    a = _float(A, "matrix_norm")
    if dtype is not None:
        a = a.to(dtype)
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {tuple(dim)}")
    d0, d1 = (norm_dim(d, a.ndim, "linalg.matrix_norm") for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        res = Norm.apply(a, p=2.0, dim=tuple(sorted((d0, d1))), keepdim=keepdim)
    elif ord == "nuc" or ord in (2, -2):
        s = svdvals(_to_last2(a, d0, d1))
        res = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                res = res.unsqueeze(d)
    elif ord in (1, -1, math.inf, -math.inf):
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = a.abs().sum(sum_dim, keepdim=True)
        red = sums.amax(red_dim, keepdim=True) if ord > 0 else sums.amin(red_dim, keepdim=True)
        res = red if keepdim else red.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return _out(res, out)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002,N803
         dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """torch.linalg.norm: with ``ord=None`` the 2-norm of the flattened input (or over an int
    ``dim``) / the Frobenius norm over a 2-tuple ``dim``; with ``ord`` a vector norm for
    1-D input or an int ``dim``, a matrix norm for 2-D input or a 2-tuple ``dim``."""
    a = _as_tensor(A, "norm")
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(a, "fro", dim, keepdim, dtype=dtype, out=out)
        return vector_norm(a, 2, dim, keepdim, dtype=dtype, out=out)
    if dim is None:
        if a.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {a.ndim}D.")
        dim = tuple(range(a.ndim))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r} (use "
                               f"matrix_norm for 'fro' / 'nuc')")
        return vector_norm(a, ord, dim, keepdim, dtype=dtype, out=out)
    return matrix_norm(a, ord, dim, keepdim, dtype=dtype, out=out)


# ------------------------------------------------------------------------------------- misc


def cross(input: Tensor, other: Tensor, *, dim: int = -1,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (the inputs broadcast); differentiable."""
    a, b = _as_tensor(input, "cross"), _as_tensor(other, "cross")
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions "
                           f"(got {list(a.shape)} and {list(b.shape)})")
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"linalg.cross: the shapes of input {list(a.shape)} and other "
                           f"{list(b.shape)} do not broadcast") from None
    d = norm_dim(dim, len(shape), "linalg.cross")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    a, b = (t if tuple(t.shape) == shape else t.expand(*shape) for t in (a, b))

    def at(t: Tensor, idx: list) -> Tensor:
        return t[(slice(None),) * d + (np.array(idx),)]

    res = at(a, [1, 2, 0]) * at(b, [2, 0, 1]) - at(a, [2, 0, 1]) * at(b, [1, 2, 0])
    return _out(res, out)


def matrix_power(A: Tensor, n: int, *, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """A^n for an integer n (n < 0: inv(A)^-n; n = 0: the identity), by repeated squaring."""
    a = _as_tensor(A, "matrix_power")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {' by '.join(map(str, a.shape[-2:]))} matrices")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n == 0:  # the identity, connected to A with a zero gradient (as torch)
        eye = np.eye(a.shape[-1], dtype=a._data.dtype)
        return _out(Where.apply(np.ones(a.shape, bool), eye, a), out)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return _out(result, out)


def multi_dot(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """The product of 2-D matrices (the first may be 1-D, a row; the last 1-D, a column), in
    the cheapest association order."""
    ts = [_as_tensor(t, "multi_dot") for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        ok = t.ndim == 2 or (t.ndim == 1 and i in (0, len(ts) - 1))
        if not ok:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D (the first and last may be "
                               f"1D) but got {t.ndim}D")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = [ts[0].unsqueeze(0) if first_vec else ts[0]] + ts[1:-1] + \
        [ts[-1].unsqueeze(-1) if last_vec else ts[-1]]
    dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    order = _chain_order(dims)

    def build(i: int, j: int) -> Tensor:
        if i == j:
            return mats[i]
        k = order[i][j]
        return matmul(build(i, k), build(k + 1, j))

    res = build(0, len(mats) - 1)
    if first_vec:
        res = res.squeeze(0)
    if last_vec:
        res = res.squeeze(-1)
    return _out(res, out)


def _chain_order(dims: list) -> list:
    """Matrix-chain dynamic programme: split[i][j] of the cheapest product of mats i..j."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Tensor | None = None) -> Tensor:
    """sum(x * y) along ``dim`` (the inputs broadcast)."""
    return _out((_as_tensor(x, "vecdot") * _as_tensor(y, "vecdot")).sum(dim), out)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1  # noqa: N803
             ) -> Tensor:
    """The ``offset`` diagonal of the matrices over (dim1, dim2), as a last dim."""
    a = _as_tensor(A, "diagonal")
    d1, d2 = norm_dim(dim1, a.ndim, "diagonal"), norm_dim(dim2, a.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    moved = _to_last2(a, d1, d2)
    m, n = moved.shape[-2:]
    rows = np.arange(builtins.max(0, -offset), m)
    cols = rows + offset
    keep = cols < n
    rows, cols = rows[keep], cols[keep]
    return moved[..., rows, cols]


def cond(A: Tensor, p: Any = None, *, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """Condition number: largest / smallest singular value (``p`` None or 2; -2 the inverse),
    else ``matrix_norm(A, p) * matrix_norm(inv(A), p)`` ('fro', 'nuc', +-1, +-inf: square A).
    A singular matrix gives inf."""
    a = _matrix(A, "cond")
    if p is None or p in (2, -2):
        s = svdvals(a)
        with np.errstate(divide="ignore"):
            res = s.amax(-1) / s.amin(-1) if p != -2 else s.amin(-1) / s.amax(-1)
        return _out(res, out)
    a = _square(a, "cond")
    try:
        res = matrix_norm(a, p) * matrix_norm(inv(a), p)
    except LinAlgError:
        res = Tensor._wrap(np.full(a.shape[:-2], np.inf, a._data.dtype))
    return _out(res, out)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """Vandermonde matrix of x (..., n): (..., n, N) with columns x^0, x^1, ..., x^(N-1)
    (N defaults to n). Differentiable."""
    x = _as_tensor(x, "vander")
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else int(N)
    if n <= 1:
        raise RuntimeError(f"linalg.vander: N must be greater than 1 (got {n}).")
    cols = [Where.apply(np.ones(x.shape, bool), np.ones((), x._data.dtype), x)] + \
        [x ** k if k > 1 else x for k in range(1, n)]

    return stack(cols, -1)


def tensorinv(A: Tensor, ind: int = 2, *, out: Tensor | None = None) -> Tensor:  # noqa: N803
    """The inverse of A seen as a linear map from its last dims to its first ``ind`` dims:
    shape A.shape[ind:] + A.shape[:ind]."""
    a = _float(A, "tensorinv")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows = int(np.prod(a.shape[:ind]))
    cols = int(np.prod(a.shape[ind:]))
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return _out(inv(a.reshape(rows, cols)).reshape(*a.shape[ind:], *a.shape[:ind]), out)


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None, *,  # noqa: N803
                out: Tensor | None = None) -> Tensor:
    """X with ``tensordot(A, X, X.ndim) = B``: X has shape A.shape[B.ndim:] (after moving the
    ``dims`` of A to the end)."""
    a, b = _float(A, "tensorsolve"), _float(B, "tensorsolve")
    if dims is not None:
        ds = [norm_dim(d, a.ndim, "tensorsolve") for d in dims]
        a = a.permute(*[d for d in range(a.ndim) if d not in ds], *ds)
    x_shape = tuple(a.shape[b.ndim:])
    rows, cols = int(np.prod(b.shape)), int(np.prod(x_shape))
    if tuple(a.shape[:b.ndim]) != tuple(b.shape) or rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           f"]) == prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    x = solve(a.reshape(rows, cols), b.reshape(rows))
    return _out(x.reshape(*x_shape), out)


# Pade(13) coefficients and the 1-norm bound up to which it is exact in double precision
# (Higham, "The scaling and squaring method for the matrix exponential revisited", 2005)
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """exp(A) of square matrices (..., n, n): scaling and squaring with a degree-13 Padé
    approximant (Higham 2005), built from matmuls and one solve, so it is differentiable to
    any order (the approximant's derivative, exact to rounding)."""
    a = _square(A, "matrix_exp")
    n = a.shape[-1]
    if n == 0 or a._data.size == 0:
        return a.clone()
    if a._data.dtype.itemsize < 4:  # float16/bfloat16: in float32 (the solve needs LAPACK)
        return matrix_exp(a.float()).to(a.dtype)
    norm1 = float(np.abs(a._data).sum(-2).max()) if a._data.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm1 / _THETA13)))) if norm1 > _THETA13 else 0
    x = a * (0.5 ** s) if s else a
    b = _PADE13
    eye = np.eye(n, dtype=a._data.dtype)
    x2 = matmul(x, x)
    x4 = matmul(x2, x2)
    x6 = matmul(x4, x2)
    u = matmul(x, matmul(x6, x6 * b[13] + x4 * b[11] + x2 * b[9])
               + x6 * b[7] + x4 * b[5] + x2 * b[3] + eye * b[1])
    v = matmul(x6, x6 * b[12] + x4 * b[10] + x2 * b[8]) + x6 * b[6] + x4 * b[4] + \
        x2 * b[2] + eye * b[0]
    r = LA.Solve.apply(v - u, v + u)
    for _ in range(s):
        r = matmul(r, r)
    return r


def eig(A: Tensor, *, out: Any = None) -> Any:  # noqa: N803
    """Not available: the eigenvalues of a general real matrix are complex, and autograd_nn
    has no complex dtypes (use :func:`eigh` for symmetric matrices)."""
    raise NotImplementedError("linalg.eig: complex eigenvalues/eigenvectors need complex "
                              "dtypes, which autograd_nn does not have; for a symmetric matrix "
                              "use linalg.eigh")


def eigvals(A: Tensor, *, out: Any = None) -> Any:  # noqa: N803
    """Not available (complex results): see :func:`eig`; use :func:`eigvalsh` for symmetric
    matrices."""
    raise NotImplementedError("linalg.eigvals: complex eigenvalues need complex dtypes, which "
                              "autograd_nn does not have; for a symmetric matrix use "
                              "linalg.eigvalsh")


def _to_last2(a: Tensor, d0: int, d1: int) -> Tensor:
    """``a`` with dims d0, d1 moved to the end, in that order (torch.movedim)."""
    if (d0, d1) == (a.ndim - 2, a.ndim - 1):
        return a
    rest = [d for d in range(a.ndim) if d not in (d0, d1)]
    return a.permute(*rest, d0, d1)


def _out(res: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return res
    if not isinstance(out, Tensor):
        raise TypeError(f"out must be a Tensor, got {type(out).__name__}")
    if tuple(out.shape) != tuple(res.shape):
        if out.numel():
            raise RuntimeError(f"out: expected a tensor of shape {list(res.shape)} (or an "
                               f"empty one), got {list(out.shape)}")
        out._data = np.empty(res._data.shape, out._data.dtype)  # an empty out is resized
    out.copy_(res.detach())
    return out
