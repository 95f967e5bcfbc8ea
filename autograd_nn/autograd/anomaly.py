"""Anomaly detection: name the op (and the user's source line) that first made NaN or Inf."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import engine


class AnomalyError(RuntimeError):
    """Raised in ``detect_anomaly`` mode by the first op whose output or gradient is not finite."""

    @staticmethod
    def _where(node: Any) -> str:
        scope = f" in module '{node.scope}'" if getattr(node, "scope", None) else ""
        trace = getattr(node, "trace", None)
        src = ""
        if trace:
            user = [f for f in trace if "/autograd_nn/" not in f.filename.replace("\\", "/")]
            frame = (user or trace)[-1]
            src = f"\n  created at {frame.filename}:{frame.lineno}: {frame.line}"
        return scope + src

    @classmethod
    def for_forward(cls, op: type, ctx: Any, out: np.ndarray) -> "AnomalyError":
        bad = "NaN" if np.isnan(out).any() else "Inf"
        ctx.op = op
        return cls(f"Function '{op.__name__}' returned {bad} values in its forward output "
                   f"(shape {list(out.shape)}){cls._where(ctx)}")

    @classmethod
    def for_backward(cls, node: Any, i: int, g: Any) -> "AnomalyError":
        arr = g._data if hasattr(g, "_data") else np.asarray(g)
        bad = "nan" if np.isnan(arr).any() else "inf"
        return cls(f"Function '{node.name()}' returned {bad} values in its {i}th output "
                   f"(the gradient for its input {i}, shape {list(arr.shape)})"
                   f"{cls._where(node)}")


def check_backward(node: Any, grads: Any) -> None:
    if not isinstance(grads, tuple):
        grads = (grads,)
    for i, g in enumerate(grads):
        if g is None:
            continue
        arr = g._data if hasattr(g, "_data") else np.asarray(g)
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise AnomalyError.for_backward(node, i, g)


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: the first op whose forward output or backward gradient holds NaN/Inf
    (when its inputs did not) raises :class:`AnomalyError` naming the op, its module path and
    the source line that created it."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> "detect_anomaly":
        self._prev = engine._anomaly_mode
        engine._anomaly_mode = self.check_nan
        return self

    def __exit__(self, *exc: Any) -> None:
        engine._anomaly_mode = self._prev


def set_detect_anomaly(mode: bool) -> None:
    engine._anomaly_mode = bool(mode)


def is_anomaly_enabled() -> bool:
    return engine._anomaly_mode


