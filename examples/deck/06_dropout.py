"""Dropout zeroes each activation with probability p during training and scales the kept ones
by 1 / (1 - p), so the expected activation is unchanged; in ``eval()`` mode it is the identity.
Here a 20-64-32-1 MLP (the deck's model) is trained on only 100 noisy samples of the deck's
regression task, with and without dropout 0.5: without it the network memorises the training
set (training loss near 0, far below the validation loss); dropout keeps the training loss
honest and narrows that gap.

    python examples/deck/06_dropout.py
"""

from __future__ import annotations

import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.utils.data import DataLoader, TensorDataset


def make_mlp(p: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p),
                         nn.Linear(64, 32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 1))


def dropout_demo(p: float = 0.5, n: int = 10, seed: int = 0) -> tuple:
    """(training-mode output, eval-mode output) of ``nn.Dropout(p)`` on ones(n)."""
    torch.manual_seed(seed)
    drop = nn.Dropout(p)
    x = torch.ones(n)
    return drop(x), drop.eval()(x)


def train(p: float, epochs: int = 150, n: int = 100, noise: float = 0.5,
          seed: int = 0) -> tuple[float, float]:
    """Train with Adam; returns (training loss, validation loss), both measured in eval mode."""
    torch.manual_seed(seed)
    x, xv = torch.randn(n, 20), torch.randn(1000, 20)
    y = x[:, :5].sum(1, keepdim=True) + noise * torch.randn(n, 1)
    yv = xv[:, :5].sum(1, keepdim=True) + noise * torch.randn(1000, 1)
    model = make_mlp(p)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    for _ in range(epochs):
        model.train()                       # dropout active
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()                            # dropout off for evaluation
    with torch.no_grad():
        return loss_fn(model(x), y).item(), loss_fn(model(xv), yv).item()


def main() -> None:
    out_train, out_eval = dropout_demo()
    print("train mode:", out_train, "\neval mode: ", out_eval)
    for p in (0.0, 0.5):
        tr, va = train(p)
        print(f"dropout {p}: training loss {tr:.4f}  validation loss {va:.4f}  "
              f"gap {va - tr:.4f}")


if __name__ == "__main__":
    main()
