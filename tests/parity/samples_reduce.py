"""Parity samples for reductions, statistics, scans, BLAS-style products, the Tensor forms of
linear algebra and search functions, and random methods (issue 12). Random results cannot match
PyTorch's generator: their samples use a ``check`` of shape, dtype, support and a statistical
property instead."""

import numpy as np
from parity_samples import A, B, I, S, V

NAN = np.nan
F32 = {"rtol": 1e-5, "atol": 1e-6}  # float32: a few ulps of rounding in another order
NAN_ROWS = np.array([[1.5, NAN, -0.5, 2.0], [0.25, 3.0, -1.0, 0.75], [NAN, NAN, NAN, NAN]])
WITH_NAN = V(NAN_ROWS)
NAN_ROW = V(np.array([[0.3, -1.2, 2.2, 0.9, -0.4], [1.1, NAN, -2.0, 0.5, 0.1]]))
# a well-conditioned matrix, a symmetric positive definite one and a Cholesky factor
M3 = np.array([[2.0, 0.5, -0.3], [0.4, 1.5, 0.2], [-0.1, 0.3, 1.8]])
SPD = M3 @ M3.T + np.eye(3)
CHOL = np.linalg.cholesky(SPD)
UPPER = np.triu(M3) + np.eye(3)


def _sampled(lo: float, hi: float, dtype: str = "float64") -> object:
    """A check that our random fill has PyTorch's shape and dtype and values in [lo, hi]."""
    def check(ours, theirs):
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype) == f"torch.{dtype}"
        a = ours.numpy()
        assert np.isfinite(a).all() and (a >= lo).all() and (a <= hi).all()
    return check


def _stat(stat, expected: float, tol: float, lo: float = -np.inf, hi: float = np.inf,
          dtype: str = "float64") -> object:
    """Support as ``_sampled`` and ``stat(values)`` within ``tol`` of ``expected``."""
    base = _sampled(lo, hi, dtype)

    def check(ours, theirs):
        base(ours, theirs)
        value = stat(ours.numpy())
        assert abs(value - expected) < tol, f"statistic {value}, expected {expected} +- {tol}"
    return check


def _multinomial(n: int, replacement: bool) -> object:
    def check(ours, theirs):
        assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == "torch.int64"
        a = ours.numpy().reshape(-1, ours.shape[-1])
        assert ((a >= 0) & (a < n)).all()
        if not replacement:
            assert all(len(set(r)) == len(r) for r in a)
    return check


def _multinomial_freq(probs: np.ndarray) -> object:
    def check(ours, theirs):
        counts = np.bincount(ours.numpy(), minlength=len(probs)) / ours.numel()
        np.testing.assert_allclose(counts, probs / probs.sum(), atol=0.03)
    return check


def _lowrank(ours, theirs):
    """An approximate SVD of a matrix of rank <= q is exact up to the signs of the vectors:
    the same shapes, singular values and product U diag(S) V^T as PyTorch's."""
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)
    np.testing.assert_allclose(ours[1].numpy(), theirs[1].numpy(), atol=1e-10)
    rebuild = [u.numpy() @ np.diag(s.numpy()) @ v.numpy().T for u, s, v in (ours, theirs)]
    np.testing.assert_allclose(rebuild[0], rebuild[1], atol=1e-10)


def _eigenpairs(ours, theirs):
    """LOBPCG converges to PyTorch's tolerance: the same eigenvalues, and the same spans
    (eigenvectors are defined up to sign) to that precision."""
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-6)
    x, y = ours[1].numpy(), theirs[1].numpy()
    np.testing.assert_allclose(np.abs(x), np.abs(y), atol=1e-5)


_G = np.random.default_rng(11).normal(size=(2, 9, 9))
SYM9 = _G[0] @ _G[0].T + np.eye(9)
SPD9 = _G[1] @ _G[1].T + 9 * np.eye(9)
RANK2 = np.random.default_rng(7).normal(size=(6, 2)) @ np.random.default_rng(8).normal(
    size=(2, 5))


SAMPLES = {
    # --- reductions and statistics
    "aminmax": [S(A(3, 4), dim=1, out=(A(3), A(3))), S(A(3, 4)), S(A(3, 4), dim=1),
                S(A(3, 4), dim=-2, keepdim=True),
                S(A(3, 4), keepdim=True), S(A(2, 3, dtype="float32")),
                S(I(3, 4, low=-5, high=5), dim=0), S(WITH_NAN, dim=1),
                S(A(0, 3), raises=True), S(A(3, 4), dim=2, raises=True),
                S(V(np.array(1.25), grad=True), dim=0),
                S(V(np.array(1.25), grad=True), dim=-1, keepdim=True), S(B(3, 4), dim=1)],
    "count_nonzero": [S(I(3, 4, low=-1, high=2)), S(I(3, 4, low=-1, high=2), dim=1),
                      S(I(2, 3, 4, low=0, high=2), dim=(0, -1)), S(B(3, 4), dim=-1),
                      S(WITH_NAN, dim=0), S(A(3, 4), dim=3, raises=True),
                      S(V(np.array(1.25), grad=True), 0)],
    "nansum": [S(WITH_NAN), S(WITH_NAN, 1), S(WITH_NAN, dim=-2, keepdim=True),
               S(WITH_NAN, dim=(0, 1)), S(A(3, 4)), S(I(3, 4, low=-3, high=3), 1),
               S(A(3, 4, dtype="float32"), 0), S(A(3, 4), dtype="dtype:float32", **F32),
               S(V(np.array(1.25), grad=True), 0), S(B(3, 4), 1)],
    "nanmean": [S(WITH_NAN), S(WITH_NAN, 1), S(WITH_NAN, dim=0, keepdim=True), S(A(3, 4), -1),
                S(A(2, 5, dtype="float32"), 1), S(I(3, 4), raises=True),
                S(V(np.array(1.25), grad=True), 0), S(V(np.array(1.25), grad=True))],
    "std_mean": [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), dim=0, keepdim=True),
                 S(A(3, 4), dim=(0, 1), correction=0), S(A(3, 4), 1, False),
                 S(A(2, 5, dtype="float32"), -1), S(I(3, 4), raises=True),
                 S(V(np.array(1.25), grad=True), 0, correction=0)],
    "var_mean": [S(A(3, 4)), S(A(3, 4), -1), S(A(3, 4), dim=1, keepdim=True, correction=2),
                 S(A(3, 4), 0, True), S(A(2, 5, dtype="float32")), S(I(3, 4), raises=True),
                 S(V(np.array(1.25), grad=True), 0, correction=0)],
    "trace": [S(A(3, 3)), S(A(2, 4)), S(A(4, 2)), S(I(3, 3, low=-4, high=4)),
              S(A(3, 3, dtype="float32")), S(A(3), raises=True), S(A(2, 2, 2), raises=True),
              S(B(3, 3), raises=True)],
    "dist": [S(A(3, 4), A(3, 4)), S(A(3, 4), A(4), 1), S(A(3, 4), A(3, 1), 3.0),
             S(A(5), A(5), float("inf")), S(A(2, 3, dtype="float32"), A(2, 3, dtype="float32")),
             S(A(3), A(4), raises=True)],
    "renorm": [S(A(3, 4), 2, 0, 1.0), S(A(3, 4), 1, 1, 0.5), S(A(2, 3, 4), 3, -1, 1.5),
               S(A(3, 4, dtype="float32"), 2, 0, 0.8, **F32), S(A(3, 4), 2, 0, 100.0),
               S(A(4), 2, 0, 1.0, raises=True), S(A(3, 4), -1, 0, 1.0, raises=True)],
    # median() of all elements shares the gradient among the elements equal to it (ties, or
    # the NaN of a NaN result), as PyTorch's evenly_distribute_backward
    "median": [S(V(np.array([1.0, 2.0, 2.0, 3.0, 2.0]), grad=True)),
               S(V(np.array([1.0, NAN, 3.0, NAN]), grad=True)), S(A(3, 5)), S(A(4, 4)),
               S(A(3, 5), 1), S(A(3, 5), dim=0, keepdim=True),
               S(A(2, 3, 4), -1), S(NAN_ROW, 1), S(NAN_ROW), S(A(3, 5, dtype="float32"), 0),
               S(I(3, 5, low=0, high=100), 1), S(A(3, 0), 1, raises=True),
               S(V(np.array(1.25), grad=True)), S(V(np.array(1.25), grad=True), 0),
               S(B(4), raises=True), S(B(4), 0, raises=True)],
    # (the index PyTorch gives for an all-NaN slice is its kernel's: those slices only in
    # the value-only form)
    "nanmedian": [S(V(np.array([[1.0, NAN], [2.0, 1.0]]), grad=True)), S(A(3, 5)), S(NAN_ROW),
                  S(NAN_ROW, 1), S(V(NAN_ROWS[:2]), 1),
                  S(V(NAN_ROWS[:2]), dim=1, keepdim=True), S(WITH_NAN),
                  S(A(2, 6, dtype="float32"), -1),
                  S(B(4), raises=True)],
    "kthvalue": [S(A(3, 5), 2), S(A(3, 5), 1, 0), S(A(3, 5), 5, dim=1, keepdim=True),
                 S(A(2, 3, 4), 3, -2), S(NAN_ROW, 5, 1), S(A(4, dtype="float32"), 4),
                 S(A(3, 5), 6, raises=True), S(A(3, 5), 0, raises=True),
                 S(V(np.array(1.25), grad=True), 1), S(B(4), 1, raises=True)],
    "mode": [S(A(3, 6, domain="int")), S(A(3, 6, domain="int"), 0),
             S(A(3, 6, domain="int"), dim=1, keepdim=True), S(I(4, 7, low=0, high=3)),
             S(V(np.array([[2.0, 1.0, 1.0, 2.0, 3.0]])), -1),
             S(V(np.array(1.25), grad=True)), S(B(5))],
    "msort": [S(A(4, 3)), S(A(5)), S(NAN_ROW), S(I(4, 3, low=-5, high=5)),
              S(A(3, 2, dtype="float32")),
              S(V(np.array(1.25), grad=True))],
    "quantile": [S(A(3, 5), 0.3), S(A(3, 5), 0.5, 1), S(A(3, 5), V(np.array([0.0, 0.25, 1.0])),
                                                            dim=0, keepdim=True),
                 S(A(6), V(np.array([0.1, 0.5, 0.9]))),
                 S(A(3, 5), 0.4, -1, interpolation="lower"),
                 S(A(3, 5), 0.4, 1, interpolation="higher"),
                 S(A(3, 5), 0.4, 1, interpolation="midpoint"),
                 S(A(3, 5), V(np.array([0.125, 0.375, 0.5])), 1, interpolation="nearest"),
                 S(A(3, 5), 0.7, keepdim=True), S(NAN_ROW, 0.5, 1), S(NAN_ROW, 0.5),
                 S(A(3, 5, dtype="float32"), 0.25, 1), S(A(3, 5), 1.5, raises=True),
                 S(I(3, 5), 0.5, raises=True),
                 S(A(3, 5), 0.5, 1, interpolation="cubic", raises=True),
                 S(V(np.array(1.25), grad=True), V(np.array([0.2, 0.9])), 0, keepdim=True),
                 S(V(np.array(1.25), grad=True), 0.5)],
    "nanquantile": [S(NAN_ROW, 0.5, 1), S(NAN_ROW, 0.3), S(WITH_NAN, 0.6, 1),
                    S(WITH_NAN, V(np.array([0.2, 0.8])), 1, keepdim=True),
                    S(A(3, 5), 0.4, 0, interpolation="nearest"),
                    S(WITH_NAN, 0.5, -1, interpolation="lower"), S(A(3, 5), -0.1, raises=True)],
    "cov": [S(A(3, 6)), S(A(6)), S(A(3, 6), correction=0), S(A(2, 5), correction=2),
            S(A(3, 5), fweights=I(5, low=1, high=4)),
            S(A(3, 5), aweights=A(5, domain="pos", grad=False)),
            S(A(3, 5), fweights=I(5, low=1, high=4), aweights=A(5, domain="pos")),
            S(I(2, 5, low=-4, high=4), **F32), S(A(4, 7, dtype="float32"), **F32),
            S(A(2, 3, 4), raises=True), S(A(3, 5), fweights=I(4, low=1, high=3), raises=True),
            S(A(3, 5), aweights=I(5, low=1, high=3), raises=True),
            S(B(3, 4), raises=True)],
    "corrcoef": [S(A(3, 6)), S(A(2, 8)), S(A(6)), S(I(3, 5, low=-4, high=4), **F32),
                 S(A(3, 5, dtype="float32"), **F32), S(A(2, 3, 4), raises=True)],
    # --- scans
    "cumsum": [S(A(3, 4), 1), S(A(3, 4), dim=-2), S(I(3, 4), 0, dtype="dtype:float64"),
               S(A(3, 4, dtype="float32"), 1),
               S(V(np.array(1.25), grad=True), 0), S(A(3, 4), 1, dtype="dtype:float32")],
    "cumprod": [S(A(3, 4), 1), S(A(3, 4), -2), S(A(3, 4, dtype="float32"), 0)],
    "cummax": [S(A(3, 5), 1), S(A(3, 5), 0), S(A(2, 3, 4), -1), S(A(4, domain="int"), 0),
               S(V(np.array([1.0, 3.0, 3.0, 2.0, NAN, 5.0, NAN])), 0),
               S(I(3, 5, low=0, high=3), 1), S(A(3, 5, dtype="float32"), -2),
               S(A(3, 5), 2, raises=True),
               S(V(np.array(1.25), grad=True), 0), S(B(5), 0),
               S(A(3, 5), 1, out=(A(3, 5), I(3, 5))), S(A(3, 5), 1, out=(A(2), I(2)))],
    "cummin": [S(A(3, 5), 1), S(A(3, 5), -2), S(A(5, domain="int"), 0),
               S(V(np.array([2.0, NAN, 1.0, -1.0])), 0), S(I(2, 6, low=-2, high=2), 1),
               S(A(4, dtype="float32"), 0)],
    "logcumsumexp": [S(A(3, 5), 1), S(A(3, 5), 0), S(A(2, 3, 4), -1),
                     S(V(np.array([-1000.0, 0.0, 800.0, -np.inf]), grad=True), 0),
                     S(A(4, 3, dtype="float32"), -2, **F32), S(A(3, 5), 2, raises=True),
                     S(V(np.array(1.25), grad=True), 0), S(B(4), 0, raises=True),
                     S(I(4), 0, raises=True)],
    "diff": [S(A(3, 5)), S(A(3, 5), 2), S(A(3, 5), 1, 0), S(A(3, 5), dim=-2),
             S(A(3, 5), prepend=A(3, 2), append=A(3, 1)), S(A(3, 5), 3, 1, A(3, 1)),
             S(I(6, low=-5, high=5)), S(B(6)), S(A(4, dtype="float32"), 2),
             S(A(3), 6), S(A(3, 5), prepend=A(5), raises=True), S(V(np.array(1.0)), raises=True),
             S(A(3), -1, raises=True)],
    "gradient": [S(A(6)), S(A(4, 5)), S(A(4, 5), spacing=2.0), S(A(4, 5), dim=1),
                 S(A(4, 5), spacing=[0.5, 2.0], dim=[0, 1]), S(A(4, 5), edge_order=2),
                 S(A(4, 5), spacing=(V(np.array([0.0, 1.0, 3.0, 4.5])),), dim=0),
                 S(A(5), spacing=(V(np.array([0.0, 1.0, 3.0, 4.0, 7.0])),), edge_order=2),
                 S(I(5, low=-4, high=4)), S(A(3, 4, dtype="float32"), dim=-1),
                 S(A(2, 4), edge_order=2, raises=True), S(A(4), edge_order=3, raises=True),
                 S(A(4, 5), spacing=[1.0, 2.0, 3.0], raises=True)],
    "trapezoid": [S(A(5)), S(A(3, 5)), S(A(3, 5), dim=0), S(A(3, 5), dx=0.5),
                  S(A(3, 5), V(np.array([0.0, 0.5, 1.5, 2.0, 4.0]))), S(A(3, 5), A(3, 5), dim=1),
                  S(I(4, low=-3, high=3)), S(A(4, 3, dtype="float32"), dim=-2),
                  S(A(3, 5), V(np.array([0.0, 1.0])), raises=True)],
    "trapz": [S(A(5)), S(A(3, 5), dx=2.0), S(A(3, 5), V(np.array([0.0, 1.0, 1.5, 3.0, 3.5]))),
              S(A(4, 3), A(4, 3), dim=0)],
    "cumulative_trapezoid": [S(A(5)), S(A(3, 5), dim=0), S(A(3, 5), dx=0.25),
                             S(A(3, 5), V(np.array([0.0, 0.5, 1.5, 2.0, 4.0]))),
                             S(I(5, low=-3, high=3)), S(A(2, 4, dtype="float32"))],
    # --- products
    "addmm": [S(A(2, 4), A(2, 3), A(3, 4)), S(A(4), A(2, 3), A(3, 4), beta=0.5, alpha=2.0),
              S(A(2, 4), A(2, 3), A(3, 4), beta=0),
              S(V(np.full((2, 2), NAN)), A(2, 3), A(3, 2), beta=0),
              S(I(2, 2), I(2, 3), I(3, 2), beta=2, alpha=3),
              S(I(2, 2), I(2, 3), I(3, 2), beta=1.5, alpha=0.5),
              S(A(2, 2, dtype="float32"), A(2, 3, dtype="float32"), A(3, 2, dtype="float32")),
              S(A(2, 4), A(2, 3), A(2, 4), raises=True), S(A(2, 4), A(3), A(3, 4), raises=True)],
    "addmv": [S(A(2), A(2, 3), A(3)), S(A(1), A(2, 3), A(3), beta=2.0, alpha=-1.0),
              S(A(2), A(2, 3), A(3), beta=0), S(A(2), A(2, 3), A(2), raises=True),
              S(I(2), I(2, 3), I(3), beta=1.5, alpha=2.5)],
    "addr": [S(A(2, 3), A(2), A(3)), S(A(3), A(2), A(3), alpha=0.5), S(A(2, 3), A(2), A(3),
                                                                      beta=0),
             S(I(2, 3), I(2), I(3), beta=2), S(A(2, 3), A(2, 1), A(3), raises=True),
             S(I(2, 3), I(2), I(3), beta=0.5, raises=True),
             S(I(2, 3), I(2), I(3), alpha=1.5, raises=True)],
    "baddbmm": [S(A(2, 3, 4), A(2, 3, 5), A(2, 5, 4)),
                S(A(3, 4), A(2, 3, 5), A(2, 5, 4), beta=0.3, alpha=1.5),
                S(A(2, 3, 4), A(2, 3, 5), A(2, 5, 4), beta=0),
                S(A(2, 3, 4), A(2, 3, 5), A(3, 5, 4), raises=True)],
    "addbmm": [S(A(3, 4), A(2, 3, 5), A(2, 5, 4)), S(A(3, 4), A(2, 3, 5), A(2, 5, 4), alpha=2.0),
               S(A(3, 4), A(2, 3, 5), A(2, 5, 4), beta=0, alpha=0.5),
               S(A(3, 4), A(2, 3, 5), A(3, 5, 4), raises=True)],
    "ger": [S(A(3), A(4)), S(I(3), I(2)), S(A(3, dtype="float32"), A(2, dtype="float32")),
            S(A(3, 1), A(4), raises=True)],
    "outer": [S(A(3), A(4)), S(I(2), I(3))],
    "inner": [S(A(4), A(4)), S(A(2, 4), A(3, 4)), S(A(2, 3, 4), A(4)), S(A(3, 4), 2.0, raises=True),
              S(V(np.array(1.5), grad=True), A(2, 3)), S(A(3, 4), A(3, 5), raises=True),
              S(B(3), B(3), raises=True)],
    "mv": [S(A(2, 3), A(3)), S(I(2, 3), I(3)), S(A(2, 3), A(2), raises=True),
           S(A(3), A(3), raises=True)],
    "vdot": [S(A(4), A(4)), S(I(3), I(3)), S(A(2, 2), A(2, 2), raises=True)],
    "kron": [S(A(2, 3), A(3, 2)), S(A(2), A(3)), S(A(2, 3), A(4)), S(A(2, 1, 2), A(3, 2)),
             S(I(2, 2), I(2, 2)),
             S(V(np.array(1.25), grad=True), A(2, 3)), S(B(2), B(3))],
    "adjoint": [S(A(2, 3)), S(A(2, 3, 4)), S(A(3), raises=True),
                S(A(3, 2, dtype="float32"))],
    # --- Tensor forms of linear algebra (values of torch.* are in linalg's own tests)
    "det": [S(V(M3, grad=True)), S(A(2, 3, 3))],
    "inverse": [S(V(M3, grad=True)), S(A(3, 2, 2, domain="pos"))],
    "logdet": [S(V(SPD, grad=True))],
    "slogdet": [S(V(M3)), S(V(-M3))],
    "cholesky": [S(V(SPD, grad=True)), S(V(SPD, grad=True), upper=True)],
    "cholesky_inverse": [S(V(CHOL, grad=True)), S(V(CHOL.T.copy(), grad=True), upper=True)],
    "cholesky_solve": [S(A(3, 2), V(CHOL, grad=True)),
                       S(A(3, 2), V(CHOL.T.copy(), grad=True), True)],
    "matrix_exp": [S(A(3, 3)), S(A(2, 2, 2))],
    "matrix_power": [S(V(M3, grad=True), 3), S(V(M3, grad=True), -2), S(A(3, 3), 0)],
    "pinverse": [S(V(M3[:, :2].copy(), grad=True)), S(A(2, 4))],
    "qr": [S(V(M3, grad=True))],
    "svd": [S(V(M3, grad=True), grad=False), S(V(M3[:2].copy()), compute_uv=False)],
    "lu": [S(V(M3))],
    "lu_solve": [S(A(3, 2), V(np.array([[2.0, 0.5, -0.3], [0.2, 1.4, 0.26], [-0.05, 0.23,
                                                                                1.8]])),
                   V(np.array([1, 2, 3], dtype=np.int32)))],
    "triangular_solve": [S(A(3, 2), V(UPPER, grad=True)),
                         S(A(3, 2), V(UPPER.T.copy(), grad=True), upper=False),
                         S(A(3, 2), V(UPPER, grad=True), transpose=True)],
    "geqrf": [S(V(M3)), S(A(4, 3, grad=False))],
    "orgqr": [S(V(np.array([[-2.0, -1.0], [0.4, 1.2], [0.3, -0.5]])), V(np.array([1.2, 1.5])))],
    "ormqr": [S(V(np.array([[-2.0, -1.0], [0.4, 1.2], [0.3, -0.5]])), V(np.array([1.2, 1.5])),
                A(3, 2)),
              S(V(np.array([[-2.0, -1.0], [0.4, 1.2], [0.3, -0.5]])), V(np.array([1.2, 1.5])),
                A(2, 3), left=False, transpose=True)],
    "cross": [S(A(3, 3), A(3, 3), dim=1), S(A(2, 3), A(2, 3), -1)],
    "svd_lowrank": [S(V(RANK2), q=3, check=_lowrank), S(V(RANK2.T.copy()), check=_lowrank),
                    S(V(RANK2), q=2, niter=0, check=_lowrank),
                    S(V(RANK2), q=3, M=V(RANK2[:1].copy()), check=_lowrank)],
    "pca_lowrank": [S(V(RANK2), check=_lowrank), S(V(RANK2.T.copy()), q=3, check=_lowrank),
                    S(V(RANK2), q=3, center=False, check=_lowrank),
                    S(V(RANK2), q=6, raises=True), S(V(RANK2), niter=-1, raises=True)],
    "lobpcg": [S(V(SYM9), k=2, check=_eigenpairs), S(V(SYM9), check=_eigenpairs),
               S(V(SYM9), k=2, largest=False, check=_eigenpairs),
               S(V(SYM9), k=3, B=V(SPD9), check=_eigenpairs),
               S(V(SYM9), k=4, raises=True), S(V(SYM9), k=1, n=4, raises=True)],
    # --- Tensor forms of search / histogram functions
    "histc": [S(A(20), bins=5), S(A(20), 4, -1.0, 1.0)],
    "histogram": [S(A(20, grad=False), 5), S(A(20, grad=False), 4, range=(-1.0, 1.0))],
    "bincount": [S(I(10, low=0, high=5)), S(I(10, low=0, high=5), minlength=7),
                 S(I(6, low=0, high=4), A(6, grad=False))],
    "unique": [S(I(10, low=0, high=5)), S(I(10, low=0, high=5), return_counts=True),
               S(I(4, 3, low=0, high=2), dim=0, return_inverse=True)],
    "unique_consecutive": [S(V(np.array([1, 1, 2, 2, 3, 1, 1]))),
                           S(V(np.array([1, 1, 2, 2, 3, 1, 1])), return_counts=True,
                             return_inverse=True)],
    # --- random methods: support and a statistical property (PyTorch's numbers differ)
    "Tensor.bernoulli": [S(V(np.full(4000, 0.3)), check=_stat(np.mean, 0.3, 0.03, 0, 1)),
                         S(V(np.full((2, 3), 0.0)), check=_stat(np.max, 0.0, 1e-12, 0, 0)),
                         S(V(np.array([0.5, 1.5])), raises=True),
                         S(A(3000, grad=False), 0.75, check=_stat(np.mean, 0.75, 0.03, 0, 1)),
                         S(I(3, 4), raises=True),
                         S(I(3000), 0.5, check=_stat(np.mean, 0.5, 0.04, 0, 1, "int64")),
                         S(A(3, 4, dtype="float32", grad=False), 1.0,
                           check=_stat(np.mean, 1.0, 1e-12, 1, 1, "float32"))],
    "Tensor.multinomial": [
        S(V(np.array([0.2, 0.5, 0.3])), 3, check=_multinomial(3, False)),
        S(V(np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 0.0, 1.0, 1.0]])), 2,
          check=_multinomial(4, False)),
        S(V(np.array([0.1, 0.6, 0.3])), 5000, True,
          check=_multinomial_freq(np.array([0.1, 0.6, 0.3]))),
        S(V(np.array([0.2, 0.8])), 3, raises=True),
        S(V(np.array([-0.2, 0.8])), 1, raises=True)],
    "Tensor.cauchy_": [S(A(4000, grad=False), 1.0, 0.5,
                         check=_stat(np.median, 1.0, 0.06)),
                       S(A(3, 4, dtype="float32", grad=False),
                         check=_sampled(-np.inf, np.inf, "float32")),
                       S(A(3, grad=False), 0.0, -1.0, raises=True)],
    "Tensor.exponential_": [S(A(4000, grad=False), 2.0, check=_stat(np.mean, 0.5, 0.04, 0)),
                            S(A(3, 4, dtype="float32", grad=False),
                              check=_sampled(0, np.inf, "float32")),
                            S(A(3, grad=False), -1.0, raises=True),
                            S(I(3), raises=True)],
    "Tensor.geometric_": [S(A(4000, grad=False), 0.25,
                            check=_stat(np.mean, 4.0, 0.3, 1)),
                          S(A(3, 4, grad=False), 0.5, check=_stat(
                              lambda a: float((a != np.round(a)).sum()), 0, 0.5, 1)),
                          S(A(3, grad=False), 1.0, raises=True)],
    "Tensor.log_normal_": [S(A(4000, grad=False), 0.5, 0.25,
                             check=_stat(lambda a: np.log(a).mean(), 0.5, 0.03, 0)),
                           S(A(3, 4, dtype="float32", grad=False),
                             check=_sampled(0, np.inf, "float32")),
                           S(A(3, grad=False), 0.0, -1.0, raises=True)],
}
