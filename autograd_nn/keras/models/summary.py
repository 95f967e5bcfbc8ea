"""``Model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers.base import InputLayer, Layer, shape_str

__all__ = ["summary_text", "readable_memory_size"]


def readable_memory_size(nbytes: float) -> str:
    """'5.50 KB' (powers of 1024, two decimals), as Keras prints sizes."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes < 1024 or unit == "TB":
            return f"{nbytes:.2f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.2f} TB"  # pragma: no cover


def _count(ws: list[Any]) -> tuple[int, int]:
    n = sum(int(np.prod(w.shape)) for w in ws)
    return n, sum(int(np.prod(w.shape)) * w._data.itemsize for w in ws)


def _rows(model: Any) -> list[tuple[str, str, str]]:
    rows = []
    layers: list[Layer] = list(model.layers)
    if hasattr(model, "_nodes"):  # functional: list its input layers too
        layers = [n.layer for n in model._nodes if isinstance(n.layer, InputLayer)] + \
            [m for m in layers if not isinstance(m, InputLayer)]
    for layer in layers:
        shape = layer._output_shape if layer.built or isinstance(layer, InputLayer) else None
        if isinstance(layer, InputLayer):
            shape = layer.batch_shape
        params = f"{sum(int(np.prod(w.shape)) for w in layer.weights):,}" if layer.built \
            else "0 (unbuilt)"
        rows.append((f"{layer.name} ({type(layer).__name__})", shape_str(shape), params))
    return rows


def summary_text(model: Any, line_length: int | None = None) -> str:
    """The text ``model.summary()`` prints."""
    rows = _rows(model)
    w1 = max([31] + [len(r[0]) for r in rows]) + 2
    w2 = max([22] + [len(r[1]) for r in rows]) + 2
    w3 = max([13] + [len(r[2]) for r in rows]) + 2

    def line(left: str, mid: str, right: str, fill: str) -> str:
        return left + fill * w1 + mid + fill * w2 + mid + fill * w3 + right

    def cells(a: str, b: str, c: str, bar: str) -> str:
        return f"{bar} {a:<{w1 - 2}} {bar} {b:<{w2 - 2}} {bar} {c:>{w3 - 2}} {bar}"

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"),
           cells("Layer (type)", "Output Shape", "Param #", "┃"), line("┡", "╇", "┩", "━")]
    for i, r in enumerate(rows):
        out.append(cells(*r, "│"))
        out.append(line("├", "┼", "┤", "─") if i < len(rows) - 1 else line("└", "┴", "┘", "─"))
    if not rows:
        out.append(line("└", "┴", "┘", "─"))
    trainable, tb = _count(model.trainable_weights)
    non_trainable, nb = _count(model.non_trainable_weights)
    opt_n, opt_b = 0, 0
    opt = getattr(model, "optimizer", None)
    if opt is not None and getattr(opt, "built", False):
        arrays = [v for st in opt.state.values() for k, v in st.items() if k != "step"]
        opt_n = 1 + sum(int(np.prod(a.shape)) for a in arrays)  # + the iteration counter
        opt_b = 8 + sum(int(np.prod(a.shape)) * a._data.itemsize for a in arrays)
    total, total_b = trainable + non_trainable + opt_n, tb + nb + opt_b
    out.append(f" Total params: {total:,} ({readable_memory_size(total_b)})")
    out.append(f" Trainable params: {trainable:,} ({readable_memory_size(tb)})")
    out.append(f" Non-trainable params: {non_trainable:,} ({readable_memory_size(nb)})")
    if opt_n:
        out.append(f" Optimizer params: {opt_n:,} ({readable_memory_size(opt_b)})")
    return "\n".join(out)
