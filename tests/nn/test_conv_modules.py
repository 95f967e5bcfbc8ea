"""nn modules for conv / pooling / normalization against the same torch.nn modules: state_dict
keys and shapes, init distributions, forward, parameter and input gradients, running stats."""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_helpers import torch_one_thread  # noqa: F401

import autograd_nn as A
import autograd_nn.nn as nn

torch = pytest.importorskip("torch")


def copy_to_torch(ours, theirs) -> None:
    """Load our state dict into the torch module (same keys, shapes, dtypes required)."""
    sd = {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
    theirs_sd = theirs.state_dict()
    assert list(sd) == list(theirs_sd)
    for k in sd:
        assert tuple(sd[k].shape) == tuple(theirs_sd[k].shape), k
        assert sd[k].dtype == theirs_sd[k].dtype, k
    theirs.load_state_dict(sd)


def run_both(ours, theirs, x0: np.ndarray, steps: int = 1, tol: float = 1e-10) -> None:
    """Forward/backward ``steps`` batches (x0 + i) through both; compare outputs, input and
    parameter gradients and the final state dicts."""
    for i in range(steps):
        xa = A.tensor(x0 + i, requires_grad=True)
        xt = torch.tensor(x0 + i, requires_grad=True)
        ya, yt = ours(xa), theirs(xt)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
        gy = np.random.default_rng(i).standard_normal(tuple(yt.shape))
        ya.backward(A.tensor(gy))
        yt.backward(torch.tensor(gy))
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
    for (ka, pa), (kt, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert ka == kt
        np.testing.assert_allclose(pa.grad.numpy(), pt.grad.numpy(), rtol=tol, atol=tol)
    for (k, a), t in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=tol, atol=tol, err_msg=k)


CONV_MODULES = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ("Conv2d", (4, 6, 3), dict(padding="same", groups=2, bias=False), (2, 4, 6, 5)),
    ("Conv2d", (4, 4, (3, 2)), dict(stride=(2, 1), dilation=(1, 2), groups=4), (2, 4, 7, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=2, padding_mode="reflect"), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 4), dict(padding="same", padding_mode="circular"), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=(1, 2), padding_mode="replicate"), (2, 3, 5, 6)),
    ("Conv3d", (2, 4, 2), dict(stride=2), (1, 2, 4, 5, 4)),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2),
     (2, 4, 4, 5)),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,args,kw,xs", CONV_MODULES)
def test_conv_modules_match_torch(name, args, kw, xs, rng):
    ours = getattr(nn, name)(*args, **kw).double()
    theirs = getattr(torch.nn, name)(*args, **kw).double()
    assert repr(ours) == repr(theirs)
    copy_to_torch(ours, theirs)
    run_both(ours, theirs, rng.standard_normal(xs))


def test_conv_transpose_output_size_matches_torch(rng):
    ours, theirs = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), \
        torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    copy_to_torch(ours, theirs)
    x = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    ya = ours(A.tensor(x), output_size=[8, 8])
    yt = theirs(torch.tensor(x), output_size=[8, 8])
    assert tuple(ya.shape) == (1, 3, 8, 8)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_conv_default_init_bounds():
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, fan_in = C_in/groups * k*k."""
    A.manual_seed(0)
    m = nn.Conv2d(16, 64, 5, groups=2)
    bound = 1 / np.sqrt(8 * 25)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (64, 8, 5, 5) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound  # the uniform's std
    t = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert tuple(t.weight.shape) == (4, 3, 3, 3)
    assert np.abs(t.weight.detach().numpy()).max() <= 1 / np.sqrt(3 * 9)


def test_conv_module_errors():
    with pytest.raises(ValueError, match="Conv2d: in_channels \\(3\\) must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Only 'zeros' padding mode is supported for "
                                         "ConvTranspose2d"):
        nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")


POOL_MODULES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 8)),
    ("MaxPool2d", (2,), {}, (2, 3, 6, 7)),
    ("MaxPool2d", (3, 2, 1), dict(dilation=1, ceil_mode=True), (2, 3, 6, 7)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 4, 5)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 8)),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, divisor_override=2), (2, 3, 6, 7)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 5)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveAvgPool2d", ((2, 3),), {}, (2, 3, 6, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveMaxPool2d", ((4, 3),), {}, (2, 3, 6, 7)),
]


@pytest.mark.parametrize("name,args,kw,xs", POOL_MODULES)
def test_pool_modules_match_torch(name, args, kw, xs, rng):
    ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    run_both(ours, theirs, rng.standard_normal(xs))


def test_max_pool_module_return_indices(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    ya, ia = nn.MaxPool2d(2, return_indices=True)(A.tensor(x))
    yt, it = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    np.testing.assert_array_equal(ya.numpy(), yt.numpy())


NORM_MODULES = [
    ("BatchNorm1d", (3,), {}, (4, 3)),
    ("BatchNorm1d", (3,), dict(momentum=None), (4, 3, 5)),
    ("BatchNorm2d", (3,), dict(eps=1e-3, momentum=0.3), (2, 3, 4, 5)),
    ("BatchNorm2d", (3,), dict(affine=False), (2, 3, 4, 5)),
    ("BatchNorm2d", (3,), dict(track_running_stats=False), (2, 3, 4, 5)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 2, 3)),
    ("InstanceNorm1d", (3,), dict(affine=True), (2, 3, 6)),
    ("InstanceNorm2d", (3,), dict(track_running_stats=True), (2, 3, 4, 5)),
    ("LayerNorm", ((4, 5),), {}, (2, 3, 4, 5)),
    ("LayerNorm", (5,), dict(bias=False), (2, 3, 5)),
    ("LayerNorm", (5,), dict(elementwise_affine=False), (2, 3, 5)),
    ("BatchNorm2d", (3,), dict(bias=False), (2, 3, 4, 5)),
    ("GroupNorm", (2, 4), dict(bias=False), (2, 4, 3)),
    ("GroupNorm", (2, 4), {}, (2, 4, 3, 3)),
    ("GroupNorm", (4, 4), dict(affine=False, eps=1e-3), (2, 4, 5)),
]


@pytest.mark.parametrize("name,args,kw,xs", NORM_MODULES)
def test_norm_modules_match_torch_train_then_eval(name, args, kw, xs, rng):
    ours = getattr(nn, name)(*args, **kw).double()
    theirs = getattr(torch.nn, name)(*args, **kw).double()
    assert repr(ours) == repr(theirs)
    with torch.no_grad():  # non-trivial affine parameters on both sides
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.data = A.tensor(q.detach().numpy().copy())
    x = rng.standard_normal(xs) * 3 + 1
    run_both(ours, theirs, x, steps=3)  # running stats after 3 updates (incl. momentum=None)
    ours.eval()
    theirs.eval()
    ya, yt = ours(A.tensor(x - 1)), theirs(torch.tensor(x - 1))
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)


def test_batchnorm_buffers_and_float32(rng):
    m, t = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    assert m.num_batches_tracked.dtype == A.int64
    x = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    for _ in range(2):
        ya, yt = m(A.tensor(x)), t(torch.tensor(x))
    assert ya.dtype == A.float32 and m.running_var.dtype == A.float32
    assert int(m.num_batches_tracked.item()) == 2
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(m.running_var.numpy(), t.running_var.numpy(), rtol=1e-6)
    # unbiased running variance by hand: 0.9 * (0.9 + 0.1 v) + 0.1 v, v = var(ddof=1)
    v = x.transpose(1, 0, 2, 3).reshape(3, -1).var(axis=1, ddof=1)
    np.testing.assert_allclose(m.running_var.numpy(), 0.81 + 0.19 * v, rtol=1e-5)


def test_norm_module_errors():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input \(got 3D input"):
        nn.BatchNorm2d(3)(A.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input"):
        nn.BatchNorm1d(3)(A.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"GroupNorm: num_channels \(5\) must be divisible"):
        nn.GroupNorm(2, 5)
