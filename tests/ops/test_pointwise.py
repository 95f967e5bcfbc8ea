"""The pointwise family beyond the name-by-name parity samples: results PyTorch records but
cannot differentiate, ``%`` as differentiable remainder, in-place forms written through views
and the exported ``torch.<name>_`` functions. The oracle is PyTorch itself."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")

A = np.random.default_rng(0).uniform(-2, 2, (3, 4))
B = np.random.default_rng(1).uniform(0.5, 2, (3, 4))


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.floor_divide(x, y), lambda m, x, y: x // y, lambda m, x, y: 2.0 % x,
    lambda m, x, y: 2.0 // x, lambda m, x, y: m.heaviside(x, y),
], ids=["floor_divide", "floordiv_op", "rmod_op", "rfloordiv_op", "heaviside"])
def test_no_derivative_results_require_grad_and_backward_raises(fn):
    for m in (ag, torch):
        x, y = m.tensor(A, requires_grad=True), m.tensor(B)
        out = fn(m, x, y)
        assert out.requires_grad
        with pytest.raises(RuntimeError, match="derivative for"):
            out.sum().backward()


def test_mod_operator_is_differentiable_remainder():
    grads = []
    for m in (ag, torch):
        x, y = m.tensor(A, requires_grad=True), m.tensor(B, requires_grad=True)
        ((x % y) * x + x % 0.7).sum().backward()
        grads.append((x.grad.numpy(), y.grad.numpy()))
    for o, t in zip(*grads):
        np.testing.assert_allclose(o, t, rtol=1e-12)


def test_inplace_forms_through_views_match_torch():
    results = []
    for m in (ag, torch):
        x = m.tensor(A, requires_grad=True)
        y = x * 1.0
        y.remainder_(0.7)
        m.clamp_min_(y[2], 0.1)
        v = y[1]
        v.atan2_(m.tensor(B[0]))
        v.hypot_(m.tensor(B[2]))  # (saves its result: the last write, or PyTorch refuses)
        (y * y).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    for o, t in zip(*results):
        np.testing.assert_allclose(o, t, rtol=1e-12)


@pytest.mark.parametrize("name", ["exp_", "sin_", "abs_", "clamp_min_", "nan_to_num_", "gcd_"])
def test_exported_inplace_functions_refuse_a_leaf_that_requires_grad(name):
    args = {"clamp_min_": (0.0,), "gcd_": None}.get(name, ())
    if args is None:
        for m in (ag, torch):
            x = m.tensor([4, 6])
            assert getattr(m, name)(x, m.tensor([6, 4])) is x
            np.testing.assert_array_equal(x.numpy(), [2, 2])
        return
    for m in (ag, torch):
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(m, name)(m.tensor(A, requires_grad=True), *args)
