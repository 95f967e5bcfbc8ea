"""Elementwise ops: arithmetic, math functions and activations.

Each op's forward (NumPy) and backward (operators and ``Op.call``s, so it works on arrays and,
under ``create_graph``, on Tensors) sit side by side. Broadcasting is undone by the engine.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.engine import Op
from . import xp

# ---------------------------------------------------------------------------------- arithmetic


class Add(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    grad_reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Op):
    grad_reads = ((1,), (0, 1))

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -g * a / (b * b) if need_b else None
        return ga, gb


class Pow(Op):
    """a ** b for tensor a and tensor-or-constant b. Poles and roots of negatives give inf/nan
    silently, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        if _whole_nonneg(b):  # x ** 2 and friends: nothing to warn about
            return a ** b
        with np.errstate(divide="ignore", invalid="ignore"):
            return a ** b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if need_a and not need_b and np.ndim(b) == 0 and not xp.is_graph(b):
            b = float(b)  # the common x ** c: a plain power rule
            if b == 0:
                return g * 0, None
            if _whole_nonneg(b):
                return g * b * a ** (b - 1), None
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = gb = None
            if need_a:
                # b * a^(b-1), written so that b == 0 gives exactly 0 (PyTorch's convention)
                ga = Where.call(b == 0, 0.0, g * b * a ** (b - 1))
            if need_b:
                # d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch's rule; for
                # b < 0 it is inf * log 0 = -inf there)
                flat = (a == 0) & (b >= 0)
                gb = Where.call(flat, 0.0, g * a ** b * Log.call(Where.call(flat, 1.0, a)))
        return ga, gb


def _whole_nonneg(b) -> bool:
    """b is a Python number that is a whole number >= 1 or 0 (a ** b never warns)."""
    return (type(b) is int or type(b) is float) and b >= 0 and float(b).is_integer()


class Neg(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Maximum(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return _share(g, a > b, b > a, a == b)


class Minimum(Op):
    @staticmethod
    def forward(ctx, a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return _share(g, a < b, b < a, a == b)


def _share(g, a_wins, b_wins, tie):
    """Gradients of a two-way pick: to the winner, split evenly on ties (as PyTorch)."""
    half = xp.mask_like(tie, g) * 0.5
    return g * (xp.mask_like(a_wins, g) + half), g * (xp.mask_like(b_wins, g) + half)


class Where(Op):
    """where(cond, a, b); cond is a constant boolean array."""

    saved_inputs = (0,)

    @staticmethod
    def forward(ctx, cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond = ctx.inputs[0]
        _, need_a, need_b = ctx.needs_input_grad
        zero = g * 0
        return (None,
                Where.call(cond, g, zero) if need_a else None,
                Where.call(cond, zero, g) if need_b else None)


# ----------------------------------------------------------------------------- unary math


class Exp(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.out


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.inputs[0]


class Log1p(Op):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] + 1)


class Sqrt(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.out * 2)


class Rsqrt(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * y * y * y * -0.5


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * Sign.call(ctx.inputs[0])  # sign(0) = 0: the gradient of |x| at 0 is 0


class Sign(Op):
    """sign(x): differentiable with a zero gradient everywhere, as PyTorch (SignBackward0)."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * Cos.call(ctx.inputs[0])


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * Sin.call(ctx.inputs[0])


class Clamp(Op):
    """clamp(x, min, max) with scalar bounds (either may be None)."""

    @staticmethod
    def forward(ctx, x, min=None, max=None):  # noqa: A002 - PyTorch's names
        ctx.bounds = (min, max)
        lo = x.dtype.type(min) if min is not None else None
        hi = x.dtype.type(max) if max is not None else None
        if lo is not None and hi is not None and lo > hi:  # all max, NaN stays NaN (PyTorch)
            return np.where(x != x, x, hi).astype(x.dtype, copy=False)
        # maximum/minimum, not np.clip (~5 us of Python per call); NaN propagates in both
        if lo is not None:
            x = np.maximum(x, lo)
            if hi is None:
                return x
            return np.minimum(x, hi, out=x) if type(x) is np.ndarray else np.minimum(x, hi)
        return np.minimum(x, hi)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        lo, hi = ctx.bounds
        mask = np.ones(x.shape, dtype=bool)
        xd = xp.data(x)
        if lo is not None:
            mask &= xd >= lo
        if hi is not None:
            mask &= xd <= hi
        return g * xp.mask_like(mask, g)


# ------------------------------------------------------------------------------ activations


class Tanh(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * (1 - y * y)


class Sigmoid(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        # e = exp(-|x|) never overflows; sigmoid(|x|) = 1 / (1 + e), and for x < 0
        # sigmoid(x) = e / (1 + e) (no cancellation). In place: 7 ufunc calls, no temporaries.
        xs = x if x.ndim else x.reshape(1)  # (ufuncs return scalars for 0-d input)
        e = np.abs(xs)
        np.negative(e, out=e)
        np.exp(e, out=e)
        y = e + 1
        np.reciprocal(y, out=y)
        np.multiply(y, e, out=y, where=xs < 0)
        return y if x.ndim else y.reshape(())

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * y * (1 - y)


class Relu(Op):
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        return g * xp.mask_like(ctx.out > 0, g)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.slope = negative_slope
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        pos = xp.mask_like(x > 0, g)
        return g * (pos + (1 - pos) * ctx.slope)


class Elu(Op):
    @staticmethod
    def forward(ctx, x, alpha=1.0):
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        pos = xp.mask_like(x > 0, g)
        neg_part = Exp.call(Minimum.call(x, 0 * x)) * ctx.alpha
        return g * (pos + (1 - pos) * neg_part)


class Softplus(Op):
    """log(1 + exp(beta x)) / beta, linear above ``threshold`` (as PyTorch)."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * x.dtype.type(beta)
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / x.dtype.type(beta)
        return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        bx = x * ctx.beta
        lin = xp.mask_like(bx > ctx.threshold, g)
        return g * (lin + (1 - lin) * Sigmoid.call(bx))


class Gelu(Op):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "tanh":
            # 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation in 1 + tanh at the tail
            k2 = x.dtype.type(2 * math.sqrt(2 / math.pi))
            return x * Sigmoid.forward(None, k2 * (x + 0.044715 * x ** 3))
        from .special import erf

        return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.approximate == "tanh":
            # with s = sigmoid(2u), u = k (x + c x^3): 0.5 (1 + tanh u) = s and
            # 0.5 (1 - tanh^2 u) = 2 s sigmoid(-2u), both without cancellation
            k2 = 2 * math.sqrt(2 / math.pi)
            v = (x + x * x * x * 0.044715) * k2
            s = Sigmoid.call(v)
            dv = (1 + x * x * (3 * 0.044715)) * (k2 * 0.5)  # du/dx
            return g * (s + x * (2 * s * Sigmoid.call(-v)) * dv)
        from .special import Erf

        cdf = 0.5 * (1 + Erf.call(x * (1 / math.sqrt(2))))
        pdf = Exp.call(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


class Silu(Op):
    @staticmethod
    def forward(ctx, x):
        return x * Sigmoid.forward(ctx, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        s = Sigmoid.call(x)
        return g * (s * (1 + x * (1 - s)))


class Cast(Op):
    """Differentiable dtype conversion (the gradient is cast back by the engine)."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dtype=None):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g


class Clone(Op):
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g
