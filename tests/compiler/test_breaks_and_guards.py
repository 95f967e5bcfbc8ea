"""Graph breaks (a one-time warning naming the line, eager results; fullgraph=True raises),
explain, and the guards that make a compiled function re-record (the oracle: the same code run
eagerly, compared bitwise)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_nn as torch
from autograd_nn.compiler import RECOMPILE_LIMIT, GraphBreakError

nn = torch.nn
F = torch.nn.functional


def _x(*shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def _line_of(fn, text):
    import inspect

    src, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(src) if text in line)


# ------------------------------------------------------------------------------ graph breaks
def _item_fn(x):
    y = (x * 2).sum()
    if y.item() > 0:  # BREAK-ITEM
        return y * 3
    return y * 4


def _bool_fn(x):
    if (x > 0).all():  # BREAK-BOOL
        return x + 1
    return x - 1


def _numpy_fn(x):
    a = (x * 2).detach().numpy()  # BREAK-NUMPY
    return torch.from_numpy(a + 1)


def _print_fn(x):
    y = x * 2
    print(y)  # BREAK-PRINT
    return y


@pytest.mark.parametrize("fn, marker, reason", [
    (_item_fn, "BREAK-ITEM", "item"), (_bool_fn, "BREAK-BOOL", "bool"),
    (_numpy_fn, "BREAK-NUMPY", "numpy"), (_print_fn, "BREAK-PRINT", "printing")])
def test_graph_break_warns_once_with_line_and_stays_eager(fn, marker, reason, capsys):
    cf = torch.compile(fn)
    line = _line_of(fn, marker)
    with pytest.warns(UserWarning, match=rf"graph break .*:{line} in {fn.__name__}.*{reason}"):
        first = cf(_x(3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one-time: no second warning
        for seed in (1, 2, -3):
            x = _x(3, 4, seed=abs(seed)) * (1 if seed > 0 else -1)
            assert np.array_equal(cf(x)._data, fn(x)._data)
    assert np.array_equal(first._data, fn(_x(3, 4))._data)
    assert cf.replays == 0


@pytest.mark.parametrize("fn, marker", [(_item_fn, "BREAK-ITEM"), (_bool_fn, "BREAK-BOOL")])
def test_fullgraph_raises_at_the_break(fn, marker):
    cf = torch.compile(fn, fullgraph=True)
    with pytest.raises(GraphBreakError, match=rf":{_line_of(fn, marker)} in {fn.__name__}"):
        cf(_x(3, 4))


def test_data_dependent_numpy_outside_the_ops_is_caught_by_the_second_trace():
    """hardshrink computes its mask with NumPy from the data: a recording would bake it in; the
    second call's recording differs, so the function stays eager (and correct)."""
    def fn(x):
        return F.hardshrink(x * 1.5, 0.5).sum(0)
    cf = torch.compile(fn)
    xs = [_x(4, 5, seed=s) for s in range(5)]
    with pytest.warns(UserWarning, match="data-dependent"):
        outs = [cf(x) for x in xs]
    for x, o in zip(xs, outs):
        assert np.array_equal(o._data, fn(x)._data)


def test_leaf_hook_is_a_graph_break():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    w.register_hook(lambda g: g * 2)

    def fn(x):
        (w * x).sum().backward()
    with pytest.warns(UserWarning, match="hook"):
        torch.compile(fn)(_x(2))
    np.testing.assert_array_equal(w.grad._data, 2 * _x(2)._data)


def test_returning_a_tensor_with_a_live_graph_is_a_break():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    cf = torch.compile(lambda x: (w * x).sum())
    with pytest.warns(UserWarning, match="live autograd graph"):
        out = cf(_x(2))
    out.backward()  # eager: the graph is there
    np.testing.assert_array_equal(w.grad._data, _x(2)._data)


# ---------------------------------------------------------------------------------- explain
def test_explain_reports_breaks_guards_and_the_recording():
    lin = nn.Linear(3, 2)
    ex = torch.compiler.explain(_item_fn, _x(2, 3))
    assert ex.graph_count == 0 and ex.graph_break_count == 1
    assert f":{_line_of(_item_fn, 'BREAK-ITEM')} in _item_fn" in ex.break_reasons[0]

    def fwd(x):
        with torch.no_grad():
            return F.relu(lin(x)).sum()
    ex = torch.compiler.explain(fwd, _x(2, 3))
    assert (ex.graph_count, ex.graph_break_count, ex.op_count) == (1, 0, 3)
    assert any("Linear" in g and "training=True" in g for g in ex.guards)
    # Linear and ReLU written out as NumPy calls into buffers (lower.py), Sum called as is
    assert "_matmul(a0, p0.T, out=B0)" in ex.source and "_max(v0, N0, out=" in ex.source
    assert "Sum_forward" in ex.source
    assert "Graph Count: 1" in str(ex)


# ------------------------------------------------------------------------------------ guards
def _counting(fn):
    cf = torch.compile(fn)
    return cf, (lambda *a, **k: cf(*a, **k))


def test_shape_dtype_and_scalar_guards_retrace():
    w = torch.tensor(np.arange(4, dtype=np.float32))

    def fn(x, scale):
        return (x * w + scale).tanh()
    cf = torch.compile(fn)
    cases = [(_x(3, 4), 1.0), (_x(5, 4), 1.0), (_x(3, 4).double(), 1.0), (_x(3, 4), 2.0)]
    for _ in range(3):
        for x, s in cases:
            out = cf(x, s)
            ref = fn(x, s)
            assert out.dtype == ref.dtype and np.array_equal(out._data, ref._data)
    assert cf.traces == 4 and cf.replays == 4


def test_grad_mode_and_requires_grad_guards():
    lin = nn.Linear(4, 3)

    def fn(x):
        return lin(x).sum()
    cf = torch.compile(fn)
    with torch.no_grad():
        for _ in range(3):
            assert np.array_equal(cf(_x(2, 4))._data, fn(_x(2, 4))._data)
    assert cf.replays == 1
    x = _x(2, 4).requires_grad_()
    with pytest.warns(UserWarning, match="live autograd graph"):
        out = cf(x)  # grad mode on: another specialization (its output has a graph)
    out.backward()
    assert x.grad is not None and cf.traces == 2


def test_training_flag_and_parameter_identity_guards():
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU())

    def fn(x):
        with torch.no_grad():
            return model(x) * (2.0 if model.training else 3.0)
    cf = torch.compile(fn)
    for mode in (True, False, True, False):
        model.train(mode)
        for _ in range(3):
            assert np.array_equal(cf(_x(2, 4))._data, fn(_x(2, 4))._data)
    assert cf.traces == 2
    model[0].weight = nn.Parameter(torch.ones(4, 4))  # a new parameter: guards miss
    assert np.array_equal(cf(_x(2, 4))._data, fn(_x(2, 4))._data)
    assert cf.traces == 3


def test_recompile_limit_then_eager_with_a_warning():
    def fn(x):
        return x * 2
    cf = torch.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(1, RECOMPILE_LIMIT + 1):
            cf(_x(n))
    with pytest.warns(UserWarning, match="recompile limit"):
        out = cf(_x(RECOMPILE_LIMIT + 1))
    assert np.array_equal(out._data, fn(_x(RECOMPILE_LIMIT + 1))._data)


def test_step_whose_code_changes_shape_mid_run_retraces():
    """The same step, its batch growing mid-run and a layer swapped for a wider one."""
    torch.manual_seed(0)
    runs = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss
        fn = torch.compile(step) if compiled else step
        losses = []
        for i in range(12):
            n = 4 if i < 6 else 7
            losses.append(fn(_x(n, 3, seed=i), _x(n, 2, seed=100 + i)).item())
        runs.append((losses, [p._data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


def test_batchnorm_eval_reads_running_stats_changed_between_calls():
    """Eval-mode BatchNorm's operands from its running statistics are a recorded helper, re-run
    at replay: training between evaluations is seen without re-recording (bitwise eager)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU())

    def evaluate(x):
        with torch.no_grad():
            return model(x)
    cf = torch.compile(evaluate)
    xe = _x(5, 4, seed=9)
    for epoch in range(3):
        model.train()
        for i in range(3):
            model(_x(8, 4, seed=10 * epoch + i))  # updates the running stats
        model.eval()
        for _ in range(3):
            assert np.array_equal(cf(xe)._data, evaluate(xe)._data)
    assert cf.replays == 7 and cf.traces == 1


def test_disable_runs_eagerly():
    cf = torch.compile(lambda x: x * 2, disable=True)
    for _ in range(3):
        cf(_x(2))
    assert cf.traces == 0


def test_reset_and_is_compiling():
    seen = []

    def fn(x):
        seen.append(torch.compiler.is_compiling())
        return x * 2
    cf = torch.compile(fn)
    for _ in range(3):
        cf(_x(2))
    assert seen == [True, True] and cf.replays == 1 and not torch.compiler.is_compiling()
    torch.compiler.reset()
    cf(_x(2))
    assert seen == [True, True, True] and cf.traces == 1


def test_infinite_and_nan_constants_in_the_recording():
    """Python floats that are not literals (inf, nan) reach the replay as constants."""
    def fn(x):
        with torch.no_grad():
            y = F.softplus(x, beta=1.0, threshold=float("inf"))
            return torch.clamp(y, min=float("-inf"), max=float("inf")) + x * float("nan")
    cf = torch.compile(fn)
    for seed in range(3):
        x = _x(3, 4, seed=seed)
        np.testing.assert_array_equal(cf(x)._data, fn(x)._data)  # (NaN equal to NaN)
    assert cf.replays == 1


# ------------------------------------------- .grad reset the compiler cannot record: eager
def _reset_grad_step(how: str, compiled: bool) -> tuple:
    """Five SGD steps on a Linear whose step resets ``.grad`` in a way no recorded call covers:
    a ``zero_grad`` bound before compiling, or ``p.grad = None`` by hand."""
    torch.manual_seed(0)
    m = nn.Linear(3, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    zero = opt.zero_grad  # bound before compile: the class-level wrapper never sees the call

    def step(x, y):
        if how == "bound":
            zero()  # RESET-BOUND
        elif how == "bound_in_place":
            zero(set_to_none=False)  # RESET-IN-PLACE
        else:
            for p in m.parameters():
                p.grad = None  # RESET-BY-HAND
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    f = torch.compile(step) if compiled else step
    x, y = _x(4, 3), _x(4, 1, seed=1)
    losses = [f(x, y).detach().numpy().tobytes() for _ in range(5)]
    return losses, m.weight.detach().numpy().tobytes(), f


@pytest.mark.parametrize("how,marker", [("bound", "RESET-BOUND"), ("by_hand", "RESET-BY-HAND"),
                                        ("bound_in_place", "RESET-IN-PLACE")])
def test_unrecorded_grad_reset_is_a_graph_break_not_a_wrong_replay(how, marker):
    eager = _reset_grad_step(how, compiled=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = _reset_grad_step(how, compiled=True)
    assert compiled[:2] == eager[:2]  # bitwise: losses of every step and the final weights
    text = " ".join(str(w.message) for w in caught)
    assert "`.grad` assigned" in text
    assert f":{_line_of(_reset_grad_step, marker)}" in text


def test_unrecorded_grad_reset_raises_under_fullgraph():
    m = nn.Linear(3, 1)

    def step(x):
        for p in m.parameters():
            p.grad = None
        m(x).sum().backward()

    f = torch.compile(step, fullgraph=True)
    with pytest.raises(GraphBreakError, match="grad` assigned"):
        for _ in range(3):
            f(_x(2, 3))
