"""Scaled dot-product attention as one fused op, and the "safe" softmax it is built on.

``softmax(q @ k^T * scale + bias) @ v`` as a single graph node: its forward keeps the attention
probabilities for the backward (five NumPy matmuls in all, no intermediate nodes), which is
what ``F.scaled_dot_product_attention`` uses. A row whose scores are all ``-inf`` (every key
masked) gives zero probabilities, hence a zero output and zero gradients, as PyTorch's
``_safe_softmax`` does.
"""

from __future__ import annotations

import numpy as np

from ..autograd import engine
from ..autograd.engine import Op
from . import xp
from .indexing import MatMul
from .reduction import Sum

__all__ = ["SafeSoftmax", "ScaledDotProductAttention"]


def _mT(x):  # noqa: N802 - PyTorch's name for the last-two-dims transpose
    """Swap the last two dims of an array or a Tensor (ndarray.mT needs NumPy >= 2)."""
    return x.mT if isinstance(x, engine.Tensor) else np.swapaxes(x, -1, -2)


def _safe_softmax_np(s: np.ndarray, inplace: bool = False) -> np.ndarray:
    """Softmax over the last dim; a row of only -inf gives zeros instead of NaN. With
    ``inplace`` the scores array is overwritten (no temporaries of its size)."""
    m = s.max(axis=-1, keepdims=True)
    m[np.isneginf(m)] = 0  # all -inf: exp(-inf - 0) = 0, the row sums to 0 below
    e = np.subtract(s, m, out=s if inplace else None)
    np.exp(e, out=e)
    den = e.sum(axis=-1, keepdims=True)
    den[den == 0] = 1
    e /= den
    return e


class SafeSoftmax(Op):
    """Softmax over the last dim, zero on a row of only ``-inf`` (PyTorch's _safe_softmax)."""
    grad_fn_name = "SafeSoftmaxBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return _safe_softmax_np(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return y * (g - Sum.call(g * y, dim=(-1,), keepdim=True))


class ScaledDotProductAttention(Op):
    """``forward(q (..., L, E), k (..., S, E), v (..., S, Ev), bias (..., L, S) optional)``
    -> (..., L, Ev), batch dims broadcasting.

    ``bias`` is added to the scaled scores (``-inf`` masks a key; differentiable when it is a
    float Tensor). ``keep`` is an optional dropout multiplier on the probabilities (0 or
    1 / (1 - p), broadcast to (..., L, S)). The plain backward reuses the saved probabilities;
    under ``create_graph`` it recomputes them from differentiable ops, so the gradient is
    differentiable again.
    """
    grad_fn_name = "ScaledDotProductFlashAttentionForCpuBackward0"

    @staticmethod
    def forward(ctx, q, k, v, bias=None, scale=1.0, keep=None):
        s = xp.matmul(q, _mT(k))
        s *= s.dtype.type(scale)
        if bias is not None:
            if np.broadcast_shapes(s.shape, bias.shape) == s.shape:
                s += bias  # s is this op's own array: no second (..., L, S) temporary
            else:
                s = s + bias
        p = _safe_softmax_np(s, inplace=True)  # s is this op's own array
        ctx.p, ctx.scale, ctx.keep = p, scale, keep
        return xp.matmul(p if keep is None else p * keep, v)

    @staticmethod
    def backward(ctx, g):
        q, k, v = ctx.inputs[0], ctx.inputs[1], ctx.inputs[2]
        needs = ctx.needs_input_grad
        scale, keep = ctx.scale, ctx.keep
        has_bias = len(needs) > 3
        if isinstance(g, engine.Tensor):  # create_graph: probabilities as a function of q, k
            s = MatMul.call(q, _mT(k)) * scale
            p = SafeSoftmax.call(s + ctx.inputs[3] if has_bias else s)
        else:
            p = ctx.p
        gq = gk = gv = gb = None
        if needs[2]:
            gv = MatMul.call(_mT(p if keep is None else p * keep), g)
        if needs[0] or needs[1] or (has_bias and needs[3]):
            dp = MatMul.call(g, _mT(v))
            if keep is not None:
                dp = dp * keep
            if isinstance(dp, np.ndarray):  # softmax backward p (dp - sum(dp p)), in place
                dp *= p
                ds = dp
                ds -= p * dp.sum(axis=-1, keepdims=True)
            else:
                ds = p * (dp - Sum.call(dp * p, dim=(-1,), keepdim=True))
            if has_bias and needs[3]:
                gb = ds
            if needs[0] or needs[1]:
                ds = ds * scale
                gq = MatMul.call(ds, k) if needs[0] else None
                gk = MatMul.call(_mT(ds), q) if needs[1] else None
        if has_bias:
            return gq, gk, gv, gb
        return gq, gk, gv
