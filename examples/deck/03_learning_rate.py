"""The learning rate sets the step size. Gradient descent on f(x) = x^2 (gradient 2x) gives
x_n = x_0 (1 - 2 lr)^n: it converges for 0 < lr < 1 (in one step at lr = 0.5), oscillates
forever at lr = 1 and diverges for lr > 1.

    python examples/deck/03_learning_rate.py
"""

from __future__ import annotations

import autograd_nn as torch


def gradient_descent(x0: float, lr: float, steps: int) -> list[float]:
    """Minimise x^2 from ``x0`` with ``optim.SGD``; returns x_0 ... x_steps."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    history = [x.item()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = x ** 2
        loss.backward()
        optimizer.step()
        history.append(x.item())
    return history


def main() -> None:
    for lr in (0.01, 0.1, 0.5, 0.9, 1.0, 1.1):
        xs = gradient_descent(5.0, lr, 20)
        print(f"lr {lr:<4}  x_20 = {xs[-1]: .6g}   f(x_20) = {xs[-1] ** 2:.6g}")


if __name__ == "__main__":
    main()
