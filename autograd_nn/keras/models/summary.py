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


def _sequential_like(model: Any) -> bool:
    """Keras's test: a chain of single-input layer calls (else a 'Connected to' column)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return True
    consumers: dict[int, int] = {}
    for n in nodes:
        ins = n.input_tensors
        if len(ins) > 1:
            return False
        for t in ins:
            consumers[id(t)] = consumers.get(id(t), 0) + 1
    return all(c <= 1 for c in consumers.values()) and len(model._output_tensors) == 1


def _connections(model: Any, layer: Layer) -> str:
    own = {id(n) for n in model._nodes}
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in own:
            continue
        for t in node.input_tensors:
            producer = t.node.layer
            parts.append(f"{producer.name}[{producer._inbound_nodes.index(t.node)}]"
                         f"[{t.index}]")
    return ", ".join(parts) or "-"


def _rows(model: Any, connected: bool) -> list[tuple[str, ...]]:
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
        row = (f"{layer.name} ({type(layer).__name__})", shape_str(shape), params)
        if connected:
            row += (_connections(model, layer),)
        rows.append(row)
    return rows


def _wrap(text: str, width: int) -> list[str]:
    """Word-wrap ``text`` to ``width`` (long words are cut), as rich lays out cells."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        while len(word) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:width])
            word = word[width:]
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    lines.append(cur)
    return lines


# Keras's column widths in an 80-column console (and when printing to a file or pipe)
_WIDTHS = {3: (31, 22, 13), 4: (19, 17, 10, 17)}


def summary_text(model: Any, line_length: int | None = None) -> str:
    """The text ``model.summary()`` prints."""
    connected = not _sequential_like(model)
    rows = _rows(model, connected)
    header = ("Layer (type)", "Output Shape", "Param #") + (("Connected to",) if connected
                                                            else ())
    widths = _WIDTHS[len(header)]
    right = {2}

    def line(left: str, mid: str, end: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + end

    def cells(values: tuple[str, ...], bar: str) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, widths)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for j, (c, w) in enumerate(zip(wrapped, widths)):
                text = c[i] if i < len(c) else ""
                parts.append(f" {text:>{w}} " if j in right else f" {text:<{w}} ")
            out.append(bar + bar.join(parts) + bar)
        return out

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"), *cells(header, "┃"),
           line("┡", "╇", "┩", "━")]
    for i, r in enumerate(rows):
        out.extend(cells(r, "│"))
        out.append(line("├", "┼", "┤", "─") if i < len(rows) - 1 else line("└", "┴", "┘", "─"))
    if not rows:
        out.append(line("└", "┴", "┘", "─"))
    trainable, tb = _count(model.trainable_weights)
    non_trainable, nb = _count(model.non_trainable_weights)
    opt_n, opt_b = 0, 0
    opt = getattr(model, "optimizer", None)
    if opt is not None and getattr(opt, "built", False):
        arrays = [v for st in opt.state.values() for k, v in st.items() if k != "step"]
        # + Keras's two scalar variables: iterations (int64) and learning_rate (float32)
        opt_n = 2 + sum(int(np.prod(a.shape)) for a in arrays)
        opt_b = 12 + sum(int(np.prod(a.shape)) * a._data.itemsize for a in arrays)
    total, total_b = trainable + non_trainable + opt_n, tb + nb + opt_b
    out.append(f" Total params: {total:,} ({readable_memory_size(total_b)})")
    out.append(f" Trainable params: {trainable:,} ({readable_memory_size(tb)})")
    out.append(f" Non-trainable params: {non_trainable:,} ({readable_memory_size(nb)})")
    if opt_n:
        out.append(f" Optimizer params: {opt_n:,} ({readable_memory_size(opt_b)})")
    return "\n".join(out)
