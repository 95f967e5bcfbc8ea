"""Functional layers composed from existing differentiable ops (so every one has gradients of
any order): pixel (un)shuffle, channel shuffle, local response norm, RMS norm, power-average
pooling, im2col / col2im (``unfold`` / ``fold``), and the ``*_with_indices`` spellings of max
pooling."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..._creation import zeros
from ..._ops.indexing import scatter_add
from ..._ops.shape import pad
from ...autograd.engine import name_node
from ...random import _gen
from ...tensor import Tensor
from .activation import relu
from .pooling import (
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
           "local_response_norm", "rms_norm", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "unfold", "fold", "gumbel_softmax"]


def _check_factor(op: str, name: str, r: Any) -> int:
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r <= 0:
        raise RuntimeError(f"{op} expects a positive integer {name}, but got {r!r}")
    return int(r)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C * r^2, H, W)`` -> ``(*, C, H * r, W * r)`` (sub-pixel convolution's reshuffle)."""
    r = _check_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    *b, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    n = len(b)
    x = input.reshape(*b, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return name_node(x.reshape(*b, c // (r * r), h * r, w * r), "PixelShuffleBackward0")


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H * r, W * r)`` -> ``(*, C * r^2, H, W)``, the inverse of pixel_shuffle."""
    r = _check_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    *b, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but input.size(-2)={h} and input.size(-1)={w} "
                           f"with downscale_factor={r}")
    n = len(b)
    x = input.reshape(*b, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return name_node(x.reshape(*b, c * r * r, h // r, w // r), "PixelUnshuffleBackward0")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``(N, C, *)``: channels ``[g0c0, g0c1, ..., g1c0, ...]`` interleaved across ``groups``."""
    g = _check_factor("channel_shuffle", "groups", groups)
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    n, c, *rest = input.shape
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """``x / (k + alpha * mean of x^2 over `size` neighbouring channels) ** beta``; input
    ``(N, C, *)`` (the window is zero-padded, ``size // 2`` channels before the centre)."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = input * input
    widths = [0, 0] * (input.dim() - 2) + [size // 2, (size - 1) // 2]
    padded = pad(sq, tuple(widths))
    div = padded[:, 0:c]
    for i in range(1, size):
        div = div + padded[:, i:i + c]
    div = (div * (alpha / size) + k) ** beta
    return input / div


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2 over the last dims) + eps) * weight``; ``eps`` defaults to the
    dtype's machine epsilon, as PyTorch's."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"rms_norm: expected input with shape [*, {', '.join(map(str, shape))}]"
                           f", but got input of size {list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    y = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def _lp_pool(pool: Any, nd: int, input: Tensor, norm_type: float, kernel_size: Any,
             stride: Any, ceil_mode: bool) -> Tensor:
    ks = (kernel_size,) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
    out = pool(input.pow(norm_type), ks, stride if stride is not None else ks, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(int(np.prod(ks))).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum over the window of x^p) ** (1/p)``, ``(N, C, L)``."""
    return _lp_pool(avg_pool1d, 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over ``(N, C, H, W)``."""
    return _lp_pool(avg_pool2d, 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over ``(N, C, D, H, W)``."""
    return _lp_pool(avg_pool3d, 3, input, norm_type, kernel_size, stride, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """``max_pool1d(..., return_indices=True)``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                      return_indices=True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """``max_pool2d(..., return_indices=True)``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                      return_indices=True)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> tuple:
    """``max_pool3d(..., return_indices=True)``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                      return_indices=True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> tuple:
    """``adaptive_max_pool1d(..., return_indices=True)``."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> tuple:
    """``adaptive_max_pool2d(..., return_indices=True)``."""
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> tuple:
    """``adaptive_max_pool3d(..., return_indices=True)``."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def _pair(v: Any, name: str, op: str) -> tuple:
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 2:
        raise RuntimeError(f"{op}: {name} must be an int or a pair of ints, got {v!r}")
    return tuple(int(i) for i in t)


def _patch_index(c: int, hp: int, wp: int, k: tuple, d: tuple, s: tuple) -> tuple:
    """Flat indices into a padded ``(C, hp, wp)`` plane, one row per (c, ki, kj) and one
    column per block position, in PyTorch's ``unfold`` order; and the block grid size."""
    oh = (hp - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (wp - d[1] * (k[1] - 1) - 1) // s[1] + 1
    ci, ki, kj = np.meshgrid(np.arange(c), np.arange(k[0]), np.arange(k[1]), indexing="ij")
    bi, bj = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
    rows = ki.reshape(-1, 1) * d[0] + bi.reshape(1, -1) * s[0]
    cols = kj.reshape(-1, 1) * d[1] + bj.reshape(1, -1) * s[1]
    return (ci.reshape(-1, 1) * hp + rows) * wp + cols, (oh, ow)


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """im2col: ``(N, C, H, W)`` -> ``(N, C * kh * kw, L)``, every sliding block as a column
    (``L`` blocks in row-major order); differentiable (its adjoint is :func:`fold`)."""
    op = "Input Error: unfold"
    k, d = _pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op)
    p, s = _pair(padding, "padding", op), _pair(stride, "stride", op)
    batched = input.dim() == 4
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{input.dim()}D)")
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    x = pad(x, (p[1], p[1], p[0], p[0]))
    idx, (oh, ow) = _patch_index(c, h + 2 * p[0], w + 2 * p[1], k, d, s)
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as ({oh}, {ow}), but its components must be at "
                           f"least one.")
    out = name_node(x.reshape(n, -1)[:, idx], "Im2ColBackward0")
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """col2im: ``(N, C * kh * kw, L)`` -> ``(N, C, H, W)``, summing overlapping values (the
    adjoint of :func:`unfold`)."""
    op = "Input Error: fold"
    o = _pair(output_size, "output_size", op)
    k, d = _pair(kernel_size, "kernel_size", op), _pair(dilation, "dilation", op)
    p, s = _pair(padding, "padding", op), _pair(stride, "stride", op)
    batched = input.dim() == 3
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                           f"are supported (got {input.dim()}D)")
    x = input if batched else input.unsqueeze(0)
    n, ckk, length = x.shape
    if ckk % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ckk} and "
                           f"kernel_size={k}")
    c = ckk // (k[0] * k[1])
    hp, wp = o[0] + 2 * p[0], o[1] + 2 * p[1]
    idx, (oh, ow) = _patch_index(c, hp, wp, k, d, s)
    if oh * ow != length:
        raise RuntimeError(f"Given output_size={o}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {oh} * {ow} = "
                           f"{oh * ow}, but got input.size(2)={length}.")
    flat = zeros(n, c * hp * wp, dtype=x.dtype)
    index = Tensor._wrap(np.broadcast_to(idx.reshape(1, -1), (n, idx.size)).copy())
    out = scatter_add(flat, 1, index, x.reshape(n, -1)).reshape(n, c, hp, wp)
    out = name_node(out[:, :, p[0]:p[0] + o[0], p[1]:p[1] + o[1]], "Col2ImBackward0")
    return out if batched else out.squeeze(0)


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample from the Gumbel-softmax (Concrete) distribution over ``dim``:
    ``softmax((logits + g) / tau)`` with ``g = -log(Exponential(1))`` noise from the global
    generator; ``hard`` returns the one-hot arg-max with the soft sample's gradient (the
    straight-through estimator)."""
    noise = -np.log(_gen().standard_exponential(tuple(logits.shape)))
    y_soft = ((logits + Tensor._wrap(noise.astype(logits._data.dtype))) / tau).softmax(dim)
    if not hard:
        return y_soft
    soft = y_soft._data
    y_hard = np.zeros_like(soft)
    np.put_along_axis(y_hard, np.expand_dims(np.argmax(soft, axis=dim), dim), 1.0, axis=dim)
    return Tensor._wrap(y_hard) - y_soft.detach() + y_soft
