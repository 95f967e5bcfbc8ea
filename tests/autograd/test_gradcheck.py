"""gradcheck / gradgradcheck: PyTorch's signature, catching wrong backwards with a message
naming the input, the output and the worst element."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd_nn as an
from autograd_nn import autograd
from autograd_nn.autograd import gradcheck, gradgradcheck
from autograd_nn.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")


class WrongSecondInput(autograd.Function):
    """out0 = a * b, out1 = a + b; the gradient w.r.t. b of out0 is off at one element."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, g0, g1):
        a, b = ctx.saved_tensors
        bad = a.detach().clone()
        bad[2] = bad[2] * 1.5  # wrong at element 2
        return g0 * b + g1, g0 * bad + g1


class WrongSecondOrder(autograd.Function):
    """Correct first derivative of x**3 computed with a non-differentiable trick."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * an.tensor(3 * x.detach().numpy() ** 2)  # detached: 2nd derivative lost


def _inputs():
    rng = np.random.default_rng(0)
    return [an.tensor(rng.standard_normal(4), requires_grad=True),
            an.tensor(rng.standard_normal(4), requires_grad=True)]


def test_signature_matches_torch():
    ours = inspect.signature(gradcheck).parameters
    theirs = inspect.signature(torch.autograd.gradcheck).parameters
    for name in ("eps", "atol", "rtol", "raise_exception", "fast_mode", "nondet_tol"):
        assert name in ours, name
        assert ours[name].default == theirs[name].default, name
    ours2 = inspect.signature(gradgradcheck).parameters
    for name in ("grad_outputs", "eps", "atol", "rtol", "raise_exception", "fast_mode"):
        assert name in ours2
    assert ours2["eps"].default == 1e-6 and ours2["atol"].default == 1e-5


def test_correct_functions_pass():
    a, b = _inputs()
    assert gradcheck(lambda x, y: (x * y.exp(), (x @ y).tanh()), (a, b))
    assert gradcheck(lambda x, y: x * y, (a, b), fast_mode=True)
    assert gradgradcheck(lambda x, y: (x * y.sin()).sum() * x, (a, b))


def test_wrong_backward_fails_naming_input_output_and_element():
    a, b = _inputs()
    with pytest.raises(GradcheckError, match=r"output 0 with respect to input 1,\n"
                                             r"worst at input element \(2,\) -> output element 2"):
        gradcheck(WrongSecondInput.apply, (a, b))
    assert gradcheck(WrongSecondInput.apply, (a, b), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="fast mode"):
        gradcheck(WrongSecondInput.apply, (a, b), fast_mode=True)
    assert gradcheck(WrongSecondInput.apply, (a, b), fast_mode=True,
                     raise_exception=False) is False
    assert isinstance(GradcheckError("x"), RuntimeError)  # catchable as torch's


def test_gradgradcheck_catches_broken_second_derivative():
    x = _inputs()[0]
    assert gradcheck(WrongSecondOrder.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(WrongSecondOrder.apply, (x,))
    assert gradgradcheck(WrongSecondOrder.apply, (x,), raise_exception=False) is False


def test_tolerances_are_used():
    """A gradient off by a relative 1e-4 passes rtol=1e-3 but fails rtol=1e-6, atol=0."""

    class Off(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2 * (1 + 1e-4)

    x = an.tensor([1.0, 2.0], dtype=an.float64, requires_grad=True)
    assert gradcheck(Off.apply, (x,), rtol=1e-3, atol=0)
    assert not gradcheck(Off.apply, (x,), rtol=1e-6, atol=0, raise_exception=False)


def test_gradcheck_leaves_inputs_unchanged():
    a, b = _inputs()
    before = a.detach().numpy().copy()
    gradcheck(lambda x, y: x * y, (a, b))
    np.testing.assert_array_equal(a.detach().numpy(), before)
    assert a.grad is None


def test_non_float64_warns():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not float64"):
        gradcheck(lambda t: t * 2, (x,), raise_exception=False)


def test_no_input_requiring_grad_raises_like_torch():
    """Nothing to differentiate would make any function pass: both raise instead."""
    for m, check in ((an, gradcheck), (torch, torch.autograd.gradcheck)):
        with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
            check(lambda x: x * 2, (m.tensor([0.5, 1.0], dtype=m.float64),))


@pytest.mark.parametrize("fn", [
    lambda x: (x.sin(), x.exp().sum()),  # several outputs
    lambda x: (x.sin(), x.argmax()),  # an integer output is skipped
    lambda x: x.detach() * x,  # a wrong gradient
], ids=["tuple_out", "int_out", "wrong"])
def test_verdicts_agree_with_torch(fn):
    x0 = np.array([0.3, -1.2, 0.7])
    for fast in (False, True):
        verdicts = [check(fn, (m.tensor(x0, requires_grad=True),), raise_exception=False,
                          fast_mode=fast)
                    for m, check in ((an, gradcheck), (torch, torch.autograd.gradcheck))]
        assert verdicts[0] == verdicts[1]


def test_numerical_jacobian_perturbs_non_contiguous_inputs():
    # A transposed (non-contiguous) input: reshape(-1) would copy it and every column would be
    # 0. The closed form of d(sum(w * x))/dx is w, in x's C order.
    from autograd_nn.autograd.gradcheck import numerical_jacobian

    base = np.arange(6.0).reshape(2, 3)
    x = an.tensor(base, dtype=an.float64).t()  # (3, 2), non-contiguous view of base
    assert not x.numpy().flags["C_CONTIGUOUS"]
    x.requires_grad_(True)
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (jac,) = numerical_jacobian(lambda t: (t * an.tensor(w)).sum(), (x,))
    np.testing.assert_allclose(jac[0].reshape(-1), w.reshape(-1), rtol=1e-6)
