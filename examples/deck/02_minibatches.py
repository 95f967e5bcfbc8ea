"""Mini-batch gradient descent: an *iteration* is one update on one batch, an *epoch* one pass
over the whole data set. A DataLoader with N samples and batch size B yields ceil(N / B)
batches per epoch (the last one smaller), or floor(N / B) with ``drop_last=True``.

    python examples/deck/02_minibatches.py
"""

from __future__ import annotations

import math

import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.utils.data import DataLoader, TensorDataset


def make_data(n: int = 1000, seed: int = 0) -> TensorDataset:
    """Points in the plane labelled 1 inside the circle of radius 1.2 (not linearly separable)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = ((x ** 2).sum(1, keepdim=True) < 1.44).float()
    return TensorDataset(x, y)


def train(dataset: TensorDataset, batch_size: int = 32, epochs: int = 20, lr: float = 0.05,
          drop_last: bool = False, seed: int = 0, log: bool = False) -> dict:
    """Train a 2-16-1 MLP with mini-batch Adam; returns per-epoch mean losses, the iteration
    count and the final accuracy."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    iterations, losses = 0, []
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:             # one iteration per batch
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            iterations += 1
            total += loss.item()
        losses.append(total / len(loader))
        if log:
            print(f"epoch {epoch + 1:2d}  iterations so far {iterations:4d}  "
                  f"loss {losses[-1]:.4f}")
    x, y = dataset.tensors
    with torch.no_grad():
        accuracy = ((model(x) > 0).float() == y).float().mean().item()
    return {"losses": losses, "iterations": iterations, "accuracy": accuracy,
            "iterations_per_epoch": len(loader)}


def main() -> None:
    data = make_data()
    n, b = len(data), 32
    print(f"N = {n}, batch size {b}: {math.ceil(n / b)} iterations per epoch "
          f"({n // b} with drop_last)")
    res = train(data, batch_size=b, epochs=10, log=True)
    print(f"{res['iterations']} iterations in 10 epochs; training accuracy "
          f"{res['accuracy']:.3f}")


if __name__ == "__main__":
    main()
