"""Train-mode BatchNorm replays: its batch count and running-statistics update are recorded
NumPy helpers (``count_batch``, ``update_running_stats``) re-run at replay on the batch
statistics ``Normalize`` gives as side outputs. The oracle is the same code run eagerly: every
loss, parameter, running statistic, ``num_batches_tracked``, buffer version counter and
optimizer state must be eager's, compared as raw bytes, over whole runs that replay."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_nn as torch

nn = torch.nn
F = torch.nn.functional


def _bits(a) -> bytes:
    a = a._data if isinstance(a, torch.Tensor) else np.asarray(a)
    return a.dtype.str.encode() + repr(a.shape).encode() + np.ascontiguousarray(a).tobytes()


def _snapshot(model, opt, losses) -> dict:
    state = [_bits(v) for st in opt.state.values() for k in sorted(st)
             for v in (st[k],)]
    return {"losses": [_bits(x) for x in losses],
            "params": [_bits(p) for p in model.parameters()],
            "buffers": {k: _bits(b) for k, b in model.named_buffers()},
            "versions": {k: b._version for k, b in model.named_buffers()},
            "param_versions": [p._version for p in model.parameters()],
            "opt": state}


def _train(make, batches, epochs, compiled, modes=None):
    """Run ``make()``'s (model, opt, step) over ``batches`` for ``epochs``; ``modes(epoch, i)``
    (optional) gives the model's train flag before each call. Returns the snapshot and the
    compiled function."""
    torch.manual_seed(0)
    model, opt, step = make()
    fn = torch.compile(step) if compiled else step
    losses = []
    for e in range(epochs):
        for i, (x, y) in enumerate(batches):
            if modes is not None:
                model.train(modes(e, i))
            losses.append(fn(x, y).detach().clone())
    return _snapshot(model, opt, losses), fn


def _batches(shape, n, batch, classes, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *shape)).astype(np.float32)
    y = rng.integers(0, classes, n)
    # n not a multiple of batch: a short last batch (a second specialization)
    return [(torch.from_numpy(x[i:i + batch]), torch.from_numpy(y[i:i + batch]))
            for i in range(0, n, batch)]


def _sgd_step(model, **kw):
    opt = torch.optim.SGD(model.parameters(), **kw)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return model, opt, step


def _check(make, batches, epochs, modes=None, specs=2):
    eager, _ = _train(make, batches, epochs, False, modes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break
        comp, fn = _train(make, batches, epochs, True, modes)
    assert comp == eager
    return fn


def test_conv_bn_relu_pool_sgd_momentum_short_last_batch_bitwise():
    batches = _batches((2, 8, 8), 22, 8, classes=3)  # 8, 8, 6

    def make():
        model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, padding=1),
                              nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(16, 3))
        return _sgd_step(model, lr=0.05, momentum=0.9)
    fn = _check(make, batches, 3)
    # two specializations (full and short batch), each recorded twice; the rest replay
    assert fn.traces == 2 and fn.replays == 3 * len(batches) - 4


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_mlp_bitwise(momentum, affine):
    """momentum=None: the cumulative average, 1 / num_batches_tracked read at replay."""
    batches = _batches((5,), 27, 8, classes=3)

    def make():
        model = nn.Sequential(nn.Linear(5, 16), nn.BatchNorm1d(16, momentum=momentum,
                                                               affine=affine),
                              nn.ReLU(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.Tanh(),
                              nn.Linear(8, 3))
        return _sgd_step(model, lr=0.1, momentum=0.5)
    fn = _check(make, batches, 4)
    assert fn.replays == 4 * len(batches) - 4


def test_switching_train_and_eval_between_calls_bitwise():
    """The train flag is a guard: train and eval are specializations of their own. Train
    updates the running statistics at replay, eval reads them at replay (a recorded helper):
    neither is recorded again when the other moved them."""
    batches = _batches((5,), 32, 8, classes=3)

    def make():
        model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8, momentum=None), nn.ReLU(),
                              nn.Linear(8, 3))
        return _sgd_step(model, lr=0.1)
    # per epoch: three train calls, then one eval call; the last epochs: train only
    fn = _check(make, batches, 6, modes=lambda e, i: e >= 4 or i < 3)
    assert fn.traces == 2 and fn.replays == 6 * len(batches) - 4


def test_compiled_eval_after_compiled_training_bitwise():
    """A compiled training step and a compiled evaluation sharing the model: the evaluation
    sees the running statistics the training replays moved."""
    batches = _batches((5,), 24, 8, classes=3)
    xe = _batches((5,), 6, 6, classes=3, seed=1)[0][0]

    def run(compiled):
        torch.manual_seed(0)
        model, opt, step = _sgd_step(nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8),
                                                   nn.ReLU(), nn.Linear(8, 3)), lr=0.1)

        def evaluate(x):
            with torch.no_grad():
                return model(x)
        step_fn, eval_fn = (torch.compile(step), torch.compile(evaluate)) if compiled else \
            (step, evaluate)
        outs = []
        for _ in range(4):
            model.train()
            for x, y in batches:
                outs.append(_bits(step_fn(x, y)))
            model.eval()
            for _ in range(3):
                outs.append(_bits(eval_fn(xe)))
        return outs, _snapshot(model, opt, []), step_fn, eval_fn
    eager, comp = run(False), run(True)
    assert comp[:2] == eager[:2]
    assert comp[2].replays == 4 * len(batches) - 2
    assert comp[3].replays == 4 * 3 - 2


def test_running_stats_computed_inside_is_a_graph_break():
    """F.batch_norm with running statistics made inside the function: the update writes a
    temporary, which the replay could not repeat -- a graph break (eager, correct)."""
    w = torch.ones(4, requires_grad=True)

    def fn(x):
        rm, rv = torch.zeros(4) + 0, torch.ones(4) + 0
        y = F.batch_norm(x, rm, rv, w, None, training=True)
        y.sum().backward()
        return rm
    cf = torch.compile(fn)
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
    with pytest.warns(UserWarning, match="takes a tensor computed inside"):
        outs = [cf(x) for _ in range(3)]
    assert all(_bits(o) == _bits(fn(x)) for o in outs)
    assert cf.replays == 0


def test_fullgraph_train_mode_batchnorm_is_one_graph():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    def fn(x):
        with torch.no_grad():
            return model(x)
    cf = torch.compile(fn, fullgraph=True)
    x = torch.from_numpy(np.arange(15, dtype=np.float32).reshape(5, 3))
    for _ in range(4):
        cf(x)
    assert cf.replays == 2 and int(model[1].num_batches_tracked) == 4


@pytest.mark.parametrize("track", [False, True])
def test_instance_norm_replays_bitwise(track):
    """InstanceNorm: Normalize's statistics are side outputs of the replay (a fresh list each
    call, not the first call's baked in); with running statistics their update is a recorded
    helper too."""
    batches = _batches((3, 6), 14, 4, classes=2)  # 4, 4, 4, 2

    def make():
        model = nn.Sequential(nn.Conv1d(3, 4, 3), nn.InstanceNorm1d(4, affine=True,
                                                                    track_running_stats=track),
                              nn.ReLU(), nn.Flatten(), nn.Linear(16, 2))
        return _sgd_step(model, lr=0.1, momentum=0.9)
    fn = _check(make, batches, 3)
    assert fn.replays == 3 * len(batches) - 4
