"""Padding layers over ``F.pad``: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``,
``ReplicationPad`` and ``CircularPad``, each 1d / 2d / 3d (pads the last 1 / 2 / 3 dims).

``padding`` is an int (the same on every side) or a tuple of 2n ints in ``F.pad`` order:
(left, right[, top, bottom[, front, back]]).
"""

from __future__ import annotations

from ..._ops.shape import pad
from ...tensor import Tensor
from .module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                         "Circular") for n in (1, 2, 3)]


class _PadNd(Module):
    """A padding layer: ``_n`` trailing dims, ``F.pad`` mode ``_mode``."""

    _n = 1
    _mode = "constant"

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__()
        k = 2 * self._n
        if isinstance(padding, int):
            padding = (padding,) * k
        padding = tuple(padding)
        if len(padding) != k or not all(isinstance(p, int) for p in padding):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {k} "
                             f"ints, got {padding}")
        self.padding = padding
        self.value = 0.0

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        """(*, [D,] [H,] W) -> the same with the last ``n`` dims padded."""
        if self._mode == "constant":
            return pad(input, self.padding, "constant", self.value)
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | tuple[int, ...], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


_HOW = {"Zero": "with zeros", "Constant": "with ``value``", "Reflection": "by reflection",
        "Replication": "by repeating the edge", "Circular": "circularly"}


def _define(kind: str, mode: str, n: int, base: type) -> type:
    sides = ("left, right", "left, right, top, bottom",
             "left, right, top, bottom, front, back")[n - 1]
    doc = f"Pad the last {n} dim(s) {_HOW[kind]}; ``padding``: an int or ({sides})."
    return type(f"{kind}Pad{n}d", (base,), {"_n": n, "_mode": mode, "__doc__": doc,
                                             "__module__": __name__})


for _n in (1, 2, 3):
    for _kind, _mode, _base in (("Zero", "constant", _PadNd),
                                ("Constant", "constant", _ConstantPadNd),
                                ("Reflection", "reflect", _PadNd),
                                ("Replication", "replicate", _PadNd),
                                ("Circular", "circular", _PadNd)):
        globals()[f"{_kind}Pad{_n}d"] = _define(_kind, _mode, _n, _base)
del _n, _kind, _mode, _base
