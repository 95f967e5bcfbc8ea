"""autograd_nn.compile on whole training steps: compiled and eager runs of the same code give
bit-identical losses, parameters and optimizer state (the oracle is the eager run), and the
compiled run really replays (``replays`` counts calls that ran no Python of the step)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import MNIST, data_or_skip

import autograd_nn as torch
from autograd_nn.datasets import load_mnist

nn = torch.nn
F = torch.nn.functional


def _state_arrays(opt) -> list:
    out = []
    for st in opt.state.values():
        for k in sorted(st):
            v = st[k]
            out.append(np.array(v._data if isinstance(v, torch.Tensor) else v))
    return out


def _run(make, batches, epochs, compiled, scheduler=None, per_step=None):
    """Train ``make()``'s (model, opt, step_fn) on ``batches`` for ``epochs``; returns losses,
    parameters, optimizer state and the compiled function."""
    torch.manual_seed(0)
    model, opt, step = make()
    sched = scheduler(opt) if scheduler else None
    fn = torch.compile(step) if compiled else step
    losses = []
    for _ in range(epochs):
        for xb, yb in batches:
            losses.append(fn(xb, yb).item())
        if sched is not None:
            sched.step()
    params = [p._data.copy() for p in (*model.parameters(), *model.buffers())]
    return losses, params, _state_arrays(opt), fn


def _assert_bitwise(a, b):
    assert a[0] == b[0], "losses differ"
    for x, y in zip(a[1], b[1]):
        assert x.dtype == y.dtype and np.array_equal(x, y), "parameters differ"
    assert len(a[2]) == len(b[2])
    for x, y in zip(a[2], b[2]):
        assert np.array_equal(x, y), "optimizer state differs"


def _batches(n, d, batch, classes=None, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    if classes:
        y = rng.integers(0, classes, n)
    else:
        y = rng.standard_normal((n, 2)).astype(np.float32)
    # n not a multiple of batch: the last batch is short (a second specialization)
    return [(torch.from_numpy(x[i:i + batch]), torch.from_numpy(y[i:i + batch]))
            for i in range(0, n, batch)]


def _mlp_step(opt_cls, loss_fn, set_to_none=True, clip=None, out=3, **opt_kw):
    def make():
        model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(),
                              nn.Linear(8, out))
        opt = opt_cls(model.parameters(), **opt_kw)

        def step(x, y):
            opt.zero_grad(set_to_none=set_to_none)
            loss = loss_fn(model(x), y)
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            return loss
        return model, opt, step
    return make


@pytest.mark.parametrize("set_to_none", [True, False])
def test_mlp_cross_entropy_sgd_momentum_bitwise(set_to_none):
    batches = _batches(70, 5, 16, classes=3)
    make = _mlp_step(torch.optim.SGD, nn.CrossEntropyLoss(), set_to_none, lr=0.1,
                     momentum=0.9)
    eager = _run(make, batches, 4, False)
    comp = _run(make, batches, 4, True)
    _assert_bitwise(eager, comp)
    fn = comp[3]
    assert fn.traces == 2  # full batches and the short last one
    assert fn.replays == 4 * len(batches) - 4  # each specialization traced twice, then replayed


def test_mlp_mse_adam_scheduler_and_clipping_bitwise():
    batches = _batches(50, 5, 16)
    make = _mlp_step(torch.optim.Adam, nn.MSELoss(), clip=0.5, out=2, lr=0.01,
                     weight_decay=1e-3)

    def sched(o):
        return torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.5)

    eager = _run(make, batches, 4, False, sched)
    comp = _run(make, batches, 4, True, sched)
    _assert_bitwise(eager, comp)
    assert comp[3].replays > 0


def test_adamw_bitwise_and_close_to_pytorch():
    """The compiled run equals eager bitwise, and eager follows PyTorch (float32 rounding)."""
    t = pytest.importorskip("torch")
    batches = _batches(40, 5, 8, classes=3)
    make = _mlp_step(torch.optim.AdamW, nn.CrossEntropyLoss(), lr=0.01)
    eager = _run(make, batches, 2, False)
    comp = _run(make, batches, 2, True)
    _assert_bitwise(eager, comp)
    # PyTorch from the same initial weights
    torch.manual_seed(0)
    model0 = make()[0]
    tm = t.nn.Sequential(t.nn.Linear(5, 16), t.nn.ReLU(), t.nn.Linear(16, 8), t.nn.Tanh(),
                         t.nn.Linear(8, 3))
    with t.no_grad():
        for p, q in zip(tm.parameters(), model0.parameters()):
            p.copy_(t.from_numpy(q._data.copy()))
    topt = t.optim.AdamW(tm.parameters(), lr=0.01)
    losses = []
    for _ in range(2):
        for xb, yb in batches:
            topt.zero_grad()
            loss = t.nn.functional.cross_entropy(tm(t.from_numpy(xb._data)),
                                                 t.from_numpy(yb._data))
            loss.backward()
            topt.step()
            losses.append(loss.item())
    np.testing.assert_allclose(comp[0], losses, rtol=2e-5, atol=2e-6)


def test_w1_chain_no_arguments_bitwise():
    rng = np.random.default_rng(1)
    xa, wa = (rng.standard_normal((4, 4)).astype(np.float32) for _ in range(2))
    grads = []
    for compiled in (False, True):
        x = torch.tensor(xa, requires_grad=True)
        w = torch.tensor(wa, requires_grad=True)

        def chain(x=x, w=w):
            h = x
            for _ in range(5):
                h = (h * w + w).tanh() - h
            h.sum().backward()
        fn = torch.compile(chain) if compiled else chain
        for _ in range(4):
            fn()
        grads.append((x.grad._data.copy(), w.grad._data.copy()))
    assert all(np.array_equal(a, b) for a, b in zip(*grads))
    assert fn.replays == 2


def test_small_cnn_bitwise():
    rng = np.random.default_rng(2)
    xs = rng.standard_normal((20, 1, 8, 8)).astype(np.float32)
    ys = rng.integers(0, 3, 20)
    batches = [(torch.from_numpy(xs[i:i + 8]), torch.from_numpy(ys[i:i + 8]))
               for i in range(0, 20, 8)]

    def make():
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                              nn.Flatten(), nn.Linear(16, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    eager = _run(make, batches, 3, False)
    comp = _run(make, batches, 3, True)
    _assert_bitwise(eager, comp)
    assert comp[3].replays > 0


def test_w4_cnn_bitwise_as_raw_bytes():
    # benchmarks' W4 (two conv-ReLU-maxpool blocks, 1->8->16 channels, Linear(784, 10), batch
    # 64 of 28x28, cross-entropy, SGD momentum) plus a short last batch: losses, parameters,
    # gradients and momentum buffers compared as raw bytes (signed zeros and NaN payloads
    # count) after every step; the replay writes the pooling, its scatter and the ReLU before
    # it out (compiler/lower.py: _pool_masks, _gather_bwd) and shares buffers (_inplace)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((148, 1, 28, 28)).astype(np.float32)
    x[3, 0, :4] = 0.0  # ties among zeros and negative inputs (ReLU's zeros) in the pools
    y = rng.integers(0, 10, 148)
    batches = [(torch.from_numpy(x[i:i + 64]), torch.from_numpy(y[i:i + 64]))
               for i in range(0, 148, 64)]

    def run(compiled):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(784, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

        def step(xb, yb):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(xb), yb)
            loss.backward()
            opt.step()
            return loss
        fn = torch.compile(step) if compiled else step
        out = []
        for _ in range(3):
            for xb, yb in batches:
                out.append(fn(xb, yb)._data.tobytes())
                out += [p._data.tobytes() + p.grad._data.tobytes() for p in model.parameters()]
                out += [a.tobytes() for a in _state_arrays(opt)]
        return out, fn

    (eager, _), (comp, fn) = run(False), run(True)
    assert fn.replays == 5  # (two recordings per batch size)
    prog = fn.entries()[0].program
    assert len(prog.identity_rules) == 2 and "PoolScatter" not in prog.source
    assert len(eager) == len(comp)
    differ = [i for i, (a, b) in enumerate(zip(eager, comp)) if a != b]
    assert not differ, f"bytes differ at items {differ[:5]} of {len(eager)}"


def test_embedding_lstm_bitwise():
    rng = np.random.default_rng(3)
    toks = rng.integers(0, 30, (12, 7))
    labels = rng.integers(0, 2, 12)
    batches = [(torch.from_numpy(toks[i:i + 4]), torch.from_numpy(labels[i:i + 4]))
               for i in range(0, 12, 4)]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(30, 6)
            self.lstm = nn.LSTM(6, 8, batch_first=True)
            self.fc = nn.Linear(8, 2)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return self.fc(h[-1])

    def make():
        model = Net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    eager = _run(make, batches, 3, False)
    comp = _run(make, batches, 3, True)
    _assert_bitwise(eager, comp)
    assert comp[3].replays > 0


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_train_and_eval_bitwise(train):
    """Train mode: the running statistics' update (a recorded helper) is re-run at replay;
    eval mode reads them as guarded constants. Both replay, bitwise eager."""
    batches = _batches(40, 5, 8, classes=3)

    def make():
        model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
        model.train(train)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break either way
        eager = _run(make, batches, 2, False)
        comp = _run(make, batches, 2, True)
    _assert_bitwise(eager, comp)
    assert comp[3].replays == 2 * len(batches) - 2


def test_dropout_masks_drawn_fresh_in_eager_order_bitwise():
    """Dropout's masks are drawn at replay from the global generator, in eager order: the
    whole run (and the generator's state after it) equals eager's."""
    batches = _batches(40, 5, 8, classes=3)

    def make():
        model = nn.Sequential(nn.Linear(5, 8), nn.Dropout(0.3), nn.ReLU(), nn.Linear(8, 8),
                              nn.Dropout(0.5), nn.Linear(8, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return model, opt, step
    eager = _run(make, batches, 3, False)
    state_eager = torch.get_rng_state()
    comp = _run(make, batches, 3, True)
    _assert_bitwise(eager, comp)
    assert torch.get_rng_state().equal(state_eager)
    assert comp[3].replays == 3 * len(batches) - 2


def test_random_draw_outside_the_ops_is_a_graph_break():
    w = torch.ones(3, requires_grad=True)

    def step(x):
        noise = torch.randn(3)  # drawn outside any recorded kernel
        (w * (x + noise)).sum().backward()
    torch.manual_seed(1)
    with pytest.warns(UserWarning, match="random numbers"):
        for _ in range(3):
            torch.compile(step)(torch.ones(3))


def test_mnist_mlp_with_dataloader_scheduler_and_short_last_batch_bitwise():
    """The README's MNIST MLP recipe on 1,000 real images (DataLoader shuffling from the global
    generator, Dropout, StepLR, a short last batch), compiled vs eager, over 2 epochs."""
    root = data_or_skip(MNIST)
    images, labels = load_mnist(root)
    x = (images[:1000].reshape(-1, 784).astype(np.float32) / 255.0 - 0.1307) / 0.3081
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x.astype(np.float32)),
                                        torch.from_numpy(labels[:1000].astype(np.int64)))

    def run(compiled):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        loader = torch.utils.data.DataLoader(ds, batch_size=96, shuffle=True)

        def step(xb, yb):
            opt.zero_grad(set_to_none=False)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            return loss
        fn = torch.compile(step) if compiled else step
        losses = []
        for _ in range(2):
            for xb, yb in loader:
                losses.append(fn(xb, yb).item())
            sched.step()
        return losses, [p._data.copy() for p in model.parameters()], _state_arrays(opt), fn
    eager, comp = run(False), run(True)
    _assert_bitwise(eager, comp)
    assert comp[3].replays == 2 * 11 - 4
