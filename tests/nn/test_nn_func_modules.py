"""Modules added with issue 12 (adaptive 3-D pooling, max unpooling, fractional max pooling,
InstanceNorm3d, CTCLoss, LinearCrossEntropyLoss, AdaptiveLogSoftmaxWithLoss, CrossMapLRN2d)
against PyTorch's modules with the same weights: outputs, gradients, errors."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd_nn as ag
import autograd_nn.nn as nn
from autograd_nn.autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _pair(shape, seed=0, dtype=np.float64):
    x = np.random.default_rng(seed).uniform(-2, 2, shape).astype(dtype)
    return ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _copy(theirs, ours) -> None:
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


def _close(a, b, **kw) -> None:
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12,
                               **kw)


def _backward_both(o, t, seed=1):
    w = np.random.default_rng(seed).uniform(-1, 1, tuple(t.shape))
    (o * ag.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()


@pytest.mark.parametrize("name,args,shape", [
    ("AdaptiveAvgPool3d", ((2, 3, 4),), (2, 3, 5, 6, 7)),
    ("AdaptiveAvgPool3d", ((None, 2, 3),), (3, 5, 6, 7)),
    ("AdaptiveMaxPool3d", ((2, 3, 4),), (2, 3, 5, 6, 7)),
    ("AdaptiveMaxPool3d", (2, True), (2, 3, 5, 6, 7)),
])
def test_adaptive_pool3d(name, args, shape):
    xo, xt = _pair(shape)
    yo, yt = getattr(nn, name)(*args)(xo), getattr(torch.nn, name)(*args)(xt)
    if isinstance(yt, tuple):
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())
        yo, yt = yo[0], yt[0]
    _close(yo, yt)
    _backward_both(yo, yt)
    _close(xo.grad, xt.grad)
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("nd,kernel,stride,shape", [
    (1, 2, None, (2, 3, 8)), (2, 2, None, (2, 3, 6, 8)), (2, 3, 2, (1, 2, 7, 7)),
    (3, 2, None, (1, 2, 4, 6, 4)), (2, 2, None, (3, 6, 8))])
def test_max_unpool_inverts_torch_max_pool(nd, kernel, stride, shape):
    xo, xt = _pair(shape)
    pool = getattr(torch.nn, f"MaxPool{nd}d")(kernel, stride, return_indices=True)
    vals, idx = pool(xt.detach())
    vo, vt = ag.tensor(vals.numpy(), requires_grad=True), vals.clone().requires_grad_(True)
    uo = getattr(nn, f"MaxUnpool{nd}d")(kernel, stride)(vo, ag.tensor(idx.numpy()),
                                                         output_size=shape[-nd:])
    ut = getattr(torch.nn, f"MaxUnpool{nd}d")(kernel, stride)(vt, idx, output_size=shape[-nd:])
    _close(uo, ut)
    _backward_both(uo, ut)
    _close(vo.grad, vt.grad)
    assert repr(getattr(nn, f"MaxUnpool{nd}d")(kernel, stride)) == \
        repr(getattr(torch.nn, f"MaxUnpool{nd}d")(kernel, stride))


@pytest.mark.parametrize("nd,kw", [(2, dict(output_size=3)), (2, dict(output_ratio=0.5)),
                                   (2, dict(output_size=(4, 3), return_indices=True)),
                                   (3, dict(output_size=(3, 2, 3))),
                                   (3, dict(output_ratio=(0.5, 0.5, 0.7)))])
def test_fractional_max_pool_with_fixed_samples(nd, kw):
    shape = (2, 3, 7, 6) if nd == 2 else (2, 2, 6, 5, 7)
    xo, xt = _pair(shape)
    u = np.random.default_rng(5).uniform(0, 1, shape[:2] + (nd,))
    kernel = 2
    mo = getattr(nn, f"FractionalMaxPool{nd}d")(kernel, _random_samples=ag.tensor(u), **kw)
    mt = getattr(torch.nn, f"FractionalMaxPool{nd}d")(kernel, _random_samples=torch.tensor(u),
                                                      **kw)
    yo, yt = mo(xo), mt(xt)
    if kw.get("return_indices"):
        np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())
        yo, yt = yo[0], yt[0]
    _close(yo, yt)
    _backward_both(yo, yt)
    _close(xo.grad, xt.grad)
    assert "_random_samples" in dict(mo.named_buffers())


def test_fractional_max_pool_random_and_errors():
    ag.manual_seed(0)
    x = ag.randn(2, 3, 9, 9)
    y, idx = nn.FractionalMaxPool2d(3, output_size=4, return_indices=True)(x)
    # every output is the maximum of a 3x3 window of its plane, read at its index
    flat = x.numpy().reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.numpy().reshape(2, 3, -1), 2),
                                  y.numpy().reshape(2, 3, -1))
    with pytest.raises(ValueError):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError):
        nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError):
        nn.FractionalMaxPool3d(2, output_ratio=1.5)


@pytest.mark.parametrize("kw", [dict(), dict(affine=True), dict(track_running_stats=True),
                                dict(affine=True, track_running_stats=True)])
def test_instance_norm3d(kw):
    mt = torch.nn.InstanceNorm3d(3, **kw).double()
    mo = nn.InstanceNorm3d(3, **kw).double()
    if kw.get("affine"):
        with torch.no_grad():
            mt.weight.uniform_(0.5, 1.5)
            mt.bias.uniform_(-1, 1)
    _copy(mt, mo)
    xo, xt = _pair((2, 3, 3, 4, 5))
    yo, yt = mo(xo), mt(xt)
    _close(yo, yt)
    _backward_both(yo, yt)
    _close(xo.grad, xt.grad)
    for k, v in mt.state_dict().items():
        np.testing.assert_allclose(mo.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
    mt.eval()
    mo.eval()
    _close(mo(ag.tensor(xo.detach().numpy()[0])), mt(xt.detach()[0]))
    assert repr(mo) == repr(mt)


def test_lazy_instance_norm3d():
    mo, mt = nn.LazyInstanceNorm3d(), torch.nn.LazyInstanceNorm3d()
    xo, xt = _pair((2, 4, 3, 3, 3))
    np.testing.assert_allclose(mo(xo.float()).detach().numpy(), mt(xt.float()).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert type(mo) is nn.InstanceNorm3d and mo.num_features == 4


@pytest.mark.parametrize("kw", [dict(), dict(reduction="sum"), dict(reduction="none"),
                                dict(blank=4, zero_infinity=True)])
def test_ctc_loss_module(kw):
    rng = np.random.default_rng(3)
    lp = np.log(rng.dirichlet(np.ones(5), (7, 3)))
    blank = kw.get("blank", 0)
    classes = [c for c in range(5) if c != blank]
    targets = rng.choice(classes, (3, 4))
    il, tl = [7, 6, 2], [4, 3, 2]
    lo, lt = ag.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    yo = nn.CTCLoss(**kw)(lo, ag.tensor(targets), ag.tensor(il), ag.tensor(tl))
    yt = torch.nn.CTCLoss(**kw)(lt, torch.tensor(targets), torch.tensor(il), torch.tensor(tl))
    _close(yo, yt)
    (yo.sum() if yo.ndim else yo).backward()
    (yt.sum() if yt.ndim else yt).backward()
    _close(lo.grad, lt.grad, equal_nan=True)


def test_ctc_loss_double_backward_raises_as_torch():
    lp = ag.randn(5, 2, 4, requires_grad=True)
    loss = nn.CTCLoss()(lp.log_softmax(2), ag.tensor([[1, 2], [3, 3]]), [5, 5], [2, 2])
    (g,) = ag.autograd.grad(loss, lp, retain_graph=True)
    assert g.shape == lp.shape
    with pytest.raises(RuntimeError, match="double backward"):
        ag.autograd.grad(loss, lp, create_graph=True)


@pytest.mark.parametrize("kw", [dict(), dict(bias=True, reduction="sum", label_smoothing=0.2),
                                dict(out_features=(2,), bias=True),
                                dict(ignore_index=1, reduction="none")])
def test_linear_cross_entropy_loss(kw):
    mt = torch.nn.LinearCrossEntropyLoss(6, 5, **kw).double()
    mo = nn.LinearCrossEntropyLoss(6, 5, **kw).double()
    _copy(mt, mo)
    xo, xt = _pair((4, 6))
    tgt = np.random.default_rng(2).integers(0, 5, (4,) + tuple(kw.get("out_features", ())))
    yo, yt = mo(xo, ag.tensor(tgt)), mt(xt, torch.tensor(tgt))
    _close(yo, yt)
    _backward_both(yo, yt)
    _close(xo.grad, xt.grad)
    _close(mo.linear.weight.grad, mt.linear.weight.grad)
    assert repr(mo) == repr(mt)


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_with_loss(head_bias):
    torch.manual_seed(0)
    mt = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0,
                                             head_bias=head_bias).double()
    mo = nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0,
                                       head_bias=head_bias).double()
    _copy(mt, mo)
    xo, xt = _pair((6, 8))
    tgt = np.array([0, 4, 11, 2, 7, 5])
    ro, rt = mo(xo, ag.tensor(tgt)), mt(xt, torch.tensor(tgt))
    _close(ro.output, rt.output)
    _close(ro.loss, rt.loss)
    (ro.loss + ro.output.sum()).backward()
    (rt.loss + rt.output.sum()).backward()
    _close(xo.grad, xt.grad)
    for (name, p), (_, q) in zip(mo.named_parameters(), mt.named_parameters()):
        _close(p.grad, q.grad, err_msg=name)
    _close(mo.log_prob(xo), mt.log_prob(xt))
    np.testing.assert_array_equal(mo.predict(xo).numpy(), mt.predict(xt).numpy())
    r1o, r1t = mo(xo[0], ag.tensor(tgt[2])), mt(xt[0], torch.tensor(tgt[2]))
    _close(r1o.output, r1t.output)
    with pytest.raises(RuntimeError):
        mo(xo, ag.tensor(np.array([0, 1, 2, 3, 4, 12])))
    with pytest.raises(ValueError):
        nn.AdaptiveLogSoftmaxWithLoss(8, 12, [7, 3])


@pytest.mark.parametrize("size,kw,C", [(3, {}, 7), (5, dict(alpha=0.1, beta=0.5, k=2.0), 6),
                                       (2, dict(alpha=0.5), 4), (4, dict(alpha=1.0), 3)])
def test_cross_map_lrn2d(size, kw, C):
    xo, xt = _pair((2, C, 3, 4))
    mo, mt = nn.CrossMapLRN2d(size, **kw), torch.nn.CrossMapLRN2d(size, **kw)
    yo, yt = mo(xo), mt(xt)
    _close(yo, yt)
    _backward_both(yo, yt)
    _close(xo.grad, xt.grad)
    assert repr(mo) == repr(mt)
    with pytest.raises(ValueError):
        mo(ag.randn(2, 3, 4))


def test_second_order_gradients_by_finite_differences():
    """grid_sample / affine_grid / max_unpool / fractional pooling are compositions: their
    gradients differentiate again (float64 finite differences of the first gradient)."""
    F = nn.functional
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(-1, 1, (1, 2, 4, 5)), requires_grad=True)
    g = ag.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)
    theta = ag.tensor(rng.uniform(-1, 1, (1, 2, 3)), requires_grad=True)
    for mode, pad in (("bilinear", "reflection"), ("bicubic", "border"), ("bilinear", "zeros")):
        def fn(x, g, mode=mode, pad=pad):
            return F.grid_sample(x, g, mode, pad, align_corners=False)
        assert gradcheck(fn, (x, g))
        assert gradgradcheck(fn, (x, g))

    def grid_of(theta):
        return F.affine_grid(theta, (1, 2, 3, 4), align_corners=True)
    assert gradcheck(grid_of, (theta,)) and gradgradcheck(grid_of, (theta,))
    vals = ag.tensor(rng.uniform(-1, 1, (1, 2, 2, 2)), requires_grad=True)
    idx = ag.tensor(np.array([[[[0, 3], [9, 15]], [[5, 2], [8, 11]]]]))

    def unpool(v):
        return F.max_unpool2d(v, idx, 2)
    assert gradcheck(unpool, (vals,)) and gradgradcheck(unpool, (vals,))
    u = ag.tensor(rng.uniform(0, 1, (1, 2, 2)))

    def frac(x):
        return F.fractional_max_pool2d(x, 2, 3, _random_samples=u)
    assert gradcheck(frac, (x,)) and gradgradcheck(frac, (x,))


def test_linear_cross_entropy_options():
    opts = nn.LinearCrossEntropyOptions(batch_chunk_size=2, acc_policy="accurate")
    mt = torch.nn.LinearCrossEntropyLoss(6, 5, options=torch.nn.LinearCrossEntropyOptions(
        batch_chunk_size=2, acc_policy="accurate")).double()
    mo = nn.LinearCrossEntropyLoss(6, 5, options=opts).double()
    _copy(mt, mo)
    xo, xt = _pair((4, 6))
    tgt = np.array([0, 4, 2, 1])
    _close(mo(xo, ag.tensor(tgt)), mt(xt, torch.tensor(tgt)))
    for kw in (dict(acc_policy="x"), dict(chunking_method="ratio"), dict(batch_chunk_size=0),
               dict(acc_dtype=ag.int64)):
        with pytest.raises(ValueError):
            torch.nn.LinearCrossEntropyOptions(**{k: (torch.int64 if k == "acc_dtype" else v)
                                                  for k, v in kw.items()})
        with pytest.raises(ValueError):
            nn.LinearCrossEntropyOptions(**kw)
    nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:2", acc_dtype=ag.float32)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.acc_policy = "compact"


def test_torch_level_nn_names_load_nn_lazily():
    """``import autograd_nn`` does not load nn; the first top-level nn name does, and every
    name routed to autograd_nn/_nn_top.py exists there."""
    code = ("import sys, autograd_nn as ag\n"
            "assert 'autograd_nn.nn' not in sys.modules\n"
            "f = ag.conv2d\n"
            "assert 'autograd_nn.nn' in sys.modules and f is ag.nn.functional.conv2d\n"
            "import autograd_nn._nn_top as T\n"
            "assert sorted(T.__all__) == sorted(ag._NN_TOP)\n"
            "assert all(callable(getattr(ag, n)) for n in ag._NN_TOP)\n")
    subprocess.run([sys.executable, "-c", code], check=True,
                   env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
