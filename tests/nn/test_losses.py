"""Losses (modules and functional) against PyTorch: values and gradients for every option,
float64 to 1e-10 and float32 to 1e-5; second derivatives of the fused ops by finite
differences; error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_nn as at
from autograd_nn import nn
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
AF = nn.functional

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}


def compare(fa, ft, arrays, n_grad=1, dtype=np.float64):
    """Run ``fa`` on autograd_nn tensors and ``ft`` on torch tensors built from the same arrays
    (floats cast to ``dtype``; the first ``n_grad`` require grad); check values and the
    gradients of a random weighting of the output."""
    def build(lib, i, a):
        if a.dtype.kind == "f":
            a = a.astype(dtype)
        return lib.tensor(a, requires_grad=a.dtype.kind == "f" and i < n_grad)

    ax = [build(at, i, a) for i, a in enumerate(arrays)]
    tx = [build(torch, i, a) for i, a in enumerate(arrays)]
    ya, yt = fa(*ax), ft(*tx)
    assert ya.dtype == getattr(at, str(yt.dtype).split(".")[1])
    assert tuple(ya.shape) == tuple(yt.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), **TOL[dtype])
    if n_grad:
        go = np.random.default_rng(7).standard_normal(tuple(yt.shape)).astype(dtype)
        ya.backward(at.tensor(go))
        yt.backward(torch.tensor(go))
        for a, t in zip(ax, tx):
            if t.grad is not None:
                np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL[dtype])
    return ya


rng = np.random.default_rng(0)
X = rng.standard_normal((6, 5))
T_IDX = rng.integers(0, 5, 6)
T_IDX[2] = -100  # ignored by default ignore_index
W = rng.random(5) + 0.5
P = 1 / (1 + np.exp(-X))
T_BIN = (rng.random((6, 5)) > 0.5).astype(np.float64)
Y = rng.standard_normal((6, 5))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(dtype, reduction, smoothing, weighted):
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    wa = at.tensor(W.astype(dtype)) if weighted else None
    wt = torch.tensor(W.astype(dtype)) if weighted else None
    compare(lambda x, t: AF.cross_entropy(x, t, weight=wa, **kw),
            lambda x, t: TF.cross_entropy(x, t, weight=wt, **kw), [X, T_IDX], dtype=dtype)
    # the module form
    compare(lambda x, t: nn.CrossEntropyLoss(weight=wa, **kw)(x, t),
            lambda x, t: torch.nn.CrossEntropyLoss(weight=wt, **kw)(x, t), [X, T_IDX],
            dtype=dtype)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_spatial_unbatched_ignore_index(reduction):
    x = rng.standard_normal((2, 4, 3, 2))
    t = rng.integers(0, 4, (2, 3, 2))
    t[0, 1, 1] = 3
    kw = dict(reduction=reduction, ignore_index=3, label_smoothing=0.1)
    compare(lambda a, b: AF.cross_entropy(a, b, **kw), lambda a, b: TF.cross_entropy(a, b, **kw),
            [x, t])
    compare(lambda a, b: AF.cross_entropy(a, b, reduction=reduction),
            lambda a, b: TF.cross_entropy(a, b, reduction=reduction), [X[0], np.array(2)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_probability_targets(reduction):
    probs = rng.dirichlet(np.ones(5), 6)
    kw = dict(reduction=reduction, label_smoothing=0.2)
    compare(lambda a, b: AF.cross_entropy(a, b, weight=at.tensor(W), **kw),
            lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(W), **kw), [X, probs],
            n_grad=2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_all_ignored_is_nan_like_torch(dtype):
    """The mean over no targets is 0 / 0 = NaN, as PyTorch's; its gradient is 0, not NaN."""
    t = np.full(6, -100)
    a = AF.cross_entropy(at.tensor(X), at.tensor(t))
    assert math.isnan(a.item()) and math.isnan(TF.cross_entropy(torch.tensor(X),
                                                                  torch.tensor(t)).item())
    for x, tt in ((X, t), (X[0], np.array(-100)), (X4, np.full((3, 2, 3), 1))):
        for f, g in ((AF.cross_entropy, TF.cross_entropy), (AF.nll_loss, TF.nll_loss)):
            kw = dict(ignore_index=int(tt.flat[0]))
            y = compare(lambda a, b, f=f, kw=kw: f(a, b, weight=at.tensor(W4[:1].repeat(
                a.shape[-1 if a.ndim == 1 else 1]).astype(dtype)), **kw),
                lambda a, b, g=g, kw=kw: g(a, b, weight=torch.tensor(W4[:1].repeat(
                    a.shape[-1 if a.ndim == 1 else 1]).astype(dtype)), **kw),
                [x, tt], dtype=dtype)  # compares the gradients too (NaN positions included)
            assert math.isnan(y.item())


def test_cross_entropy_extreme_logits_finite():
    x = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 1.0]])
    t = np.array([1, 0])
    y = compare(lambda a, b: AF.cross_entropy(a, b), lambda a, b: TF.cross_entropy(a, b), [x, t])
    assert np.isfinite(y.item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss(reduction):
    logp = np.log(rng.dirichlet(np.ones(5), 6))
    kw = dict(reduction=reduction, ignore_index=1)
    compare(lambda a, b: nn.NLLLoss(weight=at.tensor(W), **kw)(a, b),
            lambda a, b: torch.nn.NLLLoss(weight=torch.tensor(W), **kw)(a, b), [logp, T_IDX % 5])
    x4 = rng.standard_normal((2, 3, 2, 2))
    t4 = rng.integers(0, 3, (2, 2, 2))
    compare(lambda a, b: AF.nll_loss(a, b, reduction=reduction),
            lambda a, b: TF.nll_loss(a, b, reduction=reduction), [x4, t4])


def test_fused_cross_entropy_and_nll_second_derivatives():
    x = at.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    t = at.tensor(np.array([0, 3, -100]))
    w = at.tensor(rng.random(4) + 0.5)
    for red in ("mean", "none"):
        def f(a, red=red):
            return AF.cross_entropy(a, t, weight=w, reduction=red, label_smoothing=0.1)
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))
    assert gradcheck(lambda a: AF.nll_loss(a, t, weight=w), (x,))


def test_cross_entropy_double_backward_matches_torch():
    x = rng.standard_normal((4, 3))
    t = np.array([0, 2, 1, 2])
    ax = at.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    ga, = at.autograd.grad(AF.cross_entropy(ax, at.tensor(t)), [ax], create_graph=True)
    gt, = torch.autograd.grad(TF.cross_entropy(tx, torch.tensor(t)), [tx], create_graph=True)
    (ga ** 2).sum().backward()
    (gt ** 2).sum().backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_cross_entropy_target_errors():
    x = at.randn(4, 3)
    with pytest.raises(RuntimeError, match=r"cross_entropy: expected target of integer dtype"):
        AF.cross_entropy(x, at.randn(4))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target "
                                         r"batch_size \(3\)"):
        AF.cross_entropy(x, at.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 5\], got \[2, 4\]"):
        AF.cross_entropy(at.randn(2, 3, 5), at.zeros(2, 4, dtype=at.int64))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        AF.cross_entropy(x, at.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        AF.cross_entropy(x, at.tensor([0, 1, 2, 0]), reduction="foo")
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        AF.cross_entropy(x, at.tensor([0, 1, 2, 0]), weight=at.ones(4))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce(dtype, reduction):
    compare(lambda a, b: nn.BCELoss(weight=at.tensor(W.astype(dtype)), reduction=reduction)(a, b),
            lambda a, b: torch.nn.BCELoss(weight=torch.tensor(W.astype(dtype)),
                                          reduction=reduction)(a, b),
            [P, T_BIN], n_grad=2, dtype=dtype)


def test_bce_clamps_log_at_minus_100_and_gradient_finite():
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    y = compare(lambda a, b: AF.binary_cross_entropy(a, b, reduction="none"),
                lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"), [p, t])
    assert y[0].item() == 100.0 and y[1].item() == 100.0


def test_bce_second_derivative_and_errors():
    p = at.tensor(rng.uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    t = at.tensor(rng.random((3, 2)))
    assert gradgradcheck(lambda a: AF.binary_cross_entropy(a, t), (p,))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        AF.binary_cross_entropy(at.tensor([1.5]), at.tensor([1.0]))
    with pytest.raises(ValueError, match=r"Using a target size .* different to the input size"):
        AF.binary_cross_entropy(at.rand(3), at.rand(3, 1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits(dtype, reduction):
    x = X * 40  # far into both tails: must stay finite and exact
    wa, wt = at.tensor(W.astype(dtype)), torch.tensor(W.astype(dtype))
    pa, pt = at.tensor((W * 3).astype(dtype)), torch.tensor((W * 3).astype(dtype))
    y = compare(lambda a, b: nn.BCEWithLogitsLoss(weight=wa, pos_weight=pa,
                                                  reduction=reduction)(a, b),
                lambda a, b: torch.nn.BCEWithLogitsLoss(weight=wt, pos_weight=pt,
                                                        reduction=reduction)(a, b),
                [x, T_BIN], n_grad=2, dtype=dtype)
    assert np.isfinite(y.detach().numpy()).all()
    compare(lambda a, b: AF.binary_cross_entropy_with_logits(a, b, reduction=reduction),
            lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction),
            [x, T_BIN], n_grad=2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kw", [("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {}),
                                     ("SmoothL1Loss", {"beta": 0.4}),
                                     ("SmoothL1Loss", {"beta": 0.0}), ("HuberLoss", {}),
                                     ("HuberLoss", {"delta": 0.6})])
def test_regression_losses(dtype, reduction, name, kw):
    compare(lambda a, b: getattr(nn, name)(reduction=reduction, **kw)(a, b),
            lambda a, b: getattr(torch.nn, name)(reduction=reduction, **kw)(a, b), [X, Y],
            n_grad=2, dtype=dtype)


def test_regression_broadcast_warns_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        y = compare(lambda a, b: AF.mse_loss(a, b), lambda a, b: TF.mse_loss(a, b),
                    [X, Y[:1]], n_grad=2)
    assert y.ndim == 0
    with pytest.raises(RuntimeError, match=r"mse_loss: the size of input \[6, 5\] and target "
                                           r"\[4\] must be broadcastable"):
        with pytest.warns(UserWarning):
            AF.mse_loss(at.tensor(X), at.zeros(4))


@pytest.mark.filterwarnings("ignore:reduction. .mean.")
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    logp = np.log(rng.dirichlet(np.ones(5), 6))
    q = rng.dirichlet(np.ones(5), 6)
    tgt = np.log(q) if log_target else q
    kw = dict(reduction=reduction, log_target=log_target)
    compare(lambda a, b: nn.KLDivLoss(**kw)(a, b), lambda a, b: torch.nn.KLDivLoss(**kw)(a, b),
            [logp, tgt], n_grad=2)
    # a zero target contributes 0 (0 * log 0 = 0) and no NaN reaches the input's gradient
    # (d/dtarget is unbounded there; PyTorch reports NaN for it, so it is not compared)
    q[0, 0] = 0.0
    with np.errstate(all="raise"):
        y = compare(lambda a, b: AF.kl_div(a, b, reduction="none"),
                    lambda a, b: TF.kl_div(a, b, reduction="none"), [logp, q], n_grad=1)
    assert y[0, 0].item() == 0.0


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_further_losses(reduction):
    sign = np.sign(rng.standard_normal(6))
    kw = dict(reduction=reduction)
    cases = [
        ("PoissonNLLLoss", dict(full=True), [X, np.abs(Y) * 3], 2),
        ("PoissonNLLLoss", dict(log_input=False), [np.abs(X) + 0.1, np.abs(Y)], 2),
        ("SoftMarginLoss", {}, [X, np.sign(Y)], 1),
        ("MultiLabelSoftMarginLoss", {}, [X, T_BIN], 2),
        ("HingeEmbeddingLoss", dict(margin=0.5), [X, np.sign(Y)], 1),
        ("MarginRankingLoss", dict(margin=0.1), [X[:, 0], Y[:, 0], sign], 2),
        ("CosineEmbeddingLoss", dict(margin=0.1), [X, Y, sign], 2),
        ("TripletMarginLoss", dict(swap=True), [X, Y, X * 0.5 + Y], 3),
    ]
    for name, extra, arrays, ng in cases:
        compare(lambda *a, name=name, extra=extra: getattr(nn, name)(**kw, **extra)(*a),
                lambda *a, name=name, extra=extra: getattr(torch.nn, name)(**kw, **extra)(*a),
                arrays, n_grad=ng)
    compare(lambda a, b, c: nn.GaussianNLLLoss(full=True, **kw)(a, b, c),
            lambda a, b, c: torch.nn.GaussianNLLLoss(full=True, **kw)(a, b, c),
            [X, Y, np.abs(Y) + 1e-3], n_grad=3)


def test_legacy_size_average_reduce_flags():
    with pytest.warns(UserWarning):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"


def test_loss_repr_and_weight_buffer():
    m = nn.CrossEntropyLoss(weight=at.ones(3))
    assert repr(m) == repr(torch.nn.CrossEntropyLoss(weight=torch.ones(3))) == \
        "CrossEntropyLoss()"
    assert list(m.state_dict()) == list(torch.nn.CrossEntropyLoss(weight=torch.ones(3))
                                        .state_dict()) == ["weight"]


# ------------------------------------------------ audit: every option together, (N, C, d1, d2)
X4 = rng.standard_normal((3, 4, 2, 3))
T4 = rng.integers(0, 4, (3, 2, 3))
T4[0, 0, :] = 2  # ignored below (with a weight on its class)
T4[2, 1, 2] = 2
W4 = rng.random(4) + 0.5


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_spatial_all_options(dtype, reduction):
    kw = dict(reduction=reduction, ignore_index=2, label_smoothing=0.15)
    y = compare(lambda a, b: nn.CrossEntropyLoss(weight=at.tensor(W4.astype(dtype)), **kw)(a, b),
                lambda a, b: torch.nn.CrossEntropyLoss(weight=torch.tensor(W4.astype(dtype)),
                                                       **kw)(a, b), [X4, T4], dtype=dtype)
    if reduction == "none":
        assert (y.detach().numpy()[T4 == 2] == 0).all()  # ignored positions give exactly 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_spatial_probability_targets(dtype, reduction):
    probs = rng.dirichlet(np.ones(4), (3, 2, 3)).transpose(0, 3, 1, 2).copy()  # (N, C, d1, d2)
    kw = dict(reduction=reduction, label_smoothing=0.25)
    compare(lambda a, b: AF.cross_entropy(a, b, weight=at.tensor(W4.astype(dtype)), **kw),
            lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(W4.astype(dtype)), **kw),
            [X4, probs], n_grad=2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_pos_weight_at_extreme_logits(dtype):
    # logits up to +-1e4 (e^x overflows even float64): loss and gradient exact and finite
    x = np.array([[-1e4, -800.0, -40.0, 0.0], [40.0, 800.0, 1e4, -1e4]])
    t = np.array([[1.0, 0.0, 1.0, 0.5], [0.0, 1.0, 0.0, 0.3]])
    pw, w = np.array([3.0, 0.5, 2.0, 7.0]), np.array([[1.0], [2.0]])
    for reduction in ("none", "sum"):
        kw = dict(reduction=reduction)
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # no hidden inf/nan
            y = compare(lambda a, b, kw=kw: AF.binary_cross_entropy_with_logits(
                a, b, weight=at.tensor(w.astype(dtype)), pos_weight=at.tensor(pw.astype(dtype)),
                **kw),
                lambda a, b, kw=kw: TF.binary_cross_entropy_with_logits(
                a, b, weight=torch.tensor(w.astype(dtype)),
                pos_weight=torch.tensor(pw.astype(dtype)), **kw),
                [x, t], n_grad=2, dtype=dtype)
        assert np.isfinite(y.detach().numpy()).all()
    # closed form at x = -1e4, t = 1: pos_weight * softplus(1e4) = 3e4
    assert y.item() == pytest.approx(float(np.sum(
        w * ((1 - t) * x + (1 + (pw - 1) * t) * np.logaddexp(0, -x)))), rel=1e-6)


def test_loss_target_dtype_and_shape_errors():
    x, p = at.randn(4, 3), at.rand(4, 3)
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy: expected a floating point "
                                           r"target .*got torch.int64"):
        AF.binary_cross_entropy(p, at.ones(4, 3, dtype=at.int64))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy_with_logits: expected a "
                                           r"floating point target .*got torch.bool"):
        AF.binary_cross_entropy_with_logits(x, at.ones(4, 3, dtype=at.bool))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy: weight of shape \[5\] is not "
                                           r"broadcastable to the input shape \[4, 3\]"):
        AF.binary_cross_entropy(p, at.rand(4, 3), weight=at.ones(5))
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[4, 1\]\)\) must be "
                                         r"the same as input size"):
        nn.BCEWithLogitsLoss()(x, at.ones(4, 1))
    # class probabilities: floating, the input's shape, no ignore_index (as PyTorch)
    with pytest.raises(RuntimeError, match=r"cross_entropy: ignore_index is not supported for "
                                           r"floating point target"):
        AF.cross_entropy(x, at.rand(4, 3), ignore_index=1)
    with pytest.raises(RuntimeError, match=r"cross_entropy: Expected floating point type for "
                                           r"target with class probabilities, got "
                                           r"torch.int64"):
        AF.cross_entropy(x, at.ones(4, 3, dtype=at.int64))
    with pytest.raises(RuntimeError, match=r"cross_entropy: Expected floating point type for "
                                           r"target with class probabilities"):
        AF.cross_entropy(at.randn(3), at.tensor([0, 1, 2]))  # unbatched (C,) with a (C,) target
    with pytest.raises(RuntimeError, match=r"cross_entropy: expected target of integer dtype .*"
                                           r"shape \[4\], or a floating target of the input's "
                                           r"shape \[4, 3\].*got torch.float32 of shape "
                                           r"\[4, 2\]"):
        AF.cross_entropy(x, at.rand(4, 2))
    with pytest.raises(RuntimeError, match=r"nll_loss: expected target of integer dtype"):
        nn.NLLLoss()(x, at.ones(4))
    with pytest.raises(RuntimeError, match=r"nll_loss: Expected target size \[4\], got \[4, 2\]"):
        AF.nll_loss(x, at.zeros(4, 2, dtype=at.int64))
    with pytest.raises(RuntimeError, match=r"kl_div: Integral inputs not supported"):
        AF.kl_div(x, at.ones(4, 3, dtype=at.int64), reduction="sum")
    with pytest.raises(RuntimeError, match=r"kl_div: the size of input \[4, 3\] and target "
                                           r"\[5, 3\] must be broadcastable"):
        AF.kl_div(x, at.rand(5, 3), reduction="sum")


@pytest.mark.filterwarnings("ignore:reduction. .mean.")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_kl_soft_ce_float32(reduction):
    logp = np.log(rng.dirichlet(np.ones(5), 6))
    q = rng.dirichlet(np.ones(5), 6)
    w = W.astype(np.float32)
    compare(lambda a, b: AF.nll_loss(a, b, weight=at.tensor(w), ignore_index=1,
                                     reduction=reduction),
            lambda a, b: TF.nll_loss(a, b, weight=torch.tensor(w), ignore_index=1,
                                     reduction=reduction), [logp, T_IDX % 5], dtype=np.float32)
    for log_target in (False, True):
        compare(lambda a, b, lt=log_target: AF.kl_div(a, b, reduction=reduction, log_target=lt),
                lambda a, b, lt=log_target: TF.kl_div(a, b, reduction=reduction, log_target=lt),
                [logp, np.log(q) if log_target else q], n_grad=2, dtype=np.float32)
    compare(lambda a, b: AF.cross_entropy(a, b, weight=at.tensor(w), reduction=reduction,
                                          label_smoothing=0.1),
            lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(w), reduction=reduction,
                                          label_smoothing=0.1), [X, q], n_grad=2,
            dtype=np.float32)


def test_cross_entropy_random_configurations_match_torch():
    """Hypothesis draws shapes (N, C, d...) or unbatched (C,), targets as indices (with
    ignored entries) or probabilities, weights, smoothing and reduction; float64 vs torch."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(1, 4), st.integers(2, 5), st.lists(st.integers(1, 3), max_size=2),
           st.booleans(), st.booleans(), st.booleans(), st.sampled_from([0.0, 0.2, 1.0]),
           st.sampled_from(["mean", "sum", "none"]), st.integers(0, 2 ** 31 - 1))
    def check(n, c, extra, unbatched, probs, weighted, smoothing, reduction, seed):
        r = np.random.default_rng(seed)
        shape = (c,) if unbatched else (n, c, *extra)
        x = r.standard_normal(shape) * 3
        if probs:
            t = r.dirichlet(np.ones(c), None if unbatched else (n, *extra))
            t = t if unbatched else np.moveaxis(t, -1, 1).copy()
            ignore = -100
        else:
            t = r.integers(0, c, () if unbatched else (n, *extra))
            ignore = int(r.integers(0, c))  # a class index that is ignored where it occurs
        w = r.random(c) + 0.2 if weighted else None
        kw = dict(reduction=reduction, label_smoothing=smoothing, ignore_index=ignore)
        compare(lambda a, b: AF.cross_entropy(a, b, weight=None if w is None else at.tensor(w),
                                              **kw),
                lambda a, b: TF.cross_entropy(a, b, weight=None if w is None else
                                              torch.tensor(w), **kw),
                [x, t], n_grad=2 if probs else 1)  # all ignored: NaN loss, zero gradient

    check()


def test_ignored_targets_give_positive_zero():
    """PyTorch prints 0. for ignored targets with reduction='none'; -0. prints differently."""
    t = at.tensor([1, 0])
    for f in (AF.cross_entropy, AF.nll_loss):
        y = f(at.randn(2, 3), t, ignore_index=1, reduction="none").numpy()
        assert y[0] == 0 and not np.signbit(y[0]), f.__name__


def test_binary_losses_random_configurations_match_torch():
    """Hypothesis draws shapes, broadcastable weight / pos_weight shapes, soft or hard labels,
    logit scales up to 1e3 and the reduction: BCE and BCE-with-logits vs torch in float64."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.booleans(), st.booleans(),
           st.booleans(), st.sampled_from([1.0, 30.0, 1e3]),
           st.sampled_from(["mean", "sum", "none"]), st.integers(0, 2 ** 31 - 1))
    def check(shape, weighted, pos_weighted, soft, scale, reduction, seed):
        r = np.random.default_rng(seed)
        x = r.standard_normal(shape) * scale
        t = r.random(shape) if soft else (r.random(shape) < 0.5).astype(np.float64)
        w = r.random(shape[-1:]) + 0.5 if weighted else None  # broadcast over the last dim
        pw = r.random(shape[-1:]) * 4 if pos_weighted else None
        def opt(lib, a):
            return None if a is None else lib.tensor(a)
        compare(lambda a, b: AF.binary_cross_entropy_with_logits(
            a, b, weight=opt(at, w), pos_weight=opt(at, pw), reduction=reduction),
            lambda a, b: TF.binary_cross_entropy_with_logits(
                a, b, weight=opt(torch, w), pos_weight=opt(torch, pw), reduction=reduction),
            [x, t], n_grad=2)
        p = 1 / (1 + np.exp(-np.clip(x, -30, 30)))
        compare(lambda a, b: AF.binary_cross_entropy(a, b, weight=opt(at, w),
                                                     reduction=reduction),
                lambda a, b: TF.binary_cross_entropy(a, b, weight=opt(torch, w),
                                                     reduction=reduction), [p, t], n_grad=2)

    check()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_losses_match_torch(dtype, reduction):
    t_ml = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [-1, 0, 0, 0, 0], [0, 1, 2, 3, 4],
                     [2, -1, 3, 3, 3], [4, 3, -1, 0, 0]])  # lists end at the first -1
    cases = [
        ("MultiMarginLoss", {}, [X, T_IDX % 5]),
        ("MultiMarginLoss", dict(p=2, margin=0.7, weight=True), [X, T_IDX % 5]),
        ("MultiLabelMarginLoss", {}, [X, t_ml]),
        ("TripletMarginWithDistanceLoss", dict(margin=0.5, swap=True), [X, Y, X * 0.5 + Y]),
    ]
    for name, kw, arrays in cases:
        kw_a, kw_t = dict(kw), dict(kw)
        if kw.get("weight"):
            kw_a["weight"], kw_t["weight"] = at.tensor(W.astype(dtype)), torch.tensor(
                W.astype(dtype))
        n_grad = 3 if name.startswith("Triplet") else 1
        compare(lambda *a, name=name, kw=kw_a: getattr(nn, name)(reduction=reduction, **kw)(*a),
                lambda *a, name=name, kw=kw_t: getattr(torch.nn, name)(reduction=reduction,
                                                                         **kw)(*a),
                arrays, n_grad=n_grad, dtype=dtype)
    # unbatched (C,) inputs, and a custom distance function (cosine distance)
    compare(lambda a, b: AF.multi_margin_loss(a, b, reduction=reduction),
            lambda a, b: TF.multi_margin_loss(a, b, reduction=reduction), [X[0], np.array(3)],
            dtype=dtype)
    compare(lambda a, b: AF.multilabel_margin_loss(a, b, reduction=reduction),
            lambda a, b: TF.multilabel_margin_loss(a, b, reduction=reduction), [X[0], t_ml[0]],
            dtype=dtype)
    compare(lambda a, b, c: AF.triplet_margin_with_distance_loss(
        a, b, c, distance_function=lambda u, v: 1 - AF.cosine_similarity(u, v),
        reduction=reduction),
        lambda a, b, c: TF.triplet_margin_with_distance_loss(
            a, b, c, distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v),
            reduction=reduction), [X, Y, -X + 0.1 * Y], n_grad=3, dtype=dtype)


def test_margin_loss_errors():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match=r"multi_margin_loss: inconsistent target size \[5\] "
                                         r"for input of size \[6, 5\]"):
        AF.multi_margin_loss(at.tensor(X), at.zeros(5, dtype=at.int64))
    with pytest.raises(RuntimeError, match=r"multilabel_margin_loss: expected target of integer "
                                           r"dtype"):
        AF.multilabel_margin_loss(at.tensor(X), at.tensor(X))
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0.0"):
        nn.TripletMarginWithDistanceLoss(margin=0.0)
