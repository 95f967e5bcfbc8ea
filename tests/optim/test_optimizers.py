"""Optimizers against PyTorch: 100-step trajectories (float64 to 1e-10, float32 to 1e-5) with a
state_dict round trip in the middle, state_dict structure, validation messages, zero_grad and
closures."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import optim

torch = pytest.importorskip("torch")

# A fixed non-quadratic problem with hand-written gradients (independent of any autograd):
# f(W, c) = 0.5 |A W - B|^2 + 0.5 |c - d|^2 + 0.05 sum(W^4)  -> grads below.
_R = np.random.default_rng(1234)
A = _R.standard_normal((5, 3))
B = _R.standard_normal((5, 2))
D = _R.standard_normal(4)
W0 = _R.standard_normal((3, 2))
C0 = _R.standard_normal(4)


def _grads(w: np.ndarray, c: np.ndarray, sign: float) -> tuple[np.ndarray, np.ndarray]:
    gw = A.T @ (A @ w - B) + 0.2 * w ** 3
    gc = c - D
    return sign * gw, sign * gc


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-3, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-4)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.8)),
    ("RMSprop", dict(lr=0.01, momentum=0.8, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=20, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]


def _ids(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


def _run_torch(name, kw, dtype, steps, reload_at=None, skip_c=()):
    w = torch.tensor(W0, dtype=dtype, requires_grad=True)
    c = torch.tensor(C0, dtype=dtype, requires_grad=True)

    def make():
        return getattr(torch.optim, name)([{"params": [w]},
                                           {"params": [c], "lr": kw.get("lr", 1e-2) * 0.5}], **kw)

    opt = make()
    sign = -1.0 if kw.get("maximize") else 1.0
    traj = []
    for t in range(steps):
        if t == reload_at:  # torch's own round trip (it casts scalar state such as ASGD's eta)
            sd = copy.deepcopy(opt.state_dict())
            opt = make()
            opt.load_state_dict(sd)
        gw, gc = _grads(w.detach().double().numpy(), c.detach().double().numpy(), sign)
        w.grad = torch.tensor(gw, dtype=dtype)
        c.grad = None if t in skip_c else torch.tensor(gc, dtype=dtype)
        opt.step()
        traj.append((w.detach().double().numpy().copy(), c.detach().double().numpy().copy()))
    return traj, opt


def _np64(t) -> np.ndarray:
    return t.detach().numpy().astype(np.float64)  # a copy


def _run_ours(name, kw, dtype, steps, reload_at=None, skip_c=()):
    w = ag.tensor(W0, dtype=dtype, requires_grad=True)
    c = ag.tensor(C0, dtype=dtype, requires_grad=True)

    def make():
        return getattr(optim, name)([{"params": [w]},
                                     {"params": [c], "lr": kw.get("lr", 1e-2) * 0.5}], **kw)

    opt = make()
    sign = -1.0 if kw.get("maximize") else 1.0
    traj = []
    for t in range(steps):
        if t == reload_at:
            sd = pickle.loads(pickle.dumps(opt.state_dict()))  # as if saved to disk
            opt = make()
            opt.load_state_dict(sd)
        gw, gc = _grads(_np64(w), _np64(c), sign)
        w.grad = ag.tensor(gw, dtype=dtype)
        c.grad = None if t in skip_c else ag.tensor(gc, dtype=dtype)
        opt.step()
        traj.append((_np64(w), _np64(c)))
    return traj, opt


def _assert_traj(ours, ref, rtol, atol):
    for t, ((w1, c1), (w2, c2)) in enumerate(zip(ours, ref)):
        np.testing.assert_allclose(w1, w2, rtol=rtol, atol=atol, err_msg=f"step {t} weight")
        np.testing.assert_allclose(c1, c2, rtol=rtol, atol=atol, err_msg=f"step {t} bias")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_float64_with_state_dict_round_trip(case):
    name, kw = case
    skip = {3, 4, 60}  # steps where one parameter has no grad: it must be skipped entirely
    ref, topt = _run_torch(name, kw, torch.float64, 100, reload_at=50, skip_c=skip)
    ours, opt = _run_ours(name, kw, ag.float64, 100, reload_at=50, skip_c=skip)
    _assert_traj(ours, ref, rtol=1e-10, atol=1e-12)
    # the trajectory actually moves (a test that cannot fail is no test)
    assert np.abs(ours[-1][0] - W0).max() > 1e-2
    # final state equal to torch's, key by key
    tsd, osd = topt.state_dict(), opt.state_dict()
    assert tsd["param_groups"] == osd["param_groups"]
    assert tsd["state"].keys() == osd["state"].keys()
    for i in tsd["state"]:
        assert list(tsd["state"][i]) == list(osd["state"][i])
        for k, v in tsd["state"][i].items():
            np.testing.assert_allclose(osd["state"][i][k].numpy(), v.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=k)


FLOAT32_CASES = [c for c in CASES if not c[1].get("maximize")][::3]


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=[_ids(c) for c in FLOAT32_CASES])
def test_trajectory_float32(case):
    name, kw = case
    ref, _ = _run_torch(name, kw, torch.float32, 30, reload_at=15)
    ours, opt = _run_ours(name, kw, ag.float32, 30, reload_at=15)
    _assert_traj(ours, ref, rtol=1e-5, atol=1e-6)
    for p in opt.param_groups[0]["params"]:
        assert p.dtype == ag.float32
        for v in opt.state[p].values():
            if v.ndim:
                assert v.dtype == ag.float32


@pytest.mark.parametrize("name", sorted({c[0] for c in CASES}))
def test_state_dict_structure_matches_torch(name):
    kw = dict(momentum=0.9) if name in ("SGD", "RMSprop") else {}
    if name == "RMSprop":
        kw["centered"] = True
    if name == "Adam":
        kw["amsgrad"] = True
    ts = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True),
          torch.zeros(1, requires_grad=True)]
    os_ = [ag.zeros(2, requires_grad=True), ag.zeros(3, requires_grad=True),
           ag.zeros(1, requires_grad=True)]
    topt = getattr(torch.optim, name)([{"params": ts[:2]}, {"params": ts[2:], "lr": 0.5}], **kw)
    oopt = getattr(optim, name)([{"params": os_[:2]}, {"params": os_[2:], "lr": 0.5}], **kw)
    # before any step (Adagrad creates its state eagerly, the others lazily)
    assert _structure(topt.state_dict()) == _structure(oopt.state_dict())
    for t_, o_ in zip(ts[:2], os_[:2]):  # the third parameter never gets a grad
        t_.grad = torch.ones_like(t_)
        o_.grad = ag.ones_like(o_)
    topt.step()
    oopt.step()
    assert _structure(topt.state_dict()) == _structure(oopt.state_dict())
    assert repr(topt) == repr(oopt)


def _structure(sd):
    def desc(v):
        if hasattr(v, "shape"):
            return ("tensor", tuple(v.shape), str(v.dtype).replace("torch.", "").replace(
                "autograd_nn.", ""))
        return v
    return ({i: {k: desc(v) for k, v in s.items()} for i, s in sd["state"].items()},
            sd["param_groups"])


def test_load_torch_state_dict_and_continue():
    """A torch Adam state dict (tensors converted) loads into ours and the trajectories agree."""
    kw = dict(lr=0.05, amsgrad=True)
    ref, _ = _run_torch("Adam", kw, torch.float64, 40)
    part, topt = _run_torch("Adam", kw, torch.float64, 20)
    tsd = topt.state_dict()
    sd = {"state": {i: {k: ag.tensor(v.numpy()) for k, v in s.items()}
                    for i, s in tsd["state"].items()},
          "param_groups": tsd["param_groups"]}
    w = ag.tensor(part[-1][0], requires_grad=True)
    c = ag.tensor(part[-1][1], requires_grad=True)
    opt = optim.Adam([{"params": [w]}, {"params": [c], "lr": 0.025}], **kw)
    opt.load_state_dict(sd)
    assert opt.state[w]["step"].item() == 20.0
    for t in range(20, 40):
        gw, gc = _grads(w.detach().numpy(), c.detach().numpy(), 1.0)
        w.grad, c.grad = ag.tensor(gw), ag.tensor(gc)
        opt.step()
        np.testing.assert_allclose(w.detach().numpy(), ref[t][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(c.detach().numpy(), ref[t][1], rtol=1e-10, atol=1e-12)


def test_load_state_dict_copies_and_casts():
    w = ag.zeros(3, requires_grad=True)  # float32 parameter
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    buf = ag.tensor(np.array([1.0, 2.0, 3.0]))  # float64 buffer
    sd = {"state": {0: {"momentum_buffer": buf}}, "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    loaded = opt.state[w]["momentum_buffer"]
    assert loaded.dtype == ag.float32 and loaded is not buf
    w.grad = ag.zeros(3)
    opt.step()  # buf <- 0.9 buf; the source of the state dict is untouched
    np.testing.assert_allclose(buf.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(_np64(w), -0.1 * 0.9 * np.array([1.0, 2.0, 3.0]), rtol=1e-6)


def test_load_state_dict_errors():
    a, b = ag.zeros(2, requires_grad=True), ag.zeros(2, requires_grad=True)
    sd = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)


def test_hyperparameters_restored_by_load_state_dict():
    a = ag.zeros(2, requires_grad=True)
    src = optim.Adam([a], lr=0.3, betas=(0.5, 0.6))
    dst = optim.Adam([a])
    dst.load_state_dict(src.state_dict())
    assert dst.param_groups[0]["lr"] == 0.3 and dst.param_groups[0]["betas"] == (0.5, 0.6)
    assert dst.param_groups[0]["params"][0] is a


@pytest.mark.parametrize("name,kw,msg", [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-1e-2), "Invalid weight_decay value: -0.01"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero "
                                         "dampening"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    ("Adam", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("RAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Rprop", dict(etas=(1.1, 1.2)), "Invalid eta values: 1.1, 1.2"),
    ("ASGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("LBFGS", dict(lr=-1.0), "Invalid learning rate: -1.0"),
])
def test_invalid_hyperparameters_match_torch(name, kw, msg):
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw)
    assert msg in str(ours.value)
    assert str(ours.value) == str(theirs.value)


def test_param_group_errors():
    a, b = ag.zeros(2, requires_grad=True), ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got torch.FloatTensor"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {a, b}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is int"):
        optim.SGD([a, 3], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([a * 2], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [b, a]})
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([b, b], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])


def test_add_param_group_fills_defaults_and_per_group_options():
    a, b = ag.tensor([1.0], requires_grad=True), ag.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    g = opt.param_groups[1]
    assert g["params"] == [b] and g["lr"] == 0.01 and g["momentum"] == 0.9
    assert set(g) == set(opt.param_groups[0])
    a.grad, b.grad = ag.tensor([1.0]), ag.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9, abs=1e-7) and b.item() == pytest.approx(0.99, abs=1e-7)


def test_named_parameters_and_lr_required():
    a = ag.zeros(2, requires_grad=True)
    opt = optim.Adam([("w", a)])
    assert opt.param_groups[0]["param_names"] == ["w"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w"]

    class Needy(optim.Optimizer):
        def __init__(self, params, lr=optim.optimizer.required):
            super().__init__(params, dict(lr=lr))

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Needy([a])


def test_zero_grad():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    (a * a).sum().backward()
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and np.array_equal(g.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None


def test_closure_runs_with_grad_enabled_and_returns_loss():
    a = ag.tensor([3.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0
    assert a.item() == pytest.approx(3.0 - 0.25 * 6.0)


def test_step_is_not_recorded_and_bumps_version():
    """The update is in place and outside the graph; a graph that saved the old value raises on
    backward, as torch's version counter does."""
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    y = (a * a).sum()
    a.grad = ag.tensor([1.0, 1.0])
    opt.step()
    assert a.grad_fn is None and a.is_leaf and a.requires_grad
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_training_linear_model_matches_torch():
    """End to end with real backward passes: a linear least-squares model, Adam, 20 steps."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((16, 3)), rng.standard_normal((16, 2))
    W, b = rng.standard_normal((2, 3)), np.zeros(2)
    tw, tb = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    ow, ob = ag.tensor(W, requires_grad=True), ag.tensor(b, requires_grad=True)
    topt = torch.optim.Adam([tw, tb], lr=0.1, weight_decay=0.01)
    oopt = optim.Adam([ow, ob], lr=0.1, weight_decay=0.01)
    tx, ty, ox, oy = torch.tensor(X), torch.tensor(Y), ag.tensor(X), ag.tensor(Y)
    for _ in range(20):
        for opt, w, bb, x, y in ((topt, tw, tb, tx, ty), (oopt, ow, ob, ox, oy)):
            opt.zero_grad()
            ((x @ w.T + bb - y) ** 2).mean().backward()
            opt.step()
    np.testing.assert_allclose(ow.detach().numpy(), tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ob.detach().numpy(), tb.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_step_hooks():
    a = ag.tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: calls.append(("pre", a.item())))
    opt.register_step_post_hook(lambda o, args, kw: calls.append(("post", a.item())))
    a.grad = ag.tensor([1.0])
    opt.step()
    h1.remove()
    opt.step()
    assert [c[0] for c in calls] == ["pre", "post", "post"]
    assert calls[0][1] == 1.0 and calls[1][1] == pytest.approx(0.9)


def test_default_hyperparameters_match_torch():
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                 "RAdam", "Rprop", "ASGD", "LBFGS"):
        ours = getattr(optim, name)([ag.zeros(1, requires_grad=True)]).defaults
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
        assert ours == theirs, name


def test_checkpoint_through_save_load_resumes_exactly(tmp_path):
    """optimizer + scheduler state through ag.save/ag.load: the resumed run equals the
    uninterrupted one bit for bit."""
    def run(stop_at=None):
        w = ag.tensor(W0, requires_grad=True)
        c = ag.tensor(C0, requires_grad=True)

        def make():
            opt = optim.Adam([w, c], lr=0.05, amsgrad=True)
            return opt, optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=30)

        opt, sched = make()
        for t in range(30):
            if t == stop_at:
                ag.save({"opt": opt.state_dict(), "sched": sched.state_dict()},
                        tmp_path / "ckpt.safetensors")
                opt, sched = make()
                ck = ag.load(tmp_path / "ckpt.safetensors")
                sched.load_state_dict(ck["sched"])
                opt.load_state_dict(ck["opt"])
            gw, gc = _grads(_np64(w), _np64(c), 1.0)
            w.grad, c.grad = ag.tensor(gw), ag.tensor(gc)
            opt.step()
            sched.step()
        return _np64(w), _np64(c), opt.param_groups[0]["betas"]

    a, b = run(), run(stop_at=13)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]


def _f_and_grads(w: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    f = 0.5 * ((A @ w - B) ** 2).sum() + 0.5 * ((c - D) ** 2).sum() + 0.05 * (w ** 4).sum()
    return (f, *_grads(w, c, 1.0))


def _lbfgs_run(lib, mod, kw):
    w = lib.tensor(W0, requires_grad=True)
    c = lib.tensor(C0, requires_grad=True)
    opt = mod.LBFGS([w, c], **kw)
    evals = [0]

    def closure():
        evals[0] += 1
        opt.zero_grad()
        f, gw, gc = _f_and_grads(w.detach().numpy(), c.detach().numpy())
        w.grad, c.grad = lib.tensor(gw), lib.tensor(gc)
        return lib.tensor(f)

    traj = []
    for _ in range(4):
        loss = opt.step(closure)
        traj.append((float(loss), w.detach().numpy().copy(), c.detach().numpy().copy()))
    return traj, evals[0], opt.state[w]["func_evals"], opt.state[w]["n_iter"]


@pytest.mark.parametrize("kw", [dict(), dict(line_search_fn="strong_wolfe"),
                                dict(lr=0.5, max_iter=7, history_size=3),
                                dict(line_search_fn="strong_wolfe", max_iter=5, max_eval=6,
                                     history_size=2)])
def test_lbfgs_matches_torch(kw):
    results = [_lbfgs_run(torch, torch.optim, kw), _lbfgs_run(ag, optim, kw)]
    (tt, te, tf, tn), (ot, oe, of, on) = results
    assert (te, tf, tn) == (oe, of, on)
    for (l1, w1, c1), (l2, w2, c2) in zip(ot, tt):
        assert l1 == pytest.approx(l2, rel=1e-9)
        np.testing.assert_allclose(w1, w2, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(c1, c2, rtol=1e-8, atol=1e-10)
    f_end = _f_and_grads(ot[-1][1], ot[-1][2])[0]
    assert f_end < 0.5 * _f_and_grads(W0, C0)[0]  # it made progress


def test_lbfgs_single_group_only():
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [ag.zeros(1, requires_grad=True)]},
                     {"params": [ag.zeros(1, requires_grad=True)]}])
