"""The recurrent scan: one Op running a whole layer-direction of an RNN, LSTM or GRU.

The input projection ``x @ W_ih^T + b_ih`` of every time step is computed beforehand with one
matmul (ordinary ops); this Op runs only the sequential part. Its state per step is ``h`` (RNN,
GRU) or ``[h, c]`` concatenated (LSTM), and it returns all states, (T, B, S); the caller slices
outputs and final states from it. Cells are written once (``_CELLS``) on primitives (``K``)
that follow the array-or-Tensor contract of ``_ops/xp``, so the same code runs on NumPy arrays
(the fast path, which also saves activations for the hand-written backward) and on Tensors
(the differentiable recomputation used when a gradient of the gradient is asked for, i.e.
``create_graph=True``).

Variable lengths (packed sequences) use a (T, B) mask: a masked step keeps the previous state,
so the last state holds each sequence's state at its own last step, and a reverse scan starts
each sequence at its own end.

Speed: the per-step work is a handful of NumPy calls on (B, G*H) arrays, written into
preallocated buffers (``out=``), and the NumPy path allocates few large arrays: every fresh
megabyte costs page faults (~1 ms on the reference machine), more than the arithmetic on it.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..autograd import engine, grad
from ..autograd.engine import Op
from . import xp as _xp
from .elementwise import Relu, Sigmoid, Tanh
from .shape import cat, stack

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1 / (1 + exp(-x)) on one buffer (``out`` may be ``x`` itself); exp overflow (x << 0) gives
    # inf -> 0, the correct limit (the scan runs under errstate(over="ignore")).
    y = np.negative(x, out=out)
    np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


def _gemm_np(a, wt, add=None, bias=None, out=None):
    """``a @ wt + add + bias`` (``wt`` the transposed weight; either addend may be None)."""
    r = np.matmul(a, wt, out=out)
    if add is not None:
        r += add
    if bias is not None:
        r += bias
    return r


def _gemm_graph(a, wt, add=None, bias=None):
    r = a @ wt
    if add is not None:
        r = r + add
    return r if bias is None else r + bias


def _fma_np(a, b, c, d, out=None):
    """``a * b + c * d``."""
    r = np.multiply(a, b, out=out)
    r += c * d
    return r


def _lerp_np(n, z, h, out=None):
    """``(h - n) * z + n`` (PyTorch's form of the GRU update ``(1 - z) * n + z * h``)."""
    r = np.subtract(h, n, out=out)
    r *= z
    r += n
    return r


def _keep_np(new, valid, old, out=None):
    """``new`` where ``valid`` ((B, 1) bool), else ``old``: an exact select, in place."""
    np.copyto(new, old, where=~valid)
    return new


def _keep_graph(new, valid, old):
    m = valid.astype(new._data.dtype)
    return new * m + old * (1 - m)


def _either(np_fn, graph_fn):
    """One cell primitive for both paths, dispatched by the array-or-Tensor contract
    (``xp.is_graph`` of the first argument): ``np_fn`` writing into ``out`` (the scan's output
    and saved-activation buffers, or a scratch array, so a step allocates almost nothing) on
    arrays; ``graph_fn``, recorded (differentiable to any order, nothing saved), on Tensors."""
    def prim(*args, out=None):
        if _xp.is_graph(args[0]):
            return graph_fn(*args)
        return np_fn(*args, out=out)
    return prim


K = SimpleNamespace(
    sigmoid=_either(_sigmoid, Sigmoid.apply),
    tanh=_either(np.tanh, Tanh.apply),
    relu=_either(lambda x, out=None: np.maximum(x, 0, out=out), Relu.apply),
    add=_either(np.add, operator.add),
    mul=_either(np.multiply, operator.mul),
    gemm=_either(_gemm_np, _gemm_graph),
    fma=_either(_fma_np, lambda a, b, c, d: a * b + c * d),
    lerp=_either(_lerp_np, lambda n, z, h: (h - n) * z + n),
    keep=_either(_keep_np, _keep_graph),
)


# ------------------------------------------------------------------------------ cells
# A cell maps (xp_t, h, c, w) -> (new h, new c or None), w = (w_hh^T, b_hh or None, w_hr^T or
# None). On the NumPy path ``buf`` holds step t's views of the saved arrays (``_SAVED``: widths
# in units of H) and a scratch (B, G*H) array last, and ``out`` the (h, c) slots of step t in the
# output; on the Tensor path both are None. Elementwise results go into contiguous arrays where
# the data allow it (NumPy's loops are slower writing into strided views).

def _rnn_cell(act):
    def cell(xp, h, c, w, H, buf, out):
        slot = None if out is None else out[0]  # backward reads h2 from the output
        return getattr(K, act)(K.gemm(h, w[0], xp, w[1], out=slot), out=slot), None
    return cell


def _lstm_cell(xp, h, c, w, H, buf, out):
    ip = buf is not None
    gates = K.gemm(h, w[0], xp, w[1], out=buf[-1] if ip else None)
    sg = K.sigmoid(gates, out=buf[0] if ip else None)  # i, f, o (one call on all four gates)
    g = K.tanh(gates[:, 2 * H:3 * H], out=sg[:, 2 * H:3 * H] if ip else None)  # into g quarter
    c2 = K.fma(sg[:, H:2 * H], c, sg[:, :H], g, out=None if out is None else out[1])  # fc + ig
    tc = K.tanh(c2, out=buf[1] if ip else None)
    o = sg[:, 3 * H:]
    if w[2] is None:
        return K.mul(o, tc, out=None if out is None else out[0]), c2
    return K.gemm(K.mul(o, tc), w[2], out=None if out is None else out[0]), c2


def _gru_cell(xp, h, c, w, H, buf, out):
    ip = buf is not None
    gh = K.gemm(h, w[0], None, w[1], out=buf[-1] if ip else None)  # h @ W_hh^T + b_hh
    rz = K.add(xp[:, :2 * H], gh[:, :2 * H], out=buf[0] if ip else None)
    rz = K.sigmoid(rz, out=rz if ip else None)
    hn = gh[:, 2 * H:]
    if ip:
        buf[2][...] = hn
    n = K.add(xp[:, 2 * H:], K.mul(rz[:, :H], hn), out=buf[1] if ip else None)
    n = K.tanh(n, out=n if ip else None)
    return K.lerp(n, rz[:, H:], h, out=None if out is None else out[0]), None


_CELLS = {"RNN_TANH": _rnn_cell("tanh"), "RNN_RELU": _rnn_cell("relu"),
          "LSTM": _lstm_cell, "GRU": _gru_cell}
_SAVED = {"RNN_TANH": (), "RNN_RELU": (), "LSTM": (4, 1), "GRU": (2, 1, 1)}


# --------------------------------------------------- hand-written NumPy backward of the cells
# ``prepare(saved, prev, h_out, d, H)`` turns the saved arrays ((T, B, .) each), the states before
# each step (``prev(a, part, op)``, see RecurrentScan.backward) and the cell outputs into
# per-step factors, computed for all T at once (few large NumPy calls); it may fill ``d`` (the
# (T, B, G*H) gradient w.r.t. xp, to be finished in place by ``step``) with a factor.
# ``step(t, dh, dc, pre, dx, dgh, H)`` then writes step t's gate gradients into dx[t] (w.r.t. xp)
# and dgh[t] (w.r.t. h @ W_hh^T + b_hh; the same array unless GRU) and returns (the part of
# dh_prev not through W_hh or None, dc_prev or None). ``dh`` and ``dc`` are the loop's own
# arrays and may be updated in place.

def _rnn_prepare(act):
    def prepare(saved, prev, h2, d, H):
        return (1 - h2 * h2,) if act == "tanh" else ((h2 > 0).astype(h2.dtype),)
    return prepare


def _rnn_step(t, dh, dc, pre, dx, dgh, H):
    np.multiply(dh, pre[0][t], out=dx[t])
    return None, None


def _lstm_prepare(saved, prev, h_out, d, H):
    sg, tc = saved  # sigmoid(i, f, o gates) with tanh(g) in the g quarter; tanh(c)
    T, B = sg.shape[:2]
    g = sg[:, :, 2 * H:3 * H]
    # d gates = [dc * g, dc * c_prev, dc * i, dh * tc] * activation derivatives; the factors go
    # into d itself (the gradient array step t finishes in place), so nothing large is allocated
    m4 = d.reshape(T, B, 4, H)
    np.subtract(1, sg, out=d)
    d *= sg  # s * (1 - s); the g quarter is overwritten below
    m4[:, :, 0] *= g
    prev(m4[:, :, 1], "c", np.multiply)  # *= c_prev
    mg = np.multiply(g, g, out=m4[:, :, 2])
    np.subtract(1, mg, out=mg)
    mg *= sg[:, :, :H]
    m4[:, :, 3] *= tc
    o_dtc = np.multiply(tc, tc, out=_take(tc.shape, tc.dtype))
    np.subtract(1, o_dtc, out=o_dtc)
    o_dtc *= sg[:, :, 3 * H:]
    return o_dtc, sg[:, :, H:2 * H]


def _lstm_step(t, dh, dc, pre, dx, dgh, H):
    o_dtc, f = pre
    dc += dh * o_dtc[t]
    d4 = dx[t].reshape(dh.shape[0], 4, H)
    d4[:, :3] *= dc[:, None, :]
    d4[:, 3] *= dh
    dc *= f[t]
    return None, dc


def _gru_prepare(saved, prev, h_out, d, H):
    rz, n, hn = saved
    r, z = rz[:, :, :H], rz[:, :, H:]
    drz = rz * (1 - rz)
    a_n = (1 - z) * (1 - n * n)  # dn_pre = dh * a_n
    k_r = hn * drz[:, :, :H]  # dr_pre = dn_pre * k_r
    k_z = np.negative(n)
    prev(k_z, "h", np.add)  # h_prev - n
    k_z *= drz[:, :, H:]  # dz_pre = dh * k_z
    return a_n, k_r, k_z, r, z


def _gru_step(t, dh, dc, pre, dx, dgh, H):
    a_n, k_r, k_z, r, z = pre
    d, dg = dx[t], dgh[t]
    dn = np.multiply(dh, a_n[t], out=d[:, 2 * H:])
    np.multiply(dn, k_r[t], out=d[:, :H])
    np.multiply(dh, k_z[t], out=d[:, H:2 * H])
    dg[:, :2 * H] = d[:, :2 * H]
    np.multiply(dn, r[t], out=dg[:, 2 * H:])
    dh *= z[t]
    return dh, None


_BACKS = {"RNN_TANH": (_rnn_prepare("tanh"), _rnn_step),
          "RNN_RELU": (_rnn_prepare("relu"), _rnn_step),
          "LSTM": (_lstm_prepare, _lstm_step), "GRU": (_gru_prepare, _gru_step)}


# The scan's saved activations and backward temporaries come from, and go back to, the engine's
# allocator (autograd/allocator.py): a fresh large array costs page faults on first touch.
_take = engine.allocator.take
_release = engine.allocator.release


# ------------------------------------------------------------------------------ the scan

def scan(xp, s0, w, mode: str, H: int, P: int, valid: np.ndarray | None, reverse: bool,
         saved: list | None = None, out: np.ndarray | None = None):
    """Run the recurrence over T steps.

    ``xp`` (T, B, G*H); ``s0`` (B, S) with S = P (+ H for LSTM: [h, c]); ``w`` as the cells
    take it; ``valid`` (T, B, 1) bool (the steps inside each sequence) or None. NumPy path:
    ``out`` (T, B, S) receives the states and ``saved`` holds the (T, B, k*H) arrays the cells
    fill with what their backward needs; returns None. Tensor path: returns the lists of states
    ``(hs, cs)`` (``cs`` all None unless LSTM).
    """
    cell = _CELLS[mode]
    lstm = mode == "LSTM"
    h = s0[:, :P] if lstm else s0
    c = s0[:, P:] if lstm else None
    T = xp.shape[0]
    hs: list = [None] * T
    cs: list = [None] * T
    buf = slots = None
    if out is not None:
        scratch = np.empty(xp.shape[1:], xp.dtype)
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        if out is not None:
            buf = [a[t] for a in saved] + [scratch]
            o = out[t]
            slots = (o[:, :P], o[:, P:]) if lstm else (o, None)
        h2, c2 = cell(xp[t], h, c, w, H, buf, slots)
        if valid is not None:  # padding steps keep the previous state
            h2 = K.keep(h2, valid[t], h)
            if lstm:
                c2 = K.keep(c2, valid[t], c)
        h, c = h2, c2
        hs[t] = h
        cs[t] = c
    return None if out is not None else (hs, cs)


# The LSTM's common case -- forward in time, no mask, no projection, NumPy arrays -- runs these
# loops instead of ``scan`` and the generic backward; ``generic_scan()`` switches them off (the
# tests compare the two paths bit for bit).
_FAST_LSTM = True


@contextlib.contextmanager
def generic_scan() -> Iterator[None]:
    """Within the block, every LSTM runs the generic cell path (``scan`` and its backward), the
    reference the fast loops reproduce bit for bit. Process-wide; for tests."""
    global _FAST_LSTM
    before, _FAST_LSTM = _FAST_LSTM, False
    try:
        yield
    finally:
        _FAST_LSTM = before


class LSTMLoop:
    """An LSTM layer-direction's scan (forward in time, no mask or projection) on NumPy arrays
    given once: ``out`` (T, B, 2H) the states, ``sg`` (T, B, 4H) and ``tc`` (T, B, H) the saved
    activations (the sigmoids of the i, f, o gates with tanh(g) in the g quarter; tanh(c)).
    Every per-step view is made here, once: the op makes one loop per call, the compiler's
    replay one per specialization over its buffers (compiler/lower.py), so a step is its
    kernels alone (13 NumPy calls forward, 7 backward; no cell dispatch, slicing or
    allocation). ``ext`` (T + 1, B, 2H), when given, holds ``out`` as ``ext[1:]`` and receives
    the initial state in ``ext[0]``: the states before each step are then one view
    (``ext[:-1]``), read in place by the backward where the op copies them.

    The kernels are the generic path's (``scan`` with ``_lstm_cell``, ``RecurrentScan.backward``
    with ``_lstm_prepare`` and ``_lstm_step``) in its order, on the same values: the same bits
    (tests/nn/test_rnn.py and tests/compiler compare raw bytes). Where an operand's layout
    differs from the generic path's, the kernel is one whose result does not depend on it:
    an elementwise add or multiply (IEEE-rounded per element: b_hh added from a copy tiled
    to (B, 4H), dh and dc updated side by side in one (B, 2H) array), or a matmul reading or
    writing rows with a leading dimension (BLAS computes the same blocks)."""

    def __init__(self, out: np.ndarray, sg: np.ndarray, tc: np.ndarray,
                 ext: np.ndarray | None = None) -> None:
        T, B, H = tc.shape
        dt = out.dtype
        self.T, self.B, self.H, self.out, self.sg, self.tc, self.ext = T, B, H, out, sg, tc, ext
        self.S, self.bb = np.empty((B, 4 * H), dt), np.empty((B, 4 * H), dt)  # gates, b_hh
        self.tmp, self.wt = np.empty((B, H), dt), np.empty((H, 4 * H), dt)  # scratch, w_hh^T
        self.one = np.ones((), dt)  # the op's Python 1, as the ufuncs cast it
        self.Sg = self.S[:, 2 * H:3 * H]
        self.fsteps = [(sg[t], sg[t][:, :H], sg[t][:, H:2 * H], sg[t][:, 2 * H:3 * H],
                        sg[t][:, 3 * H:], tc[t], out[t][:, :H], out[t][:, H:])
                       for t in range(T)]

    def backward_views(self, dx: np.ndarray, odtc: np.ndarray, dhc: np.ndarray,
                       hp: np.ndarray | None) -> tuple:
        """The backward's arrays with their per-step views, for :meth:`backward`: ``dx`` (T,
        B, 4H) the gradient w.r.t. xp (and the gates), ``odtc`` (T, B, H) a factor, ``dhc``
        (B, 2H) the running gradients [dh, dc], ``hp`` (T, B, H) for the states before each
        step (for dw_hh; unused with ``ext``, None when not needed)."""
        T, B, H, sg = self.T, self.B, self.H, self.sg
        m4 = dx.reshape(T, B, 4, H)
        steps = [(odtc[t], dx[t].reshape(B, 4, H)[:, :3], dx[t].reshape(B, 4, H)[:, 3],
                  sg[t][:, H:2 * H], dx[t]) for t in range(T - 1, -1, -1)]
        dh, dc = dhc[:, :H], dhc[:, H:]
        return dx, [m4[:, :, k] for k in range(4)], odtc, dhc, dh, dc, dc[:, None, :], hp, steps

    @np.errstate(over="ignore")  # exp overflow (x << 0) gives inf -> 0, the correct limit
    def forward(self, xp: np.ndarray, s0: np.ndarray, w_hh: np.ndarray,
                b_hh: np.ndarray | None = None) -> None:
        """The states into ``out``, the activations into ``sg`` and ``tc``."""
        mm, add, mul, neg, exp, recip, tanh = (np.matmul, np.add, np.multiply, np.negative,
                                               np.exp, np.reciprocal, np.tanh)
        S, Sg, tmp, one, wt, bb, H = self.S, self.Sg, self.tmp, self.one, self.wt, self.bb, self.H
        np.copyto(wt, w_hh.T)  # (_transposed: a contiguous copy)
        if b_hh is not None:
            np.copyto(bb, b_hh)
        if self.ext is not None:
            np.copyto(self.ext[0], s0)
            s0 = self.ext[0]
        h, c = s0[:, :H], s0[:, H:]
        for xt, (sg, si, sf, sgg, so, tc, ho, co) in zip(xp, self.fsteps):
            mm(h, wt, out=S)  # gates = h @ w_hh^T + xp[t] (+ b_hh)
            add(S, xt, out=S)
            if b_hh is not None:
                add(S, bb, out=S)
            neg(S, out=sg)  # _sigmoid of all four quarters
            exp(sg, out=sg)
            add(sg, one, out=sg)
            recip(sg, out=sg)
            tanh(Sg, out=sgg)  # g, into the g quarter
            mul(sf, c, out=co)  # c' = f c + i g (_fma_np)
            mul(si, sgg, out=tmp)
            add(co, tmp, out=co)
            tanh(co, out=tc)
            mul(so, tc, out=ho)  # h' = o tanh(c')
            h, c = ho, co

    def backward(self, bw: tuple, g: np.ndarray, s0: np.ndarray, w_hh: np.ndarray,
                 o1: Any = None, o2: Any = None, o3: Any = None,
                 need: tuple = (False, True, True)) -> tuple:
        """(dxp, ds0, dw_hh, db_hh) for the incoming gradient ``g`` (T, B, 2H), into the
        arrays ``bw`` (:meth:`backward_views`): ``dxp`` is its ``dx``; ``need`` says which of
        ds0, dw_hh, db_hh to compute (the others are None), ``o1``-``o3`` arrays to write them
        into (None: fresh ones)."""
        mm, add, mul, sub = np.matmul, np.add, np.multiply, np.subtract
        H, one, sg, tc, out, ext = self.H, self.one, self.sg, self.tc, self.out, self.ext
        d, (m0, m1, m2, m3), odtc, dhc, dh, dc, dc3, hp, steps = bw
        # _lstm_prepare: each step's factors, for all steps at once, into d and odtc
        sub(one, sg, out=d)
        mul(d, sg, out=d)
        gq = sg[:, :, 2 * H:3 * H]
        mul(m0, gq, out=m0)
        if ext is not None:  # *= c before each step
            mul(m1, ext[:-1, :, H:], out=m1)
        else:
            mul(m1[1:], out[:-1, :, H:], out=m1[1:])
            mul(m1[0], s0[:, H:], out=m1[0])
        mul(gq, gq, out=m2)
        sub(one, m2, out=m2)
        mul(m2, sg[:, :, :H], out=m2)
        mul(m3, tc, out=m3)
        mul(tc, tc, out=odtc)
        sub(one, odtc, out=odtc)
        mul(odtc, sg[:, :, 3 * H:], out=odtc)
        tmp = self.tmp
        dhc.fill(0)
        for gt, (od, d3, do, f, dxt) in zip(g[::-1], steps):
            add(dhc, gt, out=dhc)  # dh += g[t, :, :H]; dc += g[t, :, H:]
            mul(dh, od, out=tmp)  # _lstm_step: dc += dh * o_dtc[t]
            add(dc, tmp, out=dc)
            mul(d3, dc3, out=d3)
            mul(do, dh, out=do)
            mul(dc, f, out=dc)
            mm(dxt, w_hh, out=dh)  # dh = dgh[t] @ w_hh
        ds0 = dw = db = None
        if need[0]:  # (the op's concatenate([dh, dc], axis=1))
            ds0 = dhc.copy() if o1 is None else o1
            if o1 is not None:
                np.copyto(o1, dhc)
        d2 = d.reshape(-1, 4 * H)
        if need[1]:  # one matmul over all (t, b), with the state before each step
            if ext is not None:
                hprev = ext[:-1, :, :H].reshape(-1, H)  # (a view: rows 2H apart)
            else:
                np.copyto(hp[1:], out[:-1, :, :H])
                np.copyto(hp[0], s0[:, :H])
                hprev = hp.reshape(-1, H)
            dw = mm(d2.T, hprev, out=o2)
        if need[2]:
            db = add.reduce(d2, 0, None, o3)
        return d, ds0, dw, db


def _transposed(w):
    """w^T of an array (a contiguous copy: BLAS reads it fastest) or a Tensor."""
    if isinstance(w, np.ndarray):
        return np.ascontiguousarray(w.T)
    return w.transpose(0, 1)


class RecurrentScan(Op):
    """All states of one layer-direction: inputs ``(xp, s0, w_hh[, b_hh][, w_hr])``.

    Params: ``mode`` (RNN_TANH, RNN_RELU, LSTM, GRU), ``hidden_size`` H, ``has_bias``,
    ``has_proj``, ``mask`` ((T, B) bool, True on the steps inside each sequence, or None),
    ``reverse``. Output (T, B, S).
    """
    grad_fn_name = "StackBackward0"

    @staticmethod
    def forward(ctx, xp, s0, w_hh, *rest, mode="LSTM", hidden_size=0, has_bias=True,
                has_proj=False, mask=None, reverse=False):
        H = hidden_size
        P = w_hh.shape[1]
        T, B = xp.shape[:2]
        valid = None if mask is None else mask[:, :, None]
        saved = engine.allocator.saved(_take((T, B, k * H), xp.dtype) for k in _SAVED[mode])
        out = np.empty((T, B, s0.shape[1]), dtype=xp.dtype)
        ctx.lstm_loop = None
        if mode == "LSTM" and mask is None and not has_proj and not reverse and _FAST_LSTM:
            loop = ctx.lstm_loop = LSTMLoop(out, saved[0], saved[1])
            loop.forward(xp, s0, w_hh, rest[0] if has_bias else None)
        else:
            w = (_transposed(w_hh), rest[0] if has_bias else None,
                 _transposed(rest[-1]) if has_proj else None)
            with np.errstate(over="ignore"):
                scan(xp, s0, w, mode, H, P, valid, reverse, saved, out)
        ctx.rnn_saved = saved
        ctx.cfg = dict(mode=mode, hidden_size=H, has_bias=has_bias, has_proj=has_proj,
                       mask=mask, reverse=reverse)
        return out

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            return _graph_backward(ctx, g)
        xp, s0, w_hh, *rest = ctx.inputs
        p = ctx.cfg
        if ctx.lstm_loop is not None:
            return _lstm_loop_backward(ctx, g, s0, w_hh, p["has_bias"])
        mode, H, reverse = p["mode"], p["hidden_size"], p["reverse"]
        w_hr = rest[-1] if p["has_proj"] else None
        lstm = mode == "LSTM"
        P = w_hh.shape[1]
        out = ctx.out
        T, B = xp.shape[:2]
        dt = out.dtype
        if p["mask"] is not None:
            m = p["mask"][:, :, None].astype(dt)
            fmask = (m, 1 - m)
        else:
            fmask = None

        def prev(a, part, op):
            """a = op(a, the state ``part`` ('h' or 'c') before each step), in place: the output
            shifted by one step, s0 at the first step (no shifted copy is made)."""
            cols = slice(None, P) if part == "h" else slice(P, None)
            first, rest_ = (-1, slice(None, -1)) if reverse else (0, slice(1, None))
            op(a[rest_], out[1:, :, cols] if reverse else out[:-1, :, cols], out=a[rest_])
            op(a[first], s0[:, cols], out=a[first])

        G = w_hh.shape[0]
        dxp = np.empty((T, B, G), dt)
        dgh = np.empty_like(dxp) if mode == "GRU" else dxp
        prepare, step = _BACKS[mode]
        pre = prepare(ctx.rnn_saved, prev, out[:, :, :P], dxp, H)
        dh_out = np.empty((T, B, P), dt) if w_hr is not None else None
        dh = np.zeros((B, P), dt)
        dc = np.zeros((B, H), dt) if lstm else None
        for t in (range(T) if reverse else range(T - 1, -1, -1)):
            dh += g[t, :, :P]
            if lstm:
                dc += g[t, :, P:]
            if fmask is not None:  # a padding step passes its gradient to the previous one
                m, keep = fmask[0][t], fmask[1][t]
                keep_h, keep_c = dh * keep, (dc * keep if lstm else None)
                dh *= m
                if lstm:
                    dc *= m
            if w_hr is not None:
                dh_out[t] = dh  # gradient w.r.t. the projected output, for dW_hr
                dh = dh @ w_hr
            dh_part, dc = step(t, dh, dc, pre, dxp, dgh, H)
            dh_new = dgh[t] @ w_hh
            if dh_part is not None:
                dh_new += dh_part
            dh = dh_new
            if fmask is not None:
                dh += keep_h
                if lstm:
                    dc += keep_c
        if lstm:
            _release(pre[:1])  # o_dtc, taken from the recycled buffers by _lstm_prepare
        need = ctx.needs_input_grad
        ds0 = None
        if need[1]:
            ds0 = np.concatenate([dh, dc], axis=1) if lstm else dh
        # weight gradients: one matmul over all (t, b) instead of T small ones
        dgh2 = dgh.reshape(-1, G)
        dw = None
        if need[2]:
            h_prev = _take((T, B, P), dt)
            prev(h_prev, "h", lambda _, src, out: np.copyto(out, src))
            dw = dgh2.T @ h_prev.reshape(-1, P)
            _release([h_prev])
        grads = [dxp, ds0, dw]
        if p["has_bias"]:
            grads.append(dgh2.sum(0) if need[3] else None)
        if w_hr is not None:
            saved = ctx.rnn_saved
            hr = saved[0][:, :, 3 * H:] * saved[1]  # o * tanh(c), the unprojected output
            grads.append(dh_out.reshape(-1, P).T @ hr.reshape(-1, H) if need[-1] else None)
        return tuple(grads)


def _lstm_loop_backward(ctx, g, s0, w_hh, has_bias):
    """RecurrentScan.backward of a scan run by an LSTMLoop (its arrays from the allocator)."""
    loop = ctx.lstm_loop
    T, B, H = loop.T, loop.B, loop.H
    dt = g.dtype
    need = ctx.needs_input_grad
    odtc = _take((T, B, H), dt)
    hp = _take((T, B, H), dt) if need[2] else None
    bw = loop.backward_views(np.empty((T, B, 4 * H), dt), odtc, np.empty((B, 2 * H), dt), hp)
    dxp, ds0, dw, db = loop.backward(bw, g, s0, w_hh,
                                     need=(need[1], need[2], has_bias and need[3]))
    _release([odtc] if hp is None else [odtc, hp])
    return (dxp, ds0, dw, db) if has_bias else (dxp, ds0, dw)


def _graph_backward(ctx, g):
    """Backward under ``create_graph``: recompute the scan with recorded ops and differentiate
    that, so the returned gradients are themselves differentiable."""
    p = ctx.cfg
    T = engine.Tensor  # constant inputs arrive as arrays: the scan below wants all Tensors
    inputs = [t if isinstance(t, T) else T._wrap(t) for t in ctx.inputs]
    xp, s0, w_hh, *rest = inputs
    H = p["hidden_size"]
    P = w_hh.shape[1]
    w = (_transposed(w_hh), rest[0] if p["has_bias"] else None,
         _transposed(rest[-1]) if p["has_proj"] else None)
    valid = None if p["mask"] is None else p["mask"][:, :, None]
    hs, cs = scan(xp, s0, w, p["mode"], H, P, valid, p["reverse"])
    states = stack(hs) if p["mode"] != "LSTM" else cat([stack(hs), stack(cs)], dim=2)
    wrt = [x for x, need in zip(inputs, ctx.needs_input_grad) if need]
    res = iter(grad(states, wrt, g, create_graph=True, allow_unused=True))
    return tuple(next(res) if need else None for need in ctx.needs_input_grad)
