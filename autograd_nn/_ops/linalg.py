"""Linear-algebra ops (real floating dtypes, batched over leading dims): inverse, determinant,
log|det|, solve, triangular solve, Cholesky, eigh, SVD, QR, pseudo-inverse.

Each backward is PyTorch's formula (torch/csrc/autograd/FunctionsManual.cpp), written with
operators and ``Op.call`` so the same lines run on arrays in a plain backward and record a
differentiable graph under ``create_graph``. A factorization with several outputs (eigh, svd,
qr) is one op whose output packs them along the last dim, flattened; the public functions
slice them out, so the gradients of all the outputs reach one backward together (a slice that
is not used contributes zeros).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import engine
from ..autograd.engine import Op
from .attention import _mT
from .common import as_tensor_like, named_as, to_tensor, write_result
from .indexing import MatMul, bmm, dot, matmul, mm, outer
from .reduction import Sum
from .shape import Cat

__all__ = ["Inv", "Det", "LogAbsDet", "Solve", "SolveTriangular", "Cholesky", "CholeskySolve",
           "Eigh", "Svd", "Qr", "Pinv", "Lu", "lu_np", "pack", "tril", "triu", "NoGradOutput",
           "ldl_np", "ldl_solve_np"]


# ------------------------------------------------------------- helpers (arrays and Tensors)


def _is_t(x) -> bool:
    return isinstance(x, engine.Tensor)


def tril(x, k: int = 0):
    return x.tril(k) if _is_t(x) else np.tril(x, k)


def triu(x, k: int = 0):
    return x.triu(k) if _is_t(x) else np.triu(x, k)


def _unsq(x, d: int):
    return x.unsqueeze(d) if _is_t(x) else np.expand_dims(x, d)


def _eye(n: int, like) -> np.ndarray:
    return np.eye(n, dtype=like._data.dtype if _is_t(like) else like.dtype)


def _diag_embed(v):
    """(..., n) -> (..., n, n) with v on the diagonal."""
    return _unsq(v, -1) * _eye(v.shape[-1], v)


def _diagonal(x):
    """(..., n, n) -> (..., n): the main diagonal (as a product with I: differentiable)."""
    return Sum.call(x * _eye(x.shape[-1], x), dim=(-1,))


def _narrow(x, dim: int, start: int, length: int):
    sl = [slice(None)] * x.ndim
    sl[dim] = slice(start, start + length)
    return x[tuple(sl)]


def _zeros_like_np(x) -> np.ndarray:
    return np.zeros(x.shape, x._data.dtype if _is_t(x) else x.dtype)


def pack(batch: tuple, *arrays: np.ndarray) -> np.ndarray:
    """Several results with batch dims ``batch`` in one array: each flattened past the batch
    dims, concatenated along the last dim."""
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def _unpack(packed, shapes: tuple) -> list:
    """The inverse of :func:`pack` for results of the given trailing ``shapes``."""
    batch = packed.shape[:-1]
    out, start = [], 0
    for shp in shapes:
        n = int(np.prod(shp, dtype=np.int64))
        piece = packed[..., start:start + n]
        out.append(piece.reshape(batch + tuple(shp)))
        start += n
    return out


def unpack_results(packed, shapes: tuple) -> list:
    """The results of a packed multi-output op (:func:`_unpack`), each named after the op's node:
    PyTorch's one node with several outputs (``LinalgSvdBackward0`` for U, S and Vh)."""
    parts = _unpack(packed, shapes)
    node = packed._node
    if node is not None:
        name = node.name()
        for part in parts:
            engine.name_node(part, name)
    return parts


def _pieces(g, shapes: tuple) -> list:
    """Per-result gradients from the packed gradient ``g``; a result no gradient reached is
    None (its slice is all zeros in a plain backward)."""
    parts = _unpack(g, shapes)
    if _is_t(g):  # a constant zero slice (an unused result) is None too
        return [p if p.requires_grad or p._data.any() else None for p in parts]
    return [p if p.any() else None for p in parts]


class NoGradOutput(Op):
    """``value``: an output PyTorch's node records although no gradient flows back through it
    (slogdet's sign, lstsq's empty residuals, qr(mode='r')'s Q and R). It requires grad when
    ``inputs`` do; backward passes nothing, or raises ``error`` where PyTorch's does."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, value, *inputs, error=""):
        ctx.error = error
        return value

    @staticmethod
    def backward(ctx, g):
        if ctx.error:
            raise RuntimeError(ctx.error)
        return (None,) * len(ctx.needs_input_grad)


# --------------------------------------------------------------------------------- inverse


class Inv(Op):
    grad_fn_name = "LinalgInvExBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a):
        return np.linalg.inv(a)

    @staticmethod
    def backward(ctx, g):
        inv_t = _mT(ctx.out)
        return -MatMul.call(inv_t, MatMul.call(g, inv_t))


# ----------------------------------------------------------------------------- determinant


def _cofactor_svd(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix (gradient of det) of each matrix, singular ones included:
    det A = det U det Vh prod S, so d det / dA = U diag(det U det Vh prod_{j != i} S_j) Vh."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.where(np.eye(n, dtype=bool), 1, s[..., None, :]).prod(-1)
    alpha = np.linalg.det(u) * np.linalg.det(vh)
    return (u * (alpha[..., None] * others)[..., None, :]) @ vh


class Det(Op):
    grad_fn_name = "LinalgDetBackward0"
    saves_out = True

    @staticmethod
    def forward(ctx, a):
        return np.linalg.det(a)

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.inputs[0], ctx.out
        n = a.shape[-1]
        if n == 0:
            z = _zeros_like_np(a)
            return engine.Tensor._wrap(z) if _is_t(g) else z
        gd = g * det
        if _is_t(g):  # differentiable again: g det A^-T (a nonsingular A)
            return Solve.call(_mT(a), _diag_embed(_unsq(gd, -1) * np.ones(n, a._data.dtype)))
        eps = np.finfo(a.dtype).eps
        singular = np.abs(det) < eps * np.abs(a).max(axis=(-2, -1), initial=0) ** n
        out = np.empty(np.broadcast_shapes(a.shape, np.shape(gd) + (1, 1)), a.dtype)
        if singular.any():
            cof = _cofactor_svd(a)
            out[...] = np.expand_dims(g, (-1, -2)) * cof
        if not singular.all():
            safe = np.where(singular[..., None, None], np.eye(n, dtype=a.dtype), a)
            grad = np.linalg.solve(_mT(safe), np.expand_dims(gd, (-1, -2)) * np.eye(n))
            np.copyto(out, grad.astype(a.dtype, copy=False),
                      where=~np.broadcast_to(singular[..., None, None], out.shape))
        return out


class LogAbsDet(Op):
    """log |det A| (the sign, not differentiable, is computed apart)."""
    grad_fn_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        return np.linalg.slogdet(a)[1]

    @staticmethod
    def backward(ctx, g):
        a = ctx.inputs[0]
        n = a.shape[-1]
        return Solve.call(_mT(a), _diag_embed(_unsq(g, -1) * np.ones(n, _eye(1, a).dtype)))


# ---------------------------------------------------------------------------------- solves


class Solve(Op):
    """X = A^-1 B for A (..., n, n) and B (..., n, k), batch dims broadcasting."""
    grad_fn_name = "LinalgSolveExBackward0"
    saves_out = True
    grad_reads = ((0,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return np.linalg.solve(a, b)

    @staticmethod
    def backward(ctx, g):
        a = ctx.inputs[0]
        gb = Solve.call(_mT(a), g)
        ga = -MatMul.call(gb, _mT(ctx.out)) if ctx.needs_input_grad[0] else None
        return ga, gb


def _triangle(a, upper: bool, unit: bool):
    t = triu(a) if upper else tril(a)
    if unit:
        t = t - t * _eye(a.shape[-1], a) + _eye(a.shape[-1], a)
    return t


class SolveTriangular(Op):
    """X with A X = B (``left``) or X A = B, A triangular (only that triangle is read; with
    ``unitriangular`` its diagonal is taken as ones)."""
    grad_fn_name = "LinalgSolveTriangularBackward0"
    saves_out = True
    grad_reads = ((0,), (0,))

    @staticmethod
    def forward(ctx, a, b, upper=False, left=True, unitriangular=False):
        ctx.tri = (upper, left, unitriangular)
        t = _triangle(a, upper, unitriangular)
        if left:
            return np.linalg.solve(t, b)
        return np.swapaxes(np.linalg.solve(np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2)),
                           -1, -2)

    @staticmethod
    def backward(ctx, g):
        a = ctx.inputs[0]
        upper, left, unit = ctx.tri
        gb = SolveTriangular.call(_mT(a), g, upper=not upper, left=left, unitriangular=unit)
        ga = None
        if ctx.needs_input_grad[0]:
            xt = _mT(ctx.out)
            ga = -MatMul.call(gb, xt) if left else -MatMul.call(xt, gb)
            ga = triu(ga, 1 if unit else 0) if upper else tril(ga, -1 if unit else 0)
        return ga, gb


# -------------------------------------------------------------------------------- Cholesky


class CholeskySolve(Op):
    """X = (L L^T)^-1 B from a Cholesky factor (lower L, or upper U = L^T with ``upper``;
    only that triangle is read). The gradient of the factor is PyTorch's: that of
    (L L^T)^-1 B with every entry of L taking part."""
    grad_fn_name = "CholeskySolveBackward0"
    saves_out = True
    grad_reads = ((1,), (1,))

    @staticmethod
    def forward(ctx, b, f, upper=False):
        ctx.upper = upper
        lo = np.swapaxes(np.triu(f), -1, -2) if upper else np.tril(f)
        y = np.linalg.solve(lo, b)
        return np.linalg.solve(np.swapaxes(lo, -1, -2), y)

    @staticmethod
    def backward(ctx, g):
        f, upper = ctx.inputs[1], ctx.upper
        gb = CholeskySolve.call(g, f, upper=upper)
        gf = None
        if ctx.needs_input_grad[1]:
            common = MatMul.call(gb, _mT(ctx.out))
            common = common + _mT(common)
            gf = -MatMul.call(f, common) if upper else -MatMul.call(common, f)
        return gb, gf



class Cholesky(Op):
    """L with A = L L^T (or U = L^T with ``upper``); only A's lower triangle is read."""
    grad_fn_name = "LinalgCholeskyExBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a, upper=False):
        ctx.upper = upper
        lo = np.linalg.cholesky(a)
        return np.swapaxes(lo, -1, -2).copy() if upper else lo

    @staticmethod
    def backward(ctx, g):
        lo, gl = ctx.out, g
        if ctx.upper:
            lo, gl = _mT(lo), _mT(gl)
        phi = tril(MatMul.call(_mT(lo), gl))
        phi = (phi + _mT(tril(phi, -1))) * 0.5
        ga = SolveTriangular.call(_mT(lo), phi, upper=True, left=True)
        return SolveTriangular.call(lo, ga, upper=False, left=False)


# ------------------------------------------------------------------------------------ eigh


class Eigh(Op):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric A, packed:
    (..., n + n * n). Only the ``UPLO`` triangle of A is read."""
    grad_fn_name = "LinalgEighBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a, UPLO="L"):  # noqa: N803 - PyTorch's keyword
        ctx.n = a.shape[-1]
        w, v = np.linalg.eigh(a, UPLO=UPLO)
        return pack(a.shape[:-2], w, v)

    @staticmethod
    def backward(ctx, g):
        n = ctx.n
        gw, gv = _pieces(g, ((n,), (n, n)))
        w, v = _unpack(ctx.out, ((n,), (n, n)))
        if gv is None:  # eigenvalues only: V diag(gw) V^T
            return MatMul.call(v * _unsq(gw, -2), _mT(v))
        vtgv = MatMul.call(_mT(v), gv)
        vtgv = (vtgv - _mT(vtgv)) * 0.5
        eye = _eye(n, w)
        e = _unsq(w, -2) - _unsq(w, -1) + eye  # E_ij = w_j - w_i, ones on the diagonal
        ga = vtgv / e
        if gw is not None:
            ga = ga - ga * eye + _diag_embed(gw)
        return MatMul.call(v, MatMul.call(ga, _mT(v)))


# ------------------------------------------------------------------------------------- SVD


def _svd_shapes(m: int, n: int, full: bool) -> tuple:
    k = min(m, n)
    return ((m, m if full else k), (k,), (n if full else k, n))


def svd_backward(gu, gs, gvh, u, s, vh):
    """PyTorch's svd_backward (thin factors: u (m, k), s (k,), vh (k, n))."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if gs is None:
            return None
        if m >= n:
            return MatMul.call(u, _unsq(gs, -1) * vh)
        return MatMul.call(u * _unsq(gs, -2), vh)
    s_row, s_col = _unsq(s, -2), _unsq(s, -1)
    uhgu = vhgv = None
    if gu is not None:
        uhgu = MatMul.call(_mT(u), gu)
        uhgu = uhgu - _mT(uhgu)
    if gvh is not None:
        vhgv = MatMul.call(vh, _mT(gvh))
        vhgv = vhgv - _mT(vhgv)
    s2 = s * s
    e = _unsq(s2, -2) - _unsq(s2, -1) + _eye(s.shape[-1], s)  # E_ij = s_j^2 - s_i^2
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * s_row + s_col * vhgv) / e
    elif uhgu is not None:
        ga = (uhgu / e) * s_row
    else:
        ga = s_col * (vhgv / e)
    if gs is not None:
        ga = ga + _diag_embed(gs)
    if m > n and gu is not None:
        ga = MatMul.call(u, ga)
        gu_sinv = gu / s_row
        ga = ga + gu_sinv - MatMul.call(u, MatMul.call(_mT(u), gu_sinv))
        return MatMul.call(ga, vh)
    if m < n and gvh is not None:
        ga = MatMul.call(ga, vh)
        sinv_gvh = gvh / s_col
        ga = ga + sinv_gvh - MatMul.call(MatMul.call(sinv_gvh, _mT(vh)), vh)
        return MatMul.call(u, ga)
    if m >= n:
        return MatMul.call(u, MatMul.call(ga, vh))
    return MatMul.call(MatMul.call(u, ga), vh)


class Svd(Op):
    """U, S, Vh of A (..., m, n), packed (full_matrices: U (m, m), Vh (n, n); else k = min)."""
    grad_fn_name = "LinalgSvdBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a, full_matrices=False):
        m, n = a.shape[-2:]
        ctx.shapes = _svd_shapes(m, n, full_matrices)
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        return pack(a.shape[:-2], u, s, vh)

    @staticmethod
    def backward(ctx, g):
        shapes = ctx.shapes
        gu, gs, gvh = _pieces(g, shapes)
        u, s, vh = _unpack(ctx.out, shapes)
        k = shapes[1][0]
        if shapes[0][1] != k:  # full matrices: the extra columns carry nothing about A
            u = _narrow(u, -1, 0, k)
            gu = None if gu is None else _narrow(gu, -1, 0, k)
        if shapes[2][0] != k:
            vh = _narrow(vh, -2, 0, k)
            gvh = None if gvh is None else _narrow(gvh, -2, 0, k)
        return svd_backward(gu, gs, gvh, u, s, vh)


# -------------------------------------------------------------------------------------- QR


class Qr(Op):
    """Q, R of A (..., m, n), packed; ``mode`` 'reduced' (Q (m, k), R (k, n)) or 'complete'
    (Q (m, m), R (m, n))."""
    grad_fn_name = "LinalgQrBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        m, n = a.shape[-2:]
        k = m if mode == "complete" else min(m, n)
        ctx.shapes = ((m, k), (k, n))
        ctx.mode = mode
        q, r = np.linalg.qr(a, mode=mode)
        return pack(a.shape[:-2], q, r)

    @staticmethod
    def backward(ctx, g):
        gq, gr = _pieces(g, ctx.shapes)
        q, r = _unpack(ctx.out, ctx.shapes)
        m, n = ctx.shapes[0][0], ctx.shapes[1][1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if gq is None and gr is None:
            return None
        if gq is not None:
            ga = -MatMul.call(_mT(q), gq)
            if gr is not None:
                ga = ga + MatMul.call(gr, _mT(r))
        else:
            ga = MatMul.call(gr, _mT(r))
        if m >= n:
            sym = triu(ga)
            sym = sym + _mT(sym)
            sym = sym - sym * _eye(sym.shape[-1], sym) * 0.5  # halve the doubled diagonal
            ga = MatMul.call(q, sym)
            if gq is not None:
                ga = ga + gq
            return SolveTriangular.call(_mT(r), ga, upper=False, left=False)
        x = -ga
        skew = tril(x - _mT(x))
        ga = MatMul.call(q, skew)
        ga = SolveTriangular.call(_mT(_narrow(r, -1, 0, m)), ga, upper=False, left=False)
        pad = np.zeros(ga.shape[:-1] + (n - m,), _eye(1, ga).dtype)
        ga = _cat_last(ga, pad)
        if gr is not None:
            ga = ga + MatMul.call(q, gr)
        return ga


def _cat_last(a, b, axis: int = -1):
    if _is_t(a) or _is_t(b):

        return Cat.apply(a if _is_t(a) else engine.Tensor._wrap(a),
                         b if _is_t(b) else engine.Tensor._wrap(b), dim=axis % a.ndim)
    return np.concatenate([a, b], axis=axis)


# -------------------------------------------------------------------------------------- LU


def lu_np(a: np.ndarray) -> tuple:
    """LU with partial pivoting (LAPACK getrf's choices: the first largest |pivot|), batched.
    Returns (packed LU (..., m, n), pivots (..., k) int32 1-based as LAPACK's, perm (..., m):
    A[perm] = L U, info (...) int32: 0 or the 1-based index of the first zero pivot)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = np.array(a, dtype=a.dtype, copy=True).reshape((-1, m, n))
    nb = lu.shape[0]
    rows = np.arange(nb)
    perm = np.broadcast_to(np.arange(m), (nb, m)).copy()
    piv = np.zeros((nb, k), np.int32)
    info = np.zeros(nb, np.int32)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        lu[rows, j], lu[rows, p] = lu[rows, p], lu[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
        d = lu[:, j, j]
        zero = d == 0
        info[zero & (info == 0)] = j + 1
        safe = np.where(zero, 1, d)
        lu[:, j + 1:, j] /= safe[:, None]  # a zero pivot leaves its column as it is (LAPACK)
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return (lu.reshape(a.shape), piv.reshape(batch + (k,)), perm.reshape(batch + (m,)),
            info.reshape(batch))


# ------------------------------------------------------------------- LDL^T (Bunch-Kaufman)

_BK_ALPHA = (1 + 17 ** 0.5) / 8  # Bunch-Kaufman's growth bound, as LAPACK's dsytf2


def ldl_np(a: np.ndarray) -> tuple:
    """The Bunch-Kaufman factorization P A P^T = L D L^T of the symmetric matrices ``a``
    (..., n, n), from their lower triangles, as LAPACK's dsytrf with uplo 'L' (its unblocked
    dsytf2: the same pivot choices, the same update order). Returns (LD (..., n, n): L's
    multipliers below the diagonal and D's blocks on and next to it, upper triangle zero;
    pivots (..., n) int32, 1-based, a 2x2 block's both entries ``-p`` (rows k+1 and p were
    swapped); info (...) int32: 0, or the first k whose column was zero (D singular))."""
    n = a.shape[-1]
    flat = np.array(a, copy=True).reshape((int(np.prod(a.shape[:-2])), n, n))
    piv = np.zeros(flat.shape[:1] + (n,), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for m in range(flat.shape[0]):
        info[m] = _sytf2_lower(flat[m], piv[m])
    ld = np.tril(flat).reshape(a.shape)
    return ld, piv.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])


def _sytf2_lower(a: np.ndarray, piv: np.ndarray) -> int:
    """dsytf2 (uplo 'L') on one matrix, in place (0-based indices; ``piv`` gets 1-based)."""
    n = a.shape[0]
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))  # idamax: the first largest
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or absakk != absakk:  # a zero column (or NaN): skip it
            info = info or k + 1
            kp = k
        else:
            if absakk >= _BK_ALPHA * colmax:
                kp = k
            else:  # the largest off-diagonal of row/column imax
                rowmax = abs(a[imax, k + int(np.argmax(np.abs(a[imax, k:imax])))])
                if imax < n - 1:
                    rowmax = max(rowmax, abs(a[imax + 1 + int(np.argmax(np.abs(
                        a[imax + 1:, imax]))), imax]))
                if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _BK_ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing lower triangle
                a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = seg
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:  # dsyr, then dscal: A22 -= x x^T / d, L = x / d
                    d11 = 1 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] += np.outer(x, -d11 * x)
                    a[k + 1:, k] *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1 / (d11 * d22 - 1)
                d21 = t / d21
                c0, c1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                wk = d21 * (d11 * c0 - c1)
                wkp1 = d21 * (d22 * c1 - c0)
                sub = a[k + 2:, k + 2:]
                sub -= np.outer(c0, wk)
                sub -= np.outer(c1, wkp1)
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return info


def ldl_solve_np(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """X with A X = B from :func:`ldl_np`'s (LD, pivots) of one matrix (LAPACK's dsytrs,
    uplo 'L'); ``b`` (n, k) is overwritten."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = P B
        p = int(piv[k])
        if p > 0:
            if p - 1 != k:
                b[[k, p - 1]] = b[[p - 1, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] *= 1 / ld[k, k]
            k += 1
        else:
            if -p - 1 != k + 1:
                b[[k + 1, -p - 1]] = b[[-p - 1, k + 1]]
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k])
            b[k + 2:] -= np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, then undo P
        p = int(piv[k])
        b[k] -= ld[k + 1:, k] @ b[k + 1:]
        if p > 0:
            step = 1
        else:
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            p, step = -p, 2
        if p - 1 != k:
            b[[k, p - 1]] = b[[p - 1, k]]
        k -= step
    return b


def perm_matrix(perm: np.ndarray, dtype) -> np.ndarray:
    """P with A = P L U for A[perm] = L U: P[..., perm[i], i] = 1."""
    m = perm.shape[-1]
    p = np.zeros(perm.shape + (m,), dtype)
    np.put_along_axis(p, perm[..., None], 1, axis=-1)
    return np.swapaxes(p, -1, -2)


class Lu(Op):
    """L (m, k) unit lower and U (k, n) upper of A = P L U (P from partial pivoting, saved on
    ctx, not differentiable), packed; PyTorch's linalg_lu_backward."""
    grad_fn_name = "LinalgLuBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, a, fact=None):
        m, n = a.shape[-2:]
        k = min(m, n)
        lu, _, perm, _ = lu_np(a) if fact is None else fact  # fact: lu_np(a), already done
        lo = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=a.dtype)
        up = np.triu(lu[..., :k, :])
        ctx.shapes = ((m, k), (k, n))
        ctx.P = perm_matrix(perm, a.dtype)
        return pack(a.shape[:-2], lo, up)

    @staticmethod
    def backward(ctx, g):
        gl, gu = _pieces(g, ctx.shapes)
        lo, up = _unpack(ctx.out, ctx.shapes)
        if gl is None and gu is None:
            return None
        (m, k), (_, n) = ctx.shapes
        mm, st = MatMul.call, SolveTriangular.call
        if m == n:
            ga = None
            if gl is not None:
                ga = tril(mm(_mT(lo), gl), -1)
            if gu is not None:
                t = triu(mm(gu, _mT(up)))
                ga = t if ga is None else ga + t
            ga = st(_mT(up), ga, upper=False, left=False)
            ga = st(_mT(lo), ga, upper=True, left=True, unitriangular=True)
        elif m < n:
            u1 = _narrow(up, -1, 0, k)
            ga = mm(_mT(lo), gl) if gl is not None else None
            if gu is not None:
                t = -mm(triu(gu), _mT(up))
                ga = t if ga is None else ga + t
            ga = st(_mT(u1), tril(ga, -1), upper=False, left=False)
            if gu is not None:
                ga = _cat_last(ga + triu(_narrow(gu, -1, 0, k)), _narrow(gu, -1, k, n - k))
            ga = st(_mT(lo), ga, upper=True, left=True, unitriangular=True)
            if gu is None:
                ga = _cat_last(ga, np.zeros(ga.shape[:-1] + (n - k,), _eye(1, ga).dtype))
        else:
            l1 = _narrow(lo, -2, 0, k)
            ga = mm(gu, _mT(up)) if gu is not None else None
            if gl is not None:
                t = -mm(_mT(lo), tril(gl, -1))
                ga = t if ga is None else ga + t
            ga = st(_mT(l1), triu(ga), upper=True, left=True, unitriangular=True)
            if gl is not None:
                ga = _cat_last(ga + tril(_narrow(gl, -2, 0, k), -1),
                               _narrow(gl, -2, k, m - k), axis=-2)
            ga = st(_mT(up), ga, upper=False, left=False)
            if gl is None:
                ga = _cat_last(ga, np.zeros(ga.shape[:-2] + (m - k, ga.shape[-1]),
                                            _eye(1, ga).dtype), axis=-2)
        return mm(ctx.P, ga)


# ------------------------------------------------------------------------- pseudo-inverse


def pinv_np(a: np.ndarray, atol: np.ndarray, rtol: np.ndarray) -> np.ndarray:
    """A^+ through the SVD: singular values <= max(atol, rtol * s_max) count as zero."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    smax = s.max(axis=-1, keepdims=True, initial=0)
    tol = np.maximum(np.asarray(atol)[..., None], np.asarray(rtol)[..., None] * smax)
    keep = s > tol
    sinv = np.divide(1, s, out=np.zeros_like(s), where=keep)
    return np.swapaxes(vh, -1, -2) @ (sinv[..., None] * np.swapaxes(u, -1, -2))


class Pinv(Op):
    """Moore-Penrose pseudo-inverse; PyTorch's pinv_backward (exact where the rank is
    locally constant)."""
    grad_fn_name = "LinalgPinvBackward0"
    saves_out = True

    @staticmethod
    def forward(ctx, a, atol=0.0, rtol=0.0):
        return pinv_np(a, atol, rtol)

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.inputs[0], ctx.out
        m, n = a.shape[-2:]
        pt, gt = _mT(p), _mT(g)
        mm = MatMul.call
        if m <= n:
            k = mm(gt, p)
            kpt = mm(k, pt)
            return -_mT(mm(p, k)) + kpt - mm(mm(a, p), kpt) + mm(mm(pt, p), gt - mm(k, a))
        k = mm(p, gt)
        ptk = mm(pt, k)
        return -_mT(mm(k, p)) + mm(mm(gt - mm(a, k), p), pt) + ptk - mm(mm(ptk, p), a)


# ----------------------------------------------- BLAS-style products (compositions of matmul)


def _factor(x: Any, factor: Any, refuse: str = "") -> Any:
    """The scalar ``factor`` applied to tensor ``x``: a float one of an integer tensor is
    truncated to an int, as PyTorch's addmm / addcmul family does (its integer kernels take
    the factor as an int), or refused (``refuse``: the op and argument names), as its addr."""
    if x._data.dtype.kind in "biu" and isinstance(factor, float):
        if refuse:
            raise RuntimeError(f"{refuse}: for integral input tensors, the argument must not be "
                               f"a floating point number (got {factor})")
        return int(factor)
    return factor


def _scaled(x: Any, factor: Any, refuse: str = "") -> Any:
    """``factor * x`` (``_factor``'s rules)."""
    factor = _factor(x, factor, refuse)
    return x if factor == 1 else x * factor


def _add_product(name: str, input: Any, product: Any, beta: Any, alpha: Any,
                 strict: bool = False) -> Any:
    """``beta * input + alpha * product`` (``input`` broadcast to the product's shape); with
    ``beta == 0`` the input is ignored, NaN and inf included, as PyTorch."""
    input = as_tensor_like(input, product)
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(product.shape))
    except ValueError:
        shape = None
    if shape != tuple(product.shape):
        raise RuntimeError(f"{name}: the input of shape {list(input.shape)} does not broadcast "
                           f"to the product's shape {list(product.shape)}")
    scaled = _scaled(product, alpha, f"{name} alpha" if strict else "")
    if beta == 0:
        _scaled(input, beta, f"{name} beta" if strict else "")
        return scaled
    return _scaled(input, beta, f"{name} beta" if strict else "") + scaled


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices (n, m) @ (m, p)."""
    return _add_product("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (mat @ vec)`` for a matrix (n, m) and a vector (m,)."""
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"addmv: vector + matrix @ vector expected, got {input.ndim}, "
                           f"{mat.ndim}, {vec.ndim}")
    return _add_product("addmv", input, matmul(mat, vec), beta, alpha)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: expected 1-D vectors, got {vec1.ndim}-D and {vec2.ndim}-D")
    return _add_product("addr", input, ger(vec1, vec2), beta, alpha, strict=True)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * bmm(batch1, batch2)`` for (b, n, m) @ (b, m, p)."""
    if batch1.ndim == 3 and batch2.ndim == 3 and batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"baddbmm: batch1 and batch2 must have the same number of batches, "
                           f"got {batch1.shape[0]} and {batch2.shape[0]}")
    return _add_product("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``, an (n, p) matrix."""
    if batch1.ndim == 3 and batch2.ndim == 3 and batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"addbmm: batch1 and batch2 must have the same number of batches, "
                           f"got {batch1.shape[0]} and {batch2.shape[0]}")
    return _add_product("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


def _inplace_form(fn: Callable) -> Callable:
    """``input.<fn>_(...)``: the result written into ``input``, which must already have the
    result's shape (it is not broadcast, as PyTorch's in-place products)."""
    def method(input: Any, *args: Any, **kwargs: Any) -> Any:
        return write_result(input, fn, fn.__name__ + "_", *args, **kwargs)

    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


addmm_, addmv_, addr_ = _inplace_form(addmm), _inplace_form(addmv), _inplace_form(addr)
baddbmm_, addbmm_ = _inplace_form(baddbmm), _inplace_form(addbmm)


def ger(input: Any, vec2: Any) -> Any:
    """``outer`` (its older name): the outer product of two vectors."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D vectors, got {input.ndim}-D and "
                           f"{vec2.ndim}-D")
    return outer(input, vec2)


def inner(input: Any, other: Any) -> Any:
    """Sum of products over the last dims: shape ``input.shape[:-1] + other.shape[:-1]``; a
    scalar operand multiplies."""
    if not isinstance(other, engine.Tensor):
        raise TypeError(f"inner(): argument 'other' must be Tensor, not {type(other).__name__}")
    if input._data.dtype == np.bool_ or other._data.dtype == np.bool_:
        raise NotImplementedError("inner: not implemented for 'Bool' tensors")
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    k = input.shape[-1]
    out = matmul(input.reshape(-1, k), _mT(other.reshape(-1, k)))
    return out.reshape(*input.shape[:-1], *other.shape[:-1])


def mv(input: Any, vec: Any) -> Any:
    """Matrix (n, m) times vector (m,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: vector + matrix @ vector expected, got {input.ndim}-D matrix "
                           f"and {vec.ndim}-D vector")
    return matmul(input, vec)


def vdot(input: Any, other: Any) -> Any:
    """Dot product of two 1-D vectors (real tensors: ``dot``)."""
    return dot(input, other)


def kron(input: Any, other: Any) -> Any:
    """The Kronecker product: each ``input`` element times the whole ``other`` block."""
    other = other if isinstance(other, engine.Tensor) else to_tensor(other)
    n = max(input.ndim, other.ndim)
    a_shape = (1,) * (n - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (n - other.ndim) + tuple(other.shape)
    a = input.reshape(*[v for s in a_shape for v in (s, 1)])
    b = other.reshape(*[v for s in b_shape for v in (1, s)])
    return (a * b).reshape(*[p * q for p, q in zip(a_shape, b_shape)])


def adjoint(input: Any) -> Any:
    """The conjugate transpose of the last two dims (a view; real tensors: ``mT``)."""
    if input.ndim == 0:  # PyTorch allows it (and warns it is deprecated there)
        return input.reshape(())
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.ndim}-D tensor.")
    return input.transpose(-2, -1)


# PyTorch's node names for these compositions (one fused kernel there)
addmm = named_as(addmm, "AddmmBackward0")
addmv = named_as(addmv, "AddmvBackward0")
addr = named_as(addr, "AddrBackward0")
baddbmm = named_as(baddbmm, "BaddbmmBackward0")
addbmm = named_as(addbmm, "AddbmmBackward0")
kron = named_as(kron, "UnsafeViewBackward0")  # PyTorch's last step: a view of the product
