"""Layers (Linear, Bilinear, activations, Dropout, Flatten) and nn.init: forward and gradients
against PyTorch with the same weights, finite differences for second derivatives, and
statistical tests of the init distributions and dropout masks."""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np
import pytest

import autograd_nn as at
from autograd_nn import nn
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
AF = nn.functional

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _per_test_rng(request):
    """Each test draws from its own stream, seeded by its name: its inputs do not depend on which
    tests ran before it in the same worker (under xdist the order varies)."""
    global rng
    rng = np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def copy_weights(tm, m):
    """torch module -> ours, through state_dict (same names and shapes)."""
    m.load_state_dict({k: at.tensor(v.detach().numpy().copy()) for k, v in
                       tm.state_dict().items()})


def run_both(m, tm, *arrays, dtype=np.float64):
    """Forward both modules on the same inputs, backward a random weighting; compare the
    output, the input gradients and every parameter gradient."""
    ax = [at.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    tx = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ya, yt = m(*ax), tm(*tx)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), **TOL[dtype])
    go = np.random.default_rng(3).standard_normal(tuple(yt.shape)).astype(dtype)
    ya.backward(at.tensor(go))
    yt.backward(torch.tensor(go))
    for a, t in zip(ax, tx):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL[dtype])
    for (na, pa), (nt, pt) in zip(m.named_parameters(), tm.named_parameters()):
        assert na == nt
        np.testing.assert_allclose(pa.grad.numpy(), pt.grad.numpy(), **TOL[dtype])
    return ya


# ----------------------------------------------------------------------------------- linear
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5), (5,)])
def test_linear_matches_torch(dtype, bias, shape):
    tm = torch.nn.Linear(5, 3, bias=bias).to(getattr(torch, np.dtype(dtype).name))
    m = nn.Linear(5, 3, bias=bias, dtype=getattr(at, np.dtype(dtype).name))
    copy_weights(tm, m)
    y = run_both(m, tm, rng.standard_normal(shape), dtype=dtype)
    assert y.dtype == getattr(at, np.dtype(dtype).name)


def test_linear_grads_only_where_needed_and_second_order():
    x = at.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = at.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = at.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(AF.linear, (x, w, b))
    assert gradgradcheck(AF.linear, (x, w, b))
    assert gradgradcheck(lambda a, c: AF.linear(a, c).tanh(), (x, w))  # non-zero Hessian
    xf = at.tensor(rng.standard_normal((3, 4)))  # constant input: only W and b get grads
    AF.linear(xf, w, b).sum().backward()
    assert xf.grad is None and w.grad is not None and b.grad is not None


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"linear: input of shape \[2, 3\] cannot be "
                                           r"multiplied by weight.T of weight shape \[4, 5\]"):
        AF.linear(at.randn(2, 3), at.randn(4, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        AF.linear(at.randn(2, 3), at.randn(4, 3, dtype=at.float64))
    with pytest.raises(RuntimeError, match=r"bias must have shape \(4,\)"):
        AF.linear(at.randn(2, 3), at.randn(4, 3), at.randn(5))


def test_linear_default_init_distribution():
    at.manual_seed(0)
    fan_in = 64
    m = nn.Linear(fan_in, 512)
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        a = p.detach().numpy().astype(np.float64)
        assert a.min() >= -bound and a.max() <= bound
        # U(-b, b): mean 0, var b^2 / 3; 5-sigma bands for the sample size
        n = a.size
        assert abs(a.mean()) < 5 * bound / math.sqrt(3 * n)
        assert abs(a.var() - bound ** 2 / 3) < 5 * bound ** 2 * math.sqrt(4 / 45 / n)
        assert a.max() > 0.9 * bound and a.min() < -0.9 * bound


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_and_identity(bias):
    tm = torch.nn.Bilinear(4, 3, 2, bias=bias).double()
    m = nn.Bilinear(4, 3, 2, bias=bias).double()
    copy_weights(tm, m)
    run_both(m, tm, rng.standard_normal((5, 4)), rng.standard_normal((5, 3)))
    assert repr(m) == repr(tm)
    x = at.randn(2, 3)
    assert nn.Identity(54, unused="x")(x) is x


# ------------------------------------------------------------------------------ activations
ACTIVATIONS = [
    ("ReLU", {}), ("ReLU6", {}), ("Hardtanh", {}), ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {}), ("ELU", {"alpha": 0.5}),
    ("SELU", {}), ("CELU", {"alpha": 1.5}), ("GELU", {}), ("GELU", {"approximate": "tanh"}),
    ("SiLU", {}), ("Mish", {}), ("Hardswish", {}), ("Sigmoid", {}), ("Tanh", {}),
    ("Softplus", {}), ("Softplus", {"beta": 2.0, "threshold": 5.0}), ("Softsign", {}),
    ("Tanhshrink", {}), ("LogSigmoid", {}), ("Hardshrink", {}), ("Softshrink", {"lambd": 0.3}),
    ("Threshold", {"threshold": 0.1, "value": -2.0}), ("Softmax", {"dim": 1}),
    ("Softmax", {"dim": 0}), ("Softmin", {"dim": 1}), ("LogSoftmax", {"dim": 1}),
    ("GLU", {}), ("Softmax2d", {}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", ACTIVATIONS)
def test_activation_modules_match_torch(name, kw, dtype):
    x = rng.standard_normal((2, 4, 3, 2)) * 3
    m, tm = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(m) == repr(tm)
    run_both(m, tm, x, dtype=dtype)


def test_hardsigmoid_against_finite_differences():
    # PyTorch's float64 backward uses the float32 constant 1/6 (error ~5e-9), so the gradient
    # oracle here is finite differences; the forward still matches PyTorch exactly
    x = rng.standard_normal((3, 4)) * 4
    m = nn.Hardsigmoid()
    np.testing.assert_allclose(m(at.tensor(x)).numpy(),
                               torch.nn.Hardsigmoid()(torch.tensor(x)).numpy(), rtol=1e-12)
    assert gradcheck(m, (at.tensor(x, requires_grad=True),))


def test_prelu_module_and_functional():
    tm = torch.nn.PReLU(4, init=0.1).double()
    m = nn.PReLU(4, init=0.1).double()
    assert repr(m) == repr(tm) and np.allclose(m.weight.detach().numpy(), 0.1)
    copy_weights(tm, m)
    run_both(m, tm, rng.standard_normal((3, 4, 2)))
    with pytest.raises(RuntimeError, match="prelu: mismatch of parameter numbers"):
        AF.prelu(at.randn(2, 3), at.randn(4))


def test_boundary_gradients_match_torch():
    # exactly at the kinks: relu'(0) = 0, hardtanh' = 0 at both bounds, leaky_relu'(0) = slope
    x = np.array([-1.0, 0.0, 1.0, 6.0, 7.0, -3.0, 3.0])
    for f in ("relu", "relu6", "hardtanh", "leaky_relu", "elu", "hardshrink"):
        a = at.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        getattr(AF, f)(a).sum().backward()
        getattr(TF, f)(t).sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy(), err_msg=f)


def test_inplace_activations_modify_input_and_backprop():
    x = rng.standard_normal((3, 4))
    for name, kw in [("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {}),
                     ("hardtanh", {}), ("relu6", {}), ("silu", {}), ("selu", {}),
                     ("mish", {}), ("hardswish", {}),
                     ("threshold", {"threshold": 0.2, "value": -1.0})]:
        a = at.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        ha, ht = a * 2, t * 2  # non-leaf, so in-place is allowed
        ya = getattr(AF, name)(ha, inplace=True, **kw)
        yt = getattr(TF, name)(ht, inplace=True, **kw)
        assert ya is ha
        np.testing.assert_allclose(ha.detach().numpy(), ht.detach().numpy(), rtol=1e-12)
        (ya * ya).sum().backward()
        (yt * yt).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, err_msg=name)


def test_celu_gradient_closed_form():
    # PyTorch's float64 celu backward is off by ~1e-8 for alpha = 0.7 (a float32 constant);
    # the oracle is d/dx celu = 1 (x > 0), exp(x / alpha) (x <= 0)
    x = rng.standard_normal((3, 4))
    for inplace in (False, True):
        a = at.tensor(x, requires_grad=True)
        h = a * 1.0
        y = AF.celu(h, 0.7, inplace=inplace)
        assert (y is h) == inplace
        np.testing.assert_allclose(y.detach().numpy(), np.where(x > 0, x, 0.7 * np.expm1(x / 0.7)),
                                   rtol=1e-12)
        y.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), np.where(x > 0, 1.0, np.exp(x / 0.7)),
                                   rtol=1e-12)


def test_functional_softmax_implicit_dim_warns_like_torch():
    x = rng.standard_normal((3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        ya = AF.softmax(at.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = TF.softmax(torch.tensor(x))
    np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=1e-12)


def test_normalize_and_second_derivatives_of_activations():
    x = rng.standard_normal((3, 4))
    for kw in ({}, {"p": 1.0, "dim": 0}):
        np.testing.assert_allclose(AF.normalize(at.tensor(x), **kw).numpy(),
                                   TF.normalize(torch.tensor(x), **kw).numpy(), rtol=1e-12)
    xt = at.tensor(x, requires_grad=True)
    for f in (AF.gelu, AF.silu, AF.elu, AF.mish, AF.logsigmoid, AF.softplus,
              lambda a: AF.log_softmax(a, 1), lambda a: AF.normalize(a)):
        assert gradgradcheck(f, (xt,))


# ---------------------------------------------------------------------------------- dropout
def test_dropout_statistics_scaling_and_reproducibility():
    p = 0.3
    x = at.ones(200, 500)
    at.manual_seed(123)
    y = AF.dropout(x, p)
    kept = y.numpy() != 0
    n = kept.size
    # Binomial(n, 1-p): 5-sigma band on the kept fraction
    assert abs(kept.mean() - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y.numpy()[kept], 1 / (1 - p), rtol=1e-6)
    at.manual_seed(123)
    np.testing.assert_array_equal(AF.dropout(x, p).numpy(), y.numpy())  # same seed, same mask
    assert not np.array_equal(AF.dropout(x, p).numpy(), y.numpy())


def test_dropout_gradient_uses_the_mask():
    at.manual_seed(0)
    x = at.tensor(rng.standard_normal((4, 6)), requires_grad=True)
    y = AF.dropout(x, 0.5)
    y.sum().backward()
    mask = (y.detach().numpy() != 0)
    np.testing.assert_array_equal(x.grad.numpy(), mask * 2.0)


def test_dropout_module_train_eval_p_bounds():
    m = nn.Dropout(0.4)
    assert repr(m) == repr(torch.nn.Dropout(0.4)) == "Dropout(p=0.4, inplace=False)"
    x = at.randn(5, 5)
    assert m.eval()(x) is x
    assert nn.Dropout(0.0)(x) is x
    z = nn.Dropout(1.0)(at.randn(4, 4, requires_grad=True))
    assert (z.detach().numpy() == 0).all()
    z.sum().backward()  # p = 1: zeros, zero gradient, no NaN
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got "
                                         "1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        AF.dropout(x, -0.1)


@pytest.mark.parametrize("cls,shape", [("Dropout1d", (4, 8, 5)), ("Dropout2d", (4, 8, 3, 3)),
                                       ("Dropout3d", (8, 2, 2, 3))])
def test_channel_dropout_zeroes_whole_channels(cls, shape):
    at.manual_seed(1)
    y = getattr(nn, cls)(0.5)(at.ones(*shape)).numpy()
    nd = int(cls[-2])
    per_channel = y.reshape(y.shape[: y.ndim - nd] + (-1,))
    assert ((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1)).all()
    assert (per_channel == 0).all(-1).any() and (per_channel == 2.0).all(-1).any()
    with pytest.raises(RuntimeError, match=r"Expected .*D input"):
        getattr(nn, cls)()(at.ones(*([2] * (nd + 3))))


def test_alpha_dropout_keeps_mean_and_variance():
    at.manual_seed(0)
    x = at.randn(400, 400)
    y = nn.AlphaDropout(0.2).train()(x).numpy()
    # self-normalising: mean ~0, var ~1 (tolerances: 5 sigma for 160k samples, loose for var)
    assert abs(y.mean()) < 5 / 400 * 1.5 and abs(y.var() - 1) < 0.03
    assert nn.AlphaDropout(0.2).eval()(x) is x


# ---------------------------------------------------------------------------------- flatten
def test_flatten_unflatten():
    x = rng.standard_normal((2, 3, 4, 5))
    for kw in ({}, {"start_dim": 0, "end_dim": 2}, {"start_dim": 2}):
        m, tm = nn.Flatten(**kw), torch.nn.Flatten(**kw)
        assert repr(m) == repr(tm)
        run_both(m, tm, x)
    m, tm = nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1))
    assert repr(m) == repr(tm)
    run_both(m, tm, x)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, 3)


# ------------------------------------------------------------------------------------- init
def _stats(a):
    a = a.detach().numpy().astype(np.float64)
    return a, a.size, a.mean(), a.std()


def test_calculate_gain_and_fans_match_torch():
    ti = torch.nn.init
    for nl, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert nn.init.calculate_gain(nl, param) == ti.calculate_gain(nl, param)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")
    for shape in [(3, 4), (8, 3, 5, 5), (2, 6, 3)]:
        assert nn.init._calculate_fan_in_and_fan_out(at.empty(*shape)) == \
            ti._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init._calculate_fan_in_and_fan_out(at.empty(3))
    with pytest.raises(ValueError, match="Mode fan_x not supported"):
        nn.init.kaiming_uniform_(at.empty(3, 3), mode="fan_x")


@pytest.mark.parametrize("fn,kw,kind,scale", [
    ("xavier_uniform_", {"gain": 2.0}, "u", lambda fi, fo: 2.0 * math.sqrt(6 / (fi + fo))),
    ("xavier_normal_", {}, "n", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    ("kaiming_uniform_", {"a": 0.1}, "u", lambda fi, fo: math.sqrt(2 / 1.01) * math.sqrt(3 / fi)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, "n",
     lambda fi, fo: math.sqrt(2) / math.sqrt(fo)),
    ("uniform_", {"a": -0.3, "b": 0.3}, "u", lambda fi, fo: 0.3),
    ("normal_", {"std": 0.02}, "n", lambda fi, fo: 0.02),
])
def test_init_distributions(fn, kw, kind, scale):
    at.manual_seed(0)
    w = nn.Parameter(at.empty(64, 32, 3, 3))
    fan_in, fan_out = 32 * 9, 64 * 9
    out = getattr(nn.init, fn)(w, **kw)
    assert out is w and w.requires_grad and w.grad_fn is None
    a, n, mean, std = _stats(w)
    s = scale(fan_in, fan_out)
    sd = s / math.sqrt(3) if kind == "u" else s  # bound b -> std b / sqrt(3)
    assert abs(mean) < 5 * sd / math.sqrt(n)
    # std of the sample std ~ sd / sqrt(2n) (normal); uniform is tighter
    assert abs(std - sd) < 5 * sd / math.sqrt(2 * n)
    if kind == "u":
        assert a.min() >= -s and a.max() <= s


def test_trunc_normal_orthogonal_eye_dirac_constant_sparse():
    at.manual_seed(0)
    w = nn.init.trunc_normal_(at.empty(100, 100), mean=0.5, std=1.0, a=-1.0, b=1.5)
    a = w.numpy().astype(np.float64)
    assert a.min() >= -1.0 and a.max() <= 1.5
    # the truncated normal's mean: mu + sigma (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha))
    al, be = -1.5, 1.0
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    exp_mean = 0.5 + (phi(al) - phi(be)) / (cdf(be) - cdf(al))
    assert abs(a.mean() - exp_mean) < 5 * 0.7 / 100
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        q = nn.init.orthogonal_(at.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
        r, c = q.shape
        gram = q @ q.T if r <= c else q.T @ q
        np.testing.assert_allclose(gram, 4.0 * np.eye(min(r, c)), atol=1e-5)
    np.testing.assert_array_equal(nn.init.eye_(at.empty(3, 4)).numpy(), np.eye(3, 4))
    d = at.empty(4, 2, 3, 3)
    td = torch.empty(4, 2, 3, 3)
    np.testing.assert_array_equal(nn.init.dirac_(d, groups=2).numpy(),
                                  torch.nn.init.dirac_(td, groups=2).numpy())
    assert (nn.init.constant_(at.empty(2, 2), 0.7).numpy() == np.float32(0.7)).all()
    assert (nn.init.zeros_(at.empty(2)).numpy() == 0).all()
    assert (nn.init.ones_(at.empty(2)).numpy() == 1).all()
    s = nn.init.sparse_(at.empty(10, 5), sparsity=0.3).numpy()
    assert ((s == 0).sum(0) >= 3).all()
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.eye_(at.empty(2, 2, 2))


def test_init_uses_the_global_generator():
    at.manual_seed(5)
    a = nn.Linear(4, 3).weight.detach().numpy().copy()
    at.manual_seed(5)
    b = nn.Linear(4, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)
    g = at.Generator().manual_seed(9)
    c = nn.init.normal_(at.empty(5), generator=g).numpy().copy()
    g.manual_seed(9)
    np.testing.assert_array_equal(nn.init.normal_(at.empty(5), generator=g).numpy(), c)


# --------------------------------------------------------------- default init of every layer
# (class name, args, kwargs): every nn layer that owns parameters or buffers
LAYER_INITS = [
    ("Linear", (48, 40), {}), ("Linear", (48, 40), {"bias": False}),
    ("Bilinear", (12, 10, 16), {}), ("PReLU", (50,), {}),
    ("Conv1d", (6, 40, 5), {}), ("Conv2d", (8, 16, 3), {"groups": 4}),
    ("Conv3d", (4, 12, 2), {}), ("ConvTranspose1d", (6, 40, 5), {}),
    ("ConvTranspose2d", (8, 16, 3), {"groups": 2}), ("ConvTranspose3d", (4, 12, 2), {}),
    ("BatchNorm1d", (30,), {}), ("BatchNorm2d", (30,), {"affine": False}),
    ("BatchNorm3d", (30,), {}), ("LayerNorm", ((5, 6),), {}), ("GroupNorm", (3, 12), {}),
    ("InstanceNorm1d", (10,), {"affine": True, "track_running_stats": True}),
    ("InstanceNorm2d", (10,), {"affine": True}),
    ("Embedding", (60, 40), {}), ("Embedding", (60, 40), {"padding_idx": 3}),
    ("EmbeddingBag", (60, 40), {}),
    ("RNN", (20, 24), {"num_layers": 2, "nonlinearity": "relu"}),
    ("LSTM", (20, 24), {"bidirectional": True}), ("GRU", (20, 24), {"bias": False}),
    ("RNNCell", (20, 24), {}), ("LSTMCell", (20, 24), {}), ("GRUCell", (20, 24), {}),
]


def _init_samples(lib, name, args, kw, reps):
    """Every state_dict entry of ``reps`` freshly built layers, flattened and concatenated."""
    out = {}
    for r in range(reps):
        lib.manual_seed(1000 + r)
        sd = getattr(lib.nn, name)(*args, **kw).state_dict()
        for k, v in sd.items():
            a = v.detach().numpy()
            out.setdefault(k, []).append(a)
    return out


@pytest.mark.parametrize("name,args,kw", LAYER_INITS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LAYER_INITS)])
def test_every_layer_default_init_has_torch_distribution(name, args, kw):
    """Same names, shapes and dtypes as PyTorch's state_dict; constant entries (BatchNorm's
    ones/zeros, PReLU's 0.25, num_batches_tracked) equal exactly; random entries pass a
    two-sample Kolmogorov-Smirnov test against PyTorch's own draws (>= 2000 samples each) and
    stay inside PyTorch's support."""
    stats = pytest.importorskip("scipy.stats")
    one_t = getattr(torch.nn, name)(*args, **kw).state_dict()
    one_a = getattr(nn, name)(*args, **kw).state_dict()
    assert list(one_a) == list(one_t)
    for k in one_t:
        assert tuple(one_a[k].shape) == tuple(one_t[k].shape), k
        assert str(one_a[k].dtype).split(".")[-1] == str(one_t[k].dtype).split(".")[-1], k
    smallest = min(v.numel() for v in one_t.values())
    reps = -(-2000 // smallest) if smallest > 1 else 1
    ta = _init_samples(torch, name, args, kw, reps)
    aa = _init_samples(at, name, args, kw, reps)
    for k in one_t:
        t = np.concatenate([x.ravel() for x in ta[k]]).astype(np.float64)
        a = np.concatenate([x.ravel() for x in aa[k]]).astype(np.float64)
        if np.all(t == t[0]):  # deterministic init: equal exactly, in every replica
            np.testing.assert_array_equal(a, t, err_msg=f"{name}.{k}")
            continue
        if "padding_idx" in kw:  # the padding row is exactly zero in every replica
            for x in aa[k]:
                assert (x[kw["padding_idx"]] == 0).all()
        p = stats.ks_2samp(a, t).pvalue
        assert p > 1e-6, f"{name}.{k}: KS p = {p:.2g} (n = {a.size}), " \
                         f"ours mean {a.mean():.4g} std {a.std():.4g}, " \
                         f"torch mean {t.mean():.4g} std {t.std():.4g}"
        b = np.abs(t).max()
        if stats.kstest((t + b) / (2 * b), "uniform").pvalue > 1e-3:
            # U(-b, b): n draws fall short of b by more than 20 b / n with probability e^-20
            assert np.abs(a).max() <= b * (1 + 20 / t.size), f"{name}.{k}"


def test_init_distribution_check_has_power():
    """The KS comparison above rejects a plausible wrong init: kaiming_uniform_ with a=0
    (bound sqrt(6 / fan_in)) instead of PyTorch's a=sqrt(5) (bound 1 / sqrt(fan_in))."""
    stats = pytest.importorskip("scipy.stats")
    torch.manual_seed(0)
    t = torch.nn.Linear(48, 40).weight.detach().numpy().ravel()
    at.manual_seed(0)
    wrong = nn.init.kaiming_uniform_(at.empty(40, 48)).numpy().ravel()
    assert stats.ks_2samp(wrong, t).pvalue < 1e-10


# ---------------------------------------------------------------------- padding and distance
PADS = [(kind, n, pad) for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
        for n, pad in ((1, 2), (1, (1, 0)), (2, (1, 2, 0, 1)), (2, 1), (3, (1, 0, 1, 1, 0, 1)))]


@pytest.mark.parametrize("kind,n,pad", PADS, ids=[f"{k}{n}d-{p}" for k, n, p in PADS])
def test_padding_modules_match_torch(kind, n, pad):
    args = (pad, -1.5) if kind == "Constant" else (pad,)
    m, tm = getattr(nn, f"{kind}Pad{n}d")(*args), getattr(torch.nn, f"{kind}Pad{n}d")(*args)
    assert repr(m) == repr(tm)
    shape = (2, 3, 4, 3, 5)[: n + 2]  # batched (N, C, [D, H,] W)
    run_both(m, tm, rng.standard_normal(shape))
    run_both(m, tm, rng.standard_normal(shape[1:]))  # unbatched (C, ...)


def test_padding_module_errors():
    with pytest.raises(ValueError, match=r"ReflectionPad2d: padding must be an int or a tuple "
                                         r"of 4 ints, got \(1, 2\)"):
        nn.ReflectionPad2d((1, 2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_distance_modules_match_torch(dtype):
    x1, x2 = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 3))
    for kw in ({}, {"p": 1.0, "keepdim": True}, {"p": 3.0, "eps": 1e-3}):
        m, tm = nn.PairwiseDistance(**kw), torch.nn.PairwiseDistance(**kw)
        assert repr(m) == repr(tm)
        run_both(m, tm, x1, x2, dtype=dtype)
    for kw in ({}, {"dim": 2, "eps": 1e-3}, {"dim": 0}):
        m, tm = nn.CosineSimilarity(**kw), torch.nn.CosineSimilarity(**kw)
        assert repr(m) == repr(tm)
        run_both(m, tm, x1, x2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rrelu_eval_matches_torch_and_training_draws_slopes(dtype):
    x = rng.standard_normal((3, 4, 5)) * 2
    x[0, 0, :2] = 0.0  # the kink: slope a (PyTorch's rrelu treats x <= 0 as negative)
    for kw in ({}, {"lower": 0.05, "upper": 0.4}):
        m, tm = nn.RReLU(**kw).eval(), torch.nn.RReLU(**kw).eval()
        assert repr(m) == repr(tm)
        run_both(m, tm, x, dtype=dtype)
    # training: per-element slopes in [lower, upper] (the gradient is the slope used), mean
    # (l + u) / 2 within 5 sigma of U(l, u), positives untouched, reproducible under a seed
    lo, hi = 0.1, 0.3
    big = at.tensor(-np.abs(rng.standard_normal(20000)).astype(dtype) - 0.1, requires_grad=True)
    at.manual_seed(4)
    y = AF.rrelu(big, lo, hi, training=True)
    y.sum().backward()
    slope = big.grad.numpy().astype(np.float64)
    np.testing.assert_allclose(y.detach().numpy(), slope * big.detach().numpy(), rtol=1e-6)
    assert slope.min() >= lo and slope.max() <= hi
    assert abs(slope.mean() - (lo + hi) / 2) < 5 * (hi - lo) / math.sqrt(12 * slope.size)
    pos = at.tensor(np.abs(x).astype(dtype) + 0.1)
    assert (nn.RReLU()(pos).numpy() == pos.numpy()).all()
    at.manual_seed(4)
    np.testing.assert_array_equal(AF.rrelu(big, lo, hi, training=True).detach().numpy(),
                                  y.detach().numpy())
    h = big * 1.0
    assert AF.rrelu(h, lo, hi, training=True, inplace=True) is h


def test_feature_alpha_dropout_whole_channels_mean_and_variance():
    at.manual_seed(0)
    x = at.randn(400, 100, 2, 2)
    y = nn.FeatureAlphaDropout(0.2).train()(x).numpy()
    assert repr(nn.FeatureAlphaDropout(0.2)) == repr(torch.nn.FeatureAlphaDropout(0.2))
    # closed form per channel (shared by its 4 positions): kept, y = A x + A alpha p; dropped,
    # the constant A alpha (p - 1), with A = ((alpha^2 p + 1)(1 - p))^-1/2 and alpha = +1.758...
    # (ATen's sign: PyTorch gives 1.666 kept and -0.779 dropped for x = 1, p = 0.5)
    xs = x.numpy().astype(np.float64)
    p, alpha_p = 0.2, 1.7580993408473766
    big_a = ((alpha_p ** 2 * p + 1) * (1 - p)) ** -0.5
    kept = np.isclose(y, big_a * xs + big_a * alpha_p * p, rtol=1e-5, atol=1e-6).all((2, 3))
    dropped = np.isclose(y, big_a * alpha_p * (p - 1), rtol=1e-6).all((2, 3))
    assert (kept ^ dropped).all()
    assert abs(kept.mean() - 0.8) < 5 * math.sqrt(0.16 / kept.size)
    # self-normalising on N(0, 1) input: mean ~0, variance ~1 (about 4 standard errors)
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1) < 0.03
    assert nn.FeatureAlphaDropout(0.2).eval()(x) is x
    with pytest.raises(RuntimeError, match="feature_alpha_dropout: expected an input of at "
                                           "least 2 dims"):
        AF.feature_alpha_dropout(at.randn(3), 0.5, training=True)
