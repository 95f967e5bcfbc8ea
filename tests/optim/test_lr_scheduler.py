"""Learning-rate schedulers against PyTorch: per-step lr (and momentum/betas) sequences for every
scheduler and option, a state_dict round trip in the middle, closed forms and error messages."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import optim
from autograd_nn.optim import lr_scheduler as ours_ls

torch = pytest.importorskip("torch")
tls = torch.optim.lr_scheduler


def _opt(lib, name="SGD", **kw):
    ps = [lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)]
    mod = torch.optim if lib is torch else optim
    return getattr(mod, name)([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}],
                              lr=0.1, **kw)


def _record(opt):
    g = opt.param_groups
    return ([x["lr"] for x in g], [x.get("momentum") for x in g],
            [x.get("betas", (None,))[0] for x in g])


def _sequence(lib, make_sched, steps, opt_name="SGD", opt_kw=None, reload_at=None,
              metrics=None):
    """Run ``steps`` epochs; ours optionally rebuilds optimizer+scheduler from pickled state
    dicts at ``reload_at``. Returns [(group lrs, momenta, beta1s, get_last_lr())]."""
    opt_kw = opt_kw if opt_kw is not None else {"momentum": 0.9}
    opt = _opt(lib, opt_name, **opt_kw)
    ls = tls if lib is torch else ours_ls
    sched = make_sched(ls, opt)
    out = [(*_record(opt), list(sched.get_last_lr()))]
    for t in range(steps):
        if t == reload_at:
            osd = pickle.loads(pickle.dumps(opt.state_dict()))
            ssd = sched.state_dict()
            ssd = {k: v for k, v in ssd.items()}
            opt = _opt(lib, opt_name, **opt_kw)
            sched = make_sched(ls, opt)
            sched.load_state_dict(ssd)
            opt.load_state_dict(osd)
        opt.step()
        if metrics is not None:
            sched.step(metrics[t])
        else:
            sched.step()
        out.append((*_record(opt), list(sched.get_last_lr())))
    return out


def _compare(a, b):
    assert len(a) == len(b)
    for t, (x, y) in enumerate(zip(a, b)):
        for u, v in zip(x, y):
            for p, q in zip(u, v):
                if q is None:
                    assert p is None, t
                else:
                    assert p == pytest.approx(q, rel=1e-10, abs=1e-15), f"epoch {t}: {x} vs {y}"


def _picklable_lambda(e):
    return 0.95 ** e


class _Warmup:
    """A callable object: LambdaLR saves its __dict__ in the state dict."""

    def __init__(self, n):
        self.n = n

    def __call__(self, e):
        return min(1.0, (e + 1) / self.n)


SCHEDULERS = {
    "StepLR": lambda ls, o: ls.StepLR(o, step_size=3),
    "StepLR-gamma": lambda ls, o: ls.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda ls, o: ls.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda ls, o: ls.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda ls, o: ls.CosineAnnealingLR(o, T_max=7),
    "CosineAnnealingLR-eta_min": lambda ls, o: ls.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
    "LambdaLR": lambda ls, o: ls.LambdaLR(o, lr_lambda=_picklable_lambda),
    "LambdaLR-per-group": lambda ls, o: ls.LambdaLR(o, [_Warmup(4), _picklable_lambda]),
    "MultiplicativeLR": lambda ls, o: ls.MultiplicativeLR(o, lambda e: 0.9),
    "LinearLR": lambda ls, o: ls.LinearLR(o),
    "LinearLR-down": lambda ls, o: ls.LinearLR(o, start_factor=1.0, end_factor=0.2,
                                              total_iters=8),
    "ConstantLR": lambda ls, o: ls.ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda ls, o: ls.PolynomialLR(o, total_iters=8, power=2.0),
    "SequentialLR": lambda ls, o: ls.SequentialLR(
        o, [ls.LinearLR(o, start_factor=0.1, total_iters=4),
            ls.CosineAnnealingLR(o, T_max=10, eta_min=1e-3), ls.ExponentialLR(o, 0.8)],
        milestones=[4, 12]),
    "ChainedScheduler": lambda ls, o: ls.ChainedScheduler(
        [ls.ConstantLR(o, factor=0.5, total_iters=3), ls.ExponentialLR(o, gamma=0.9)]),
    "OneCycleLR-cos": lambda ls, o: ls.OneCycleLR(o, max_lr=1.0, total_steps=25),
    "OneCycleLR-linear-3phase": lambda ls, o: ls.OneCycleLR(
        o, max_lr=[1.0, 0.5], epochs=5, steps_per_epoch=5, pct_start=0.4,
        anneal_strategy="linear", three_phase=True, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-no-momentum": lambda ls, o: ls.OneCycleLR(o, max_lr=0.3, total_steps=25,
                                                          cycle_momentum=False),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    make = SCHEDULERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _sequence(torch, make, 24)
        got = _sequence(ag, make, 24, reload_at=11)
    _compare(got, ref)
    lrs = [r[0][0] for r in ref]
    assert len(set(np.round(lrs, 12))) >= 2  # the schedule actually changes the rate


def test_cosine_rises_again_past_t_max():
    opt = _opt(ag)
    s = ours_ls.CosineAnnealingLR(opt, T_max=4, eta_min=0.0)
    lrs = [s.get_last_lr()[0]]
    for _ in range(8):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    closed = [0.05 * (1 + math.cos(math.pi * t / 4)) for t in range(9)]
    np.testing.assert_allclose(lrs, closed, rtol=1e-10, atol=1e-15)
    assert lrs[4] == pytest.approx(0.0, abs=1e-15) and lrs[8] == pytest.approx(0.1)


def test_onecycle_cycles_adam_beta1():
    make = SCHEDULERS["OneCycleLR-cos"]
    ref = _sequence(torch, make, 24, opt_name="Adam", opt_kw={})
    got = _sequence(ag, make, 24, opt_name="Adam", opt_kw={}, reload_at=7)
    _compare(got, ref)
    betas = [r[2][0] for r in got]
    assert betas[0] == 0.95 and 0.85 <= min(betas) < 0.851  # peak between steps 6 and 7


def test_onecycle_errors():
    opt = _opt(ag)
    s = ours_ls.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    opt.step()
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total "
                                         "steps is 3"):
        s.step()
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        ours_ls.OneCycleLR(_opt(ag), max_lr=0.1)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        ours_ls.OneCycleLR(_opt(ag, "Adagrad", ), max_lr=0.1, total_steps=5)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        ours_ls.OneCycleLR(_opt(ag), max_lr=0.1, total_steps=5, anneal_strategy="exp")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        ours_ls.OneCycleLR(_opt(ag), max_lr=[0.1], total_steps=5)


PLATEAU = {
    "min-rel": dict(mode="min", patience=2),
    "min-abs-cooldown": dict(mode="min", threshold=0.05, threshold_mode="abs", patience=1,
                             cooldown=2, factor=0.5),
    "max-rel-min_lr": dict(mode="max", patience=1, factor=0.5, min_lr=0.02),
    "max-abs-eps": dict(mode="max", threshold_mode="abs", threshold=0.1, patience=0,
                        factor=0.9, min_lr=[0.0, 0.049], eps=1e-3),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_on_plateau_matches_torch(name):
    kw = PLATEAU[name]
    rng = np.random.default_rng(5)
    base = np.linspace(1.0, 0.5, 30) if kw["mode"] == "min" else np.linspace(0.0, 0.5, 30)
    metrics = list(base + 0.2 * rng.standard_normal(30))
    metrics[10:20] = [metrics[10]] * 10  # a flat stretch: a plateau for sure
    make = lambda ls, o: ls.ReduceLROnPlateau(o, **kw)  # noqa: E731
    ref = _sequence(torch, make, 30, metrics=metrics)
    got = _sequence(ag, make, 30, metrics=metrics, reload_at=15)
    _compare(got, ref)
    assert ref[-1][0][0] < 0.1  # the rate was reduced at least once


def test_reduce_on_plateau_semantics_by_hand():
    """patience=2: the third bad epoch in a row reduces; relative threshold: 1% better than
    best * (1 - 0.01) counts as an improvement only below it."""
    opt = _opt(ag)
    s = ours_ls.ReduceLROnPlateau(opt, patience=2, threshold=0.01, factor=0.5)
    for m in [1.0, 0.995, 0.995, 0.995]:  # 0.995 > 1.0 * 0.99: not an improvement
        s.step(m)
    assert opt.param_groups[0]["lr"] == 0.05 and s.num_bad_epochs == 0
    assert s.best == 1.0


def test_reduce_on_plateau_errors():
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        ours_ls.ReduceLROnPlateau(_opt(ag), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown!"):
        ours_ls.ReduceLROnPlateau(_opt(ag), mode="avg")
    with pytest.raises(ValueError, match="threshold mode pct is unknown!"):
        ours_ls.ReduceLROnPlateau(_opt(ag), threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        ours_ls.ReduceLROnPlateau(_opt(ag), min_lr=[0.1])


def test_closed_form_step_epoch_matches_torch():
    for make in (SCHEDULERS["StepLR"], SCHEDULERS["MultiStepLR"], SCHEDULERS["LinearLR"],
                 SCHEDULERS["CosineAnnealingLR"], SCHEDULERS["ExponentialLR"]):
        res = []
        for lib, ls in ((torch, tls), (ag, ours_ls)):
            opt = _opt(lib)
            s = make(ls, opt)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                seq = []
                for e in (5, 2, 9, 9):
                    opt.step()
                    s.step(e)
                    seq.append(s.get_last_lr())
            res.append(seq)
        np.testing.assert_allclose(res[1], res[0], rtol=1e-10)


def test_initial_step_and_base_lrs():
    opt = _opt(ag)
    s = ours_ls.StepLR(opt, step_size=2)
    assert s.last_epoch == 0 and s.base_lrs == [0.1, 0.05]
    assert opt.param_groups[0]["initial_lr"] == 0.1
    sd = s.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 0 and sd["_step_count"] == 1
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        ours_ls.StepLR(_opt(ag), step_size=2, last_epoch=3)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        ours_ls.StepLR([], step_size=2)


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt(ag)
    s = ours_ls.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt2 = _opt(ag)
    s2 = ours_ls.ExponentialLR(opt2, 0.5)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2.step()


def test_composite_errors():
    o1, o2 = _opt(ag), _opt(ag)
    a, b = ours_ls.ExponentialLR(o1, 0.9), ours_ls.ExponentialLR(o2, 0.9)
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        ours_ls.SequentialLR(o1, [a, b], milestones=[3])
    with pytest.raises(ValueError, match="number of schedulers 1 and the number of milestones "
                                         "to be equal to 1"):
        ours_ls.SequentialLR(o1, [a], milestones=[3])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        ours_ls.ChainedScheduler([a, ours_ls.ReduceLROnPlateau(o1)])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        ours_ls.LambdaLR(o1, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater"):
        ours_ls.LinearLR(o1, start_factor=0.0)


# ------------------------------------------ 100-step training trajectories under each scheduler
# The optimizer really moves parameters: f(W, c) = 0.5 |A W - B|^2 + 0.05 sum W^4 +
# 0.5 |c - d|^2 with hand-written gradients, two param groups with different rates. Ours saves
# and reloads both state dicts (pickled, into freshly built objects) at step 50; PyTorch runs
# straight through. Parameters and every group's lr / momentum / betas must agree each step.
_R = np.random.default_rng(7)
_A, _B = _R.standard_normal((5, 3)), _R.standard_normal((5, 2))
_D, _W0, _C0 = _R.standard_normal(4), _R.standard_normal((3, 2)), _R.standard_normal(4)


def _hand_grads(w: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _A.T @ (_A @ w - _B) + 0.2 * w ** 3, c - _D


_PLATEAU_METRICS = list(np.r_[np.linspace(1.0, 0.6, 20), np.full(15, 0.6),
                              np.linspace(0.6, 0.3, 20), np.full(45, 0.3)]
                        + 0.01 * np.random.default_rng(3).standard_normal(100))

TRAJ = {
    "StepLR": ("SGD", dict(momentum=0.9), lambda ls, o: ls.StepLR(o, step_size=15, gamma=0.6)),
    "MultiStepLR": ("SGD", dict(momentum=0.9, nesterov=True),
                    lambda ls, o: ls.MultiStepLR(o, milestones=[10, 30, 30, 70], gamma=0.4)),
    "ExponentialLR": ("Adam", {}, lambda ls, o: ls.ExponentialLR(o, gamma=0.97)),
    "CosineAnnealingLR": ("SGD", dict(momentum=0.5),
                          lambda ls, o: ls.CosineAnnealingLR(o, T_max=40, eta_min=1e-3)),
    "LambdaLR": ("RMSprop", dict(momentum=0.5, centered=True),
                 lambda ls, o: ls.LambdaLR(o, [_Warmup(10), _picklable_lambda])),
    "LinearLR": ("Adam", dict(amsgrad=True),
                 lambda ls, o: ls.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=60)),
    "ConstantLR": ("SGD", {}, lambda ls, o: ls.ConstantLR(o, factor=0.3, total_iters=25)),
    "PolynomialLR": ("SGD", {}, lambda ls, o: ls.PolynomialLR(o, total_iters=80, power=1.5)),
    "OneCycleLR-cos-SGD": ("SGD", dict(momentum=0.9), lambda ls, o: ls.OneCycleLR(
        o, max_lr=[0.1, 0.05], total_steps=100)),
    "OneCycleLR-linear-3phase-Adam": ("Adam", {}, lambda ls, o: ls.OneCycleLR(
        o, max_lr=0.08, epochs=10, steps_per_epoch=10, pct_start=0.3, anneal_strategy="linear",
        three_phase=True, div_factor=5.0, final_div_factor=50.0, base_momentum=0.8,
        max_momentum=0.9)),
    "OneCycleLR-no-momentum": ("SGD", dict(momentum=0.9), lambda ls, o: ls.OneCycleLR(
        o, max_lr=0.06, total_steps=120, cycle_momentum=False, pct_start=0.5)),
    "SequentialLR": ("SGD", dict(momentum=0.9), lambda ls, o: ls.SequentialLR(
        o, [ls.LinearLR(o, start_factor=0.1, total_iters=10),
            ls.CosineAnnealingLR(o, T_max=30, eta_min=1e-3), ls.StepLR(o, 10, 0.5)],
        milestones=[10, 50])),
    "ChainedScheduler": ("SGD", dict(momentum=0.9), lambda ls, o: ls.ChainedScheduler(
        [ls.ConstantLR(o, factor=0.5, total_iters=20), ls.ExponentialLR(o, gamma=0.98)])),
    "ReduceLROnPlateau-min-rel": ("SGD", dict(momentum=0.9), lambda ls, o: ls.ReduceLROnPlateau(
        o, mode="min", factor=0.5, patience=3, threshold=1e-2)),
    "ReduceLROnPlateau-min-abs-cooldown": ("Adam", {}, lambda ls, o: ls.ReduceLROnPlateau(
        o, threshold_mode="abs", threshold=0.02, patience=2, cooldown=4, min_lr=[1e-3, 2e-3])),
    "ReduceLROnPlateau-max": ("SGD", dict(momentum=0.9), lambda ls, o: ls.ReduceLROnPlateau(
        o, mode="max", factor=0.7, patience=1, eps=1e-4)),
}


def _train(lib, opt_name, opt_kw, make, reload_at=None):
    mod = torch.optim if lib is torch else optim
    ls = tls if lib is torch else ours_ls
    w = lib.tensor(_W0.copy(), requires_grad=True)
    c = lib.tensor(_C0.copy(), requires_grad=True)

    def build():
        o = getattr(mod, opt_name)([{"params": [w]}, {"params": [c], "lr": 0.02}], lr=0.05,
                                   **opt_kw)
        return o, make(ls, o)

    opt, sched = build()
    plateau = type(sched).__name__ == "ReduceLROnPlateau"
    rows = []
    for t in range(100):
        if t == reload_at:  # checkpoint recipe: fresh objects, optimizer state then scheduler's
            osd = pickle.loads(pickle.dumps(opt.state_dict()))
            ssd = pickle.loads(pickle.dumps(sched.state_dict()))
            opt, sched = build()
            opt.load_state_dict(osd)
            sched.load_state_dict(ssd)
        gw, gc = _hand_grads(w.detach().numpy(), c.detach().numpy())
        w.grad, c.grad = lib.tensor(gw), lib.tensor(gc)
        opt.step()
        sched.step(_PLATEAU_METRICS[t]) if plateau else sched.step()
        rows.append((w.detach().numpy().copy(), c.detach().numpy().copy(), *_record(opt)))
    return rows


@pytest.mark.parametrize("name", list(TRAJ))
def test_100_step_training_trajectory_matches_torch(name):
    opt_name, opt_kw, make = TRAJ[name]
    ref = _train(torch, opt_name, opt_kw, make)
    got = _train(ag, opt_name, opt_kw, make, reload_at=50)
    for t, (r, g) in enumerate(zip(ref, got)):
        for x, y in zip(g[:2], r[:2]):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"step {t}")
        for xs, ys in zip(g[2:], r[2:]):  # per group: lr, momentum, beta1 (None if absent)
            for x, y in zip(xs, ys, strict=True):
                assert (x is None and y is None) or x == pytest.approx(y, rel=1e-12, abs=1e-15), \
                    f"step {t}: {g[2:]} vs {r[2:]}"
    lrs = {row[2][0] for row in ref}
    assert len(lrs) >= 2  # the schedule changed the rate, and the parameters moved
    assert np.abs(ref[-1][0] - _W0).max() > 1e-2
