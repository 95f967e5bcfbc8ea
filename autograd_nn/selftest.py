"""The op self-test behind ``autograd-nn gradcheck``: every op in :func:`all_cases` is checked with
:func:`autograd_nn.autograd.gradcheck` (autograd's Jacobian against float64 central differences)
and, unless ``second_order=False``, :func:`~autograd_nn.autograd.gradgradcheck` (the same for
the gradient's own gradient), on small random float64 inputs.

A quick health check of an installation, not the test suite: ``tests/`` checks every op over
drawn shapes and against PyTorch.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_nn as an

from ._creation import tensor
from .autograd import gradcheck, gradgradcheck
from .nn import functional as F

__all__ = ["Case", "all_cases", "select", "run_selftest"]


@dataclass(frozen=True)
class Case:
    """One op: ``fn(*inputs)`` on float64 inputs of ``shapes`` drawn from ``domain``:
    ``'real'`` (standard normal), ``'positive'`` (0.5..2), ``'unit'`` (-0.9..0.9) or
    ``'away'`` (|x| in 0.2..1.5, distinct: off the kinks of relu, abs, max)."""

    name: str
    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domain: str = "real"


def _cases() -> list[Case]:
    def lstm(x):
        an.manual_seed(0)
        return an.nn.LSTM(3, 4, batch_first=True).double()(x)[0]

    def conv(x, w):
        return F.conv2d(x, w, padding=1, stride=(1, 2))

    target = an.tensor([0, 2, 1])
    return [
        Case("add", lambda a, b: a + b, ((2, 3), (3,))),
        Case("sub", lambda a, b: a - b, ((2, 3), (2, 1))),
        Case("mul", lambda a, b: a * b, ((2, 3), (2, 3))),
        Case("div", lambda a, b: a / b, ((2, 3), (2, 3)), "positive"),
        Case("pow", lambda a, b: a ** b, ((2, 3), (2, 3)), "positive"),
        Case("matmul", lambda a, b: a @ b, ((2, 3), (3, 4))),
        Case("matmul_batched", lambda a, b: a @ b, ((2, 2, 3), (3, 2))),
        Case("exp", lambda a: a.exp(), ((2, 3),)),
        Case("log", lambda a: a.log(), ((2, 3),), "positive"),
        Case("sqrt", lambda a: a.sqrt(), ((2, 3),), "positive"),
        Case("sin", lambda a: a.sin(), ((2, 3),)),
        Case("tanh", lambda a: a.tanh(), ((2, 3),)),
        Case("sigmoid", lambda a: a.sigmoid(), ((2, 3),)),
        Case("relu", lambda a: a.relu(), ((2, 3),), "away"),
        Case("abs", lambda a: a.abs(), ((2, 3),), "away"),
        Case("gelu", lambda a: F.gelu(a), ((2, 3),)),
        Case("softplus", lambda a: F.softplus(a), ((2, 3),)),
        Case("sum", lambda a: a.sum(1), ((2, 3),)),
        Case("mean", lambda a: a.mean(0), ((2, 3),)),
        Case("var", lambda a: a.var(1), ((2, 4),), "away"),
        Case("max", lambda a: a.max(1)[0], ((2, 4),), "away"),
        Case("logsumexp", lambda a: a.logsumexp(1), ((2, 3),)),
        Case("prod", lambda a: a.prod(1), ((2, 3),), "away"),
        Case("norm", lambda a: a.norm(), ((2, 3),), "away"),
        Case("cumsum", lambda a: a.cumsum(1), ((2, 3),)),
        Case("softmax", lambda a: a.softmax(1), ((2, 3),)),
        Case("log_softmax", lambda a: a.log_softmax(1), ((2, 3),)),
        Case("reshape_permute", lambda a: a.reshape(3, 2, 2).permute(2, 0, 1), ((2, 6),)),
        Case("cat_stack", lambda a, b: an.stack([an.cat([a, b], 1), an.cat([b, a], 1)]),
             ((2, 2), (2, 3))),
        Case("index", lambda a: a[[0, 2, 2], 1:], ((3, 3),)),
        Case("gather", lambda a: a.gather(1, an.tensor([[0, 0], [2, 1]])), ((2, 3),)),
        Case("pad", lambda a: F.pad(a, (1, 2), mode="reflect"), ((1, 2, 4),)),
        Case("einsum", lambda a, b: an.einsum("ij,jk->ik", a, b), ((2, 3), (3, 2))),
        Case("linear", lambda x, w, b: F.linear(x, w, b), ((2, 3), (4, 3), (4,))),
        Case("conv2d", conv, ((1, 2, 4, 5), (3, 2, 3, 3))),
        Case("max_pool2d", lambda x: F.max_pool2d(x, 2), ((1, 1, 4, 4),), "away"),
        Case("avg_pool2d", lambda x: F.avg_pool2d(x, 2), ((1, 2, 4, 4),)),
        Case("interpolate", lambda x: F.interpolate(x, size=(3, 5), mode="bilinear"),
             ((1, 1, 2, 3),)),
        Case("layer_norm", lambda x, w: F.layer_norm(x, (3,), w), ((2, 3), (3,))),
        Case("batch_norm", lambda x: F.batch_norm(x, None, None, training=True), ((4, 3),)),
        Case("embedding", lambda w: F.embedding(an.tensor([[0, 2], [2, 1]]), w), ((3, 2),)),
        Case("lstm", lstm, ((2, 3, 3),)),
        Case("cross_entropy", lambda x: F.cross_entropy(x, target), ((3, 4),)),
        Case("mse_loss", lambda a, b: F.mse_loss(a, b), ((2, 3), (2, 3))),
        Case("bce_with_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b.sigmoid()),
             ((2, 3), (2, 3))),
    ]


_CASES_BY_NAME: dict[str, Case] = {}


def all_cases() -> list[Case]:
    """The op table (built on first use: it imports ``autograd_nn.nn``)."""
    if not _CASES_BY_NAME:
        _CASES_BY_NAME.update((c.name, c) for c in _cases())
    return list(_CASES_BY_NAME.values())


def _draw(shape: tuple[int, ...], domain: str, rng: np.random.Generator) -> np.ndarray:
    n = int(np.prod(shape))
    if domain == "positive":
        v = rng.uniform(0.5, 2.0, n)
    elif domain == "unit":
        v = rng.uniform(-0.9, 0.9, n)
    elif domain == "away":  # distinct magnitudes 0.2..1.5 with random signs
        v = np.linspace(0.2, 1.5, n) * rng.choice([-1.0, 1.0], n)
        v = rng.permutation(v)
    else:
        v = rng.standard_normal(n)
    return v.reshape(shape)


def select(patterns: Sequence[str] | None) -> list[Case]:
    """The cases whose names match any of the shell-style ``patterns`` (all when None);
    ValueError naming the known ops when a pattern matches nothing."""
    cases = all_cases()
    if not patterns:
        return cases
    chosen = [c for c in cases if any(fnmatch.fnmatch(c.name, p) for p in patterns)]
    unknown = [p for p in patterns if not any(fnmatch.fnmatch(c.name, p) for c in cases)]
    if unknown:
        raise ValueError(f"no op named {', '.join(map(repr, unknown))}; known ops: "
                         f"{', '.join(c.name for c in cases)}")
    return chosen


def run_selftest(patterns: Sequence[str] | None = None, second_order: bool = True,
                 seed: int = 0, log: Callable[[str], None] | None = print) -> dict[str, str]:
    """Check the selected ops; returns ``{op: ""}`` for a pass or ``{op: first error line}``.
    ``log`` gets one line per op and a summary."""
    results: dict[str, str] = {}
    t0 = time.perf_counter()
    for case in select(patterns):
        rng = np.random.default_rng(seed)
        inputs = [tensor(_draw(s, case.domain, rng), requires_grad=True) for s in case.shapes]
        orders = "1st"
        try:
            gradcheck(case.fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
            if second_order:
                gradgradcheck(case.fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
                orders = "1st+2nd"
            results[case.name] = ""
        except Exception as e:  # report and carry on with the other ops
            results[case.name] = f"{type(e).__name__}: {str(e).strip().splitlines()[0]}"
        if log is not None:
            status = "ok  " if not results[case.name] else "FAIL"
            log(f"{status} {case.name:<16} {orders if not results[case.name] else ''}"
                f"{results[case.name]}")
    failed = [k for k, v in results.items() if v]
    if log is not None:
        log(f"{len(results) - len(failed)}/{len(results)} ops passed "
            f"({'first and second' if second_order else 'first'}-order gradients, float64, "
            f"{time.perf_counter() - t0:.1f} s)" + (f"; failed: {', '.join(failed)}"
                                                     if failed else ""))
    return results
