"""Ready-made models, data and one training loop, shared by ``autograd-nn train`` / ``demo``,
``python -m autograd_nn.demo`` and the scripts in ``examples/`` (so they stay one code path).

Datasets (:data:`DATASETS`): ``digits`` (scikit-learn's 1,797 8x8 digits, 80/20 seeded split;
needs ``autograd_nn[datasets]``), ``mnist`` (the project's MNIST split: first 8,000 of the test
set to train, last 2,000 held out), ``polarity`` (rt-polarity sentences, seeded 90/10 split).
Models (:data:`MODELS`): ``mlp``, ``cnn`` (conv-BN-ReLU-maxpool x2), ``lstm`` (an image read row
by row; for ``polarity`` an Embedding + packed LSTM).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _creation, cat, nn, optim
from .autograd.grad_mode import no_grad
from .datasets import build_vocab, encode_batch, load_rt_polarity, mnist_split, tokenize
from .nn.utils import clip_grad_norm_
from .nn.utils.rnn import pack_padded_sequence
from .random import manual_seed
from .tensor import Tensor
from .utils.data import DataLoader, TensorDataset, random_split

__all__ = ["DATASETS", "MODELS", "Recipe", "RECIPES", "DigitsMLP", "mlp", "small_cnn",
           "RowLSTM", "SentimentLSTM", "make_net", "example_inputs", "load_digits",
           "split_polarity", "polarity_batches", "build", "accuracy", "fit", "run"]

DATASETS = ("digits", "mnist", "polarity")
MODELS = ("mlp", "cnn", "lstm")


# -------------------------------------------------------------------------------------- models
def mlp(in_features: int = 784, hidden: int = 256) -> Any:
    """``(N, ...)`` images -> 10 logits: Flatten, in -> hidden -> hidden/2 -> 10, ReLU."""
    return nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 10))


def small_cnn(side: int = 28, c1: int = 16, c2: int = 32, dropout: float = 0.1) -> Any:
    """``(N, 1, side, side)`` -> 10 logits: two conv-BN-ReLU-maxpool stages with ``c1`` and ``c2``
    channels (side -> side/2 -> side/4), then dropout and a linear classifier."""
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1, bias=False), nn.BatchNorm2d(c1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout), nn.Linear(c2 * (side // 4) ** 2, 10),
    )


class DigitsMLP(nn.Module):
    """64 pixels -> hidden -> 10 logits, ReLU + dropout. Shapes: ``(N, 64)`` (or ``(N, 1, 8, 8)``)
    float32 -> ``(N, 10)``."""

    def __init__(self, hidden: int = 128, p: float = 0.1) -> None:
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.drop = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.drop(self.fc1(x.reshape(len(x), -1)).relu()))


class RowLSTM(nn.Module):
    """An image read as a sequence of its rows: ``(N, [1,] H, W)`` -> LSTM over the H rows (W
    features each) -> the last hidden state -> 10 logits."""

    def __init__(self, side: int, hidden: int = 64) -> None:
        super().__init__()
        self.side = side
        self.lstm = nn.LSTM(side, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x: Tensor) -> Tensor:
        _, (h_n, _) = self.lstm(x.reshape(len(x), self.side, self.side))
        return self.fc(h_n[0])


class SentimentLSTM(nn.Module):
    """ids ``(B, T)`` + lengths ``(B,)`` -> logits ``(B, 2)``: embedding, dropout, (bi)LSTM over
    the packed batch, final states, dropout, linear."""

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden: int = 64,
                 bidirectional: bool = False, dropout: float = 0.3) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True, bidirectional=bidirectional)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), 2)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        x = self.drop(self.embedding(ids))
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        # h_n (directions, B, H): the last layer's forward (and backward) final states
        feats = cat(list(h_n), dim=1) if h_n.shape[0] > 1 else h_n[0]
        return self.fc(self.drop(feats))


# ---------------------------------------------------------------------------------------- data
def load_digits() -> Any:
    """scikit-learn's digits as a ``TensorDataset``: ``(1797, 64)`` float32 pixels in [0, 1],
    int64 labels."""
    try:
        from sklearn.datasets import load_digits as _load  # optional extra ([datasets])
    except ImportError:
        raise ImportError("the digits dataset needs scikit-learn: pip install "
                          "'autograd_nn[datasets]'") from None
    d = _load()
    return TensorDataset(_creation.tensor(d.data.astype(np.float32) / 16.0),
                         _creation.tensor(d.target.astype(np.int64)))


def split_polarity(root: Any = None, seed: int = 0, test_frac: float = 0.1, max_len: int = 50,
                   min_freq: int = 1) -> tuple:
    """``(train, test, vocab)`` of rt-polarity: a fixed seeded shuffle, the vocabulary from the
    training part only; train/test are ``(ids (N, max_len), lengths (N,), labels (N,))``."""
    sentences, labels = load_rt_polarity(root)
    order = np.random.default_rng(seed).permutation(len(sentences))
    n_test = int(round(len(sentences) * test_frac))
    test_idx, train_idx = order[:n_test], order[n_test:]
    tokens = [tokenize(s) for s in sentences]
    vocab = build_vocab((tokens[i] for i in train_idx), min_freq=min_freq)
    ids, lengths = encode_batch(tokens, vocab, max_len)
    lengths = np.maximum(lengths, 1)  # an empty line would still need one (padding) step
    return ((ids[train_idx], lengths[train_idx], labels[train_idx]),
            (ids[test_idx], lengths[test_idx], labels[test_idx]), vocab)


def polarity_batches(data: tuple, batch_size: int, rng: np.random.Generator | None = None
                     ) -> Iterator[tuple]:
    """Mini-batches ``(ids, lengths, labels)`` of sentences of similar length (sorted within
    shuffled chunks, so little compute goes to padding), trimmed to their longest sentence;
    shuffled when ``rng``."""
    ids, lengths, labels = data
    n = len(labels)
    order = np.arange(n) if rng is None else rng.permutation(n)
    chunk = batch_size * 50
    groups = []
    for s in range(0, n, chunk):
        part = order[s:s + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        groups += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    if rng is not None:
        groups = [groups[i] for i in rng.permutation(len(groups))]
    for idx in groups:
        t = int(lengths[idx].max())
        yield (Tensor._wrap(ids[idx, :t]), Tensor._wrap(lengths[idx]),
               Tensor._wrap(labels[idx]))


# ------------------------------------------------------------------------------- the loop
def accuracy(model: Any, batches: Iterable[tuple]) -> float:
    """Classification accuracy of ``model`` (in eval mode) over ``(inputs..., labels)``
    batches; ``model(*inputs)`` gives the logits."""
    model.eval()
    correct = total = 0
    with no_grad():
        for *inputs, labels in batches:
            correct += int((model(*inputs).argmax(1) == labels).sum().item())
            total += len(labels)
    return correct / total


class _Progress:
    """A tqdm bar over the training steps (when ``enabled`` and tqdm is installed), else
    nothing; ``write`` prints a line without breaking the bar."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm  # optional extra ([progress])
            except ImportError:
                print("(no progress bar: pip install 'autograd_nn[progress]')", file=sys.stderr)
            else:
                self.bar = tqdm(total=total, desc="training", unit="step", dynamic_ncols=True)

    def step(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    def write(self, line: str) -> None:
        (self.bar.write if self.bar is not None else print)(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fit(model: Any, train_batches: Callable[[], Iterable[tuple]], optimizer: Any,
        loss_fn: Callable, epochs: int, *, scheduler: Any = None, step_scheduler_per_batch=False,
        clip_grad_norm: float | None = None, evaluate: Callable[[], float] | None = None,
        eval_every: int = 1, keep_best: bool = False, time_budget: float | None = None,
        steps_per_epoch: int | None = None, progress: bool = False, log: bool = True) -> dict:
    """Train ``model`` for ``epochs`` passes over ``train_batches()`` (a fresh iterable of
    ``(inputs..., labels)`` each epoch; ``model(*inputs)`` gives the logits).

    ``scheduler`` steps once per epoch, or per batch with ``step_scheduler_per_batch``;
    ``evaluate()`` (a held-out accuracy) runs every ``eval_every`` epochs and after the last;
    ``keep_best`` reloads the weights of the best evaluated epoch at the end; ``time_budget``
    (seconds) stops after the epoch that passes it. ``progress``: a tqdm bar over the steps.

    Returns ``{"losses" (mean per epoch), "accuracies" ({epoch: accuracy}), "best_accuracy",
    "seconds"}``.
    """
    losses: list[float] = []
    accuracies: dict[int, float] = {}
    best, best_state = -math.inf, None
    total_steps = None if steps_per_epoch is None else steps_per_epoch * epochs
    bar = _Progress(progress, total_steps)
    t0 = time.perf_counter()
    try:
        for epoch in range(epochs):
            model.train()
            total, count = 0.0, 0
            for *inputs, labels in train_batches():
                optimizer.zero_grad()
                loss = loss_fn(model(*inputs), labels)
                loss.backward()
                if clip_grad_norm is not None:
                    clip_grad_norm_(model.parameters(), clip_grad_norm)
                optimizer.step()
                if scheduler is not None and step_scheduler_per_batch:
                    scheduler.step()
                value = float(loss.item())
                total += value * len(labels)
                count += len(labels)
                bar.step(value)
            if scheduler is not None and not step_scheduler_per_batch:
                scheduler.step()
            losses.append(total / count)
            last = epoch == epochs - 1 or (time_budget is not None
                                           and time.perf_counter() - t0 > time_budget)
            line = f"epoch {epoch + 1:3d}  train loss {losses[-1]:.4f}"
            if evaluate is not None and ((epoch + 1) % eval_every == 0 or last):
                accuracies[epoch + 1] = acc = evaluate()
                line += f"  held-out accuracy {acc:.4f}"
                if acc > best:
                    best = acc
                    if keep_best:
                        best_state = model.state_dict()
            if log:
                bar.write(f"{line}  ({time.perf_counter() - t0:.1f} s)")
            if last:
                break
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"losses": losses, "accuracies": accuracies,
            "best_accuracy": best if accuracies else None, "seconds": time.perf_counter() - t0}


# ------------------------------------------------------------------------------- recipes
@dataclass(frozen=True)
class Recipe:
    """Default hyper-parameters of one (dataset, model) pair (Adam + cosine decay)."""

    epochs: int
    batch_size: int
    lr: float
    per_batch_schedule: bool = False  # cosine over steps rather than epochs
    clip_grad_norm: float | None = None
    keep_best: bool = False


RECIPES = {
    ("digits", "mlp"): Recipe(30, 64, 1e-2),
    ("digits", "cnn"): Recipe(15, 64, 5e-3, per_batch_schedule=True),
    ("digits", "lstm"): Recipe(25, 64, 1e-2, per_batch_schedule=True),
    ("mnist", "mlp"): Recipe(8, 64, 1e-3),
    ("mnist", "cnn"): Recipe(4, 64, 2e-3, per_batch_schedule=True),
    ("mnist", "lstm"): Recipe(4, 64, 3e-3, per_batch_schedule=True),
    ("polarity", "lstm"): Recipe(4, 64, 3e-3, clip_grad_norm=5.0, keep_best=True),
}


def _check_pair(dataset: str, model: str) -> Recipe:
    if (dataset, model) not in RECIPES:
        pairs = ", ".join(f"{d}/{m}" for d, m in RECIPES)
        raise ValueError(f"no recipe for --dataset {dataset} --model {model}; available: {pairs}")
    return RECIPES[dataset, model]


def make_net(dataset: str, model: str, vocab_size: int | None = None,
             hidden: int | None = None) -> Any:
    """The ``model`` network for ``dataset`` (``vocab_size``: the polarity vocabulary)."""
    _check_pair(dataset, model)
    if dataset == "polarity":
        if vocab_size is None:
            raise ValueError("make_net: the polarity model needs vocab_size")
        return SentimentLSTM(vocab_size, hidden=hidden or 64)
    side = 8 if dataset == "digits" else 28
    if model == "mlp":
        return DigitsMLP(hidden or 128) if dataset == "digits" else mlp(784, hidden or 256)
    if model == "cnn":  # digits come as (N, 64) rows of pixels
        cnn = small_cnn(side)
        return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), *cnn) if dataset == "digits" else cnn
    return RowLSTM(side, hidden or (64 if dataset == "digits" else 128))


def example_inputs(dataset: str, n: int = 8, vocab_size: int = 1000, seed: int = 0
                   ) -> tuple:
    """A random batch of ``n`` inputs shaped as ``dataset``'s (to draw a model's graph)."""
    rng = np.random.default_rng(seed)
    if dataset == "polarity":
        lengths = np.sort(rng.integers(3, 12, n))[::-1].copy()
        ids = rng.integers(1, vocab_size, (n, int(lengths[0])))
        return Tensor._wrap(ids), Tensor._wrap(lengths)
    shape = (n, 64) if dataset == "digits" else (n, 1, 28, 28)
    return (Tensor._wrap(rng.standard_normal(shape).astype(np.float32)),)


def build(dataset: str, model: str, root: Any = None, seed: int = 0, hidden: int | None = None
          ) -> tuple[Any, Callable, Callable, str, int]:
    """``(net, train_batches(batch_size) -> iterable, test_batches() -> iterable, description,
    n_train)`` for a supported pair; batches are ``(inputs..., labels)``."""
    _check_pair(dataset, model)
    if dataset == "polarity":
        train_data, test_data, vocab = split_polarity(root, seed)
        net = make_net(dataset, model, len(vocab), hidden)
        rng = np.random.default_rng(seed)
        return (net, lambda batch_size: polarity_batches(train_data, batch_size, rng),
                lambda: polarity_batches(test_data, 500),
                f"rt-polarity: {len(train_data[2])} train / {len(test_data[2])} held-out "
                f"sentences, vocabulary {len(vocab)}", len(train_data[2]))
    if dataset == "digits":
        data = load_digits()
        train_set, test_set = random_split(data, [0.8, 0.2],
                                           generator=_creation.Generator().manual_seed(seed))
        source = "digits (8x8)"
    else:
        x_train, y_train, x_test, y_test = mnist_split(root)
        train_set, test_set = TensorDataset(x_train, y_train), TensorDataset(x_test, y_test)
        source = "MNIST split (28x28)"
    net = make_net(dataset, model, hidden=hidden)
    generator = _creation.Generator().manual_seed(seed)
    return (net, lambda batch_size: DataLoader(train_set, batch_size=batch_size, shuffle=True,
                                               generator=generator),
            lambda: DataLoader(test_set, batch_size=500),
            f"{source}: {len(train_set)} train / {len(test_set)} held-out images",
            len(train_set))


def run(dataset: str, model: str, root: Any = None, *, epochs: int | None = None,
        batch_size: int | None = None, lr: float | None = None, seed: int = 0,
        hidden: int | None = None, eval_every: int = 1, progress: bool = False,
        log: bool = True) -> dict:
    """Train the ``(dataset, model)`` recipe (its defaults unless given) with Adam and cosine
    decay. Returns :func:`fit`'s dict plus ``"model"``, ``"accuracy"`` (held out, after
    training: the best epoch's with ``keep_best``), ``"epochs"``, ``"description"``."""
    manual_seed(seed)
    net, train_batches, test_batches, describe, n_train = build(dataset, model, root, seed,
                                                                hidden)
    recipe = RECIPES[dataset, model]
    epochs = recipe.epochs if epochs is None else epochs
    batch_size = batch_size or recipe.batch_size
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch size must be >= 1, got {epochs} and {batch_size}")
    steps = math.ceil(n_train / batch_size)
    opt = optim.Adam(net.parameters(), lr=lr or recipe.lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=epochs * steps if recipe.per_batch_schedule else epochs)
    if log:
        n_params = sum(p.numel() for p in net.parameters())
        print(f"{describe}; {type(net).__name__} ({n_params:,} parameters), {epochs} epochs")
    out = fit(net, lambda: train_batches(batch_size), opt, nn.CrossEntropyLoss(), epochs,
              scheduler=sched, step_scheduler_per_batch=recipe.per_batch_schedule,
              clip_grad_norm=recipe.clip_grad_norm,
              evaluate=lambda: accuracy(net, test_batches()), eval_every=eval_every,
              keep_best=recipe.keep_best, steps_per_epoch=steps, progress=progress, log=log)
    out.update(model=net, epochs=epochs, description=describe,
               accuracy=out["best_accuracy"] if recipe.keep_best
               else out["accuracies"][max(out["accuracies"])])
    return out
