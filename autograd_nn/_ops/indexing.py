"""Indexing ops: getitem and its adjoint, gather/scatter-add, index assignment, matmul."""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op


def is_basic_index(idx) -> bool:
    """True when ``idx`` (a tuple) uses only ints, slices, None and Ellipsis: a view, no repeats."""
    for i in idx:
        if not (i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))):
            return False
        if isinstance(i, (bool, np.bool_)):
            return False
    return True


class GetItem(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, idx=None):
        ctx.idx = idx
        return x[idx]

    @staticmethod
    def backward(ctx, g):
        return IndexAddInto.call(g, shape=ctx.inputs[0].shape, idx=ctx.idx)


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


class IndexPut(Op):
    """x with ``x[idx] = v`` (out of place; ``__setitem__`` writes the result back in place)."""

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
            gx = g * keep.astype(g.dtype if isinstance(g, np.ndarray) else g._data.dtype)
        if need_v:
            gv = GetItem.call(g, idx=idx)
        return gx, gv


class Gather(Op):
    """out[i][j][k] = x[i][index[i][j][k]][k] along ``dim`` (``index`` is a constant array)."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, index, dim=0):
        ctx.dim = dim
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        x, index = ctx.inputs[0], ctx.inputs[1]
        return ScatterAdd.call(g, index, shape=x.shape, dim=ctx.dim), None


class ScatterAdd(Op):
    """zeros(shape) with ``src`` scatter-added along ``dim`` at ``index``: gather's adjoint."""

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


class MatMul(Op):
    """a @ b with NumPy/PyTorch semantics for 1-D, 2-D and broadcast batched operands."""

    grad_reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return a @ b

    @staticmethod
    def backward(ctx, g):
        from .shape import SumTo, Transpose

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
