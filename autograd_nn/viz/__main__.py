"""Draw the example MLP graph of the README: ``python -m autograd_nn.viz docs/mlp_graph.svg``."""

from __future__ import annotations

import sys
from pathlib import Path

import autograd_nn as torch
from autograd_nn import nn
from autograd_nn.viz import draw_graph


def mlp_graph():
    """A 4-16-3 MLP with cross-entropy after one backward, drawn with gradient norms."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    x, target = torch.randn(8, 4), torch.randint(0, 3, (8,))
    loss = nn.CrossEntropyLoss()(model(x), target)
    loss.backward(retain_graph=True)
    return draw_graph(loss, model, show_grad_norm=True)


def main(argv: list[str]) -> None:
    out = Path(argv[1] if len(argv) > 1 else "mlp_graph.svg")
    g = mlp_graph()
    out.write_text(g.pipe(format=out.suffix.lstrip(".") or "svg", encoding="utf-8"))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
