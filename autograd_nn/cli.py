"""The ``autograd-nn`` command (also ``python -m autograd_nn``).

    autograd-nn demo [--epochs 30] [--out autograd_nn_demo]
    autograd-nn train --dataset {digits,mnist,polarity} --model {mlp,cnn,lstm} [--epochs N]
                      [--data-dir DIR] [--out DIR]
    autograd-nn draw OUT.svg|.png|.pdf|.gv [--dataset D] [--model M] [--weights FILE]
    autograd-nn gradcheck [OP ...] [--list] [--first-order-only]

Every error (bad arguments, a missing data folder, a wrong file) is one line on stderr and a
non-zero exit status (2 for the command line, 1 otherwise); ``AUTOGRAD_NN_DEBUG=1`` shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__, recipes, serialization
from .demo import main as demo_main
from .demo import write_outputs
from .selftest import all_cases, run_selftest
from .viz import draw_model_graph

__all__ = ["main", "ArgumentParser", "run_reporting_errors"]

DATASETS = ("digits", "mnist", "polarity")
MODELS = ("mlp", "cnn", "lstm")


class ArgumentParser(argparse.ArgumentParser):
    """argparse with a one-line error (``prog: error: message (see --help)``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    if isinstance(e, OSError) and e.filename and e.strerror:  # OSError's "[Errno 2] ..." form
        text = f"{e.strerror.lower()}: {e.filename}"
    if isinstance(e, (FileNotFoundError, ValueError, RuntimeError, ImportError, OSError,
                      TypeError, KeyError)):
        return text or type(e).__name__
    return f"{type(e).__name__}: {text}"


def run_reporting_errors(fn: Callable[[], Any], prog: str) -> int:
    """Run ``fn()``; any exception becomes one line on stderr and exit status 1 (130 on
    Ctrl-C). Returns 0, or ``fn``'s integer result."""
    try:
        result = fn()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if os.environ.get("AUTOGRAD_NN_DEBUG"):
            raise
        print(f"{prog}: error: {_one_line(e)}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _existing_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"data folder {text!r} does not exist")
    return path


def _progress(args: argparse.Namespace) -> bool:
    return not args.no_progress and sys.stderr.isatty()


def _check_recipe(args: argparse.Namespace) -> None:
    if (args.dataset, args.model) not in recipes.RECIPES:
        models = [m for d, m in recipes.RECIPES if d == args.dataset]
        raise ValueError(f"--dataset {args.dataset} has no --model {args.model} (choose "
                         f"{' or '.join(models)})")


# ------------------------------------------------------------------------------- commands
def cmd_demo(args: argparse.Namespace) -> int:
    demo_main(epochs=args.epochs, seed=args.seed, progress=_progress(args), out_dir=args.out)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    _check_recipe(args)
    result = recipes.run(args.dataset, args.model, args.data_dir, epochs=args.epochs,
                         batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                         progress=_progress(args))
    print(f"held-out accuracy {result['accuracy']:.4f} after {result['epochs']} epochs "
          f"({result['seconds']:.1f} s)")
    out = args.out or Path("runs") / f"{args.dataset}-{args.model}"
    vocab = None
    if args.dataset == "polarity":
        vocab = result["model"].embedding.weight.shape[0]
    result["example_input"] = recipes.example_inputs(args.dataset, vocab_size=vocab or 1000)
    for line in write_outputs(out, result, f"{args.dataset} {args.model}"):
        print(line)
    print(f"outputs written to {Path(out).resolve()}")
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lstrip(".").lower()
    if suffix not in ("svg", "png", "pdf", "gv", "dot"):
        raise ValueError(f"cannot draw to {args.out.name!r}: the file name must end in .svg, "
                         f".png, .pdf or .gv")
    _check_recipe(args)
    state = serialization.load(args.weights) if args.weights else None
    vocab = None
    if args.dataset == "polarity":
        if state is not None and "embedding.weight" not in state:
            raise ValueError(f"{args.weights} holds no 'embedding.weight': not the weights of "
                             f"a polarity lstm model")
        vocab = int(state["embedding.weight"].shape[0]) if state is not None else 1000
    model = recipes.make_net(args.dataset, args.model, vocab)
    if state is not None:
        model.load_state_dict(state)
    path = draw_model_graph(model, recipes.example_inputs(args.dataset, vocab_size=vocab or 1000),
                            args.out, depth=args.depth, fallback_to_source=False)
    print(f"wrote {path}")
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    if args.list:
        print(" ".join(c.name for c in all_cases()))
        return 0
    results = run_selftest(args.ops, second_order=not args.first_order_only, seed=args.seed)
    return 1 if any(results.values()) else 0


# ------------------------------------------------------------------------------- parser
def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="autograd-nn", description="autograd_nn: train, draw and check "
                       "models from the command line.")
    p.add_argument("--version", action="version", version=f"autograd_nn {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)

    d = sub.add_parser("demo", help="train an MLP on scikit-learn's digits; write curves and "
                       "graph", description="Train a small MLP on scikit-learn's 8x8 digits "
                       "(no download) with a progress bar, print the loss and held-out "
                       "accuracy, and write the loss curves, the drawn graph and the weights "
                       "into --out.")
    d.add_argument("--epochs", type=_positive_int, default=30)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--out", type=Path, default=Path("autograd_nn_demo"),
                   help="output folder (default: ./autograd_nn_demo)")
    d.add_argument("--no-progress", action="store_true", help="no progress bar")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("train", help="train a model on a dataset",
                       description="Train a model on a dataset (Adam, cosine decay; the "
                       "recipes of autograd_nn/recipes.py) and write history.json, "
                       "model.safetensors, curves.png and the model's graph into --out. "
                       "Pairs: digits and mnist with mlp, cnn or lstm (rows as a sequence); "
                       "polarity with lstm.")
    t.add_argument("--dataset", required=True, choices=DATASETS)
    t.add_argument("--model", required=True, choices=MODELS)
    t.add_argument("--epochs", type=_positive_int, default=None,
                   help="default: the recipe's")
    t.add_argument("--batch-size", type=_positive_int, default=None)
    t.add_argument("--lr", type=_positive_float, default=None)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data-dir", type=_existing_dir, default=None,
                   help="folder holding mnist-test/ and rt-polarity/ (default: "
                        "$AUTOGRAD_NN_DATA, else ../shared/data)")
    t.add_argument("--out", type=Path, default=None,
                   help="output folder (default: runs/DATASET-MODEL)")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    g = sub.add_parser("draw", help="draw a model's autograd graph to SVG/PNG/PDF",
                       description="Draw the autograd graph of one forward pass of a recipe "
                       "model (random input of the dataset's shape) to OUT: .svg, .png, .pdf "
                       "(need Graphviz's dot program) or .gv (DOT source).")
    g.add_argument("out", type=Path, metavar="OUT")
    g.add_argument("--dataset", choices=DATASETS, default="digits")
    g.add_argument("--model", choices=MODELS, default="mlp")
    g.add_argument("--weights", type=Path, default=None,
                   help="a state dict saved by train (model.safetensors)")
    g.add_argument("--depth", type=int, default=None,
                   help="fold modules deeper than this into boxes")
    g.set_defaults(func=cmd_draw)

    c = sub.add_parser("gradcheck", help="check the ops' gradients against finite differences",
                       description="The op self-test: each op's autograd gradient (and, unless "
                       "--first-order-only, its second derivative) against float64 central "
                       "differences on small random inputs. Exit status 1 if any op fails.")
    c.add_argument("ops", nargs="*", metavar="OP",
                   help="op names or shell patterns (default: all; see --list)")
    c.add_argument("--list", action="store_true", help="list the op names and exit")
    c.add_argument("--first-order-only", action="store_true")
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(func=cmd_gradcheck)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``autograd-nn``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return run_reporting_errors(lambda: args.func(args), parser.prog)


if __name__ == "__main__":
    sys.exit(main())
