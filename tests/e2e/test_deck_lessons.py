"""The deck's training-loop lessons (examples/deck/*.py), each checked against an independent
oracle: closed forms, hand-written NumPy backprop, PyTorch, scikit-learn and hand-derived
schedules."""

from __future__ import annotations

import math
import subprocess
import sys
from functools import cache

import numpy as np
import pytest
from conftest import ROOT, load_script

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn.utils.data import DataLoader, TensorDataset

DECK = ROOT / "examples" / "deck"


@cache
def lesson(stem: str):
    path = next(DECK.glob(f"{stem}*.py"))
    return load_script(path, f"deck_{stem}")


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------- forward, loss, backprop
def test_losses_match_closed_forms():
    got = lesson("01").losses_demo()
    yt = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    yp = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]])
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    lse = np.log(np.exp(logits).sum(1))
    assert got["mse"] == pytest.approx(np.mean((yt - yp) ** 2), rel=1e-6)
    assert got["binary_cross_entropy"] == pytest.approx(
        -np.mean(yt * np.log(yp) + (1 - yt) * np.log(1 - yp)), rel=1e-6)
    assert got["cross_entropy"] == pytest.approx(np.mean(lse - logits[[0, 1], [0, 2]]), rel=1e-6)


def _net_and_numpy(seed=0):
    ag.manual_seed(seed)
    net = lesson("01").TwoLayerNet().double()
    w1, b1 = net.hidden.weight.detach().numpy().copy(), net.hidden.bias.detach().numpy().copy()
    w2, b2 = net.out.weight.detach().numpy().copy(), net.out.bias.detach().numpy().copy()
    return net, (w1, b1, w2, b2)


X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.mark.parametrize("loss", ["bce_mean", "squared_error_sum"])
def test_backprop_of_2_4_1_sigmoid_net_equals_handwritten_numpy(loss):
    net, (w1, b1, w2, b2) = _net_and_numpy()
    out = net(ag.tensor(X))
    y = ag.tensor(Y)
    (nn.BCELoss()(out, y) if loss == "bce_mean" else ((y - out) ** 2).sum()).backward()
    # hand-written backprop (chain rule by hand, as on the deck's slides)
    a1 = _sigmoid(X @ w1.T + b1)
    a2 = _sigmoid(a1 @ w2.T + b2)
    if loss == "bce_mean":
        dz2 = (a2 - Y) / len(X)                       # d mean-BCE / d pre-sigmoid logit
    else:
        dz2 = -2 * (Y - a2) * a2 * (1 - a2)           # d sum (y - a2)^2 / d z2
    dz1 = (dz2 @ w2) * a1 * (1 - a1)
    expected = {"hidden.weight": dz1.T @ X, "hidden.bias": dz1.sum(0),
                "out.weight": dz2.T @ a1, "out.bias": dz2.sum(0)}
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), expected[name], rtol=1e-10, atol=1e-14,
                                   err_msg=name)


def test_one_iteration_updates_parameters_by_minus_lr_grad():
    net, _ = _net_and_numpy(seed=1)
    before = {n: p.detach().numpy().copy() for n, p in net.named_parameters()}
    opt = ag.optim.SGD(net.parameters(), lr=0.5)
    loss = lesson("01").one_iteration(net, ag.tensor(X), ag.tensor(Y), opt)
    a2 = _sigmoid(_sigmoid(X @ before["hidden.weight"].T + before["hidden.bias"])
                  @ before["out.weight"].T + before["out.bias"])
    assert loss == pytest.approx(-np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2)), rel=1e-12)
    for n, p in net.named_parameters():
        np.testing.assert_allclose(p.detach().numpy(), before[n] - 0.5 * p.grad.numpy(),
                                   rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------ mini-batches, epochs, iterations
@pytest.mark.parametrize("n,b", [(1000, 32), (1024, 32), (7, 10), (10, 1), (100, 30)])
def test_iterations_per_epoch(n, b):
    ds = TensorDataset(ag.arange(n))
    assert len(DataLoader(ds, batch_size=b)) == math.ceil(n / b)
    assert len(DataLoader(ds, batch_size=b, drop_last=True)) == n // b
    batches = [xb for (xb,) in DataLoader(ds, batch_size=b, shuffle=True)]
    sizes = [len(xb) for xb in batches]
    assert sizes == [b] * (n // b) + ([n % b] if n % b else [])
    seen = np.concatenate([xb.numpy() for xb in batches])
    assert sorted(seen.tolist()) == list(range(n))  # one epoch visits every sample once


def test_minibatch_training_counts_iterations_and_learns():
    m = lesson("02")
    data = m.make_data(n=300)
    res = m.train(data, batch_size=32, epochs=6)
    assert res["iterations"] == 6 * math.ceil(300 / 32) == 6 * res["iterations_per_epoch"]
    res_dl = m.train(data, batch_size=32, epochs=2, drop_last=True)
    assert res_dl["iterations"] == 2 * (300 // 32)
    assert res["losses"][-1] < 0.6 * res["losses"][0]
    assert res["accuracy"] > 0.85  # a circle is not linearly separable: the hidden layer works


# ------------------------------------------------------------------------------ learning rate
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1])
def test_gradient_descent_on_square_matches_closed_form(lr):
    xs = lesson("03").gradient_descent(5.0, lr, 30)
    closed = [5.0 * (1 - 2 * lr) ** n for n in range(31)]
    np.testing.assert_allclose(xs, closed, rtol=1e-10, atol=1e-300)
    if lr < 1:
        assert abs(xs[-1]) < abs(xs[0])
    elif lr == 1:
        assert abs(xs[-1]) == 5.0
    else:
        assert abs(xs[-1]) > 1e2 * abs(xs[0])
    if lr == 0.5:
        assert xs[1] == 0.0  # the exact step size for f = x^2: one step to the minimum


# ------------------------------------------------------------------ under/over-fitting
def test_polynomial_fits_equal_least_squares_and_order_errors():
    m = lesson("04")
    x, y, xt, yt = m.make_data()
    errs = {}
    for d in (1, 3, 15):
        predict = m.fit_polynomial(x, y, d)
        v = np.polynomial.chebyshev.chebvander(x / 2.5 - 1, d)
        coef = np.linalg.lstsq(v, y, rcond=None)[0]  # the least-squares oracle
        np.testing.assert_allclose(predict(x), v @ coef, rtol=1e-7, atol=1e-8)
        vt = np.polynomial.chebyshev.chebvander(xt / 2.5 - 1, d)
        np.testing.assert_allclose(predict(xt), vt @ coef, rtol=1e-6, atol=1e-6)
        errs[d] = (m.rmse(predict(x), y), m.rmse(predict(xt), yt))
    assert errs[1][0] > errs[3][0] > errs[15][0]  # training error falls with capacity
    assert errs[3][1] < errs[1][1] and errs[3][1] < errs[15][1]  # held-out: U shape
    assert errs[15][1] > 10 * errs[15][0]  # the overfit model: tiny train, huge held-out error


# ----------------------------------------------------------------------- regularization
def test_l2_penalty_equals_weight_decay_and_torch():
    torch = pytest.importorskip("torch")
    m = lesson("05")
    x, y, _, _ = m.make_data()
    pen = m.train_linear(x, y, penalty="l2", lam=0.2, steps=50, anneal=False)
    wd = m.train_linear(x, y, weight_decay=0.2, steps=50, anneal=False)
    np.testing.assert_allclose(pen.weight.detach().numpy(), wd.weight.detach().numpy(),
                               rtol=1e-10, atol=1e-13)
    # torch: same init, weight decay on the weight only
    ag.manual_seed(0)
    init = nn.Linear(x.shape[1], 1).double()
    tw = torch.tensor(init.weight.detach().numpy().copy(), requires_grad=True)
    tb = torch.tensor(init.bias.detach().numpy().copy(), requires_grad=True)
    opt = torch.optim.SGD([{"params": [tw], "weight_decay": 0.2}, {"params": [tb]}], lr=0.05)
    tx, ty = torch.tensor(x), torch.tensor(y).unsqueeze(1)
    for _ in range(50):
        opt.zero_grad()
        torch.nn.functional.mse_loss(tx @ tw.T + tb, ty).backward()
        opt.step()
    np.testing.assert_allclose(wd.weight.detach().numpy(), tw.detach().numpy(), rtol=1e-10,
                               atol=1e-13)
    np.testing.assert_allclose(wd.bias.detach().numpy(), tb.detach().numpy(), rtol=1e-10,
                               atol=1e-13)


def _ridge_closed_form(x, y, lam):
    """argmin_w,b mean((xw + b - y)^2) + lam/2 |w|^2."""
    xc, yc = x - x.mean(0), y - y.mean()
    n = len(x)
    w = np.linalg.solve(2 / n * xc.T @ xc + lam * np.eye(x.shape[1]), 2 / n * xc.T @ yc)
    return w


def test_l1_zeroes_irrelevant_weights_l2_does_not():
    sklearn = pytest.importorskip("sklearn.linear_model")
    m = lesson("05")
    x, y, _, _ = m.make_data()
    lam = 0.2
    l1 = m.train_linear(x, y, penalty="l1", lam=lam).weight.detach().numpy().ravel()
    l2 = m.train_linear(x, y, penalty="l2", lam=lam, anneal=False).weight.detach().numpy()
    l2 = l2.ravel()
    # oracles: scikit-learn's coordinate-descent lasso (its objective is ours / 2) and the
    # ridge normal equations
    lasso = sklearn.Lasso(alpha=lam / 2, tol=1e-12, max_iter=100_000).fit(x, y).coef_
    np.testing.assert_allclose(l1, lasso, atol=1e-3)
    np.testing.assert_allclose(l2, _ridge_closed_form(x, y, lam), rtol=1e-8, atol=1e-10)
    assert np.all(lasso[5:] == 0) and np.abs(l1[5:]).max() < 1e-4   # sparse
    assert np.abs(l2[5:]).min() > 1e-3                               # shrunk, not zero
    assert np.all(np.abs(l1[:5]) > 0.5) and np.all(np.abs(l2[:5]) > 0.5)


# ------------------------------------------------------------------------------------ dropout
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_scales_kept_units_and_is_identity_in_eval(p):
    ag.manual_seed(3)
    drop = nn.Dropout(p)
    n = 20_000
    x = ag.rand(n) + 0.5
    out = drop(x).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x.numpy()[kept] / (1 - p), rtol=1e-6)
    sd = math.sqrt(n * p * (1 - p))
    assert abs((~kept).sum() - n * p) < 5 * sd  # Binomial(n, p) dropped units
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).numpy(), x.numpy())
    tr, ev = lesson("06").dropout_demo(p=p, n=1000)
    assert set(np.unique(tr.numpy())) <= {0.0, np.float32(1 / (1 - p))}
    assert np.array_equal(ev.numpy(), np.ones(1000, dtype=np.float32))


def test_dropout_edge_cases():
    x = ag.randn(100)
    assert np.array_equal(nn.Dropout(0.0)(x).numpy(), x.numpy())
    assert np.array_equal(nn.Dropout(1.0)(x).numpy(), np.zeros(100, dtype=np.float32))


# ----------------------------------------------------------------------------- early stopping
@pytest.mark.parametrize("min_delta,best_epoch,stop_epoch", [(0.0, 4, 7), (0.02, 2, 5)])
def test_early_stopping_on_scripted_curve_restores_best(min_delta, best_epoch, stop_epoch):
    """Hand-derived: with patience 3 the stop comes 3 epochs after the last improvement; an
    improvement must beat the best by more than min_delta (0.59 vs 0.60 does not at 0.02)."""
    curve = [1.0, 0.8, 0.6, 0.65, 0.59, 0.7, 0.71, 0.72, 0.3, 0.2]
    stopper = lesson("07").EarlyStopping(patience=3, min_delta=min_delta)
    model = nn.Linear(2, 1)
    for epoch, val in enumerate(curve):
        with ag.no_grad():
            model.weight.fill_(float(epoch))  # "training" leaves the epoch's mark
        if stopper.step(val, model):
            break
    assert stopper.stopped_epoch == stop_epoch == epoch
    assert stopper.best_epoch == best_epoch and stopper.best == curve[best_epoch]
    np.testing.assert_array_equal(model.weight.detach().numpy(), np.full((1, 2), best_epoch))


def test_early_stopping_training_run():
    res = lesson("07").train(patience=10)
    s, hist = res["stopper"], res["history"]
    vals = [v for _, v in hist]
    assert s.stopped_epoch == len(hist) - 1 == s.best_epoch + 10 < 499
    assert s.best == min(vals) and res["final_val"] == pytest.approx(s.best, rel=1e-6)
    assert vals[-1] > s.best  # it stopped because validation got worse, not by running out


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(p.name for p in DECK.glob("0*.py")))
def test_example_scripts_run(script):
    res = subprocess.run([sys.executable, str(DECK / script)], capture_output=True, text=True,
                         timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip()
