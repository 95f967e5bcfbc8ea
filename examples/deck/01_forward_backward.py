"""One training iteration, step by step: forward pass, loss, backward pass, parameter update.

The network is the deck's 2-4-1 sigmoid network. ``loss.backward()`` fills every parameter's
``.grad`` (reverse-mode autodiff), and ``optimizer.step()`` moves each parameter against it.

    python examples/deck/01_forward_backward.py
"""

from __future__ import annotations

import autograd_nn as torch
from autograd_nn import nn


class TwoLayerNet(nn.Module):
    """x (N, n_in) -> sigmoid(Linear) (N, n_hidden) -> sigmoid(Linear) (N, n_out): probabilities."""

    def __init__(self, n_in: int = 2, n_hidden: int = 4, n_out: int = 1) -> None:
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.out(torch.sigmoid(self.hidden(x))))


def losses_demo() -> dict[str, float]:
    """MSE for regression; cross-entropy for classification, binary (probabilities) and
    multi-class (logits and class indices)."""
    y_true = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y_prob = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]])
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    classes = torch.tensor([0, 2])
    return {"mse": nn.MSELoss()(y_prob, y_true).item(),
            "binary_cross_entropy": nn.BCELoss()(y_prob, y_true).item(),
            "cross_entropy": nn.CrossEntropyLoss()(logits, classes).item()}


def one_iteration(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                  optimizer: torch.optim.Optimizer) -> float:
    """Forward, loss (binary cross-entropy), backward, update; returns the loss before it."""
    optimizer.zero_grad()
    loss = nn.BCELoss()(model(x), y)  # forward pass + loss
    loss.backward()                   # d loss / d parameter for every parameter
    optimizer.step()                  # p <- p - lr * p.grad
    return loss.item()


def main() -> None:
    torch.manual_seed(0)
    print("losses:", losses_demo())
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [1.0], [1.0], [1.0]])  # OR
    model = TwoLayerNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
    for it in range(301):
        loss = one_iteration(model, x, y, optimizer)
        if it % 100 == 0:
            print(f"iteration {it:3d}  loss {loss:.4f}")
    with torch.no_grad():
        print("predictions:", model(x).squeeze(1))


if __name__ == "__main__":
    main()
