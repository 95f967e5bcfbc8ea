"""The operators' and one-input functions' fast paths (engine.apply1/apply2) and backward's
skipped shape/dtype check for ``fits`` nodes give PyTorch's values, gradients, dtypes and
errors (oracle: PyTorch 2.13 itself)."""

import numpy as np
import pytest
import torch

import autograd_nn as ag


def _pair(shape, seed, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)),
                                   ((1, 4), (4,)), ((), (3, 4))])
def test_operator_chain_broadcast_matches_torch(sa, sb):
    (xa, xt), (ya, yt) = _pair(sa, 0), _pair(sb, 1)
    outs = []
    for x, y in ((xa, ya), (xt, yt)):
        h = (x * y + y).tanh() - x
        h = (h / (y + 3.0)).sigmoid() * 2.0 - h.exp()
        (-(1.5 - h)).sum().backward()
        outs.append((h, x.grad, y.grad))
    for ours, ref in zip(*outs):
        assert ours.shape == tuple(ref.shape)
        assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_seed_of_another_dtype_gives_grads_of_the_leaf_dtype():
    (xa, xt) = _pair((3, 4), 2)
    g = np.random.default_rng(3).standard_normal((3, 4))  # float64 seed, float32 graph
    za, zt = xa * xa + xa, xt * xt + xt
    za.retain_grad()
    zt.retain_grad()
    za.tanh().backward(ag.tensor(g))
    zt.tanh().backward(torch.tensor(g))
    assert za.grad.dtype == ag.float32 and zt.grad.dtype == torch.float32
    assert xa.grad.dtype == ag.float32 and xt.grad.dtype == torch.float32
    np.testing.assert_allclose(za.grad.numpy(), zt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_hook_on_a_fast_path_node_and_second_order():
    (xa, xt) = _pair((2, 3), 4)
    res = []
    for x, T in ((xa, ag), (xt, torch)):
        y = x * x
        y.register_hook(lambda g: g * 3)
        z = (y - x).tanh()
        (gx,) = T.autograd.grad(z.sum(), x, create_graph=True)
        (ggx,) = T.autograd.grad(gx.sum(), x)
        res.append((gx.detach().numpy(), ggx.numpy()))
    for ours, ref in zip(*res):
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_mixed_dtypes_and_errors_take_the_promoting_path():
    a = ag.tensor([1, 2, 3])
    f = ag.tensor([0.5, 1.0, 2.0], requires_grad=True)
    ta, tf = torch.tensor([1, 2, 3]), torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    for ours, ref in ((a + f, ta + tf), (a / a, ta / ta), (a - a, ta - ta), (a * a, ta * ta),
                      (2.0 - f, 2.0 - tf), (f / 4, tf / 4)):
        assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy())
    b = ag.tensor([True, False])
    with pytest.raises(RuntimeError, match="Subtraction"):
        b - b
    with pytest.raises(RuntimeError, match="Subtraction"):
        torch.tensor([True, False]) - torch.tensor([True, False])
    with pytest.raises(RuntimeError, match=r"\[3\].*\[2\]|size"):
        f + ag.tensor([1.0, 2.0])
    with ag.no_grad():
        assert (f * f).grad_fn is None and not (f * f).requires_grad


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float64", "bool", "uint8", "int32"])
def test_sum_result_dtype_matches_torch(name):
    if name == "bfloat16":
        pytest.importorskip("ml_dtypes")
    data = [1, 0, 1, 1] if name == "bool" else [1.0, 2.0, 3.0, 4.0]
    ours = ag.tensor(data).to(getattr(ag, name)).sum()
    ref = torch.tensor(data).to(getattr(torch, name)).sum()
    assert str(ours.dtype) == str(ref.dtype)
    assert float(ours) == float(ref)
