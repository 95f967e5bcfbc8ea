"""Run the whole benchmark suite and write the results table (``make bench``).

Every (framework, thread count) runs in its own process, started with OMP_NUM_THREADS and friends
already set; rounds interleave the frameworks (rotating their order) so that load from other
processes on a shared machine hits them alike; medians over all repeats of all rounds, and the
ratios are taken between medians of the same run. Writes ``benchmarks/results.json`` and the
tables between the result markers of ``benchmarks/README.md``.

    python -m benchmarks.run                      # everything (a few minutes)
    python -m benchmarks.run --quick              # 1 round, 1 thread, no memory run
    python -m benchmarks.run --workloads w1 --rounds 5
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FRAMEWORKS = ("autograd_nn", "compiled", "torch", "numpy", "jax")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

# (workload, what, target ratio, against whom); reference-machine figures from the brief
TARGETS = {
    "w1": ("per-op overhead, forward+backward", 0.5, "torch"),
    "w2": ("2-4-1 sigmoid MLP, 100 epochs", 1.15, "numpy"),
    "w3": ("MNIST MLP, per epoch", 1.15, "numpy"),
    "w4": ("small CNN, per step", 2.0, "torch"),
    "w5": ("LSTM, per step", 1.5, "torch"),
}
MEMORY_TARGET = 1.3


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = str(threads)
    # JAX: XLA's CPU backend on one thread (its Eigen pool follows this flag)
    env["XLA_FLAGS"] = (f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                        f"intra_op_parallelism_threads={threads}")
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _worker(fw: str, threads: int, args: list) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.worker", "--framework", fw, "--threads",
           str(threads), *args]
    p = subprocess.run(cmd, env=_env(threads), cwd=HERE.parent, capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    raise RuntimeError(f"benchmark worker {' '.join(cmd)} failed (exit {p.returncode}):\n"
                       f"{p.stderr[-3000:]}")


def _machine() -> dict:
    import numpy

    info: dict = {"python": platform.python_version(), "numpy": numpy.__version__,
                  "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith(("Model name", "CPU(s):", "Thread(s) per core", "L2", "L3")):
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    except OSError:
        pass
    info["loadavg_start"] = os.getloadavg()
    return info


def run(workloads: list, frameworks: list, threads: list, rounds: int, repeats: int,
        variant: str, memory_epochs: int) -> dict:
    runs: dict = {}  # (workload, fw, threads) -> merged result
    for r in range(rounds):
        for th in threads:
            order = frameworks[r % len(frameworks):] + frameworks[:r % len(frameworks)]
            for fw in order:
                res = _worker(fw, th, ["--workloads", ",".join(workloads), "--repeats",
                                       str(repeats), "--variant", variant])
                print(f"round {r + 1}/{rounds} threads={th} {fw:12s} " + "  ".join(
                    f"{w}={statistics.median(res[w]['times']):.4g}{res[w]['unit']}"
                    for w in workloads if "times" in res.get(w, {})), flush=True)
                for w in workloads:
                    cur = res.get(w, {})
                    slot = runs.setdefault(f"{w}|{fw}|{th}", {"times": []})
                    for k, v in cur.items():
                        if k == "times":
                            slot["times"] += v
                        else:
                            slot[k] = v
    out: dict = {}
    for key, slot in runs.items():
        if slot["times"]:
            slot["median"] = statistics.median(slot["times"])
            slot["min"] = min(slot["times"])
        out[key] = slot
    memory: dict = {}
    if memory_epochs:
        for fw in frameworks:
            res = _worker(fw, 1, ["--memory-epochs", str(memory_epochs), "--variant", variant])
            memory[fw] = res["memory"]
            m = res["memory"]
            print(f"memory {fw:12s} peak {m['peak_rss_mb']:.0f} MB, rss per epoch "
                  f"{m['rss_per_epoch_mb'][0]:.0f} -> {m['rss_per_epoch_mb'][-1]:.0f} MB",
                  flush=True)
    return {"runs": out, "memory": memory}


def _fmt(v: Any, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "us/op":
        return f"{v:.2f} us/op"
    if unit == "ms/step":
        return f"{v:.2f} ms"
    return f"{v:.3f} s"


def _ratio(med: dict, a: str, b: str) -> str:
    return f"{med[a] / med[b]:.2f}x" if med[a] and med[b] else "-"


def _shown(cell: dict, med: dict, unit: str, fw: str) -> str:
    note = cell[fw].get("skipped") or cell[fw].get("error")
    return _fmt(med[fw], unit) if med[fw] else f"n/a ({note})" if note else "-"


def tables(result: dict) -> str:
    runs, meta = result["runs"], result["meta"]
    lines = []
    for th in meta["threads"]:
        lines += [f"**{th} thread{'s' if th > 1 else ''}** (median of {meta['n_times']} repeats "
                  f"per cell; ratio = autograd_nn / reference, lower is better; compiled = each "
                  f"training step wrapped in autograd_nn.compile)", "",
                  "| workload | autograd_nn | compiled | PyTorch | NumPy by hand | JAX jit | "
                  "vs PyTorch | vs NumPy | compiled vs PyTorch | compiled vs NumPy | "
                  "compiled vs eager | JAX vs PyTorch | target | met |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for w in meta["workloads"]:
            what, target, ref = TARGETS[w]
            cell = {fw: runs.get(f"{w}|{fw}|{th}", {}) for fw in FRAMEWORKS}
            unit = next((c["unit"] for c in cell.values() if "unit" in c), "")
            med = {fw: c.get("median") for fw, c in cell.items()}

            ratio = functools.partial(_ratio, med)
            shown = functools.partial(_shown, cell, med, unit)
            ag = med["autograd_nn"]
            met = "-" if not (ag and med[ref]) else ("yes" if ag / med[ref] <= target else "no")
            lines.append(
                f"| {w.upper()} {what} | {shown('autograd_nn')} | {shown('compiled')} | "
                f"{_fmt(med['torch'], unit)} | {_fmt(med['numpy'], unit)} | "
                f"{_fmt(med['jax'], unit)} | "
                f"{ratio('autograd_nn', 'torch')} | {ratio('autograd_nn', 'numpy')} | "
                f"{ratio('compiled', 'torch')} | {ratio('compiled', 'numpy')} | "
                f"{ratio('compiled', 'autograd_nn')} | {ratio('jax', 'torch')} | "
                f"<= {target}x {'PyTorch' if ref == 'torch' else 'NumPy'} | {met} |")
        lines.append("")
    # correctness of what was timed: same init and data, so the results must agree
    lines += ["**Same numbers** (same init, data and order in every framework; 1 thread):", "",
              "| figure | autograd_nn | compiled | PyTorch | NumPy by hand | JAX jit |",
              "|---|---|---|---|---|---|"]
    th = meta["threads"][0]
    for w, key, label in (("w1", "grad_rel_err_vs_numpy", "W1 gradient, max rel. error vs NumPy"),
                          ("w1", "fwd_us_per_op", "W1 forward only, us/op"),
                          ("w2", "final_loss", "W2 final BCE (all 1000 points)"),
                          ("w2", "train_acc", "W2 training accuracy"),
                          ("w3", "test_acc", "W3 held-out accuracy (2,000 images)"),
                          ("w3", "last_loss", "W3 last mini-batch loss"),
                          ("w4", "last_loss", "W4 loss after 10 steps"),
                          ("w5", "last_loss", "W5 loss after 5 steps")):
        if w not in meta["workloads"]:
            continue
        vals = [runs.get(f"{w}|{fw}|{th}", {}).get(key) for fw in FRAMEWORKS]
        if all(v is None for v in vals):
            continue
        lines.append(f"| {label} | " + " | ".join("-" if v is None else f"{v:.6g}" for v in vals)
                     + " |")
    lines.append("")
    mem = result.get("memory") or {}
    if mem:
        lines += [f"**W3 memory** (separate processes, 1 thread, {meta['memory_epochs']} epochs; "
                  f"RSS includes the interpreter, the framework and the data; the peak is "
                  f"training's high-water mark, reset after loading the data)", "",
                  "| framework | peak RSS | RSS before training | RSS after epoch 1 -> last | "
                  "held-out acc |", "|---|---|---|---|---|"]
        for fw, m in mem.items():
            r = m["rss_per_epoch_mb"]
            lines.append(f"| {fw} | {m['peak_rss_mb']:.0f} MB | {m['rss_before_mb']:.0f} MB | "
                         f"{r[0]:.0f} -> {r[-1]:.0f} MB | {m['test_acc']:.4f} |")
        if "autograd_nn" in mem and "numpy" in mem:
            ratio = mem["autograd_nn"]["peak_rss_mb"] / mem["numpy"]["peak_rss_mb"]
            lines += ["", f"Peak RSS autograd_nn / NumPy: {ratio:.2f}x (target <= "
                          f"{MEMORY_TARGET}x: {'met' if ratio <= MEMORY_TARGET else 'not met'})."]
        lines.append("")
    m = meta["machine"]
    lines += [f"Machine: {m.get('Model name', '?')}, {m.get('CPU(s)', m['cpus'])} CPUs; Python "
              f"{m['python']}, NumPy {m['numpy']}, PyTorch {m['torch']}; {m['platform']}. "
              f"Load average {', '.join(f'{x:.1f}' for x in m['loadavg_start'])} at start, "
              f"{', '.join(f'{x:.1f}' for x in meta['loadavg_end'])} at end. W2/W3 model code: "
              f"`{meta['variant']}`. Run {meta['date']} with `{meta['command']}` "
              f"({meta['wall_s']:.0f} s)."]
    return "\n".join(lines)


def write_readme(text: str, path: Path = HERE / "README.md") -> None:
    doc = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in doc or END not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main(argv: list | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default="w1,w2,w3,w4,w5")
    ap.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (processes)")
    ap.add_argument("--repeats", type=int, default=2, help="timed repeats per round")
    ap.add_argument("--memory-epochs", type=int, default=20)
    ap.add_argument("--variant", default="auto", choices=["auto", "nn", "raw"])
    ap.add_argument("--quick", action="store_true", help="1 round, 1 thread, no memory run")
    ap.add_argument("--json", default=str(HERE / "results.json"))
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.threads, args.memory_epochs = 1, "1", 0
    workloads = args.workloads.split(",")
    frameworks = args.frameworks.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    variant = args.variant
    if variant == "auto":  # one model code for every framework: autograd_nn's capabilities
        import autograd_nn

        from .workloads import mlp_variant

        variant = mlp_variant(autograd_nn)
    t0 = datetime.datetime.now(datetime.timezone.utc)
    machine = _machine()
    result = run(workloads, frameworks, threads, args.rounds, args.repeats, variant,
                 args.memory_epochs)
    result["meta"] = {
        "machine": machine, "workloads": workloads, "threads": threads, "variant": variant,
        "rounds": args.rounds, "repeats": args.repeats, "n_times": args.rounds * args.repeats,
        "memory_epochs": args.memory_epochs, "loadavg_end": os.getloadavg(),
        "date": t0.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None
                                                          else sys.argv[1:]),
        "wall_s": (datetime.datetime.now(datetime.timezone.utc) - t0).total_seconds()}
    Path(args.json).write_text(json.dumps(result, indent=1))
    text = tables(result)
    print(text)
    if not args.no_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
