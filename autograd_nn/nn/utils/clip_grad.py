"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``,
``clip_grads_with_norm_`` (PyTorch semantics: one norm over all gradients)."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ...autograd import inplace
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: _TensorOrTensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: _TensorOrTensors) -> list:
    return [p.grad for p in _as_list(parameters) if p.grad is not None]


def _vector_norm(a: np.ndarray, p: float) -> float:
    """||a||_p of a non-negative vector (p = +-inf: max / min; p = 0: count of non-zeros)."""
    if a.size == 0:
        return 0.0
    if math.isinf(p):
        return float(a.max() if p > 0 else a.min())
    if p == 0:
        return float(np.count_nonzero(a))
    return float((a ** p).sum() ** (1.0 / p))


def get_total_norm(tensors: _TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` viewed as one vector (0-d tensor)."""
    ts = [t for t in _as_list(tensors) if t is not None]
    if not ts:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    dt = ts[0]._data.dtype
    # PyTorch's definition: the norm of the per-tensor norms (differs from the norm of the
    # concatenation only for norm_type 0, where it counts tensors with a non-zero entry)
    per = np.array([_vector_norm(np.abs(t._data.astype(np.float64, copy=False)).ravel(),
                                 norm_type) for t in ts])
    total = float(_vector_norm(per, norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    return Tensor._wrap(np.array(total, dtype=dt))


def clip_grads_with_norm_(parameters: _TensorOrTensors, max_norm: float,
                          total_norm: Tensor | float, foreach: bool | None = None) -> None:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)) in place."""
    tn = float(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
    coef = min(float(max_norm) / (tn + 1e-6), 1.0)
    if math.isnan(coef):  # nan norm: PyTorch multiplies through, giving nan gradients
        coef = math.nan
    for g in _grads(parameters):
        g._data *= g._data.dtype.type(coef)
        inplace.bump_version(g)


def clip_grad_norm_(parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale all gradients together so their joint ``norm_type``-norm is at most
    ``max_norm``; returns the norm before clipping (0-d tensor)."""
    params = _as_list(parameters)  # often a generator (model.parameters()): read it once
    grads = _grads(params)
    if not grads:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_`."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient elementwise to [-clip_value, clip_value] in place."""
    v = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -v, v, out=g._data)
        inplace.bump_version(g)
