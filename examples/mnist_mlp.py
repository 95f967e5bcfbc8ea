"""Train an MLP on the project's MNIST split (first 8,000 test-set images for training, last 2,000
held out) with nn, optim and DataLoader. The model, data and training loop are those of
``autograd-nn train --dataset mnist --model mlp`` (``autograd_nn/recipes.py``, plain PyTorch-style
code: one copy for the command line, the demo and these scripts).

    python examples/mnist_mlp.py [--data DIR] [--epochs 8] [--save mlp.safetensors]

The data folder is ``--data``, else ``$AUTOGRAD_NN_DATA``, else ``../shared/data`` (holding
``mnist-test/``).
"""

from __future__ import annotations

import argparse
from typing import Any

import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.recipes import accuracy, mlp, run
from autograd_nn.utils.data import DataLoader, TensorDataset


def make_model(hidden: int = 256) -> nn.Module:
    """784 -> hidden -> hidden/2 -> 10, ReLU."""
    return mlp(784, hidden)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000
             ) -> float:
    """Classification accuracy of ``model`` on ``(x, y)``."""
    return accuracy(model, DataLoader(TensorDataset(x, y), batch_size=batch_size))


def train(root: Any = None, epochs: int = 8, batch_size: int = 64, lr: float = 1e-3,
          hidden: int = 256, seed: int = 0, log: bool = True) -> dict:
    """Train (Adam, cosine decay over the epochs: the last epochs settle instead of bouncing
    around the minimum) and return ``{"accuracy", "losses" (mean per epoch), "model",
    "seconds"}``."""
    return run("mnist", "mlp", root, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
               hidden=hidden, eval_every=1 if log else epochs, log=log)


def main(argv: list[str] | None = None) -> float:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=None, help="folder holding mnist-test/")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", default=None, help="write the trained weights here")
    a = p.parse_args(argv)
    out = train(a.data, a.epochs, a.batch_size, a.lr, seed=a.seed)
    print(f"held-out accuracy {out['accuracy']:.4f} after {a.epochs} epochs "
          f"({out['seconds']:.1f} s)")
    if a.save:
        torch.save(out["model"].state_dict(), a.save)
        print(f"saved weights to {a.save}")
    return out["accuracy"]


if __name__ == "__main__":
    main()
