"""The replay's preallocated buffers (compiler/lower.py): the ops written out as NumPy calls
with ``out=`` give eager's results bit for bit (the oracle is the same code run eagerly), reuse
their buffers across calls of one specialization, get new ones for another shape, and never hand
a buffer out (a returned tensor or an adopted ``.grad`` is not overwritten by the next call)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd_nn as torch

nn = torch.nn


def _params(seed, shapes, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [torch.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
            for s in shapes]


def _mixed_step(params):
    """Every lowered op, broadcasting (a bias), Python numbers and a sum."""
    w1, b1, w2, b2, s = params
    opt = torch.optim.SGD(params, lr=0.0)  # zero_grad (a recorded call) makes each .grad anew

    def step(x):
        opt.zero_grad()
        h = torch.nn.functional.linear(x, w1, b1).relu()
        h = (h * s + b2 * 0.5).sigmoid() - h * 2.0
        h = torch.nn.functional.linear(h.tanh(), w2) + h.sum(1, keepdim=True)
        loss = (h * h).mean()
        loss.backward()
        return loss, h
    return step


def _run(compiled, xs, dtype=np.float32):
    params = _params(0, [(6, 5), (6,), (4, 6), (6,), (6,)], dtype)
    fn = _mixed_step(params)
    if compiled:
        fn = torch.compile(fn)
    out = []
    for x in xs:
        loss, h = fn(torch.from_numpy(x))
        out.append((loss, h, [p.grad for p in params]))
    return out, fn


def _xs(shapes, dtype=np.float32, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lowered_ops_bitwise_and_nothing_handed_out_is_overwritten(dtype):
    # two shapes (a last short batch): two specializations, each with its own buffers
    xs = _xs([(8, 5)] * 5 + [(3, 5)] * 4 + [(8, 5)], dtype)
    eager, _ = _run(False, xs, dtype)
    comp, fn = _run(True, xs, dtype)
    assert fn.replays == 6  # calls 3-5 and 10 of (8, 5), calls 3-4 of (3, 5)
    for (l1, h1, g1), (l2, h2, g2) in zip(eager, comp):
        # every call's results, checked after all calls: none was overwritten by a later call
        assert np.array_equal(l1._data, l2._data) and l1.dtype == l2.dtype
        assert np.array_equal(h1._data, h2._data)
        for a, b in zip(g1, g2):
            assert b._data.dtype == a._data.dtype and np.array_equal(a._data, b._data)
    progs = [e.program for e in fn.entries()]
    assert len(progs) == 2 and all(p.n_lowered >= 8 and p.buffers for p in progs)
    assert not set(map(id, progs[0].buffers)) & set(map(id, progs[1].buffers))


def test_buffers_reused_across_calls():
    w = _params(0, [(64, 64)], np.float64)[0].detach()

    def chain(x):
        h = x
        for _ in range(20):
            h = (h * w + w).tanh() - h
        return h.sum()

    fn = torch.compile(chain)
    x = torch.from_numpy(_xs([(64, 64)], np.float64)[0])
    expect = [chain(x) for _ in range(3)]
    got = [fn(x) for _ in range(3)]  # trace, validate, replay
    ids = [id(b) for b in fn.entries()[0].program.buffers]
    tracemalloc.start()
    try:
        for _ in range(3):
            got.append(fn(x))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [id(b) for b in fn.entries()[0].program.buffers] == ids
    # eager allocates 80 arrays of 32 KiB per call; the replay writes into its buffers
    assert peak < 4 * 64 * 64 * 8
    assert all(np.array_equal(e._data, g._data) for e in expect for g in got)


def test_adopted_grad_survives_the_next_call():
    # zero_grad(set_to_none=True): each call's .grad is a new tensor, as in eager
    lin = nn.Linear(3, 2)
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = lin(x).tanh().sum()
        loss.backward()
        return loss

    fn = torch.compile(step)
    xs = [torch.from_numpy(x) for x in _xs([(4, 3)] * 5)]
    grads = []
    for x in xs:
        fn(x)
        grads.append((lin.weight.grad, lin.weight.grad._data.copy()))
    assert fn.replays == 3
    for g, value in grads:
        assert np.array_equal(g._data, value)
    assert len({id(g) for g, _ in grads}) == len(grads)


@pytest.mark.parametrize("kw", [dict(momentum=0.9), dict(momentum=0.9, nesterov=True,
                                                         weight_decay=0.01),
                                dict(momentum=0.5, dampening=0.1, maximize=True), dict()])
def test_inlined_sgd_step_and_its_fallbacks_bitwise(kw):
    """optimizer.step() of SGD is written out in the replay (lower.sgd_step) for the plain
    case; other settings, a hook registered mid-run and a changed lr run as in eager."""
    def run(compiled):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 2))
        opt = torch.optim.SGD(model.parameters(), lr=0.1, **kw)

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        fn = torch.compile(step) if compiled else step
        seen = []
        losses = []
        for i, (x, y) in enumerate(zip(_xs([(6, 4)] * 12, seed=2), _xs([(6, 2)] * 12, seed=3))):
            if i == 5:
                opt.param_groups[0]["lr"] = 0.05  # read when the step runs
            if i == 8:
                opt.register_step_pre_hook(lambda o, a, k: seen.append(1))
            losses.append(fn(torch.from_numpy(x), torch.from_numpy(y))._data.copy())
        state = [v._data.copy() for s in opt.state.values() for v in s.values()]
        return losses, [p._data.copy() for p in model.parameters()], state, len(seen), fn

    eager, comp = run(False), run(True)
    assert comp[4].replays == 10
    assert eager[3] == comp[3] == 4
    for a, b in zip(eager[:3], comp[:3]):
        assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_binary_cross_entropy_written_out_bitwise_and_its_error():
    F = torch.nn.functional
    rng = np.random.default_rng(4)

    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = nn.BCELoss()(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return model, step

    xs = [rng.standard_normal((n, 3)).astype(np.float32) for n in [8] * 5 + [3] * 3]
    ys = [(rng.random((len(x), 1)) > 0.5).astype(np.float32) for x in xs]
    runs = []
    for compiled in (False, True):
        model, step = make()
        fn = torch.compile(step) if compiled else step
        losses = [fn(torch.from_numpy(x), torch.from_numpy(y))._data for x, y in zip(xs, ys)]
        runs.append((losses, [p._data.copy() for p in model.parameters()], fn))
    assert runs[1][2].replays == 4
    assert "_bce_logs(" in runs[1][2].entries()[0].program.source  # written out, not called
    for a, b in zip(runs[0][:2], runs[1][:2]):
        assert all(np.array_equal(x, y) for x, y in zip(a, b))

    # an input outside [0, 1] at replay: the error eager raises (the op re-runs on a NaN)
    w = torch.tensor(np.ones((4, 2), np.float32), requires_grad=True)

    def loss_of(p, t):
        loss = F.binary_cross_entropy(p * w, t)
        loss.backward()
        return loss
    fn = torch.compile(loss_of)
    t = torch.from_numpy(np.ones((4, 2), np.float32))
    for _ in range(3):
        fn(torch.from_numpy(np.full((4, 2), 0.5, np.float32)), t)
    bad = torch.from_numpy(np.full((4, 2), 0.5, np.float32))
    bad._data[1, 1] = 1.5
    with pytest.raises(RuntimeError) as eager_err:
        loss_of(bad, t)
    with pytest.raises(RuntimeError) as comp_err:
        fn(bad, t)
    assert fn.replays == 2 and str(comp_err.value) == str(eager_err.value)
    assert "between 0 and 1" in str(comp_err.value)


def test_gradient_to_an_argument_leaf_runs_eagerly():
    # a leaf passed in each call is a new tensor: the recordings differ, the function stays
    # eager (it raised "Boolean value of Tensor" in validation before), every leaf gets its grad
    w = torch.tensor(np.ones(3, np.float32), requires_grad=True)

    def f(p):
        loss = (p * w).sum()
        loss.backward()
        return loss
    fn = torch.compile(f)
    ps = [torch.tensor(np.full(3, i, np.float32), requires_grad=True) for i in range(5)]
    with pytest.warns(UserWarning, match="routed its gradients differently"):
        for p in ps:
            fn(p)
    assert fn.replays == 0
    for p in ps:  # d(sum(p * w))/dp = w
        assert np.array_equal(p.grad._data, w._data)
    assert np.array_equal(w.grad._data, np.full(3, 0 + 1 + 2 + 3 + 4, np.float32))


def test_a_replay_in_progress_makes_other_calls_run_eagerly():
    # the buffers belong to one replay at a time (another thread, a hook calling back): while
    # the lock is held, a call runs eagerly, with eager's results
    w = _params(0, [(4, 4)])[0].detach()

    def f(x):
        return (x * w + w).tanh() - x

    fn = torch.compile(f)
    xs = [torch.from_numpy(x) for x in _xs([(4, 4)] * 4)]
    for x in xs[:3]:
        fn(x)
    prog = fn.entries()[0].program
    assert prog.buffers and fn.replays == 1
    with prog.lock:
        held = fn(xs[3])
    assert fn.replays == 1 and np.array_equal(held._data, f(xs[3])._data)
    again = fn(xs[3])
    assert fn.replays == 2 and np.array_equal(again._data, held._data)


def test_buffers_take_the_layout_eager_gives_and_strides_are_guarded():
    # an F-ordered argument: eager's x * w is F-ordered too, and what reads it (a matmul, a
    # sum) may sum in another order over another layout; the buffer is laid out the same, and a
    # C-ordered argument of the same shape is another specialization
    rng = np.random.default_rng(5)
    w = torch.from_numpy(rng.standard_normal((32, 48)).astype(np.float32))
    v = torch.from_numpy(rng.standard_normal((48, 7)).astype(np.float32))

    def f(x):
        h = (x * x + 0.5).tanh()  # (the layout of x: x * w with a C-ordered w would be C)
        return (h @ v).sum(0) + w.sum(), h

    fn = torch.compile(f)
    a = rng.standard_normal((32, 48)).astype(np.float32)
    for order in ("F", "C", "F", "C"):
        for _ in range(3):
            x = torch.from_numpy(np.array(a, order=order))
            (s1, h1), (s2, h2) = f(x), fn(x)
            assert np.array_equal(s1._data, s2._data) and np.array_equal(h1._data, h2._data)
            assert h1._data.flags.f_contiguous == (order == "F") == h2._data.flags.f_contiguous
        a = a + 1
    assert fn.traces == 2 and fn.replays == 8
    first = {e.program.buffers[0].flags.f_contiguous for e in fn.entries()}
    assert first == {True, False}
