"""Anomaly detection: name the op, module and source line that first made NaN or Inf.

In ``detect_anomaly()`` mode the engine records, for every node, the stack at its creation and
checks each op's forward output (``Op.apply``) and each backward rule's gradients
(``run_backward``). The first op whose output is not finite although its inputs were raises
:class:`AnomalyError` naming the op (``LogBackward``), the module path it ran in
(``'encoder.layers.0' (Linear)``) and the user's line that created it.
"""

from __future__ import annotations

import functools
import sys
import traceback
from typing import Any

import numpy as np

from .._dtype import is_float_np, np_kind
from .._ops import xp
from . import engine
from .debug import describe_scope, node_path, source_line


def _bad_kind(arr: np.ndarray) -> str:
    n_nan = int(np.isnan(arr).sum())
    n_inf = int(np.isinf(arr).sum())
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN")
    if n_inf:
        parts.append(f"{n_inf} Inf")
    return " and ".join(parts) + f" of {arr.size}"


def _first_bad(arr: np.ndarray) -> str:
    idx = np.argwhere(~np.isfinite(arr))
    return f" (first at index {list(int(i) for i in idx[0])})" if arr.ndim and len(idx) else ""


def _backward_running() -> Any:
    """The graph node whose backward is executing now (the innermost, for double backward), or
    None outside a backward pass. Read from the engine's frame, only when an error is built."""
    code = engine._propagate.__code__
    f = sys._getframe(1)
    while f is not None:
        if f.f_code is code:
            return f.f_locals.get("node")
        f = f.f_back
    return None


class AnomalyError(RuntimeError):
    """Raised in ``detect_anomaly`` mode by the first op whose output or gradient is not finite.

    Attributes: ``op`` (the op's grad_fn name), ``module_path`` (or None), ``source`` (the
    user's ``file:line: code`` that created the op, or None), ``node``; ``backward_of`` (the
    name of the node whose backward rule ran the op, when it ran inside a backward pass, e.g.
    a custom Function's backward dividing by zero; else None).
    """

    def __init__(self, msg: str, node: Any = None, op: str | None = None,
                 backward_of: Any = None) -> None:
        super().__init__(msg)
        self.node = node
        self.op = op
        self.module_path = node_path(node) if node is not None else None
        self.source = source_line(node) if node is not None else None
        self.backward_of = backward_of.name() if backward_of is not None else None

    @staticmethod
    def _where(node: Any) -> str:
        scope = describe_scope(node)
        src = source_line(node)
        return (f"\n  in {scope}" if scope else "") + (f"\n  created at {src}" if src else "")

    @classmethod
    def for_forward(cls, op: type, ctx: Any, out: np.ndarray) -> AnomalyError:
        ctx.op = op
        if getattr(ctx, "scope", None) is None:  # not recorded yet: the module running now
            ctx.scope = engine.current_scope()
        name = ctx.name()
        outer = _backward_running()
        during = "" if outer is None else (f"\n  while computing the backward of "
                                           f"'{outer.name()}'{cls._where(outer)}")
        return cls(f"Function '{name}' returned {_bad_kind(out)} values in its forward output "
                   f"(shape {list(out.shape)}){_first_bad(out)} although its inputs were "
                   f"finite{cls._where(ctx)}{during}", ctx, name, outer)

    @classmethod
    def for_backward(cls, node: Any, i: int, g: Any) -> AnomalyError:
        arr = xp.data(g)
        name = node.name()
        return cls(f"Function '{name}' returned {_bad_kind(arr)} values in its {i}th output "
                   f"(the gradient for its input {i}, shape {list(arr.shape)}){_first_bad(arr)}"
                   f" although the gradient it received was finite{cls._where(node)}",
                   node, name)


def check_backward(node: Any, grads: Any, g_in: Any = None) -> None:
    """Raise for the first non-finite gradient ``node``'s backward returned (called by the
    engine in anomaly mode)."""
    if not isinstance(grads, tuple):
        grads = (grads,)
    for i, g in enumerate(grads):
        if g is None:
            continue
        arr = xp.data(g)
        if np_kind(arr.dtype) in "fc" and not np.isfinite(arr).all():
            raise AnomalyError.for_backward(node, i, g)


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator): the first op whose forward output or backward gradient
    holds NaN/Inf (when its inputs did not) raises :class:`AnomalyError` naming the op, its
    module path and the source line that created it. Slows every op (it records a stack)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self._prev = engine.swap_anomaly_mode(self.check_nan)
        return self

    def __exit__(self, *exc: Any) -> None:
        engine.swap_anomaly_mode(self._prev)

    def __call__(self, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turn anomaly mode on or off; also usable as a context manager restoring the old mode."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = engine.swap_anomaly_mode(bool(mode) and check_nan)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc: Any) -> None:
        engine.swap_anomaly_mode(self._prev)


is_anomaly_enabled = engine.is_anomaly_enabled


def check_forward(cls: type, ctx: Any, out: np.ndarray, arrays: Any) -> None:
    """Anomaly mode, after each op's forward: record where it was created; raise if its output
    is not finite although its inputs were."""
    ctx.trace = traceback.extract_stack()[:-3]
    if is_float_np(out.dtype) and not np.isfinite(out).all():
        if all(not is_float_np(np.asarray(a).dtype) or np.isfinite(a).all() for a in arrays):
            raise AnomalyError.for_forward(cls, ctx, out)


engine.register_anomaly_checks(check_forward, check_backward)
