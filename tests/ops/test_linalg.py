"""autograd_nn.linalg (and the torch.* forms) against PyTorch 2.13: values and gradients
(float64 1e-9, float32 1e-4 relative to the matrices' scale), batched inputs; float64
gradcheck / gradgradcheck; PyTorch's errors. Eigen- and singular vectors are compared through
quantities that do not depend on their signs (squares, reconstructions)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an
from autograd_nn import linalg as LA
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TOL = {np.float64: 1e-9, np.float32: 2e-4}


def _flat(out):
    if isinstance(out, tuple):
        return [o for o in out if o is not None]
    return [out]


def _parity(f_an, f_t, arrays, rng, dtype=np.float64, grad=True, tol=None):
    """Forward values and the gradients (random weights on every output) agree."""
    arrays = [a.astype(dtype) for a in arrays]
    ours = [an.tensor(a, requires_grad=grad) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=grad) for a in arrays]
    o, t = _flat(f_an(*ours)), _flat(f_t(*theirs))
    tol = tol or TOL[dtype]
    assert len(o) == len(t)
    lo = lt = 0
    for a, b in zip(o, t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        if grad and b.requires_grad:
            w = rng.standard_normal(tuple(b.shape)).astype(dtype)
            lo = lo + (a * an.tensor(w)).sum()
            lt = lt + (b * torch.tensor(w)).sum()
    if grad:
        lo.backward()
        lt.backward()
        for a, b in zip(ours, theirs):
            if b.grad is None:  # torch: no gradient (e.g. the 0-"norm"); ours must be zero
                assert a.grad is None or not a.grad.numpy().any()
                continue
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


def _spd(rng, *shape):
    n = shape[-1]
    x = rng.standard_normal(shape)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def _sym(rng, *shape):
    x = rng.standard_normal(shape)
    return x + np.swapaxes(x, -1, -2)


DTYPES = [np.float64, np.float32]


# ------------------------------------------------------------------- inverse, det, solve


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_inv_det_slogdet_match_torch(shape, dtype, rng):
    a = rng.standard_normal(shape) + 2 * np.eye(shape[-1])
    _parity(LA.inv, torch.linalg.inv, [a], rng, dtype)
    _parity(LA.det, torch.linalg.det, [a], rng, dtype)
    _parity(an.inverse, torch.inverse, [a], rng, dtype)
    neg = a.copy()
    neg[..., 0, :] *= -1  # negative determinants: sign -1, logdet NaN
    _parity(LA.slogdet, torch.linalg.slogdet, [neg], rng, dtype)
    _parity(an.logdet, torch.logdet, [np.abs(a) + np.eye(shape[-1]) * shape[-1]], rng, dtype)


def test_det_gradient_of_singular_matrices_is_the_cofactor_matrix(rng):
    """Rank n-1 (cofactor matrix non-zero) and rank n-2 (zero) matrices, in one batch with a
    regular one: the cofactor matrix through the SVD, checked against finite differences and
    a hand-computed adjugate. (PyTorch 2.13 returns 0 for an exactly singular matrix, whose
    LU determinant is exactly 0, even at rank n-1, where the derivative is not 0; only the
    regular matrix is compared with it.)"""
    b = rng.standard_normal((3, 4, 4))
    b[0, :, 0] = b[0, :, 1]                      # rank 3
    b[1, :, 0] = b[1, :, 1] = b[1, :, 2]         # rank 2
    x = an.tensor(b, requires_grad=True)
    LA.det(x).sum().backward()
    cof = np.array([[[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(m, i, 0), j, 1))
                      for j in range(4)] for i in range(4)] for m in b])
    np.testing.assert_allclose(x.grad.numpy(), cof, atol=1e-12)
    assert np.abs(cof[0]).max() > 0.1 and np.abs(cof[1]).max() < 1e-12
    assert gradcheck(LA.det, [an.tensor(b[:2], requires_grad=True)])
    _parity(LA.det, torch.linalg.det, [b[2:]], rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a_shape,b_shape,left", [
    ((3, 3), (3, 2), True), ((2, 3, 3), (2, 3, 4), True), ((3, 3), (3,), True),
    ((2, 3, 3), (2, 3), True), ((3, 3), (2, 3, 1), True), ((2, 3, 3), (2, 4, 3), False),
])
def test_solve_matches_torch(a_shape, b_shape, left, dtype, rng):
    a = rng.standard_normal(a_shape) + 3 * np.eye(a_shape[-1])
    b = rng.standard_normal(b_shape)
    _parity(lambda a, b: LA.solve(a, b, left=left),
            lambda a, b: torch.linalg.solve(a, b, left=left), [a, b], rng, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular_matches_torch(upper, left, unit, dtype, rng):
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 2) if left else (2, 2, 3))
    kw = dict(upper=upper, left=left, unitriangular=unit)
    _parity(lambda a, b: LA.solve_triangular(a, b, **kw),
            lambda a, b: torch.linalg.solve_triangular(a, b, **kw), [a, b], rng, dtype)


# ------------------------------------------------------------------------ factorizations


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_torch(upper, dtype, rng):
    a = _spd(rng, 2, 4, 4)
    _parity(lambda a: LA.cholesky(a, upper=upper), lambda a: torch.linalg.cholesky(a, upper=upper),
            [a], rng, dtype)
    l_ = np.linalg.cholesky(a)
    b = rng.standard_normal((2, 4, 3))
    _parity(an.cholesky_solve, torch.cholesky_solve, [b, l_], rng, dtype)
    _parity(an.cholesky_inverse, torch.cholesky_inverse, [l_[0]], rng, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_matches_torch(uplo, dtype, rng):
    a = _sym(rng, 2, 4, 4)
    _parity(lambda a: LA.eigvalsh(a, uplo), lambda a: torch.linalg.eigvalsh(a, uplo), [a], rng,
            dtype)

    def inv(f):  # eigenvalues and the sign-free squares of the eigenvectors
        return lambda a: (f(a, uplo)[0], f(a, uplo)[1] ** 2)

    _parity(inv(LA.eigh), inv(torch.linalg.eigh), [a], rng, dtype)


def _svd_invariants(f, full):
    """S, U^2 and Vh^2 (sign-free) on the first k columns / rows."""
    def g(a):
        u, s, vh = f(a, full_matrices=full)
        k = s.shape[-1]
        return s, u[..., :k] ** 2, vh[..., :k, :] ** 2
    return g


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_matches_torch(shape, full, dtype, rng):
    a = rng.standard_normal(shape)
    _parity(_svd_invariants(LA.svd, full), _svd_invariants(torch.linalg.svd, full), [a], rng,
            dtype)
    _parity(LA.svdvals, torch.linalg.svdvals, [a], rng, dtype)
    u, s, vh = LA.svd(an.tensor(a), full_matrices=full)
    np.testing.assert_allclose((u[..., :s.shape[-1]] * s.unsqueeze(-2)).numpy()
                               @ vh[..., :s.shape[-1], :].numpy(), a, atol=1e-12)


@pytest.mark.filterwarnings("ignore:torch.qr is deprecated")
def test_legacy_svd_and_qr_match_torch(rng):
    a = rng.standard_normal((4, 3))
    _parity(lambda a: (an.svd(a)[1], an.svd(a)[2] ** 2),
            lambda a: (torch.svd(a)[1], torch.svd(a)[2] ** 2), [a], rng)
    u, s, v = an.svd(an.tensor(a), some=False)
    assert u.shape == (4, 4) and v.shape == (3, 3)
    _parity(lambda a: an.qr(a, some=False), lambda a: torch.qr(a, some=False), [a.T], rng)
    _parity(an.pinverse, torch.pinverse, [a], rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mode", [((4, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 3, 3), "complete"), ((3, 5), "complete")])
def test_qr_matches_torch(shape, mode, dtype, rng):
    a = rng.standard_normal(shape)
    _parity(lambda a: LA.qr(a, mode), lambda a: torch.linalg.qr(a, mode), [a], rng, dtype)
    r = LA.qr(an.tensor(a), "r")
    np.testing.assert_allclose(r.R.numpy(), torch.linalg.qr(torch.tensor(a), "r").R.numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv_matches_torch(shape, dtype, rng):
    _parity(LA.pinv, torch.linalg.pinv, [rng.standard_normal(shape)], rng, dtype)


def test_rank_deficient_pinv_rank_lstsq_match_torch(rng):
    a = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 4))  # rank 2
    for kw in ({}, {"atol": 0.5}, {"rtol": 0.3}, {"hermitian": False}):
        assert LA.matrix_rank(an.tensor(a), **kw).item() == \
            torch.linalg.matrix_rank(torch.tensor(a), **kw).item()
    _parity(LA.pinv, torch.linalg.pinv, [a], rng, grad=False)
    b = rng.standard_normal((5, 2))
    for driver in ("gelsy", "gelsd", "gelss", "gels"):
        ours = LA.lstsq(an.tensor(a), an.tensor(b), driver=driver)
        if driver != "gels":  # gels assumes full rank (a different, arbitrary answer)
            theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
            np.testing.assert_allclose(ours.solution.numpy(), theirs.solution.numpy(),
                                       atol=1e-9)
            assert ours.rank.tolist() == theirs.rank.tolist()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_matches_torch(driver, dtype, rng):
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    _parity(lambda a, b: LA.lstsq(a, b, driver=driver)[:2],
            lambda a, b: torch.linalg.lstsq(a, b, driver=driver)[:2], [a, b], rng, dtype)
    ours = LA.lstsq(an.tensor(a), an.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert ours.rank.tolist() == theirs.rank.tolist()
    np.testing.assert_allclose(ours.singular_values.numpy(), theirs.singular_values.numpy())
    v = rng.standard_normal(5)  # a vector right-hand side (A's batch shape plus m)
    _parity(lambda a, v: LA.lstsq(a, v, driver=driver)[:2],
            lambda a, v: torch.linalg.lstsq(a, v, driver=driver)[:2],
            [a, v], rng, dtype)


# ------------------------------------------------------------------------------------ norms

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", [2, 1, 3.5, np.inf, -np.inf, 0, -1])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm_matches_torch(ord, dim, keepdim, dtype, rng):
    x = rng.standard_normal((2, 3, 4))
    _parity(lambda x: LA.vector_norm(x, ord, dim, keepdim),
            lambda x: torch.linalg.vector_norm(x, ord, dim, keepdim), [x], rng, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((2, 0), True)])
def test_matrix_norm_matches_torch(ord, dim, keepdim, dtype, rng):
    x = rng.standard_normal((3, 2, 4))
    _parity(lambda x: LA.matrix_norm(x, ord, dim, keepdim),
            lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim), [x], rng, dtype)


def test_norm_of_2d_input_with_a_vector_ord_raises_as_torch():
    for lib in (an, torch):
        with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported"):
            lib.linalg.norm(lib.ones(2, 2), ord=3)
    _parity(lambda x: LA.norm(x, 3), lambda x: torch.linalg.norm(x, 3),
            [np.arange(1.0, 5.0)], np.random.default_rng(0))


@pytest.mark.parametrize("args", [dict(), dict(dim=1), dict(dim=(0, 1)),
                                  dict(ord="nuc"), dict(ord=-np.inf), dict(ord=2, dim=(1, 0)),
                                  dict(keepdim=True)], ids=str)
def test_norm_matches_torch(args, rng):
    x = rng.standard_normal((3, 4))
    _parity(lambda x: LA.norm(x, **args), lambda x: torch.linalg.norm(x, **args), [x], rng)
    if "dim" not in args and args.get("ord") not in ("nuc",):
        _parity(lambda x: LA.norm(x, **args), lambda x: torch.linalg.norm(x, **args),
                [x[0]], rng)


# ------------------------------------------------------------------------------------- misc


def test_cross_matrix_power_multi_dot_vecdot_diagonal_match_torch(rng):
    a, b = rng.standard_normal((1, 2, 3)), rng.standard_normal((4, 1, 3))
    _parity(LA.cross, torch.linalg.cross, [a, b], rng)
    with pytest.raises(RuntimeError, match="inputs must have the same number of dimensions"):
        LA.cross(an.tensor(a[0]), an.tensor(b))
    c, d = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    _parity(lambda x, y: LA.cross(x, y, dim=0), lambda x, y: torch.linalg.cross(x, y, dim=0),
            [c, d], rng)
    with pytest.warns(UserWarning, match="without specifying the dim"):
        _parity(an.cross, torch.cross, [c, d], rng)
    m = rng.standard_normal((2, 3, 3)) * 0.5 + np.eye(3)
    for n in (0, 1, 3, -2):
        _parity(lambda x, n=n: LA.matrix_power(x, n),
                lambda x, n=n: torch.linalg.matrix_power(x, n), [m], rng)
        _parity(lambda x, n=n: an.matrix_power(x, n), lambda x, n=n: torch.matrix_power(x, n),
                [m], rng)
    mats = [rng.standard_normal(s) for s in [(3,), (3, 5), (5, 2), (2, 4), (4,)]]
    _parity(lambda *t: LA.multi_dot(t), lambda *t: torch.linalg.multi_dot(t), mats, rng)
    _parity(lambda *t: LA.multi_dot(t), lambda *t: torch.linalg.multi_dot(t), mats[1:4], rng)
    _parity(lambda x, y: LA.vecdot(x, y, dim=0), lambda x, y: torch.linalg.vecdot(x, y, dim=0),
            [c, d], rng)
    x = rng.standard_normal((2, 3, 4))
    for kw in (dict(), dict(offset=1), dict(offset=-1, dim1=0, dim2=2)):
        _parity(lambda x, kw=kw: LA.diagonal(x, **kw),
                lambda x, kw=kw: torch.linalg.diagonal(x, **kw), [x], rng)


# --------------------------------------------------------------- finite differences (float64)


def _sq(a):  # symmetric input for eigh / cholesky: gradchecked in all n^2 entries
    return a @ a.mT + an.eye(a.shape[-1], dtype=a.dtype) * a.shape[-1]


GRADCHECK = {
    "inv": (lambda a: LA.inv(a), (2, 3, 3)),
    "det": (lambda a: LA.det(a), (2, 3, 3)),
    "slogdet": (lambda a: LA.slogdet(a).logabsdet, (3, 3)),
    "solve": (lambda a: LA.solve(a, a[..., :2] * 2 + 1), (2, 3, 3)),
    "solve_triangular": (lambda a: LA.solve_triangular(a, a.mT, upper=True, left=False),
                         (3, 3)),
    "cholesky": (lambda a: LA.cholesky(_sq(a)), (2, 3, 3)),
    "cholesky_upper": (lambda a: LA.cholesky(_sq(a), upper=True), (3, 3)),
    "eigh": (lambda a: (lambda r: (r[0], r[1] ** 2))(LA.eigh(a + a.mT)), (3, 3)),
    "eigvalsh": (lambda a: LA.eigvalsh(a + a.mT), (2, 3, 3)),
    "svd_tall": (lambda a: (lambda r: (r[0] ** 2, r[1], r[2] ** 2))(
        LA.svd(a, full_matrices=False)), (4, 3)),
    "svd_wide": (lambda a: (lambda r: (r[0] @ r[2], r[1]))(LA.svd(a, full_matrices=False)),
                 (3, 4)),
    "svd_full": (lambda a: (lambda r: r[1] * r[0][:, :3].sum())(LA.svd(a)), (5, 3)),
    "qr_tall": (lambda a: LA.qr(a), (4, 3)),
    "qr_wide": (lambda a: LA.qr(a), (3, 5)),
    "pinv": (lambda a: LA.pinv(a), (3, 4)),
    "lstsq": (lambda a: LA.lstsq(a, a[:, :2].sin(), driver="gelsd")[:2], (5, 3)),
    "matrix_norm_nuc": (lambda a: LA.matrix_norm(a, "nuc"), (3, 4)),
    "matrix_norm_2": (lambda a: LA.matrix_norm(a, 2), (3, 4)),
    "cholesky_solve": (lambda a: an.cholesky_solve(a, LA.cholesky(_sq(a))), (3, 3)),
    "cross": (lambda a: LA.cross(a[0], a[1]), (2, 3)),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name, rng):
    fn, shape = GRADCHECK[name]
    a = rng.standard_normal(shape) + (np.eye(shape[-1], shape[-2]).T * 2
                                      if shape[-1] == shape[-2] else 0)
    x = an.tensor(a, requires_grad=True)
    assert gradcheck(fn, [x], atol=1e-6)
    assert gradgradcheck(fn, [x], atol=1e-5)


# ------------------------------------------------------------------------------------ errors


def test_errors_as_torch():
    with pytest.raises(RuntimeError, match="A must be batches of square matrices, but they are "
                                           "2 by 3 matrices"):
        LA.inv(an.zeros(2, 3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as "
                                           "input. Got Long"):
        LA.det(an.ones(2, 2, dtype=an.int64))
    with pytest.raises(LA.LinAlgError, match="singular"):
        LA.inv(an.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"\(Batch element 1\).*singular"):
        LA.inv(an.tensor(np.stack([np.eye(2), np.zeros((2, 2))])))
    with pytest.raises(LA.LinAlgError, match="The solver failed because the input matrix is "
                                             "singular"):
        LA.solve(an.zeros(2, 2), an.ones(2))
    with pytest.raises(LA.LinAlgError, match=r"not positive-definite \(the leading minor of "
                                             r"order 2 is not positive-definite\)"):
        LA.cholesky(an.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(LA.LinAlgError, match=r"\(Batch element 1\): The factorization could "
                                             r"not be completed"):
        LA.cholesky(an.tensor(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])))
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        LA.svd(an.zeros(3))
    with pytest.raises(RuntimeError, match="Expected UPLO argument"):
        LA.eigh(an.eye(2), "X")
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        LA.qr(an.eye(2), "full")
    with pytest.raises(RuntimeError, match="dimension -1 must have length 3"):
        LA.cross(an.zeros(2), an.zeros(2))
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        LA.qr(an.randn(3, 2, requires_grad=True), "complete").Q.sum().backward()
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        LA.solve(an.eye(3), an.ones(2, 2))
    info = LA.cholesky_ex(an.tensor(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]))).info
    assert info.tolist() == torch.linalg.cholesky_ex(
        torch.tensor(np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]))).info.tolist()
    assert LA.inv_ex(an.zeros(2, 2)).info.item() > 0
    assert LA.inv_ex(an.eye(2)).info.item() == 0
    assert torch.isinf(torch.linalg.solve_triangular(
        torch.zeros(2, 2), torch.ones(2, 1), upper=True)).any()
    assert not np.isfinite(LA.solve_triangular(an.zeros(2, 2), an.ones(2, 1),
                                               upper=True).numpy()).all()


HYP_FUNCS = {
    "inv": (LA.inv, torch.linalg.inv, "square"),
    "det": (LA.det, torch.linalg.det, "square"),
    "slogdet": (LA.slogdet, torch.linalg.slogdet, "square"),
    "solve": (lambda a: LA.solve(a, a[..., :1] + 1), lambda a: torch.linalg.solve(
        a, a[..., :1] + 1), "square"),
    "cholesky": (lambda a: LA.cholesky(a @ a.mT + an.eye(a.shape[-1], dtype=a.dtype)),
                 lambda a: torch.linalg.cholesky(a @ a.mT + torch.eye(a.shape[-1],
                                                                      dtype=a.dtype)), "square"),
    "eigvalsh": (lambda a: LA.eigvalsh(a + a.mT), lambda a: torch.linalg.eigvalsh(a + a.mT),
                 "square"),
    "svdvals": (LA.svdvals, torch.linalg.svdvals, "any"),
    "qr": (LA.qr, torch.linalg.qr, "any"),
    "pinv": (LA.pinv, torch.linalg.pinv, "any"),
    "matrix_norm_nuc": (lambda a: LA.matrix_norm(a, "nuc"),
                        lambda a: torch.linalg.matrix_norm(a, "nuc"), "any"),
}


@given(name=st.sampled_from(sorted(HYP_FUNCS)),
       batch=st.lists(st.integers(1, 2), max_size=2), m=st.integers(1, 4),
       n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_drawn_batched_shapes_match_torch(name, batch, m, n, seed):
    f_an, f_t, kind = HYP_FUNCS[name]
    rng = np.random.default_rng(seed)
    shape = tuple(batch) + ((m, m) if kind == "square" else (m, n))
    a = rng.standard_normal(shape) + (2 * np.eye(m) if kind == "square" else 0)
    _parity(f_an, f_t, [a], rng)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cond_vander_tensorinv_tensorsolve_match_torch(dtype, rng):
    a = rng.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    for p in (None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf):
        # torch 2.13's backward of cond for the norm-based orders fails (an in-place write
        # in its own graph): values against torch, gradients against finite differences
        svd_based = p in (None, 2, -2)
        _parity(lambda x, p=p: LA.cond(x, p), lambda x, p=p: torch.linalg.cond(x, p), [a], rng,
                dtype, grad=svd_based)
        if not svd_based and dtype == np.float64:
            assert gradcheck(lambda x, p=p: LA.cond(x, p),
                             [an.tensor(a + 0.1 * rng.standard_normal(a.shape),
                                        requires_grad=True)])
    _parity(lambda x: LA.cond(x), lambda x: torch.linalg.cond(x), [a[0, :2]], rng, dtype)
    x = rng.standard_normal((2, 4))
    _parity(LA.vander, torch.linalg.vander, [x], rng, dtype)
    _parity(lambda x: LA.vander(x, N=6), lambda x: torch.linalg.vander(x, N=6), [x], rng, dtype)
    t = rng.standard_normal((4, 6, 8, 3)) + np.eye(24).reshape(4, 6, 8, 3) * 3
    _parity(LA.tensorinv, torch.linalg.tensorinv, [t], rng, dtype)
    _parity(lambda t: LA.tensorinv(t, 1), lambda t: torch.linalg.tensorinv(t, 1),
            [t.reshape(24, 4, 6)], rng, dtype)
    b = rng.standard_normal((4, 6))
    _parity(LA.tensorsolve, torch.linalg.tensorsolve, [t, b], rng, dtype)
    _parity(lambda t, b: LA.tensorsolve(t, b, dims=(0,)),
            lambda t, b: torch.linalg.tensorsolve(t, b, dims=(0,)),
            [t.transpose(2, 0, 1, 3), b], rng, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.1, 1.0, 30.0])
def test_matrix_exp_matches_torch(scale, dtype, rng):
    a = rng.standard_normal((2, 4, 4)) * scale / 4
    tol = dict(tol=1e-9 * max(1.0, scale) if dtype == np.float64 else 1e-4 * max(1.0, scale))
    _parity(LA.matrix_exp, torch.linalg.matrix_exp, [a], rng, dtype, **tol)
    _parity(an.matrix_exp, torch.matrix_exp, [a[0]], rng, dtype, **tol)


def test_matrix_exp_closed_forms():
    t = 0.7  # exp of a rotation generator is the rotation; of a nilpotent, I + N
    r = LA.matrix_exp(an.tensor([[0.0, -t], [t, 0.0]], dtype=an.float64)).numpy()
    np.testing.assert_allclose(r, [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]],
                               atol=1e-15)
    n = LA.matrix_exp(an.tensor([[0.0, 2.0], [0.0, 0.0]], dtype=an.float64)).numpy()
    np.testing.assert_allclose(n, [[1.0, 2.0], [0.0, 1.0]], atol=1e-15)
    x = an.tensor(np.diag([1.0, -2.0, 30.0]), requires_grad=True)
    LA.matrix_exp(x).sum().backward()  # d/dx_ii sum(exp(diag)) = exp(x_ii) on the diagonal
    np.testing.assert_allclose(np.diag(x.grad.numpy()), np.exp([1.0, -2.0, 30.0]), rtol=1e-12)


def test_matrix_exp_gradcheck(rng):
    for scale in (0.5, 8.0):
        x = an.tensor(rng.standard_normal((3, 3)) * scale, requires_grad=True)
        assert gradcheck(LA.matrix_exp, [x], atol=1e-6 * scale ** 2, rtol=1e-6)


def test_vander_of_integers_and_bad_n_as_torch():
    _same = LA.vander(an.tensor([1, 2, 3])), torch.linalg.vander(torch.tensor([1, 2, 3]))
    assert _same[0].dtype == an.int64
    np.testing.assert_array_equal(_same[0].numpy(), _same[1].numpy())
    for lib in (LA, torch.linalg):
        with pytest.raises(RuntimeError, match="N must be greater than 1"):
            lib.vander(an.tensor([1.0, 2.0]) if lib is LA else torch.tensor([1.0, 2.0]), N=1)


def test_eig_is_not_available_with_a_clear_error():
    with pytest.raises(NotImplementedError, match="linalg.eig: complex"):
        LA.eig(an.eye(2))
    with pytest.raises(NotImplementedError, match="use linalg.eigvalsh"):
        LA.eigvals(an.eye(2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (5, 3), (3, 5), (2, 2, 4)])
def test_lu_family_matches_torch(shape, dtype, rng):
    a = rng.standard_normal(shape)
    _parity(LA.lu, torch.linalg.lu, [a], rng, dtype)
    _parity(lambda a: LA.lu_factor_ex(a), lambda a: torch.linalg.lu_factor_ex(a), [a], rng,
            dtype)
    _parity(lambda a: LA.lu_unpack(*LA.lu_factor(a)),
            lambda a: torch.lu_unpack(*torch.linalg.lu_factor(a)), [a], rng, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.filterwarnings("ignore:torch.lu_solve is deprecated")
def test_lu_solve_matches_torch(left, adjoint, dtype, rng):
    a = rng.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    b = rng.standard_normal((2, 3, 4) if left else (2, 4, 3))

    def ours(a, b):
        lu_, piv = LA.lu_factor(a)
        return LA.lu_solve(lu_, piv, b, left=left, adjoint=adjoint)

    def theirs(a, b):
        lu_, piv = torch.linalg.lu_factor(a)
        return torch.linalg.lu_solve(lu_, piv, b, left=left, adjoint=adjoint)

    _parity(ours, theirs, [a, b], rng, dtype)
    if left and not adjoint:
        _parity(lambda a, b: an.lu_solve(b, *an.lu(a)), lambda a, b: torch.lu_solve(
            b, *torch.linalg.lu_factor(a)), [a, b], rng, dtype)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4)])
def test_lu_gradcheck_and_gradgradcheck(shape, rng):
    x = an.tensor(rng.standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda a: LA.lu(a)[1:], [x])
    assert gradgradcheck(lambda a: LA.lu(a)[1:], [x])


def test_lu_errors_and_infos_as_torch():
    z = np.zeros((2, 2))
    for fn in (lambda lib, a: lib.linalg.lu_factor(a),):
        for lib in (an, torch):
            with pytest.raises(RuntimeError, match=r"U\[1,1\] is zero and using it on lu_solve"):
                fn(lib, lib.tensor(z))
    o, t = LA.lu_factor_ex(an.tensor(z)), torch.linalg.lu_factor_ex(torch.tensor(z))
    assert o.info.item() == t.info.item() and o.pivots.tolist() == t.pivots.tolist()
    with pytest.raises(RuntimeError, match="LU without pivoting is not implemented on the CPU"):
        LA.lu(an.eye(2), pivot=False)
    with pytest.warns(UserWarning):
        lu_t = torch.lu(torch.tensor(z), get_infos=True)
    lu_o = an.lu(an.tensor(z), get_infos=True)
    assert lu_o[2].item() == lu_t[2].item()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,k", [((4, 3), 3), ((2, 5, 3), 2), ((3, 3), 0)])
def test_householder_product_matches_torch(shape, k, dtype, rng):
    a = rng.standard_normal(shape)
    tau = rng.standard_normal(shape[:-2] + (k,))
    _parity(LA.householder_product, torch.linalg.householder_product, [a, tau], rng, dtype)
    _parity(an.orgqr, torch.orgqr, [a, tau], rng, dtype)


def test_householder_product_of_geqrf_is_q(rng):
    """Reflectors from torch.geqrf (LAPACK) give the Q of the QR decomposition, and the
    function is gradchecked."""
    a = rng.standard_normal((5, 3))
    refl, tau = torch.geqrf(torch.tensor(a))
    refl = np.ascontiguousarray(refl.numpy())  # LAPACK's column-major result
    q = LA.householder_product(an.tensor(refl), an.tensor(tau.numpy()))
    np.testing.assert_allclose(q.numpy(), np.linalg.qr(a)[0], atol=1e-12)
    x = an.tensor(refl, requires_grad=True)
    t = an.tensor(tau.numpy(), requires_grad=True)
    assert gradcheck(LA.householder_product, [x, t])


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_geqrf_ormqr_match_torch(shape, rng):
    a = rng.standard_normal(shape)
    a[..., 1:, 0] = 0 if shape == (2, 4, 4) else a[..., 1:, 0]  # a column needing no reflection
    ours, theirs = an.geqrf(an.tensor(a)), torch.geqrf(torch.tensor(a))
    np.testing.assert_allclose(ours.a.numpy(), theirs.a.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.tau.numpy(), theirs.tau.numpy(), atol=1e-12)
    m = shape[-2]
    for left in (True, False):
        for transpose in (False, True):
            c = rng.standard_normal(shape[:-2] + ((m, 2) if left else (2, m)))
            _parity(lambda r, t, c, lt=(left, transpose): an.ormqr(r, t, c, *lt),
                    lambda r, t, c, lt=(left, transpose): torch.ormqr(r, t, c, *lt),
                    [theirs.a.numpy().copy(), theirs.tau.numpy(), c], rng)


@pytest.mark.filterwarnings("ignore:torch.triangular_solve is deprecated")
@pytest.mark.parametrize("upper,transpose,unit", [(True, False, False), (False, True, False),
                                                  (True, True, True)])
def test_triangular_solve_matches_torch(upper, transpose, unit, rng):
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))
    _parity(lambda b, a: an.triangular_solve(b, a, upper, transpose, unit),
            lambda b, a: torch.triangular_solve(b, a, upper, transpose, unit), [b, a], rng)
