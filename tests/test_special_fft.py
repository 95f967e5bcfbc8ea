"""``autograd_nn.special`` and ``autograd_nn.fft``'s real helpers against PyTorch 2.13: values
and gradients in float64 (1e-10), the special points (0 for sinc / xlogy / entr, tiny x for
expm1 / log1p), and second-order gradchecks."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
X = np.array([-2.5, -1.0, -1e-12, 0.0, 1e-12, 0.3, 1.0, 2.0, 7.5])
P = np.array([1e-9, 0.01, 0.3, 0.5, 0.9, 0.999])


def _both(x):
    return ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _check(fn_ag, fn_t, x, grad=True):
    a, t = _both(x)
    out, ref = fn_ag(a), fn_t(t)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-300)
    if grad:
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["expit", "expm1", "exp2", "sinc"])
def test_unary_on_the_real_line(name):
    x = X[np.abs(X) != 1e-12] if name == "sinc" else X
    _check(getattr(ag.special, name), getattr(torch.special, name), x)


def test_sinc_near_zero_against_its_series():
    # PyTorch's sinc gradient cancels to exactly 0 at |x| = 1e-12; the derivative there is
    # -pi^2 x / 3 (closed form), which the series branch gives
    x = ag.tensor([-1e-12, 1e-12, 1e-5], dtype=ag.float64, requires_grad=True)
    y = ag.special.sinc(x)
    y.sum().backward()
    xs = np.array([-1e-12, 1e-12, 1e-5])
    np.testing.assert_allclose(y.detach().numpy(), 1 - (np.pi * xs) ** 2 / 6, rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), -np.pi ** 2 * xs / 3, rtol=1e-6)


def test_log_domain_functions():
    _check(ag.special.log1p, torch.special.log1p, np.array([-0.5, -1e-12, 0.0, 1e-12, 3.0]))
    _check(ag.special.logit, torch.special.logit, P)
    _check(lambda x: ag.special.logit(x, eps=0.05), lambda x: torch.special.logit(x, eps=0.05),
           P)
    _check(ag.special.entr, torch.special.entr, np.array([0.0, 1e-9, 0.5, 1.0, 3.0]))
    out = ag.special.entr(ag.tensor([-1.0]))
    assert out.item() == torch.special.entr(torch.tensor([-1.0])).item() == -np.inf


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary_with_zero_x(name):
    x = np.array([0.0, 0.0, 1.5, -2.0, 0.0, 3.0])
    y = np.array([0.0, 2.0, 0.5, 4.0, np.nan, 1.0])
    a, t = _both(x)
    b, u = _both(y)
    out, ref = getattr(ag.special, name)(a, b), getattr(torch.special, name)(t, u)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    g = np.ones(len(x))
    out.backward(ag.tensor(g))
    ref.backward(torch.tensor(g))
    fin = np.isfinite(t.grad.numpy())
    np.testing.assert_allclose(a.grad.numpy()[fin], t.grad.numpy()[fin], rtol=1e-12)
    fin = np.isfinite(u.grad.numpy()) & (x != 0)
    np.testing.assert_allclose(b.grad.numpy()[fin], u.grad.numpy()[fin], rtol=1e-12)


def test_reductions_and_softmax_forms():
    x = np.random.default_rng(0).standard_normal((3, 4))
    for fa, ft in [(lambda v: ag.special.logsumexp(v, 1), lambda v: torch.special.logsumexp(v, 1)),
                   (lambda v: ag.special.softmax(v, 0), lambda v: torch.special.softmax(v, 0)),
                   (lambda v: ag.special.log_softmax(v, 1),
                    lambda v: torch.special.log_softmax(v, 1)),
                   (lambda v: ag.special.round(v * 10, decimals=1),
                    lambda v: torch.special.round(v * 10, decimals=1))]:
        _check(fa, ft, x)


def test_second_order():
    for f, x in [(ag.special.expm1, [-1.3, 0.2, 2.1]), (ag.special.log1p, [-0.7, 0.2, 2.1]),
                 (ag.special.sinc, [-1.3, 5e-4, 0.7]), (ag.special.entr, [0.1, 0.7, 2.1]),
                 (ag.special.logit, [0.1, 0.5, 0.8])]:
        xin = ag.tensor(np.array(x), requires_grad=True)
        assert gradcheck(f, (xin,))
        assert gradgradcheck(f, (xin,))


def test_fft_helpers():
    for n in (1, 4, 7):
        for d in (1.0, 0.1):
            np.testing.assert_allclose(ag.fft.fftfreq(n, d).numpy(),
                                       torch.fft.fftfreq(n, d).numpy(), rtol=1e-6)
            np.testing.assert_allclose(ag.fft.rfftfreq(n, d, dtype=ag.float64).numpy(),
                                       torch.fft.rfftfreq(n, d, dtype=torch.float64).numpy())
    x = np.random.default_rng(1).standard_normal((3, 4, 5))
    for dim in (None, 1, (0, 2), -1):
        for name in ("fftshift", "ifftshift"):
            a, t = _both(x)
            out, ref = getattr(ag.fft, name)(a, dim=dim), getattr(torch.fft, name)(t, dim=dim)
            np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
            g = np.arange(x.size, dtype=float).reshape(x.shape)
            out.backward(ag.tensor(g))
            ref.backward(torch.tensor(g))
            np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())


def test_every_torch_special_name_exists_and_unknown_names_raise():
    names = [n for n in torch.special.__all__ if not n.startswith("_")]
    assert [n for n in names if not callable(getattr(ag.special, n, None))] == []
    with pytest.raises(AttributeError, match="no_such_function"):
        ag.special.no_such_function  # noqa: B018
