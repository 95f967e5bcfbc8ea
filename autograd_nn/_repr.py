"""PyTorch-style printing of tensors (``tensor([[1., 2.], ...], requires_grad=True)``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _dtype

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """Chooses one number format for a whole tensor, as torch/_tensor_str.py does."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        vals = arr.reshape(-1)
        if not self.floating:
            self.max_width = max((len(self._plain(v)) for v in vals), default=1)
            return
        finite = vals[np.isfinite(vals)].astype(np.float64)
        nonzero = np.abs(finite[finite != 0])
        if finite.size == 0:
            self.max_width = max((len(str(v)) for v in (_fmt_special(x) for x in vals)),
                                 default=1)
            return
        self.int_mode = bool((finite == np.ceil(finite)).all())
        if nonzero.size:
            lo, hi = nonzero.min(), nonzero.max()
            if self.int_mode:
                self.sci_mode = hi > 1e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1e8 or lo < 1e-4
        self.max_width = max(len(self.format(v)) for v in vals)

    @staticmethod
    def _plain(v: Any) -> str:
        return str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(int(v))

    def format(self, v: Any) -> str:
        if not self.floating:
            return self._plain(v)
        if not math.isfinite(float(v)):
            return _fmt_special(v)
        if self.sci_mode:
            return f"{float(v):.{PRECISION}e}"
        if self.int_mode:
            return f"{float(v):.0f}."
        return f"{float(v):.{PRECISION}f}"

    def cell(self, v: Any) -> str:
        return self.format(v).rjust(self.max_width)


def _fmt_special(v: Any) -> str:
    f = float(v)
    return "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")


def _summarize(arr: np.ndarray) -> np.ndarray:
    """The edge items PyTorch shows when a tensor has more than THRESHOLD elements."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * EDGEITEMS:
        arr = np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
    return np.stack([_summarize(a) for a in arr]) if arr.ndim > 1 else arr


def _body(arr: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        cells = [fmt.cell(v) for v in arr]
        if summarize and len(cells) > 2 * EDGEITEMS:
            cells = cells[:EDGEITEMS] + ["..."] + cells[-EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.max_width + 2))
        lines = [", ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(arr)
    parts = [_body(r, fmt, indent + 1, summarize) for r in rows]
    if summarize and len(parts) > 2 * EDGEITEMS:
        parts = parts[:EDGEITEMS] + ["..."] + parts[-EDGEITEMS:]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def tensor_repr(t: Any, prefix: str = "tensor(") -> str:
    arr = t._data
    summarize = arr.size > THRESHOLD
    shown = _summarize(arr) if summarize else arr
    suffix = []
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffix.append(f"size={tuple(arr.shape)}")
    else:
        fmt = _Formatter(shown)
        body = _body(shown, fmt, len(prefix), summarize)
    d = _dtype.from_numpy_dtype(arr.dtype)
    if d not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool) or arr.size == 0 and \
            d != _dtype.get_default_dtype():
        suffix.append(f"dtype={d}")
    if t._node is not None:
        suffix.append(f"grad_fn=<{t._node.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    return prefix + body + "".join(", " + s for s in suffix) + ")"
