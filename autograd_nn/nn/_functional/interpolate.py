"""Functional resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area; antialiased bilinear / bicubic) with PyTorch's exact source-index conventions
and float rounding.

Every mode except area is separable: the N-d resize is a 1-D resample along each spatial dim in
turn (last dim first, as PyTorch's CPU kernel nests them). One 1-D resample is one op,
``Resample1d``: a forward sum of K weighted gathers (nearest 1, linear 2, bicubic 4,
antialiased: the widest filter window) and, as its adjoint, a product with the constant
(out, in) interpolation matrix -- a differentiable MatMul, so gradients of every order follow.
Area mode is adaptive average pooling, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Union

import numpy as np

from ..._dtype import is_float_np
from ..._ops.indexing import MatMul
from ..._ops.shape import Transpose
from ...autograd.engine import Op, name_node
from ...tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

Size = Union[int, Sequence[int]]
Scale = Union[float, Sequence[float]]

_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}  # interpolating modes
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")


class Resample1d(Op):
    """``x`` resampled along ``axis`` by K taps: ``sum_k x.take(idx[k]) * w[k]`` (``idx``,
    ``w``: (K, out); ``w`` None for a plain gather); taps outside ``valid`` (K, out) pad short
    windows and are skipped, not multiplied by 0 (an inf there must not become NaN). Its
    gradient is ``g @ M`` with ``M`` the (out, in) matrix holding the same taps, built only when
    a backward runs."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, axis=-1, idx=None, w=None, valid=None):
        ctx.axis, ctx.idx, ctx.w = axis, idx, w
        ctx.n, ctx.dtype = x.shape[axis], x.dtype
        if w is None:
            return np.take(x, idx[0], axis=axis)
        shape = [1] * x.ndim
        shape[axis] = idx.shape[1]
        # w0 x0 + w1 x1 + ... in the input's dtype, in PyTorch's order
        out = np.take(x, idx[0], axis=axis) * w[0].reshape(shape)  # tap 0 is always valid
        for k in range(1, len(idx)):
            if valid is None or valid[k].all():
                out += np.take(x, idx[k], axis=axis) * w[k].reshape(shape)
                continue
            with np.errstate(invalid="ignore"):  # inf * 0 in the padding, discarded
                term = np.take(x, idx[k], axis=axis) * w[k].reshape(shape)
            out += np.where(valid[k].reshape(shape), term, 0)
        return out

    @staticmethod
    def backward(ctx, g):
        m = _tap_matrix(ctx.idx, ctx.w, ctx.n, ctx.dtype)
        ax = ctx.axis
        last = ax in (-1, len(g.shape) - 1)
        gt = g if last else Transpose.call(g, dim0=ax, dim1=-1)
        out = MatMul.call(gt, m)
        return out if last else Transpose.call(out, dim0=ax, dim1=-1)


def _tap_matrix(idx: np.ndarray, w: np.ndarray | None, n: int, dt: np.dtype) -> np.ndarray:
    """The (out, n) matrix of K taps (repeated indices add up); dtype ``dt`` (``g`` may be a
    Tensor under create_graph, so the input's dtype is passed in)."""
    rows = np.arange(idx.shape[1])
    m = np.zeros((idx.shape[1], n), dtype=dt)
    if w is None:
        m[rows, idx[0]] = 1
    else:
        for k in range(len(idx)):
            np.add.at(m, (rows, idx[k]), w[k].astype(dt))
    return m


def _nearest_taps(n: int, o: int, scale: float | None, exact: bool) -> np.ndarray:
    """PyTorch's nearest source indices (its scale arithmetic is float32 for every dtype)."""
    dst = np.arange(o)
    if o == n:
        return dst
    if o == 2 * n and not exact:
        return dst >> 1
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n) / np.float32(o)
    src = (dst.astype(np.float32) + np.float32(0.5 if exact else 0.0)) * s
    return np.minimum(np.floor(src).astype(np.int64), n - 1)


def _scale(n: int, o: int, scale: float | None, align_corners: bool, dt: np.dtype) -> Any:
    """``area_pixel_compute_scale`` in the input's float type (PyTorch's opmath)."""
    f = dt.type
    if align_corners:
        return f(n - 1) / f(o - 1) if o > 1 else f(0)
    return f(1.0 / scale) if scale is not None and scale > 0 else f(n) / f(o)


def _source_index(n: int, o: int, scale: float | None, align_corners: bool, dt: np.dtype,
                  cubic: bool) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's ``area_pixel_compute_source_index`` + ``guard_index_and_lambda`` in the
    input's float type: (floor index, fraction in [0, 1]). Its build fuses
    ``scale * (d + .5) - .5`` into one FMA (a single rounding), reproduced by evaluating it in
    extended precision and rounding once; linear modes clamp negative sources to 0."""
    dst = np.arange(o)
    s = _scale(n, o, scale, align_corners, dt)
    if align_corners:
        src = s * dst.astype(dt)
    else:
        src = (np.longdouble(s) * (dst + np.longdouble(0.5)) - np.longdouble(0.5)).astype(dt)
        if not cubic:
            src = np.maximum(src, dt.type(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    return i0, np.clip(src - i0.astype(dt), 0, 1).astype(dt)


def _linear_taps(n: int, o: int, scale: float | None, align_corners: bool,
                 dt: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's two-tap linear (indices, weights), each (2, o)."""
    i0, w1 = _source_index(n, o, scale, align_corners, dt, cubic=False)
    return np.stack([i0, i0 + (i0 < n - 1)]), np.stack([(dt.type(1) - w1).astype(dt), w1])


def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel of |x| (PyTorch's cubic_convolution1 / 2) in x's dtype."""
    f = x.dtype.type
    a = f(a)
    x = np.abs(x)
    near = ((a + f(2)) * x - (a + f(3))) * x * x + f(1)
    far = ((a * x - f(5) * a) * x + f(8) * a) * x - f(4) * a
    return np.where(x < 1, near, np.where(x < 2, far, f(0))).astype(x.dtype)


def _cubic_taps(n: int, o: int, scale: float | None, align_corners: bool,
                dt: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Bicubic (indices, weights), each (4, o) (A = -0.75, as PyTorch): taps floor(src) - 1 ..
    + 2, clamped to the border (where repeated taps add up)."""
    i0, t = _source_index(n, o, scale, align_corners, dt, cubic=True)
    f = dt.type
    idx = np.stack([np.clip(i0 - 1 + k, 0, n - 1) for k in range(4)])
    return idx, np.stack([_cubic(d.astype(dt), -0.75) for d in (t + f(1), t, f(1) - t,
                                                                  f(2) - t)])


def _antialias_taps(n: int, o: int, scale: float | None, align_corners: bool,
                    dt: np.dtype, cubic: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indices, weights, valid), each (K, o) with K the widest window (shorter windows padded,
    weight 0, not valid), of PyTorch's antialiased bilinear / bicubic resize: shrinking by
    ``s`` stretches the triangle (cubic: Keys a = -0.5, PIL's) filter ``s`` times (support
    ``s``, cubic ``2 s``), each output's weights normalised to sum 1 (``_compute_weights_aa``:
    window [trunc(c - support + .5), trunc(c + support + .5)), c the output centre). Rounded
    where PyTorch rounds: its centre and taps are in the input's float type, ``+ 0.5`` in
    double."""
    f, d = dt.type, np.float64
    s = _scale(n, o, scale, align_corners, dt)
    big = s >= 1.0
    half = 2.0 if cubic else 1.0
    support = f(half * d(s)) if big else f(half)
    inv = f(1.0 / d(s)) if big else f(1)
    centre = (d(s) * (np.arange(o) + 0.5)).astype(dt)
    xmin = np.maximum(np.trunc((centre - support).astype(d) + 0.5), 0)
    xmax = np.minimum(np.trunc((centre + support).astype(d) + 0.5), n)
    xmin, xmax = xmin.astype(np.int64), xmax.astype(np.int64)
    j = xmin[None, :] + np.arange(max(int((xmax - xmin).max()), 1))[:, None]  # (K, o)
    inside = j < xmax[None, :]
    j = np.minimum(j, np.maximum(xmax - 1, 0)[None, :])  # pad short windows (weight 0)
    arg = np.abs((((j.astype(dt) - centre[None, :]).astype(d) + 0.5) * d(inv)).astype(dt))
    w = _cubic(arg, -0.5) if cubic else np.where(arg < 1, (1.0 - arg.astype(d)).astype(dt), f(0))
    w = np.where(inside, w, f(0)).astype(dt)
    tot = w.sum(axis=0, dtype=dt)
    return j, (w / np.where(tot == 0, f(1), tot)).astype(dt), inside


def _output_sizes(op: str, x: Tensor, nd: int, size: Size | None, scale_factor: Scale | None,
                  recompute_scale_factor: bool | None) -> tuple[tuple, tuple]:
    """(output sizes, per-dim scale factors handed to the kernel, None where in/out is used)."""
    spatial = tuple(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError(f"{op}: only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{op}: recompute_scale_factor is not meaningful with an explicit "
                             f"size.")
        sz = [size] * nd if isinstance(size, (int, np.integer)) else list(size)
        if len(sz) != nd:
            raise ValueError(
                f"{op}: Input and output must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(spatial)} and output size of "
                f"{list(sz)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                f"output size in (o1, o2, ...,oK) format.")
        out = tuple(int(s) for s in sz)
        scales: tuple = (None,) * nd
    elif scale_factor is not None:
        sf = [scale_factor] * nd if isinstance(scale_factor, (int, float, np.number)) else \
            list(scale_factor)
        if len(sf) != nd:
            raise ValueError(
                f"{op}: Input and scale_factor must have the same number of spatial dimensions,"
                f" but got input with spatial dimensions of {list(spatial)} and scale_factor of "
                f"shape {list(sf)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                f"and scale_factor in (s1, s2, ...,sK) format.")
        out = tuple(math.floor(float(n) * float(s)) for n, s in zip(spatial, sf))
        scales = (None,) * nd if recompute_scale_factor else tuple(float(s) for s in sf)
    else:
        raise ValueError(f"{op}: either size or scale_factor should be defined")
    if min(out, default=1) < 1 or min(spatial, default=1) < 1:
        raise ValueError(f"{op}: Input and output sizes should be greater than 0, but got input "
                         f"{list(spatial)} and output {list(out)}")
    return out, scales


def interpolate(input: Tensor, size: Size | None = None, scale_factor: Scale | None = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize ``input`` (N, C, d1, ..., dK), K = 1, 2 or 3, to (N, C, o1, ..., oK).

    Args:
        size: output spatial size (an int for every dim, or one per dim).
        scale_factor: multiplier(s) instead of ``size``: ``o = floor(d * scale_factor)``; unless
            ``recompute_scale_factor``, the source coordinates use ``1 / scale_factor`` (not
            ``d / o``), exactly as PyTorch.
        mode: ``'nearest'`` (``floor(dst * scale)``, PyTorch's legacy rule), ``'nearest-exact'``
            (pixel centres), ``'linear'`` (3-D), ``'bilinear'`` / ``'bicubic'`` (4-D; cubic
            convolution A = -0.75, may overshoot the input's range), ``'trilinear'`` (5-D),
            ``'area'`` (adaptive average pooling, 3-D or 4-D).
        align_corners: interpolating modes only; True maps corner pixel centres onto each other
            (``src = dst (d - 1) / (o - 1)``), False (default) pixel areas
            (``src = (dst + 0.5) scale - 0.5``, clamped at 0 except for bicubic).
        antialias: bilinear / bicubic only: shrinking averages over a filter stretched by the
            shrink factor (as PyTorch and PIL), instead of reading 2 (4) pixels.

    Differentiable in ``input`` (to every order) for the float modes.
    """
    op = "interpolate"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise NotImplementedError(f"{op}: mode {mode!r} is not supported; expected one of "
                                  f"{', '.join(_MODES)}")
    nd = input.ndim - 2
    if nd not in (1, 2, 3):
        raise NotImplementedError(f"{op}: Input Error: Only 3D, 4D and 5D input Tensors "
                                  f"supported (got {input.ndim}D) for the modes: nearest | "
                                  f"linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    linear = mode in _LINEAR_DIMS
    if align_corners is not None and not linear:
        raise ValueError(f"{op}: align_corners option can only be set with the interpolating "
                         f"modes: linear | bilinear | bicubic | trilinear (got mode {mode!r})")
    if linear and _LINEAR_DIMS[mode] != nd:
        raise NotImplementedError(f"{op}: Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_DIMS[mode] + 2}D input")
    if antialias and not (mode in ("bilinear", "bicubic") and nd == 2):
        raise ValueError(f"{op}: Anti-alias option is restricted to bilinear and bicubic modes "
                         f"and requires a 4-D tensor as input (got mode {mode!r}, input of size "
                         f"{list(input.shape)})")
    out, scales = _output_sizes(op, input, nd, size, scale_factor, recompute_scale_factor)
    dt = input._data.dtype
    if mode == "area":
        if nd == 3:
            raise NotImplementedError(f"{op}: area mode supports 3-D and 4-D input, got "
                                      f"{list(input.shape)}")
        return (adaptive_avg_pool1d if nd == 1 else adaptive_avg_pool2d)(input, out)
    if linear and not is_float_np(dt):
        raise RuntimeError(f"{op}: {mode} mode needs a floating-point input, got {dt} of shape "
                           f"{list(input.shape)}")
    y = input
    for ax in range(input.ndim - 1, 1, -1):  # last spatial dim first
        n, o, s = input.shape[ax], out[ax - 2], scales[ax - 2]
        if n == o:  # an identity along this dim (align_corners or not)
            continue
        ac = bool(align_corners)
        valid = None
        if antialias:
            idx, w, valid = _antialias_taps(n, o, s, ac, dt, cubic=mode == "bicubic")
        elif mode == "bicubic":
            idx, w = _cubic_taps(n, o, s, ac, dt)
        elif linear:
            idx, w = _linear_taps(n, o, s, ac, dt)
        else:
            idx, w = _nearest_taps(n, o, s, mode == "nearest-exact")[None], None
        y = Resample1d.apply(y, axis=ax, idx=idx, w=w, valid=valid)
    if y is input:  # nothing to resample: still a new tensor, as PyTorch
        y = Resample1d.apply(input, axis=input.ndim - 1, idx=np.arange(input.shape[-1])[None])
    # PyTorch's one kernel per mode and rank: UpsampleNearest2D, UpsampleBilinear2DAa...
    kernel = "NearestExact" if mode == "nearest-exact" else mode.capitalize()
    return name_node(y, f"Upsample{kernel}{nd}D{'Aa' if antialias else ''}Backward0")


def upsample(input: Tensor, size: Size | None = None, scale_factor: Scale | None = None,
             mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate` (kept as PyTorch keeps it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Size | None = None,
                     scale_factor: Scale | None = None) -> Tensor:
    """``interpolate(..., mode='nearest')`` (deprecated in PyTorch)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Size | None = None,
                      scale_factor: Scale | None = None) -> Tensor:
    """``interpolate(..., mode='bilinear', align_corners=True)`` (deprecated in PyTorch)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
