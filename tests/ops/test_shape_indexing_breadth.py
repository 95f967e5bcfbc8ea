"""The shape and indexing breadth ops where parity samples do not reach: views (writes
through diagonal/unfold/movedim reach the base, as in PyTorch), in-place shape methods
(``unsqueeze_`` and co.) inside autograd graphs and on views, version counters, in-place
scatter/index ops on non-leaf tensors. The oracle is PyTorch 2.13 run on the same values."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import _dtype

torch = pytest.importorskip("torch")


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).uniform(-2, 2, shape)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _grads_match(ours_loss, theirs_loss, ours_leaves, theirs_leaves):
    ours_loss.backward()
    theirs_loss.backward()
    for o, t in zip(ours_leaves, theirs_leaves):
        if t.grad is None:
            assert o.grad is None
            continue
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,args", [
    ("unsqueeze_", (0,)), ("unsqueeze_", (-1,)), ("squeeze_", ()), ("transpose_", (0, 2)),
    ("swapdims_", (1, 0)), ("t_", ()),
])
def test_in_place_shape_method_on_a_graph_tensor(name, args):
    shape = (3, 1) if name in ("t_", "squeeze_") else (2, 3, 1)
    x, tx = _pair(shape)
    w = np.random.default_rng(1).uniform(-1, 1, int(np.prod(shape)))
    y, ty = x * 2, tx * 2
    v0 = y._version
    assert getattr(y, name)(*args) is y
    getattr(ty, name)(*args)
    assert tuple(y.shape) == tuple(ty.shape)
    assert y._version == v0 + 1 and ty._version == 1  # bumped, as PyTorch's
    wo, wt = ag.tensor(w.reshape(y.shape)), torch.tensor(w.reshape(tuple(ty.shape)))
    _grads_match((y.sin() * wo).sum(), (ty.sin() * wt).sum(), [x], [tx])


def test_unsqueeze_on_a_leaf_that_requires_grad_raises_as_pytorch():
    x, tx = _pair((3,))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.unsqueeze_(0)
    with pytest.raises(RuntimeError):
        tx.unsqueeze_(0)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        x[0].unsqueeze_(0)
    with pytest.raises(RuntimeError):
        tx[0].unsqueeze_(0)
    e = ag.ones(3).expand(2, 3)  # an expanded (read-only) tensor may still change shape
    assert tuple(e.unsqueeze_(0).shape) == tuple(torch.ones(3).expand(2, 3).unsqueeze_(0).shape)
    with ag.no_grad():
        x.unsqueeze_(0)
    assert tuple(x.shape) == (1, 3)


def test_unsqueeze_after_a_use_that_saved_it_is_caught_at_backward():
    x, tx = _pair((3,))
    y, ty = x.exp(), tx.exp()  # exp's backward reads its output
    y.unsqueeze_(0)
    ty.unsqueeze_(0)
    with pytest.raises(RuntimeError):
        ty.sum().backward()
    with pytest.raises(RuntimeError, match="in-?place"):
        y.sum().backward()


def test_unsqueeze_of_a_view_stays_a_view_and_in_place_ops_reach_the_base():
    x, tx = _pair((3, 4))
    b, tb = x * 1, tx * 1
    v, tv = b[1], tb[1]
    v.unsqueeze_(0)
    tv.unsqueeze_(0)
    v.mul_(3.0)
    tv.mul_(3.0)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy())
    w = np.random.default_rng(2).uniform(-1, 1, (3, 4))
    _grads_match((b.cos() * ag.tensor(w)).sum() + v.sum(),
                 (tb.cos() * torch.tensor(w)).sum() + tv.sum(), [x], [tx])


@pytest.mark.parametrize("view", [
    lambda L, x: x.diagonal(),
    lambda L, x: x.diagonal(1, 1, 0),
    lambda L, x: L.movedim(x, 0, 1),
    lambda L, x: L.ravel(x),
    lambda L, x: x.unfold(1, 2, 2),
])
def test_views_share_memory_and_take_in_place_ops(view):
    x, tx = _pair((4, 4))
    b, tb = x * 1, tx * 1
    v, tv = view(ag, b), view(torch, tb)
    assert v._base is b and tv._base is tb
    v.mul_(-2.0).add_(1.0)
    tv.mul_(-2.0).add_(1.0)
    np.testing.assert_allclose(b.detach().numpy(), tb.detach().numpy())
    w = np.random.default_rng(3).uniform(-1, 1, (4, 4))
    _grads_match((b * b * ag.tensor(w)).sum(), (tb * tb * torch.tensor(w)).sum(), [x], [tx])


def test_diagonal_view_write_through_without_grad():
    x = ag.zeros(3, 3)
    x.diagonal().fill_(5.0)
    np.testing.assert_array_equal(x.numpy(), np.eye(3) * 5)


@pytest.mark.parametrize("op", [
    lambda y, s, i: y.index_add_(0, i, s),
    lambda y, s, i: y.index_copy_(0, i, s),
    lambda y, s, i: y.scatter_(0, i.reshape(-1, 1).expand(-1, 4), s),
    lambda y, s, i: y.scatter_reduce_(0, i.reshape(-1, 1).expand(-1, 4), s, "prod"),
    lambda y, s, i: y.index_reduce_(0, i, s, "amax", include_self=False),
    lambda y, s, i: y.masked_scatter_(y > 0, s),
    lambda y, s, i: y.index_fill_(1, i, s[0, 0]),
    lambda y, s, i: y.fill_diagonal_(0.5, wrap=True),
    lambda y, s, i: y.tril_(-1),
])
def test_in_place_indexing_on_a_non_leaf(op):
    x, tx = _pair((3, 4))
    s, ts = _pair((2, 4), seed=4)
    i, ti = ag.tensor([2, 0]), torch.tensor([2, 0])
    y, ty = x.sin(), tx.sin()
    assert op(y, s, i) is y
    op(ty, ts, ti)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    w = np.random.default_rng(5).uniform(-1, 1, (3, 4))
    _grads_match((y * ag.tensor(w)).sum(), (ty * torch.tensor(w)).sum(), [x, s], [tx, ts])


def test_scatter_value_into_a_zero_dim_index():
    """One-hot by scatter_ with value= (tests/compat 06_custom_dataset)."""
    ours = ag.zeros(10, dtype=ag.float).scatter_(0, ag.tensor(3), value=1)
    theirs = torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(3), value=1)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_resize_keeps_the_leading_elements_and_refuses_grad():
    a = np.arange(12.0).reshape(3, 4)
    ours, theirs = ag.tensor(a), torch.tensor(a)
    ours.resize_(2, 5)
    theirs.resize_(2, 5)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x, tx = _pair((3,))
    with pytest.raises(RuntimeError, match="resize"):
        x.resize_(4)
    with pytest.raises(RuntimeError):
        tx.resize_(4)


def test_bfloat16_without_ml_dtypes_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import ml_dtypes -> ImportError
    monkeypatch.setattr(_dtype, "_bfloat16", [])  # built afresh, as in a process without it
    with pytest.raises(TypeError, match="bfloat16.*ml_dtypes"):
        ag.ones(2).bfloat16()


@pytest.mark.parametrize("reshape", [
    lambda b: b.unsqueeze_(0), lambda b: b.transpose_(0, 1), lambda b: b.t_(),
    lambda b: b.unsqueeze_(-1).squeeze_(-1),
])
@pytest.mark.parametrize("of_a_view", [False, True])
def test_views_taken_before_an_in_place_shape_change_follow_later_writes(reshape, of_a_view):
    """A view of ``b`` taken before ``b.unsqueeze_()`` still sees ``b``'s later in-place
    writes and backpropagates through them (it was derived from the old shape)."""
    x, tx = _pair((3, 4))
    w = np.random.default_rng(6).uniform(-1, 1, 4)

    def run(L, x):
        root = x * 1
        b = root[1:] if of_a_view else root
        v = b[0]
        reshape(b)
        b.mul_(2)
        root.add_(1)
        return root, v, (v * L.tensor(w)).sum() + (root ** 2).sum()

    root, v, loss = run(ag, x)
    troot, tv, tloss = run(torch, tx)
    np.testing.assert_allclose(v.detach().numpy(), tv.detach().numpy())
    np.testing.assert_allclose(root.detach().numpy(), troot.detach().numpy())
    _grads_match(loss, tloss, [x], [tx])


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_batch_gather_fast_path_matches_torch(dtype):
    """``perm[i:i + b]`` then ``X[idx]`` (getitem's fast path): values, view-ness, repeated and
    negative indices accumulating in the gradient, and PyTorch's error on an index out of range."""
    perm = np.array([4, -1, 0, 4, 2], dtype=dtype)
    P, tP = ag.tensor(perm), torch.tensor(perm)
    x, tx = _pair((5, 3))
    idx, tidx = P[1:5], tP[1:5]
    assert idx._base is P and idx.shape == tidx.shape
    out, tout = x[idx], tx[tidx]
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    assert type(out.grad_fn).__name__ == type(tout.grad_fn).__name__
    _grads_match((out * out).sum(), (tout * tout).sum(), [x], [tx])
    bad = ag.tensor(np.array([5], dtype=dtype))
    with pytest.raises(IndexError):
        tx[torch.tensor(np.array([5], dtype=dtype))]
    with pytest.raises(IndexError, match=r"shape \[5, 3\].*out of bounds"):
        x[bad]
    with pytest.raises(IndexError, match="dimension 0"):
        ag.tensor(1.0)[0:1]
    with pytest.raises(IndexError):
        torch.tensor(1.0)[0:1]
