"""Checkpoint load time and peak memory: ``autograd_nn.load`` against ``torch.load`` on the same
tensors (issue 11: at most 1.2x the file size in memory, within 2x torch.load's time).

    python -m benchmarks.checkpoint_load --mb 1024 --repeats 3

Writes one checkpoint per framework (8 float32 tensors, like a model's large layers, plus 200
small ones) to a temporary folder, warms the page cache, then for each (loader, repeat) starts a
fresh process that imports its framework, records its RSS, loads once and reports the load's
wall time and peak RSS growth (the high-water mark minus the RSS before the load). ``mmap`` rows
also time touching every byte (a sum over each tensor), which is when a mapped file is read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
which, path = sys.argv[1], sys.argv[2]
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
if which.startswith("torch"):
    import torch
    torch.set_num_threads(1)
    load = lambda: torch.load(path, mmap=which.endswith("mmap"), weights_only=True)
    total = lambda sd: sum(float(t.sum(dtype=torch.float64)) for t in sd.values())
else:
    import autograd_nn as ag
    load = lambda: ag.load(path, mmap=which.endswith("mmap"))
    total = lambda sd: sum(float(t.numpy().sum(dtype="float64")) for t in sd.values())
# reset the high-water mark (Linux): it then follows RSS from here on
open("/proc/self/clear_refs", "w").write("5")
base = rss_mb()
t = time.perf_counter()
sd = load()
t_load = time.perf_counter() - t
peak_load = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
t = time.perf_counter()
s = total(sd)
t_touch = time.perf_counter() - t
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"load_s": t_load, "touch_s": t_touch, "peak_load_mb": peak_load - base,
                  "peak_mb": peak - base, "sum": s}))
"""


def write_files(folder: str, mb: int) -> dict[str, str]:
    import numpy as np
    import torch

    import autograd_nn as ag

    rng = np.random.default_rng(0)
    big = mb * 2 ** 20 // 4 // 8
    arrays = {f"layer{i}.weight": rng.standard_normal(big, dtype=np.float32) for i in range(8)}
    arrays.update({f"small{i}.bias": rng.standard_normal(64, dtype=np.float32)
                   for i in range(200)})
    paths = {"autograd_nn": os.path.join(folder, "ckpt.safetensors"),
             "torch": os.path.join(folder, "ckpt.pt")}
    ag.save({k: ag.from_numpy(a) for k, a in arrays.items()}, paths["autograd_nn"])
    torch.save({k: torch.from_numpy(a) for k, a in arrays.items()}, paths["torch"])
    for p in paths.values():  # warm the page cache: both loaders then read from memory
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=1024, help="checkpoint size in MiB")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(folder, args.mb)
        sizes = {k: os.path.getsize(p) / 2 ** 20 for k, p in paths.items()}
        rows = {}
        for which in ("autograd_nn", "torch", "autograd_nn-mmap", "torch-mmap"):
            path = paths[which.split("-")[0]]
            runs = [json.loads(subprocess.run(
                [sys.executable, "-c", CHILD, which, path], env=env, check=True,
                capture_output=True, text=True).stdout) for _ in range(args.repeats)]
            rows[which] = {k: statistics.median(r[k] for r in runs)
                           for k in ("load_s", "touch_s", "peak_load_mb", "peak_mb")}
            rows[which]["sum"] = runs[0]["sum"]
    print(f"file sizes: autograd_nn {sizes['autograd_nn']:.1f} MiB, torch {sizes['torch']:.1f} "
          f"MiB; medians of {args.repeats} fresh processes, warm page cache, 1 thread")
    print(f"{'loader':18} {'load s':>8} {'vs torch':>9} {'peak MiB':>9} {'/ file':>7} "
          f"{'touch s':>8} {'peak after touch':>17}")
    for which, r in rows.items():
        ref = rows["torch-mmap" if which.endswith("mmap") else "torch"]["load_s"]
        size = sizes[which.split("-")[0]]
        print(f"{which:18} {r['load_s']:8.3f} {r['load_s'] / ref:8.2f}x {r['peak_load_mb']:9.1f} "
              f"{r['peak_load_mb'] / size:7.2f} {r['touch_s']:8.3f} {r['peak_mb']:12.1f} MiB")
    sums = [r["sum"] for r in rows.values()]  # float64 sums: equal up to summation order
    print("same numbers loaded:", max(sums) - min(sums) <= 1e-9 * max(map(abs, sums)) + 1e-6)


if __name__ == "__main__":
    main()
