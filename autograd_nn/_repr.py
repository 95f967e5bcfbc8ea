"""PyTorch-style printing of tensors (``tensor([[1., 2.], ...], requires_grad=True)``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _dtype
from ._dtype import is_float_np

PRECISION = 4
THRESHOLD: float = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: bool | None = None  # None: chosen per tensor (see _Formatter)

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Options for printing tensors, as PyTorch's: digits after the point (``precision``,
    default 4), the element count above which a tensor is summarized (``threshold``, 1000)
    with ``edgeitems`` (3) items at each end of every dim, the line width (``linewidth``, 80),
    scientific notation forced on or off (``sci_mode``; None: chosen per tensor). ``profile``
    ('default', 'short' or 'full') first sets the four numbers; the others override it.
    ``sci_mode`` is set on every call (omitting it restores the automatic choice)."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:  # PyTorch ignores an unknown profile
            profile = None
        else:
            PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode


def get_printoptions() -> dict:
    """The current print options, as keyword arguments of :func:`set_printoptions`."""
    return {"precision": PRECISION, "threshold": THRESHOLD, "edgeitems": EDGEITEMS,
            "linewidth": LINEWIDTH, "sci_mode": SCI_MODE}


class _Formatter:
    """Chooses one number format for a whole tensor, as torch/_tensor_str.py does: widths come
    from the nonzero finite values only; scientific notation when their range exceeds 1000x,
    or any exceeds 1e8, or any is below 1e-4."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = is_float_np(arr.dtype)
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        vals = arr.reshape(-1)
        if not self.floating:
            self.max_width = max((len(self._plain(v)) for v in vals.tolist()), default=1)
            return
        nz = vals[np.isfinite(vals) & (vals != 0)]
        if nz.size == 0:
            return
        a = np.abs(nz.astype(np.float64))
        lo, hi = a.min(), a.max()
        self.int_mode = bool((nz == np.ceil(nz)).all())
        self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) \
            if SCI_MODE is None else bool(SCI_MODE)
        pyvals = nz.tolist()
        if self.sci_mode:
            self.max_width = max(len(f"{v:.{PRECISION}e}") for v in pyvals)
        elif self.int_mode:
            self.max_width = max(len(f"{v:.0f}") + 1 for v in pyvals)
        else:
            self.max_width = max(len(f"{v:.{PRECISION}f}") for v in pyvals)

    @staticmethod
    def _plain(v: Any) -> str:
        return str(v)

    def format(self, v: Any) -> str:
        """One value (a Python number), right-aligned to the common width."""
        if not self.floating:
            ret = str(v)
        elif self.sci_mode:
            ret = f"{v:{self.max_width}.{PRECISION}e}"
        elif self.int_mode:
            ret = f"{v:.0f}"
            if not (math.isinf(v) or math.isnan(v)):
                ret += "."
        else:
            ret = f"{v:.{PRECISION}f}"
        return (self.max_width - len(ret)) * " " + ret


def _summarize(arr: np.ndarray) -> np.ndarray:
    """The edge items PyTorch shows when a tensor has more than THRESHOLD elements."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * EDGEITEMS:  # (arr[-0:] is all of it: PyTorch's formatter sees that)
        arr = np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
    if arr.ndim == 1:
        return arr
    parts = [_summarize(a) for a in arr]
    return np.stack(parts) if parts else arr


def _body(arr: np.ndarray, fmt: _Formatter, indent: int, summarize: bool) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    n = arr.shape[0]
    cut = summarize and n > 2 * EDGEITEMS
    if arr.ndim == 1:
        if summarize and not EDGEITEMS:  # PyTorch: nothing but the ellipsis
            cells = ["..."]
        elif cut:
            cells = ([fmt.format(v) for v in arr[:EDGEITEMS].tolist()] + [" ..."] +
                     [fmt.format(v) for v in arr[n - EDGEITEMS:].tolist()])
        else:
            cells = [fmt.format(v) for v in arr.tolist()]
        per_line = max(1, (LINEWIDTH - indent) // (fmt.max_width + 2))
        lines = [", ".join(cells[i:i + per_line]) for i in range(0, len(cells), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = list(range(EDGEITEMS)) + [None] + list(range(n - EDGEITEMS, n)) if cut else \
        range(n)
    parts = ["..." if i is None else _body(arr[i], fmt, indent + 1, summarize) for i in rows]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ``, suffix`` items, wrapping onto a new line past LINEWIDTH (as PyTorch)."""
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > LINEWIDTH:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t: Any, prefix: str = "tensor(") -> str:
    arr = t._data
    indent = len(prefix)
    suffixes = []
    default = _dtype.get_default_dtype()
    d = _dtype.from_numpy_dtype(arr.dtype)
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if d != default:
            suffixes.append(f"dtype={d}")
    else:
        summarize = arr.size > THRESHOLD
        fmt = _Formatter(_summarize(arr) if summarize else arr)
        body = _body(arr, fmt, indent, summarize)
        if not EDGEITEMS:  # PyTorch then shows the size (the body may show no element)
            suffixes.append(f"size={tuple(arr.shape)}")
        if d not in (default, _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={d}")
    if t._node is not None:
        # PyTorch prints the node's class name (CopySlices for torch::autograd::CopySlices)
        suffixes.append(f"grad_fn=<{t._node.name().rpartition('::')[2]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
