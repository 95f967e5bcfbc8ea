"""Shape ops: reshape, broadcast, transpose/permute, concatenation, padding, repetition, and
basic selection (getitem and its adjoint)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _dtype
from .._dtype import promote
from .._errors import IndexOutOfRangeError
from ..autograd import engine
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
    """``reshape`` that refuses to copy (PyTorch's view rule)."""
    if len(shape) == 1 and isinstance(shape[0], (_dtype.dtype, type, np.dtype, str)):
        raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
    target = infer_shape(shape_arg(shape), input._data.size, "view")
    if not _viewable(input._data, target):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): a view of shape "
            f"{list(input.shape)} as {list(target)} needs a copy. Use .reshape(...) instead.")
    return Reshape.apply(input, shape=target)


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


