"""Adafactor and Muon against torch.optim's: trajectories (float64 and float32), state_dict
structure, defaults and validation; Muon's bfloat16 Newton-Schulz iteration bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_optimizers import _assert_traj, _run_ours, _run_torch, _structure

import autograd_nn as ag
from autograd_nn import optim
from autograd_nn.optim.muon import zeropower_via_newtonschulz

torch = pytest.importorskip("torch")
_torch_newton_schulz = pytest.importorskip("torch.optim._muon")._zeropower_via_newtonschulz

ADAFACTOR = [dict(), dict(lr=0.05), dict(lr=0.05, weight_decay=0.1, d=2.0)]


@pytest.mark.parametrize("kw", ADAFACTOR)
def test_adafactor_trajectory_float64(kw):
    skip = {3, 4, 60}
    ref, topt = _run_torch("Adafactor", kw, torch.float64, 100, reload_at=50, skip_c=skip)
    ours, opt = _run_ours("Adafactor", kw, ag.float64, 100, reload_at=50, skip_c=skip)
    _assert_traj(ours, ref, rtol=1e-10, atol=1e-12)
    assert np.abs(ours[-1][0] - ours[0][0]).max() > 1e-3
    tsd, osd = topt.state_dict(), opt.state_dict()
    assert tsd["param_groups"] == osd["param_groups"]
    for i in tsd["state"]:
        assert list(tsd["state"][i]) == list(osd["state"][i])
        for k, v in tsd["state"][i].items():
            np.testing.assert_allclose(osd["state"][i][k].numpy(), v.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=k)


@pytest.mark.parametrize("maximize", [False, True])
def test_adafactor_beta2_decay_eps(maximize):
    # with these options the trajectory itself amplifies rounding ~3x per step after step 30
    # (torch against torch with W0 moved by 4e-16: 3e-16 at step 30, 3e-12 at 45), so 30 steps
    kw = dict(lr=0.05, beta2_decay=-0.5, eps=(1e-6, 1e-2), maximize=maximize)
    ref, _ = _run_torch("Adafactor", kw, torch.float64, 30, reload_at=15)
    ours, _ = _run_ours("Adafactor", kw, ag.float64, 30, reload_at=15)
    _assert_traj(ours, ref, rtol=1e-10, atol=1e-12)


def test_adafactor_trajectory_float32():
    ref, _ = _run_torch("Adafactor", dict(lr=0.05), torch.float32, 30, reload_at=15)
    ours, _ = _run_ours("Adafactor", dict(lr=0.05), ag.float32, 30, reload_at=15)
    _assert_traj(ours, ref, rtol=1e-5, atol=1e-6)


def test_adafactor_factored_state_of_a_3d_parameter():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    pt, po = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    topt, oopt = torch.optim.Adafactor([pt], lr=0.1), optim.Adafactor([po], lr=0.1)
    for k in range(5):
        g = np.cos(x * (k + 1))
        pt.grad, po.grad = torch.tensor(g), ag.tensor(g)
        topt.step()
        oopt.step()
    np.testing.assert_allclose(po.detach().numpy(), pt.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert _structure(topt.state_dict()) == _structure(oopt.state_dict())


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (16, 16), (40, 24)])
def test_newton_schulz_matches_torch_bit_for_bit(shape):
    g = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    theirs = _torch_newton_schulz(torch.tensor(g), (3.4445, -4.775, 2.0315), 5, 1e-7)
    ours = zeropower_via_newtonschulz(g, (3.4445, -4.775, 2.0315), 5, 1e-7)
    np.testing.assert_array_equal(ours, theirs.float().numpy())
    # and it orthogonalises: singular values pulled into roughly (0.5, 1.5)
    s = np.linalg.svd(ours.astype(np.float64), compute_uv=False)
    assert 0.3 < s.min() and s.max() < 1.5


_RM = np.random.default_rng(7)
_W1, _W2 = _RM.standard_normal((5, 3)), _RM.standard_normal((3, 4))
_X, _Y = _RM.standard_normal((8, 5)), _RM.standard_normal((8, 4))


def _muon_grads(w1, w2):
    """Gradients of 0.5 |tanh(X W1) W2 - Y|^2, by hand."""
    h = np.tanh(_X @ w1)
    r = h @ w2 - _Y
    return _X.T @ ((r @ w2.T) * (1 - h * h)), h.T @ r


@pytest.mark.parametrize("kw", [dict(lr=0.02), dict(lr=0.02, nesterov=False, momentum=0.9),
                                dict(lr=0.01, weight_decay=0.0, adjust_lr_fn="match_rms_adamw"),
                                dict(lr=0.02, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5))])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_muon_trajectory(kw, dtype):
    tw = [torch.tensor(w, dtype=getattr(torch, dtype), requires_grad=True) for w in (_W1, _W2)]
    ow = [ag.tensor(w, dtype=getattr(ag, dtype), requires_grad=True) for w in (_W1, _W2)]
    topt = torch.optim.Muon([{"params": tw[:1]}, {"params": tw[1:], "lr": 0.5 * kw["lr"]}], **kw)
    oopt = optim.Muon([{"params": ow[:1]}, {"params": ow[1:], "lr": 0.5 * kw["lr"]}], **kw)
    for step in range(20):
        for ts, os_, g in zip(tw, ow, _muon_grads(*(t.detach().double().numpy() for t in tw))):
            ts.grad = torch.tensor(g, dtype=ts.dtype)
            os_.grad = ag.tensor(g, dtype=os_.dtype)
        topt.step()
        oopt.step()
        for ts, os_ in zip(tw, ow):
            np.testing.assert_allclose(os_.detach().numpy(), ts.detach().numpy(),
                                       rtol=1e-10 if dtype == "float64" else 1e-5,
                                       atol=1e-12 if dtype == "float64" else 1e-6,
                                       err_msg=f"step {step}")
    assert np.abs(ow[0].detach().numpy() - _W1).max() > 1e-2
    assert _structure(topt.state_dict()) == _structure(oopt.state_dict())


def test_defaults_and_validation_match_torch():
    for name in ("Adafactor", "Muon"):
        p = [[1.0, 2.0]]
        ours = getattr(optim, name)([ag.tensor(p, requires_grad=True)]).defaults
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.optim, name)([torch.tensor(p, requires_grad=True)]).defaults
        assert ours == theirs, name
    cases = [("Adafactor", dict(lr=-1.0)), ("Adafactor", dict(beta2_decay=0.5)),
             ("Adafactor", dict(eps=(-1.0, 1e-3))), ("Adafactor", dict(d=0.5)),
             ("Adafactor", dict(weight_decay=-0.1)), ("Muon", dict(momentum=-0.1)),
             ("Muon", dict(adjust_lr_fn="other")), ("Muon", dict(weight_decay=-1.0))]
    for name, kw in cases:
        with pytest.raises(ValueError) as theirs:
            getattr(torch.optim, name)([torch.zeros(2, 2, requires_grad=True)], **kw)
        with pytest.raises(ValueError) as ours:
            getattr(optim, name)([ag.zeros(2, 2, requires_grad=True)], **kw)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="2D parameters"):
        optim.Muon([ag.zeros(3, requires_grad=True)])


def _swap_run(lib, opt_mod):
    """An Adam with state steps a copy of its parameters and state inside the context: the copy
    moves, the live parameters and state do not, and the groups come back."""
    w = lib.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([0.1, -0.2], dtype=lib.float64, requires_grad=True)
    opt = opt_mod.Adam([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    for p in (w, b):
        p.grad = lib.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    copies = {"w": w.detach().clone(), "b": b.detach().clone()}
    state = {"state": {k: {n: t.clone() for n, t in v.items()} for k, v in sd["state"].items()},
             "param_groups": [dict(g, lr=g["lr"] * 2) for g in sd["param_groups"]]}
    for p in copies.values():
        p.grad = lib.ones_like(p) * 3
    live_groups = opt.param_groups[0]["params"]
    with opt_mod.swap_in_optimizer_params_and_state(opt, copies, state):
        assert opt.param_groups[0]["lr"] == 0.2
        opt.step()
    assert opt.param_groups[0]["params"] is live_groups and opt.param_groups[0]["lr"] == 0.1
    return ([c.detach().numpy().copy() for c in copies.values()],
            [w.detach().numpy().copy(), b.detach().numpy().copy()],
            [state["state"][0]["exp_avg"].numpy().copy()], opt)


def test_swap_in_optimizer_params_and_state_matches_torch():
    ours, theirs = _swap_run(ag, optim), _swap_run(torch, torch.optim)
    for o, t in zip(ours[:3], theirs[:3]):
        for a, b in zip(o, t):
            np.testing.assert_allclose(a, b, rtol=1e-12)
    assert not np.allclose(ours[0][0], ours[1][0])  # the swapped-in copy moved, the live not
    with pytest.raises(RuntimeError, match="initialized optimizer state"):
        with optim.swap_in_optimizer_params_and_state(
                optim.SGD([ag.zeros(2, requires_grad=True)], lr=0.1), {}, {}):
            pass
    opt = ours[3]
    bad = opt.state_dict()
    bad["param_groups"] = bad["param_groups"][:1]
    with pytest.raises(RuntimeError, match="different number of parameter groups"):
        with optim.swap_in_optimizer_params_and_state(opt, {}, bad):
            pass
