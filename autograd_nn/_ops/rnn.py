"""The recurrent scan: one Op running a whole layer-direction of an RNN, LSTM or GRU.

The input projection ``x @ W_ih^T + b_ih`` of every time step is computed beforehand with one
matmul (ordinary ops); this Op runs only the sequential part. Its state per step is ``h`` (RNN,
GRU) or ``[h, c]`` concatenated (LSTM), and it returns all states, (T, B, S); the caller slices
outputs and final states from it. Cells are written once (``_CELLS``) on a tiny backend so the
same code runs on NumPy arrays (the fast path, which also saves activations for the
hand-written backward) and on Tensors (the differentiable recomputation used when a gradient
of the gradient is asked for, i.e. ``create_graph=True``).

Variable lengths (packed sequences) use a (T, B) mask: a masked step keeps the previous state,
so the last state holds each sequence's state at its own last step, and a reverse scan starts
each sequence at its own end.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.engine import Op
from .elementwise import Relu, Sigmoid, Tanh

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Sigmoid.forward is overflow-free at any logit; the plain form is faster and is exact
    # enough except for huge negative inputs, where exp overflows to inf -> 0 (correct limit).
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


class _NP:
    """NumPy backend of the cell code."""

    sigmoid = staticmethod(_sigmoid)
    tanh = staticmethod(np.tanh)
    relu = staticmethod(lambda x: np.maximum(x, 0))


class _T:
    """Tensor backend: every op recorded (differentiable to any order)."""

    sigmoid = staticmethod(Sigmoid.apply)
    tanh = staticmethod(Tanh.apply)
    relu = staticmethod(Relu.apply)


# ------------------------------------------------------------------------------ cells
# A cell maps (xp_t, state, weights) -> (new h, new c or None, cache); the cache (NumPy path
# only) is what its backward needs. ``w`` = (w_hh, b_hh or None, w_hr or None).

def _hidden(h, w):
    gh = h @ w[0].T
    return gh if w[1] is None else gh + w[1]


def _rnn_cell(act):
    def cell(xp, h, c, w, H, be):
        h2 = getattr(be, act)(xp + _hidden(h, w))
        return h2, None, (h2,)
    return cell


def _lstm_cell(xp, h, c, w, H, be):
    gates = xp + _hidden(h, w)
    i = be.sigmoid(gates[:, :H])
    f = be.sigmoid(gates[:, H:2 * H])
    g = be.tanh(gates[:, 2 * H:3 * H])
    o = be.sigmoid(gates[:, 3 * H:])
    c2 = f * c + i * g
    tc = be.tanh(c2)
    hr = o * tc
    h2 = hr if w[2] is None else hr @ w[2].T
    return h2, c2, (i, f, g, o, tc, hr)


def _gru_cell(xp, h, c, w, H, be):
    gh = _hidden(h, w)
    r = be.sigmoid(xp[:, :H] + gh[:, :H])
    z = be.sigmoid(xp[:, H:2 * H] + gh[:, H:2 * H])
    hn = gh[:, 2 * H:]
    n = be.tanh(xp[:, 2 * H:] + r * hn)
    h2 = (1 - z) * n + z * h
    return h2, None, (r, z, n, hn)


_CELLS = {"RNN_TANH": _rnn_cell("tanh"), "RNN_RELU": _rnn_cell("relu"),
          "LSTM": _lstm_cell, "GRU": _gru_cell}


# --------------------------------------------------- hand-written NumPy backward of a step
# Given dh (B, P) and dc (B, H) w.r.t. the new state, return (dgates wrt xp, dgates wrt the
# hidden projection h @ W_hh^T + b_hh, dh_prev partial (not through W_hh), dc_prev, dhr).

def _rnn_back(act):
    def back(dh, dc, cache, h_prev, c_prev, H):
        (h2,) = cache
        d = dh * (1 - h2 * h2) if act == "tanh" else dh * (h2 > 0)
        return d, d, None, None, None
    return back


def _lstm_back(dh, dc, cache, h_prev, c_prev, H, w_hr=None):
    i, f, g, o, tc, hr = cache
    dhr = dh if w_hr is None else dh @ w_hr
    dc = dc + dhr * o * (1 - tc * tc)
    d = np.empty(i.shape[:-1] + (4 * H,), dtype=dh.dtype)
    d[:, :H] = dc * g * i * (1 - i)
    d[:, H:2 * H] = dc * c_prev * f * (1 - f)
    d[:, 2 * H:3 * H] = dc * i * (1 - g * g)
    d[:, 3 * H:] = dhr * tc * o * (1 - o)
    return d, d, None, dc * f, dhr


def _gru_back(dh, dc, cache, h_prev, c_prev, H):
    r, z, n, hn = cache
    dn = dh * (1 - z) * (1 - n * n)
    dx = np.empty(r.shape[:-1] + (3 * H,), dtype=dh.dtype)
    dx[:, :H] = dn * hn * r * (1 - r)
    dx[:, H:2 * H] = dh * (h_prev - n) * z * (1 - z)
    dx[:, 2 * H:] = dn
    dgh = dx.copy()
    dgh[:, 2 * H:] = dn * r
    return dx, dgh, dh * z, None, None


_BACKS = {"RNN_TANH": _rnn_back("tanh"), "RNN_RELU": _rnn_back("relu"),
          "LSTM": _lstm_back, "GRU": _gru_back}


# ------------------------------------------------------------------------------ the scan

def scan(xp, s0, w, mode: str, H: int, P: int, mask: np.ndarray | None, reverse: bool,
         be: Any, caches: list | None = None):
    """Run the recurrence over T steps; returns the list of states (each (B, S)).

    ``xp`` (T, B, G*H); ``s0`` (B, S) with S = P (+ H for LSTM: [h, c]); ``mask`` a pair of
    (T, B, 1) float arrays (m, 1 - m) or None. With ``caches`` (NumPy path) each step's
    cache is stored.
    """
    cell = _CELLS[mode]
    lstm = mode == "LSTM"
    h = s0[:, :P] if lstm else s0
    c = s0[:, P:] if lstm else None
    T = xp.shape[0]
    hs: list = [None] * T
    cs: list = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h2, c2, cache = cell(xp[t], h, c, w, H, be)
        if mask is not None:
            m, keep = mask[0][t], mask[1][t]  # exact select for m in {0, 1}
            h2 = h2 * m + h * keep
            if lstm:
                c2 = c2 * m + c * keep
        if caches is not None:
            caches[t] = cache
        h, c = h2, c2
        hs[t] = h
        cs[t] = c
    return hs, cs


class RecurrentScan(Op):
    """All states of one layer-direction: inputs ``(xp, s0, w_hh[, b_hh][, w_hr])``.

    Params: ``mode`` (RNN_TANH, RNN_RELU, LSTM, GRU), ``hidden_size`` H, ``has_bias``,
    ``has_proj``, ``mask`` ((T, B) bool or None), ``reverse``. Output (T, B, S).
    """

    @staticmethod
    def forward(ctx, xp, s0, w_hh, *rest, mode="LSTM", hidden_size=0, has_bias=True,
                has_proj=False, mask=None, reverse=False):
        H = hidden_size
        P = w_hh.shape[1]
        w = (w_hh, rest[0] if has_bias else None, rest[-1] if has_proj else None)
        fmask = None
        if mask is not None:
            m = mask[:, :, None].astype(xp.dtype)
            fmask = (m, 1 - m)
        caches: list = [None] * xp.shape[0]
        hs, cs = scan(xp, s0, w, mode, H, P, fmask, reverse, _NP, caches)
        T, B = xp.shape[:2]
        out = np.empty((T, B, s0.shape[1]), dtype=xp.dtype)
        out[:, :, :P] = hs
        if mode == "LSTM":
            out[:, :, P:] = cs
        ctx.caches = caches
        ctx.params = dict(mode=mode, hidden_size=H, has_bias=has_bias, has_proj=has_proj,
                          mask=mask, reverse=reverse)
        ctx.fmask = fmask
        return out

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            return _graph_backward(ctx, g)
        xp, s0, w_hh, *rest = ctx.inputs
        p = ctx.params
        mode, H, reverse = p["mode"], p["hidden_size"], p["reverse"]
        w_hr = rest[-1] if p["has_proj"] else None
        lstm = mode == "LSTM"
        P = w_hh.shape[1]
        out, caches, fmask = ctx.out, ctx.caches, ctx.fmask
        T = xp.shape[0]
        back = _BACKS[mode]
        dxp = np.empty_like(xp)
        dgh = np.empty_like(xp) if mode == "GRU" else dxp
        dhr_all = np.empty(out.shape[:2] + (P,), xp.dtype) if w_hr is not None else None
        dh = np.zeros_like(s0[:, :P])
        dc = np.zeros_like(s0[:, P:]) if lstm else None
        order = range(T) if reverse else range(T - 1, -1, -1)
        for t in order:
            prev = (t + 1 if reverse else t - 1)
            sp = s0 if prev < 0 or prev >= T else out[prev]
            h_prev = sp[:, :P]
            c_prev = sp[:, P:] if lstm else None
            dh = dh + g[t, :, :P]
            if lstm:
                dc = dc + g[t, :, P:]
            if fmask is not None:
                m, keep = fmask[0][t], fmask[1][t]
                keep_h, keep_c = dh * keep, (dc * keep if lstm else None)
                dh, dc = dh * m, (dc * m if lstm else None)
            if lstm:
                dx_t, dgh_t, dh_part, dc_prev, dhr = back(dh, dc, caches[t], h_prev, c_prev, H,
                                                          w_hr)
                if dhr_all is not None:
                    dhr_all[t] = dh  # gradient w.r.t. the projected output, for dW_hr
            else:
                dx_t, dgh_t, dh_part, dc_prev, dhr = back(dh, dc, caches[t], h_prev, c_prev, H)
            dxp[t] = dx_t
            if dgh_t is not dx_t:
                dgh[t] = dgh_t
            dh_new = dgh_t @ w_hh
            if dh_part is not None:
                dh_new += dh_part
            dh, dc = dh_new, dc_prev
            if fmask is not None:
                dh = dh + keep_h
                if lstm:
                    dc = dc + keep_c
        need = ctx.needs_input_grad
        ds0 = None
        if need[1]:
            ds0 = np.concatenate([dh, dc], axis=1) if lstm else dh
        # Weight gradients: one matmul over all (t, b) instead of T small ones.
        if reverse:
            hprev = np.concatenate([out[1:, :, :P], s0[None, :, :P]], axis=0)
        else:
            hprev = np.concatenate([s0[None, :, :P], out[:-1, :, :P]], axis=0)
        G = dgh.shape[-1]
        dgh2 = dgh.reshape(-1, G)
        grads = [dxp, ds0, dgh2.T @ hprev.reshape(-1, P) if need[2] else None]
        if p["has_bias"]:
            grads.append(dgh2.sum(0) if need[3] else None)
        if w_hr is not None:
            hr = np.stack([cache[5] for cache in caches])
            grads.append(dhr_all.reshape(-1, P).T @ hr.reshape(-1, H) if need[-1] else None)
        return tuple(grads)


def _graph_backward(ctx, g):
    """Backward under ``create_graph``: recompute the scan with recorded ops and differentiate
    that, so the returned gradients are themselves differentiable."""
    from .._functions import cat, stack
    from ..autograd import grad

    p = ctx.params
    xp, s0, w_hh, *rest = ctx.inputs
    H = p["hidden_size"]
    P = w_hh.shape[1]
    w = (w_hh, rest[0] if p["has_bias"] else None, rest[-1] if p["has_proj"] else None)
    hs, cs = scan(xp, s0, w, p["mode"], H, P, ctx.fmask, p["reverse"], _T)
    states = stack(hs) if p["mode"] != "LSTM" else cat([stack(hs), stack(cs)], dim=2)
    wrt = [x for x, need in zip(ctx.inputs, ctx.needs_input_grad) if need]
    res = iter(grad(states, wrt, g, create_graph=True, allow_unused=True))
    return tuple(next(res) if need else None for need in ctx.needs_input_grad)
