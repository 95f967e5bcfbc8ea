"""Early stopping: watch the validation loss, stop once it has not improved (by more than
``min_delta``) for ``patience`` epochs, and put back the weights of the best epoch.

    python examples/deck/07_early_stopping.py
"""

from __future__ import annotations

import copy
import math

import autograd_nn as torch
from autograd_nn import nn


class EarlyStopping:
    """``step(val_loss, model)`` returns True when training should stop; it keeps a copy of the
    best ``model.state_dict()`` and, with ``restore_best_weights``, loads it back on stopping."""

    def __init__(self, patience: int = 10, min_delta: float = 0.0,
                 restore_best_weights: bool = True) -> None:
        self.patience, self.min_delta = patience, min_delta
        self.restore_best_weights = restore_best_weights
        self.best, self.best_epoch, self.bad_epochs = math.inf, -1, 0
        self.best_state: dict | None = None
        self.epoch = -1
        self.stopped_epoch: int | None = None

    def step(self, val_loss: float, model: nn.Module) -> bool:
        self.epoch += 1
        if val_loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())  # a snapshot, not a view
            return False
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            self.stopped_epoch = self.epoch
            if self.restore_best_weights and self.best_state is not None:
                model.load_state_dict(self.best_state)
            return True
        return False


def train(epochs: int = 500, patience: int = 10, seed: int = 0) -> dict:
    """A 20-64-32-1 MLP on little data (it overfits) with Adam and early stopping."""
    torch.manual_seed(seed)
    x, xv = torch.randn(60, 20), torch.randn(200, 20)
    y = x[:, :5].sum(1, keepdim=True) + 0.5 * torch.randn(60, 1)
    yv = xv[:, :5].sum(1, keepdim=True) + 0.5 * torch.randn(200, 1)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                          nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    stopper = EarlyStopping(patience=patience)
    history = []
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val = nn.functional.mse_loss(model(xv), yv).item()
        history.append((loss.item(), val))
        if stopper.step(val, model):
            break
    with torch.no_grad():
        final_val = nn.functional.mse_loss(model(xv), yv).item()
    return {"history": history, "stopper": stopper, "final_val": final_val}


def main() -> None:
    res = train()
    s = res["stopper"]
    print(f"stopped after epoch {s.stopped_epoch + 1}; best validation loss {s.best:.4f} at "
          f"epoch {s.best_epoch + 1}; restored model's validation loss {res['final_val']:.4f}")


if __name__ == "__main__":
    main()
