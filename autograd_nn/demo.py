"""``python -m autograd_nn.demo`` (``make demo``, ``autograd-nn demo``): train a small MLP on
scikit-learn's bundled digits (8x8 images, 1,797 samples; no download) with ``nn.Module``,
``optim``, ``DataLoader``, with a progress bar, printing the loss falling and the held-out
accuracy; with ``out_dir``, write the loss curves (matplotlib) and the drawn autograd graph
there. Needs the ``[all]`` extra (scikit-learn; tqdm, matplotlib, graphviz optional)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from . import serialization
from .recipes import DigitsMLP, accuracy, load_digits, run
from .viz import draw_model_graph

__all__ = ["DigitsMLP", "load_digits", "accuracy", "main", "write_outputs"]


def write_outputs(out_dir: str | Path, result: dict, title: str) -> list[str]:
    """Write ``history.json``, ``model.safetensors``, the loss/accuracy curves
    (``curves.png``) and the autograd graph of one training step (``graph.svg``, or its DOT
    source ``graph.gv`` without the Graphviz ``dot`` program) into ``out_dir``. Returns the
    lines to report (one per file, and one per optional piece that could not be made)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    history = {"losses": result["losses"], "held_out_accuracy": result["accuracies"],
               "seconds": result["seconds"], "description": result.get("description", "")}
    (out / "history.json").write_text(json.dumps(history, indent=1))
    lines.append(f"{out / 'history.json'}: loss per epoch and held-out accuracy")
    serialization.save(result["model"].state_dict(), out / "model.safetensors")
    lines.append(f"{out / 'model.safetensors'}: the trained weights (autograd_nn.load)")
    lines.append(plot_curves(result, out / "curves.png", title))
    if "example_input" in result:
        lines.append(_graph_line(result["model"], result["example_input"], out / "graph.svg"))
    return lines


def _graph_line(model: Any, inputs: tuple, path: Path) -> str:
    """Draw the model's forward graph (a ``.gv`` DOT file without Graphviz's ``dot``)."""
    try:
        written = draw_model_graph(model, inputs, path, depth=None)
    except ImportError as e:  # the graphviz package (the [viz] extra)
        return f"no graph drawing: {e}"
    note = "" if written.suffix == path.suffix else " (DOT source: Graphviz's dot is missing)"
    return f"{written}: the autograd graph of one forward pass{note}"


def plot_curves(result: dict, path: Path, title: str) -> str:
    """Training loss and held-out accuracy per epoch, side by side, as an image."""
    try:
        import matplotlib  # optional extra ([plot])

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no loss curves: matplotlib is missing (pip install 'autograd_nn[plot]')"
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = range(1, len(result["losses"]) + 1)
    ax_loss.plot(epochs, result["losses"], marker="o")
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log", title="loss")
    acc = result["accuracies"]
    ax_acc.plot(list(acc), list(acc.values()), marker="o", color="tab:green")
    ax_acc.set(xlabel="epoch", ylabel="held-out accuracy", title="held-out accuracy")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return f"{path}: loss and held-out accuracy curves"


def main(epochs: int = 30, batch_size: int = 64, lr: float = 1e-2, seed: int = 0,
         progress: bool | None = None, log_every: int = 5, out_dir: str | Path | None = None
         ) -> float:
    """Train, print progress, return the held-out accuracy (20% of the digits, never trained
    on). ``progress``: a tqdm bar over the steps (default: when stderr is a terminal)."""
    t0 = time.perf_counter()
    if progress is None:
        progress = sys.stderr.isatty()
    result = run("digits", "mlp", epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
                 eval_every=log_every, progress=progress)
    acc = result["accuracy"]
    print(f"final held-out accuracy {acc:.3f} ({time.perf_counter() - t0:.1f} s)")
    if out_dir is not None:
        result["example_input"] = (load_digits().tensors[0][:8],)
        for line in write_outputs(out_dir, result, "digits MLP"):
            print(line)
        print(f"outputs written to {Path(out_dir).resolve()}")
    return acc


if __name__ == "__main__":  # the same command as `autograd-nn demo`
    from .cli import main as cli_main

    sys.exit(cli_main(["demo", *sys.argv[1:]]))
