"""Attention speed: F.scaled_dot_product_attention as one fused op vs the same attention
composed of matmul / masked_fill / softmax / matmul nodes, vs PyTorch, forward + backward on a
small-GPT shape, and a causal self-attention block (nanoGPT's layout) per training step.

    OMP_NUM_THREADS=1 python -m benchmarks.attention [--repeats 200]

Prints medians of CPU time in ms over interleaved rounds (the cases run in turn, so load from
other processes hits them alike)."""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np


def _timed(fn, n: int) -> float:
    # CPU time of this (single-threaded) process: steadier than wall time on a shared machine
    t = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t) / n * 1e3


def main() -> None:
    import torch

    import autograd_nn as an
    import autograd_nn.nn.functional as F

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    shape = (8, 4, 64, 16)  # (batch, heads, tokens, head dim)
    arrays = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]
    ours = [an.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    future = an.tensor(np.triu(np.ones((64, 64), bool), 1))

    def composed(q, k, v):
        s = (q @ k.mT) * (1.0 / math.sqrt(q.shape[-1]))
        return s.masked_fill(future, float("-inf")).softmax(-1) @ v

    # a causal self-attention block (qkv projection, SDPA, output projection), as nanoGPT
    C, T, B, H = 64, 64, 8, 4
    x_np = rng.standard_normal((B, T, C)).astype(np.float32)
    w = {k: rng.standard_normal(s).astype(np.float32) * 0.05
         for k, s in (("attn", (3 * C, C)), ("proj", (C, C)))}

    def block(lib, Fn, params, x):
        q, k, v = Fn.linear(x, params["attn"]).split(C, dim=2)
        q, k, v = (t.reshape(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        y = Fn.scaled_dot_product_attention(q, k, v, is_causal=True)
        return Fn.linear(y.transpose(1, 2).reshape(B, T, C), params["proj"])

    p_an = {k: an.tensor(v, requires_grad=True) for k, v in w.items()}
    p_t = {k: torch.tensor(v, requires_grad=True) for k, v in w.items()}
    x_an, x_t = an.tensor(x_np), torch.tensor(x_np)

    cases = {
        "sdpa fused fwd+bwd": lambda: F.scaled_dot_product_attention(
            *ours, is_causal=True).sum().backward(),
        "sdpa composed fwd+bwd": lambda: composed(*ours).sum().backward(),
        "sdpa torch fwd+bwd": lambda: torch.nn.functional.scaled_dot_product_attention(
            *theirs, is_causal=True).sum().backward(),
        "block autograd_nn fwd+bwd": lambda: block(an, F, p_an, x_an).sum().backward(),
        "block torch fwd+bwd": lambda: block(torch, torch.nn.functional, p_t,
                                             x_t).sum().backward(),
    }
    times: dict = {k: [] for k in cases}
    for fn in cases.values():
        fn()  # warm up
    for _ in range(args.rounds):
        for name, fn in cases.items():
            times[name].append(_timed(fn, args.repeats))
    for name, ts in times.items():
        print(f"{name:28s} {statistics.median(ts):7.3f} ms")


if __name__ == "__main__":
    main()
