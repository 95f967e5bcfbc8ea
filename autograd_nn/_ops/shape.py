"""Shape ops: reshape, broadcast, transpose/permute, concatenation, padding, repetition."""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op


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


class Reshape(Op):
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.inputs[0].shape)


class ExpandTo(Op):
    """Broadcast to ``shape`` (PyTorch's expand); the gradient sums back."""

    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, shape=None):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return SumTo.call(g, shape=ctx.inputs[0].shape)


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


class Permute(Op):
    saved_inputs = ()
    is_view = True

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return Permute.call(g, dims=tuple(np.argsort(ctx.dims)))


class Cat(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .indexing import GetItem

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


class Stack(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .indexing import GetItem

        dim = ctx.dim
        return tuple(GetItem.call(g, idx=(slice(None),) * dim + (i,)) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


class Pad(Op):
    """Constant padding; ``widths`` is NumPy's ((before, after), ...) per axis, may be negative."""

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


class Repeat(Op):
    """np.tile semantics (PyTorch's Tensor.repeat); ``reps`` has at least x.ndim entries."""

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
        from .reduction import Sum

        gs = Sum.call(g.reshape(tuple(split)), dim=tuple(range(0, 2 * len(reps), 2)))
        return gs.reshape(x_shape)


class Flip(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dims=None):
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.call(g, dims=ctx.dims)
