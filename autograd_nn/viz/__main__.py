"""Draw the example MLP graph of the README: ``python -m autograd_nn.viz [docs/mlp_graph.svg]``
(``.svg``, ``.png``, ``.pdf`` or ``.gv``). ``autograd-nn draw`` draws the other models."""

from __future__ import annotations

import sys
from pathlib import Path

import autograd_nn as torch
from autograd_nn import nn, viz
from autograd_nn.cli import ArgumentParser, run_reporting_errors


def mlp_graph():
    """A 4-16-3 MLP with cross-entropy after one backward, drawn with gradient norms."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    x, target = torch.randn(8, 4), torch.randint(0, 3, (8,))
    loss = nn.CrossEntropyLoss()(model(x), target)
    loss.backward(retain_graph=True)
    return viz.draw_graph(loss, model, show_grad_norm=True)


def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m autograd_nn.viz",
                       description="Draw the README's example graph (a 4-16-3 MLP with "
                       "cross-entropy, gradient norms shown) to a file.")
    p.add_argument("out", nargs="?", default="mlp_graph.svg", type=Path,
                   help="output file: .svg, .png, .pdf (need Graphviz's dot) or .gv (default: "
                        "mlp_graph.svg)")
    args = p.parse_args(argv)

    def draw() -> None:
        print(f"wrote {viz.write_graph(mlp_graph(), args.out)}")

    return run_reporting_errors(draw, p.prog)


if __name__ == "__main__":
    sys.exit(main())
