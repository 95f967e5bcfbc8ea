"""Pixel/channel shuffle, local response norm, RMS norm, power-average pooling and the
``*_with_indices`` pooling spellings: forward and gradients against PyTorch 2.13 (float64,
1e-10), float64 gradcheck to second order, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag
import autograd_nn.nn.functional as AF
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
R = np.random.default_rng(0)

# (name, input shape, args, kwargs, positive inputs only)
CASES = [
    ("pixel_shuffle", (2, 8, 3, 2), (2,), {}, False),
    ("pixel_shuffle", (3, 9, 2, 2), (3,), {}, False),
    ("pixel_shuffle", (2, 2, 4, 1, 1), (1,), {}, False),
    ("pixel_unshuffle", (2, 2, 4, 6), (2,), {}, False),
    ("pixel_unshuffle", (1, 3, 3, 3), (3,), {}, False),
    ("channel_shuffle", (2, 6, 3), (3,), {}, False),
    ("channel_shuffle", (1, 4, 2, 2), (2,), {}, False),
    ("local_response_norm", (2, 5, 3), (3,), {}, False),
    ("local_response_norm", (2, 6, 3, 2), (4,), dict(alpha=0.3, beta=0.6, k=2.0), False),
    ("local_response_norm", (1, 4, 2, 2, 3), (2,), {}, False),
    ("rms_norm", (3, 4), ([4],), {}, False),
    ("rms_norm", (2, 3, 4), ((3, 4),), dict(eps=1e-3), False),
    ("lp_pool1d", (2, 3, 7), (2.0, 3), {}, True),
    ("lp_pool1d", (2, 3, 7), (3.0, 2), dict(stride=1, ceil_mode=True), True),
    ("lp_pool2d", (1, 2, 5, 4), (2.0, 2), {}, True),
    ("lp_pool2d", (1, 2, 5, 5), (1.5, (2, 3)), dict(stride=(1, 2)), True),
    ("lp_pool3d", (1, 1, 4, 4, 4), (2.0, 2), {}, True),
]


def _pair(shape, positive):
    x = R.standard_normal(shape)
    if positive:
        x = np.abs(x) + 0.1
    return ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


@pytest.mark.parametrize("name,shape,args,kwargs,positive", CASES)
def test_forward_and_backward_match_torch(name, shape, args, kwargs, positive):
    a, t = _pair(shape, positive)
    out, ref = getattr(AF, name)(a, *args, **kwargs), getattr(TF, name)(t, *args, **kwargs)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    g = R.standard_normal(tuple(ref.shape))
    out.backward(ag.tensor(g))
    ref.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,shape,args,kwargs,positive",
                         [c for c in CASES if c[0] in ("local_response_norm", "rms_norm",
                                                       "lp_pool2d")])
def test_gradcheck_second_order(name, shape, args, kwargs, positive):
    a, _ = _pair(shape, positive)

    def f(x):
        return getattr(AF, name)(x, *args, **kwargs)

    assert gradcheck(f, (a,), eps=1e-6, atol=1e-6)
    assert gradgradcheck(f, (a,), eps=1e-6, atol=1e-5)


def test_rms_norm_default_eps_is_machine_epsilon_and_weight():
    for dt in (np.float32, np.float64):
        x = (R.standard_normal((2, 3)) * 1e-5).astype(dt)
        w = R.standard_normal(3).astype(dt)
        out = AF.rms_norm(ag.tensor(x), (3,), ag.tensor(w))
        ref = TF.rms_norm(torch.tensor(x), (3,), torch.tensor(w))
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5 if dt == np.float32
                                   else 1e-12)


def test_modules_match_torch_modules():
    x = R.standard_normal((2, 8, 4, 4))
    pairs = [(ag.nn.PixelShuffle(2), torch.nn.PixelShuffle(2)),
             (ag.nn.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2)),
             (ag.nn.ChannelShuffle(4), torch.nn.ChannelShuffle(4)),
             (ag.nn.LocalResponseNorm(3, k=1.5), torch.nn.LocalResponseNorm(3, k=1.5)),
             (ag.nn.RMSNorm([4, 4], eps=1e-6), torch.nn.RMSNorm([4, 4], eps=1e-6)),
             (ag.nn.LPPool2d(2, 2), torch.nn.LPPool2d(2, 2))]
    for m, tm in pairs:
        xin = np.abs(x) + 0.1 if isinstance(m, ag.nn.LPPool2d) else x
        np.testing.assert_allclose(m(ag.tensor(xin)).detach().numpy(),
                                   tm(torch.tensor(xin)).detach().numpy(), rtol=1e-10)
        assert repr(m) == repr(tm)
        assert list(m.state_dict()) == list(tm.state_dict())
    rms = ag.nn.RMSNorm(4, elementwise_affine=False)
    assert rms.weight is None and not list(rms.parameters())
    assert isinstance(ag.nn.NLLLoss2d(), ag.nn.NLLLoss)
    with pytest.warns(UserWarning, match="deprecated"):
        c = ag.nn.Container(fc=ag.nn.Linear(2, 2))
    assert list(dict(c.named_children())) == ["fc"]


def test_with_indices_spellings():
    x = R.standard_normal((1, 2, 6, 6))
    for name, args in [("max_pool2d_with_indices", (2,)), ("max_pool1d_with_indices", (2,)),
                       ("adaptive_max_pool2d_with_indices", ((3, 2),)),
                       ("adaptive_max_pool1d_with_indices", (3,))]:
        xi = x[0] if "1d" in name else x
        (o, i), (ro, ri) = getattr(AF, name)(ag.tensor(xi), *args), \
            getattr(TF, name)(torch.tensor(xi), *args)
        np.testing.assert_array_equal(o.numpy(), ro.numpy())
        np.testing.assert_array_equal(i.numpy(), ri.numpy())


@pytest.mark.parametrize("name,shape,args,match", [
    ("pixel_shuffle", (1, 5, 2, 2), (2,), "divisible by the square of upscale_factor"),
    ("pixel_shuffle", (4, 4), (2,), "at least 3 dimensions"),
    ("pixel_unshuffle", (1, 1, 3, 4), (2,), "divisible by downscale_factor"),
    ("channel_shuffle", (1, 5, 2), (2,), "divisible by groups"),
    ("rms_norm", (2, 3), ((4,),), "rms_norm"),
])
def test_errors(name, shape, args, match):
    x = np.zeros(shape)
    with pytest.raises(RuntimeError, match=match):
        getattr(AF, name)(ag.tensor(x), *args)
    with pytest.raises(RuntimeError):
        getattr(TF, name)(torch.tensor(x), *args)


def test_deprecated_init_aliases():
    w = ag.zeros(3, 3)
    ag.nn.init.eye(w)
    np.testing.assert_array_equal(w.numpy(), np.eye(3))
    k = ag.zeros(2, 2, 3)
    ag.nn.init.dirac(k)
    tk = torch.zeros(2, 2, 3)
    torch.nn.init.dirac_(tk)
    np.testing.assert_array_equal(k.numpy(), tk.numpy())


FOLD_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1,
                                        stride=(2, 1)),
              dict(kernel_size=3, stride=2, padding=(0, 1))]


@pytest.mark.parametrize("kw", FOLD_CASES)
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_and_fold_match_torch(kw, batched):
    shape = (2, 3, 7, 6) if batched else (3, 7, 6)
    a, t = _pair(shape, False)
    u, tu = AF.unfold(a, **kw), TF.unfold(t, **kw)
    np.testing.assert_array_equal(u.detach().numpy(), tu.detach().numpy())
    g = R.standard_normal(tuple(tu.shape))
    u.backward(ag.tensor(g))
    tu.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    c, tc = _pair(tuple(tu.shape), False)
    f, tf = AF.fold(c, (7, 6), **kw), TF.fold(tc, (7, 6), **kw)
    np.testing.assert_allclose(f.detach().numpy(), tf.detach().numpy(), rtol=1e-12)
    g = R.standard_normal(tuple(tf.shape))
    f.backward(ag.tensor(g))
    tf.backward(torch.tensor(g))
    np.testing.assert_allclose(c.grad.numpy(), tc.grad.numpy(), rtol=1e-12)


def test_fold_unfold_modules_and_second_order():
    m, tm = ag.nn.Unfold(2, padding=1), torch.nn.Unfold(2, padding=1)
    fm, tfm = ag.nn.Fold((4, 4), 2, padding=1), torch.nn.Fold((4, 4), 2, padding=1)
    assert repr(m) == repr(tm) and repr(fm) == repr(tfm)
    x = ag.tensor(R.standard_normal((1, 2, 4, 4)), requires_grad=True)
    assert gradcheck(lambda v: fm(m(v) ** 2), (x,))
    assert gradgradcheck(lambda v: fm(m(v) ** 2), (x,))
    with pytest.raises(RuntimeError, match="sliding blocks"):
        AF.fold(ag.zeros(1, 8, 5), (4, 4), 2)
    with pytest.raises(RuntimeError, match="divisible by the product of kernel_size"):
        AF.fold(ag.zeros(1, 7, 9), (4, 4), 2)
    with pytest.raises(RuntimeError, match="3D or 4D"):
        AF.unfold(ag.zeros(4, 4), 2)


def test_gumbel_softmax_samples_the_softmax_and_passes_soft_gradients():
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    ag.manual_seed(0)
    y = AF.gumbel_softmax(ag.tensor(np.tile(logits, (40000, 1))), tau=0.5, hard=True)
    counts = y.detach().numpy().sum(0)
    assert set(np.unique(y.detach().numpy())) == {0.0, 1.0}
    assert (y.detach().numpy().sum(1) == 1).all()
    expected = 40000 * np.exp(logits)  # the Gumbel-max trick samples softmax(logits)
    assert ((counts - expected) ** 2 / expected).sum() < 25  # chi-square, 3 dof: p ~ 1e-5
    x = ag.tensor(R.standard_normal((3, 5)), requires_grad=True)
    w = ag.tensor(R.standard_normal((3, 5)))
    grads = []
    for hard in (False, True):
        ag.manual_seed(7)
        out = AF.gumbel_softmax(x, tau=0.7, hard=hard, dim=0)
        (out * w).sum().backward()
        grads.append(x.grad.numpy().copy())
        x.grad = None
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    ag.manual_seed(7)
    soft = AF.gumbel_softmax(x, dim=0)
    np.testing.assert_allclose(soft.detach().numpy().sum(0), np.ones(5), rtol=1e-12)
    tl = torch.tensor(np.tile(logits, (2, 1)))
    assert tuple(TF.gumbel_softmax(tl, hard=True).shape) == \
        tuple(AF.gumbel_softmax(ag.tensor(np.tile(logits, (2, 1))), hard=True).shape)
