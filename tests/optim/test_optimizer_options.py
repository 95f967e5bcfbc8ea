"""Optimizer audit: every listed option *combined*, and different options per param group,
as 100-step trajectories against PyTorch (float64 to 1e-10) with a state_dict round trip
(pickled, into a fresh optimizer) at step 50. Gradients are hand-written (no autograd)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import optim

torch = pytest.importorskip("torch")

_R = np.random.default_rng(11)
A, B = _R.standard_normal((6, 3)), _R.standard_normal((6, 2))
W0, C0, D = _R.standard_normal((3, 2)), _R.standard_normal(5), _R.standard_normal(5)


def _grads(w: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f = 0.5 |A W - B|^2 + 0.05 sum W^4 + sum log cosh(c - d)."""
    return A.T @ (A @ w - B) + 0.2 * w ** 3, np.tanh(c - D)


# (optimizer, defaults, options of the second group overriding them)
CASES = [
    ("SGD", dict(lr=0.03, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=False),
     dict(momentum=0.5, dampening=0.3, nesterov=False, lr=0.01)),
    ("SGD", dict(lr=0.02, momentum=0.8, dampening=0.4, weight_decay=0.1), dict(momentum=0.0)),
    ("Adam", dict(lr=0.04, amsgrad=True, weight_decay=0.05, betas=(0.85, 0.95), eps=1e-6),
     dict(amsgrad=False, weight_decay=0.0, lr=0.02)),
    ("AdamW", dict(lr=0.04, amsgrad=True, weight_decay=0.2), dict(betas=(0.7, 0.9))),
    ("RMSprop", dict(lr=0.005, momentum=0.7, centered=True, weight_decay=0.05, alpha=0.95),
     dict(centered=False, momentum=0.0, eps=1e-4)),
    ("Adagrad", dict(lr=0.2, lr_decay=0.02, weight_decay=0.05, initial_accumulator_value=0.3),
     dict(lr_decay=0.0, eps=1e-6)),
    ("Adadelta", dict(lr=0.8, rho=0.85, weight_decay=0.02), dict(rho=0.95)),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.98), weight_decay=0.05), dict(eps=1e-4)),
    ("NAdam", dict(lr=0.03, momentum_decay=0.006, weight_decay=0.05),
     dict(decoupled_weight_decay=True, weight_decay=0.1)),
    ("RAdam", dict(lr=0.03, weight_decay=0.05), dict(decoupled_weight_decay=True)),
]


def _run(lib, name, defaults, group2, reload_at=None):
    mod = torch.optim if lib is torch else optim
    w = lib.tensor(W0.copy(), requires_grad=True)
    c = lib.tensor(C0.copy(), requires_grad=True)

    def make():
        return getattr(mod, name)([{"params": [w]}, {"params": [c], **group2}], **defaults)

    opt = make()
    traj = []
    for t in range(100):
        if t == reload_at:
            sd = pickle.loads(pickle.dumps(opt.state_dict()))
            opt = make()
            opt.load_state_dict(sd)
        gw, gc = _grads(w.detach().numpy(), c.detach().numpy())
        w.grad = lib.tensor(gw)
        c.grad = None if t in (7, 8) else lib.tensor(gc)  # a group-2 param skips two steps
        opt.step()
        traj.append((w.detach().numpy().copy(), c.detach().numpy().copy()))
    return traj, opt


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_combined_and_per_group_options_trajectory(case):
    name, defaults, group2 = case
    ref, topt = _run(torch, name, defaults, group2)
    got, oopt = _run(ag, name, defaults, group2, reload_at=50)
    for t, ((w1, c1), (w2, c2)) in enumerate(zip(got, ref)):
        np.testing.assert_allclose(w1, w2, rtol=1e-10, atol=1e-12, err_msg=f"step {t} group 0")
        np.testing.assert_allclose(c1, c2, rtol=1e-10, atol=1e-12, err_msg=f"step {t} group 1")
    assert np.abs(got[-1][0] - W0).max() > 1e-2 and np.abs(got[-1][1] - C0).max() > 1e-2
    assert oopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


@pytest.mark.parametrize("maximize", [False, True])
def test_sgd_nesterov_weight_decay_maximize_closed_form(maximize):
    """Two steps by hand: g' = g + wd p (maximize: -g + wd p); buf_1 = g'; buf_2 = mu buf_1 +
    g'_2 (dampening applies from the second step); nesterov steps by g' + mu buf."""
    lr, mu, wd = 0.1, 0.9, 0.01
    p = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([p], lr=lr, momentum=mu, nesterov=True, weight_decay=wd, maximize=maximize)
    s = -1.0 if maximize else 1.0
    x = np.array([1.0, -2.0])
    buf = None
    for g in (np.array([0.5, 0.25]), np.array([-1.0, 3.0])):
        p.grad = ag.tensor(g)
        opt.step()
        gp = s * g + wd * x
        buf = gp if buf is None else mu * buf + gp
        x = x - lr * (gp + mu * buf)
        np.testing.assert_allclose(p.detach().numpy(), x, rtol=1e-15, atol=0)
