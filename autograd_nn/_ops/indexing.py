"""Indexing ops: getitem and its adjoint, gather/scatter-add, index assignment, matmul."""

from __future__ import annotations

import builtins
import itertools
from typing import Any

import numpy as np

from .. import _dtype
from .._dtype import is_float_np
from .._errors import IndexOutOfRangeError
from ..autograd import engine, inplace
from ..autograd.engine import Op
from ..autograd.grad_mode import no_grad as _no_grad
from . import xp
from .common import as_tensor_like, broadcast_error, returns, to_tensor, values_indices, wrap
from .elementwise import Where
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
    # The two indexes of a training loop's batch gather (``perm[i:i + b]`` then ``X[idx]``)
    # skip normalisation: a slice of a tensor with dims is always valid, and a 1-D signed
    # integer index tensor is its array, bounds-checked by the indexing itself. Both reach the
    # Op the general path below reaches, with the same index.
    kind = type(idx)
    if kind is slice:
        if x._data.ndim:
            return ViewGetItem.apply(x, idx=(idx,))
    elif kind is engine.Tensor:
        arr = idx._data
        if arr.ndim == 1 and arr.dtype.kind == "i":
            try:
                out = GetItem.apply(x, idx=(arr,))
            except IndexError as e:
                raise index_error((arr,), x, e) from None
            return engine.guard(out, idx)
    raw = idx  # index tensors among it: guarded against in-place changes before backward
    idx = norm_index(idx, x, probe=False)
    if is_basic_index(idx):
        return ViewGetItem.apply(x, idx=idx)
    split = ints_first(idx)
    if split is not None:
        return getitem(getitem(x, split[0]), split[1])
    try:  # index arrays are checked by the indexing itself (nothing is written)
        out = GetItem.apply(x, idx=idx)
    except IndexError as e:
        raise index_error(idx, x, e) from None
    return engine.guard(out, *(raw if isinstance(raw, tuple) else (raw,)))


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
    if vt is not None and is_float_np(vt._data.dtype) and x._data.dtype.kind in "biu":
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
            if is_float_np(i.dtype):
                raise IndexError(f"tensors used as indices must be long, int, byte or bool "
                                 f"tensors, got {_dtype.from_numpy_dtype(i.dtype)}")
            if i.ndim == 0 and i.dtype.kind in "iu":
                i = int(i)
        elif isinstance(i, list):
            i = np.asarray(i)
            if is_float_np(i.dtype):
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
    return engine.guard(Gather.apply(x, idx, dim=d), index)


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
    if x.requires_grad:  # PyTorch's backward reads its own broadcast copy: later in-place
        idx = idx.copy()  # changes of ``indices`` neither reach it nor raise
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
    out = input[(slice(None),) * d + (idx.reshape(-1),)]
    return engine.guard(engine.name_node(out, "IndexSelectBackward0"), index)


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


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """The indices that sort ``input`` along ``dim`` (always a stable sort here, so
    ``stable=True`` changes nothing)."""
    return _sorted_with_indices(input, dim, descending)[1]


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple:
    """(values, indices) of the ``k`` largest (smallest) along ``dim``."""
    d = norm_dim(dim, input.ndim, "topk")
    size = input.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: selected index k out of range (k={k}, size {size} along dim "
                           f"{d} of a tensor of shape {list(input.shape)})")
    v, i = _sorted_with_indices(input, dim, largest)
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
        # (not Gather: the index may be smaller than g in the dims other than ``dim``)
        return GetItem.call(g, idx=_scatter_positions(xp.data(ctx.inputs[1]), ctx.dim)), None


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:
    """``input`` plus ``src`` scatter-added at ``index`` along ``dim`` (out of place), with
    PyTorch's checks (dtypes, index no larger than src, nor than self outside ``dim``)."""
    _same_dtype_src(input, src, "scatter_add")
    d, idx = _scatter_checks(input, dim, index, src, "scatter_add")
    target = input if input.ndim else input.reshape(1)
    added = ScatterAdd.apply(_scatter_src(src, idx), idx, shape=target._data.shape, dim=d)
    out = target + engine.guard(added, index)
    return engine.name_node(out if input.ndim else out.reshape(()), "ScatterAddBackward0")


class MatMul(Op):
    """a @ b with NumPy/PyTorch semantics for 1-D, 2-D and broadcast batched operands."""

    grad_fn_name = "MmBackward0"  # 2-D @ 2-D; ``matmul`` names the other ranks' nodes

    grad_reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return xp.matmul(a, b)

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




# --- shape and indexing breadth: the scatter family, index_* ops, masks, nonzero

def in_place(t: Any, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``t = fn(t, *args, **kwargs)`` in place: the out-of-place result written into ``t``
    (recorded through ``copy_`` when autograd needs it, ``fn`` then reading a clone so that the
    old value its backward may need is not overwritten)."""
    others = [a for a in (*args, *kwargs.values()) if isinstance(a, engine.Tensor)]
    inplace.check_writable(t, what)
    if inplace.records(t, *others):
        return inplace.copy_(t, fn(t.clone(), *args, **kwargs))
    with _no_grad():
        res = fn(t, *args, **kwargs)
    inplace.write(t, res._data, what.rstrip("_"))
    return t


def _scatter_positions(index: np.ndarray, dim: int) -> tuple:
    """NumPy's index tuple addressing, for each entry of ``index``, its target along ``dim``
    (the other coordinates its own)."""
    idx = list(np.indices(index.shape, sparse=True))
    idx[dim] = index
    return tuple(idx)


def _same_dtype_src(input: Any, src: Any, op: str) -> None:
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (self "
                           f"{input.dtype}, src {src.dtype})")


def _int32_or_64(index: Any, op: str) -> np.ndarray:
    """The index array of the scatter and index_* ops: int32 or int64, as PyTorch accepts."""
    idx = _index_array(index, op)
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index, got "
                           f"{_dtype.from_numpy_dtype(idx.dtype)}")
    return idx.astype(np.int64, copy=False)


def _scatter_checks(input: Any, dim: int, index: Any, src: Any, op: str) -> tuple:
    """PyTorch's scatter argument rules: (dim, index array) after checking the index dtype,
    dims, sizes (index no larger than src, nor than self outside ``dim``) and bounds."""
    idx = _int32_or_64(index, op)
    d = norm_dim(dim, input.ndim, op)
    nd = builtins.max(input.ndim, 1)
    if builtins.max(idx.ndim, 1) != nd or (src is not None and builtins.max(src.ndim, 1) != nd):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"self and src tensors (index {idx.ndim}-D, self {input.ndim}-D)")
    idx = idx.reshape(idx.shape or (1,))  # a 0-d index counts as 1-D, as in PyTorch
    xs = input.shape or (1,)
    for i, n in enumerate(idx.shape):
        if src is not None and n > (src.shape or (1,))[i]:
            raise RuntimeError(f"{op}(): Expected index {list(idx.shape)} to be smaller than "
                               f"src {list(src.shape)} apart from dimension {d}")
        if i != d and n > xs[i]:
            raise RuntimeError(f"{op}(): Expected index {list(idx.shape)} to be smaller than "
                               f"self {list(input.shape)} apart from dimension {d}")
    _check_index_bounds(idx, xs[d], d, op)
    return d, idx


def _scatter_src(src: Any, idx: np.ndarray) -> Any:
    """The part of ``src`` that ``idx`` covers (its leading block)."""
    if not src.ndim:
        return src.reshape(idx.shape)
    return src if tuple(src.shape) == idx.shape else src[tuple(slice(0, n) for n in idx.shape)]


def _multiplied(shape: tuple, dtype: np.dtype, pos: tuple, values: np.ndarray) -> np.ndarray:
    out = np.ones(shape, dtype=dtype)
    np.multiply.at(out, pos, values)
    return out


def scatter_(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Any:
    """``input[..., index[i, j], ...] = src[i, j]`` along ``dim`` in place (``value`` in place
    of ``src``); ``reduce`` 'add' or 'multiply' combines instead of overwriting."""
    if src is not None and not isinstance(src, engine.Tensor):
        src, value = None, src  # scatter_(dim, index, 2.0): a number is the value
    if (src is None) == (value is None):
        raise TypeError("scatter_(): expected exactly one of src (a Tensor) or value")
    if src is not None:
        _same_dtype_src(input, src, "scatter")
    d, idx = _scatter_checks(input, dim, index, src, "scatter")
    target = input if input.ndim else input.view(1)
    pos = _scatter_positions(idx, d)
    if src is not None:
        part = _scatter_src(src, idx)
    else:
        part = wrap(np.broadcast_to(np.asarray(value, dtype=input._data.dtype), idx.shape))
    if reduce is None:
        setitem(target, pos, part)
        engine.guard(target, index)
    elif reduce == "add":
        target.add_(engine.guard(ScatterAdd.apply(part, idx, shape=target._data.shape, dim=d),
                                 index))
    elif reduce == "multiply":
        if inplace.records(part):
            raise RuntimeError("scatter(reduce='multiply'): the gradient with respect to src "
                               "is not implemented (as in PyTorch)")
        target.mul_(wrap(_multiplied(target._data.shape, input._data.dtype, pos, part._data)))
    else:
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
    return input


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Any:
    """``scatter_`` on a copy: ``src`` (or ``value``) written into ``input`` at ``index``
    along ``dim``; differentiable in ``input`` and ``src``."""
    return scatter_(input.clone(), dim, index, src, value=value, reduce=reduce)


def scatter_add_(input: Any, dim: int, index: Any, src: Any) -> Any:
    """``scatter_add`` in place."""
    return in_place(input, "scatter_add_", scatter_add, dim, index, src)


_REDUCE_IDENTITY = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}
_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    v = _REDUCE_IDENTITY[reduce]
    if dtype.kind in "iu" and np.isinf(v):
        info = np.iinfo(dtype)
        return info.min if v < 0 else info.max
    if dtype.kind == "b" and np.isinf(v):
        return v > 0
    return v


def _counts(shape: tuple, pos: tuple, include_self: bool, dtype: np.dtype) -> np.ndarray:
    """How many values each position of a scatter mean averages (at least 1)."""
    n = np.full(shape, 1 if include_self else 0, dtype=np.int64)
    np.add.at(n, pos, 1)
    return np.maximum(n, 1).astype(dtype)


class ScatterReduce(Op):
    """``x`` with ``src`` reduced in at ``index`` along ``dim`` (sum, prod, mean, amax, amin;
    ``x``'s own value taking part unless ``include_self`` is False); index.shape ==
    src.shape."""
    grad_fn_name = "ScatterReduceBackward0"
    saved_inputs = (0, 1)
    saves_out = True

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0, reduce="sum", include_self=True):
        ctx.args = (index, dim, reduce, include_self)
        pos = _scatter_positions(index, dim)
        out = x.copy()
        if not include_self:
            out[pos] = _identity(reduce, x.dtype)
        _REDUCE_UFUNC[reduce].at(out, pos, src)
        if reduce == "mean":
            n = _counts(x.shape, pos, include_self, x.dtype)
            out = out // n if x.dtype.kind in "iu" else out / n
        return out

    @staticmethod
    def backward(ctx, g):
        index, dim, reduce, include_self = ctx.args
        x, src = ctx.inputs
        res = ctx.out
        pos = _scatter_positions(index, dim)
        xd, sd, rd = xp.data(x), xp.data(src), xp.data(res)
        if reduce == "sum":
            gx, gs = g, GetItem.call(g, idx=pos)
        elif reduce == "mean":
            gx = g / _counts(xd.shape, pos, include_self, xd.dtype)
            gs = GetItem.call(gx, idx=pos)
        elif reduce in ("amax", "amin"):  # ties share the gradient evenly, as in PyTorch
            self_is = xd == rd
            src_is = sd == rd[pos]
            n = self_is.astype(xd.dtype)
            np.add.at(n, pos, src_is)
            share = g / n
            gx = share * xp.mask_like(self_is, g)
            gs = GetItem.call(share, idx=pos) * xp.mask_like(src_is, g)
        else:  # prod: products of the others, computed without dividing by a zero
            params = dict(index=index, dim=dim, reduce="prod", include_self=include_self)
            one = np.ones((), xd.dtype)
            masked_x = Where.call(xd == 0, one, x)  # (where, not +: no gradient through it)
            gx = g * ScatterReduce.call(masked_x, src, **params) / masked_x
            src_zero = sd == 0
            zeros_at = np.zeros(xd.shape, np.int64)
            np.add.at(zeros_at, pos, src_zero)
            n_zero = zeros_at[pos]
            single = src_zero & (n_zero == 1)
            only_zero = GetItem.call(g * ScatterReduce.call(x, Where.call(single, one, src),
                                                            **params), idx=pos)
            others = GetItem.call(g * res, idx=pos) / Where.call(src_zero, one, src)
            gs = Where.call(single, only_zero, others)
            pair = src_zero & (n_zero == 2)
            if pair.any():  # 0 to first order; the product of the nonzero ones times the
                # other zero, so that the second derivative in that zero is right
                nonzero = ScatterReduce.call(x, Where.call(src_zero, one, src), **params)
                partner = _zero_partners(pos, index.shape, src_zero, xd.shape)
                other = src.reshape(-1)[partner].reshape(sd.shape)
                gs = Where.call(pair, GetItem.call(g * nonzero, idx=pos) * other, gs)
        if not include_self:
            hit = np.zeros(xd.shape, bool)
            hit[pos] = True
            gx = gx * xp.mask_like(~hit, g)
        return gx, gs


def _zero_partners(pos: tuple, shape: tuple, zero: np.ndarray, out_shape: tuple) -> np.ndarray:
    """For each entry of ``src`` (flat) that is one of two zeros reduced into the same place,
    the flat index of the other one (elsewhere the entry's own index)."""
    target = np.ravel_multi_index(tuple(np.broadcast_to(p, shape) for p in pos), out_shape)
    flat = np.flatnonzero(zero)
    order = np.argsort(target.reshape(-1)[flat], kind="stable")
    t, f = target.reshape(-1)[flat][order], flat[order]
    i = np.flatnonzero(t[1:] == t[:-1])
    partner = np.arange(zero.size)
    partner[f[i]], partner[f[i + 1]] = f[i + 1], f[i]
    return partner


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,
                   include_self: bool = True) -> Any:
    """``input`` with ``src`` reduced in at ``index`` along ``dim``: 'sum', 'prod', 'mean'
    (integer means floor), 'amax' or 'amin'; ``include_self=False`` leaves ``input``'s values
    out where something is scattered. Differentiable in ``input`` and ``src``."""
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    _same_dtype_src(input, src, "scatter_reduce")
    d, idx = _scatter_checks(input, dim, index, src, "scatter_reduce")
    x = input if input.ndim else input.view(1)
    out = ScatterReduce.apply(x, _scatter_src(src, idx), index=idx, dim=d, reduce=reduce,
                              include_self=include_self)
    return out if input.ndim else out.view(())


def scatter_reduce_(input: Any, dim: int, index: Any, src: Any, reduce: str, *,
                    include_self: bool = True) -> Any:
    """``scatter_reduce`` in place."""
    return in_place(input, "scatter_reduce_", scatter_reduce, dim, index, src, reduce,
                    include_self=include_self)


def _index_vector(input: Any, dim: int, index: Any, op: str, source: Any = None,
                  negative: bool = False) -> tuple:
    """(dim, index array) for the index_* ops: a 1-D (or 0-D) int32/int64 index, in bounds
    (negative ones count from the end where ``negative``: index_fill only, as in PyTorch);
    ``source`` (if given) must match ``input`` but along ``dim``, where it has one entry per
    index."""
    idx = _int32_or_64(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, got {idx.ndim}-D")
    idx = idx.reshape(-1).astype(np.int64)
    d = norm_dim(dim, input.ndim, op)
    n = input.shape[d] if input.ndim else 1
    low = -n if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < low else int(idx.max())
        raise IndexOutOfRangeError(f"{op}(): index {bad} is out of bounds for dimension {d} "
                                   f"with size {n}")
    if source is not None:
        if source._data.dtype != input._data.dtype:
            raise RuntimeError(f"{op}(): self ({input.dtype}) and source ({source.dtype}) must "
                               f"have the same scalar type")
        xs, ss = list(input.shape or (1,)), list(source.shape or (1,))
        if len(xs) != len(ss) or ss[d] != idx.size or xs[:d] + xs[d + 1:] != ss[:d] + ss[d + 1:]:
            raise RuntimeError(f"{op}(): source {list(source.shape)} does not match self "
                               f"{list(input.shape)} apart from dim {d}, where it needs "
                               f"{idx.size} entries (one per index)")
    return d, idx % n if idx.size else idx


def _along(d: int, idx: np.ndarray) -> tuple:
    return (slice(None),) * d + (idx,)


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeated indices
    accumulate)."""
    d, idx = _index_vector(input, dim, index, "index_add", source)
    x = input if input.ndim else input.view(1)
    s = source if source.ndim else source.view(1)
    s = s if alpha == 1 else s * alpha
    out = x + engine.guard(IndexAddInto.apply(s, shape=x._data.shape, idx=_along(d, idx)), index)
    return out if input.ndim else out.view(())


def index_add_(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
    """``index_add`` in place."""
    return in_place(input, "index_add_", index_add, dim, index, source, alpha=alpha)


def index_copy_(input: Any, dim: int, index: Any, source: Any) -> Any:
    """``input[..., index[i], ...] = source[..., i, ...]`` along ``dim`` in place."""
    d, idx = _index_vector(input, dim, index, "index_copy", source)
    if input.ndim:
        setitem(input, _along(d, idx), source)
    else:
        setitem(input.view(1), _along(d, idx), source.view(1))
    return input


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Any:
    """``index_copy_`` on a copy (differentiable in ``input`` and ``source``)."""
    return index_copy_(input.clone(), dim, index, source)


def index_fill_(input: Any, dim: int, index: Any, value: Any) -> Any:
    """The entries at ``index`` along ``dim`` set to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, engine.Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    d, idx = _index_vector(input, dim, index, "index_fill", negative=True)
    if isinstance(value, engine.Tensor) and value._data.dtype != input._data.dtype:
        value = value.to(input.dtype)
    setitem(input if input.ndim else input.view(1), _along(d, idx), value)
    return input


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Any:
    """``index_fill_`` on a copy."""
    return index_fill_(input.clone(), dim, index, value)


def _index_tuple(input: Any, indices: Any, op: str) -> tuple:
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}(): argument 'indices' must be a tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if len(indices) > builtins.max(input.ndim, 1):
        raise IndexError(f"{op}(): too many indices for tensor of dimension {input.ndim} (got "
                         f"{len(indices)})")
    return norm_index(tuple(slice(None) if i is None else i for i in indices), input)


def _check_put_dtype(input: Any, values: Any) -> None:
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype} for the destination and {values.dtype} for the "
                           f"source.")


def index_put_(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:
    """``input[indices] = values`` in place (``+=`` with ``accumulate``, repeated indices
    adding up); ``values`` broadcasts to the indexed shape and must have ``input``'s dtype."""
    _check_put_dtype(input, values)
    idx = _index_tuple(input, indices, "index_put_")
    if not accumulate:
        setitem(input, idx, values)
        return input
    return in_place(input, "index_put_", index_put, indices, values, True)


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:
    """``index_put_`` on a copy (differentiable in ``input`` and ``values``)."""
    if not accumulate:
        return index_put_(input.clone(), indices, values)
    _check_put_dtype(input, values)
    idx = _index_tuple(input, indices, "index_put")
    shape = _shape_probe(input._data.shape)[idx].shape
    try:
        v = values.expand(*shape)
    except RuntimeError:
        raise RuntimeError(f"index_put: shape mismatch: value tensor of shape "
                           f"{list(values.shape)} cannot be broadcast to indexing result of "
                           f"shape {list(shape)}") from None
    return input + IndexAddInto.apply(v, shape=input._data.shape, idx=idx)


def index_reduce(input: Any, dim: int, index: Any, source: Any, reduce: str, *,
                 include_self: bool = True) -> Any:
    """``scatter_reduce`` with ``source[..., i, ...]`` reduced into ``input[..., index[i],
    ...]`` along ``dim``: 'prod', 'mean', 'amax' or 'amin'."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d, idx = _index_vector(input, dim, index, "index_reduce", source)
    if not input.ndim:
        return index_reduce(input.view(1), 0, idx, source.view(1), reduce,
                            include_self=include_self).view(())
    shape = [1] * input.ndim
    shape[d] = idx.size
    full = np.broadcast_to(idx.reshape(shape), source._data.shape)
    return scatter_reduce(input, d, wrap(np.ascontiguousarray(full)), source, reduce,
                          include_self=include_self)


def index_reduce_(input: Any, dim: int, index: Any, source: Any, reduce: str, *,
                  include_self: bool = True) -> Any:
    """``index_reduce`` in place."""
    return in_place(input, "index_reduce_", index_reduce, dim, index, source, reduce,
                    include_self=include_self)


def _flat_positions(input: Any, index: Any, op: str) -> tuple:
    """Indices into the flattened ``input`` (negative from the end) as an index tuple."""
    idx = _index_array(index, op)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got "
                           f"{_dtype.from_numpy_dtype(idx.dtype)}")
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.min()) if idx.min() < -n else int(idx.max())
        raise IndexError(f"{op}(): out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    return np.unravel_index(idx % builtins.max(n, 1), input.shape) if input.ndim else ()


def take(input: Any, index: Any) -> Any:
    """The elements of the flattened ``input`` at ``index`` (negative from the end), in
    ``index``'s shape."""
    pos = _flat_positions(input, index, "take")
    if not input.ndim:
        return input.expand(*xp.data(index).shape).clone()
    return input[pos]


def put_(input: Any, index: Any, source: Any, accumulate: bool = False) -> Any:
    """The flattened ``input`` at ``index`` set to (with ``accumulate``: incremented by) the
    elements of ``source``, in place."""
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    pos = _flat_positions(input, index, "put_")
    if source.numel() != xp.data(index).size:
        raise RuntimeError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {xp.data(index).size}")
    if not input.ndim:
        pos = (np.zeros(xp.data(index).size, np.int64),)
        target = input.view(1)
    else:
        target = input
    if accumulate:
        return in_place(input, "put_", lambda t: t + IndexAddInto.apply(
            source.reshape(-1), shape=target._data.shape, idx=pos).reshape(t.shape))
    setitem(target, pos, source.reshape(-1))
    return input


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Any:
    """``put_`` on a copy."""
    return put_(input.clone(), index, source, accumulate)


def _bool_mask(mask: Any, op: str) -> np.ndarray:
    m = xp.data(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{op}: expected BoolTensor for mask, got "
                           f"{_dtype.from_numpy_dtype(m.dtype)}")
    return m


def masked_select(input: Any, mask: Any) -> Any:
    """The elements where ``mask`` (broadcast with ``input``) is True, as 1-D."""
    m = _bool_mask(mask, "masked_select")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise broadcast_error("masked_select", input.shape, m.shape) from None
    x = input.expand(*shape) if tuple(shape) != tuple(input.shape) else input
    return engine.guard(x.reshape(-1)[np.broadcast_to(m, shape).reshape(-1)], mask)


def masked_scatter_(input: Any, mask: Any, source: Any) -> Any:
    """The positions where ``mask`` (broadcast to ``input``) is True, in order, set to the
    first elements of ``source``, in place."""
    m = _bool_mask(mask, "masked_scatter_")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {input.dtype} and {source.dtype}")
    try:
        m = np.broadcast_to(m, input._data.shape)
    except ValueError:
        raise broadcast_error("masked_scatter_", input.shape, m.shape) from None
    count = int(m.sum())
    if source.numel() < count:
        raise RuntimeError(f"masked_scatter_: Number of elements of source ({source.numel()}) "
                           f"< number of ones in mask ({count})")
    setitem(input, (m,), source.reshape(-1)[:count])
    return input


def masked_scatter(input: Any, mask: Any, source: Any) -> Any:
    """``masked_scatter_`` on a copy (``input`` and ``mask`` broadcast together first)."""
    m = _bool_mask(mask, "masked_scatter")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        raise broadcast_error("masked_scatter", input.shape, m.shape) from None
    return masked_scatter_(input.expand(*shape).clone(), wrap(m), source)


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: (count, ndim) int64, or one 1-D tensor per dim
    with ``as_tuple`` (a 0-d input counts as 1-D)."""
    a = input._data
    if as_tuple:
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return wrap(np.argwhere(a).astype(np.int64))


def argwhere(input: Any) -> Any:
    """``nonzero(input)``: the (count, ndim) int64 indices of the nonzero elements."""
    return nonzero(input)


def nonzero_static(input: Any, *, size: int, fill_value: int = -1) -> Any:
    """``nonzero`` with exactly ``size`` rows: cut, or padded with ``fill_value``."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, got {size}")
    found = np.argwhere(input._data).astype(np.int64)[:size]
    out = np.full((size, input.ndim), fill_value, dtype=np.int64)
    out[:len(found)] = found
    return wrap(out)


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Any:
    """Each element (each slice along ``dim``) repeated ``repeats`` times (an int, or one
    count per element); the flattened input when ``dim`` is None. With only an int64 tensor
    of counts: ``arange`` repeated by them."""
    if repeats is None:
        reps = _index_array(input, "repeat_interleave")
        if reps.ndim != 1:
            raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
        return repeat_interleave(wrap(np.arange(reps.size, dtype=np.int64)), input, 0,
                                 output_size=output_size)
    x = input.reshape(-1) if dim is None else input
    if x.ndim == 0:
        x = x.reshape(1)
    d = 0 if dim is None else norm_dim(dim, x.ndim, "repeat_interleave")
    n = x.shape[d]
    if isinstance(repeats, engine.Tensor):
        r = _index_array(repeats, "repeat_interleave")
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave: repeats must be 0-dim or 1-dim tensor")
        r = r.reshape(-1)
        if r.size == 1:
            r = np.full(n, r[0])
        elif r.size != n:
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input "
                               f"along dim, but got repeats.size(0) = {r.size} and "
                               f"input.size({d}) = {n}")
    else:
        r = np.full(n, int(repeats))
    if r.size and r.min() < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    if output_size is not None and int(r.sum()) != output_size:
        raise RuntimeError(f"repeat_interleave: allocated size does not match required size "
                           f"(output_size={output_size}, repeats add up to {int(r.sum())})")
    return x[_along(d, np.repeat(np.arange(n), r))]


def repeat_interleave_method(input: Any, repeats: Any, dim: int | None = None, *,
                             output_size: int | None = None) -> Any:
    """``Tensor.repeat_interleave``: ``repeats`` is required (only the function takes a tensor
    of counts alone)."""
    return repeat_interleave(input, repeats, dim, output_size=output_size)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:
    """All length-``r`` combinations of the elements of a 1-D ``input``, one per row (in
    ``itertools.combinations`` order; ``with_replacement`` as its namesake)."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.empty(0, input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[rows]


def fill(input: Any, value: Any) -> Any:
    """A copy of ``input`` filled with ``value`` (a number, or a 0-d tensor that then gets
    the summed gradient)."""
    return input.clone().fill_(value)


def fill_diagonal_(input: Any, fill_value: Any, wrap: bool = False) -> Any:
    """The main diagonal (all indices equal) set to ``fill_value`` in place; a tall matrix
    with ``wrap`` restarts the diagonal every ``cols + 1`` rows (NumPy's rule)."""
    if isinstance(fill_value, engine.Tensor):
        raise TypeError("fill_diagonal_(): argument 'fill_value' must be a Number, not Tensor")
    if input.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise RuntimeError(f"all dimensions of input must be of equal length, got "
                           f"{list(input.shape)}")
    mask = np.zeros(input._data.shape, bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    setitem(input, (mask,), fill_value)
    return input


def _scatter_into_view(input: Any, view: Any, src: Any, op: str) -> Any:
    """A copy of ``input`` with ``src`` written into the part that ``view`` selects
    (``view(copy)`` is a view); ``src`` must have that part's shape exactly."""
    out = input.clone()
    part = view(out)
    if tuple(src.shape) != tuple(part.shape):
        raise RuntimeError(f"{op}(): expected src to have a size equal to the slice of self. "
                           f"src size = {list(src.shape)}, slice size = {list(part.shape)}")
    part.copy_(src)
    return out


def select_scatter(input: Any, src: Any, dim: int, index: int) -> Any:
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim`` (the slice
    ``select(dim, index)`` would give)."""
    return _scatter_into_view(input, lambda o: o.select(dim, index), src, "select_scatter")


def slice_scatter(input: Any, src: Any, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Any:
    """A copy of ``input`` with ``src`` written at ``start:end:step`` along ``dim``."""
    d = norm_dim(dim, input.ndim, "slice_scatter")
    if step <= 0:
        raise RuntimeError("slice_scatter(): slice step must be positive")
    sl = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into_view(input, lambda o: o[sl], src, "slice_scatter")


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Any:
    """A copy of ``input`` with ``src`` written on the diagonal ``diagonal(offset, dim1,
    dim2)`` would give."""
    return _scatter_into_view(input, lambda o: o.diagonal(offset, dim1, dim2), src,
                              "diagonal_scatter")


def tril_(input: Any, diagonal: int = 0) -> Any:
    """``tril`` in place."""
    return in_place(input, "tril_", type(input).tril, diagonal)


def triu_(input: Any, diagonal: int = 0) -> Any:
    """``triu`` in place."""
    return in_place(input, "triu_", type(input).triu, diagonal)


sort, topk = returns(sort, "sort"), returns(topk, "topk")  # torch.return_types.sort / .topk
