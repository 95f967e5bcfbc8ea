"""PyTorch's ``out=`` on functions and its NumPy keyword aliases (``axis=``, ``keepdims=``),
against PyTorch itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")


def _both(fn):
    results = []
    for m in (an, torch):
        try:
            results.append(("ok", fn(m)))
        except Exception as e:  # noqa: BLE001 -- compared with PyTorch's outcome
            results.append(("raise", e))
    return results


@pytest.mark.parametrize("name,call", [
    ("sum", lambda m, x: x.sum(axis=1, keepdims=True)),
    ("sum_fn", lambda m, x: m.sum(x, axis=0)),
    ("mean", lambda m, x: x.mean(axis=(0, 1), keepdims=True)),
    ("amax", lambda m, x: m.amax(x, axis=1, keepdims=True)),
    ("argmax", lambda m, x: x.argmax(axis=1)),
    ("softmax", lambda m, x: m.softmax(x, axis=1)),
    ("cat", lambda m, x: m.cat([x, x], axis=0)),
    ("std", lambda m, x: x.std(axis=0, keepdims=True)),
])
def test_numpy_keywords_match_torch(name, call):
    x = np.random.default_rng(0).standard_normal((3, 4))
    ours, theirs = call(an, an.tensor(x)), call(torch, torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_both_dim_and_axis_is_an_error():
    x = an.ones(2, 3)
    with pytest.raises(TypeError, match="sum"):
        x.sum(dim=1, axis=1)


@pytest.mark.parametrize("call", [
    lambda m, a, b, out: m.matmul(a, b, out=out),
    lambda m, a, b, out: m.mul(a, b, out=out),
    lambda m, a, b, out: m.add(a, b, alpha=2, out=out),
    lambda m, a, b, out: m.cat([a, b], dim=0, out=out),
    lambda m, a, b, out: m.tanh(a, out=out),
])
@pytest.mark.parametrize("out_shape", [(3, 3), (0,), (6, 3)])
def test_out_matches_torch(call, out_shape):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    res = []
    for m in (an, torch):
        out = m.zeros(*out_shape, dtype=m.float64)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = call(m, m.tensor(a), m.tensor(b), out)
        assert r is out  # the function returns out itself
        res.append((out.numpy().copy(), tuple(out.shape), bool(caught)))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    assert res[0][1:] == res[1][1:]  # same final shape; a resize warning exactly when torch's


@pytest.mark.parametrize("call", [
    lambda m: m.mul(m.ones(2, requires_grad=True), 2, out=m.empty(2)),
    lambda m: m.add(m.ones(2), 1, out=m.zeros(2, dtype=m.int64)),
    lambda m: m.mul(m.ones(2), 2, out=m.empty(2, dtype=m.float64)),
])
def test_out_errors_match_torch(call):
    (ok_ours, ours), (ok_torch, theirs) = _both(call)
    assert ok_ours == ok_torch, (ours, theirs)
    if ok_torch == "raise":
        assert isinstance(ours, type(theirs)), (ours, theirs)
    else:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_dtypes_and_sizes_print_as_pytorch():
    x = an.zeros(2, 3, dtype=an.int64)
    t = torch.zeros(2, 3, dtype=torch.int64)
    assert repr(x.dtype) == repr(t.dtype) and repr(x.shape) == repr(t.shape)
    assert x.type() == t.type() and str(an.float32) == str(torch.float32)
