"""Reverse-mode automatic differentiation: ``backward``, ``grad``, custom ``Function``s,
grad-mode switches, anomaly detection and numerical gradient checks."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import engine
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def _as_seq(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _make_grads(outputs: list, grad_outputs: list) -> list:
    Tensor = engine.Tensor

    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs "
                                   f"(output {i} has shape {list(out.shape)}); pass gradient="
                                   f"a tensor of that shape")
            g = np.ones(out._data.shape, dtype=out._data.dtype)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(np.asarray(g, dtype=out._data.dtype))
            if g.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{list(g.shape)} and output[{i}] has a shape of "
                                   f"{list(out.shape)}.")
        grads.append(g)
    return grads


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Any] | None = None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves they depend on."""
    outs = _as_seq(tensors)
    grads = _make_grads(outs, _as_seq(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_seq(inputs)
    engine.run_backward(outs, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` w.r.t. ``inputs`` (returned, never written to ``.grad``)."""
    Tensor = engine.Tensor

    outs = _as_seq(outputs)
    ins = _as_seq(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (inputs[{i}], shape "
                               f"{list(t.shape)}) does not require grad")
    grads = _make_grads(outs, _as_seq(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    res = engine.run_backward(outs, grads, retain_graph, create_graph, inputs=ins,
                              accumulate=False)
    out = []
    for i, (t, g) in enumerate(zip(ins, res)):
        if g is None:
            if materialize_grads:
                g = Tensor._wrap(np.zeros(t._data.shape, t._data.dtype))
            elif not allow_unused:
                raise RuntimeError(f"One of the differentiated Tensors (inputs[{i}], shape "
                                   f"{list(t.shape)}) appears to not have been used in the "
                                   f"graph. Set allow_unused=True if this is the desired "
                                   f"behavior.")
        out.append(g)
    return tuple(out)


from . import functional  # noqa: E402
from .debug import GraphCheckReport, check_graph, explain  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "AnomalyError",
           "functional", "gradcheck", "gradgradcheck", "check_graph", "explain", "GraphCheckReport"]
