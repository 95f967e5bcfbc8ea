"""Indexing ops: getitem and its adjoint, gather/scatter-add, index assignment, matmul."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _dtype
from .._errors import IndexOutOfRangeError
from ..autograd import engine, inplace
from ..autograd.engine import Op
from . import xp
from .common import as_tensor_like, broadcast_error, to_tensor, values_indices, wrap
from .shape import (  # noqa: F401 - GetItem, IndexAddInto: indexing's too
    GetItem,
    IndexAddInto,
    SumTo,
    Transpose,
    ViewGetItem,
    is_basic_index,
    norm_dim,
)


class IndexPut(Op):
    """x with ``x[idx] = v`` (out of place; ``__setitem__`` writes the result back in place)."""

    @classmethod
    def node_name(cls, node: Any) -> str:
        # PyTorch writes a basic index through a view of x (a CopySlices node), an advanced
        # one with index_put_
        return "torch::autograd::CopySlices" if is_basic_index(node.idx) else \
            "IndexPutBackward0"

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, v, idx=None):
        ctx.idx = idx
        out = x.copy()
        out[idx] = v
        return out

    @staticmethod
    def backward(ctx, g):
        idx = ctx.idx
        need_x, need_v = ctx.needs_input_grad
        gx = gv = None
        if need_x:
            keep = np.ones(ctx.inputs[0].shape, dtype=bool)
            keep[idx] = False
            gx = g * xp.mask_like(keep, g)
        if need_v:
            gv = GetItem.call(g, idx=idx)
        return gx, gv


def getitem(x: Any, idx: Any) -> Any:
    """``x[idx]`` with PyTorch's indexing: a view for ints, slices, None and Ellipsis; a copy
    (repeated indices accumulating in the gradient) for index arrays and masks."""
    idx = norm_index(idx, x, probe=False)
    if is_basic_index(idx):
        return ViewGetItem.apply(x, idx=idx)
    split = ints_first(idx)
    if split is not None:
        return getitem(getitem(x, split[0]), split[1])
    try:  # index arrays are checked by the indexing itself (nothing is written)
        return GetItem.apply(x, idx=idx)
    except IndexError as e:
        raise index_error(idx, x, e) from None


def setitem(x: Any, idx: Any, value: Any) -> None:
    """``x[idx] = value`` in place (recorded as an IndexPut when it must be; ints select a view
    first, as PyTorch)."""
    idx = norm_index(idx, x)
    split = ints_first(idx)
    if split is not None:  # write through the view the ints select
        setitem(getitem(x, split[0]), split[1], value)
        return
    vt = value if isinstance(value, engine.Tensor) else None
    if inplace.records(x, vt):
        inplace.apply(x, IndexPut, value if vt is not None else
                      np.asarray(value, dtype=x._data.dtype), idx=idx)
        return
    inplace.check_writable(x, "__setitem__")
    val = vt._data if vt is not None else value
    if vt is not None and vt._data.dtype.kind == "f" and x._data.dtype.kind in "biu":
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{x.dtype} for the destination and {vt.dtype} for the source.")
    try:
        x._data[idx] = val
    except (ValueError, IndexError) as e:
        raise type(e)(f"__setitem__: cannot assign a value of shape "
                      f"{list(np.shape(val))} into tensor of shape {list(x.shape)} at "
                      f"index {idx!r}: {e}") from None
    inplace.bump_version(x)


_ONE_BYTE = np.zeros(1, np.bool_)


def _shape_probe(shape: tuple) -> np.ndarray:
    """An array of ``shape`` backed by one byte (all strides 0): indexing it validates an index
    against the shape at the cost of the result's size, not the tensor's."""
    return np.ndarray(shape, np.bool_, _ONE_BYTE, 0, (0,) * len(shape))


def norm_index(idx: Any, x: Any, probe: bool = True) -> tuple:
    """Normalise an index: tuple form, Tensors and lists as NumPy arrays, with clear errors."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, engine.Tensor):
            i = i._data
            if i.dtype.kind == "f":
                raise IndexError(f"tensors used as indices must be long, int, byte or bool "
                                 f"tensors, got {_dtype.from_numpy_dtype(i.dtype)}")
            if i.ndim == 0 and i.dtype.kind in "iu":
                i = int(i)
        elif isinstance(i, list):
            i = np.asarray(i)
            if i.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool")
        elif isinstance(i, (float, np.floating)):
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(i).__name__})")
        elif isinstance(i, bool):
            i = np.asarray(i)
        out.append(i)
    idx = tuple(out)
    if not is_basic_index(idx) and builtins.any(i is Ellipsis for i in idx):
        # an Ellipsis that spans no dim must not separate index arrays (PyTorch: adjacent)
        used = builtins.sum(i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else
                            i is not None and i is not Ellipsis for i in idx)
        if used == x.ndim:
            idx = tuple(i for i in idx if i is not Ellipsis)
    try:  # validate here so a bad index names the tensor, not a NumPy internal
        if is_basic_index(idx):
            _check_basic(idx, x._data.shape)
        elif probe:
            _shape_probe(x._data.shape)[idx]
    except IndexError as e:
        raise index_error(idx, x, e) from None
    return idx


def index_error(idx: tuple, x: Any, e: Exception) -> IndexError:
    """An IndexError naming the index and the tensor's shape."""
    return IndexError(f"index {_idx_repr(idx)} is invalid for a tensor of shape "
                      f"{list(x.shape)}: {e}")


def ints_first(idx: tuple) -> tuple | None:
    """PyTorch applies the integers of an index as selects before any index array, so the
    arrays left are what decides where the indexed dims go (NumPy instead counts an int as one
    more index array: ``x[0, :, [0, 1]]`` is (4, 2) in PyTorch, (2, 4) in NumPy for x of
    shape (3, 4, 5)). For an index mixing ints and arrays: (basic part, rest); else None."""
    if is_basic_index(idx) or not builtins.any(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in idx):
        return None
    basic, rest = [], []
    for i in idx:
        if isinstance(i, np.ndarray):  # an index array: kept for the second step
            basic += [slice(None)] * (i.ndim if i.dtype == np.bool_ else 1)
            rest.append(i)
        elif i is Ellipsis:
            basic.append(i)
            rest.append(i)
        else:  # int (dim dropped now), slice (applied now), None (its new dim)
            basic.append(i)
            if not isinstance(i, (int, np.integer)):
                rest.append(slice(None))
    return tuple(basic), tuple(rest)


def _check_basic(idx: tuple, shape: tuple) -> None:
    dim = 0
    n_real = builtins.sum(1 for i in idx if i is not None and i is not Ellipsis)
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - n_real
        elif i is None:
            continue
        else:
            if isinstance(i, (int, np.integer)) and not -shape[dim] <= i < shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size "
                                 f"{shape[dim]}")
            dim += 1


def _idx_repr(idx: tuple) -> str:
    def one(i: Any) -> str:
        if isinstance(i, np.ndarray):
            return f"array(shape={list(i.shape)}, dtype={i.dtype})"
        return repr(i)

    return "(" + ", ".join(one(i) for i in idx) + ")"


class Gather(Op):
    """out[i][j][k] = x[i][index[i][j][k]][k] along ``dim`` (``index`` is a constant array)."""
    grad_fn_name = "GatherBackward0"

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.dim = dim
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        x, index = ctx.inputs[0], ctx.inputs[1]
        return ScatterAdd.call(g, index, shape=x.shape, dim=ctx.dim), None


def _index_array(index: Any, op: str) -> np.ndarray:
    arr = xp.data(index)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got "
                           f"{_dtype.from_numpy_dtype(arr.dtype)}")
    return arr


def _check_index_bounds(idx: np.ndarray, size: int, dim: int, op: str) -> None:
    """Indices must lie in [0, size): negative ones raise too, as in PyTorch's gather/scatter."""
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= size:
            bad = int(lo) if lo < 0 else int(hi)
            raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {dim} with "
                               f"size {size}")


def gather(input: Any, dim: int, index: Any) -> Any:
    """out[..., i, ...] = input[..., index[..., i, ...], ...] along ``dim``."""
    x = input
    idx = _index_array(index, "gather")
    d = norm_dim(dim, x.ndim, "gather")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"gather(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index {idx.ndim}-D, input {x.ndim}-D)")
    for i, (a, b) in enumerate(zip(idx.shape, x.shape)):
        if i != d and a > b:
            raise RuntimeError(f"gather(): Size does not match at dimension {i} expected index "
                               f"{list(idx.shape)} to be smaller than self {list(x.shape)} apart "
                               f"from dimension {d}")
    _check_index_bounds(idx, x.shape[d], d, "gather")
    if idx.shape[:d] + idx.shape[d + 1:] != x.shape[:d] + x.shape[d + 1:]:
        sl = tuple(slice(0, s) if i != d else slice(None) for i, s in enumerate(idx.shape))
        x = x[sl]
    return Gather.apply(x, idx, dim=d)


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:
    """Values of ``input`` at ``indices`` along ``dim``: gather after broadcasting ``input`` and
    ``indices`` against each other in every dim but ``dim`` (same ndim required); with
    ``dim=None`` both are flattened and the result is 1-D. Differentiable in ``input``."""
    op = "torch.take_along_dim()"
    input = to_tensor(input)
    idx = xp.data(indices)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}: dtype of indices should be Long but got "
                           f"{_dtype.from_numpy_dtype(idx.dtype)}")
    if dim is None:
        x, idx, d = input.reshape(-1), idx.reshape(-1), 0
    else:
        if input.ndim != idx.ndim:
            raise RuntimeError(f"{op}: input and indices should have the same number of "
                               f"dimensions, but got {input.ndim} dimensions for input, and "
                               f"{idx.ndim} dimensions for indices")
        d = norm_dim(dim, input.ndim, "take_along_dim")
        xs, js = list(input.shape), list(idx.shape)
        xs[d], js[d] = 1, 1
        try:
            common = np.broadcast_shapes(tuple(xs), tuple(js))
        except ValueError:
            raise RuntimeError(f"{op}: shapes of input {list(input.shape)} and indices "
                               f"{list(idx.shape)} do not broadcast outside dim {d}") from None
        x = input.expand(*common[:d], input.shape[d], *common[d + 1:])
        idx = np.broadcast_to(idx, common[:d] + (idx.shape[d],) + common[d + 1:])
    n = x.shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dimension {d} with size {n}")
    return Gather.apply(x, idx, dim=d)


def index_select(input: Any, dim: int, index: Any) -> Any:
    """The entries at ``index`` (a vector) along ``dim``."""
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got "
                         f"{idx.ndim}-D")
    d = norm_dim(dim, input.ndim, "index_select")
    if idx.size and (idx.min() < 0 or idx.max() >= input.shape[d]):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexOutOfRangeError(f"index_select(): index {bad} out of range for dimension "
                                   f"{d} of size {input.shape[d]} (index out of range in self)")
    return engine.name_node(input[(slice(None),) * d + (idx.reshape(-1),)],
                            "IndexSelectBackward0")


def one_hot(input: Any, num_classes: int = -1) -> Any:
    """int64 one-hot encoding with a new last dimension of size ``num_classes``."""
    idx = _index_array(input, "one_hot")
    if idx.size and idx.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    n = int(idx.max()) + 1 if num_classes == -1 else num_classes
    if idx.size and idx.max() >= n:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({n}), got "
                           f"{int(idx.max())}")
    return wrap((idx[..., None] == np.arange(n)).astype(np.int64))


def _sorted_with_indices(x: Any, dim: int = -1, descending: bool = False) -> tuple:
    """Stable sort along ``dim``; NaN counts as the largest value (last ascending, first
    descending), as in PyTorch."""
    a = x._data
    if descending and a.ndim:
        # a stable ascending sort of the reversed array, reversed back: descending, ties in
        # their original order, NaN first, for every dtype (no negation: bool, uint)
        n = a.shape[dim]
        idx = n - 1 - np.flip(np.argsort(np.flip(a, dim), axis=dim, kind="stable"), dim)
    else:
        idx = np.argsort(a, axis=dim, kind="stable")
    return gather(x, dim, idx), wrap(idx.astype(np.int64))


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> tuple:
    """(values, indices) sorted along ``dim``; values are differentiable."""
    values, indices = _sorted_with_indices(input, dim, descending)
    return values_indices(engine.name_node(values, "SortBackward0"), indices)


def argsort(input: Any, dim: int = -1, descending: bool = False) -> Any:
    """The indices that sort ``input`` along ``dim``."""
    return _sorted_with_indices(input, dim, descending)[1]


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple:
    """(values, indices) of the ``k`` largest (smallest) along ``dim``."""
    v, i = _sorted_with_indices(input, dim, largest)
    d = norm_dim(dim, input.ndim, "topk")
    sl = (slice(None),) * d + (slice(0, k),)
    return values_indices(engine.name_node(v[sl], "TopkBackward0"), i[sl])


class ScatterAdd(Op):
    """zeros(shape) with ``src`` scatter-added along ``dim`` at ``index``: gather's adjoint."""
    grad_fn_name = "ScatterAddBackward0"

    saved_inputs = ()

    @staticmethod
    def forward(ctx, src, index, shape=None, dim=0):
        ctx.dim = dim
        out = np.zeros(shape, dtype=src.dtype)
        idx = list(np.indices(index.shape, sparse=True))
        idx[dim] = index
        np.add.at(out, tuple(idx), src)
        return out

    @staticmethod
    def backward(ctx, g):
        return Gather.call(g, ctx.inputs[1], dim=ctx.dim), None


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:
    """``input`` plus ``src`` scatter-added at ``index`` along ``dim`` (out of place)."""
    idx = _index_array(index, "scatter_add")
    d = norm_dim(dim, input.ndim, "scatter_add")
    if idx.ndim != input.ndim:
        raise RuntimeError(f"scatter_add(): Index tensor must have the same number of dimensions "
                           f"as self tensor (index {idx.ndim}-D, self {input.ndim}-D)")
    _check_index_bounds(idx, input.shape[d], d, "scatter_add")
    src = src[tuple(slice(0, s) for s in idx.shape)]
    return engine.name_node(input + ScatterAdd.apply(src, idx, shape=input._data.shape, dim=d),
                            "ScatterAddBackward0")


class MatMul(Op):
    """a @ b with NumPy/PyTorch semantics for 1-D, 2-D and broadcast batched operands."""

    grad_fn_name = "MmBackward0"  # 2-D @ 2-D; ``matmul`` names the other ranks' nodes

    grad_reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        a2 = a.reshape((1, a.shape[0])) if a.ndim == 1 else a
        b2 = b.reshape((b.shape[0], 1)) if b.ndim == 1 else b
        if a.ndim == 1:
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if b.ndim == 1:
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if need_a:
            ga = MatMul.call(g, Transpose.call(b2, dim0=-1, dim1=-2))
            if ga.shape != a2.shape:
                ga = SumTo.call(ga, shape=a2.shape)
            ga = ga.reshape(a.shape)
        if need_b:
            gb = MatMul.call(Transpose.call(a2, dim0=-1, dim1=-2), g)
            if gb.shape != b2.shape:
                gb = SumTo.call(gb, shape=b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb


def matmul(input: Any, other: Any) -> Any:
    """Matrix product with NumPy/PyTorch semantics (1-D, 2-D, batched broadcasting)."""
    a, b = input, as_tensor_like(other, input)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if b.ndim > 1 else b._data.shape[0]
    if ka != kb:
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(a.shape)} and {_shape_str(b.shape)})")
    if a._data.dtype != b._data.dtype:  # PyTorch does not promote in matmul
        raise RuntimeError(f"matmul: expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype} != {b.dtype}")
    try:
        out = MatMul.apply(a, b)
    except ValueError:
        raise broadcast_error("matmul", a.shape[:-2], b.shape[:-2]) from None
    if a.ndim != 2 or b.ndim != 2:
        engine.name_node(out, matmul_node_name(a.ndim, b.ndim))
    return out


def matmul_node_name(a_ndim: int, b_ndim: int) -> str:
    """PyTorch's name for the outer node of ``matmul`` on operands of these ranks (it
    dispatches to dot, mv, mm or a folded bmm/mm followed by a view)."""
    if a_ndim == 1:
        return "DotBackward0" if b_ndim == 1 else \
            "SqueezeBackward4" if b_ndim == 2 else "UnsafeViewBackward0"
    if a_ndim == 2:
        return "MvBackward0" if b_ndim == 1 else "MmBackward0" if b_ndim == 2 else \
            "CloneBackward0"
    return "UnsafeViewBackward0"


def _shape_str(s: tuple) -> str:
    return f"{s[0]}" if len(s) == 1 else "x".join(str(d) for d in s)


def _needs_dims(name: str, n: int, a: Any, b: Any) -> None:
    if a.ndim != n or b.ndim != n:
        raise RuntimeError(f"{name}: expected {n}-D tensors, got {a.ndim}-D and {b.ndim}-D")


def mm(input: Any, mat2: Any) -> Any:
    """Matrix product of two matrices."""
    _needs_dims("mm", 2, input, mat2)
    return matmul(input, mat2)


def bmm(input: Any, mat2: Any) -> Any:
    """Batched matrix product of two (B, n, m) @ (B, m, p) tensors."""
    _needs_dims("bmm", 3, input, mat2)
    return engine.name_node(matmul(input, mat2), "BmmBackward0")


def dot(input: Any, other: Any) -> Any:
    """Inner product of two vectors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and "
                           f"{other.ndim}D tensors")
    return matmul(input, other)


def outer(input: Any, vec2: Any) -> Any:
    """The outer product of two vectors."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


