"""Shared oracle helpers for the conv / pool / norm / mobilenet tests (no tests here)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pytest

import autograd_nn as A


@pytest.fixture(autouse=True, scope="module")
def torch_one_thread():
    """Run the torch oracle on one thread: on a shared 2-core machine its thread pool spins and
    a tiny MobileNet step takes seconds instead of ~0.2 s. Restored afterwards. Import this
    fixture into a test module to use it."""
    torch = pytest.importorskip("torch")
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}


def compare_with_torch(ours: Callable, theirs: Callable, arrays: Sequence[np.ndarray | None],
                       dtype: type = np.float64, seed: int = 0, grad: bool = True) -> None:
    """Run ``ours`` on autograd_nn tensors and ``theirs`` on torch tensors made from the same
    arrays (None passes through); compare the outputs and, for a random upstream gradient, the
    gradients of every array input (float64 to 1e-10, float32 to 1e-5)."""
    import torch

    arrays = [None if a is None else np.asarray(a, dtype=dtype) for a in arrays]
    ta = [None if a is None else A.tensor(a, requires_grad=grad) for a in arrays]
    tt = [None if a is None else torch.tensor(a, requires_grad=grad) for a in arrays]
    ya, yt = ours(*ta), theirs(*tt)
    outs_a = ya if isinstance(ya, tuple) else (ya,)
    outs_t = yt if isinstance(yt, tuple) else (yt,)
    tol = TOL[dtype]
    for oa, ot in zip(outs_a, outs_t):
        assert tuple(oa.shape) == tuple(ot.shape)
        assert oa.dtype.is_floating_point == ot.dtype.is_floating_point
        if ot.dtype.is_floating_point:
            assert oa.detach().numpy().dtype == dtype
            np.testing.assert_allclose(oa.detach().numpy(), ot.detach().numpy(), **tol)
        else:
            np.testing.assert_array_equal(oa.numpy(), ot.numpy())
    if not grad:
        return
    gy = np.random.default_rng(seed).standard_normal(tuple(outs_t[0].shape)).astype(dtype)
    outs_a[0].backward(A.tensor(gy))
    outs_t[0].backward(torch.tensor(gy))
    for a, t in zip(ta, tt):
        if a is not None:
            assert a.grad is not None and a.grad.numpy().dtype == dtype
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **tol)


def rand(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)
