"""compile(module): the forward is one graph node whose backward replays the recorded rules;
``loss.backward()`` outside, input gradients, hooks, no_grad inference and create_graph behave
as eager (the oracle: the same module run eagerly, bitwise)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as torch

nn = torch.nn
F = torch.nn.functional


def _x(*shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                         nn.Linear(8, 3))


def test_training_loop_outside_is_bitwise_eager():
    runs = []
    for compiled in (False, True):
        model = _model()
        m = torch.compile(model) if compiled else model
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        losses = []
        for i in range(8):
            n = 6 if i < 6 else 3  # a short last batch
            y = torch.from_numpy(np.random.default_rng(50 + i).integers(0, 3, n))
            opt.zero_grad()
            loss = F.cross_entropy(m(_x(n, 4, seed=i)), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append((losses, [p._data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert m._compiled.replays == 8 - 4


def test_input_gradients_and_hooks_as_eager():
    grads = []
    for compiled in (False, True):
        model = _model()
        m = torch.compile(model) if compiled else model
        seen = []
        for i in range(3):
            x = _x(5, 4, seed=i).requires_grad_()
            h = x * 2  # history before the module
            out = m(h)
            out.register_hook(lambda g, seen=seen: seen.append(g._data.copy()) or g * 3)
            (out * out).sum().backward()
        grads.append((x.grad._data.copy(), [p.grad._data.copy() for p in model.parameters()],
                      seen))
    e, c = grads
    assert np.array_equal(e[0], c[0])
    assert all(np.array_equal(a, b) for a, b in zip(e[1], c[1]))
    assert all(np.array_equal(a, b) for a, b in zip(e[2], c[2]))


def test_no_grad_inference_replays_bitwise():
    model = _model()
    m = torch.compile(model)
    with torch.no_grad():
        for i in range(4):
            assert np.array_equal(m(_x(7, 4, seed=i))._data, model(_x(7, 4, seed=i))._data)
    assert m._compiled.replays == 2


def test_create_graph_double_backward_matches_eager():
    """A gradient penalty: d/dparams of |d out / d x|^2 (the compiled node differentiates an
    eager recomputation under create_graph)."""
    res = []
    for compiled in (False, True):
        model = _model()
        m = torch.compile(model) if compiled else model
        for i in range(3):
            model.zero_grad()
            x = _x(4, 4, seed=i).requires_grad_()
            (gx,) = torch.autograd.grad(m(x).sum(), x, create_graph=True)
            (gx * gx).sum().backward()
        res.append([None if p.grad is None else p.grad._data.copy()
                    for p in model.parameters()])
    assert [a is None for a in res[0]] == [b is None for b in res[1]]
    assert sum(a is not None for a in res[0]) >= 4
    for a, b in zip(*res):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_state_dict_keys_as_pytorch():
    """PyTorch's OptimizedModule registers the module as ``_orig_mod`` (torch 2.x; checked by
    hand: importing torch._dynamo here would cost ~20 s), and the wrapper shares its
    parameters."""
    lin = nn.Linear(2, 3)
    m = torch.compile(lin)
    assert list(m.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert m._orig_mod is lin and m.weight is lin.weight
    assert [id(p) for p in m.parameters()] == [id(p) for p in lin.parameters()]


def test_forward_hook_is_a_graph_break():
    model = _model()
    calls = []
    model[0].register_forward_hook(lambda mod, args, out: calls.append(1))
    m = torch.compile(model)
    with pytest.warns(UserWarning, match="forward hooks"):
        for i in range(3):
            with torch.no_grad():
                m(_x(2, 4, seed=i))
    assert len(calls) == 3
