"""``linalg.ldl_factor(_ex)`` / ``ldl_solve``: Bunch-Kaufman LDL^T as LAPACK's sytrf/sytrs.
Oracle: PyTorch 2.13 (which calls LAPACK): the same pivots (bit for bit), LD, info and
solutions on random symmetric, indefinite, near-singular and integer-valued matrices; and a
closed form (A X = B) for the solutions."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")


def _matrices(seed: int) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for n in (1, 2, 3, 4, 5, 7, 10, 16):
        a = rng.standard_normal((n, n))
        out += [a + a.T, a, np.round(2 * (a + a.T)), a + a.T - np.diag(np.diag(a + a.T))]
        small = a + a.T
        np.fill_diagonal(small, 1e-3 * rng.standard_normal(n))  # forces 2x2 pivots
        out.append(small)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_factor_matches_lapack(seed: int) -> None:
    for a in _matrices(seed):
        want = torch.linalg.ldl_factor_ex(torch.tensor(a))
        got = ag.linalg.ldl_factor_ex(ag.tensor(a))
        np.testing.assert_array_equal(got.pivots.numpy(), want.pivots.numpy())
        np.testing.assert_array_equal(got.info.numpy(), want.info.numpy())
        np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), rtol=1e-10, atol=1e-12)
        assert got.pivots.dtype == ag.int32 and got.info.dtype == ag.int32


@pytest.mark.parametrize("seed", range(2))
def test_solve_matches_lapack_and_solves(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for a in _matrices(seed):
        a = np.tril(a) + np.tril(a, -1).T  # the symmetric matrix its lower triangle stands for
        if abs(np.linalg.det(a)) < 1e-8:
            continue
        n = a.shape[0]
        b = rng.standard_normal((n, 3))
        f = ag.linalg.ldl_factor(ag.tensor(a))
        x = ag.linalg.ldl_solve(f.LD, f.pivots, ag.tensor(b)).numpy()
        tf = torch.linalg.ldl_factor(torch.tensor(a))
        want = torch.linalg.ldl_solve(tf.LD, tf.pivots, torch.tensor(b)).numpy()
        np.testing.assert_allclose(x, want, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(a @ x, b, rtol=1e-6, atol=1e-8 * np.abs(a).max() * n)


@pytest.mark.parametrize("a_batch,b_batch", [((3,), ()), ((), (3,)), ((2, 3), (2, 3))])
def test_batches_broadcast(a_batch: tuple, b_batch: tuple) -> None:
    # (PyTorch 2.13 crashes when both batches must broadcast, (2, 1) with (3,): not compared)
    rng = np.random.default_rng(5)
    a = rng.standard_normal(a_batch + (4, 4))
    a = a + np.swapaxes(a, -1, -2)
    b = rng.standard_normal(b_batch + (4, 2))
    f, tf = ag.linalg.ldl_factor(ag.tensor(a)), torch.linalg.ldl_factor(torch.tensor(a))
    got = ag.linalg.ldl_solve(f.LD, f.pivots, ag.tensor(b))
    want = torch.linalg.ldl_solve(tf.LD, tf.pivots, torch.tensor(b))
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-9, atol=1e-12)


def test_both_batches_broadcast_solve() -> None:
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 1, 4, 4))
    a = a + np.swapaxes(a, -1, -2)
    b = rng.standard_normal((3, 4, 2))
    f = ag.linalg.ldl_factor(ag.tensor(a))
    x = ag.linalg.ldl_solve(f.LD, f.pivots, ag.tensor(b)).numpy()
    assert x.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(a @ x, np.broadcast_to(b, x.shape), atol=1e-10)


def test_float32_and_empty() -> None:
    a = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.5]], np.float32)
    got, want = ag.linalg.ldl_factor(ag.tensor(a)), torch.linalg.ldl_factor(torch.tensor(a))
    assert got.LD.dtype == ag.float32
    np.testing.assert_array_equal(got.pivots.numpy(), want.pivots.numpy())
    np.testing.assert_allclose(got.LD.numpy(), want.LD.numpy(), rtol=2e-6, atol=1e-6)
    e = ag.linalg.ldl_factor(ag.zeros(0, 0))
    assert tuple(e.LD.shape) == (0, 0) and tuple(e.pivots.shape) == (0,)


def test_records_without_a_derivative_as_pytorch() -> None:
    a = np.array([[2.0, 1.0], [1.0, -3.0]])
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        ld, piv = lib.linalg.ldl_factor(x)
        assert ld.requires_grad and not piv.requires_grad
        with pytest.raises(RuntimeError, match="derivative for .*linalg_ldl_factor_ex"):
            ld.sum().backward()
        b = lib.tensor(np.ones((2, 1)), requires_grad=True)
        sol = lib.linalg.ldl_solve(ld.detach(), piv, b)
        assert sol.requires_grad
        with pytest.raises(RuntimeError, match="derivative for .*linalg_ldl_solve"):
            sol.sum().backward()


def test_errors() -> None:
    singular = np.diag([1.0, 0.0, 0.0])
    res = ag.linalg.ldl_factor_ex(ag.tensor(singular))
    assert int(res.info) == int(torch.linalg.ldl_factor_ex(torch.tensor(singular)).info) == 2
    for call in (lambda L: L.linalg.ldl_factor(L.tensor(singular)),
                 lambda L: L.linalg.ldl_factor_ex(L.tensor(singular), check_errors=True),
                 lambda L: L.linalg.ldl_factor(L.ones(2, 3)),
                 lambda L: L.linalg.ldl_factor(L.ones(3)),
                 lambda L: L.linalg.ldl_factor(L.ones(2, 2, dtype=L.int64))):
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(ag)
