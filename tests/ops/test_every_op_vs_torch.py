"""Every op's forward and backward against PyTorch on the same inputs, float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest
from _op_cases import CASES, OURS
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an

torch = pytest.importorskip("torch")

from _op_cases import _torch_ns  # noqa: E402

THEIRS = _torch_ns()
TOL = {np.float32: 1e-5, np.float64: 1e-10}


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _compare(case, shapes, kw, seed, dtype):
    """Forward values, dtypes and shapes, then the vector-Jacobian product for one random
    cotangent, of ``case`` in both libraries on the same inputs."""
    arrays = [a.astype(dtype) for a in case.arrays(shapes, seed)]
    ours = [an.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_o = _tuple(case.fn(OURS, *ours, **kw))
    out_t = _tuple(case.fn(THEIRS, *theirs, **kw))
    tol = TOL[dtype] if dtype is np.float64 else case.f32_tol
    assert len(out_o) == len(out_t)
    rng = np.random.default_rng(3)
    gos = []
    for o, t in zip(out_o, out_t):
        assert tuple(o.shape) == tuple(t.shape), case.name
        assert o.dtype.name == str(t.dtype).replace("torch.", ""), case.name
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
        gos.append(rng.standard_normal(tuple(t.shape)).astype(dtype))
    g_o = an.autograd.grad(list(out_o), ours, [an.tensor(g) for g in gos], allow_unused=True)
    g_t = torch.autograd.grad(list(out_t), theirs, [torch.tensor(g) for g in gos],
                              allow_unused=True)
    for a, b in zip(g_o, g_t):
        if b is None:
            assert a is None or not a.numpy().any()
            continue
        assert a is not None, case.name
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case, dtype):
    shapes, kw = case.example
    _compare(case, shapes, kw, 7, dtype)


@pytest.mark.parametrize("case", [c for c in CASES if c.drawn], ids=str)
@given(data=st.data())
def test_matches_torch_drawn(case, data):
    """The same comparison (float64) over the hypothesis-drawn shapes and arguments that
    gradcheck uses: broadcasting pairs, dims, keepdim, modes."""
    shapes, kw = data.draw(case.strategy, label="shapes, kwargs")
    _compare(case, shapes, kw, data.draw(st.integers(0, 2 ** 16), label="seed"), np.float64)


def test_max_min_dim_indices_match_torch():
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    for dim in (0, 1, -1):
        for keep in (False, True):
            for name in ("max", "min"):
                vo, io = getattr(an.tensor(x), name)(dim, keep)
                vt, it = getattr(torch.tensor(x), name)(dim, keep)
                np.testing.assert_array_equal(io.numpy(), it.numpy())
                np.testing.assert_array_equal(vo.numpy(), vt.numpy())
                assert io.dtype == an.int64


def test_ties_share_gradient_like_torch():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    for fn in (lambda t: t.amax(), lambda t: t.amax(1), lambda t: t.max(),
               lambda t: t.amin(0), lambda t: t.norm(p=float("inf")),
               lambda t: t.max(1).values, lambda t: t.maximum(t.flip(1))):
        a, b = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        fn(a).sum().backward()
        fn(b).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


def test_kinks_match_torch():
    """Gradients exactly at the kinks (abs, relu, clamp bounds, sqrt/norm at 0)."""
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    fns = [lambda t: t.abs(), lambda t: t.relu(), lambda t: t.clamp(-0.5, 0.5),
           lambda t: t.clamp(min=0.0), lambda t: t.sign(), lambda t: (t * 0).norm(),
           lambda t: t.leaky_relu(0.1) if hasattr(t, "leaky_relu") else
           torch.nn.functional.leaky_relu(t, 0.1),
           lambda t: t ** 2, lambda t: t ** 0, lambda t: t.norm(p=1)]
    for fn in fns:
        a, b = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = fn(a), fn(b)
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-12)
        if yb.requires_grad:
            ya.sum().backward()
            yb.sum().backward()
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


def test_non_differentiable_ops_match_torch():
    x = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -2.0]], dtype=np.float32)
    a, b = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for fn in (lambda t: t > 0, lambda t: t <= 0.5, lambda t: t == 2, lambda t: t != 0,
               lambda t: t.argmax(), lambda t: t.argmax(1), lambda t: t.argmin(0, keepdim=True),
               lambda t: t.sign(), lambda t: t.lt(t.flip(1)), lambda t: t.ge(0.0)):
        ya, yb = fn(a), fn(b)
        assert ya.dtype.name == str(yb.dtype).replace("torch.", "")
        assert ya.requires_grad == yb.requires_grad and ya.grad_fn is None or yb.grad_fn
        np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    idx = np.array([[0, 2], [1, 1]])
    oa = an.nn.functional.one_hot(an.tensor(idx), 4) if False else an.one_hot(an.tensor(idx), 4)
    ob = torch.nn.functional.one_hot(torch.tensor(idx), 4)
    assert oa.dtype == an.int64
    np.testing.assert_array_equal(oa.numpy(), ob.numpy())
    np.testing.assert_array_equal(an.one_hot(an.tensor([3, 0])).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor([3, 0])).numpy())
