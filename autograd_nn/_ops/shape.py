"""Shape ops: reshape, broadcast, transpose/permute, concatenation, padding, repetition, and
basic selection (getitem and its adjoint)."""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._dtype import promote
from .._errors import IndexOutOfRangeError
from ..autograd import engine, inplace
from ..autograd.engine import Op
from .common import infer_shape, shape_arg, to_tensor


def norm_dim(dim: int, ndim: int, op: str = "op") -> int:
    """A possibly negative dim as a non-negative axis, with PyTorch's error when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim % n


def norm_dims(dim, ndim: int, op: str = "op") -> tuple | None:
    """None, an int, or a sequence of ints -> sorted tuple of axes (None means all)."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        return (norm_dim(int(dim), ndim, op),)
    dims = tuple(norm_dim(int(d), ndim, op) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def reduce_dims(dim, ndim: int, op: str = "op") -> tuple | None:
    """``norm_dims`` for reductions: an empty dim list means every dim, as in PyTorch."""
    if dim is None or (not isinstance(dim, (int, np.integer)) and len(dim) == 0):
        return None
    return norm_dims(dim, ndim, op)


def is_basic_index(idx) -> bool:
    """True when ``idx`` (a tuple) uses only ints, slices, None and Ellipsis: a view, no repeats."""
    for i in idx:
        if not (i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))):
            return False
        if isinstance(i, (bool, np.bool_)):
            return False
    return True


class GetItem(Op):
    grad_fn_name = "IndexBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, idx=None):
        ctx.idx = idx
        return x[idx]

    @staticmethod
    def backward(ctx, g):
        return IndexAddInto.call(g, shape=ctx.inputs[0].shape, idx=ctx.idx)


class ViewGetItem(GetItem):
    """Basic (view) indexing: shares memory and the version counter with its source."""

    is_view = True

    @classmethod
    def node_name(cls, node: Any) -> str:
        """PyTorch applies a basic index one entry at a time (select for an int, slice for a
        slice, unsqueeze for None) and names the node after the last one applied; inside a
        tuple, a slice over a whole dim is skipped (``x[:, :]`` is an alias)."""
        idx, shape = node.idx, node.src_shape
        name = "AliasBackward0"
        used = builtins.sum(i is not None and i is not Ellipsis for i in idx)
        d = 0
        for i in idx:
            if i is None:
                name = "UnsqueezeBackward0"
            elif i is Ellipsis:
                d += len(shape) - used
            elif isinstance(i, slice):
                if len(idx) == 1 or i.indices(shape[d]) != (0, shape[d], 1):
                    name = "SliceBackward0"
                d += 1
            else:
                name = "SelectBackward0"
                d += 1
        return name

    @staticmethod
    def forward(ctx, x, idx=None):
        ctx.idx = idx
        ctx.src_shape = x.shape  # for node_name
        # an index of ints only would give a NumPy scalar (a copy); a trailing Ellipsis keeps
        # the element a 0-d view, so in-place ops on it reach the base (h[0] += 1)
        return x[idx + (Ellipsis,)] if Ellipsis not in idx else x[idx]


class IndexAddInto(Op):
    """zeros(shape) with ``g`` added at ``idx`` (repeated indices accumulate): getitem's adjoint."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, shape=None, idx=None):
        ctx.idx = idx
        out = np.zeros(shape, dtype=g.dtype)
        if is_basic_index(idx):
            out[idx] = g
        else:
            np.add.at(out, idx, g)
        return out

    @staticmethod
    def backward(ctx, g):
        return GetItem.call(g, idx=ctx.idx)


class Reshape(Op):
    grad_fn_name = "ViewBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.inputs[0].shape)


def reshape(input: Any, *shape: Any) -> Any:
    """The same elements in ``shape`` (one -1 is inferred); a view where the memory allows."""
    out = Reshape.apply(input, shape=infer_shape(shape_arg(shape), input._data.size, "reshape"))
    if out._node is not None and not np.may_share_memory(out._data, input._data):
        engine.name_node(out, "UnsafeViewBackward0")  # a copy: PyTorch's clone + _unsafe_view
    return out


def view(input: Any, *shape: Any) -> Any:
    """``reshape`` that refuses to copy (PyTorch's view rule), or ``view(dtype)``: the same
    memory read as ``dtype`` (see :func:`view_dtype`)."""
    if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type, np.dtype, str)):
        return view_dtype(input, shape[0])
    target = infer_shape(shape_arg(shape), input._data.size, "view")
    if not _viewable(input._data, target):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): a view of shape "
            f"{list(input.shape)} as {list(target)} needs a copy. Use .reshape(...) instead.")
    return Reshape.apply(input, shape=target)


# PyTorch's ScalarType names, which its view(dtype) errors print
_SCALAR_TYPE_NAMES = {"float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
                      "float64": "Double", "uint8": "Byte", "int8": "Char", "int16": "Short",
                      "int32": "Int", "int64": "Long", "bool": "Bool"}


def view_dtype(input: Any, dtype: Any) -> Any:
    """The memory of ``input`` (shape (..., n)) reinterpreted as ``dtype`` (NumPy's
    ``ndarray.view``): with an item size k times larger the result is (..., n / k), k times
    smaller (..., n * k). A view (it shares memory and version counter) that is not
    differentiable, as PyTorch's. PyTorch's errors: a different item size needs a last dim of
    stride 1 and at least one dim; a larger one a last size, storage offset and other strides
    divisible by the ratio."""
    new = _dtype.to_dtype(dtype)
    a = input._data
    old_size, new_size = a.itemsize, new.np.itemsize
    if old_size != new_size:
        what = (f"to view {_SCALAR_TYPE_NAMES.get(a.dtype.name, a.dtype.name)} as "
                f"{_SCALAR_TYPE_NAMES.get(new.name, new.name)} (different element sizes)")
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        strides = [st // old_size for st in a.strides]
        if new_size > old_size:  # PyTorch's order of checks
            ratio = new_size // old_size
            if a.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but "
                                   f"got {a.shape[-1]}")
            offset = _storage_offset(input)
            if offset % ratio:
                raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} "
                                   f"{what}, but got {offset}")
        if strides[-1] != 1 and a.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        if new_size > old_size:
            for i, st in enumerate(strides[:-1]):
                if st % ratio:
                    raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} {what}, "
                                       f"but got {st}")
    out = engine.Tensor._wrap(a.view(new.np))
    out._vc = input._vc if input._vc is not None else input._new_vc()
    return out


def _storage_offset(t: Any) -> int:
    """``t``'s offset in elements from the start of its base's memory (0 for a base)."""
    if t._base is None:
        return 0
    start = t._base._data.__array_interface__["data"][0]
    return (t._data.__array_interface__["data"][0] - start) // t._data.itemsize


def _viewable(a: np.ndarray, shape: tuple) -> bool:
    """Whether ``a`` can be reshaped to ``shape`` without a copy (PyTorch's view rule)."""
    try:
        np.reshape(a, shape, copy=False)
    except ValueError:
        return False
    except TypeError:  # NumPy < 2.1: no copy= argument; setting .shape refuses a copy
        v = a.view()
        try:
            v.shape = shape
        except AttributeError:
            return False
    return True


def reshape_as(input: Any, other: Any) -> Any:
    """``reshape(other.shape)``."""
    return reshape(input, other.shape)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    """Dims ``start_dim``..``end_dim`` merged into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s = norm_dim(start_dim, input.ndim, "flatten")
    e = norm_dim(end_dim, input.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:  # nothing to merge: PyTorch returns the input itself (no node)
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def unflatten(input: Any, dim: int, sizes: Any) -> Any:
    """Dim ``dim`` split into ``sizes`` (one -1 is inferred)."""
    d = norm_dim(dim, input.ndim, "unflatten")
    shp = input._data.shape
    sizes = infer_shape(tuple(sizes), shp[d], "unflatten")
    return reshape(input, shp[:d] + tuple(sizes) + shp[d + 1:])


def squeeze(input: Any, dim: Any = None) -> Any:
    """Size-1 dims removed (only those in ``dim`` if given)."""
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = norm_dims(dim, input.ndim, "squeeze") if input.ndim else ()
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    # PyTorch's overloads: squeeze(), squeeze(int), squeeze(dims)
    name = "SqueezeBackward0" if dim is None else \
        "SqueezeBackward1" if isinstance(dim, (int, np.integer)) else "SqueezeBackward2"
    return engine.name_node(Reshape.apply(input, shape=new), name)


def unsqueeze(input: Any, dim: int) -> Any:
    """A size-1 dim inserted at ``dim``."""
    d = norm_dim(dim, input.ndim + 1, "unsqueeze")
    shp = input._data.shape
    return engine.name_node(Reshape.apply(input, shape=shp[:d] + (1,) + shp[d:]),
                            "UnsqueezeBackward0")


class ExpandTo(Op):
    """Broadcast to ``shape`` (PyTorch's expand); the gradient sums back."""
    grad_fn_name = "ExpandBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return SumTo.call(g, shape=ctx.inputs[0].shape)


def expand(input: Any, *sizes: Any) -> Any:
    """A broadcast view with ``sizes`` (-1 keeps a dim; new dims lead)."""
    sizes = shape_arg(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                           f"greater or equal to the number of dimensions in the tensor "
                           f"({len(shp)})")
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        old = shp[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError("expand: -1 is not allowed in a leading, non-existing "
                                   "dimension")
            s = old
        elif old != 1 and old != s:
            raise RuntimeError(f"expand: the expanded size of the tensor ({s}) must match the "
                               f"existing size ({old}) at non-singleton dimension {i}. "
                               f"Target sizes: {list(sizes)}. Tensor sizes: {list(shp)}")
        target.append(s)
    return ExpandTo.apply(input, shape=tuple(target))


def expand_as(input: Any, other: Any) -> Any:
    """``expand(other.shape)``."""
    return expand(input, other.shape)


def broadcast_to(input: Any, shape: Any) -> Any:
    """``expand(*shape)``."""
    return expand(input, *shape)


def broadcast_tensors(*tensors: Any) -> tuple:
    """The tensors expanded to their common broadcast shape."""
    shape = np.broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, *shape) for t in tensors)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape the given shapes broadcast to."""
    return tuple(np.broadcast_shapes(*shapes))


class SumTo(Op):
    """Sum a broadcast array back down to ``shape`` (the adjoint of ExpandTo)."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, shape=None):
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
        if axes:
            x = x.sum(axis=axes, keepdims=True)
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return ExpandTo.call(g, shape=ctx.inputs[0].shape)


class Transpose(Op):
    grad_fn_name = "TransposeBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, dim0=-2, dim1=-1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx, g):
        d0, d1 = ctx.dims
        return Transpose.call(g, dim0=d0, dim1=d1)


def transpose(input: Any, dim0: int, dim1: int) -> Any:
    """A view with dims ``dim0`` and ``dim1`` swapped."""
    n = input.ndim
    return Transpose.apply(input, dim0=norm_dim(dim0, n, "transpose"),
                           dim1=norm_dim(dim1, n, "transpose"))


def t(input: Any) -> Any:
    """The transpose of a matrix (0-D and 1-D returned as they are)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return engine.name_node(transpose(input, 0, 1), "TBackward0") if input.ndim == 2 else input


class Permute(Op):
    grad_fn_name = "PermuteBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return Permute.call(g, dims=tuple(np.argsort(ctx.dims)))


def permute(input: Any, *dims: Any) -> Any:
    """A view with the dims in the order ``dims``."""
    dims = shape_arg(dims)
    n = input.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                           f"does not match the length of the desired ordering of dimensions "
                           f"i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    norm_dims(dims, n, "permute")  # validates range and repeats
    return Permute.apply(input, dims=tuple(norm_dim(d, n, "permute") for d in dims))


class Cat(Op):
    grad_fn_name = "CatBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        dim = ctx.dim % max(g.ndim, 1)
        for x, need in zip(ctx.inputs, ctx.needs_input_grad):
            n = x.shape[dim]
            if need:
                idx = (slice(None),) * dim + (slice(start, start + n),)
                grads.append(GetItem.call(g, idx=idx))
            else:
                grads.append(None)
            start += n
        return tuple(grads)


def _same_dtype(seq: Any, op: str) -> list:
    """A list of tensors promoted to one dtype (cat/stack's argument check)."""
    if isinstance(seq, engine.Tensor) or not isinstance(seq, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, got "
                        f"{type(seq).__name__}")
    if not seq:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    ts = [to_tensor(t) for t in seq]
    target = promote(*[np.atleast_1d(t._data) for t in ts])  # (all count as dimensioned)
    return [t if t._data.dtype == target else t.to(_dtype.from_numpy_dtype(target)) for t in ts]


def cat(tensors: Any, dim: int = 0) -> Any:
    """Concatenate along an existing ``dim``; all other sizes must match."""
    ts = _same_dtype(tensors, "cat")
    ts = [t for t in ts if not (t.ndim == 1 and t.shape[0] == 0)] or ts[:1]  # legacy empty
    nd = ts[0].ndim
    if nd == 0:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    d = norm_dim(dim, nd, "cat")
    ref = ts[0].shape
    for i, x in enumerate(ts):
        if x.ndim != nd or builtins.any(a != b for j, (a, b) in enumerate(zip(x.shape, ref))
                                        if j != d):
            raise RuntimeError(f"cat(): Sizes of tensors must match except in dimension {d}. "
                               f"Expected size {list(ref)} but got size {list(x.shape)} for "
                               f"tensor number {i} in the list.")
    return Cat.apply(*ts, dim=d)


class Stack(Op):
    grad_fn_name = "StackBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim = ctx.dim
        return tuple(GetItem.call(g, idx=(slice(None),) * dim + (i,)) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def stack(tensors: Any, dim: int = 0) -> Any:
    """Stack equally shaped tensors along a new ``dim``."""
    ts = _same_dtype(tensors, "stack")
    ref = ts[0].shape
    for i, x in enumerate(ts):
        if x.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(x.shape)} at entry {i}")
    return Stack.apply(*ts, dim=norm_dim(dim, len(ref) + 1, "stack"))


def split(input: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Views of size ``split_size`` (the last may be smaller) or of the listed sizes."""
    d = norm_dim(dim, input.ndim, "split")
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        sizes = [builtins.min(step, n - s) for s in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
    # PyTorch's split (equal sizes) and split_with_sizes (a list): one node per piece here
    name = "SplitBackward0" if isinstance(split_size_or_sections, int) else \
        "SplitWithSizesBackward0"
    out, start = [], 0
    for s in sizes:
        out.append(engine.name_node(input[(slice(None),) * d + (slice(start, start + s),)],
                                    name))
        start += s
    return tuple(out)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces of size ceil(n / chunks) (fewer if n is small), as PyTorch."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input.shape[norm_dim(dim, input.ndim, "chunk")]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def unbind(input: Any, dim: int = 0) -> tuple:
    """The slices along ``dim`` (views)."""
    d = norm_dim(dim, input.ndim, "unbind")
    return tuple(engine.name_node(input[(slice(None),) * d + (i,)], "UnbindBackward0")
                 for i in range(input.shape[d]))


def narrow(input: Any, dim: int, start: int, length: int) -> Any:
    """``length`` elements from ``start`` along ``dim`` (a view)."""
    d = norm_dim(dim, input.ndim, "narrow")
    size = input.shape[d]
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    if not -size <= start <= size:
        raise IndexError(f"narrow(): start {start} out of range for dimension {d} of size "
                         f"{size}")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension "
                           f"size ({size}).")
    return engine.name_node(input[(slice(None),) * d + (slice(start, start + length),)],
                            "SliceBackward0")


def select(input: Any, dim: int, index: int) -> Any:
    """The slice at ``index`` along ``dim``, that dimension removed (a view)."""
    d = norm_dim(dim, input.ndim, "select")
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexOutOfRangeError(f"select(): index {index} out of range for tensor of size "
                                   f"{list(input.shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


class Pad(Op):
    """Constant padding; ``widths`` is NumPy's ((before, after), ...) per axis, may be negative."""
    grad_fn_name = "ConstantPadNdBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, widths=None, value=0.0):
        ctx.widths = widths
        crop = tuple(slice(-min(b, 0) or None, (min(a, 0) or None)) for b, a in widths)
        x = x[crop]
        grow = [(max(b, 0), max(a, 0)) for b, a in widths]
        return np.pad(x, grow, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return Pad.call(g, widths=tuple((-b, -a) for b, a in ctx.widths), value=0.0)


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Any:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` is (left, right, top, bottom, ...)."""
    x = input
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2, got {len(pad)}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: Padding length too large: {len(pad)} for a {x.ndim}-D input")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        ax = x.ndim - 1 - i
        widths[ax] = (int(pad[2 * i]), int(pad[2 * i + 1]))
        if x.shape[ax] + builtins.min(widths[ax][0], 0) + builtins.min(widths[ax][1], 0) < 0:
            raise RuntimeError(f"pad: padding {widths[ax]} removes more than the {x.shape[ax]} "
                               f"elements of dim {ax} (input shape {list(x.shape)}, pad "
                               f"{list(pad)})")
    if mode == "constant":
        return Pad.apply(x, widths=tuple(widths), value=0.0 if value is None else value)
    if mode in ("reflect", "replicate", "circular"):
        # gather-based padding: an index map per padded axis, differentiable through getitem
        out = x
        for ax, (b, a) in enumerate(widths):
            if b == 0 and a == 0:
                continue
            n = x.shape[ax]
            pos = np.arange(-b, n + a)
            if mode == "reflect":
                if b >= n or a >= n:
                    raise RuntimeError(f"pad: reflect padding ({b}, {a}) must be smaller than "
                                       f"the input size {n} at dim {ax}")
                period = 2 * (n - 1) if n > 1 else 1
                pos = np.abs(pos) % period
                pos = np.where(pos >= n, period - pos, pos)
            elif mode == "replicate":
                pos = np.clip(pos, 0, n - 1)
            else:
                pos = pos % n
            out = out[(slice(None),) * ax + (pos,)]
        if out is x:  # nothing padded: x itself, its node untouched
            return out
        k = len(pad) // 2  # PyTorch's kernels: ReflectionPad1D..3D, ReplicationPad1D..3D
        return engine.name_node(out, "torch::autograd::CopySlices" if mode == "circular" else
                                f"{_PAD_KERNELS[mode]}{k}DBackward0")
    raise NotImplementedError(f"pad: mode {mode!r} (expected constant, reflect, replicate or "
                              f"circular)")


_PAD_KERNELS = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}


class Repeat(Op):
    """np.tile semantics (PyTorch's Tensor.repeat); ``reps`` has at least x.ndim entries."""
    grad_fn_name = "RepeatBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, reps=None):
        ctx.reps = reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        x_shape = ctx.inputs[0].shape
        reps = ctx.reps
        shape = (1,) * (len(reps) - len(x_shape)) + tuple(x_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        kept = tuple(1 if i % 2 == 0 else n for i, n in enumerate(split))
        return SumTo.call(g.reshape(tuple(split)), shape=kept).reshape(x_shape)


def repeat(input: Any, *sizes: Any) -> Any:
    """The tensor tiled ``sizes`` times along each dim (new dims lead)."""
    sizes = shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                           "number of dimensions of tensor")
    return Repeat.apply(input, reps=tuple(sizes))


class Flip(Op):
    grad_fn_name = "FlipBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.call(g, dims=ctx.dims)


def flip(input: Any, *dims: Any) -> Any:
    """The elements in reverse order along ``dims``."""
    dims = shape_arg(dims)
    return Flip.apply(input, dims=tuple(norm_dim(d, input.ndim, "flip") for d in dims))




# --- shape and indexing breadth: diagonals, splits, stacks, flips and rolls, unfold

def _diagonal_view(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The diagonal of ``x`` over (dim1, dim2) as a *writable* view, last (``np.diagonal``'s
    layout; NumPy's own diagonal is read-only, PyTorch's is a view that takes writes)."""
    y = np.moveaxis(x, (dim1, dim2), (-2, -1))
    y = y[..., :, offset:] if offset >= 0 else y[..., -offset:, :]
    n = builtins.max(builtins.min(y.shape[-2], y.shape[-1]), 0)
    return np.lib.stride_tricks.as_strided(y, y.shape[:-2] + (n,),
                                           y.strides[:-2] + (y.strides[-2] + y.strides[-1],))


class Diagonal(Op):
    """The diagonal over (dim1, dim2) with ``offset``, appended as the last dim (a view)."""
    grad_fn_name = "DiagonalBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, offset=0, dim1=0, dim2=1):
        ctx.diag = (offset, dim1, dim2)
        return _diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        offset, dim1, dim2 = ctx.diag
        return DiagonalInto.call(g, shape=ctx.inputs[0].shape, offset=offset, dim1=dim1,
                                 dim2=dim2)


class DiagonalInto(Op):
    """zeros(shape) with ``g`` written on the diagonal (dim1, dim2, offset): Diagonal's
    adjoint, and diag_embed."""
    grad_fn_name = "DiagEmbedBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, shape=None, offset=0, dim1=0, dim2=1):
        ctx.diag = (offset, dim1, dim2)
        out = np.zeros(shape, dtype=g.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = g
        return out

    @staticmethod
    def backward(ctx, g):
        offset, dim1, dim2 = ctx.diag
        return Diagonal.call(g, offset=offset, dim1=dim1, dim2=dim2)


def _two_dims(dim1: int, dim2: int, ndim: int, op: str) -> tuple:
    d1, d2 = norm_dim(dim1, ndim, op), norm_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """A view of the diagonal over ``dim1``, ``dim2`` (shifted by ``offset``), as the last
    dim: (..., n) for input (..., a, ..., b, ...)."""
    if input.ndim < 2:
        raise RuntimeError(f"diagonal(): expected a tensor of at least 2 dims, got "
                           f"{input.ndim}-D")
    d1, d2 = _two_dims(dim1, dim2, input.ndim, "diagonal")
    return Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:
    """(..., n) -> a tensor whose diagonals over (``dim1``, ``dim2``) hold the last dim."""
    nd = input.ndim + 1
    d1, d2 = _two_dims(dim1, dim2, nd, "diag_embed")
    n = (input.shape[-1] if input.ndim else 1) + builtins.abs(int(offset))
    batch = list(input.shape[:-1])
    for d in sorted((d1, d2)):
        batch.insert(d, n)
    x = input if input.ndim else input.reshape(1)
    return DiagonalInto.apply(x, shape=tuple(batch), offset=int(offset), dim1=d1, dim2=d2)


def diag(input: Any, diagonal: int = 0) -> Any:
    """A 1-D input as a square matrix with it on the ``diagonal``; the ``diagonal`` of a 2-D
    input as a 1-D copy."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, offset=int(diagonal), dim1=0, dim2=1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input: Any, offset: int = 0) -> Any:
    """The flattened input on the ``offset`` diagonal of a square matrix."""
    return diag_embed(input.reshape(-1), offset, 0, 1)


def _sizes_at(input: Any, dim: int, cuts: list) -> tuple:
    """Views of ``input`` between consecutive ``cuts`` (clamped to the dim) along ``dim``."""
    n = input.shape[dim]
    out, start = [], 0
    for c in list(cuts) + [n]:
        c = builtins.min(builtins.max(c + n if c < 0 else c, start), n)
        out.append(input[(slice(None),) * dim + (slice(start, c),)])
        start = c
    return tuple(out)


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Views split into ``sections`` nearly equal parts (the first ``n % sections`` one longer),
    or at the given ``indices`` along ``dim``."""
    ios = indices_or_sections
    if isinstance(ios, engine.Tensor):
        if ios._data.dtype.kind not in "iu" or ios.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor of long, but got a "
                               f"{ios.ndim}-D {ios.dtype} tensor")
        ios = int(ios.item()) if ios.ndim == 0 else [int(i) for i in ios._data]
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = norm_dim(dim, input.ndim, "tensor_split")
    if isinstance(ios, (int, np.integer)):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        n = input.shape[d]
        q, r = divmod(n, int(ios))
        cuts = list(np.cumsum([q + 1 if i < r else q for i in range(int(ios))])[:-1])
        return _sizes_at(input, d, [int(c) for c in cuts])
    return _sizes_at(input, d, [int(i) for i in ios])


def _split_dim(input: Any, ios: Any, dim: int, op: str, min_dims: int) -> tuple:
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(ios, (int, np.integer)):
        n = input.shape[dim]
        if ios == 0 or n % ios:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input: Any, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 of a 1-D tensor); sections must divide evenly."""
    return _split_dim(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input: Any, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 0 of a tensor of at least 2 dims."""
    return _split_dim(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Any, indices_or_sections: Any) -> tuple:
    """``tensor_split`` along dim 2 of a tensor of at least 3 dims."""
    return _split_dim(input, indices_or_sections, 2, "dsplit", 3)


def unsafe_split(input: Any, split_size: int, dim: int = 0) -> tuple:
    """``split`` into pieces of ``split_size`` (an int only, as PyTorch's)."""
    if not isinstance(split_size, (int, np.integer)):
        raise TypeError(f"unsafe_split(): argument 'split_size' must be int, not "
                        f"{type(split_size).__name__}")
    return split(input, int(split_size), dim)


def split_with_sizes(input: Any, split_sizes: Any, dim: int = 0) -> tuple:
    """Views of the listed sizes along ``dim`` (they must add up to its size)."""
    return split(input, list(split_sizes), dim)


def _at_least(tensors: Any, n: int, op: str) -> list:
    """cat's argument check, each tensor reshaped to at least ``n`` dims as atleast_nd does
    (1-D (k,) -> (1, k) -> (1, k, 1))."""
    ts = _same_dtype(tensors, op)
    out = []
    for t in ts:
        s = tuple(t.shape)
        if len(s) < n:
            s = {0: ((1,), (1, 1), (1, 1, 1)), 1: (s, (1,) + s, (1,) + s + (1,)),
                 2: (s, s, s + (1,))}[len(s)][n - 1]
            t = t.reshape(s)
        out.append(t)
    return out


def hstack(tensors: Any) -> Any:
    """Concatenate column-wise: along dim 0 for 1-D tensors, dim 1 otherwise."""
    ts = _at_least(tensors, 1, "hstack")
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Any:
    """Concatenate row-wise (dim 0), 1-D tensors taken as rows."""
    return cat(_at_least(tensors, 2, "vstack"), 0)


def dstack(tensors: Any) -> Any:
    """Concatenate depth-wise (dim 2), after ``atleast_3d``."""
    return cat(_at_least(tensors, 3, "dstack"), 2)


def column_stack(tensors: Any) -> Any:
    """Tensors as columns: 0-D and 1-D ones reshaped to (n, 1), then cat along dim 1."""
    ts = _same_dtype(tensors, "column_stack")
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts], 1)


def fliplr(input: Any) -> Any:
    """Columns reversed (dim 1); needs at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError("fliplr(): Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Any) -> Any:
    """Rows reversed (dim 0); needs at least 1 dim."""
    if input.ndim < 1:
        raise RuntimeError("flipud(): Input must be >= 1-d.")
    return flip(input, 0)


def rot90(input: Any, k: int = 1, dims: Any = (0, 1)) -> Any:
    """Rotated by 90 degrees ``k`` times in the plane ``dims``, from the first dim towards the
    second (a copy)."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k = k % 4
    if k == 1:
        return flip(input, d1).transpose(d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return flip(input, d0).transpose(d0, d1)
    return input.clone()


def roll(input: Any, shifts: Any, dims: Any = None) -> Any:
    """Elements shifted by ``shifts`` along ``dims`` (wrapping around); with no dims the
    flattened tensor is rolled and the shape restored."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: `shifts` required to be of size 1 when dims is None, "
                               f"got {len(shifts)}")
        n = input.numel()
        if not n or not input.ndim:
            return input.clone()
        # one gather from the input itself (a new tensor, not a view of a flattened copy)
        src = ((np.arange(n) - int(shifts[0])) % n).reshape(input.shape)
        return input[np.unravel_index(src, input.shape)]
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    out = input
    for s, d in zip(shifts, dims):
        d = norm_dim(d, input.ndim, "roll")
        n = input.shape[d]
        if n:
            out = out[(slice(None),) * d + ((np.arange(n) - int(s)) % n,)]
    return out if out is not input else input.clone()


def movedim(input: Any, source: Any, destination: Any) -> Any:
    """A view with dims ``source`` moved to positions ``destination`` (others keep order)."""
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    n = input.ndim
    s = [norm_dim(d, n, "movedim") for d in src]
    t = [norm_dim(d, n, "movedim") for d in dst]
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)}) or `destination` "
                           f"({list(dst)})")
    order = [d for d in range(n) if d not in s]
    for dd, sd in sorted(zip(t, s)):
        order.insert(dd, sd)
    return permute(input, *order) if n else input.view(())


def ravel(input: Any) -> Any:
    """The elements as 1-D (a view when contiguous, else a copy)."""
    return reshape(input, -1)


def tile(input: Any, dims: Any) -> Any:
    """``repeat`` with ``dims`` padded with leading ones to the tensor's ndim."""
    dims = shape_arg((dims,)) if not isinstance(dims, (int, np.integer)) else (int(dims),)
    return repeat(input, *((1,) * (input.ndim - len(dims)) + tuple(dims)))


class Unfold(Op):
    """Every window of ``size`` elements, ``step`` apart, along ``dim``, as a new last dim
    (a view: windows overlap in memory when step < size)."""
    grad_fn_name = "UnfoldBackward0"
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, dim=0, size=1, step=1):
        ctx.window = (dim, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,)
        strides = (x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:]
                   + (x.strides[dim],))
        return np.lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        dim, size, step = ctx.window
        return UnfoldInto.call(g, shape=ctx.inputs[0].shape, dim=dim, size=size, step=step)


class UnfoldInto(Op):
    """zeros(shape) with every window of ``g`` added back in place (overlaps accumulate):
    Unfold's adjoint."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, g, shape=None, dim=0, size=1, step=1):
        ctx.window = (dim, size, step)
        out = np.zeros(shape, dtype=g.dtype)
        if not shape:
            return g.reshape(())
        n = g.shape[dim]
        for k in range(size):  # element k of every window: distinct targets k, k + step, ...
            sl = (slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)
            out[sl] += g[..., k]
        return out

    @staticmethod
    def backward(ctx, g):
        dim, size, step = ctx.window
        return Unfold.call(g, dim=dim, size=size, step=step)


def unfold(input: Any, dimension: int, size: int, step: int) -> Any:
    """A view of all slices of ``size`` elements ``step`` apart along ``dimension``, as a new
    last dim: (.., n, ..) -> (.., (n - size) // step + 1, .., size)."""
    d = norm_dim(dimension, input.ndim, "unfold")
    n = input.shape[d] if input.ndim else 1
    if size < 0 or size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim=d, size=int(size), step=int(step))


def narrow_copy(input: Any, dim: int, start: int, length: int) -> Any:
    """``narrow`` as a new tensor (a copy)."""
    return narrow(input, dim, start, length).clone()


def sum_to_size(input: Any, *size: Any) -> Any:
    """The sum of ``input`` down to ``size`` (which must expand to the input's shape)."""
    size = shape_arg(size)
    try:
        ok = np.broadcast_shapes(size, input._data.shape) == input._data.shape
    except ValueError:
        ok = False
    if not ok or len(size) > input.ndim:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size "
                           f"{{{list(input.shape)}}}.")
    return SumTo.apply(input, shape=size) if size != input._data.shape else input


def resize(input: Any, *sizes: Any) -> Any:
    """``Tensor.resize`` (deprecated in PyTorch): a reshape that must keep the element count."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    sizes = shape_arg(sizes)
    if int(np.prod(sizes)) != input.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} "
                           f"({int(np.prod(sizes))} elements in total), but the given tensor "
                           f"has a size of {'x'.join(map(str, input.shape))} ({input.numel()} "
                           f"elements). autograd's resize can only change the shape of a given "
                           f"tensor, while preserving the number of elements.")
    return reshape(input, sizes)


def resize_as(input: Any, the_template: Any) -> Any:
    """``resize(the_template.shape)``."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resize(input, the_template.shape)


def _view_in_place(t: Any, what: str, view: Any, *args: Any) -> Any:
    """``t`` becomes ``view(t, *args)`` (unsqueeze_, transpose_ ...): the same memory in a new
    shape, the view op added to its history, its version bumped (as PyTorch's in-place view
    ops do). A view stays a view of its base, its chain of view ops one longer; views taken
    from ``t`` before are re-linked to its old shape (see :func:`_relink_views`)."""
    if engine.is_grad_enabled():  # (not check_writable: an expanded tensor may change shape)
        if t.requires_grad and t._node is None:
            raise RuntimeError(f"{what}: a leaf Variable that requires grad is being used in "
                               f"an in-place operation.")
        if t._base is not None and t._base.requires_grad and t._base._node is None:
            raise RuntimeError(f"{what}: a view of a leaf Variable that requires grad is being "
                               f"used in an in-place operation.")
    res = view(t, *args)
    if res is not t:
        _, vcls, vparams = res._view_of
        before = engine.Tensor._wrap(t._data, t.requires_grad, vc=t._vc)
        before._node = t._node
        if t._base is not None:  # the old t, as it was derived from its base
            before._base, before._view_of = t._base, t._view_of
            t._view_of = (before,) + res._view_of[1:]
        else:  # t is the base: its old shape is a view of the new one
            inverse = (vcls, vparams) if vcls is Transpose else \
                (Reshape, {"shape": t._data.shape})
            before._base, before._view_of = t, (t,) + inverse
        t._data = res._data
        t._node, t.requires_grad = res._node, res.requires_grad
        _relink_views(t, before)
    inplace.bump_version(t)
    return t


def _relink_views(t: Any, before: Any) -> None:
    """Views derived from ``t`` before an in-place shape change were derived from its old
    shape: their links to ``t`` now start from ``before`` (its old self), so that re-deriving
    them (``refresh_views``, in-place ops on them) replays the right view ops. Only views the
    version counter tracks (views of graph tensors) can be found."""
    for ref in (t._vc or [])[2:]:
        v = ref()
        while v is not None and v is not t and v is not before:
            link = getattr(v, "_view_of", None)
            if link is None:
                break
            if link[0] is t:
                v._view_of = (before,) + link[1:]
                break
            v = link[0]


def unsqueeze_(input: Any, dim: int) -> Any:
    """``unsqueeze`` in place."""
    return _view_in_place(input, "unsqueeze_", unsqueeze, dim)


def squeeze_(input: Any, dim: Any = None) -> Any:
    """``squeeze`` in place."""
    return _view_in_place(input, "squeeze_", squeeze, dim)


def transpose_(input: Any, dim0: int, dim1: int) -> Any:
    """``transpose`` in place."""
    return _view_in_place(input, "transpose_", transpose, dim0, dim1)


def t_(input: Any) -> Any:
    """``t`` in place."""
    return _view_in_place(input, "t_", t)


def resize_(input: Any, *sizes: Any) -> Any:
    """The tensor given ``sizes`` in place: its elements kept in order, as many as fit; new
    elements (when it grows) are zeros here, uninitialised memory in PyTorch."""
    sizes = shape_arg(sizes)
    if builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f"resize_(): Trying to create tensor with negative dimension: "
                           f"{list(sizes)}")
    if engine.is_grad_enabled() and input.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = int(np.prod(sizes))
    flat = input._data.reshape(-1)  # (a copy only for a non-contiguous tensor, as PyTorch's)
    if n <= flat.size and np.shares_memory(flat, input._data):
        input._data = flat[:n].reshape(sizes)
    else:
        new = np.zeros(n, input._data.dtype)
        k = builtins.min(n, flat.size)
        new[:k] = flat[:k]
        input._data = new.reshape(sizes)
    inplace.bump_version(input)
    return input


def resize_as_(input: Any, the_template: Any) -> Any:
    """``resize_(the_template.shape)``."""
    return resize_(input, *the_template.shape)


# conversions and helpers of Tensor

def type_as(input: Any, other: Any) -> Any:
    """``input`` in ``other``'s dtype."""
    return input.to(other.dtype)


def byte(input: Any) -> Any:
    """``to(uint8)``."""
    return input.to(_dtype.uint8)


def char(input: Any) -> Any:
    """``to(int8)``."""
    return input.to(_dtype.int8)


def short(input: Any) -> Any:
    """``to(int16)``."""
    return input.to(_dtype.int16)


def bfloat16(input: Any) -> Any:
    """``to(bfloat16)``: needs the ``ml_dtypes`` package (NumPy has no bfloat16); without it
    a TypeError names it (``_dtype.get_bfloat16``'s placeholder)."""
    bf16 = _dtype.get_bfloat16()
    bf16.np  # noqa: B018 - without ml_dtypes the placeholder raises here, naming the package
    return input.to(bf16)


def ndimension(input: Any) -> int:
    """The number of dims (``dim()``)."""
    return input.ndim


def new(input: Any, *args: Any) -> Any:
    """``Tensor.new``: with sizes, a tensor of them (zeros here; uninitialised in PyTorch);
    with data, a tensor of it; either in ``input``'s dtype."""
    if len(args) == 1 and isinstance(args[0], engine.Tensor):
        if args[0]._data.dtype != input._data.dtype:
            raise TypeError(f"new(): expected a tensor of dtype {input.dtype}, got "
                            f"{args[0].dtype}")
        return args[0].detach()
    if len(args) == 1 and isinstance(args[0], (list, tuple)) and type(args[0]).__name__ != "Size":
        return engine.Tensor._wrap(np.array(args[0], dtype=input._data.dtype))
    return engine.Tensor._wrap(np.zeros(shape_arg(args) if args else (0,), input._data.dtype))


def detach_(input: Any) -> Any:
    """``Tensor.detach_``: the tensor itself, cut from its history (a leaf)."""
    return input.detach_()
