"""Every differentiable op: first and second derivatives against central finite differences
(float64), over shapes drawn by hypothesis (broadcasting pairs included)."""

from __future__ import annotations

import numpy as np
import pytest
from _op_cases import CASES, OURS
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an
from autograd_nn.autograd import gradcheck, gradgradcheck


def _inputs(case, shapes, seed):
    return [an.tensor(a, requires_grad=True) for a in case.arrays(shapes, seed)]


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_gradcheck(case, data):
    shapes, kw = data.draw(case.strategy, label="shapes, kwargs")
    seed = data.draw(st.integers(0, 2 ** 16), label="seed")
    xs = _inputs(case, shapes, seed)
    assert gradcheck(lambda *t: case.fn(OURS, *t, **kw), xs, eps=1e-6, atol=1e-6, rtol=1e-4)


SECOND = [c for c in CASES if c.second]


@pytest.mark.parametrize("case", SECOND, ids=str)
@given(data=st.data())
def test_gradgradcheck(case, data):
    shapes, kw = data.draw(case.strategy, label="shapes, kwargs")
    seed = data.draw(st.integers(0, 2 ** 16), label="seed")
    xs = _inputs(case, shapes, seed)
    assert gradgradcheck(lambda *t: case.fn(OURS, *t, **kw), xs, eps=1e-6, atol=1e-5,
                         rtol=1e-3)


@pytest.mark.parametrize("case", [c for c in CASES if not c.second], ids=str)
def test_gradgradcheck_linear_ops(case):
    """Where the second derivative in x is identically zero, the backward is still a function of
    the incoming gradient; gradgradcheck (which perturbs the grad_outputs too) checks that this
    part of the double-backward graph is right, as create_graph needs for every op."""
    shapes, kw = case.example
    xs = _inputs(case, shapes, 5)
    assert gradgradcheck(lambda *t: case.fn(OURS, *t, **kw), xs, eps=1e-6, atol=1e-5,
                         rtol=1e-3)


def test_prod_with_zeros():
    """prod's gradient where inputs contain one zero / two zeros (not the out / x shortcut)."""
    x = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 0.5, 3.0]])
    for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
        t = an.tensor(x, requires_grad=True)
        assert gradcheck(lambda a, kw=kw: a.prod(**kw), [t])
        assert gradgradcheck(lambda a, kw=kw: a.prod(**kw), [t])
    # hand-derived: d prod / dx_i = product of the others
    t = an.tensor(x[0], requires_grad=True)
    t.prod().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [0.0, -9.0, 0.0, 0.0])


@pytest.mark.parametrize("fn", [lambda x: x.softmax(-1), lambda x: x.log_softmax(-1)])
def test_softmax_stable_at_large_logits(fn):
    for dt in (an.float32, an.float64):
        x = an.tensor([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4 - 1]], dtype=dt, requires_grad=True)
        y = fn(x)
        (y * an.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype=dt)).sum().backward()
        assert np.isfinite(y.detach().numpy()).all()
        assert np.isfinite(x.grad.numpy()).all()
