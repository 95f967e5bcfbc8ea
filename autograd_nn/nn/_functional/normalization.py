"""Functional forms: batch_norm, layer_norm, group_norm, instance_norm.

All standardise with the fused :class:`~autograd_nn._ops.norm.Normalize` op (biased variance,
eps inside the square root) and then apply the per-channel / per-element affine.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..._ops.norm import Normalize
from ...autograd.engine import name_node
from ...tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple) -> Tensor:
    if weight is not None:
        y = y * (weight.reshape(shape) if weight.shape != shape else weight)
    if bias is not None:
        y = y + (bias.reshape(shape) if bias.shape != shape else bias)
    return y


def _check_channel_param(op: str, name: str, t: Any, C: int) -> None:
    if t is not None and tuple(t.shape) != (C,):
        raise RuntimeError(f"{op}: expected {name} to have shape [{C}] (one per channel), got "
                           f"{list(t.shape)}")


def _update_running(buf: Tensor, new: np.ndarray, momentum: float) -> None:
    """buf = (1 - momentum) * buf + momentum * new, in place (a buffer, no autograd)."""
    d = buf._data
    d *= 1.0 - momentum
    d += momentum * new.astype(d.dtype, copy=False)
    if buf._vc is not None:
        buf._vc[0] += 1


def count_batch(num_batches_tracked: Tensor) -> None:
    """``num_batches_tracked += 1`` in place (a train-mode BatchNorm call; NumPy, as the buffer
    takes no autograd: its version counter does not move). A function of its own so that a
    compiled step records it and repeats it at replay (compiler/tracer.py)."""
    num_batches_tracked._data += 1


def update_running_stats(running_mean: Tensor, running_var: Tensor, mean: np.ndarray,
                         var: np.ndarray, m: int, momentum: float | None,
                         num_batches_tracked: Tensor | None = None) -> None:
    """Move the running statistics towards the batch's ``mean`` and biased ``var`` (the arrays
    ``Normalize`` gave as side outputs; var made unbiased: ``* m / (m - 1)``) by ``momentum``, in
    place; ``momentum=None``: the cumulative average, ``1 / num_batches_tracked`` (0 without a
    count). A compiled step records this call with the buffers as tensors and the statistics
    as values of the replay, and re-runs it there (compiler/tracer.py)."""
    if momentum is None:
        momentum = 0.0 if num_batches_tracked is None else \
            1.0 / float(num_batches_tracked._data)
    C = running_mean.shape[0]
    _update_running(running_mean, mean.reshape(C), momentum)
    _update_running(running_var, var.reshape(C) * (m / (m - 1)), momentum)


def update_instance_running_stats(running_mean: Tensor, running_var: Tensor, mean: np.ndarray,
                                  var: np.ndarray, m: int, momentum: float) -> None:
    """InstanceNorm's running statistics: moved by ``momentum`` towards the per-(sample,
    channel) ``mean`` / biased ``var`` (made unbiased over ``m`` values) averaged over the
    samples, in place; recorded and re-run at replay as :func:`update_running_stats`."""
    C = running_mean.shape[0]
    _update_running(running_mean, mean.reshape(-1, C).mean(0), momentum)
    _update_running(running_var, (var * (m / max(m - 1, 1))).reshape(-1, C).mean(0), momentum)


def running_stats_operands(running_mean: Tensor, running_var: Tensor, dtype: Any, eps: float,
                           shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Eval-mode batch norm's operands from the running statistics: (mean, 1 / sqrt(var +
    eps)) in ``dtype``, of ``shape``. A compiled step records this call and re-runs it at
    replay, reading the buffers then (compiler/tracer.py): training between calls is seen."""
    inv = (1.0 / np.sqrt(running_var._data.astype(dtype) + eps)).reshape(shape)
    return running_mean._data.astype(dtype).reshape(shape), inv


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over all dims but the channel dim 1: input (N, C, *) -> same shape.

    In training (or without running stats) the batch's mean and biased variance normalise, and
    the running stats (if given) move by ``momentum`` towards the batch mean and the *unbiased*
    variance, in place. Otherwise the running stats normalise.
    """
    if momentum is None:  # (the modules' cumulative average goes through batch_norm_counted)
        raise TypeError("batch_norm(): argument 'momentum' must be float, not NoneType")
    return batch_norm_counted(input, running_mean, running_var, weight, bias, training,
                              momentum, eps, None)


def batch_norm_counted(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
                       weight: Tensor | None, bias: Tensor | None, training: bool,
                       momentum: float | None, eps: float,
                       num_batches_tracked: Tensor | None) -> Tensor:
    """:func:`batch_norm` for the BatchNorm modules: ``num_batches_tracked`` is their counter
    (already incremented: :func:`count_batch`), which ``momentum=None`` (a cumulative average)
    reads."""
    op = "batch_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *), got {list(input.shape)}")
    C = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channel_param(op, name, t, C)
    shape = (C,) + (1,) * (input.ndim - 2)
    dims = (0,) + tuple(range(2, input.ndim))
    if training or running_mean is None or running_var is None:
        m = input.numel() // C
        if training and m <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {list(input.shape)}")
        stats: list = []
        y = Normalize.apply(input, weight, bias, dims=dims, eps=eps, wshape=shape, stats=stats)
        if training and running_mean is not None and running_var is not None:
            update_running_stats(running_mean, running_var, stats[0], stats[1], m, momentum,
                                 num_batches_tracked)
        return name_node(y, "NativeBatchNormBackward0")
    mean, inv = running_stats_operands(running_mean, running_var, input._data.dtype, eps, shape)
    # (wrapped as they are: a compiled step reads them as the helper's results, not constants)
    y = (input - Tensor._wrap(mean)) * Tensor._wrap(inv)
    return name_node(_affine(y, weight, bias, shape), "NativeBatchNormBackward0")


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims (biased variance), then
    ``* weight + bias`` (each of shape ``normalized_shape``). input (*, *normalized_shape)."""
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or input.ndim < k or tuple(input.shape[-k:]) != ns:
        raise RuntimeError(f"layer_norm: Given normalized_shape={list(ns)}, expected input with "
                           f"shape [*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"layer_norm: expected {name} of shape {list(ns)}, got "
                               f"{list(t.shape)}")
    return Normalize.apply(input, weight, bias, dims=tuple(range(input.ndim - k, input.ndim)),
                           eps=eps, wshape=ns)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each of ``num_groups`` channel groups per sample: input (N, C, *), C divisible
    by num_groups; then a per-channel affine (weight, bias of shape (C,))."""
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected an input of shape (N, C, *), got "
                           f"{list(input.shape)}")
    N, C = input.shape[:2]
    if num_groups < 1 or C % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        _check_channel_param("group_norm", name, t, C)
    y = Normalize.apply(input.reshape(N, num_groups, -1), None, None, dims=(2,), eps=eps)
    return name_node(_affine(y.reshape(input.shape), weight, bias,
                             (C,) + (1,) * (input.ndim - 2)), "NativeGroupNormBackward0")


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial dims: input (N, C, *)."""
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *spatial), got "
                         f"{list(input.shape)}")
    C = input.shape[1]
    shape = (C,) + (1,) * (input.ndim - 2)
    if not use_input_stats and running_mean is not None and running_var is not None:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    stats: list = []
    y = Normalize.apply(input, weight, bias, dims=tuple(range(2, input.ndim)), eps=eps,
                        wshape=shape, stats=stats)
    if running_mean is not None and running_var is not None:
        update_instance_running_stats(running_mean, running_var, stats[0], stats[1],
                                      int(np.prod(input.shape[2:])), momentum)
    return name_node(y, "ViewBackward0")  # PyTorch: batch_norm on an (1, N*C, *) view
