"""W1's eager per-op cost in CPU instructions, counted by valgrind's callgrind: deterministic,
so a change of a few percent shows on a shared, noisy machine where wall time cannot.

    python -m benchmarks.instructions              # forward + backward, and forward alone
    python -m benchmarks.instructions --chains 20  # fewer chains (each run ~30-60 s)

Each count runs W1's chain (``workloads.W1_BLOCKS`` blocks, then ``sum``; forward and
``backward()``, or forward alone) ``--chains`` times after a warm-up, in a fresh process under
``valgrind --tool=callgrind``, collecting only inside the measured loop (it runs inside
``functools.reduce``, which nothing else calls: ``--toggle-collect=functools_reduce``); the
figure is instructions per op (``workloads.W1_OPS`` per chain). Counts repeat to ~0.3%.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import subprocess
import sys
import tempfile

from . import workloads as W


def _child(mode: str, chains: int) -> None:
    """The measured process (under callgrind)."""
    import numpy as np

    import autograd_nn as T

    rng = np.random.default_rng(0)
    x, w = (T.tensor(rng.standard_normal((16, 16)).astype(np.float32), requires_grad=True)
            for _ in range(2))

    def chain() -> object:
        h = x
        for _ in range(W.W1_BLOCKS):
            h = (h * w + w).tanh() - h
        return h.sum()

    def step(_a: object, _b: object) -> None:
        out = chain()
        if mode == "fb":
            out.backward()

    for _ in range(5):
        step(None, None)
    functools.reduce(step, range(chains + 1))  # chains calls, all inside functools_reduce


def count(mode: str, chains: int) -> float:
    """Instructions per W1 op (``mode`` "fb": forward + backward; "fwd": forward alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        res = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--toggle-collect=functools_reduce", f"--callgrind-out-file={tmp}/out",
             sys.executable, "-m", "benchmarks.instructions", "--child", mode,
             "--chains", str(chains)], env=env, capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", res.stderr)
    if m is None:
        raise RuntimeError(f"callgrind printed no count:\n{res.stderr[-2000:]}")
    return int(m.group(1)) / (chains * W.W1_OPS)


def main(argv: list | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chains", type=int, default=40)
    ap.add_argument("--child", choices=("fb", "fwd"), default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.chains)
        return
    for mode, label in (("fb", "forward + backward"), ("fwd", "forward")):
        print(f"W1 {label}: {count(mode, args.chains):,.0f} instructions per op")


if __name__ == "__main__":
    main()
