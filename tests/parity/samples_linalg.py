"""Parity samples for ``torch.linalg`` and ``torch.fft`` (values, gradients, errors)."""

import numpy as np
import pytest
import torch
from parity_samples import A, S, V

SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
SPD_BATCH = np.stack([SPD, SPD + np.diag([1.0, 0.5, 0.25])])
WELL = np.array([[3.0, 1.0, -0.5], [0.4, 2.5, 0.3], [-0.2, 0.6, 1.8]])  # well conditioned
WELL_BATCH = np.stack([WELL, WELL.T + np.eye(3)])
TALL = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.3], [-0.7, 1.1]])
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
INDEF = np.array([[0.0, 1.0, 2.0, 0.5], [1.0, 0.0, 3.0, -1.0], [2.0, 3.0, 0.0, 0.2],
                  [0.5, -1.0, 0.2, 0.1]])  # symmetric indefinite: 2x2 pivots



def _info_and_success(ours, theirs) -> None:
    """``*_ex`` on a failing input: the factor is unspecified (LAPACK's partial result), the
    ``info`` code is the contract."""
    assert ours.info.tolist() == theirs.info.tolist(), (ours.info, theirs.info)
    ok = theirs.info.numpy() == 0  # where the factorization succeeded, the values must agree
    np.testing.assert_allclose(ours[0].detach().numpy()[ok], theirs[0].detach().numpy()[ok],
                               rtol=1e-10)


def _qr_r(ours, theirs) -> None:
    """qr(mode='r') of a matrix that requires grad: Q (empty) and R require grad as
    PyTorch's, and backward through either raises as PyTorch's does."""
    for o, t in zip(ours, theirs):
        assert o.requires_grad == t.requires_grad and tuple(o.shape) == tuple(t.shape)
    np.testing.assert_allclose(ours.R.detach().numpy(), theirs.R.detach().numpy(), rtol=1e-12)
    for lib_result in (theirs, ours):
        for t in lib_result:
            with pytest.raises(RuntimeError, match="mode='r'"):
                t.sum().backward()


def _ldl(a: np.ndarray) -> tuple:
    """(LD, pivots) of ``a`` from LAPACK itself, through PyTorch (ldl_solve's inputs)."""
    res = torch.linalg.ldl_factor(torch.tensor(a))
    return res.LD.numpy(), res.pivots.numpy()


_LDL_INDEF, _LDL_SPD = _ldl(INDEF), _ldl(SPD)


SAMPLES = {
    "linalg.inv": [S(V(WELL, grad=True)), S(V(WELL_BATCH, grad=True)),
                   S(V(SINGULAR), raises=True), S(A(2, 3), raises=True)],
    "linalg.inv_ex": [S(V(WELL, grad=True)), S(V(SINGULAR), check=_info_and_success),
                      S(V(np.stack([SINGULAR, WELL[:2, :2]])), check=_info_and_success)],
    "linalg.det": [S(V(WELL, grad=True)), S(V(WELL_BATCH, grad=True)), S(A(3, 3)),
                   S(A(2, 3), raises=True)],
    "linalg.slogdet": [S(V(WELL, grad=True)), S(V(-WELL, grad=True)),
                       S(V(WELL_BATCH, grad=True)), S(V(SINGULAR), grad=False)],
    "linalg.cholesky": [S(V(SPD, grad=True)), S(V(SPD_BATCH, grad=True)),
                        S(V(SPD, grad=True), upper=True), S(V(-SPD), raises=True)],
    "linalg.cholesky_ex": [S(V(SPD, grad=True)), S(V(-SPD), check=_info_and_success)],
    "linalg.eigh": [S(V(SPD, grad=True)), S(V(SPD_BATCH, grad=True)),
                    S(V(SPD, grad=True), UPLO="U")],
    "linalg.eigvalsh": [S(V(SPD, grad=True)), S(V(SPD_BATCH, grad=True), UPLO="U")],
    "linalg.solve": [S(V(WELL, grad=True), A(3)), S(V(WELL, grad=True), A(3, 2)),
                     S(V(WELL_BATCH, grad=True), A(2, 3, 1)), S(V(WELL, grad=True), A(3, 2),
                                                               left=False, raises=True),
                     S(V(SINGULAR), A(2), raises=True)],
    "linalg.solve_ex": [S(V(WELL, grad=True), A(3, 2))],
    "linalg.solve_triangular": [S(V(np.triu(WELL), grad=True), A(3, 2), upper=True),
                                S(V(np.tril(WELL), grad=True), A(3, 2), upper=False,
                                  unitriangular=True),
                                S(V(np.triu(WELL), grad=True), A(2, 3), upper=True, left=False)],
    "linalg.lstsq": [S(V(TALL, grad=True), A(4, 2)), S(V(TALL, grad=True), A(4, 1)),
                     S(V(TALL), A(4, 2), driver="gelsd"), S(V(TALL, grad=True), A(4, 2),
                                                          driver="gels"),
                     S(V(TALL, grad=True), A(4, 2, grad=False), driver="gelss")],
    "linalg.lu": [S(V(WELL, grad=True)), S(V(WELL_BATCH, grad=True), pivot=True)],
    "linalg.lu_factor": [S(V(WELL, grad=True)), S(V(WELL_BATCH))],
    "linalg.lu_factor_ex": [S(V(WELL))],
    "linalg.lu_solve": [S(V(np.array([[3.0, 1.0], [0.0, 2.0]])),
                          V(np.array([1, 2], dtype=np.int32)), A(2, 3))],
    "linalg.ldl_factor": [S(V(INDEF)), S(V(SPD)), S(V(WELL)), S(V(np.stack([INDEF, -INDEF]))),
                          S(V(INDEF, grad=True), grad=False), S(V(np.zeros((3, 3))), raises=True),
                          S(A(2, 3), raises=True), S(V(INDEF), hermitian=True)],
    "linalg.ldl_factor_ex": [S(V(INDEF)), S(V(SPD_BATCH)), S(V(np.diag([1.0, 0.0, 0.0]))),
                             S(V(INDEF.astype(np.float32))),
                             S(V(np.diag([1.0, 0.0, 0.0])), check_errors=True, raises=True)],
    "linalg.ldl_solve": [S(V(_LDL_INDEF[0]), V(_LDL_INDEF[1]), A(4, 2, grad=False)),
                         S(V(_LDL_INDEF[0]), V(_LDL_INDEF[1].astype(np.int64)),
                           A(3, 4, 1, grad=False)),
                         S(V(_LDL_SPD[0]), V(_LDL_SPD[1]), A(3, 3, grad=False), hermitian=True),
                         S(V(_LDL_INDEF[0]), V(_LDL_INDEF[1]), A(4), raises=True),
                         S(V(_LDL_INDEF[0]), V(_LDL_INDEF[1]), A(4, 2, dtype="float32"),
                           raises=True)],
    "linalg.matmul": [S(A(3, 4), A(4, 2)), S(A(2, 3, 4), A(4))],
    "linalg.matrix_exp": [S(A(3, 3, domain="unit")), S(A(2, 2, 2, domain="unit"))],
    "linalg.matrix_power": [S(V(WELL, grad=True), 3), S(V(WELL, grad=True), 0),
                            S(V(WELL, grad=True), -2), S(A(2, 3), 2, raises=True)],
    "linalg.matrix_norm": [S(A(3, 4)), S(A(3, 4), "nuc"), S(A(2, 3, 4), 1), S(A(3, 4), -1),
                           S(A(3, 4), float("inf"), keepdim=True), S(A(3, 4), 2)],
    "linalg.vector_norm": [S(A(3, 4)), S(A(3, 4), 1, dim=1), S(A(3, 4), float("inf")),
                           S(A(3, 4), 0.5, dim=(0, 1), keepdim=True), S(A(3, 4), 3, dim=-1)],
    "linalg.norm": [S(A(3, 4)), S(A(4), 3), S(A(3, 4), "fro"), S(A(3, 4), ord=1, dim=(0, 1)),
                    S(A(3, 4), dim=1)],
    "linalg.cond": [S(V(WELL, grad=True)), S(V(WELL), "fro"), S(V(WELL), 1)],
    "linalg.matrix_rank": [S(V(WELL)), S(V(SINGULAR)), S(V(TALL), hermitian=False)],
    "linalg.pinv": [S(V(TALL, grad=True)), S(V(WELL, grad=True)),
                    S(V(SPD, grad=True), hermitian=True)],
    "linalg.qr": [S(V(TALL, grad=True)), S(V(WELL, grad=True), mode="complete"),
                  S(V(TALL), mode="r"), S(V(TALL, grad=True), mode="r", check=_qr_r, grad=False)],
    "linalg.svd": [S(V(TALL, grad=True), full_matrices=False, check=None),
                   S(V(WELL), full_matrices=True)],
    "linalg.svdvals": [S(V(TALL, grad=True)), S(V(WELL_BATCH, grad=True))],
    "linalg.multi_dot": [S([A(3, 4), A(4, 2), A(2, 5)]), S([A(4), A(4, 3), A(3)])],
    "linalg.cross": [S(A(4, 3), A(4, 3)), S(A(3), A(2, 3), raises=True),
                     S(A(4, 2), A(4, 2), raises=True)],
    "linalg.diagonal": [S(A(3, 4)), S(A(2, 3, 3), offset=1), S(A(3, 4), dim1=0, dim2=1)],
    "linalg.householder_product": [S(V(TALL, grad=True), V(np.array([1.2, 0.7]), grad=True))],
    "linalg.tensorinv": [S(V(np.eye(6).reshape(6, 2, 3) + 0.1, grad=True), ind=1)],
    "linalg.tensorsolve": [S(V(np.eye(6).reshape(2, 3, 6) + 0.1, grad=True), A(2, 3))],
    "linalg.vander": [S(A(4)), S(A(3), N=5)],
    "linalg.vecdot": [S(A(3, 4), A(3, 4)), S(A(3, 4), A(4), dim=-1), S(A(3, 4), A(3, 4), dim=0)],
    "fft.fftfreq": [S(5), S(8, 0.5), S(4, d=2.0, dtype="dtype:float64")],
    "fft.rfftfreq": [S(5), S(8, 0.5)],
    "fft.fftshift": [S(A(6)), S(A(3, 4), dim=1), S(A(3, 5), dim=(0, 1))],
    "fft.ifftshift": [S(A(6)), S(A(3, 4), dim=1), S(A(3, 5))],
}
