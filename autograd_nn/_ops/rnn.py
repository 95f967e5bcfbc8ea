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


def _sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1 / (1 + exp(-x)) in place on one buffer; exp overflow (x << 0) gives inf -> 0, the
    # correct limit (the scan runs under errstate(over="ignore")).
    y = np.negative(x, out=out)
    np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


class _NP:
    """NumPy backend of the cell code; ``out`` is where the activation is saved for backward."""

    sigmoid = staticmethod(_sigmoid)
    tanh = staticmethod(lambda x, out=None: np.tanh(x, out=out))
    relu = staticmethod(lambda x, out=None: np.maximum(x, 0, out=out))


class _T:
    """Tensor backend: every op recorded (differentiable to any order); nothing saved."""

    sigmoid = staticmethod(lambda x, out=None: Sigmoid.apply(x))
    tanh = staticmethod(lambda x, out=None: Tanh.apply(x))
    relu = staticmethod(lambda x, out=None: Relu.apply(x))


# ------------------------------------------------------------------------------ cells
# A cell maps (xp_t, h, c, weights) -> (new h, new c or None). ``w`` = (w_hh, b_hh or None,
# w_hr or None). On the NumPy path ``buf`` holds step t's views of the arrays that save what the
# backward needs (``_SAVED``: widths in units of H), and the activations are computed into them.

def _b(buf, k):
    return None if buf is None else buf[k]

def _hidden(h, w):
    gh = h @ w[0].T
    return gh if w[1] is None else gh + w[1]


def _rnn_cell(act):
    def cell(xp, h, c, w, H, be, buf):
        return getattr(be, act)(xp + _hidden(h, w)), None  # backward reads h2 from the output
    return cell


def _lstm_cell(xp, h, c, w, H, be, buf):
    gates = xp + _hidden(h, w)
    sg = be.sigmoid(gates, _b(buf, 0))  # i, f, o (one call; the g quarter is unused)
    g = be.tanh(gates[:, 2 * H:3 * H], _b(buf, 1))
    i, f, o = sg[:, :H], sg[:, H:2 * H], sg[:, 3 * H:]
    c2 = f * c + i * g
    hr = o * be.tanh(c2, _b(buf, 2))
    return (hr if w[2] is None else hr @ w[2].T), c2


def _gru_cell(xp, h, c, w, H, be, buf):
    gh = _hidden(h, w)
    rz = be.sigmoid(xp[:, :2 * H] + gh[:, :2 * H], _b(buf, 0))
    r, z = rz[:, :H], rz[:, H:]
    hn = gh[:, 2 * H:]
    if buf is not None:
        buf[2][...] = hn
    n = be.tanh(xp[:, 2 * H:] + r * hn, _b(buf, 1))
    return (1 - z) * n + z * h, None


_CELLS = {"RNN_TANH": _rnn_cell("tanh"), "RNN_RELU": _rnn_cell("relu"),
          "LSTM": _lstm_cell, "GRU": _gru_cell}
_SAVED = {"RNN_TANH": (), "RNN_RELU": (), "LSTM": (4, 1, 1), "GRU": (2, 1, 1)}


# --------------------------------------------------- hand-written NumPy backward of the cells
# ``prepare(saved, h_prev, c_prev, h_out, H)`` turns the saved arrays ((T, B, .) each), the states
# before each step and the cell outputs into per-step factors, computed for all T at once (few large
# NumPy calls); ``step(t, dh, dc, pre, dx, dgh, H)`` then writes step t's gate gradients into dx[t]
# (w.r.t. xp) and dgh[t] (w.r.t. h @ W_hh^T + b_hh; the same array unless GRU) and returns (the part
# of dh_prev not through W_hh or None, dc_prev or None).

def _rnn_prepare(act):
    def prepare(saved, h_prev, c_prev, h2, H):
        return (1 - h2 * h2,) if act == "tanh" else ((h2 > 0).astype(h2.dtype),)
    return prepare


def _rnn_step(t, dh, dc, pre, dx, dgh, H):
    np.multiply(dh, pre[0][t], out=dx[t])
    return None, None


def _lstm_prepare(saved, h_prev, c_prev, h_out, H):
    sg, g, tc = saved
    T, B = sg.shape[:2]
    # d gates = [dc * g, dc * c_prev, dc * i, dhr * tc] * activation derivatives
    md = sg * (1 - sg)
    m4 = md.reshape(T, B, 4, H)
    m4[:, :, 0] *= g
    m4[:, :, 1] *= c_prev
    m4[:, :, 2] = sg[:, :, :H] * (1 - g * g)
    m4[:, :, 3] *= tc
    o_dtc = sg[:, :, 3 * H:] * (1 - tc * tc)
    return m4, o_dtc, sg[:, :, H:2 * H]


def _lstm_step(t, dh, dc, pre, dx, dgh, H):
    m4, o_dtc, f = pre
    dc = dc + dh * o_dtc[t]
    d4 = dx[t].reshape(dh.shape[0], 4, H)
    np.multiply(dc[:, None, :], m4[t, :, :3], out=d4[:, :3])
    np.multiply(dh, m4[t, :, 3], out=d4[:, 3])
    return None, dc * f[t]


def _gru_prepare(saved, h_prev, c_prev, h_out, H):
    rz, n, hn = saved
    r, z = rz[:, :, :H], rz[:, :, H:]
    drz = rz * (1 - rz)
    a_n = (1 - z) * (1 - n * n)  # dn_pre = dh * a_n
    k_r = hn * drz[:, :, :H]  # dr_pre = dn_pre * k_r
    k_z = (h_prev - n) * drz[:, :, H:]  # dz_pre = dh * k_z
    return a_n, k_r, k_z, r, z


def _gru_step(t, dh, dc, pre, dx, dgh, H):
    a_n, k_r, k_z, r, z = pre
    d, dg = dx[t], dgh[t]
    dn = np.multiply(dh, a_n[t], out=d[:, 2 * H:])
    np.multiply(dn, k_r[t], out=d[:, :H])
    np.multiply(dh, k_z[t], out=d[:, H:2 * H])
    dg[:, :2 * H] = d[:, :2 * H]
    np.multiply(dn, r[t], out=dg[:, 2 * H:])
    return dh * z[t], None


_BACKS = {"RNN_TANH": (_rnn_prepare("tanh"), _rnn_step),
          "RNN_RELU": (_rnn_prepare("relu"), _rnn_step),
          "LSTM": (_lstm_prepare, _lstm_step), "GRU": (_gru_prepare, _gru_step)}


# ------------------------------------------------------------------------------ the scan

def scan(xp, s0, w, mode: str, H: int, P: int, mask: tuple | None, reverse: bool,
         be: Any, saved: list | None = None):
    """Run the recurrence over T steps; returns the list of states (each (B, S)).

    ``xp`` (T, B, G*H); ``s0`` (B, S) with S = P (+ H for LSTM: [h, c]); ``mask`` a pair of
    (T, B, 1) float arrays (m, 1 - m) or None. ``saved`` (NumPy path): the (T, B, k*H) arrays
    the cells fill with what their backward needs.
    """
    cell = _CELLS[mode]
    lstm = mode == "LSTM"
    h = s0[:, :P] if lstm else s0
    c = s0[:, P:] if lstm else None
    T = xp.shape[0]
    hs: list = [None] * T
    cs: list = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h2, c2 = cell(xp[t], h, c, w, H, be, None if saved is None else
                      tuple(a[t] for a in saved))
        if mask is not None:
            m, keep = mask[0][t], mask[1][t]  # exact select for m in {0, 1}
            h2 = h2 * m + h * keep
            if lstm:
                c2 = c2 * m + c * keep
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
        if has_bias and mode != "GRU":
            # b_hh enters the gates exactly like b_ih: add it to all steps' xp at once
            xp = xp + w[1]
            w = (w_hh, None, w[2])
        fmask = None
        if mask is not None:
            m = mask[:, :, None].astype(xp.dtype)
            fmask = (m, 1 - m)
        T, B = xp.shape[:2]
        saved = [np.empty((T, B, k * H), xp.dtype) for k in _SAVED[mode]]
        with np.errstate(over="ignore"):
            hs, cs = scan(xp, s0, w, mode, H, P, fmask, reverse, _NP, saved)
        out = np.empty((T, B, s0.shape[1]), dtype=xp.dtype)
        out[:, :, :P] = hs
        if mode == "LSTM":
            out[:, :, P:] = cs
        ctx.rnn_saved = saved
        ctx.cfg = dict(mode=mode, hidden_size=H, has_bias=has_bias, has_proj=has_proj,
                          mask=mask, reverse=reverse)
        ctx.rnn_mask = fmask
        return out

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            return _graph_backward(ctx, g)
        xp, s0, w_hh, *rest = ctx.inputs
        p = ctx.cfg
        mode, H, reverse = p["mode"], p["hidden_size"], p["reverse"]
        w_hr = rest[-1] if p["has_proj"] else None
        lstm = mode == "LSTM"
        P = w_hh.shape[1]
        out, fmask = ctx.out, ctx.rnn_mask
        T = xp.shape[0]
        # states before each step (for the weight gradient and the cells' factors)
        if reverse:
            prev = np.concatenate([out[1:], s0[None]], axis=0)
        else:
            prev = np.concatenate([s0[None], out[:-1]], axis=0)
        h_prev = prev[:, :, :P]
        saved = ctx.rnn_saved
        prepare, step = _BACKS[mode]
        pre = prepare(saved, h_prev, prev[:, :, P:] if lstm else None, out[:, :, :P], H)
        dxp = np.empty_like(xp)
        dgh = np.empty_like(xp) if mode == "GRU" else dxp
        dh_out = np.empty(out.shape[:2] + (P,), xp.dtype) if w_hr is not None else None
        dh = np.zeros_like(s0[:, :P])
        dc = np.zeros_like(s0[:, P:]) if lstm else None
        for t in (range(T) if reverse else range(T - 1, -1, -1)):
            dh = dh + g[t, :, :P]
            if lstm:
                dc = dc + g[t, :, P:]
            if fmask is not None:
                m, keep = fmask[0][t], fmask[1][t]
                keep_h, keep_c = dh * keep, (dc * keep if lstm else None)
                dh, dc = dh * m, (dc * m if lstm else None)
            if w_hr is not None:
                dh_out[t] = dh  # gradient w.r.t. the projected output, for dW_hr
                dh = dh @ w_hr
            dh_part, dc = step(t, dh, dc, pre, dxp, dgh, H)
            dh_new = dgh[t] @ w_hh
            if dh_part is not None:
                dh_new += dh_part
            dh = dh_new
            if fmask is not None:
                dh = dh + keep_h
                if lstm:
                    dc = dc + keep_c
        need = ctx.needs_input_grad
        ds0 = None
        if need[1]:
            ds0 = np.concatenate([dh, dc], axis=1) if lstm else dh
        # weight gradients: one matmul over all (t, b) instead of T small ones
        G = dgh.shape[-1]
        dgh2 = dgh.reshape(-1, G)
        grads = [dxp, ds0, dgh2.T @ h_prev.reshape(-1, P) if need[2] else None]
        if p["has_bias"]:
            grads.append(dgh2.sum(0) if need[3] else None)
        if w_hr is not None:
            hr = saved[0][:, :, 3 * H:] * saved[2]  # o * tanh(c), the unprojected output
            grads.append(dh_out.reshape(-1, P).T @ hr.reshape(-1, H) if need[-1] else None)
        return tuple(grads)


def _graph_backward(ctx, g):
    """Backward under ``create_graph``: recompute the scan with recorded ops and differentiate
    that, so the returned gradients are themselves differentiable."""
    from .._functions import cat, stack
    from ..autograd import grad

    p = ctx.cfg
    xp, s0, w_hh, *rest = ctx.inputs
    H = p["hidden_size"]
    P = w_hh.shape[1]
    w = (w_hh, rest[0] if p["has_bias"] else None, rest[-1] if p["has_proj"] else None)
    hs, cs = scan(xp, s0, w, p["mode"], H, P, ctx.rnn_mask, p["reverse"], _T)
    states = stack(hs) if p["mode"] != "LSTM" else cat([stack(hs), stack(cs)], dim=2)
    wrt = [x for x, need in zip(ctx.inputs, ctx.needs_input_grad) if need]
    res = iter(grad(states, wrt, g, create_graph=True, allow_unused=True))
    return tuple(next(res) if need else None for need in ctx.needs_input_grad)
