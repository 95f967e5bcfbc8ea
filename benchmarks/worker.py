"""One benchmark process: one framework, one thread setting, some workloads; prints JSON.

``run.py`` starts one per (framework, threads, round) with the thread variables
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS) already in its environment, so they
hold before NumPy or PyTorch load.

    python -m benchmarks.worker --framework autograd_nn --threads 1 --workloads w1,w2 --repeats 2
    python -m benchmarks.worker --framework numpy --memory-epochs 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any


def _framework(name: str, threads: int) -> Any:
    if name in ("numpy", "jax"):
        return None
    if name == "torch":
        import torch

        torch.set_num_threads(threads)
        return torch
    import autograd_nn

    return autograd_nn


def main(argv: list | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--framework", required=True,
                    choices=["autograd_nn", "compiled", "torch", "numpy", "jax"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workloads", default="w1,w2,w3,w4,w5")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--variant", default="auto", choices=["auto", "nn", "raw"],
                    help="W2/W3 model code: nn.Sequential+optim.SGD, or raw tensor ops")
    ap.add_argument("--memory-epochs", type=int, default=0,
                    help="instead of timing: W3's peak RSS and RSS after each of N epochs")
    args = ap.parse_args(argv)
    if os.environ.get("OMP_NUM_THREADS") != str(args.threads):
        sys.exit(f"worker: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')!r} but "
                 f"--threads {args.threads}; set the thread variables before starting Python")
    T = _framework(args.framework, args.threads)
    from . import workloads as W

    W.COMPILE = args.framework == "compiled"
    table = W.WORKLOADS
    if args.framework == "jax":
        from . import jax_workloads

        table = {k: (lambda T, r, v, f=f: f(r)) for k, f in jax_workloads.WORKLOADS.items()}
    variant = args.variant
    if variant == "auto":
        variant = W.mlp_variant(T) if T is not None else "numpy"
    out: dict = {"framework": args.framework, "threads": args.threads, "variant": variant}
    if args.memory_epochs:
        out["memory"] = W.w3_memory(T, args.memory_epochs, variant)
    else:
        for name in args.workloads.split(","):
            try:
                out[name] = table[name](T, args.repeats, variant)
            except W.UnavailableError as e:
                out[name] = {"skipped": str(e)}
            except Exception as e:  # report and go on: one broken layer must not stop the rest
                out[name] = {"error": f"{type(e).__name__}: {e}",
                             "traceback": traceback.format_exc(limit=6)}
    print("@@RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
