"""Engine state is per thread (and per asyncio task), as in PyTorch.

Oracle: the same work run sequentially in one thread (bitwise equal results), and PyTorch's
documented thread-local grad mode (a new thread starts with grad mode on).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import autograd_nn as torch
import autograd_nn.nn.functional as F
from autograd_nn import nn
from autograd_nn.autograd import engine
from autograd_nn.utils.data import DataLoader, TensorDataset


def _model_and_data(seed: int):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3))
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((16, 8)), dtype=torch.float32)
    y = torch.tensor(rng.integers(0, 3, 16))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    return model, opt, x, y


def _train(model, opt, x, y, steps: int) -> list:
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def _run_threads(targets: list) -> list:
    """Run each callable in its own thread, started together; re-raise the first error."""
    results: list = [None] * len(targets)
    errors: list = []
    start = threading.Barrier(len(targets))

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = targets[i]()
        except BaseException as e:  # noqa: BLE001 -- reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_four_threads_training_equal_sequential_bitwise():
    steps = 500
    sequential = [_train(*_model_and_data(s), steps) for s in range(4)]
    setups = [_model_and_data(s) for s in range(4)]
    threaded = _run_threads([lambda st=st: _train(*st, steps) for st in setups])
    for seq, thr in zip(sequential, threaded):
        for a, b in zip(seq, thr):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_no_grad_in_one_thread_never_changes_another():
    inside = threading.Event()
    release = threading.Event()
    seen: dict = {}

    def evaluator():
        with torch.no_grad():
            inside.set()
            release.wait(10)
            seen["evaluator"] = torch.is_grad_enabled()

    t = threading.Thread(target=evaluator)
    t.start()
    assert inside.wait(10)
    try:
        w = torch.ones(3, requires_grad=True)
        y = (w * 2).sum()
        assert torch.is_grad_enabled() and y.requires_grad and y.grad_fn is not None
        y.backward()
        assert w.grad.tolist() == [2.0, 2.0, 2.0]
    finally:
        release.set()
        t.join()
    assert seen["evaluator"] is False
    assert torch.is_grad_enabled()


def test_interleaved_no_grad_exits_restore_each_threads_mode():
    # A enters, B enters, A exits, B exits: a process-global flag ends up off; PyTorch's
    # thread-local one (and ours) is on again in both threads and in the main thread.
    steps = [threading.Event() for _ in range(4)]
    after: dict = {}

    def thread_a():
        with torch.no_grad():
            steps[0].set()
            steps[1].wait(10)
        after["a"] = torch.is_grad_enabled()
        steps[2].set()

    def thread_b():
        steps[0].wait(10)
        with torch.no_grad():
            steps[1].set()
            steps[2].wait(10)
        after["b"] = torch.is_grad_enabled()

    ta, tb = threading.Thread(target=thread_a), threading.Thread(target=thread_b)
    ta.start()
    tb.start()
    ta.join()
    tb.join()
    assert after == {"a": True, "b": True}
    assert torch.is_grad_enabled()


def test_new_thread_starts_with_grad_mode_on():
    # PyTorch: grad mode is thread local and a new thread starts with the default (enabled).
    with torch.no_grad():
        modes = _run_threads([torch.is_grad_enabled])
        assert not torch.is_grad_enabled()
    assert modes == [True]


def test_set_grad_enabled_call_is_per_thread():
    def off_and_report():
        torch.set_grad_enabled(False)
        return torch.is_grad_enabled()

    assert _run_threads([off_and_report]) == [False]
    assert torch.is_grad_enabled()


def test_dataloader_iteration_in_a_thread_beside_no_grad():
    ds_x = np.random.default_rng(1).standard_normal((64, 8)).astype(np.float32)
    ds_y = np.random.default_rng(2).integers(0, 3, 64)

    def train_epochs() -> list:
        model, opt, _, _ = _model_and_data(7)
        loader = DataLoader(TensorDataset(torch.tensor(ds_x), torch.tensor(ds_y)), batch_size=16)
        for _ in range(5):
            for xb, yb in loader:
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
        return [p.detach().numpy().copy() for p in model.parameters()]

    expected = train_epochs()
    with torch.no_grad():  # the main thread's mode must not leak into the training thread
        (got,) = _run_threads([train_epochs])
    for a, b in zip(expected, got):
        assert np.array_equal(a, b)


def test_thread_pool_inference_under_no_grad_beside_training():
    model, opt, x, y = _model_and_data(3)
    frozen, _, _, _ = _model_and_data(4)
    expected_params = _train(*_model_and_data(3), 200)
    with torch.no_grad():
        expected_out = frozen(x).numpy().copy()

    def infer() -> bool:
        ok = True
        for _ in range(50):
            with torch.no_grad():
                out = frozen(x)
            ok &= (not out.requires_grad) and np.array_equal(out.numpy(), expected_out)
        return ok

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(infer) for _ in range(4)]
        got_params = _train(model, opt, x, y, 200)
        assert all(f.result() for f in futures)
    for a, b in zip(expected_params, got_params):
        assert np.array_equal(a, b)


def test_anomaly_mode_is_per_thread():
    inside = threading.Event()
    release = threading.Event()

    def watcher():
        with torch.autograd.detect_anomaly():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=watcher)
    t.start()
    assert inside.wait(10)
    try:
        assert not torch.autograd.is_anomaly_enabled()
        y = torch.log(torch.zeros(2, requires_grad=True))  # -inf: anomaly mode would raise
        assert np.isneginf(y.detach().numpy()).all()
    finally:
        release.set()
        t.join()


def test_module_scope_is_per_thread():
    inside = threading.Event()
    release = threading.Event()

    class Waits(nn.Module):
        def forward(self, x):
            inside.set()
            release.wait(10)
            return x * 2

    t = threading.Thread(target=lambda: Waits()(torch.ones(2, requires_grad=True)))
    t.start()
    assert inside.wait(10)
    try:
        assert engine.current_scope() is None
        y = torch.ones(2, requires_grad=True) * 3
        assert y.grad_fn.scope is None  # not tagged with the other thread's module
    finally:
        release.set()
        t.join()


def test_asyncio_tasks_keep_their_own_grad_mode():
    async def evaluator(gate: asyncio.Event, done: asyncio.Event) -> bool:
        with torch.no_grad():
            gate.set()
            await done.wait()
            return torch.is_grad_enabled()

    async def trainer(gate: asyncio.Event, done: asyncio.Event) -> bool:
        await gate.wait()
        w = torch.ones(2, requires_grad=True)
        recorded = (w * w).sum().requires_grad
        done.set()
        return recorded and torch.is_grad_enabled()

    async def main():
        gate, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(evaluator(gate, done), trainer(gate, done))

    assert asyncio.run(main()) == [False, True]


def test_hook_handles_get_unique_ids_across_threads():
    def make_handles():
        w = torch.ones(1, requires_grad=True)
        return [w.register_hook(lambda g: g).id for _ in range(2000)]

    ids = [i for ids in _run_threads([make_handles] * 4) for i in ids]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("n_threads", [2])
def test_concurrent_inplace_bumps_keep_epochs_distinct(n_threads):
    # Every in-place op gets its own epoch even when threads race: saved-tensor checks rely on it.
    def bump():
        return [engine.bump_inplace_epoch() for _ in range(20000)]

    got = [e for es in _run_threads([bump] * n_threads) for e in es]
    assert len(set(got)) == len(got)


def test_compiling_in_one_thread_is_invisible_to_another():
    # The compiler's recording is an engine switch too: while thread A records a compiled
    # function, thread B is not "compiling" (torch.compiler.is_compiling), B's in-place writes
    # (an optimizer step) are not A's graph break, and B's own first compiled call runs (eagerly,
    # or recorded after A) instead of colliding with A's recording.
    inside, done = threading.Event(), threading.Event()
    seen: dict = {}

    def f(x):
        if not inside.is_set():  # the first recording only: let the other thread act meanwhile
            inside.set()
            done.wait(10)
        return (x * 2).tanh() + 1

    def other_thread():
        assert inside.wait(10)
        try:
            seen["compiling"] = torch.compiler.is_compiling()
            w = torch.ones(3)
            w.add_(1)  # an in-place write elsewhere: not a write inside f
            g = torch.compile(lambda a: a * 3)
            seen["g"] = g(torch.ones(2)).tolist()
        finally:
            done.set()

    cf = torch.compile(f, fullgraph=True)  # a graph break would raise
    x = torch.tensor([0.5, -1.0, 2.0])
    t = threading.Thread(target=other_thread)
    t.start()
    try:
        outs = [cf(x).numpy().copy() for _ in range(3)]  # record, validate, replay
    finally:
        done.set()
        t.join()
    assert seen == {"compiling": False, "g": [3.0, 3.0]}
    assert cf.replays == 1
    want = f(x).numpy()
    assert all(np.array_equal(o, want) for o in outs)
