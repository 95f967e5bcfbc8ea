"""Functional dropout: ``dropout``, ``dropout1d/2d/3d``, ``alpha_dropout``,
``feature_alpha_dropout``."""

from __future__ import annotations

import numpy as np

from ..._ops.elementwise import Mul
from ...random import _gen
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_scale(mask_shape: tuple, p: float, dt: np.dtype) -> np.ndarray:
    """Bernoulli(1 - p) keep-mask / (1 - p), drawn from the global generator (a separate
    function: autograd_nn.compile records it and draws fresh masks at replay, in eager order)."""
    if p == 1.0:  # all dropped: zeros (and zero gradient), no division by 0
        return np.zeros(mask_shape, dtype=dt)
    keep = _gen().random(mask_shape) >= p
    return keep.astype(dt) * dt.type(1.0 / (1.0 - p))


def _apply_mask(input: Tensor, mask_shape: tuple, p: float, inplace: bool) -> Tensor:  # noqa: A002
    """input * Bernoulli(1 - p) mask / (1 - p), the mask drawn from the global generator and
    broadcast from ``mask_shape`` (whole channels for the Nd variants)."""
    scale = _dropout_scale(mask_shape, p, input._data.dtype)
    if inplace:
        return input.mul_(Tensor._wrap(scale))
    return Mul.apply(input, scale)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (inverted
    dropout); the identity when not ``training``. Shape: any -> same."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, input._data.shape, p, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,  # noqa: A002
                     n: int, name: str) -> Tensor:
    _check_p(p)
    nd = input.ndim
    if nd not in (n + 1, n + 2):
        raise RuntimeError(f"{name}: Expected {n + 1}D or {n + 2}D input (unbatched or "
                           f"batched), but received a {nd}D input of shape {list(input.shape)}")
    if not training or p == 0.0:
        return input
    shape = input._data.shape
    # one draw per (batch, channel): the spatial dims share it
    mask_shape = shape[: nd - n] + (1,) * n
    return _apply_mask(input, mask_shape, p, inplace)


def feature_dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
                    inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, *) input, one draw per (N, C) (``torch.feature_dropout``;
    nn.functional has no such name: its dropout1d/2d/3d fix the number of spatial dims)."""
    _check_p(p)
    if input.ndim < 2:
        raise RuntimeError(f"feature_dropout: Feature dropout requires at least 2 dimensions in "
                           f"the input, got shape {list(input.shape)}")
    if not training or p == 0.0:
        return input
    shape = input._data.shape
    return _apply_mask(input, shape[:2] + (1,) * (len(shape) - 2), p, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels: input (N, C, L) or (C, L)."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels: input (N, C, H, W) or (C, H, W)."""
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels: input (N, C, D, H, W) or (C, D, H, W)."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


def _alpha(input: Tensor, p: float, training: bool, inplace: bool,  # noqa: A002
           mask_shape: tuple) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    # ATen's: alpha = SELU scale * alpha; a kept x becomes a x + alpha a p, a dropped one
    # alpha a (p - 1), whatever x was (a sign slip here once moved them to -a x + ..., 0.107
    # and 0.779 for x = 1, p = 0.5, where PyTorch gives 1.666 and -0.779)
    alpha = 1.7580993408473766
    a = ((alpha ** 2 * p + 1) * (1 - p)) ** -0.5
    keep = (_gen().random(mask_shape) >= p).astype(input._data.dtype)
    b = (keep - 1) * (alpha * a) + alpha * a * p
    out = Mul.apply(input, keep * a) + b.astype(input._data.dtype)
    return input.copy_(out) if inplace else out


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and an
    affine correction keeps zero mean / unit variance."""
    return _alpha(input, p, training, inplace, input._data.shape)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,  # noqa: A002
                          inplace: bool = False) -> Tensor:
    """:func:`alpha_dropout` of whole channels: input (N, C, *), one draw per (N, C)."""
    if input.ndim < 2:
        raise RuntimeError(f"feature_alpha_dropout: expected an input of at least 2 dims (N, C, "
                           f"*), got shape {list(input.shape)}")
    shape = input._data.shape
    return _alpha(input, p, training, inplace, shape[:2] + (1,) * (len(shape) - 2))
