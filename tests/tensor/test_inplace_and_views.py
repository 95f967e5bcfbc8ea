"""In-place ops and the version counter, against PyTorch's behaviour and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")


def both(x):
    x = np.asarray(x, dtype=np.float64)
    return an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def run_both(fn, x0=(1.0, -2.0, 3.0, 0.5)):
    """Run ``fn(m, x)`` on both libraries; return (our result, torch result, grads)."""
    res = []
    for x, m in zip(both(x0), (an, torch)):
        out = fn(m, x)
        out.sum().backward()
        res.append((out.detach().numpy().copy(), x.grad.numpy().copy()))
    (ya, ga), (yb, gb) = res
    np.testing.assert_allclose(ya, yb, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-12)


def _add_(m, x):
    y = x * 2
    y.add_(1)
    return y * x


def _mul_(m, x):
    y = x + 1
    y.mul_(x)
    return y


def _sub_alpha(m, x):
    y = x * 3
    y.sub_(x, alpha=2)
    return y


def _div_tensor(m, x):
    y = x * 3
    y.div_(x.abs() + 1)
    return y


def _iadd_chain(m, x):
    y = x.clone()
    y += x
    y *= 2
    y -= 1
    y /= 4
    return y


def _clamp_(m, x):
    y = x * 1.0
    y.clamp_(-1.0, 1.0)
    return y * x


def _zero_fill(m, x):
    y = x * 2
    z = y.exp()
    y.zero_()  # y is not needed by exp's backward (exp saves its output)
    y.fill_(3.0)
    return z + y


def _copy_(m, x):
    y = m.zeros(4, dtype=m.float64)
    y.copy_(x * 2)
    return y * y


def _copy_broadcast(m, x):
    y = m.zeros(2, 4, dtype=m.float64)
    y.copy_(x.sin())
    return y


def _setitem_scalar(m, x):
    y = x * 2
    y[1] = 0.0
    return y * x


def _setitem_tensor(m, x):
    y = x * 2
    y[1:3] = x[:2] ** 2
    return y


def _setitem_mask(m, x):
    y = x * 3
    y[x > 0] = 0.0
    return y * 3


def _setitem_index_array(m, x):
    y = x * 1.0
    y[m.tensor([0, 3])] = x[1:3] * 5
    return y


def _setitem_into_zeros(m, x):
    out = m.zeros(2, 4, dtype=m.float64)
    out[0] = x
    out[1, ::2] = x[:2].exp()
    return out


def _masked_fill_(m, x):
    y = x * 2
    y.masked_fill_(x < 0, 0.5)
    return y


def _relu_(m, x):
    y = x * 2
    y.relu_()
    return y * y


def _exp_saves_out(m, x):
    y = x * 1.0
    y.exp_()  # the result is saved by exp_'s backward
    return y * 2


@pytest.mark.parametrize("fn", [_add_, _mul_, _sub_alpha, _div_tensor, _iadd_chain,
                                _clamp_, _zero_fill, _copy_, _copy_broadcast, _setitem_scalar,
                                _setitem_tensor, _setitem_mask, _setitem_index_array,
                                _setitem_into_zeros, _masked_fill_, _relu_, _exp_saves_out],
                         ids=lambda f: f.__name__)
def test_inplace_on_non_leaf_matches_torch(fn):
    run_both(fn)


# ------------------------------------------------------------------- version counter errors


@pytest.mark.parametrize("mutate", [
    lambda y: y.add_(1), lambda y: y.mul_(2), lambda y: y.zero_(), lambda y: y.fill_(1.0),
    lambda y: y.copy_(an.ones(3)), lambda y: y.clamp_(0, 1), lambda y: y.__setitem__(0, 5.0),
    lambda y: y.sub_(1), lambda y: y.__iadd__(1),
], ids=["add_", "mul_", "zero_", "fill_", "copy_", "clamp_", "setitem", "sub_", "iadd"])
def test_modifying_saved_tensor_raises_at_backward(mutate):
    x = an.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y  # Mul saves y
    mutate(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*MulBackward"):
        z.sum().backward()


@pytest.mark.parametrize("fn", [
    lambda m, x: (x * 1.5).mul_(x * 1.5),  # fine: the operand is a different tensor
    lambda m, x: (lambda y: y.mul_(y))(x * 1.5),  # Mul saved y, then y is overwritten
    lambda m, x: x.exp().sub_(x),  # Exp saved its output
    lambda m, x: (lambda y: y.__setitem__(x > 0, 0.0) or y)(x.sigmoid()),
], ids=["mul_other", "mul_self", "exp_sub_", "sigmoid_setitem"])
def test_saved_value_errors_agree_with_torch(fn):
    outcome = []
    for x, m in zip(both([1.0, -2.0, 3.0]), (an, torch)):
        try:
            fn(m, x).sum().backward()
            outcome.append(x.grad.numpy().copy())
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            outcome.append("error")
    if isinstance(outcome[1], str):
        assert outcome[0] == "error"
    else:
        np.testing.assert_allclose(outcome[0], outcome[1], rtol=1e-12)


def test_modifying_saved_output_raises():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    for m in (torch,):  # torch agrees
        xt = m.tensor([1.0, 2.0], requires_grad=True)
        yt = xt.exp()
        yt.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            yt.sum().backward()


def test_modifying_leaf_data_under_no_grad_after_use_raises():
    w = an.tensor([1.0, 2.0], requires_grad=True)
    x = an.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    with an.no_grad():
        w.sub_(0.1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_modifying_view_bumps_base_version():
    x = an.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y.sin()  # saves y
    v = y[1:]
    with an.no_grad():
        v.mul_(3)  # shares y's version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_no_error_where_torch_has_none():
    # y = x*2; y.add_(1): Mul saved x, not y
    x = an.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    # add does not save its inputs
    x = an.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1.0
    z = h + 3
    h.mul_(5)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    # a modification after backward is fine
    x = an.tensor([1.0], requires_grad=True)
    y = x * 2
    (y * y).sum().backward()
    y.add_(1)
    assert y._version == 1


def test_version_counter_values():
    for m in (an, torch):
        x = m.tensor([1.0, 2.0])
        assert x._version == 0
        x.add_(1)
        x.mul_(2)
        x[0] = 3.0
        assert x._version == 3
        v = x[1:]
        v.add_(1)
        assert x._version == v._version == 4


# --------------------------------------------------------------------------- leaf errors


@pytest.mark.parametrize("mutate", [
    lambda w: w.add_(1), lambda w: w.mul_(2), lambda w: w.zero_(), lambda w: w.fill_(1.0),
    lambda w: w.copy_(an.ones(2)), lambda w: w.__setitem__(0, 1.0), lambda w: w.clamp_(0, 1),
    lambda w: w[0].add_(1), lambda w: w.__imul__(2),
], ids=["add_", "mul_", "zero_", "fill_", "copy_", "setitem", "clamp_", "view_add_", "imul"])
def test_inplace_on_leaf_requiring_grad_raises(mutate):
    w = an.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        mutate(w)
    with an.no_grad():
        mutate(w)  # allowed: how optimizers update parameters
    assert w.is_leaf and w.requires_grad


def test_inplace_dtype_and_shape_errors():
    x = an.zeros(2, 3)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x.add_(an.ones(4, 2, 3))
    with pytest.raises(RuntimeError, match="must be broadcastable"):
        x.copy_(an.ones(4))
    with pytest.raises(RuntimeError, match="expanded tensor"):
        an.zeros(3, 1).expand(3, 4).add_(1)


def test_inplace_makes_requires_grad():
    """Writing a tensor that requires grad into a plain one makes it part of the graph."""
    res = []
    for m in (an, torch):
        w = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        buf = m.zeros(2, 2, dtype=m.float64)
        buf[0] = w * 3
        buf.mul_(w)
        assert buf.requires_grad and not buf.is_leaf
        buf.sum().backward()
        res.append(w.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


# ------------------------------------------------- in-place on views of graph tensors


def _v_iadd_column(m, x):
    h = x * 2
    h[:, 0] += 1
    return h * x


def _v_mul_row(m, x):
    h = x * 2
    h[0].mul_(x[1])
    return h.sin()


def _v_setitem_through_transpose(m, x):
    h = x.exp() * 1
    v = h.T
    v[1] = x[:, 0] * 3
    return h


def _v_into_constant_buffer(m, x):
    buf = m.zeros(2, 3, dtype=m.float64)
    buf[0] += x[1]
    buf[:, 1:].mul_(x[:, :2])
    return buf


def _v_reshape_then_slice(m, x):
    h = x * 1.0
    v = h.reshape(6)
    v[2:4].add_(x[0, :2] ** 2)
    return h


def _v_view_of_view(m, x):
    h = x * 1.0
    h[1][0:2].clamp_(0.5, 1.0)
    h[0, 1:][0] = 7.0
    return h * h


def _v_view_used_after(m, x):
    h = x * 1.0
    v = h[0]
    v.mul_(3)
    return v * h[0].sum() + h.sum()


def _v_unsqueeze_zero(m, x):
    h = x * 1.0
    h.unsqueeze(0)[0, :, 1].zero_()
    return h


VIEW_CASES = [_v_iadd_column, _v_mul_row, _v_setitem_through_transpose, _v_into_constant_buffer,
              _v_reshape_then_slice, _v_view_of_view, _v_view_used_after, _v_unsqueeze_zero]


@pytest.mark.parametrize("fn", VIEW_CASES, ids=lambda f: f.__name__)
def test_inplace_on_view_matches_torch(fn):
    x0 = np.arange(6.0).reshape(2, 3) / 3 - 0.4
    res = []
    for m in (an, torch):
        x = m.tensor(x0, requires_grad=True)
        y = fn(m, x)
        y.backward(m.tensor(np.linspace(-1.0, 2.0, y.numel()).reshape(tuple(y.shape))))
        res.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", [_v_iadd_column, _v_mul_row, _v_view_of_view],
                         ids=lambda f: f.__name__)
def test_inplace_on_view_second_order(fn):
    from autograd_nn.autograd import gradcheck, gradgradcheck

    x = an.tensor(np.random.default_rng(0).uniform(-2, 2, (2, 3)), requires_grad=True)
    assert gradcheck(lambda t: fn(an, t), (x,))
    assert gradgradcheck(lambda t: fn(an, t), (x,))


def test_inplace_on_view_errors_like_torch():
    # the base's old value was saved by sin(): modifying it through a view must fail
    x = an.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = x * 2
    z = h.sin()
    h[0] += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
    # a view of a leaf that requires grad
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
        x[0].add_(1)


# ------------------------------------- found by random in-place programs (see the report)


def _view_then_base_modified(m, x):
    h = x * 1.0
    v = h[:, 1]
    h.mul_(3)  # the view was taken before: it sees the new values and their history
    return v * 2


def _inplace_on_view_of_view(m, x):
    h = x * 1.0
    v1 = h[:, 1]
    v2 = v1[:2]
    v2.add_(v2)  # rebases h, v1 and v2
    return h.sum() + (v1 * 2).sum()


@pytest.mark.parametrize("fn", [_view_then_base_modified, _inplace_on_view_of_view],
                         ids=lambda f: f.__name__)
def test_view_sees_later_inplace_on_base(fn):
    x0 = np.arange(6.0).reshape(2, 3) / 10
    res = []
    for m in (an, torch):
        x = m.tensor(x0, requires_grad=True)
        fn(m, x).sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda h: (h * 2, h.add_(1))[0],
    lambda h: (h.sub_(h, alpha=2)),
    lambda h: (h / 4, h.mul_(2))[0],
], ids=["mul_scalar_then_add_", "sub_self_alpha", "div_scalar_then_mul_"])
def test_mul_by_constant_does_not_save_operand(fn):
    res = []
    for m in (an, torch):
        x = m.tensor([1.0, -2.0, 3.0], dtype=m.float64, requires_grad=True)
        fn(x * 1.0).sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)



def test_detach_shares_the_version_counter():
    """x * x.detach() reads the detached operand, which shares x's version: both raise."""
    for m in (an, torch):
        x = m.tensor([1.0, -2.0, 3.0], dtype=m.float64, requires_grad=True)
        h = x * 1.0
        y = h * h.detach()
        h.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_inplace_on_empty_view():
    """An empty slice of a graph tensor: in-place ops on it are no-ops, as in PyTorch."""
    res = []
    for m in (an, torch):
        x = m.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        h = x * 2.0
        v = h[2:]
        v.add_(1)
        v[v > 0] = 0.5
        (h * h).sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


def test_views_of_a_long_lived_graph_tensor_do_not_accumulate():
    """Views register in their base's version counter (to be re-derived after an in-place
    change); dead ones are dropped, so viewing one graph tensor every step stays bounded."""
    x = an.ones(4, 5, requires_grad=True)
    base = x * 2
    for _ in range(10_000):
        v = base[:, 1]
    assert len(base._vc) < 20
    h = x * 1.0
    views = [h[:, i % 5] for i in range(40)]
    h.mul_(3)  # every live view is re-derived from h's new history
    sum(views).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((4, 5), 24.0))
    del v
