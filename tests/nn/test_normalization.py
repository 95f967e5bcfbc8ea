"""Normalization functionals: vs PyTorch (values, grads, running stats), gradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_helpers import compare_with_torch, torch_one_thread  # noqa: F401

import autograd_nn as A
import autograd_nn.nn.functional as F
from autograd_nn.autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_torch(shape, training, dtype, rng):
    C = shape[1]
    rm0, rv0 = rng.standard_normal(C).astype(dtype), rng.uniform(0.5, 2, C).astype(dtype)
    bufs = {}

    def run(lib, fn, x, w, b):
        rm, rv = lib.tensor(rm0.copy()), lib.tensor(rv0.copy())
        bufs[lib.__name__] = (rm, rv)
        return fn(x, rm, rv, w, b, training, 0.3, 1e-3)

    compare_with_torch(lambda x, w, b: run(A, F.batch_norm, x, w, b),
                       lambda x, w, b: run(torch, TF.batch_norm, x, w, b),
                       [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(C),
                        rng.standard_normal(C)], dtype)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for ours, theirs in zip(bufs["autograd_nn"], bufs["torch"]):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), **tol)


def test_batch_norm_no_affine_no_running_stats(rng):
    compare_with_torch(lambda x: F.batch_norm(x, None, None, training=True),
                       lambda x: TF.batch_norm(x, None, None, training=True),
                       [rng.standard_normal((5, 2, 3))])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,ns", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5, 6), 6)])
def test_layer_norm_matches_torch(shape, ns, dtype, rng):
    wshape = (ns,) if isinstance(ns, int) else ns
    compare_with_torch(lambda x, w, b: F.layer_norm(x, ns, w, b, 1e-4),
                       lambda x, w, b: TF.layer_norm(x, wshape, w, b, 1e-4),
                       [rng.standard_normal(shape), rng.standard_normal(wshape),
                        rng.standard_normal(wshape)], dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,G", [((2, 6, 4), 3), ((2, 4, 3, 3), 1), ((2, 4, 3, 3), 4)])
def test_group_norm_matches_torch(shape, G, dtype, rng):
    C = shape[1]
    compare_with_torch(lambda x, w, b: F.group_norm(x, G, w, b),
                       lambda x, w, b: TF.group_norm(x, G, w, b),
                       [rng.standard_normal(shape), rng.standard_normal(C),
                        rng.standard_normal(C)], dtype)


def test_instance_norm_matches_torch(rng):
    compare_with_torch(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
                       lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
                       [rng.standard_normal((2, 3, 4, 5)), rng.standard_normal(3),
                        rng.standard_normal(3)])


@pytest.mark.parametrize("fn", [
    lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    lambda x, w, b: F.layer_norm(x, (4,), w.reshape(-1)[:1].expand(4), b.reshape(-1)[:1].expand(4)),
    lambda x, w, b: F.group_norm(x, 3, w, b),
    # eval mode: fixed running statistics (an affine map of x)
    lambda x, w, b: F.batch_norm(x, A.arange(6.0, dtype=A.float64) / 7,
                                 A.arange(1.0, 7.0, dtype=A.float64), w, b, training=False),
])
def test_norm_gradcheck_and_gradgradcheck(fn, rng):
    x = A.tensor(rng.standard_normal((3, 6, 4)), requires_grad=True)
    w = A.tensor(rng.standard_normal(6), requires_grad=True)
    b = A.tensor(rng.standard_normal(6), requires_grad=True)
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_batch_norm_double_backward_matches_torch(rng):
    x0, w0 = rng.standard_normal((4, 3, 5)), rng.standard_normal(3)
    res = []
    for lib, fn in ((A, F.batch_norm), (torch, TF.batch_norm)):
        x, w = lib.tensor(x0, requires_grad=True), lib.tensor(w0, requires_grad=True)
        y = fn(x, None, None, w, None, training=True)
        (gx,) = lib.autograd.grad((y ** 3).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
        res.append((x.grad.numpy(), w.grad.numpy()))
    for a, t in zip(*res):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-10)


def test_norm_constant_input_gives_no_nan():
    x = A.ones(4, 3, requires_grad=True)
    y = F.batch_norm(x, None, None, training=True)
    y.sum().backward()
    assert np.all(y.detach().numpy() == 0) and np.all(x.grad.numpy() == 0)


def test_norm_errors():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training"):
        F.batch_norm(A.randn(1, 3), A.zeros(3), A.ones(3), training=True)
    with pytest.raises(RuntimeError, match=r"batch_norm: expected running_mean to have shape"):
        F.batch_norm(A.randn(2, 3), A.zeros(4), A.ones(3))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size\[2, 3\]"):
        F.layer_norm(A.randn(2, 3), 4)
    with pytest.raises(RuntimeError, match=r"group_norm: Expected number of channels in input to "
                                           r"be divisible by num_groups"):
        F.group_norm(A.randn(2, 6, 3), 4)
