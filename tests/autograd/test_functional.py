"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against
torch.autograd.functional, with single and tuple inputs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
Y = RNG.standard_normal((2, 3))
V3 = RNG.standard_normal(3)
V2 = RNG.standard_normal(2)
VY = RNG.standard_normal((2, 3))


def f64(m, a):
    return m.tensor(np.asarray(a, dtype=np.float64))


def _cmp(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for p, q in zip(a, b):
            _cmp(p, q)
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)


def f_vec(x):  # R^3 -> R^2
    return (x[:2] * x[1:]).sin() + x.sum()


def f_scalar(x):
    return (x.exp() * x).sum() + (x[0] * x[2]) ** 2


def f_two(x, y):  # (R^3, R^{2x3}) -> R^2
    return (y * x).tanh().sum(1)


def f_two_scalar(x, y):
    return ((y @ x) ** 2).sum() + x.sin().sum()


def f_multi_out(x):
    return x.exp(), (x * 2).sum()


CASES = [
    ("jacobian", lambda m, F: F.jacobian(f_vec, f64(m, X))),
    ("jacobian_tuple", lambda m, F: F.jacobian(f_two, (f64(m, X), f64(m, Y)))),
    ("jacobian_multi_out", lambda m, F: F.jacobian(f_multi_out, f64(m, X))),
    ("hessian", lambda m, F: F.hessian(f_scalar, f64(m, X))),
    ("hessian_tuple", lambda m, F: F.hessian(f_two_scalar, (f64(m, X), f64(m, Y)))),
    ("vjp", lambda m, F: F.vjp(f_vec, f64(m, X), f64(m, V2))),
    ("vjp_tuple", lambda m, F: F.vjp(f_two, (f64(m, X), f64(m, Y)), f64(m, V2))),
    ("vjp_scalar_no_v", lambda m, F: F.vjp(f_scalar, f64(m, X))),
    ("jvp", lambda m, F: F.jvp(f_vec, f64(m, X), f64(m, V3))),
    ("jvp_tuple", lambda m, F: F.jvp(f_two, (f64(m, X), f64(m, Y)), (f64(m, V3), f64(m, VY)))),
    ("hvp", lambda m, F: F.hvp(f_scalar, f64(m, X), f64(m, V3))),
    ("hvp_tuple", lambda m, F: F.hvp(f_two_scalar, (f64(m, X), f64(m, Y)),
                                     (f64(m, V3), f64(m, VY)))),
    ("vhp", lambda m, F: F.vhp(f_scalar, f64(m, X), f64(m, V3))),
    # outputs or gradients that do not depend on the inputs: zeros, not an error
    ("jacobian_unused_input", lambda m, F: F.jacobian(lambda x, y: x.sin(),
                                                      (f64(m, X), f64(m, Y)))),
    ("jacobian_constant_output", lambda m, F: F.jacobian(lambda x: f64(m, V3) * 2, f64(m, X))),
    ("vjp_constant_output", lambda m, F: F.vjp(lambda x: f64(m, V3) * 2, f64(m, X), f64(m, V3))),
    ("jvp_linear", lambda m, F: F.jvp(lambda x: x * 2 - x.sum(), f64(m, X), f64(m, V3))),
    ("jvp_constant_output", lambda m, F: F.jvp(lambda x: f64(m, V3) * 2, f64(m, X), f64(m, V3))),
    ("hessian_linear", lambda m, F: F.hessian(lambda x: (x * f64(m, V3)).sum(), f64(m, X))),
    ("hessian_partly_linear", lambda m, F: F.hessian(lambda x, y: (x * x).sum() + y.sum(),
                                                     (f64(m, X), f64(m, Y)))),
    ("hvp_linear", lambda m, F: F.hvp(lambda x: x.sum() * 3, f64(m, X), f64(m, V3))),
    ("hessian_strict_ok", lambda m, F: F.hessian(f_scalar, f64(m, X), strict=True)),
    ("vhp_strict_ok", lambda m, F: F.vhp(f_scalar, f64(m, X), f64(m, V3), strict=True)),
]


@pytest.mark.parametrize("fn", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_functional_matches_torch(fn):
    _cmp(fn(an, an.autograd.functional), fn(torch, torch.autograd.functional))


def test_jacobian_create_graph():
    """jacobian(create_graph=True) is differentiable: d/dx sum(J) vs torch."""
    res = []
    for m in (an, torch):
        x = f64(m, X).requires_grad_()
        J = m.autograd.functional.jacobian(f_vec, x, create_graph=True)
        J.sum().backward()
        res.append(x.grad)
    _cmp(res[0], res[1])


def test_functional_does_not_touch_inputs_grad():
    x = f64(an, X).requires_grad_()
    an.autograd.functional.jacobian(f_vec, x)
    an.autograd.functional.hessian(f_scalar, x)
    assert x.grad is None


def test_hessian_requires_scalar():
    with pytest.raises(RuntimeError, match="single element Tensor"):
        an.autograd.functional.hessian(lambda x: x * 2, f64(an, X))


STRICT = [
    ("jacobian_unused_input", lambda m, F: F.jacobian(lambda x, y: x.sin(),
                                                      (f64(m, X), f64(m, Y)), strict=True),
     "Output 0 of the user-provided function is independent of input 1"),
    ("jacobian_constant_output", lambda m, F: F.jacobian(lambda x: f64(m, V3) * 2, f64(m, X),
                                                         strict=True),
     "Output 0 of the user-provided function does not require gradients"),
    ("jacobian_linear_create_graph", lambda m, F: F.jacobian(lambda x: x * 2, f64(m, X),
                                                             strict=True, create_graph=True),
     "The jacobian of the user-provided function is independent of input 0.*create_graph"),
    ("jacobian_vectorize", lambda m, F: F.jacobian(f_vec, f64(m, X), strict=True,
                                                   vectorize=True),
     "`strict=True` and `vectorized=True` are not supported together"),
    ("vjp_unused_input", lambda m, F: F.vjp(lambda x, y: x * 2, (f64(m, X), f64(m, X)),
                                            f64(m, V3), strict=True),
     "The output of the user-provided function is independent of input 1"),
    ("jvp_constant_output", lambda m, F: F.jvp(lambda x: f64(m, V3) * 2, f64(m, X), f64(m, V3),
                                               strict=True),
     "Output 0 of the user-provided function does not require gradients"),
    ("hessian_linear", lambda m, F: F.hessian(lambda x: x.sum(), f64(m, X), strict=True),
     "jacobian of the user-provided function with respect to input 0 is independent"),
    ("hessian_quadratic_create_graph", lambda m, F: F.hessian(lambda x: (x * x).sum(), f64(m, X),
                                                              strict=True, create_graph=True),
     "The jacobian of the user-provided function is independent of input 0"),
    ("vhp_quadratic_create_graph", lambda m, F: F.vhp(lambda x: (x * x).sum(), f64(m, X),
                                                      f64(m, V3), strict=True,
                                                      create_graph=True),
     "The hessian of the user-provided function is independent of input 0"),
]


@pytest.mark.parametrize("fn, msg", [c[1:] for c in STRICT], ids=[c[0] for c in STRICT])
def test_strict_mode_errors_like_torch(fn, msg):
    """strict=True: where an output or a derivative does not depend on the inputs, both raise
    the same error."""
    for m in (an, torch):
        with pytest.raises(RuntimeError, match=msg):
            fn(m, m.autograd.functional)
