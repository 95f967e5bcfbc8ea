"""Keras-style model summaries (:func:`summary`), gathered with forward hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .. import _creation
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


@dataclass
class SummaryRow:
    path: str
    cls: str
    depth: int
    output_shape: Any  # list of ints, list of such lists for several outputs, or None
    params: int  # the module's own parameters (not its children's)
    trainable: int
    calls: int = 0


@dataclass
class ModelSummary:
    """Result of :func:`summary`: ``rows`` (one per module, in first-call order), parameter
    totals (shared parameters counted once); ``str()`` is the table."""

    model_name: str
    rows: list = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0
    input_shapes: list = field(default_factory=list)
    param_bytes: int = 0

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        head = ("Layer (path)", "Type", "Output Shape", "Param #")
        body = []
        for r in self.rows:
            name = ("  " * r.depth + r.path) if r.path else "(root)"
            shape = "--" if r.output_shape is None else str(r.output_shape)
            calls = f" x{r.calls}" if r.calls > 1 else ""
            body.append((name, r.cls + calls, shape, f"{r.params:,}" if r.params else "--"))
        w = [max(len(h), *(len(b[k]) for b in body)) if body else len(h)
             for k, h in enumerate(head)]
        fmt = "  ".join(f"{{:<{x}}}" if k < 3 else f"{{:>{x}}}" for k, x in enumerate(w))
        rule = "=" * (sum(w) + 2 * (len(w) - 1))
        lines = [f"Model: {self.model_name}", rule, fmt.format(*head), rule]
        lines += [fmt.format(*b) for b in body]
        lines += [rule, f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  f"Params size: {self.param_bytes / 2**20:.2f} MiB",
                  f"Input shape: {', '.join(str(s) for s in self.input_shapes)}", rule]
        return "\n".join(lines)

    __repr__ = __str__


def _shape_of(x: Any) -> Any:
    if isinstance(x, Tensor):
        return list(x.shape)
    if isinstance(x, (list, tuple)):
        shapes = [_shape_of(e) for e in x]
        shapes = [s for s in shapes if s is not None]
        return shapes or None
    if isinstance(x, dict):
        return _shape_of(list(x.values()))
    return None


def _make_inputs(input_or_shape: Any, dtype: Any) -> tuple:
    if isinstance(input_or_shape, Tensor):
        return (input_or_shape,)
    if isinstance(input_or_shape, (tuple, list)) and input_or_shape and \
            all(isinstance(s, int) for s in input_or_shape):
        return (_creation.randn(*input_or_shape, dtype=dtype),)
    if isinstance(input_or_shape, (tuple, list)):
        return tuple(_make_inputs(e, dtype)[0] for e in input_or_shape)
    raise TypeError(f"summary: expected a Tensor, a shape (tuple of ints, batch first) or a list "
                    f"of those, got {type(input_or_shape).__name__}")


def summary(model: Any, input_or_shape: Any, *, dtype: Any = None,
            **forward_kwargs: Any) -> ModelSummary:
    """Run ``model`` once (no gradients) and tabulate its modules: path, class, output shape
    and own parameter count, with trainable / non-trainable totals.

    Args:
        model: an ``nn.Module``.
        input_or_shape: an input Tensor, a shape including the batch dimension (random normal
            input), or a list of those for several inputs.
        dtype: dtype of generated inputs (default: the default dtype).

    Returns:
        a :class:`ModelSummary`; print it for the table.

    Example::

        >>> print(autograd_nn.summary(nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2)), (1, 4)))
    """
    inputs = _make_inputs(input_or_shape, dtype)
    rows: dict[int, SummaryRow] = {}
    order: list[SummaryRow] = []
    handles = []
    named = list(model.named_modules())

    def hook_for(path: str, m: Any) -> Any:
        def hook(mod: Any, args: Any, out: Any) -> None:
            r = rows.get(id(mod))
            if r is None:
                own = [p for p in mod._parameters.values() if p is not None]
                r = rows[id(mod)] = SummaryRow(
                    path=path, cls=type(mod).__name__, depth=path.count(".") + 1 if path else 0,
                    output_shape=None, params=sum(int(p.numel()) for p in own),
                    trainable=sum(int(p.numel()) for p in own if p.requires_grad))
            r.output_shape = _shape_of(out)
            r.calls += 1
            order.append(r)
        return hook

    for path, m in named:
        handles.append(m.register_forward_hook(hook_for(path, m)))
    try:
        with no_grad():
            model(*inputs, **forward_kwargs)
    finally:
        for h in handles:
            h.remove()

    # hooks fire children first: list modules in registration (tree) order instead
    pos = {path: k for k, (path, _) in enumerate(named)}
    ordered = sorted({id(r): r for r in order}.values(), key=lambda r: pos.get(r.path, 0))
    params = {id(p): p for p in model.parameters()}
    total = sum(int(p.numel()) for p in params.values())
    train = sum(int(p.numel()) for p in params.values() if p.requires_grad)
    nbytes = sum(int(p._data.nbytes) for p in params.values())
    return ModelSummary(model_name=type(model).__name__, rows=ordered, total_params=total,
                        trainable_params=train, input_shapes=[list(x.shape) for x in inputs],
                        param_bytes=nbytes)


__all__: Sequence[str] = ["summary", "ModelSummary"]
