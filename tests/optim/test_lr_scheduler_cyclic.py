"""CyclicLR and CosineAnnealingWarmRestarts against PyTorch: lr / momentum / beta1 sequences for
every option with a pickled state_dict round trip in the middle, the float-epoch closed form of
the warm restarts, hand-derived values, validation messages, and 100-step float64 training
trajectories through the autograd engine."""

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


def _build(lib, opt_name, opt_kw, make, params=None):
    """Optimizer with two param groups (different rates) and the scheduler ``make`` builds."""
    ps = params or [lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)]
    mod = torch.optim if lib is torch else optim
    opt = getattr(mod, opt_name)([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}],
                                 lr=0.1, **opt_kw)
    return opt, make(tls if lib is torch else ours_ls, opt)


def _record(opt, sched):
    g = opt.param_groups
    return ([x["lr"] for x in g], [x.get("momentum") for x in g],
            [x.get("betas", (None,))[0] for x in g], list(sched.get_last_lr()))


def _reload(lib, opt_name, opt_kw, make, opt, sched, params=None):
    """Checkpoint recipe: pickle both state dicts, build fresh objects, load optimizer then
    scheduler."""
    osd = pickle.loads(pickle.dumps(opt.state_dict()))
    ssd = pickle.loads(pickle.dumps(sched.state_dict()))
    opt, sched = _build(lib, opt_name, opt_kw, make, params)
    opt.load_state_dict(osd)
    sched.load_state_dict(ssd)
    return opt, sched


def _sequence(lib, make, steps=64, opt_name="SGD", opt_kw=None, reload_at=None):
    opt_kw = {"momentum": 0.9} if opt_kw is None else opt_kw
    opt, sched = _build(lib, opt_name, opt_kw, make)
    rows = [_record(opt, sched)]
    for t in range(steps):
        if t == reload_at:
            opt, sched = _reload(lib, opt_name, opt_kw, make, opt, sched)
        opt.step()
        sched.step()
        rows.append(_record(opt, sched))
    return rows


def _assert_rows_equal(got, ref, rel=1e-12):
    assert len(got) == len(ref)
    for t, (g, r) in enumerate(zip(got, ref)):
        for xs, ys in zip(g, r, strict=True):
            for x, y in zip(xs, ys, strict=True):
                assert (x is None and y is None) or x == pytest.approx(y, rel=rel, abs=1e-15), \
                    f"step {t}: {g} vs {r}"


class _Decay:
    """A callable-object scale_fn: its __dict__ goes into the state dict (as torch)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, x):
        return 1.0 / (1.0 + self.rate * x)


def _half_per_cycle(x):
    return 0.5 ** (x - 1)


CYCLIC = {
    "triangular": lambda ls, o: ls.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "triangular-asym-lists": lambda ls, o: ls.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3, step_size_down=7,
        base_momentum=[0.8, 0.7], max_momentum=[0.95, 0.9]),
    "triangular2": lambda ls, o: ls.CyclicLR(o, 0.001, 0.05, step_size_up=4,
                                             mode="triangular2"),
    "exp_range": lambda ls, o: ls.CyclicLR(o, 0.01, 0.2, step_size_up=6, step_size_down=3,
                                           mode="exp_range", gamma=0.97),
    "scale_fn-cycle": lambda ls, o: ls.CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                scale_fn=_half_per_cycle, mode="ignored"),
    "scale_fn-iterations-object": lambda ls, o: ls.CyclicLR(
        o, 0.01, 0.1, step_size_up=5, scale_fn=_Decay(0.05), scale_mode="iterations"),
    "no-momentum": lambda ls, o: ls.CyclicLR(o, 0.01, 0.1, step_size_up=7,
                                             cycle_momentum=False),
    "sawtooth-down-0": lambda ls, o: ls.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                 step_size_down=0, mode="triangular2"),
}

WARM = {
    "T_mult=1": lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=7),
    "T_mult=2-eta_min": lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                     eta_min=0.005),
    "T_mult=3": lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3, eta_min=1),
}

# inside the composites: SequentialLR restarts the warm restarts at its milestone (epoch 0)
COMPOSITE = {
    "Sequential-Linear-WarmRestarts": lambda ls, o: ls.SequentialLR(
        o, [ls.LinearLR(o, 0.1, total_iters=5), ls.CosineAnnealingWarmRestarts(o, 4, 2)],
        milestones=[5]),
    "Sequential-WarmRestarts-Cyclic": lambda ls, o: ls.SequentialLR(
        o, [ls.CosineAnnealingWarmRestarts(o, 3), ls.CyclicLR(o, 0.01, 0.1, step_size_up=3)],
        milestones=[7]),
    "Chained-Cyclic-Exponential": lambda ls, o: ls.ChainedScheduler(
        [ls.CyclicLR(o, 0.01, 0.1, step_size_up=3), ls.ExponentialLR(o, 0.97)]),
}


def _seq_case(name):
    return CYCLIC.get(name) or WARM.get(name) or COMPOSITE[name]


@pytest.mark.parametrize("name", list(CYCLIC) + list(WARM) + list(COMPOSITE))
def test_lr_and_momentum_sequences_match_torch(name):
    make = _seq_case(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _sequence(torch, make)
        got = _sequence(ag, make, reload_at=29)
    _assert_rows_equal(got, ref)
    assert len({round(r[0][0], 12) for r in ref}) >= 5  # the rate really cycles


@pytest.mark.parametrize("name", ["triangular", "exp_range", "scale_fn-iterations-object"])
def test_cyclic_cycles_adam_beta1_like_torch(name):
    ref = _sequence(torch, CYCLIC[name], opt_name="Adam", opt_kw={})
    got = _sequence(ag, CYCLIC[name], opt_name="Adam", opt_kw={}, reload_at=33)
    _assert_rows_equal(got, ref)
    beta1 = [r[2][0] for r in got]
    assert beta1[0] == 0.9 and min(beta1) < 0.85
    assert all(r[1] == [None, None] for r in got)  # Adam has no 'momentum' key to touch


def test_cyclic_triangular_by_hand():
    """base 0.1, max 1.0, 2 steps up and 4 down: up by 0.45, down by 0.225, period 6; momentum
    mirrors it between 0.9 and 0.8. The constructor set the rate to base_lr."""
    opt, s = _build(ag, "SGD", {"momentum": 0.5}, lambda ls, o: ls.CyclicLR(
        o, base_lr=0.1, max_lr=1.0, step_size_up=2, step_size_down=4))
    # both groups start at base_lr, not at their own lr (0.1 and 0.05)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.1]
    assert s.base_lrs == [0.1, 0.1] and opt.param_groups[1]["initial_lr"] == 0.1
    lrs, moms = [], []
    for _ in range(13):
        lrs.append(s.get_last_lr()[0])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        s.step()
    cycle = [0.1, 0.55, 1.0, 0.775, 0.55, 0.325]
    np.testing.assert_allclose(lrs, cycle * 2 + [0.1], rtol=0, atol=1e-15)
    frac = [(x - 0.1) / 0.9 for x in cycle]
    np.testing.assert_allclose(moms, [0.9 - 0.1 * f for f in frac] * 2 + [0.9], atol=1e-15)


def test_cyclic_exp_range_and_triangular2_by_hand():
    _, s = _build(ag, "SGD", {}, lambda ls, o: ls.CyclicLR(
        o, 0.0, 1.0, step_size_up=2, mode="triangular2", cycle_momentum=False))
    peaks = []
    for t in range(1, 11):
        s.optimizer.step()
        s.step()
        if t % 4 == 2:
            peaks.append(s.get_last_lr()[0])
    assert peaks == [1.0, 0.5, 0.25]  # amplitude halves every cycle
    _, s = _build(ag, "SGD", {}, lambda ls, o: ls.CyclicLR(
        o, 0.0, 1.0, step_size_up=2, mode="exp_range", gamma=0.9, cycle_momentum=False))
    got = []
    for _ in range(6):
        s.optimizer.step()
        s.step()
        got.append(s.get_last_lr()[0])
    tri = [0.5, 1.0, 0.5, 0.0, 0.5, 1.0]  # triangle at t = 1..6 times gamma ** t
    np.testing.assert_allclose(got, [v * 0.9 ** t for t, v in enumerate(tri, 1)], atol=1e-15)


def _state_without_callables(sd):
    return {k: v for k, v in sd.items() if not callable(v)}


@pytest.mark.parametrize("name", ["triangular-asym-lists", "exp_range",
                                  "scale_fn-iterations-object", "scale_fn-cycle"]
                         + list(WARM))
def test_state_dict_holds_what_torch_holds(name):
    make = _seq_case(name)
    sds = []
    for lib in (torch, ag):
        opt, s = _build(lib, "SGD", {"momentum": 0.9}, make)
        for _ in range(5):
            opt.step()
            s.step()
        sds.append(s.state_dict())
    ref, got = sds
    assert set(got) == set(ref)
    assert "_scale_fn_ref" not in got and "optimizer" not in got
    for k in ref:
        assert got[k] == pytest.approx(ref[k], rel=1e-12) if isinstance(ref[k], float) \
            else got[k] == ref[k], k
    pickle.dumps(got)


def test_cyclic_custom_scale_fn_state():
    """A plain function is saved as None (the rebuilt scheduler's own is kept); a callable
    object's attributes are saved and restored into the rebuilt one's object."""
    _, s = _build(ag, "SGD", {}, CYCLIC["scale_fn-cycle"])
    assert s.state_dict()["_scale_fn_custom"] is None
    _, s = _build(ag, "SGD", {}, CYCLIC["scale_fn-iterations-object"])
    s._scale_fn_custom.rate = 0.2
    sd = pickle.loads(pickle.dumps(s.state_dict()))
    assert sd["_scale_fn_custom"] == {"rate": 0.2}
    _, s2 = _build(ag, "SGD", {}, CYCLIC["scale_fn-iterations-object"])
    s2.load_state_dict(sd)
    assert s2._scale_fn_custom.rate == 0.2 and s2.scale_fn(5) == 0.5
    assert "_scale_fn_custom" in sd  # loading does not consume the caller's dict


def test_cyclic_step_epoch_matches_torch():
    """step(epoch) (deprecated, warns in both) jumps to that iteration of the cycle."""
    res = []
    for lib in (torch, ag):
        opt, s = _build(lib, "Adam", {}, CYCLIC["exp_range"])
        rows = []
        for e in (7, 3, 20, 20, 0, 41):
            opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
                s.step(e)
            rows.append(_record(opt, s))
        res.append(rows)
    _assert_rows_equal(res[1], res[0])


# ----------------------------------------------------------- warm restarts: float epochs
def _hand_warm(epoch, T_0, T_mult, base, eta_min):
    """T_cur / T_i by walking the periods (independent of the log formula)."""
    start, T_i = 0.0, T_0
    while epoch >= start + T_i:
        start, T_i = start + T_i, T_i * T_mult
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (epoch - start) / T_i)) / 2


@pytest.mark.parametrize("T_0,T_mult", [(5, 1), (3, 2), (2, 3)])
def test_warm_restarts_float_epochs_match_torch_and_closed_form(T_0, T_mult):
    epochs = [0.5, 1.25, 2.999, 3.0, 7.7, 2.2, 20.9, 21.0, 0.0, 44.5, 9.0, 26.25]
    make = lambda ls, o: ls.CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult,  # noqa: E731
                                                        eta_min=0.001)
    res = []
    for lib in (torch, ag):
        opt, s = _build(lib, "SGD", {}, make)
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # neither library warns for step(float epoch)
            for i, e in enumerate(epochs):
                opt.step()
                s.step(e)
                rows.append((list(s.get_last_lr()), s.last_epoch, s.T_cur, s.T_i))
                if i % 3 == 2:  # a plain step continues from floor(epoch) + 1
                    s.step()
                    rows.append((list(s.get_last_lr()), s.last_epoch, s.T_cur, s.T_i))
        res.append(rows)
    ref, got = res
    for t, (g, r) in enumerate(zip(got, ref, strict=True)):
        np.testing.assert_allclose(g[0], r[0], rtol=1e-12, atol=0, err_msg=str(t))
        assert g[1] == r[1] and g[3] == r[3] and g[2] == pytest.approx(r[2], abs=1e-12), t
    i = 0
    for k, e in enumerate(epochs):  # the float-epoch rows against the hand closed form
        row = got[i]
        for base, lr in zip((0.1, 0.05), row[0]):
            assert lr == pytest.approx(_hand_warm(e, T_0, T_mult, base, 0.001), rel=1e-12)
        assert row[1] == math.floor(e)
        i += 2 if k % 3 == 2 else 1


def test_warm_restarts_interleaved_steps_like_torch_docs():
    """20 plain steps, step(26), then step() is step(27) (torch's docstring example)."""
    res = []
    for lib in (torch, ag):
        opt, s = _build(lib, "SGD", {}, lambda ls, o: ls.CosineAnnealingWarmRestarts(o, 10, 2))
        for _ in range(20):
            opt.step()
            s.step()
        s.step(26)
        s.step()
        res.append((s.last_epoch, s.T_cur, s.T_i, s.get_last_lr()))
    assert res[1] == res[0]
    assert res[1][:3] == (27, 17, 20)  # restarts at 10 and 30: epoch 27 is 17 into T_i = 20
    assert res[1][3][0] == pytest.approx(0.05 * (1 + math.cos(math.pi * 17 / 20)), rel=1e-13)


def test_warm_restarts_resume_with_last_epoch_matches_torch():
    res = []
    for lib in (torch, ag):
        opt, _ = _build(lib, "SGD", {}, lambda ls, o: ls.CosineAnnealingWarmRestarts(o, 4))
        s = (tls if lib is torch else ours_ls).CosineAnnealingWarmRestarts(opt, 4, 2,
                                                                          last_epoch=5)
        rows = [s.get_last_lr()]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no call-order warning without optimizer.step()
            for _ in range(12):
                s.step()
                rows.append(s.get_last_lr())
        res.append(rows)
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


def test_cyclic_resume_with_last_epoch_matches_torch():
    """Resuming keeps the groups' lr / momentum; as torch, the constructor's step uses the
    groups' ``initial_lr`` as base, later steps the given ``base_lr``."""
    res = []
    for lib in (torch, ag):
        opt, _ = _build(lib, "SGD", {"momentum": 0.9}, lambda ls, o: None)
        for g in opt.param_groups:
            g["initial_lr"] = 0.2
        s = (tls if lib is torch else ours_ls).CyclicLR(
            opt, [0.01, 0.02], 0.1, step_size_up=4, mode="exp_range", gamma=0.95,
            last_epoch=5)
        rows = [_record(opt, s)]
        for _ in range(10):
            opt.step()
            s.step()
            rows.append(_record(opt, s))
        res.append(rows)
    _assert_rows_equal(res[1], res[0])
    assert res[1][0][0][0] > 0.1 and res[1][-1][0][0] < 0.1  # first step used initial_lr


# ------------------------------------------------------------------------- validation
def test_warm_restarts_validation():
    opt, _ = _build(ag, "SGD", {}, lambda ls, o: None)
    W = ours_ls.CosineAnnealingWarmRestarts
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        W(opt, 0)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 2.0"):
        W(opt, 2.0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 0"):
        W(opt, 3, T_mult=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 1.5"):
        W(opt, 3, T_mult=1.5)
    with pytest.raises(ValueError, match="Expected float or int eta_min, but got 0 of type "
                                         "<class 'str'>"):
        W(opt, 3, eta_min="0")
    s = W(opt, 3)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -0.5"):
        s.step(-0.5)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        W([], 3)


def test_cyclic_validation():
    opt, _ = _build(ag, "SGD", {"momentum": 0.9}, lambda ls, o: None)
    C = ours_ls.CyclicLR
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        C(opt, 0.01, 0.1, mode="triangle")
    with pytest.raises(ValueError, match="max_lr must have the same length as "
                                         "optimizer.param_groups. max_lr has 3 values, "
                                         "param_groups has 2"):
        C(opt, 0.01, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="base_momentum must have the same length"):
        C(opt, 0.01, 0.1, base_momentum=[0.8])
    with pytest.raises(ValueError, match="step_size_up > 0 and step_size_down >= 0, but got "
                                         "step_size_up=0, step_size_down=None"):
        C(opt, 0.01, 0.1, step_size_up=0)
    with pytest.raises(ValueError, match="scale_mode must be 'cycle' or 'iterations', but got "
                                         "'iteration'"):
        C(opt, 0.01, 0.1, scale_fn=_half_per_cycle, scale_mode="iteration")
    ada, _ = _build(ag, "Adagrad", {}, lambda ls, o: None)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with "
                                         "`cycle_momentum` option enabled \\(Adagrad has "
                                         "neither"):
        C(ada, 0.01, 0.1)
    s = C(ada, 0.01, 0.1, cycle_momentum=False)  # fine without momentum cycling
    assert s.get_last_lr() == [0.01, 0.01]
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        C([], 0.01, 0.1)


# ------------------------------------------------ 100-step float64 training trajectories
_R = np.random.default_rng(11)
_A, _B = _R.standard_normal((6, 3)), _R.standard_normal((6, 2))
_W0, _C0, _D = _R.standard_normal((3, 2)), _R.standard_normal(4), _R.standard_normal(4)

TRAJ = {
    "CyclicLR-SGD-momentum": ("SGD", {"momentum": 0.9, "nesterov": True}, lambda ls, o:
                              ls.CyclicLR(o, base_lr=[0.005, 0.01], max_lr=[0.05, 0.08],
                                          step_size_up=8, step_size_down=12,
                                          mode="triangular2", base_momentum=0.85,
                                          max_momentum=0.95)),
    "WarmRestarts-Adam": ("Adam", {"amsgrad": True}, lambda ls, o:
                          ls.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3)),
}


def _train(lib, opt_name, opt_kw, make, reload_at=None):
    """f = 0.5 |A W - B|^2 + 0.05 sum W^4 + 0.5 |c - d|^2 through each library's autograd."""
    w = lib.tensor(_W0.copy(), requires_grad=True)
    c = lib.tensor(_C0.copy(), requires_grad=True)
    A, B, D = (lib.tensor(x.copy()) for x in (_A, _B, _D))
    opt, sched = _build(lib, opt_name, opt_kw, make, params=[w, c])
    rows = []
    for t in range(100):
        if t == reload_at:
            opt, sched = _reload(lib, opt_name, opt_kw, make, opt, sched, params=[w, c])
        opt.zero_grad()
        loss = 0.5 * ((A @ w - B) ** 2).sum() + 0.05 * (w ** 4).sum() + 0.5 * ((c - D) ** 2).sum()
        loss.backward()
        opt.step()
        sched.step()
        rows.append((w.detach().numpy().copy(), c.detach().numpy().copy(),
                     *_record(opt, sched)))
    return rows


@pytest.mark.parametrize("name", list(TRAJ))
def test_100_step_float64_training_matches_torch(name):
    opt_name, opt_kw, make = TRAJ[name]
    ref = _train(torch, opt_name, opt_kw, make)
    got = _train(ag, opt_name, opt_kw, make, reload_at=50)
    assert got[0][0].dtype == np.float64
    for t, (g, r) in enumerate(zip(got, ref)):
        for x, y in zip(g[:2], r[:2]):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"step {t}")
    _assert_rows_equal([g[2:] for g in got], [r[2:] for r in ref])
    assert np.abs(ref[-1][0] - _W0).max() > 0.1  # the parameters really moved
    assert len({round(r[2][0], 12) for r in ref}) > 20
