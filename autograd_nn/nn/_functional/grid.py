"""Spatial transformers: ``affine_grid`` (sampling grids from affine matrices) and
``grid_sample`` (reading an input at those grid points).

Both are compositions of differentiable ops: the grid is a matrix product with a constant base
grid; sampling unnormalises the grid coordinates with Tensor arithmetic (padding modes
included: border clamps, reflection folds), then gathers the input at the 2^d corner cells (4x4
taps for bicubic) and weights them by the (grid-dependent) interpolation weights. So
gradients flow to the input and to the grid, of any order, from the pieces.
"""

from __future__ import annotations

import math
import warnings
from typing import Sequence

import numpy as np

from ..._ops.elementwise import Where
from ..._ops.indexing import gather
from ...tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


def _base_coords(n: int, align_corners: bool, dt: np.dtype) -> np.ndarray:
    """The n normalised positions of one spatial dim: centres of n cells on [-1, 1] (corner
    pixels' centres at +-1 with ``align_corners``); one position is 0."""
    if n <= 1:
        return np.zeros(max(n, 0), dtype=dt)
    lin = np.linspace(-1.0, 1.0, n)
    return (lin if align_corners else lin * (n - 1) / n).astype(dt)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """Sampling grid of an affine map per sample: ``theta`` (N, 2, 3) with ``size`` (N, C, H, W)
    gives (N, H, W, 2); (N, 3, 4) with (N, C, D, H, W) gives (N, D, H, W, 3). Each point is
    theta @ (x, y[, z], 1) over the normalised output positions (x along W)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not isinstance(theta, Tensor) or not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"{getattr(theta, 'dtype', type(theta).__name__)}")
    size = [int(s) for s in size]
    if len(size) == 4:
        nd = 2
    elif len(size) == 5:
        nd = 3
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (nd, nd + 1) or theta.shape[0] != size[0]:
        raise ValueError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} for "
                         f"size {size}. Got {list(theta.shape)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype
    spatial = tuple(size[2:])  # (H, W) or (D, H, W)
    axes = [_base_coords(n, align_corners, dt) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")  # per spatial dim, in (D, H, W) order
    base = np.stack(list(mesh)[::-1] + [np.ones(spatial, dt)], axis=-1)  # (x, y[, z], 1) last
    pts = math.prod(spatial)
    grid = base.reshape(1, pts, nd + 1) @ theta.transpose(1, 2)  # (N, pts, nd)
    return grid.reshape(size[0], *spatial, nd)


def _unnormalize(coord: Tensor, n: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((n - 1) / 2)
    return ((coord + 1) * n - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Fold ``coord`` into [twice_low / 2, twice_high / 2] by reflections at the ends."""
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    c = (coord - low).abs()
    flips = np.floor(c._data / span)  # whole spans: constant, the fold is piecewise linear
    extra = c - flips * span
    return Where.apply(flips % 2 == 0, extra + low, span - extra + low)


def _source_coord(coord: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    return _pad_coord(_unnormalize(coord, n, align_corners), n, padding_mode, align_corners)


def _cubic_weights(t: Tensor) -> list:
    """The 4 cubic-convolution weights (A = -0.75, as PyTorch) of taps -1, 0, 1, 2 at
    fractional offset t."""
    a = -0.75

    def near(x: Tensor) -> Tensor:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Tensor) -> Tensor:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _pad_coord(c: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    if padding_mode == "border":
        c = c.clamp(0, n - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (n - 1)) if align_corners else _reflect(c, -1, 2 * n - 1)
        c = c.clamp(0, n - 1)
    return c


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",  # noqa: A002
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` (N, C, H, W) at ``grid`` (N, H_out, W_out, 2) -> (N, C, H_out, W_out);
    or (N, C, D, H, W) at (N, D_out, H_out, W_out, 3) (trilinear for 'bilinear').

    grid[..., 0] is x (along W), [..., 1] y (H), [..., 2] z (D), normalised to [-1, 1]
    (pixel corners, or centres of the corner pixels with ``align_corners``). ``mode``:
    'bilinear', 'nearest' (round half to even) or 'bicubic' (4-D only; cubic convolution,
    A = -0.75, each tap padded on its own); ``padding_mode``: 'zeros' (points outside
    read 0), 'border' (clamped) or 'reflection' (folded back)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    nd = input.ndim - 2
    if nd not in (2, 3) or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and grid "
                           f"with sizes {list(grid.shape)}")
    N = input.shape[0]
    if grid.shape[0] != N or grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid of shape (N={N}, *, {nd}) for input "
                           f"{list(input.shape)}, but got grid with sizes {list(grid.shape)}")
    if input._data.dtype != grid._data.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    spatial = tuple(input.shape[2:])  # (H, W) or (D, H, W)
    out_sp = tuple(grid.shape[1:-1])
    C = input.shape[1]
    # source coordinate along each input dim (D, H, W order): grid's last entries reversed
    src = [_source_coord(grid[..., nd - 1 - k], n, padding_mode, align_corners)
           for k, n in enumerate(spatial)]
    flat_in = input.reshape(N, C, -1)
    strides = np.cumprod((1,) + spatial[::-1])[::-1][1:]
    m = math.prod(out_sp)

    def read(cells: list) -> tuple:
        """input at integer cells (one array per dim), 0 outside: (N, C, *out_sp)."""
        valid = np.ones(cells[0].shape, dtype=bool)
        flat = np.zeros(cells[0].shape, dtype=np.int64)
        for c, n, st in zip(cells, spatial, strides):
            valid &= (c >= 0) & (c < n)
            flat += np.clip(c, 0, n - 1).astype(np.int64) * int(st)
        idx = np.ascontiguousarray(np.broadcast_to(flat.reshape(N, 1, m), (N, C, m)))
        vals = gather(flat_in, 2, Tensor._wrap(idx)).reshape(N, C, *out_sp)
        return vals, valid

    if mode == "bicubic":
        # 4x4 taps around floor(coordinate), each tap's position padded on its own (PyTorch's
        # get_value_bounded); the weights carry the gradient to the grid
        raw = [_unnormalize(grid[..., 1], spatial[0], align_corners),
               _unnormalize(grid[..., 0], spatial[1], align_corners)]
        lows = [np.floor(r._data) for r in raw]
        weights = [_cubic_weights(r - lo) for r, lo in zip(raw, lows)]
        out = None
        for i in range(4):
            for j in range(4):
                cells = []
                for lo, n, k in zip(lows, spatial, (i, j)):
                    c = _pad_coord(Tensor._wrap(lo + (k - 1)), n, padding_mode, align_corners)
                    cells.append(c._data)
                vals, valid = read(cells)
                w = weights[0][i] * weights[1][j] * valid.astype(input._data.dtype)
                term = vals * w.unsqueeze(1)
                out = term if out is None else out + term
        return out
    if mode == "nearest":
        cells = [np.round(s._data) for s in src]  # half to even, as nearbyint
        vals, valid = read(cells)
        return vals * valid[:, None].astype(input._data.dtype)
    lows = [np.floor(s._data) for s in src]
    fracs = [s - lo for s, lo in zip(src, lows)]  # weight of the upper cell, per dim
    out = None
    for corner in np.ndindex(*(2,) * nd):
        cells = [lo + b for lo, b in zip(lows, corner)]
        vals, valid = read(cells)
        w = None
        for f, b in zip(fracs, corner):
            wk = f if b else 1 - f
            w = wk if w is None else w * wk
        w = w * valid.astype(input._data.dtype)
        term = vals * w.unsqueeze(1)
        out = term if out is None else out + term
    return out
