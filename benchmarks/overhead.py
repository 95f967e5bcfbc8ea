"""Per-op overhead: a chain of 100 small ops on 16x16 float32, forward and backward, in
microseconds per op, autograd_nn beside PyTorch (and the hand-written NumPy floor) in one process,
all on one thread.

The chain is W1 of ``benchmarks/workloads.py`` (``h = tanh(h * w + w) - h`` 25 times, then
``h.sum()``: 101 ops), run unchanged on each framework. Rounds interleave the frameworks in
rotating order; each round warms up, then times ``--repeats`` runs of 100 chains; the cells are
medians over all rounds. Backward is (forward + backward) - forward, from the medians.

    python -m benchmarks.overhead                 # 3 rounds x 7 repeats (~20 s)
    python -m benchmarks.overhead --rounds 5 --repeats 9 --json overhead.json
"""

from __future__ import annotations

import os
import sys

# One thread for every BLAS/OpenMP pool; this must hold before NumPy or PyTorch load.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
if __name__ == "__main__" and any(os.environ.get(v) != "1" for v in THREAD_VARS):
    if "numpy" in sys.modules:  # too late to set them in this process: start a fresh one
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks.overhead", *sys.argv[1:]],
                  {**os.environ, **{v: "1" for v in THREAD_VARS}})
    os.environ.update({v: "1" for v in THREAD_VARS})

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
from typing import Any  # noqa: E402

from . import workloads as W  # noqa: E402
from .run import _machine  # noqa: E402

LABELS = {"autograd_nn": "autograd_nn", "torch": "PyTorch", "numpy": "NumPy by hand"}


def _frameworks(names: list) -> dict:
    """name -> module (None for NumPy), leaving out PyTorch where it is not installed."""
    out: dict = {}
    for name in names:
        if name == "numpy":
            out[name] = None
        elif name == "torch":
            try:
                import torch
            except ImportError:
                print("PyTorch is not installed: measuring autograd_nn alone", file=sys.stderr)
                continue
            torch.set_num_threads(1)
            out[name] = torch
        else:
            import autograd_nn

            out[name] = autograd_nn
    return out


def measure(frameworks: list, rounds: int = 3, repeats: int = 7) -> dict:
    """Run W1 ``rounds`` times per framework (interleaved); return per-framework medians
    in us/op: ``total`` (forward + backward), ``forward``, ``backward``, ``best`` (the fastest
    forward + backward repeat), plus the raw times and the gradient's relative error against the
    hand-written NumPy backward."""
    mods = _frameworks(frameworks)
    names = list(mods)
    raw: dict = {n: {"total": [], "forward": [], "grad_err": None} for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            res = W.w1(mods[name], repeats, "raw")
            raw[name]["total"] += res["times"]
            if "fwd_us_per_op" in res:  # a median over this round's repeats
                raw[name]["forward"].append(res["fwd_us_per_op"])
                raw[name]["grad_err"] = res["grad_rel_err_vs_numpy"]
    out: dict = {}
    for name, d in raw.items():
        total = statistics.median(d["total"])
        fwd = statistics.median(d["forward"]) if d["forward"] else None
        out[name] = {"total": total, "best": min(d["total"]), "forward": fwd,
                     "backward": None if fwd is None else total - fwd,
                     "grad_rel_err_vs_numpy": d["grad_err"], "times": d["total"]}
    return out


def table(res: dict, rounds: int, repeats: int) -> str:
    """A Markdown table: one row per figure, one column per framework, then the ratio."""
    names = list(res)
    has_torch = "torch" in res and "autograd_nn" in res
    head = "| microseconds per op | " + " | ".join(LABELS[n] for n in names)
    head += " | autograd_nn / PyTorch |" if has_torch else " |"
    lines = [f"W1 chain: {W.W1_OPS} ops on 16x16 float32, {W.W1_ITERS} chains per repeat, "
             f"{rounds} rounds x {repeats} repeats, 1 thread", "", head,
             "|---" * (len(names) + 1 + has_torch) + "|"]
    for key, label in (("forward", "forward, median"), ("backward", "backward, median"),
                       ("total", "forward + backward, median"),
                       ("best", "forward + backward, best repeat (least disturbed by load)")):
        cells = ["-" if res[n][key] is None else f"{res[n][key]:.2f}" for n in names]
        row = f"| {label} | " + " | ".join(cells)
        if has_torch:
            a, t = res["autograd_nn"][key], res["torch"][key]
            row += " | " + ("-" if a is None or not t else f"{a / t:.2f}x")
        lines.append(row + " |")
    errs = [res[n]["grad_rel_err_vs_numpy"] for n in names]
    lines.append("| gradient max rel. error vs NumPy | "
                 + " | ".join("-" if e is None else f"{e:.1e}" for e in errs)
                 + (" | |" if has_torch else " |"))
    return "\n".join(lines)


def main(argv: list | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats per round (>= 5)")
    ap.add_argument("--frameworks", default="autograd_nn,torch,numpy")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.repeats < 5 or args.rounds < 1:
        ap.error("need --repeats >= 5 and --rounds >= 1 (medians of too few runs are noise)")
    t0 = datetime.datetime.now(datetime.timezone.utc)
    machine: Any = _machine()
    res = measure(args.frameworks.split(","), args.rounds, args.repeats)
    print(table(res, args.rounds, args.repeats))
    print(f"\nMachine: {machine.get('Model name', '?')}, {machine.get('CPU(s)', machine['cpus'])}"
          f" CPUs; Python {machine['python']}, NumPy {machine['numpy']}, PyTorch "
          f"{machine['torch']}; load average "
          f"{', '.join(f'{x:.1f}' for x in machine['loadavg_start'])}; "
          f"{t0.strftime('%Y-%m-%d %H:%M UTC')}.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": res, "machine": machine, "rounds": args.rounds,
                       "repeats": args.repeats, "date": t0.isoformat()}, f, indent=1)
    return res


if __name__ == "__main__":
    main()
