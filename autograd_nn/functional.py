"""``torch.functional``: the tensor functions PyTorch defines in Python (``einsum``, ``split``,
``meshgrid``, ``tensordot``, ``block_diag``, ...), differentiable, built from the Tensor ops.
Names PyTorch also lists here but this module does not define (``cdist``, ``unique``, ...) are
looked up on ``autograd_nn`` itself."""

from __future__ import annotations

import functools
import operator
import sys
from typing import Any, Sequence

import numpy as np

from ._creation import zeros
from ._dtype import from_numpy_dtype, np_result_type
from ._linalg_top import lu  # noqa: F401 - torch.functional.lu
from ._ops.extra import einsum
from ._ops.shape import broadcast_shapes, broadcast_tensors, cat, pad, split, stack
from ._search import cdist, unique, unique_consecutive  # noqa: F401 - as torch.functional
from .tensor import Tensor

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
           "broadcast_tensors", "cartesian_prod", "chain_matmul", "einsum", "meshgrid", "norm",
           "split", "tensordot", "unravel_index"]


def _flat_args(tensors: tuple) -> tuple:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(tensors[0])
    return tensors


def _atleast(tensors: tuple, ndim: int) -> Any:
    def one(t: Tensor) -> Tensor:
        if not isinstance(t, Tensor):
            raise TypeError(f"atleast_{ndim}d: expected Tensors, got {type(t).__name__}")
        if t.dim() >= ndim:
            return t
        if ndim == 3 and t.dim() == 2:  # (M, N) -> (M, N, 1), as NumPy and PyTorch
            return t.unsqueeze(-1)
        shape = {0: (1,) * ndim, 1: (1,) * (ndim - 1) + tuple(t.shape)}[t.dim()]
        return t.reshape(shape)

    args = _flat_args(tensors)
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    return tuple(one(t) for t in args)


def atleast_1d(*tensors: Tensor) -> Any:
    """Each input viewed with at least 1 dimension (a 0-d tensor becomes ``(1,)``)."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Tensor) -> Any:
    """Each input viewed with at least 2 dimensions (``(N,)`` becomes ``(1, N)``)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Tensor) -> Any:
    """Each input with at least 3 dimensions (``(N,)`` -> ``(1, N, 1)``, ``(M, N)`` ->
    ``(M, N, 1)``)."""
    args = _flat_args(tensors)

    def one(t: Tensor) -> Tensor:
        if t.dim() == 1:
            return t.reshape(1, t.shape[0], 1)
        return _atleast((t,), 3)

    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    return tuple(one(t) for t in args)


def meshgrid(*tensors: Tensor, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors ``(N1,), ..., (Nk,)``: k tensors of shape
    ``(N1, ..., Nk)`` (``indexing="xy"`` swaps the first two dimensions, as NumPy)."""
    args = _flat_args(tensors)
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for i, t in enumerate(args):
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: tensor {i} with {t.dim()} dimensions")
    flat = [t.reshape(-1) for t in args]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    k = len(flat)
    grids = [t.reshape((1,) * i + (-1,) + (1,) * (k - i - 1)).expand(*shape)
             for i, t in enumerate(flat)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of the elements of 1-D tensors: ``(N1 * ... * Nk, k)`` (``(N1,)`` for
    one tensor), in row-major order."""
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], dim=1)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix from 0-, 1- or 2-D tensors (a ``(n,)`` block is ``(1, n)``),
    promoted to their common dtype; differentiable in every block."""
    blocks = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.dim()} dimensions")
        blocks.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not blocks:
        return zeros(0, 0)
    widths = [b.shape[1] for b in blocks]
    total = sum(widths)
    dt = from_numpy_dtype(np_result_type([(b._data.dtype, False) for b in blocks]))
    rows, left = [], 0
    for b, w in zip(blocks, widths):
        rows.append(pad(b.to(dt), (left, total - left - w)))
        left += w
    return cat(rows, dim=0)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """``matrices[0] @ matrices[1] @ ...`` (deprecated in PyTorch in favour of
    ``linalg.multi_dot``)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone()
    return functools.reduce(operator.matmul, matrices)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Tensor | None = None) -> Tensor:
    """Contract ``a``'s last ``dims`` dimensions with ``b``'s first ``dims`` (an int), or the
    dimension lists ``dims = (dims_a, dims_b)``; the result has ``a``'s free dimensions then
    ``b``'s."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length, got {da} and {db}")
    da = [d % a.dim() for d in da]
    db = [d % b.dim() for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    la = [next(letters) for _ in range(a.dim())]
    lb = [next(letters) for _ in range(b.dim())]
    for x, y in zip(da, db):
        lb[y] = la[x]
    free = [c for i, c in enumerate(la) if i not in da] + \
        [c for i, c in enumerate(lb) if i not in db]
    res = einsum(f"{''.join(la)},{''.join(lb)}->{''.join(free)}", a, b)
    if out is not None:
        out.copy_(res) if out.shape == res.shape else _resize_out(out, res)
        return out
    return res


def _resize_out(out: Tensor, res: Tensor) -> None:
    raise RuntimeError(f"tensordot: out has shape {list(out.shape)}, expected "
                       f"{list(res.shape)}")


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         out: Tensor | None = None, dtype: Any = None) -> Tensor:
    """``torch.norm``: the Tensor's ``norm`` (``p`` a number, ``"fro"`` or ``"nuc"``)."""
    if p == "fro":
        p = 2
    x = input if dtype is None else input.to(dtype)
    return x.norm(p=p, dim=dim, keepdim=keepdim)


def unravel_index(indices: Any, shape: Sequence[int] | int) -> tuple:
    """Flat indices into ``shape`` as a tuple of int64 coordinate tensors (NumPy's
    ``unravel_index``, with PyTorch's negative-index wrap)."""
    if not isinstance(indices, Tensor):  # as PyTorch's: no Python ints or lists
        raise TypeError(f"unravel_index(): argument 'indices' must be Tensor, not "
                        f"{type(indices).__name__}")
    if isinstance(shape, int):
        shape = (shape,)
    idx = indices._data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected 'indices' to be integer dtype, but got "
                        f"{idx.dtype}")
    size = int(np.prod(shape))
    if np.any(idx >= size) or np.any(idx < -size):
        raise RuntimeError(f"unravel_index: 'indices' must be in range [-{size}, {size - 1}]")
    coords = np.unravel_index(np.where(idx < 0, idx + size, idx), tuple(shape))
    return tuple(Tensor._wrap(np.asarray(c, dtype=np.int64)) for c in coords)


def __getattr__(name: str) -> Any:
    # torch.functional names that other modules may define (stft, pca_lowrank, ...): looked up
    # on the package, which imports this module (so it is not imported here)
    pkg = vars(sys.modules[__package__])
    if name in ("stft", "istft", "pca_lowrank", "svd_lowrank") and name in pkg:
        return pkg[name]
    raise AttributeError(f"module 'autograd_nn.functional' has no attribute {name!r}")
