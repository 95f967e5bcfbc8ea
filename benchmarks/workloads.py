"""The benchmark workloads.

Each workload is written once against PyTorch's API and run on whichever module it is handed
(``torch`` or ``autograd_nn``: the same source, so both do the same maths), and W1-W3 also as a
hand-written NumPy forward and backward of that maths (the floor no autodiff framework on NumPy
can beat). All frameworks start from the same NumPy-drawn weights (PyTorch's default init
distributions) and see the same data in the same order, so their final losses must agree to
float32 rounding: ``run.py`` reports them side by side as a correctness check of the timings.

A workload function takes ``(T, repeats, variant)``, where ``T`` is the framework module or None
for NumPy, and returns a dict with ``times`` (one figure per repeat, after a warm-up) and its
``unit``, plus workload-specific figures (losses, accuracies).
"""

from __future__ import annotations

import gzip
import math
import os
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
F32 = np.float32

# W1: h <- tanh(h * w + w) - h, 25 times (4 ops each), then h.sum(): 101 ops.
W1_BLOCKS = 25
W1_OPS = 4 * W1_BLOCKS + 1
W1_ITERS = 100  # chains per repeat


# Set by the worker for the "compiled" column: autograd_nn with each training step (forward,
# loss, backward, optimizer step) wrapped in autograd_nn.compile.
COMPILE = False


def _maybe_compile(T: Any, fn: Callable) -> Callable:
    return T.compile(fn) if COMPILE else fn


class UnavailableError(Exception):
    """The framework lacks a layer the workload needs (not written yet)."""


# ------------------------------------------------------------------------------------ data
def data_root() -> Path:
    """``$AUTOGRAD_NN_DATA`` or the shared data folder beside the repository."""
    env = os.environ.get("AUTOGRAD_NN_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        buf = f.read()
    head = np.frombuffer(buf, ">u4", count=1 + ndim)
    if int(head[0]) != magic:
        raise ValueError(f"{path}: IDX magic number {int(head[0])}, expected {magic}")
    return np.frombuffer(buf, np.uint8, offset=4 * (1 + ndim)).reshape(tuple(int(d) for d in
                                                                              head[1:]))


def load_mnist(root: Path | None = None) -> tuple:
    """MNIST test set as (x_train, y_train, x_test, y_test): the first 8,000 images for training,
    the last 2,000 held out; x float32 (N, 784), standardised; y int64."""
    d = Path(root or data_root()) / "mnist-test"
    x = _read_idx(d / "t10k-images-idx3-ubyte.gz", 2051, 3).reshape(-1, 784)
    y = _read_idx(d / "t10k-labels-idx1-ubyte.gz", 2049, 1).astype(np.int64)
    x = ((x.astype(F32) / F32(255) - F32(0.1307)) / F32(0.3081)).astype(F32)
    return x[:8000], y[:8000], x[8000:], y[8000:]


def w2_data(seed: int = 0) -> tuple:
    """1000 points in 2-D, label 1 inside the unit circle (not linearly separable)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1000, 2)).astype(F32)
    y = ((x ** 2).sum(1, keepdims=True) < 1.0).astype(F32)
    return x, y


def linear_init(rng: np.random.Generator, sizes: list) -> list:
    """[W1, b1, W2, b2, ...] for Linear layers ``sizes[i] -> sizes[i+1]``, drawn as nn.Linear
    does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias."""
    out = []
    for fin, fout in zip(sizes[:-1], sizes[1:]):
        b = 1.0 / math.sqrt(fin)
        out += [rng.uniform(-b, b, (fout, fin)).astype(F32), rng.uniform(-b, b, fout).astype(F32)]
    return out


def epoch_perms(n: int, epochs: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


# ------------------------------------------------------------------- framework-side helpers
def _has(T: Any, *names: str) -> bool:
    for name in names:
        obj = T
        for part in name.split("."):
            try:
                obj = getattr(obj, part)
            except (AttributeError, ImportError):
                return False
    return True


NN_MLP = ("nn.Sequential", "nn.Linear", "nn.Sigmoid", "nn.ReLU", "nn.BCELoss",
          "nn.CrossEntropyLoss", "optim.SGD")
NN_CNN = ("nn.Sequential", "nn.Conv2d", "nn.MaxPool2d", "nn.ReLU", "nn.Flatten", "nn.Linear",
          "nn.CrossEntropyLoss", "optim.SGD")
NN_RNN = ("nn.Module", "nn.Embedding", "nn.LSTM", "nn.Linear", "nn.CrossEntropyLoss",
          "optim.SGD")


def mlp_variant(T: Any) -> str:
    """'nn' (nn.Sequential + nn losses + optim.SGD) when the framework has them, else 'raw'
    (leaf tensors, tensor-op losses and a tensor-op SGD: the engine alone)."""
    return "nn" if _has(T, *NN_MLP) else "raw"


def _load(T: Any, named: dict, arrays: dict) -> None:
    with T.no_grad():
        for name, a in arrays.items():
            p = named[name]
            if tuple(p.shape) != a.shape:
                raise ValueError(f"{name}: parameter shape {tuple(p.shape)}, init {a.shape}")
            p.copy_(T.from_numpy(a.copy()))


class _RawSGD:
    """SGD with momentum written with tensor ops under no_grad (PyTorch's update rule)."""

    def __init__(self, T: Any, params: list, lr: float, momentum: float = 0.0) -> None:
        self.T, self.params, self.lr, self.mu = T, params, lr, momentum
        self.bufs: list = [None] * len(params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        with self.T.no_grad():
            for i, p in enumerate(self.params):
                g = p.grad
                if self.mu:
                    if self.bufs[i] is None:
                        self.bufs[i] = g.clone()
                    else:
                        self.bufs[i].mul_(self.mu).add_(g)
                    g = self.bufs[i]
                p.add_(g, alpha=-self.lr)


def _mlp(T: Any, arrays: list, hidden_act: str, out_sigmoid: bool, variant: str) -> tuple:
    """(model, params) for a Linear stack with ``arrays`` as its weights."""
    n = len(arrays) // 2
    if variant == "nn":
        nn = T.nn
        layers: list = []
        for i in range(n):
            w = arrays[2 * i]
            layers.append(nn.Linear(w.shape[1], w.shape[0]))
            if i < n - 1:
                layers.append(nn.Sigmoid() if hidden_act == "sigmoid" else nn.ReLU())
        if out_sigmoid:
            layers.append(nn.Sigmoid())
        model = nn.Sequential(*layers)
        named = dict(model.named_parameters())
        lin = [k.split(".")[0] for k in named if k.endswith(".weight")]
        _load(T, named, {f"{m}.{s}": arrays[2 * i + j] for i, m in enumerate(lin)
                         for j, s in enumerate(("weight", "bias"))})
        return model, list(model.parameters())
    params = [T.tensor(a.copy(), requires_grad=True) for a in arrays]

    def model(x: Any) -> Any:
        h = x
        for i in range(n):
            h = h @ params[2 * i].t() + params[2 * i + 1]
            if i < n - 1:
                h = h.sigmoid() if hidden_act == "sigmoid" else h.relu()
        return h.sigmoid() if out_sigmoid else h

    return model, params


def _loss(T: Any, kind: str, variant: str) -> Callable:
    if variant == "nn":
        return T.nn.BCELoss() if kind == "bce" else T.nn.CrossEntropyLoss()
    if kind == "bce":  # PyTorch clamps each log term at -100
        return lambda p, y: -(y * p.log().clamp(min=-100)
                              + (1 - y) * (1 - p).log().clamp(min=-100)).mean()
    return lambda z, y: -z.log_softmax(1).gather(1, y.unsqueeze(1)).mean()


def _sgd(T: Any, params: list, lr: float, momentum: float, variant: str) -> Any:
    if variant == "nn":
        return T.optim.SGD(params, lr=lr, momentum=momentum)
    return _RawSGD(T, params, lr, momentum)


def _make_step(T: Any, model: Any, loss_fn: Callable, opt: Any) -> Callable:
    """One training step on a batch (compiled in the "compiled" column)."""
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    return _maybe_compile(T, step)


def _train_epoch(step: Callable, X: Any, Y: Any, perm: Any, batch: int, n: int) -> float:
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        loss = step(X[idx], Y[idx])
    return loss.item()


def _to_np(T: Any, t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _bce_np(p: np.ndarray, y: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        lp = np.maximum(np.log(p), -100)
        lq = np.maximum(np.log1p(-p), -100)
    return float(-(y * lp + (1 - y) * lq).mean())


def _timed(fn: Callable, repeats: int, warmup: int = 1) -> list:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


# ---------------------------------------------------------------- W1: per-op overhead
def _w1_np(x: np.ndarray, w: np.ndarray) -> tuple:
    """The W1 chain's forward and backward by hand: (gx, gw)."""
    saved = []
    h = x
    for _ in range(W1_BLOCKS):
        t = np.tanh(h * w + w)
        saved.append((h, t))
        h = t - h
    h.sum()
    g = np.ones_like(h)
    gw = np.zeros_like(w)
    for h, t in reversed(saved):
        gt = g * (1 - t * t)
        gw += gt * h + gt
        g = gt * w - g
    return g, gw


def w1(T: Any, repeats: int, variant: str) -> dict:
    """Per-op overhead: a chain of 101 small ops on 16x16 float32, forward and backward."""
    rng = np.random.default_rng(0)
    xa, wa = (rng.standard_normal((16, 16)).astype(F32) for _ in range(2))
    if T is None:
        def fwd_bwd() -> None:
            for _ in range(W1_ITERS):
                _w1_np(xa, wa)
        times = _timed(fwd_bwd, repeats)
        return {"times": [t / (W1_ITERS * W1_OPS) * 1e6 for t in times], "unit": "us/op"}
    x = T.tensor(xa, requires_grad=True)
    w = T.tensor(wa, requires_grad=True)

    def chain() -> Any:
        h = x
        for _ in range(W1_BLOCKS):
            h = (h * w + w).tanh() - h
        return h.sum()

    def chain_backward() -> None:
        chain().backward()
    one = _maybe_compile(T, chain_backward)

    def fwd_bwd() -> None:
        for _ in range(W1_ITERS):
            one()

    def fwd() -> None:
        for _ in range(W1_ITERS):
            chain()

    times = _timed(fwd_bwd, repeats, warmup=2)
    ftimes = _timed(fwd, repeats)
    # the gradient itself, against the hand-written one (a correctness check of the timed path)
    x.grad = w.grad = None
    chain().backward()
    gx, gw = _w1_np(xa, wa)
    err = max(float(np.abs(_to_np(T, x.grad) - gx).max() / (1 + np.abs(gx).max())),
              float(np.abs(_to_np(T, w.grad) - gw).max() / (1 + np.abs(gw).max())))
    return {"times": [t / (W1_ITERS * W1_OPS) * 1e6 for t in times], "unit": "us/op",
            "fwd_us_per_op": float(np.median(ftimes)) / (W1_ITERS * W1_OPS) * 1e6,
            "grad_rel_err_vs_numpy": err}


# ------------------------------------------------------------- W2: the deck's mini-batch MLP
W2_EPOCHS, W2_BATCH, W2_LR = 100, 32, 0.1


def _w2_np_train(arrays: list, x: np.ndarray, y: np.ndarray, perms: list) -> list:
    W1, b1, W2, b2 = (a.copy() for a in arrays)
    n = len(x)
    for perm in perms:
        for i in range(0, n, W2_BATCH):
            idx = perm[i:i + W2_BATCH]
            xb, yb = x[idx], y[idx]
            h = 1 / (1 + np.exp(-(xb @ W1.T + b1)))
            p = 1 / (1 + np.exp(-(h @ W2.T + b2)))
            dz2 = (p - yb) * (1 / len(idx))  # d mean-BCE / d logit, through the sigmoid
            dz1 = (dz2 @ W2) * h * (1 - h)
            W2 -= W2_LR * (dz2.T @ h)
            b2 -= W2_LR * dz2.sum(0)
            W1 -= W2_LR * (dz1.T @ xb)
            b1 -= W2_LR * dz1.sum(0)
    return [W1, b1, W2, b2]


def _w2_np_predict(params: list, x: np.ndarray) -> np.ndarray:
    W1, b1, W2, b2 = params
    h = 1 / (1 + np.exp(-(x @ W1.T + b1)))
    return 1 / (1 + np.exp(-(h @ W2.T + b2)))


def w2(T: Any, repeats: int, variant: str) -> dict:
    """1000x2 points, 2-4-1 sigmoid MLP, BCE, batch 32, SGD lr 0.1, 100 epochs (seconds)."""
    x, y = w2_data()
    arrays = linear_init(np.random.default_rng(2), [2, 4, 1])
    perms = epoch_perms(len(x), W2_EPOCHS)
    res: dict = {}
    if T is None:
        def run() -> None:
            res["p"] = _w2_np_predict(_w2_np_train(arrays, x, y, perms), x)
        times = _timed(lambda: _w2_np_train(arrays, x, y, perms[:2]), 0) + _timed(run, repeats)
    else:
        X, Y = T.from_numpy(x), T.from_numpy(y)
        P = [T.from_numpy(p) for p in perms]

        def run() -> None:
            model, params = _mlp(T, arrays, "sigmoid", True, variant)
            loss_fn = _loss(T, "bce", variant)
            opt = _sgd(T, params, W2_LR, 0.0, variant)
            step = _make_step(T, model, loss_fn, opt)
            for perm in P:
                _train_epoch(step, X, Y, perm, W2_BATCH, len(x))
            with T.no_grad():
                res["p"] = _to_np(T, model(X))
        times = _timed(run, repeats)
    p = res["p"]
    return {"times": times, "unit": "s", "final_loss": _bce_np(p, y),
            "train_acc": float(((p > 0.5) == (y > 0.5)).mean())}


# ------------------------------------------------------------------------- W3: MNIST MLP
W3_SIZES, W3_BATCH, W3_LR, W3_MOMENTUM, W3_EPOCHS = [784, 256, 128, 10], 128, 0.05, 0.9, 3


class _NumpyMLP:
    """784-256-128-10 ReLU MLP, softmax cross-entropy and SGD+momentum, by hand, in place."""

    def __init__(self, arrays: list) -> None:
        self.params = [a.copy() for a in arrays]
        self.bufs: list = [None] * len(arrays)

    def forward(self, x: np.ndarray) -> tuple:
        W1, b1, W2, b2, W3, b3 = self.params
        h1 = np.maximum(x @ W1.T + b1, 0)
        h2 = np.maximum(h1 @ W2.T + b2, 0)
        return h1, h2, h2 @ W3.T + b3

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        W1, _, W2, _, W3, _ = self.params
        h1, h2, z = self.forward(x)
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        s = e.sum(1, keepdims=True)
        n = len(y)
        rows = np.arange(n)
        loss = float(np.log(s[:, 0]).mean() - z[rows, y].mean())
        dz3 = e / s
        dz3[rows, y] -= 1
        dz3 *= 1 / n
        dh2 = dz3 @ W3
        dh2 *= h2 > 0
        dh1 = dh2 @ W2
        dh1 *= h1 > 0
        grads = [dh1.T @ x, dh1.sum(0), dh2.T @ h1, dh2.sum(0), dz3.T @ h2, dz3.sum(0)]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            buf = self.bufs[i]
            if buf is None:
                self.bufs[i] = buf = g  # the first buffer is the gradient itself
            else:
                buf *= W3_MOMENTUM
                buf += g
            p -= W3_LR * buf
        return loss


_W3_WARM: dict = {}  # variant -> (model, params, optimizer, compiled step), compiled column only


def _w3_setup(T: Any, variant: str) -> tuple:
    xtr, ytr, xte, yte = load_mnist()
    arrays = linear_init(np.random.default_rng(3), W3_SIZES)
    if T is None:
        net = _NumpyMLP(arrays)

        def epoch(perm: np.ndarray) -> float:
            for i in range(0, len(perm), W3_BATCH):
                idx = perm[i:i + W3_BATCH]
                loss = net.step(xtr[idx], ytr[idx])
            return loss

        def predict() -> np.ndarray:
            return net.forward(xte)[2]
        return epoch, predict, yte
    X, Y, XT = T.from_numpy(xtr), T.from_numpy(ytr), T.from_numpy(xte)
    if COMPILE and variant in _W3_WARM:
        # compiled: the same model, optimizer and warm step every repeat (as _fresh does for
        # W4/W5), weights reloaded and state cleared; tracing is reported by compile_cost.py
        model, params, opt, step = _W3_WARM[variant]
        with T.no_grad():
            for p, a in zip(params, arrays):
                p.copy_(T.from_numpy(a.copy()))
        opt.state.clear()
    else:
        model, params = _mlp(T, arrays, "relu", False, variant)
        loss_fn = _loss(T, "ce", variant)
        opt = _sgd(T, params, W3_LR, W3_MOMENTUM, variant)
        step = _make_step(T, model, loss_fn, opt)
        if COMPILE and variant == "nn":  # (the raw variant's optimizer has no state dict)
            _W3_WARM[variant] = model, params, opt, step

    def epoch(perm: np.ndarray) -> float:
        return _train_epoch(step, X, Y, T.from_numpy(perm), W3_BATCH, len(perm))

    def predict() -> np.ndarray:
        with T.no_grad():
            return _to_np(T, model(XT))
    return epoch, predict, yte


def w3(T: Any, repeats: int, variant: str) -> dict:
    """MNIST 784-256-128-10 ReLU MLP, batch 128, SGD momentum 0.9, 3 epochs (s/epoch)."""
    perms = epoch_perms(8000, W3_EPOCHS, seed=4)
    epoch, _, _ = _w3_setup(T, variant)
    epoch(perms[0][:10 * W3_BATCH])  # warm-up: 10 steps
    times, accs, losses = [], [], []
    for _ in range(repeats):
        epoch, predict, yte = _w3_setup(T, variant)  # fresh weights: same run every repeat
        ep_times = []
        for perm in perms:
            t0 = time.perf_counter()
            loss = epoch(perm)
            ep_times.append(time.perf_counter() - t0)
        times.append(float(np.mean(ep_times)))
        accs.append(float((predict().argmax(1) == yte).mean()))
        losses.append(loss)
    return {"times": times, "unit": "s/epoch", "test_acc": accs[-1], "last_loss": losses[-1]}


def w3_memory(T: Any, epochs: int, variant: str) -> dict:
    """Peak RSS of W3 training and the RSS after each of ``epochs`` epochs (flat = graph freed)."""
    import resource

    perms = epoch_perms(8000, epochs, seed=4)
    epoch, predict, yte = _w3_setup(T, variant)
    base = _rss_mb()
    try:  # reset the high-water mark so the peak is training's, not data loading's
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        peak_of = "training"
    except OSError:
        peak_of = "process"
    rss = []
    for perm in perms:
        epoch(perm)
        rss.append(_rss_mb())
    peak = _rss_mb("VmHWM")
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"peak_rss_mb": peak, "peak_of": peak_of, "rss_before_mb": base,
            "rss_per_epoch_mb": rss, "test_acc": float((predict().argmax(1) == yte).mean())}


def _rss_mb(field: str = "VmRSS") -> float | None:
    """Resident set size (or its high-water mark, ``VmHWM``) of this process in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _fresh(T: Any, res: dict, setup: Callable, init: dict) -> tuple:
    """(model, optimizer, step) starting from ``init``: new ones each run in eager; compiled,
    the same ones (their compiled step stays warm, as in a long training run) with the weights
    reloaded in place and the optimizer state cleared."""
    if not COMPILE or "setup" not in res:
        res["setup"] = setup()
    model, opt, step = res["setup"]
    _load(T, dict(model.named_parameters()), init)
    opt.state.clear()
    return model, opt, step


# ------------------------------------------------------------------------- W4: small CNN
W4_BATCH, W4_STEPS = 64, 10


def w4(T: Any, repeats: int, variant: str) -> dict:
    """Two conv(3x3, pad 1)+ReLU+maxpool(2) blocks (1->8->16 channels), Linear(784, 10), batch
    64 of MNIST, cross-entropy, SGD momentum 0.9: milliseconds per training step."""
    if T is None:
        raise UnavailableError("no NumPy baseline for W4")
    if not _has(T, *NN_CNN):
        raise UnavailableError("needs nn.Conv2d, nn.MaxPool2d, nn.Flatten, nn.Linear, "
                          "nn.CrossEntropyLoss, optim.SGD")
    nn = T.nn
    xtr, ytr, _, _ = load_mnist()
    rng = np.random.default_rng(5)

    def u(shape: tuple, fan_in: int) -> np.ndarray:
        b = 1 / math.sqrt(fan_in)
        return rng.uniform(-b, b, shape).astype(F32)
    init = {"0.weight": u((8, 1, 3, 3), 9), "0.bias": u((8,), 9),
            "3.weight": u((16, 8, 3, 3), 72), "3.bias": u((16,), 72),
            "7.weight": u((10, 784), 784), "7.bias": u((10,), 784)}
    xs = [T.from_numpy(xtr[i * W4_BATCH:(i + 1) * W4_BATCH].reshape(-1, 1, 28, 28).copy())
          for i in range(W4_STEPS)]
    ys = [T.from_numpy(ytr[i * W4_BATCH:(i + 1) * W4_BATCH].copy()) for i in range(W4_STEPS)]
    res: dict = {}

    def setup() -> tuple:
        model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(784, 10))
        opt = T.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        return model, opt, _make_step(T, model, nn.CrossEntropyLoss(), opt)

    def run() -> None:
        model, opt, step = _fresh(T, res, setup, init)
        for xb, yb in zip(xs, ys):
            loss = step(xb, yb)
        res["loss"] = loss.item()
    times = _timed(run, repeats)
    return {"times": [t / W4_STEPS * 1e3 for t in times], "unit": "ms/step",
            "last_loss": res["loss"]}


# ------------------------------------------------------------------------ W5: LSTM step
W5_VOCAB, W5_EMB, W5_HID, W5_BATCH, W5_LEN, W5_STEPS = 1000, 32, 64, 32, 40, 5


def w5(T: Any, repeats: int, variant: str) -> dict:
    """Embedding(1000, 32) -> LSTM(32, 64) over 40 steps -> Linear(64, 2) on the last hidden
    state, batch 32, cross-entropy, SGD: milliseconds per training step."""
    if T is None:
        raise UnavailableError("no NumPy baseline for W5")
    if not _has(T, *NN_RNN):
        raise UnavailableError("needs nn.Embedding, nn.LSTM, nn.Linear, nn.CrossEntropyLoss, "
                          "optim.SGD")
    nn = T.nn
    rng = np.random.default_rng(6)
    k = 1 / math.sqrt(W5_HID)
    g4 = 4 * W5_HID
    init = {"emb.weight": rng.standard_normal((W5_VOCAB, W5_EMB)).astype(F32),
            "lstm.weight_ih_l0": rng.uniform(-k, k, (g4, W5_EMB)).astype(F32),
            "lstm.weight_hh_l0": rng.uniform(-k, k, (g4, W5_HID)).astype(F32),
            "lstm.bias_ih_l0": rng.uniform(-k, k, g4).astype(F32),
            "lstm.bias_hh_l0": rng.uniform(-k, k, g4).astype(F32),
            "fc.weight": rng.uniform(-k, k, (2, W5_HID)).astype(F32),
            "fc.bias": rng.uniform(-k, k, 2).astype(F32)}
    toks = [T.from_numpy(rng.integers(0, W5_VOCAB, (W5_BATCH, W5_LEN))) for _ in range(W5_STEPS)]
    labels = [T.from_numpy(rng.integers(0, 2, W5_BATCH)) for _ in range(W5_STEPS)]

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(W5_VOCAB, W5_EMB)
            self.lstm = nn.LSTM(W5_EMB, W5_HID, batch_first=True)
            self.fc = nn.Linear(W5_HID, 2)

        def forward(self, x: Any) -> Any:
            _, (h, _) = self.lstm(self.emb(x))
            return self.fc(h[-1])
    res: dict = {}

    def setup() -> tuple:
        model = Net()
        opt = T.optim.SGD(model.parameters(), lr=0.1)
        return model, opt, _make_step(T, model, nn.CrossEntropyLoss(), opt)

    def run() -> None:
        model, opt, step = _fresh(T, res, setup, init)
        for xb, yb in zip(toks, labels):
            loss = step(xb, yb)
        res["loss"] = loss.item()
    times = _timed(run, repeats)
    return {"times": [t / W5_STEPS * 1e3 for t in times], "unit": "ms/step",
            "last_loss": res["loss"]}


WORKLOADS: dict = {"w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5}
