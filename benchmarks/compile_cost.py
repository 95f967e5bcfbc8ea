"""What compiling costs up front: the first call (eager under the tracer), the second (recorded
again and validated, then the replay is generated) and a replayed step, beside an eager step,
for W2's and W3's training steps and W1's chain (1 thread; medians of fresh starts).

    python -m benchmarks.compile_cost
"""

from __future__ import annotations

import os
import statistics
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

import autograd_nn as T  # noqa: E402

from . import workloads as W  # noqa: E402


def _w2_w3(sizes: list, act: str, out_sigmoid: bool, loss: str, batch: int, x: np.ndarray,
           y: np.ndarray) -> tuple:
    arrays = W.linear_init(np.random.default_rng(0), sizes)
    model, params = W._mlp(T, arrays, act, out_sigmoid, "nn")
    opt = W._sgd(T, params, 0.05, 0.9, "nn")
    W.COMPILE = False
    step = W._make_step(T, model, W._loss(T, loss, "nn"), opt)
    return step, (T.from_numpy(x[:batch]), T.from_numpy(y[:batch]))


def _timeit(fn: object, args: tuple) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def measure(make: object, reps: int = 5) -> dict:
    rows: dict = {"eager step": [], "1st call (trace)": [], "2nd call (validate + generate)": [],
                  "replayed step": []}
    for _ in range(reps):
        step, args = make()
        for _ in range(3):
            step(*args)
        rows["eager step"].append(min(_timeit(step, args) for _ in range(5)))
        comp = T.compile(step)
        rows["1st call (trace)"].append(_timeit(comp, args))
        rows["2nd call (validate + generate)"].append(_timeit(comp, args))
        rows["replayed step"].append(min(_timeit(comp, args) for _ in range(5)))
    return {k: statistics.median(v) * 1e3 for k, v in rows.items()}


def main() -> None:
    x2, y2 = W.w2_data()
    xtr, ytr, _, _ = W.load_mnist()
    rng = np.random.default_rng(0)
    xa, wa = (rng.standard_normal((16, 16)).astype(np.float32) for _ in range(2))

    def w1() -> tuple:
        x = T.tensor(xa, requires_grad=True)
        w = T.tensor(wa, requires_grad=True)

        def chain() -> None:
            h = x
            for _ in range(W.W1_BLOCKS):
                h = (h * w + w).tanh() - h
            h.sum().backward()
        return chain, ()
    cases = {
        "W1 chain (101 ops)": w1,
        "W2 step (2-4-1, batch 32)": lambda: _w2_w3([2, 4, 1], "sigmoid", True, "bce", 32, x2,
                                                    y2),
        "W3 step (784-256-128-10, batch 128)": lambda: _w2_w3(W.W3_SIZES, "relu", False, "ce",
                                                              128, xtr, ytr),
    }
    print("| milliseconds | " + " | ".join(cases) + " |")
    print("|---|" + "---|" * len(cases))
    res = {name: measure(make) for name, make in cases.items()}
    for row in next(iter(res.values())):
        print(f"| {row} | " + " | ".join(f"{res[c][row]:.3f}" for c in cases) + " |")


if __name__ == "__main__":
    main()
