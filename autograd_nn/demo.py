"""``python -m autograd_nn.demo`` (``make demo``): train a small MLP on scikit-learn's bundled
digits (8x8 images, 1,797 samples; no download) with ``nn.Module``, ``optim``, ``DataLoader``,
and print the loss falling and the held-out accuracy. Needs the ``[all]`` extra (scikit-learn;
tqdm optional for a progress bar)."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.utils.data import DataLoader, TensorDataset, random_split


class DigitsMLP(nn.Module):
    """64 pixels -> hidden -> 10 logits, ReLU + dropout.

    Shapes: ``(N, 64)`` float32 -> ``(N, 10)``.
    """

    def __init__(self, hidden: int = 128, p: float = 0.1) -> None:
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.drop = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


def load_digits() -> TensorDataset:
    """scikit-learn's digits as a TensorDataset: pixels scaled to [0, 1] (float32), labels int64."""
    try:
        from sklearn.datasets import load_digits as _load
    except ImportError:  # pragma: no cover - depends on the environment
        sys.exit("the demo needs scikit-learn: pip install 'autograd_nn[all]'")
    d = _load()
    return TensorDataset(torch.tensor(d.data.astype(np.float32) / 16.0),
                         torch.tensor(d.target.astype(np.int64)))


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += int((model(x).argmax(1) == y).sum().item())
            total += len(y)
    model.train()
    return correct / total


def main(epochs: int = 30, batch_size: int = 64, lr: float = 1e-2, seed: int = 0,
         progress: bool | None = None, log_every: int = 5) -> float:
    """Train, print progress, return the held-out accuracy (20% of the digits, never trained
    on). ``progress``: a tqdm bar over epochs (default: when tqdm is installed and stderr is a
    terminal)."""
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    data = load_digits()
    train_set, test_set = random_split(data, [0.8, 0.2],
                                       generator=torch.Generator().manual_seed(seed))
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                              generator=torch.Generator().manual_seed(seed))
    test_loader = DataLoader(test_set, batch_size=512)
    model = DigitsMLP()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    print(f"digits: {len(train_set)} train / {len(test_set)} held out; model {model}")

    epochs_iter: range | object = range(epochs)
    bar = None
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        try:
            from tqdm import tqdm
            epochs_iter = bar = tqdm(range(epochs), desc="training", unit="epoch")
        except ImportError:
            pass
    acc = float("nan")
    for epoch in epochs_iter:  # type: ignore[attr-defined]
        total = 0.0
        for x, y in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
        sched.step()
        train_loss = total / len(train_set)
        if bar is not None:
            bar.set_postfix(loss=f"{train_loss:.4f}")
        if epoch % log_every == 0 or epoch == epochs - 1:
            acc = accuracy(model, test_loader)
            msg = (f"epoch {epoch + 1:3d}  train loss {train_loss:.4f}  held-out accuracy "
                   f"{acc:.3f}")
            (bar.write if bar is not None else print)(msg)
    if bar is not None:
        bar.close()
    print(f"final held-out accuracy {acc:.3f} ({time.perf_counter() - t0:.1f} s)")
    return acc


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args()
    main(epochs=args.epochs, seed=args.seed, progress=False if args.no_progress else None)
