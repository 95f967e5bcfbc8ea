"""Regularisation adds a penalty on the weights to the loss.

* L2 (ridge): loss + (lambda / 2) |w|^2. Its gradient is lambda * w, exactly what
  ``SGD(weight_decay=lambda)`` adds, so the two are the same algorithm. Weights shrink but
  stay non-zero.
* L1 (lasso): loss + lambda |w|_1. Its constant-size pull towards 0 sets irrelevant weights to
  (almost exactly) zero: a sparse model. A learning rate annealed to 0 lets the subgradient
  iterates settle.

The data follow the deck: 20 features of which only the first 5 matter.

    python examples/deck/05_regularization.py
"""

from __future__ import annotations

import numpy as np

import autograd_nn as torch
from autograd_nn import nn


def make_data(n: int = 100, n_features: int = 20, n_relevant: int = 5, seed: int = 0):
    """x ~ N(0, I), y = sum of the first ``n_relevant`` features + 0.1 noise; 80/20 split."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, n_features))
    y = x[:, :n_relevant].sum(1) + 0.1 * rng.standard_normal(n)
    k = int(0.8 * n)
    return x[:k], y[:k], x[k:], y[k:]


def train_linear(x: np.ndarray, y: np.ndarray, penalty: str | None = None, lam: float = 0.0,
                 weight_decay: float = 0.0, steps: int = 1000, lr: float = 0.05,
                 anneal: bool = True, seed: int = 0) -> nn.Linear:
    """Full-batch SGD on MSE + penalty ('l1', 'l2' or None) on the weight (never the bias).
    ``weight_decay`` is applied by the optimizer to the weight's param group only."""
    torch.manual_seed(seed)
    model = nn.Linear(x.shape[1], 1).double()
    optimizer = torch.optim.SGD([{"params": [model.weight], "weight_decay": weight_decay},
                                 {"params": [model.bias]}], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps) \
        if anneal else None
    inputs, targets = torch.tensor(x), torch.tensor(y).unsqueeze(1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        if penalty == "l2":
            loss = loss + lam / 2 * (model.weight ** 2).sum()
        elif penalty == "l1":
            loss = loss + lam * model.weight.abs().sum()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return model


def r2_score(model: nn.Linear, x: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        pred = model(torch.tensor(x)).squeeze(1).numpy()
    return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))


def main() -> None:
    x, y, xt, yt = make_data()
    for name, kw in (("none", {}), ("L2 (penalty)", dict(penalty="l2", lam=0.2)),
                     ("L2 (weight_decay)", dict(weight_decay=0.2)),
                     ("L1", dict(penalty="l1", lam=0.2))):
        m = train_linear(x, y, **kw)
        w = m.weight.detach().numpy().ravel()
        print(f"{name:18s} relevant {np.round(w[:5], 3)}  max |irrelevant| "
              f"{np.abs(w[5:]).max():.2e}  held-out R^2 {r2_score(m, xt, yt):.4f}")


if __name__ == "__main__":
    main()
