"""Normalization modules: BatchNorm1d/2d/3d, InstanceNorm1d/2d, LayerNorm, GroupNorm."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ... import _creation
from ..._dtype import int64
from ...tensor import Tensor
from .. import init
from .._functional import normalization as N
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
           "LayerNorm", "GroupNorm", "InstanceNorm3d"]


def _affine_parameters(m: Module, shape: tuple, affine: bool, bias: bool, dtype: Any) -> None:
    """``m.weight`` = ones and ``m.bias`` = zeros of ``shape`` (None when not ``affine`` or
    without ``bias``), as every normalisation layer registers them."""
    m.register_parameter("weight", Parameter(_creation.ones(*shape, dtype=dtype)) if affine
                         else None)
    m.register_parameter("bias", Parameter(_creation.zeros(*shape, dtype=dtype))
                         if affine and bias else None)


def _reset_affine(m: Module) -> None:
    """The affine parameters (if any) back to weight 1, bias 0."""
    if m.weight is not None:
        init.ones_(m.weight)
    if m.bias is not None:
        init.zeros_(m.bias)


class _NormBase(Module):
    """Per-channel affine parameters and running statistics shared by batch/instance norm."""

    _ndims: tuple = ()  # accepted input ranks

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", _creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", _creation.tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict,
                              strict: bool, missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        # as PyTorch for a state dict without version metadata (a plain dict, a safetensors
        # file, an old checkpoint): a missing num_batches_tracked keeps its value, no error
        key = prefix + "num_batches_tracked"
        if self.num_batches_tracked is not None and key not in state_dict:
            state_dict[key] = self.num_batches_tracked
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self._ndims:
            want = " or ".join(f"{d}D" for d in self._ndims)
            raise ValueError(f"{type(self).__name__}: expected {want} input (got {input.ndim}D "
                             f"input of size {list(input.shape)})")

    def _count_batch(self) -> Tensor | None:
        """Count this batch (train mode, tracking): ``num_batches_tracked``, incremented, for
        the running-stat update (momentum=None: a cumulative moving average, 1 / batches seen),
        or None."""
        nbt = self.num_batches_tracked
        if self.training and self.track_running_stats and nbt is not None:
            N.count_batch(nbt)
            return nbt
        return None

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        nbt = self._count_batch()
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return N.batch_norm_counted(input, self.running_mean if keep else None,
                                    self.running_var if keep else None, self.weight, self.bias,
                                    use_batch, self.momentum, self.eps, nbt)


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) (statistics over N, or N and L).

    Training normalises with the batch's biased variance and moves ``running_mean`` /
    ``running_var`` (unbiased) by ``momentum`` (None: cumulative average); eval uses them.
    ``weight`` starts at 1, ``bias`` at 0; ``num_batches_tracked`` is an int64 buffer.
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W), statistics per channel over N, H, W (see BatchNorm1d)."""

    _ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W)."""

    _ndims = (5,)


class _InstanceNorm(_NormBase):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        unbatched = input.ndim == self._ndims[0]
        if unbatched:
            input = input.unsqueeze(0)
        factor = 0.0 if self.momentum is None else self.momentum  # (no batch counting here)
        y = N.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats, factor, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Normalise each (sample, channel) over L: (N, C, L) or (C, L)."""

    _ndims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Normalise each (sample, channel) over H, W: (N, C, H, W) or (C, H, W)."""

    _ndims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Normalise each (sample, channel) over D, H, W: (N, C, D, H, W) or (C, D, H, W)."""

    _ndims = (4, 5)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims (biased variance, eps inside the
    root), then ``* weight + bias`` (shape ``normalized_shape``; weight 1, bias 0 at start).
    input (*, *normalized_shape) -> same shape."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        ns = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else \
            tuple(normalized_shape)
        self.normalized_shape = tuple(int(n) for n in ns)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return N.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each of ``num_groups`` channel groups per sample, then a per-channel affine.
    input (N, C, *) with C = num_channels divisible by num_groups -> same shape."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return N.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
