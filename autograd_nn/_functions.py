"""Module-level functions (``autograd_nn.cat``, ``autograd_nn.exp`` ...), as PyTorch's torch.*."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import _dtype
from ._errors import IndexOutOfRangeError
from ._ops import elementwise as E
from ._ops import indexing as I
from ._ops import shape as S
from .tensor import Tensor, _binary, as_tensor_like, matmul  # noqa: F401 - re-exported


def _tensors(seq: Sequence[Any], op: str) -> list:
    if isinstance(seq, Tensor) or not isinstance(seq, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, got "
                        f"{type(seq).__name__}")
    if not seq:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    ts = [t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t)) for t in seq]
    target = _dtype.np_result_type([(t._data.dtype, False) for t in ts])
    return [t if t._data.dtype == target else t.to(_dtype.from_numpy_dtype(target)) for t in ts]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Concatenate along an existing ``dim``; all other sizes must match."""
    ts = _tensors(tensors, "cat")
    ts = [t for t in ts if not (t.ndim == 1 and t.shape[0] == 0)] or ts[:1]  # legacy empty
    nd = ts[0].ndim
    if nd == 0:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    d = S.norm_dim(dim, nd, "cat")
    ref = ts[0].shape
    for i, t in enumerate(ts):
        if t.ndim != nd or any(a != b for j, (a, b) in enumerate(zip(t.shape, ref)) if j != d):
            raise RuntimeError(f"cat(): Sizes of tensors must match except in dimension {d}. "
                               f"Expected size {list(ref)} but got size {list(t.shape)} for "
                               f"tensor number {i} in the list.")
    return S.Cat.apply(*ts, dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack equally shaped tensors along a new ``dim``."""
    ts = _tensors(tensors, "stack")
    ref = ts[0].shape
    for i, t in enumerate(ts):
        if t.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    d = S.norm_dim(dim, len(ref) + 1, "stack")
    return S.Stack.apply(*ts, dim=d)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of size ``split_size`` (the last may be smaller) or of the listed sizes."""
    d = S.norm_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(x[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of size ceil(n / chunks) (fewer if n is small), as PyTorch."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x.shape[S.norm_dim(dim, x.ndim, "chunk")]
    step = max(-(-n // chunks), 1)
    return split(x, step, dim)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """Elementwise ``input if condition else other``; both branches broadcast."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtype.from_numpy_dtype(cond.dtype)}")
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            from ._creation import tensor

            input = tensor(input)
        else:
            input = as_tensor_like(input, other)
    other = as_tensor_like(other, input) if not isinstance(other, Tensor) else other
    if input._data.dtype != other._data.dtype:
        target = _dtype.np_result_type([(input._data.dtype, input.ndim == 0),
                                        (other._data.dtype, other.ndim == 0)])
        input, other = (t if t._data.dtype == target else E.Cast.apply(t, dtype=target)
                        for t in (input, other))
    try:
        return E.Where.apply(cond, input, other)
    except ValueError:
        from .tensor import broadcast_error

        raise broadcast_error("where", cond.shape, input.shape, other.shape) from None


def _index_array(index: Any, op: str) -> np.ndarray:
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
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


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """out[..., i, ...] = x[..., index[..., i, ...], ...] along ``dim``."""
    idx = _index_array(index, "gather")
    d = S.norm_dim(dim, x.ndim, "gather")
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
    return I.Gather.apply(x, idx, dim=d)


def scatter_add(x: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """x plus ``src`` scatter-added at ``index`` along ``dim`` (out of place)."""
    idx = _index_array(index, "scatter_add")
    d = S.norm_dim(dim, x.ndim, "scatter_add")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"scatter_add(): Index tensor must have the same number of dimensions "
                           f"as self tensor (index {idx.ndim}-D, self {x.ndim}-D)")
    _check_index_bounds(idx, x.shape[d], d, "scatter_add")
    src = src[tuple(slice(0, s) for s in idx.shape)]
    return x + I.ScatterAdd.apply(src, idx, shape=x._data.shape, dim=d)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """Values of ``input`` at ``indices`` along ``dim``: gather after broadcasting ``input`` and
    ``indices`` against each other in every dim but ``dim`` (same ndim required); with
    ``dim=None`` both are flattened and the result is 1-D. Differentiable in ``input``."""
    op = "torch.take_along_dim()"
    if not isinstance(input, Tensor):
        from ._creation import tensor

        input = tensor(input)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
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
        d = S.norm_dim(dim, input.ndim, "take_along_dim")
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
    return I.Gather.apply(x, idx, dim=d)


def einsum(equation: Any, *operands: Any) -> Tensor:
    """Sum of products over the subscripts of ``equation`` (torch.einsum): 'ij,jk->ik',
    implicit outputs ('ij,jk'), diagonals ('ii->i'), broadcasting '...', any number of operands,
    given as varargs or one list, or in the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.
    Differentiable to any order (the backward of an einsum is einsums)."""
    from ._ops import extra as X

    if not isinstance(equation, str):  # sublist format: op, [dims], op, [dims], ..., [out]
        args = (equation,) + operands
        pairs, out = args[: len(args) // 2 * 2], args[len(args) // 2 * 2:]

        def letters(dims: Any) -> str:
            for e in dims:
                if e is not Ellipsis and not (isinstance(e, int) and 0 <= e < 52):
                    raise ValueError(f"einsum(): subscript in subscript list is not within the "
                                     f"valid range [0, 52), got {e!r}")
            return "".join("..." if e is Ellipsis else X._LETTERS[e] for e in dims)

        equation = ",".join(letters(s) for s in pairs[1::2])
        if out:
            equation += "->" + letters(out[0])
        operands = tuple(pairs[0::2])
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    from ._creation import tensor

    ts = [t if isinstance(t, Tensor) else tensor(t) for t in operands]
    eq, targets = X.parse_einsum(equation, tuple(tuple(t.shape) for t in ts))
    dtypes = {t._data.dtype for t in ts}
    if len(dtypes) > 1:
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                           f"{', '.join(str(_dtype.from_numpy_dtype(t._data.dtype)) for t in ts)}")
    ts = [t if t.shape == tgt else t.expand(*tgt) for t, tgt in zip(ts, targets)]
    return X.Einsum.apply(*ts, eq=eq)


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got "
                         f"{idx.ndim}-D")
    d = S.norm_dim(dim, x.ndim, "index_select")
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexOutOfRangeError(f"index_select(): index {bad} out of range for dimension "
                                   f"{d} of size {x.shape[d]} (index out of range in self)")
    return x[(slice(None),) * d + (idx.reshape(-1),)]


def masked_fill(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    """x with ``value`` where ``mask`` is True (mask broadcasts to x)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype "
                           f"{_dtype.from_numpy_dtype(m.dtype)}")
    try:
        np.broadcast_shapes(m.shape, x._data.shape)
    except ValueError:
        raise RuntimeError(f"masked_fill: mask of shape {list(m.shape)} is not broadcastable to "
                           f"input of shape {list(x.shape)}") from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        v = value.to(x.dtype) if value.requires_grad else value._data.astype(x._data.dtype)
    else:
        v = np.asarray(value, dtype=x._data.dtype)
    return E.Where.apply(m, v, x)


def one_hot(x: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last dimension of size ``num_classes``."""
    idx = _index_array(x, "one_hot")
    if idx.size and idx.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    n = int(idx.max()) + 1 if num_classes == -1 else num_classes
    if idx.size and idx.max() >= n:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({n}), got "
                           f"{int(idx.max())}")
    return Tensor._wrap((idx[..., None] == np.arange(n)).astype(np.int64))


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` is (left, right, top, bottom, ...)."""
    if len(pad) % 2:
        raise RuntimeError(f"pad: Padding length must be divisible by 2, got {len(pad)}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: Padding length too large: {len(pad)} for a {x.ndim}-D input")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        ax = x.ndim - 1 - i
        widths[ax] = (int(pad[2 * i]), int(pad[2 * i + 1]))
        if x.shape[ax] + min(widths[ax][0], 0) + min(widths[ax][1], 0) < 0:  # crops first
            raise RuntimeError(f"pad: padding {widths[ax]} removes more than the {x.shape[ax]} "
                               f"elements of dim {ax} (input shape {list(x.shape)}, pad "
                               f"{list(pad)})")
    if mode == "constant":
        return S.Pad.apply(x, widths=tuple(widths), value=0.0 if value is None else value)
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
        return out
    raise NotImplementedError(f"pad: mode {mode!r} (expected constant, reflect, replicate or "
                              f"circular)")


def _method_fn(name: str) -> Callable:
    def fn(x: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(x, Tensor):
            from ._creation import tensor

            x = tensor(x)
        return getattr(x, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"Function form of ``Tensor.{name}``."
    return fn


_METHODS = [
    "exp", "log", "log1p", "sqrt", "rsqrt", "abs", "neg", "negative", "sin", "cos", "tanh",
    "sigmoid", "relu", "sign", "clamp", "clip", "sum", "mean", "var", "std", "amax", "amin",
    "logsumexp", "prod", "norm", "softmax", "log_softmax", "reshape", "flatten", "squeeze",
    "unsqueeze", "transpose", "permute", "t", "argmax", "argmin", "maximum", "minimum", "max",
    "min", "square", "reciprocal", "isnan", "isinf", "isfinite", "cumsum", "flip", "narrow",
    "unbind", "tril", "triu", "allclose", "equal", "numel", "clone", "detach", "mm", "bmm", "dot",
    "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge", "logical_not",
    "logical_and", "logical_or", "any", "all", "lerp", "swapaxes", "repeat",
    "floor", "ceil", "round", "trunc", "fix", "frac", "cumprod",
]

# The function forms live in this dict (not in this module's globals, where names such as
# ``min`` and ``sum`` would shadow the builtins); the package namespace exports them.
METHOD_FUNCTIONS = {_n: _method_fn(_n) for _n in _METHODS}


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def broadcast_tensors(*tensors: Tensor) -> tuple:
    shape = np.broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple:
    return tuple(np.broadcast_shapes(*shapes))


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.reshape(-1, 1) * b.reshape(1, -1)


def _sorted_with_indices(x: Tensor, dim: int = -1, descending: bool = False) -> tuple:
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
    return x.gather(dim, Tensor._wrap(idx)), Tensor._wrap(idx.astype(np.int64))


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> tuple:
    """(values, indices) sorted along ``dim``; values are differentiable."""
    from .tensor import values_indices

    v, i = _sorted_with_indices(x, dim, descending)
    return values_indices(v, i)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple:
    from .tensor import values_indices

    v, i = _sorted_with_indices(x, dim, largest)
    d = S.norm_dim(dim, x.ndim, "topk")
    sl = (slice(None),) * d + (slice(0, k),)
    return values_indices(v[sl], i[sl])


def argsort(x: Tensor, dim: int = -1, descending: bool = False) -> Tensor:
    return _sorted_with_indices(x, dim, descending)[1]
