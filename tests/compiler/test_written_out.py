"""The written-out kernels of compiler/lower.py beyond the first set: Python numbers as 0-d
operands, Sigmoid's masked product as product + putmask, BinaryCrossEntropy's mean into a 0-d
buffer, SGD's lr/momentum read into 0-d arrays, adopted gradients recycled when dropped, and
Adam's step. The oracle is the same code run eagerly: every result must be eager's, bit for bit
(compared as raw bytes, so NaN payloads and signs of zero count), over several replayed calls."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as torch
from autograd_nn._ops import rnn as rnn_ops

nn = torch.nn
F = torch.nn.functional


def _bits(a) -> bytes:
    a = a._data if isinstance(a, torch.Tensor) else np.asarray(a)
    return a.dtype.str.encode() + repr(a.shape).encode() + np.ascontiguousarray(a).tobytes()


def _same(xs, ys) -> None:
    assert len(xs) == len(ys)
    for a, b in zip(xs, ys):
        assert _bits(a) == _bits(b)


def _twice(make, calls):
    """Run ``make()``'s step eagerly and compiled over ``calls`` (argument tuples); returns the
    two lists of per-call results (copied at once) and the compiled function. Every returned
    tensor is also kept and checked after the last call: no later call overwrote it (buffer
    aliasing)."""
    out = []
    for compiled in (False, True):
        step, state = make()
        fn = torch.compile(step) if compiled else step
        res, kept = [], []
        for args in calls:
            r = fn(*[torch.from_numpy(a) for a in args])
            r = r if isinstance(r, tuple) else (r,)
            kept.append(r)
            res.append([np.array(t._data, copy=True) for t in r]
                       + [np.array(s._data, copy=True) for s in state()])
        for r, copies in zip(kept, res):
            _same(r, copies[:len(r)])
        out.append((res, fn))
    return out


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_python_numbers_as_0d_operands_bitwise(dtype):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((5, 4)).astype(dtype)

    def make():
        w = torch.tensor(w0.copy(), requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.0)  # (opt.zero_grad(): recorded; p.grad = None is not)

        def step(x):
            opt.zero_grad()
            # inexact floats (0.1, 1/3), ints, an int not exact in float16/32 (kept a literal)
            h = (x * 0.1 + 3) * w - (1 / 3) * w + (2 ** 70 + 1) * 1e-21
            h = (2.5 - h).tanh() * -7 + (h - 1).relu()
            loss = (h * h).sum()
            loss.backward()
            return loss, h
        return step, lambda: [w.grad]

    calls = [(rng.standard_normal((5, 4)).astype(dtype),) for _ in range(5)]
    (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 3
    assert "N0" in fn.entries()[0].program.source  # 0-d operands are used
    for a, b in zip(eager, comp):
        _same(a, b)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_putmask_bitwise_at_edge_values(dtype):
    edge = np.array([-0.0, 0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-30, -1e-30, 88.0, -88.0,
                     800.0, -800.0, 5e-324, -5e-324, 0.5, -0.5], dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        edge = edge.astype(dtype)
    rng = np.random.default_rng(1)

    def make():
        s = torch.tensor(np.ones(edge.shape, dtype), requires_grad=True)
        opt = torch.optim.SGD([s], lr=0.0)  # (opt.zero_grad(): recorded; p.grad = None is not)

        def step(x):
            opt.zero_grad()
            y = (x * s).sigmoid()
            y.sum().backward()
            return y
        return step, lambda: [s.grad]

    calls = [(edge * dtype(k),) for k in (1, -1, 2)] + \
        [(rng.standard_normal(edge.shape).astype(dtype) * 10,) for _ in range(3)]
    with np.errstate(all="ignore"):
        (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 4 and "_putmask(" in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_mean_into_a_0d_buffer_bitwise(dtype):
    # an odd, large count: NumPy's pairwise summation takes several blocks
    rng = np.random.default_rng(2)
    shape = (777, 3)

    def make():
        w = torch.tensor(np.full(shape, 0.5, dtype), requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.0)  # (opt.zero_grad(): recorded; p.grad = None is not)

        def step(p, t):
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy((p * w).sigmoid(), t)
            loss.backward()
            return loss
        return step, lambda: [w.grad]

    calls = [(rng.standard_normal(shape).astype(dtype) * 4,
              (rng.random(shape) > 0.5).astype(dtype)) for _ in range(5)]
    (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 3 and "_bce_logs(" in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)


def test_sgd_lr_and_momentum_read_at_replay_bitwise():
    # two groups (float32 and float64 parameters), lr changed between calls to inexact values
    rng = np.random.default_rng(3)
    a0 = rng.standard_normal((4, 3)).astype(np.float32)
    b0 = rng.standard_normal((3,)).astype(np.float64)

    def make():
        a = torch.tensor(a0.copy(), requires_grad=True)
        b = torch.tensor(b0.copy(), requires_grad=True)
        opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3, "momentum": 0.0}],
                              lr=0.1, momentum=0.9)
        k = [0]

        def step(x, y):
            opt.zero_grad()
            loss = ((x @ a).tanh() * y).sum() + (b.double() * b).sum()
            loss.backward()
            opt.step()
            return loss

        def state():
            k[0] += 1  # the next call's learning rates (a scheduler's job)
            opt.param_groups[0]["lr"] = 0.1 / (1 + k[0]) ** 0.5
            opt.param_groups[1]["lr"] = 1 / 3 + k[0] / 7
            return [a, b] + [s["momentum_buffer"] for s in opt.state.values()
                             if s.get("momentum_buffer") is not None]
        return step, state

    calls = [(rng.standard_normal((2, 4)).astype(np.float32),
              rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(7)]
    (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 5 and "_sgd" in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)


def test_adopted_grad_recycled_only_when_nothing_holds_it():
    lin = nn.Linear(6, 3)
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = lin(x).tanh().sum()
        loss.backward()
        return loss

    fn = torch.compile(step)
    rng = np.random.default_rng(4)
    xs = [torch.from_numpy(rng.standard_normal((5, 6)).astype(np.float32)) for _ in range(9)]
    for x in xs[:4]:
        fn(x)
    assert fn.replays == 2
    # nothing kept: the next call computes into the memory the dropped .grad had
    wid, bid = id(lin.weight.grad._data), id(lin.bias.grad._data)
    fn(xs[4])
    assert (id(lin.weight.grad._data), id(lin.bias.grad._data)) == (wid, bid)
    # a kept Tensor, a kept view of the other array: both survive the next calls unchanged
    kept_w, kept_b = lin.weight.grad, lin.bias.grad._data[1:]
    copies = (kept_w._data.copy(), kept_b.copy())
    fn(xs[5])
    fn(xs[6])
    assert np.array_equal(kept_w._data, copies[0]) and np.array_equal(kept_b, copies[1])
    assert lin.weight.grad is not kept_w and lin.weight.grad._data is not kept_w._data
    assert not np.shares_memory(lin.bias.grad._data, kept_b)
    # and the values are eager's
    torch.manual_seed(0)
    ref = nn.Linear(6, 3)
    ref.load_state_dict({k: v for k, v in lin.state_dict().items()})
    fn(xs[7])
    step_ref = torch.optim.SGD(ref.parameters(), lr=0.1)
    step_ref.zero_grad()
    ref(xs[7]).tanh().sum().backward()
    assert np.array_equal(ref.weight.grad._data, lin.weight.grad._data)
    assert np.array_equal(ref.bias.grad._data, lin.bias.grad._data)


@pytest.mark.parametrize("cls, kw", [("Adam", {}), ("AdamW", {"weight_decay": 0.05}),
                                     ("Adam", {"betas": (0.8, 0.99), "eps": 1e-6})])
def test_adam_step_written_out_bitwise(cls, kw, monkeypatch):
    # two groups (float32 and float64), a parameter that never gets a gradient, lr changed
    # between calls by a scheduler, the state cleared once (the real step re-creates it)
    rng = np.random.default_rng(5)
    a0 = rng.standard_normal((4, 3)).astype(np.float32)
    b0 = rng.standard_normal((3,)).astype(np.float64)

    def make():
        a = torch.tensor(a0.copy(), requires_grad=True)
        b = torch.tensor(b0.copy(), requires_grad=True)
        unused = torch.tensor(np.ones(2, np.float32), requires_grad=True)
        opt = getattr(torch.optim, cls)([{"params": [a, unused]}, {"params": [b], "lr": 0.03}],
                                        lr=0.01, **kw)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.7)
        k = [0]

        def step(x, y):
            opt.zero_grad()
            loss = ((x @ a).tanh() * y).sum() + (b * b).sum()
            loss.backward()
            opt.step()
            return loss

        def state():
            k[0] += 1
            sched.step()
            if k[0] == 5:
                opt.state.clear()
            return [a, b, unused] + [v for s in opt.state.values() for v in s.values()]
        return step, state

    calls = [(rng.standard_normal((2, 4)).astype(np.float32),
              rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(9)]
    runs = []
    orig = torch.optim.Adam._update_group
    monkeypatch.setattr(torch.optim.Adam, "_update_group",
                        lambda self, group: (runs.append(1), orig(self, group))[1])
    (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 7 and "_sqrt(" in fn.entries()[0].program.source
    # the real update ran for both groups: 9 eager calls, the 2 recorded ones and the one
    # after the state was cleared (the 6 other replays ran the written-out step)
    assert len(runs) == 2 * (9 + 3)
    for a, b in zip(eager, comp):
        _same(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_and_class_coefficients_written_out_bitwise(dtype):
    # an MLP step with nn.CrossEntropyLoss; at replay a batch with an ignored target (-100)
    # takes the helper's path, and a target out of range raises eager's error
    rng = np.random.default_rng(6)
    n, c = 37, 7  # odd sizes: several summation blocks, an uneven class count

    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, c)).to(
            torch.float64 if dtype == np.float64 else torch.float32)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return step, lambda: list(model.parameters())

    ys = [rng.integers(0, c, n) for _ in range(7)]
    ys[4][[3, 30]] = -100  # ignored at replay: the helper runs
    calls = [(rng.standard_normal((n, 5)).astype(dtype) * 3, y) for y in ys]
    (eager, _), (comp, fn) = _twice(make, calls)
    src = fn.entries()[0].program.source
    assert fn.replays == 5 and "_einsum(" in src and "CrossEntropy_forward" not in src
    for a, b in zip(eager, comp):
        _same(a, b)
    bad = calls[0][1].copy()
    bad[5] = c
    with pytest.raises(IndexError, match="out of bounds"):
        fn(torch.from_numpy(calls[0][0]), torch.from_numpy(bad))


def test_max_pool_arg_max_written_out_bitwise_ties_nan_and_returned_values():
    # 2x2 tiles (the written-out case) and a 3x3 stride-2 pool (the helper), ties of +-0.0
    # and equal values (the first maximum wins), a NaN at replay (the helper), the pooled
    # output returned (a buffer: handed out as a copy)
    rng = np.random.default_rng(7)

    def make():
        torch.manual_seed(0)
        conv = nn.Conv2d(2, 3, 3, padding=1)
        opt = torch.optim.SGD(conv.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            h = conv(x).relu()
            p = nn.functional.max_pool2d(h, 2)
            q = nn.functional.max_pool2d(x, 3, stride=2)
            loss = (p * p).sum() + q.sum()
            loss.backward()
            opt.step()
            return loss, p
        return step, lambda: list(conv.parameters())

    xs = [rng.standard_normal((4, 2, 8, 8)).astype(np.float32) for _ in range(7)]
    xs[3] = np.round(xs[3])  # many equal values
    xs[3][:, :, ::2] = -0.0
    xs[4][1, 0, 2, 3] = np.nan
    with np.errstate(invalid="ignore"):
        (eager, _), (comp, fn) = _twice(make, [(x,) for x in xs])
    assert fn.replays == 5 and "_equal(" in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)
    # every returned pooled output, checked after all calls: none was overwritten
    step, _ = make()
    f = torch.compile(step)
    with np.errstate(invalid="ignore"):
        outs = [f(torch.from_numpy(x))[1] for x in xs]
    assert f.replays == 5
    for o, e in zip(outs, eager):
        assert _bits(o) == _bits(e[1])


def _nan(dtype, payload: int):
    """A quiet NaN of ``dtype`` with a payload (the scatter must carry these bits)."""
    u = np.dtype(f"u{np.dtype(dtype).itemsize}")
    bits = np.array(np.nan, dtype=dtype).view(u) | u.type(payload)
    return bits.view(dtype)[()]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("nd, size, k", [(1, 9, 2), (2, 9, 2), (2, 8, 2), (2, 9, 3),
                                         (3, 5, 2)])
def test_max_pool_masks_and_scatter_written_out_bitwise(dtype, nd, size, k):
    # max pooling whose indices only its own gather reads: the arg-max kept as tap masks, the
    # backward's scatter a masked copy per tap (compiler/lower.py: _pool_masks, _gather_bwd).
    # The incoming gradient carries -0.0 and NaN payloads (copied as bits), sizes not covered
    # by whole windows leave +0.0 there, ties and +-0.0 pick the first maximum, a NaN input
    # takes the helper's NaN rule; one pool on a parameter (its gradient adopted as .grad:
    # an array of its own), one on a product (a buffer, then Mul's rule), two on ReLUs: one
    # read only by its pool (ReLU's rule done on the pooled size before the scatter) and one
    # read again (ReLU's own rule)
    rng = np.random.default_rng(11 + nd + size + k)
    shape = (3, 2) + (size,) * nd
    pool = getattr(nn.functional, f"max_pool{nd}d")
    osize = (size // k,) * nd
    c0 = rng.standard_normal((3, 2) + osize).astype(dtype)
    c0.flat[::5] = -0.0
    c0.flat[1] = _nan(dtype, 3)
    c0.flat[7] = -_nan(dtype, 5)
    w0, s0 = (rng.standard_normal(shape).astype(dtype) for _ in range(2))

    def make():
        w, s = nn.Parameter(torch.tensor(w0)), nn.Parameter(torch.tensor(s0))
        c = torch.tensor(c0)
        opt = torch.optim.SGD([w, s], lr=0.0)

        def step(x):
            opt.zero_grad()
            a = pool(w, k)
            b = pool(x * s, k)
            r1, r2 = (x * s - 0.5).relu(), (x - s).relu()
            loss = (a * c).sum() + (b * c).sum() + (pool(r1, k) * c).sum() + \
                (pool(r2, k) * c).sum() + r2.sum()
            loss.backward()
            return a, b
        return step, lambda: [w.grad, s.grad]

    xs = [rng.standard_normal(shape).astype(dtype) for _ in range(6)]
    xs[2] = np.round(xs[2])  # ties
    xs[2].flat[::3] = -0.0
    xs[3].flat[4] = np.nan
    with np.errstate(invalid="ignore"):
        (eager, _), (comp, fn) = _twice(make, [(x,) for x in xs])
    prog = fn.entries()[0].program
    assert fn.replays == 4 and "_and(" in prog.source and "PoolScatter" not in prog.source
    assert len(prog.identity_rules) == 1  # r1's rule, not r2's
    for a, b in zip(eager, comp):
        _same(a, b)


def test_max_pool_returned_indices_keep_the_helper_indices():
    # indices read by the user (return_indices=True): computed as the helper does, bitwise
    rng = np.random.default_rng(12)
    w0 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)

    def make():
        w = nn.Parameter(torch.tensor(w0))
        opt = torch.optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            p, i = nn.functional.max_pool2d(w * x, 2, return_indices=True)
            p.sum().backward()
            opt.step()
            return p, i
        return step, lambda: [w, w.grad]

    xs = [rng.standard_normal((2, 3, 6, 6)).astype(np.float32) for _ in range(5)]
    xs[1] = np.round(xs[1])
    (eager, _), (comp, fn) = _twice(make, [(x,) for x in xs])
    assert fn.replays == 3 and "_take(" in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("conv_kw", [{"padding": 1}, {"padding": 0, "stride": 2},
                                     {"padding": (2, 1), "dilation": 2}])
def test_conv_written_out_bitwise(dtype, conv_kw):
    # two convolutions (the second one's input gradient is written out too), momentum SGD
    rng = np.random.default_rng(8)
    tdt = torch.float64 if dtype == np.float64 else torch.float32

    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(2, 4, 3, **conv_kw), nn.Tanh(),
                              nn.Conv2d(4, 3, 3, **conv_kw)).to(tdt)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(x):
            opt.zero_grad()
            y = model(x)
            loss = (y * y).mean()
            loss.backward()
            opt.step()
            return loss, y
        return step, lambda: list(model.parameters())

    calls = [(rng.standard_normal((3, 2, 11, 10)).astype(dtype),) for _ in range(6)]
    (eager, _), (comp, fn) = _twice(make, calls)
    src = fn.entries()[0].program.source
    assert fn.replays == 4 and "Conv_forward" not in src and "_dot(" in src
    for a, b in zip(eager, comp):
        _same(a, b)


def test_max_autotune_fuses_sigmoid_bce_backward_at_a_tolerance():
    # mode="max-autotune": BCE(sigmoid(z)) differentiated as BCE-with-logits, (p - t) / n:
    # not eager's bits (documented); the oracle is the float64 gradient of the same loss,
    # and the loss itself (the forward is unchanged) stays eager's, bit for bit
    rng = np.random.default_rng(9)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # parameters stay put: calls comparable

    def step(x, y):
        opt.zero_grad()
        loss = nn.BCELoss()(model(x), y)
        loss.backward()
        return loss

    fused = torch.compile(step, mode="max-autotune")
    xs = [rng.standard_normal((16, 3)).astype(np.float32) for _ in range(5)]
    ys = [(rng.random((16, 1)) > 0.5).astype(np.float32) for _ in range(5)]
    for x, y in zip(xs, ys):
        X, Y = torch.from_numpy(x), torch.from_numpy(y)
        got = fused(X, Y)
        grads = [p.grad._data.copy() for p in model.parameters()]
        want = step(X, Y)
        eager = [p.grad._data.copy() for p in model.parameters()]
        assert _bits(got) == _bits(want)
        # float64 reference: the same model and loss, eager, in double precision
        m64 = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid()).double()
        m64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
        nn.BCELoss()(m64(X.double()), Y.double()).backward()
        for g, e, p64 in zip(grads, eager, m64.parameters()):
            ref = p64.grad._data
            np.testing.assert_allclose(g, ref, rtol=2e-5, atol=1e-7)
            np.testing.assert_allclose(g, e, rtol=2e-5, atol=1e-7)
    assert fused.replays == 3
    src = fused.entries()[0].program.source
    assert "_max(B" not in src.split("# backward pass")[1]  # BCE's rule is not in it
    plain = torch.compile(step)  # the default mode: eager's bits
    for x, y in zip(xs, ys):
        plain(torch.from_numpy(x), torch.from_numpy(y))
    assert "_max(B" in plain.entries()[0].program.source.split("# backward pass")[1]


@pytest.mark.parametrize("nd", [1, 3])
def test_conv_written_out_bitwise_1d_3d(nd):
    rng = np.random.default_rng(10)
    Conv = {1: nn.Conv1d, 3: nn.Conv3d}[nd]
    size = {1: (13,), 3: (5, 6, 4)}[nd]

    def make():
        torch.manual_seed(0)
        model = nn.Sequential(Conv(2, 3, 3, padding=1), nn.ReLU(), Conv(3, 2, 2, stride=2))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = model(x).tanh().sum()
            loss.backward()
            opt.step()
            return loss
        return step, lambda: list(model.parameters())

    calls = [(rng.standard_normal((2, 2) + size).astype(np.float32),) for _ in range(5)]
    (eager, _), (comp, fn) = _twice(make, calls)
    assert fn.replays == 3 and "Conv_forward" not in fn.entries()[0].program.source
    for a, b in zip(eager, comp):
        _same(a, b)


def test_elementwise_op_writes_over_a_dead_input_only():
    # Add/Sub/Relu/Tanh write over the buffer of an input that nothing else reads (a Linear's
    # or Conv's output, an Add's); an input read again later (h feeds relu and a product; t is
    # returned; r is read by its own backward through Relu's output) keeps its own buffer.
    # Oracle: the eager run, bit for bit, every returned value kept and checked after the
    # later calls (nothing handed out is overwritten).
    rng = np.random.default_rng(13)
    w0 = rng.standard_normal((6, 5)).astype(np.float32)
    k0 = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)

    def make():
        torch.manual_seed(0)
        lin = nn.Linear(5, 6)
        conv = nn.Conv2d(2, 3, 3, padding=1)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w0))
            conv.weight.copy_(torch.tensor(k0))
        opt = torch.optim.SGD(list(lin.parameters()) + list(conv.parameters()), lr=0.1)

        def step(x, z):
            opt.zero_grad()
            h = lin(x)  # read twice: keeps its buffer
            r = (h + 1).relu()  # h + 1 dead after relu: relu writes over it
            t = (h * r).tanh()  # returned: Tanh's output is no input of an in-place op
            u = (t - 0.5).tanh()  # t - 0.5 read only by tanh: in place
            c = (conv(z) - 1).relu()  # conv output -> minus -> relu, one buffer
            loss = u.sum() + c.sum() + (t * t).sum()
            loss.backward()
            opt.step()
            return loss, t, c
        return step, lambda: [lin.weight, lin.bias, conv.weight, conv.bias]

    calls = [(rng.standard_normal((4, 5)).astype(np.float32),
              rng.standard_normal((2, 2, 5, 5)).astype(np.float32)) for _ in range(5)]
    (eager, _), (comp, fn) = _twice(make, calls)
    src = fn.entries()[0].program.source
    assert fn.replays == 3
    for a, b in zip(eager, comp):
        _same(a, b)
    # the buffers written by more than one line: h + 1 and its relu, h * r and its tanh,
    # t - 0.5 and its tanh, the loss's two sums, the conv's output (+ bias), its minus and
    # relu; h (the Linear's output, read twice) and t (returned, read twice) are never
    # written over after they are made
    lines = [ln for ln in src.splitlines() if ln.startswith("    v") and "out=B" in ln]
    outs = [ln.split("out=")[1].split(")")[0] for ln in lines]
    assert sorted(outs.count(b) for b in set(outs) if outs.count(b) > 1) == [2, 2, 2, 2, 3]
    t = src.split("return (")[1].split(", _wrap(")[1].split(".copy")[0]  # (loss, t, c)
    for v in (lines[0].split(" = ")[0].strip(), t):
        i = next(i for i, ln in enumerate(lines) if ln.startswith(f"    {v} = "))
        assert outs[i] not in outs[i + 1:], src


@pytest.fixture
def generic_lstm():
    """LSTMs run the generic cell path (the reference the written-out scan must equal)."""
    with rnn_ops.generic_scan():
        yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias, state", [(True, False), (False, True)])
@pytest.mark.parametrize("B, H", [(4, 7), (33, 64)])
def test_lstm_scan_written_out_bitwise(dtype, bias, state, B, H, generic_lstm):
    # the LSTM's recurrent scan written out (the op's LSTMLoop over buffers and views made once
    # per specialization): losses, every parameter (SGD with momentum), the returned output,
    # and, with ``state``, the gradient of a learned initial (h0, c0) that reaches the scan's
    # s0 through a concatenation, all eager's bits over several calls -- eager here being the
    # generic cell path (rnn._FAST_LSTM off), which the loop replaces; large inputs make exp
    # overflow and tanh saturate on some steps
    rng = np.random.default_rng(11)
    tdt = torch.float64 if dtype == np.float64 else torch.float32

    def make():
        torch.manual_seed(0)
        emb = nn.Embedding(20, 5).to(tdt)
        lstm = nn.LSTM(5, H, batch_first=True, bias=bias).to(tdt)
        fc = nn.Linear(H, 3).to(tdt)
        h0 = torch.zeros(1, B, H, dtype=tdt).uniform_(-1, 1).requires_grad_(state)
        c0 = torch.zeros(1, B, H, dtype=tdt).uniform_(-1, 1).requires_grad_(state)
        params = [*emb.parameters(), *lstm.parameters(), *fc.parameters()] + \
            ([h0, c0] if state else [])
        opt = torch.optim.SGD(params, lr=0.5, momentum=0.9)

        def step(x, y, scale):
            opt.zero_grad()
            e = emb(x) * scale
            out, (h, c) = lstm(e, (h0, c0)) if state else lstm(e)
            loss = F.cross_entropy(fc(h[-1]), y) + (out * out).mean() + c.sum()
            loss.backward()
            opt.step()
            return loss, out
        return step, lambda: params

    calls = [(rng.integers(0, 20, (B, 6)), rng.integers(0, 3, B),
              np.array(s, dtype)) for s in (1.0, 30.0, 0.5, 80.0, 1.0, 2.0)]
    (eager, _), (comp, fn) = _twice(make, calls)
    src = fn.entries()[0].program.source
    assert fn.replays == 4 and "RecurrentScan" not in src and "SCAN" in src
    for a, b in zip(eager, comp):
        _same(a, b)


@pytest.mark.parametrize("kw", [{"bidirectional": True}, {"num_layers": 2, "proj_size": 3}])
def test_lstm_scan_cases_not_written_out_stay_bitwise(kw):
    # a reverse scan (bidirectional) or a projection is the op's own forward and backward
    rng = np.random.default_rng(12)

    def make():
        torch.manual_seed(0)
        lstm = nn.LSTM(3, 4, batch_first=True, **kw)
        opt = torch.optim.SGD(lstm.parameters(), lr=0.3)

        def step(x):
            opt.zero_grad()
            out, _ = lstm(x)
            loss = (out * out).sum()
            loss.backward()
            opt.step()
            return loss
        return step, lambda: list(lstm.parameters())

    calls = [(rng.standard_normal((2, 5, 3)).astype(np.float32),) for _ in range(5)]
    (eager, _), (comp, fn) = _twice(make, calls)
    src = fn.entries()[0].program.source
    assert fn.replays == 3 and "RecurrentScan" in src
    for a, b in zip(eager, comp):
        _same(a, b)
