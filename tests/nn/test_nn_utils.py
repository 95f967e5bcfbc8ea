"""nn.utils gradient clipping and parameter-vector helpers against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_nn as at
from autograd_nn import nn
from autograd_nn.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

torch = pytest.importorskip("torch")
SHAPES = [(3,), (2, 4), (5, 1, 2)]


def _pair(grads, dtype=np.float32):
    ours, theirs = [], []
    for g in grads:
        p = nn.Parameter(at.zeros(*g.shape, dtype=getattr(at, np.dtype(dtype).name)))
        q = torch.nn.Parameter(torch.zeros(*g.shape, dtype=getattr(torch, np.dtype(dtype).name)))
        if g is not None:
            p.grad = at.tensor(g.astype(dtype))
            q.grad = torch.tensor(g.astype(dtype))
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf, 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) for s in SHAPES]
    ours, theirs = _pair(grads, dtype)
    tol = dict(rtol=1e-5, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-14)
    n_a = clip_grad_norm_(ours, max_norm, norm_type)
    n_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert n_a.ndim == 0 and n_a.dtype == getattr(at, np.dtype(dtype).name)
    np.testing.assert_allclose(n_a.item(), n_t.item(), **tol)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), **tol)


def test_clip_grad_norm_single_tensor_none_grads_and_nonfinite():
    p = nn.Parameter(at.zeros(4))
    p.grad = at.tensor([3.0, 4.0, 0.0, 0.0])
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [3 / (5 + 1e-6), 4 / (5 + 1e-6), 0, 0], rtol=1e-6)
    q = nn.Parameter(at.zeros(2))  # no grad: skipped
    assert clip_grad_norm_([q], 1.0).item() == 0.0 and q.grad is None
    p.grad = at.tensor([math.inf, 1.0, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(s) * 2 for s in SHAPES]
    ours, theirs = _pair(grads)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_parameters_vector_round_trip_and_gradient():
    m, tm = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    v = parameters_to_vector(m.parameters())
    np.testing.assert_array_equal(v.detach().numpy(),
                                  torch.nn.utils.parameters_to_vector(tm.parameters())
                                  .detach().numpy())
    (v * at.arange(8.0)).sum().backward()  # differentiable: each param gets its slice
    np.testing.assert_array_equal(m.weight.grad.numpy().ravel(), np.arange(6.0))
    np.testing.assert_array_equal(m.bias.grad.numpy(), [6.0, 7.0])
    new = at.arange(8.0)
    vector_to_parameters(new, m.parameters())
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(m.bias.detach().numpy(), [6.0, 7.0])
    with pytest.raises(TypeError, match="expected Tensor, but got: list"):
        vector_to_parameters([1.0], m.parameters())
    with pytest.raises(RuntimeError, match="vec must be 1-D with 8 elements"):
        vector_to_parameters(at.zeros(7), m.parameters())


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_clipping_model_parameters_generator_after_backward(clip):
    """The everyday call: ``clip_grad_norm_(model.parameters(), ...)`` with a generator (read
    once) and gradients from a real backward pass, equal to PyTorch's."""
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    tm = tm.double()
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    m.load_state_dict({k: at.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    for lib, model in ((at, m), (torch, tm)):
        (10 * (model(lib.tensor(x)) - lib.tensor(y)) ** 2).sum().backward()
    if clip == "norm":
        n_a = clip_grad_norm_(m.parameters(), 0.5)
        n_t = torch.nn.utils.clip_grad_norm_(tm.parameters(), 0.5)
        assert n_a.item() == pytest.approx(n_t.item(), rel=1e-12) and n_t.item() > 5
    else:
        clip_grad_value_(m.parameters(), 0.3)
        torch.nn.utils.clip_grad_value_(tm.parameters(), 0.3)
    for p, q in zip(m.parameters(), tm.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, atol=1e-15)
    if clip == "norm":
        total = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in m.parameters()))
        assert total == pytest.approx(0.5, rel=1e-5)  # actually clipped to max_norm
