"""Tensor attributes, conversions and repr against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")


REPR = [
    lambda m: m.tensor(1.5), lambda m: m.tensor(3), lambda m: m.tensor([1.0, 2.0, 3.0]),
    lambda m: m.tensor([[1.5, -2.25], [3.0, 4.125]]), lambda m: m.tensor([1, -2, 300]),
    lambda m: m.tensor([True, False]), lambda m: m.tensor(np.array([1.0, 2.5])),
    lambda m: m.tensor([1e-5, 1.0]), lambda m: m.tensor([1e10, 1.0]),
    lambda m: m.tensor([0.1, 1000.0]), lambda m: m.tensor([1.0, 2000.0]),
    lambda m: m.tensor([float("nan"), float("inf"), 1.0]),
    lambda m: m.tensor([float("nan"), 1.5, -float("inf")]), lambda m: m.zeros(2, 3),
    lambda m: m.zeros(0), lambda m: m.zeros(2, 0), lambda m: m.zeros(0, dtype=m.int64),
    lambda m: m.zeros(0, 3, dtype=m.float64), lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(), lambda m: m.arange(2000.0),
    lambda m: m.arange(24.0).reshape(2, 3, 4), lambda m: m.arange(1200).reshape(30, 40),
    lambda m: m.arange(3000.0).reshape(10, 30, 10) / 7, lambda m: m.tensor([123456.789, 1.0]),
    lambda m: m.tensor([-0.0, 0.0]), lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([1.0], dtype=m.float16), lambda m: m.linspace(0, 1, 30),
    lambda m: m.tensor([[1e-8, 1.0], [2.0, -3.0]]),
    lambda m: m.tensor(np.array([1.0, 2.0]), requires_grad=True) * 2,
    lambda m: m.tensor(float("nan")), lambda m: m.tensor(1e-7), lambda m: m.tensor([0.0, 0.0]),
    lambda m: m.tensor([1.23456789, 100.5]), lambda m: m.tensor([[True]]),
    lambda m: m.arange(10.0).reshape(1, 10) / 3, lambda m: (m.ones(3, 12) / 7).requires_grad_(),
    lambda m: m.ones(2, 12, dtype=m.float64) / 7, lambda m: m.tensor([-1e-3, 5e5]),
    lambda m: m.tensor([[-1, 2], [30, -400]], dtype=m.int32) * 2,
]


@pytest.mark.parametrize("expr", REPR, ids=[str(i) for i in range(len(REPR))])
def test_repr_matches_torch(expr):
    assert repr(expr(an)) == repr(expr(torch))


def test_repr_float64_default():
    try:
        an.set_default_dtype(an.float64)
        torch.set_default_dtype(torch.float64)
        for e in (lambda m: m.tensor([1.5]), lambda m: m.tensor([1.5], dtype=m.float32)):
            assert repr(e(an)) == repr(e(torch))
    finally:
        an.set_default_dtype(an.float32)
        torch.set_default_dtype(torch.float32)


def test_attributes_match_torch():
    x = np.arange(24.0).reshape(2, 3, 4)
    a, b = an.tensor(x), torch.tensor(x)
    assert a.shape == tuple(b.shape) and a.size() == tuple(b.size())
    assert a.size(1) == b.size(1) and a.size(-1) == b.size(-1)
    assert a.ndim == b.ndim == a.dim() and a.numel() == b.numel()
    assert repr(a.shape) == repr(b.shape)
    assert a.shape.numel() == 24 and isinstance(a.shape, tuple)
    assert str(a.device) == str(b.device) == "cpu" and repr(a.device) == repr(b.device)
    assert a.dtype == an.float64 and repr(a.dtype) == repr(b.dtype)
    assert a.is_floating_point() and not an.tensor([1]).is_floating_point()
    assert a.is_leaf and a.grad_fn is None and a.grad is None and not a.requires_grad
    np.testing.assert_array_equal(a.T.numpy(), b.permute(2, 1, 0).numpy())
    np.testing.assert_array_equal(a.mT.numpy(), b.mT.numpy())
    m = an.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(m.T.numpy(), [[1.0, 3.0], [2.0, 4.0]])
    assert a.stride() == b.stride() and a.T.stride() == b.permute(2, 1, 0).stride()
    assert a.element_size() == b.element_size() and a.is_contiguous()
    assert not a.T.is_contiguous() and a.T.contiguous().is_contiguous()
    with pytest.raises(RuntimeError, match="mT is only supported on matrices"):
        _ = an.tensor([1.0]).mT
    with pytest.raises(IndexError, match="Dimension out of range"):
        a.size(3)


def test_conversions():
    a = an.tensor([[1.5, 2.0]])
    assert a.tolist() == [[1.5, 2.0]] and an.tensor(3).tolist() == 3
    assert an.tensor([2.5]).item() == 2.5 and isinstance(an.tensor([2.5]).item(), float)
    assert isinstance(an.tensor(4).item(), int) and isinstance(an.tensor(True).item(), bool)
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        a.item()
    n = a.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == np.float32
    n[0, 0] = 9  # numpy() shares memory, as PyTorch
    assert a[0, 0].item() == 9
    assert np.asarray(a).dtype == np.float32 and np.asarray(a, dtype=np.float64).dtype == \
        np.float64
    r = an.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        r.numpy()
    assert r.detach().numpy().tolist() == [1.0]
    assert float(an.tensor([2.5])) == 2.5 and int(an.tensor(3.7)) == 3
    assert [1, 2, 3][an.tensor(1)] == 2
    assert len(a) == 1 and [t.tolist() for t in an.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(an.tensor([1, 2]))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(an.tensor(1.0))
    assert f"{an.tensor(2.5):.2f}" == "2.50"


def test_type_conversions_keep_graph():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == an.float64
    y.sum().backward()
    assert x.grad.dtype == an.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    assert x.to(an.float32) is x and x.to("cpu") is x
    with pytest.raises(RuntimeError, match="only the 'cpu' device"):
        x.to("cuda")


def test_numpy_array_copies_and_asarray_shares_as_torch():
    for m in (an, torch):
        x = m.zeros(3)
        np.array(x)[0] = 5.0  # a copy: x unchanged
        np.asarray(x)[1] = 7.0  # shares memory, as PyTorch's CPU tensors do
        assert x.tolist() == [0.0, 7.0, 0.0], m.__name__
