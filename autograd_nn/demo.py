"""``python -m autograd_nn.demo``: train a small classifier on scikit-learn's bundled digits
(8x8 images, 1,797 samples) and print the loss falling and the held-out accuracy."""

from __future__ import annotations

import numpy as np

import autograd_nn as ag


def load_digits() -> tuple:
    from sklearn.datasets import load_digits as _load

    d = _load()
    return d.data.astype(np.float32) / 16.0, d.target.astype(np.int64)


def main(epochs: int = 30, batch_size: int = 64, lr: float = 0.1, seed: int = 0) -> float:
    ag.manual_seed(seed)
    X, y = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_train = 1500
    Xtr, ytr, Xte, yte = (ag.tensor(a) for a in (X[:n_train], y[:n_train], X[n_train:],
                                                  y[n_train:]))
    W1 = (ag.randn(64, 64) * (1 / 8)).requires_grad_()
    b1 = ag.zeros(64, requires_grad=True)
    W2 = (ag.randn(64, 10) * (1 / 8)).requires_grad_()
    b2 = ag.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]

    def forward(x: ag.Tensor) -> ag.Tensor:
        return (x @ W1 + b1).relu() @ W2 + b2

    for epoch in range(epochs):
        perm = ag.randperm(n_train)
        total = 0.0
        for i in range(0, n_train, batch_size):
            idx = perm[i:i + batch_size]
            logits = forward(Xtr[idx])
            loss = -logits.log_softmax(1).gather(1, ytr[idx].unsqueeze(1)).mean()
            for p in params:
                p.grad = None
            loss.backward()
            with ag.no_grad():
                for p in params:
                    p -= lr * p.grad
            total += loss.item() * len(idx)
        if epoch % 5 == 0 or epoch == epochs - 1:
            with ag.no_grad():
                acc = (forward(Xte).argmax(1) == yte).float().mean().item()
            print(f"epoch {epoch:3d}  train loss {total / n_train:.4f}  held-out accuracy "
                  f"{acc:.3f}")
    return acc


if __name__ == "__main__":
    main()
