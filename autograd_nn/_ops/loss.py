"""Fused loss ops: class-index cross-entropy / NLL as one node, and BCE with PyTorch's
clamped gradient.

The class-index losses are linear in the log-probabilities: with a constant coefficient array
``coef`` (same shape as the input; it folds the target one-hot, class weights, ignore_index,
label smoothing and the mean's denominator together),

    nll:            loss = -sum_c coef * x
    cross-entropy:  loss = -sum_c coef * log_softmax(x)
                    dloss/dx = g * (softmax(x) * sum_c coef - coef)

Both rules use dispatching ops only, so they differentiate again under ``create_graph``.
"""

from __future__ import annotations

import numpy as np

from ..autograd.engine import Op
from . import xp
from .elementwise import Clamp, Log, Log1p
from .reduction import Softmax, mean_of

__all__ = ["WeightedNll", "CrossEntropy", "BinaryCrossEntropy", "CtcLoss", "MseLoss"]


def _expand_g(g, ctx):
    """The incoming gradient broadcastable against the (N, C, ...) input."""
    if ctx.none:  # g has the per-sample shape (N, d1, ...): add the class axis back
        return g.reshape(g.shape[:1] + (1,) + g.shape[1:])
    return g


class WeightedNll(Op):
    """``forward(x (N, C, ...), coef=..., none=bool)``: -sum over C of coef * x, per sample
    when ``none`` else summed to a scalar."""
    grad_fn_name = "NllLossBackward0"
    saved_inputs = ()

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, x, coef=None, none=False):
        ctx.coef, ctx.none = coef, none
        out = 0.0 - _contract(coef, x)  # (not -c: an ignored target is +0, as PyTorch)
        return out if none else out.sum()

    @staticmethod
    def backward(ctx, g):
        return _expand_g(g, ctx) * (-ctx.coef)


class CrossEntropy(Op):
    """``forward(x (N, C, ...) logits, coef=..., none=bool)``: fused log_softmax + weighted nll."""
    grad_fn_name = "NllLossBackward0"
    saved_inputs = (0,)

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, x, coef=None, none=False):
        ctx.coef, ctx.none = coef, none
        # two full-size temporaries only (fresh large arrays cost page faults): the shifted
        # logits become log-probabilities in place, the exponentials become probabilities
        logp = x - x.max(axis=1, keepdims=True)
        e = np.exp(logp)
        s = e.sum(axis=1, keepdims=True)
        np.subtract(logp, np.log(s), out=logp)
        ctx.probs = np.divide(e, s, out=e)  # reused by a plain backward: no second exp
        ctx.coef_sum = coef.sum(axis=1, keepdims=True)
        out = 0.0 - _contract(coef, logp)
        return out if none else out.sum()

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        if isinstance(x, np.ndarray):
            grad = np.multiply(ctx.probs, ctx.coef_sum)
            grad -= ctx.coef
            grad *= _expand_g(g, ctx)
            return grad
        # under create_graph x is a Tensor: recompute softmax as a recorded (differentiable) op
        p = Softmax.call(x, dim=1)
        return _expand_g(g, ctx) * (p * ctx.coef_sum - ctx.coef)


def _contract(coef, y):
    """sum over axis 1 of coef * y without a full-size temporary when 2-D."""
    if y.ndim == 2 and y.dtype.kind == "f":  # (NumPy's einsum has no bfloat16)
        return np.einsum("ij,ij->i", coef, y)
    return (coef * y).sum(axis=1)


# PyTorch's EPSILON is the float literal 1e-12f; its exact value matters where p(1 - p) < eps
_BCE_EPS = float(np.float32(1e-12))


class BinaryCrossEntropy(Op):
    """``forward(p, target, weight=None, reduction="mean")``: elementwise
    -w * (t * max(log p, -100) + (1 - t) * max(log(1 - p), -100)), then reduced ("mean", "sum"
    or "none") in the same node. Gradient w * (p - t) / max(p * (1 - p), 1e-12) as PyTorch
    (finite at p in {0, 1}); the target's gradient is
    w * (max(log(1 - p), -100) - max(log p, -100))."""
    grad_fn_name = "BinaryCrossEntropyBackward0"
    saved_inputs = (0, 1)

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, x, t, weight=None, reduction="mean"):
        ctx.weight, ctx.reduction, ctx.n = weight, reduction, x.size
        xs = x if x.ndim else x.reshape(1)  # (ufuncs return scalars for 0-d, not arrays)
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.log(xs)
            l1x = np.log1p(-xs)
        np.maximum(lx, -100, out=lx)
        np.maximum(l1x, -100, out=l1x)
        # -(t * lx + (1 - t) * l1x), in place on lx
        lx -= l1x
        lx *= t
        lx += l1x
        out = np.negative(lx, out=lx)
        if weight is not None:
            out *= weight
        if reduction != "none":
            if reduction == "sum":
                out = out.sum()
            else:  # the mean of nothing is NaN, as PyTorch (without NumPy's warning)
                out = mean_of(out)
        elif not x.ndim:
            out = out.reshape(())
        # a NaN means an input outside [0, 1] (or NaN), or a NaN target/weight: only the first
        # is an error, and checking for it only then keeps the common path free of the test
        if np.isnan(out.sum() if reduction == "none" else out) and \
                not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError(
                f"binary_cross_entropy: all elements of input should be between 0 and 1 (got "
                f"min {np.nanmin(x) if x.size else '-'}, max {np.nanmax(x) if x.size else '-'}"
                f"{', and NaN' if np.isnan(x).any() else ''}); for logits use "
                f"binary_cross_entropy_with_logits")
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.inputs
        need_x, need_t = ctx.needs_input_grad[:2]
        w, reduction = ctx.weight, ctx.reduction
        if reduction == "mean":
            g = g * (1.0 / ctx.n if ctx.n else np.nan)
        gx = gt = None
        if need_x:
            if isinstance(x, np.ndarray) and x.ndim:  # the plain path: in place, no temporaries
                d = 1 - x
                d *= x
                np.maximum(d, _BCE_EPS, out=d)
                gx = x - t
                gx /= d
                gx *= g
            else:
                gx = g * (x - t) / Clamp.call((1 - x) * x, min=_BCE_EPS)
            if w is not None:
                gx = gx * w
        if need_t:  # d/dt = max(log(1 - p), -100) - max(log p, -100)
            gt = g * (Clamp.call(Log1p.call(-x), min=-100.0) - Clamp.call(Log.call(x), min=-100.0))
            if w is not None:
                gt = gt * w
        return gx, gt


# --- connectionist temporal classification
def _lse(*terms: np.ndarray) -> np.ndarray:
    """log(sum(exp(terms))) elementwise, -inf where every term is -inf."""
    m = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(sum(np.exp(t - safe) for t in terms))


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` moved k places right (k < 0: left), -inf coming in."""
    out = np.full_like(a, -np.inf)
    if abs(k) < len(a):
        if k >= 0:
            out[k:] = a[:len(a) - k]
        else:
            out[:k] = a[-k:]
    return out


def _ctc_one(lp: np.ndarray, labels: np.ndarray, blank: int) -> tuple:
    """One sample: lp (T, C) float64 log-probabilities, labels (S,). Returns the negative log
    likelihood and the (T, C) log of sum over extended-label positions of alpha * beta (whose
    paths hold lp[t, c] twice), by the forward and backward recursions in log space."""
    T = lp.shape[0]
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = labels
    L = len(ext)
    # a skip (s-2 -> s) is allowed onto a label that differs from the one two before
    skip = np.zeros(L, dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    ninf = np.full(L, -np.inf)
    alpha = np.full((T, L), -np.inf)
    alpha[0, :min(2, L)] = lp[0, ext[:min(2, L)]]
    for t in range(1, T):
        a = alpha[t - 1]
        a1, a2 = _shift(a, 1), np.where(skip, _shift(a, 2), ninf)
        alpha[t] = lp[t, ext] + _lse(a, a1, a2)
    beta = np.full((T, L), -np.inf)
    beta[T - 1, max(0, L - 2):] = lp[T - 1, ext[max(0, L - 2):]]
    skip_from = np.zeros(L, dtype=bool)  # s -> s+2 allowed when s+2 may be skipped onto
    skip_from[:-2] = skip[2:]
    for t in range(T - 2, -1, -1):
        b = beta[t + 1]
        b1, b2 = _shift(b, -1), np.where(skip_from, _shift(b, -2), ninf)
        beta[t] = lp[t, ext] + _lse(b, b1, b2)
    nll = -_lse(alpha[T - 1, L - 1], alpha[T - 1, L - 2] if L > 1 else -np.inf)
    ab = alpha + beta
    lcab = np.full(lp.shape, -np.inf)
    for c in np.unique(ext):
        lcab[:, c] = _lse(*ab[:, ext == c].T)
    return float(nll), lcab


class CtcLoss(Op):
    """``forward(log_probs (T, N, C), targets=[(S_b,) per sample], input_lengths=...,
    blank=..., zero_infinity=...)``: the per-sample negative log likelihood (N,) of the
    targets under every alignment. Its gradient is PyTorch's: ``exp(lp) - exp(lcab + nll - lp)``
    per time step within the sample's length (the form that assumes log_softmax inputs), 0 for
    an infinite loss under ``zero_infinity``. Differentiable once, as PyTorch's."""

    saved_inputs = ()

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, lp, targets=None, input_lengths=None, blank=0, zero_infinity=False):
        T, N, C = lp.shape
        lp64 = lp.astype(np.float64)
        nll = np.zeros(N)
        grad = np.zeros((T, N, C))
        for b in range(N):
            tb = int(input_lengths[b])
            if tb == 0:
                nll[b] = 0.0 if len(targets[b]) == 0 else np.inf
                continue
            x = lp64[:tb, b]
            nll[b], lcab = _ctc_one(x, targets[b], blank)
            if np.isinf(nll[b]) and zero_infinity:
                nll[b] = 0.0
                continue
            with np.errstate(invalid="ignore", over="ignore"):
                grad[:tb, b] = np.exp(x) - np.exp(lcab + nll[b] - x)
        ctx.grad = grad.astype(lp.dtype, copy=False)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if xp.is_graph(g):
            raise RuntimeError("ctc_loss: double backward is not implemented (as in PyTorch: "
                               "the derivative of _ctc_loss_backward)")
        return ctx.grad * g[None, :, None]
class MseLoss(Op):
    """``forward(input, target, reduction="mean")``: (input - target)^2 (broadcasting), then
    reduced ("mean", "sum" or "none") in the same node, as PyTorch's one ``MseLossBackward0``
    (whose ``next_functions`` reach the input's node directly). Gradient 2 (input - target) g,
    over the element count for "mean"; the target's is its negation."""

    grad_fn_name = "MseLossBackward0"

    @staticmethod
    @xp.float32_for_bfloat16
    def forward(ctx, x, t, reduction="mean"):
        ctx.reduction = reduction
        d = x - t
        sq = np.multiply(d, d, out=d) if type(d) is np.ndarray else d * d
        if reduction == "none":
            return sq
        return np.asarray(sq.sum() if reduction == "sum" else mean_of(sq), dtype=sq.dtype)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.inputs
        need_x, need_t = ctx.needs_input_grad
        d = x - t
        if ctx.reduction == "mean":
            n = int(np.prod(np.broadcast_shapes(np.shape(x), np.shape(t))))
            g = g * (2.0 / n if n else np.nan)
        else:
            g = g * 2.0
        gx = d * g
        return (gx if need_x else None), (-gx if need_t else None)
