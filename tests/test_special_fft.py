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


# ------------------------------------------- the special-function kernels, densely, float64

RNG = np.random.default_rng(12)
# random points over every kernel's branches (|x| split at 1e-5, 2, 5, 8, 50, 700...) and edges
DENSE = np.concatenate([RNG.uniform(-30, 30, 3000), RNG.uniform(-3, 3, 3000),
                        RNG.uniform(-1e-4, 1e-4, 200), RNG.uniform(30, 720, 300),
                        [0.0, -0.0, 1.0, -1.0, 2.0, 5.0, 8.0, -8.0, 10.0, 50.0, 1e8, -1e8,
                         np.inf, -np.inf, np.nan]])
UNARY_KERNELS = ["erf", "erfc", "erfcx", "log_ndtr", "ndtr", "i0", "i0e", "i1", "i1e", "digamma",
                 "gammaln", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
                 "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
                 "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
                 "spherical_bessel_j0", "airy_ai", "entr", "sinc"]


def _rel_close(ours, ref, rtol, atol=0.0):
    ours, ref = ours.numpy(), ref.numpy()
    same = (ours == ref) | (np.isnan(ours) & np.isnan(ref))
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf
        bad = ~same & ~(np.abs(ours - ref) <= rtol * np.abs(ref) + atol)
    assert not bad.any(), (f"{bad.sum()} values differ, e.g. {ours[bad][:3]} vs PyTorch's "
                           f"{ref[bad][:3]}")


@pytest.mark.parametrize("name", UNARY_KERNELS)
def test_unary_kernels_match_pytorch_densely(name):
    # lgamma has zeros near -2.46 / -2.75 (cancellation) and J/Y large-x forms lose ~1e-13 to
    # the argument reduction: 1e-11 there, 1e-12 elsewhere
    rtol = 1e-11 if name in ("gammaln", "bessel_y0", "bessel_y1", "bessel_j1", "airy_ai") \
        else 1e-12
    # ndtr is (1 + erf(x / sqrt 2)) / 2 in both: absolute accuracy (erf's last bit near -1)
    _rel_close(getattr(ag.special, name)(ag.tensor(DENSE)),
               getattr(torch.special, name)(torch.tensor(DENSE)), rtol,
               atol=1.2e-16 if name == "ndtr" else 0.0)


def test_inverse_functions_and_polygamma_densely():
    p = np.concatenate([RNG.uniform(0, 1, 3000), RNG.uniform(0, 1e-12, 100), [0.0, 1.0, 0.5,
                        np.exp(-2), 1 - np.exp(-2), -0.1, 1.1, np.nan]])
    _rel_close(ag.special.ndtri(ag.tensor(p)), torch.special.ndtri(torch.tensor(p)), 1e-12)
    u = np.concatenate([RNG.uniform(-0.999, 0.999, 3000), [-1.0, 1.0, 0.0, 1.5, np.nan]])
    _rel_close(ag.erfinv(ag.tensor(u)), torch.erfinv(torch.tensor(u)), 1e-12)
    for n in (1, 2, 5):
        _rel_close(ag.polygamma(n, ag.tensor(DENSE)), torch.polygamma(n, torch.tensor(DENSE)),
                   1e-12)


def test_binary_kernels_match_pytorch_densely():
    a = np.concatenate([RNG.uniform(0, 5, 1500), RNG.uniform(0, 400, 1500),
                        [0.0, 0.0, 1.0, np.inf, 2.0, 30.0, 250.0, -1.0, np.nan]])
    x = np.concatenate([RNG.uniform(0, 5, 1500), RNG.uniform(0, 400, 1500),
                        [0.0, 1.0, 0.0, 2.0, np.inf, 31.0, 255.0, 1.0, 1.0]])
    for name in ("igamma", "igammac"):
        _rel_close(getattr(ag, name)(ag.tensor(a), ag.tensor(x)),
                   getattr(torch, name)(torch.tensor(a), torch.tensor(x)), 1e-11)
    s = np.concatenate([RNG.uniform(1, 12, 2000), [1.0, 0.5, 2.0, 2.0, 3.0]])
    q = np.concatenate([RNG.uniform(-6, 20, 2000), [1.0, 1.0, -1.0, 0.0, -2.5]])
    _rel_close(ag.special.zeta(ag.tensor(s), ag.tensor(q)),
               torch.special.zeta(torch.tensor(s), torch.tensor(q)), 1e-12)


@pytest.mark.parametrize("name", ["chebyshev_polynomial_t", "chebyshev_polynomial_u",
                                  "chebyshev_polynomial_v", "chebyshev_polynomial_w",
                                  "shifted_chebyshev_polynomial_t",
                                  "shifted_chebyshev_polynomial_u",
                                  "shifted_chebyshev_polynomial_v",
                                  "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
                                  "hermite_polynomial_he", "laguerre_polynomial_l",
                                  "legendre_polynomial_p"])
def test_polynomials_match_pytorch_densely(name):
    x = np.concatenate([RNG.uniform(-1.2, 1.2, 1500), RNG.uniform(-0.01, 1.01, 500),
                        [-1.0, 0.0, 1.0, 0.5]])
    n = RNG.integers(-2, 25, x.shape).astype(np.float64)
    # three-term recurrences amplify rounding near the polynomials' roots: relative to the
    # values' scale
    ours = getattr(ag.special, name)(ag.tensor(x), ag.tensor(n)).numpy()
    ref = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


# ------------------------------------------------------------------ where PyTorch has no grad

def test_unimplemented_derivatives_raise_as_in_pytorch():
    for lib in (ag, torch):
        a = lib.tensor([1.5, 2.5], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([0.7, 3.0], dtype=lib.float64, requires_grad=True)
        for f, what in ((lib.special.zeta, "zeta"), (lib.special.gammainc, "igamma: input"),
                        (lib.special.gammaincc, "igammac: input")):
            with pytest.raises(NotImplementedError, match=f"derivative for '{what}'"):
                f(a, x).sum().backward()
    # with the first argument constant, the other gradient exists (as PyTorch's)
    xs, s, a = np.array([0.7, 3.0]), np.array([2.5, 3.0]), np.array([1.5, 2.5])
    for f_ag, f_t in ((lambda v: ag.special.zeta(ag.tensor(s), v),
                       lambda v: torch.special.zeta(torch.tensor(s), v)),
                      (lambda v: ag.special.gammainc(ag.tensor(a), v),
                       lambda v: torch.special.gammainc(torch.tensor(a), v))):
        _check(f_ag, f_t, xs)


def test_bessel_and_polynomials_have_no_gradient():
    x = ag.tensor([0.3, 0.7], dtype=ag.float64, requires_grad=True)
    for name in ("bessel_j0", "airy_ai", "modified_bessel_k1", "spherical_bessel_j0"):
        assert not getattr(ag.special, name)(x).requires_grad
        assert not getattr(torch.special, name)(torch.tensor([0.3], requires_grad=True)) \
            .requires_grad
    assert not ag.special.legendre_polynomial_p(x, 3).requires_grad


def test_special_second_order():
    for f, x in [(ag.special.erfcx, [-1.3, 0.2, 2.1]), (ag.special.i1e, [-1.3, 0.2, 2.1]),
                 (ag.special.log_ndtr, [-3.0, 0.2, 2.1]), (ag.lgamma, [0.3, 1.7, 4.0]),
                 (lambda v: ag.mvlgamma(v, 3), [1.3, 1.7, 4.0]),
                 (lambda v: ag.xlogy(v, v + 3), [-1.0, 0.5, 2.0])]:
        xin = ag.tensor(np.array(x), requires_grad=True)
        assert gradcheck(f, (xin,))
        assert gradgradcheck(f, (xin,))


def test_kernels_against_scipy_as_a_second_oracle():
    sc = pytest.importorskip("scipy.special")
    x = np.concatenate([RNG.uniform(-20, 20, 2000), [0.0, 1e-8, 2.0, 8.0, 50.5]])
    pos = np.concatenate([RNG.uniform(1e-3, 40, 2000), [1e-8, 2.0, 5.0, 8.0]])
    p = RNG.uniform(1e-6, 1 - 1e-6, 2000)
    for ours, ref, arg, rtol in (
            (ag.special.erfcx, sc.erfcx, x, 1e-13), (ag.special.i0e, sc.i0e, x, 1e-13),
            (ag.special.i1e, sc.i1e, x, 1e-13), (ag.special.log_ndtr, sc.log_ndtr, x, 1e-13),
            (ag.special.ndtri, sc.ndtri, p, 1e-13), (ag.special.digamma, sc.digamma, pos, 1e-13),
            (ag.special.modified_bessel_k0, sc.k0, pos, 1e-13),
            (ag.special.scaled_modified_bessel_k1, sc.k1e, pos, 1e-13)):
        # (not J0/J1/Y0/Y1: PyTorch's, which we follow, are 1e-8 to 1e-6 from SciPy's)
        got, want = ours(ag.tensor(arg)).numpy(), ref(arg)
        # atol: digamma's root at 1.4616 (cancellation in both)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-15, err_msg=ours.__name__)
    # a < 20: above, PyTorch's asymptotic series (followed here) divides by sqrt(2 pi a) with pi
    # in float32, 2e-9 from SciPy's
    a, s = RNG.uniform(0.1, 20, 2000), RNG.uniform(1.1, 10, 2000)
    np.testing.assert_allclose(ag.special.gammainc(ag.tensor(a), ag.tensor(pos[:2000])).numpy(),
                               sc.gammainc(a, pos[:2000]), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(ag.special.zeta(ag.tensor(s), ag.tensor(pos[:2000])).numpy(),
                               sc.zeta(s, pos[:2000]), rtol=1e-13)
