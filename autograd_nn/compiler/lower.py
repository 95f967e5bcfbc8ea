"""Ops the replay writes out as NumPy calls into preallocated buffers instead of calling them.

For the ops that dominate training steps (``Add``, ``Sub``, ``Mul``, ``Tanh``, ``Sigmoid``,
``Relu``, ``Linear``, ``BinaryCrossEntropy``, ``CrossEntropy``, ``Conv`` and the LSTM's
``RecurrentScan`` on float arrays), the generated replay inlines the very NumPy calls the op's
``forward`` and ``backward`` make (the scan: runs the op's own loop, ``LSTMLoop``), in the same
order on the same operands, each with ``out=`` one of the replay's buffers (allocated once per
specialization, reused every call), so no ctx, no call into the op, no fresh array per
kernel. An elementwise ufunc, a reduction, ``matmul``, ``dot`` or ``einsum`` computes the same
bits whether it writes a fresh array or ``out=``: the results stay eager's, bit for bit
(``tests/compiler/test_buffers.py`` and ``test_written_out.py`` compare whole runs bitwise).
Python numbers become 0-d arrays of the op's dtype (``Program.num``: the value a ufunc would
cast them to, without the per-call scalar conversion). Also written out: the functional
layer's NumPy helpers ``_class_coef`` and ``max_pool_regular`` (common cases; the latter with
max pooling's own ``PoolGather`` and its scatter, and the ReLU rule before it, when the
indices are read by nothing else) and the optimizers' ``step()`` (SGD, Adam, AdamW).

Each entry is ``(forward, backward)``:

- ``forward(pg, ins, metas) -> lines`` writes ``OUT`` (replaced by the caller with the output
  buffer) from the input expressions ``ins`` (``metas``: their (shape, dtype)); ``None`` when the
  case is not covered (the op is then called as in eager);
- ``backward(pg, ins, y, g, outs) -> (lines, {j: expression})``: ``y`` is the forward's output,
  ``g`` the incoming gradient, ``outs`` maps each input index whose gradient is routed to the
  buffer to write it into (``None``: a fresh array, for a gradient that ``.grad`` adopts).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .._ops.conv import Conv, Geom, _tap_slice, _windows, out_size
from .._ops.elementwise import Add, Mul, Relu, Sigmoid, Sub, Tanh
from .._ops.linear import Linear
from .._ops.loss import _BCE_EPS, BinaryCrossEntropy, CrossEntropy
from .._ops.pool import PoolGather, regular_offsets, tile_geometry
from .._ops.rnn import LSTMLoop, RecurrentScan
from ..autograd import inplace
from ..optim.adam import Adam
from ..optim.sgd import SGD
from .tracer import OpEvent

# the NumPy callables the lowered code uses (bound as the replay function's default arguments:
# local-variable loads, no global or attribute lookup per call)
KERNELS = {"_add": np.add, "_sub": np.subtract, "_mul": np.multiply, "_neg": np.negative,
           "_tanh": np.tanh, "_abs": np.abs, "_exp": np.exp, "_recip": np.reciprocal,
           "_less": np.less, "_greater": np.greater, "_max": np.maximum, "_matmul": np.matmul,
           "_radd": np.add.reduce, "_bump": inplace.bump_version, "_log": np.log,
           "_log1p": np.log1p, "_div": np.true_divide, "_isnan": np.isnan,
           "_errstate": np.errstate, "_copysign": np.copysign,
           "_putmask": np.putmask, "_sqrt": np.sqrt,
           "_rmax": np.maximum.reduce, "_einsum": np.einsum, "_U64": np.uint64,
           "_copyto": np.copyto, "_equal": np.equal, "_take": np.take,
           "_dot": np.dot, "_lor": np.logical_or, "_lnot": np.logical_not,
           "_and": np.bitwise_and, "_or": np.bitwise_or}
# (+ _bce_logs, below)


def _out(o: str | None) -> str:
    return f", out={o}" if o is not None else ""


# ---------------------------------------------------------------------- elementwise binary
def _binary(ufunc: str) -> Callable:
    def forward(pg: Any, ins: list, metas: list) -> list:
        return [f"OUT = {ufunc}({ins[0]}, {ins[1]}, out=BUF)"]
    return forward


def _add_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    return [], {j: g for j in outs}  # Add.backward returns (g, g): no kernel


def _sub_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    lines, res = [], {}
    for j, o in outs.items():  # (g, -g)
        if j == 0:
            res[0] = g
        else:
            name = f"t{j}"
            lines.append(f"    {name} = _neg({g}{_out(o)})")
            res[1] = name
    return lines, res


def _mul_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    lines, res = [], {}
    for j, o in outs.items():  # (g * b, g * a)
        name = f"t{j}"
        lines.append(f"    {name} = _mul({g}, {ins[1 - j]}{_out(o)})")
        res[j] = name
    return lines, res


# ---------------------------------------------------------------------- elementwise unary
def _tanh_fwd(pg: Any, ins: list, metas: list) -> list:
    return [f"OUT = _tanh({ins[0]}, out=BUF)"]


def _tanh_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    o = outs[0]  # g * (1 - y * y)
    name = "t0"
    first = f"    {name} = _mul({y}, {y}{_out(o)})"
    return [first, f"    _sub({pg.num(1)}, {name}, out={name})",
            f"    _mul({g}, {name}, out={name})"], {0: name}


def _sigmoid_fwd(pg: Any, ins: list, metas: list) -> list | None:
    shape, dtype = metas[0][:2]
    if not shape:  # 0-d: the op reshapes; left to it
        return None
    e, t = pg.buf(shape, dtype), pg.buf(shape, dtype)
    m = pg.buf(shape, np.dtype(bool))
    x = ins[0]
    # Sigmoid.forward's ufuncs: e = exp(-|x|); y = 1 / (e + 1); y *= e where x < 0. -|x| as
    # copysign(x, -1) (the same bits, NaNs included: both set the sign bit) and the masked
    # product as a full product put back under the mask (the same products where x < 0;
    # ``where=`` alone costs ~2.5 us on a small array, product and putmask ~1.3 us)
    return [f"_copysign({x}, {pg.num(-1)}, out={e})", f"_exp({e}, out={e})",
            f"OUT = _add({e}, {pg.num(1)}, out=BUF)", "_recip(OUT, out=OUT)",
            f"_less({x}, {pg.num(0)}, out={m})", f"_mul(OUT, {e}, out={t})",
            f"_putmask(OUT, {m}, {t})"]


def _sigmoid_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    o = outs[0]  # g * y * (1 - y)
    name = "t0"
    s = pg.buf(*pg.meta_expr(y))
    return [f"    {name} = _mul({g}, {y}{_out(o)})", f"    _sub({pg.num(1)}, {y}, out={s})",
            f"    _mul({name}, {s}, out={name})"], {0: name}


def _relu_fwd(pg: Any, ins: list, metas: list) -> list:
    return [f"OUT = _max({ins[0]}, {pg.num(0)}, out=BUF)"]


def _relu_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    o = outs[0]  # g * (y > 0) (the mask cast to g's dtype: 0.0/1.0, the same products)
    name = "t0"
    m = pg.buf(pg.meta_expr(y)[0], np.dtype(bool))
    return [f"    _greater({y}, {pg.num(0)}, out={m})", f"    {name} = _mul({g}, {m}{_out(o)})"], \
        {0: name}


# --------------------------------------------------------------------------------- Linear
def _linear_fwd(pg: Any, ins: list, metas: list) -> list | None:
    if len(metas[0][0]) != 2 or len(metas[1][0]) != 2:
        return None
    lines = [f"OUT = _matmul({ins[0]}, {ins[1]}.T, out=BUF)"]
    if len(ins) > 2:
        lines.append(f"_add(OUT, {ins[2]}, out=OUT)")  # out += b
    return lines


def _linear_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    lines, res = [], {}
    for j, o in outs.items():
        name = f"t{j}"
        if j == 0:  # g @ w
            lines.append(f"    {name} = _matmul({g}, {ins[1]}{_out(o)})")
        elif j == 1:  # g.T @ x
            lines.append(f"    {name} = _matmul({g}.T, {ins[0]}{_out(o)})")
        else:  # g.sum(0)
            lines.append(f"    {name} = _radd({g}, 0, None{', ' + o if o else ''})")
        res[j] = name
    return lines, res


# --------------------------------------------------------------------- binary cross-entropy
def _plain_bce(pg: Any, metas: list) -> bool:
    """The case written out: no weight, mean reduction, x not 0-d, no gradient for t."""
    p, node = pg.params, pg.cur_node
    return (p.get("weight") == ("c", None) and p.get("reduction") == ("c", "mean")
            and len(p) == 2 and bool(metas[0][0])
            and (node is None or not node.needs_input_grad[1]))  # no target gradient


def _bce_fwd(pg: Any, ins: list, metas: list) -> list | None:
    if not _plain_bce(pg, metas):
        return None
    (shape, dtype, layout), (x, t) = metas[0], ins
    n = math.prod(shape)
    if dtype.itemsize < 4 or not n:  # mean_of sums float16 in float32; the mean of nothing
        return None
    lx, l1x = pg.buf(shape, dtype, layout), pg.buf(shape, dtype, layout)  # (reduced: x's layout)
    z = pg.buf((), dtype)
    fwd = pg.const(BinaryCrossEntropy.forward, "BinaryCrossEntropy_forward_")
    dt = pg.const(dtype, "DT")
    # BinaryCrossEntropy.forward's ufuncs: -(t * max(log x, -100) + (1 - t) * max(log1p(-x),
    # -100)) in place, then mean_of's sum / count (summed into a 0-d buffer: the same
    # reduction); a NaN re-runs the op (its error message, or eager's value)
    m100 = pg.num(-100)
    return [f"_bce_logs({x}, {lx}, {l1x})",
            f"_max({lx}, {m100}, out={lx})", f"_max({l1x}, {m100}, out={l1x})",
            f"_sub({lx}, {l1x}, out={lx})", f"_mul({lx}, {t}, out={lx})",
            f"_add({lx}, {l1x}, out={lx})", f"_neg({lx}, out={lx})",
            f"_radd({lx}, axis=None, out={z})", f"OUT = _div({z}, {pg.num(n)}, out={z})",
            f"if OUT != OUT: OUT = _asarray({fwd}(_Ctx(), {x}, {t}, weight=None, "
            f"reduction='mean'), dtype={dt})"]


@np.errstate(divide="ignore", invalid="ignore")
def _bce_logs(x: np.ndarray, lx: np.ndarray, l1x: np.ndarray) -> None:
    """BinaryCrossEntropy.forward's logs (log x, log1p(-x)) into buffers, warnings off as
    there (the decorator sets NumPy's error state with one context-variable write per call)."""
    np.log(x, out=lx)
    np.negative(x, out=l1x)
    np.log1p(l1x, out=l1x)


def _bce_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    x, t = ins
    o = outs[0]
    shape, dtype, layout = pg.meta_of(pg.cur_inputs[0])
    d = pg.buf(shape, dtype, layout)
    n = math.prod(shape)
    # g * (1 / n); d = max((1 - x) * x, eps); gx = (x - t) / d * g
    return [f"    gs = _mul({g}, {pg.num(1.0 / n)})", f"    _sub({pg.num(1)}, {x}, out={d})",
            f"    _mul({d}, {x}, out={d})", f"    _max({d}, {pg.num(_BCE_EPS)}, out={d})",
            f"    t0 = _sub({x}, {t}{_out(o)})", f"    _div(t0, {d}, out=t0)",
            "    _mul(t0, gs, out=t0)"], {0: "t0"}


# ------------------------------------------------------------------ softmax cross-entropy
def _ce_fwd(pg: Any, ins: list, metas: list) -> list | None:
    """CrossEntropy.forward (log-softmax and the weighted sum with the class coefficients,
    summed to a scalar) on a 2-D C-ordered float32/float64 input."""
    (shape, dtype, layout), x = metas[0], ins[0]
    p = pg.params
    if (len(shape) != 2 or layout != "C" or dtype.itemsize < 4 or p.get("none") != ("c", False)
            or len(p) != 2 or p.get("coef", ("",))[0] != "src"):
        return None
    cm = pg.meta_of(p["coef"][1])
    if cm is None or cm[:2] != (shape, dtype) or cm[2] != "C":
        return None
    coef = pg.param(p["coef"])
    n = shape[0]
    mx, s, ls, cs = (pg.buf((n, 1), dtype) for _ in range(4))
    logp, e, r = pg.buf(shape, dtype), pg.buf(shape, dtype), pg.buf((n,), dtype)
    pg.saved[pg.cur_slot] = (e, cs, coef)
    # logp = x - max(x, 1); e = exp(logp); s = sum(e, 1); logp -= log(s); probs = e / s (kept
    # for backward); coef_sum = sum(coef, 1); out = sum(0.0 - einsum("ij,ij->i", coef, logp))
    return [f"_rmax({x}, 1, None, {mx}, True)", f"_sub({x}, {mx}, out={logp})",
            f"_exp({logp}, out={e})", f"_radd({e}, 1, None, {s}, True)",
            f"_log({s}, out={ls})", f"_sub({logp}, {ls}, out={logp})",
            f"_div({e}, {s}, out={e})", f"_radd({coef}, 1, None, {cs}, True)",
            f"_einsum('ij,ij->i', {coef}, {logp}, out={r})",
            f"_sub({pg.num(0.0)}, {r}, out={r})", "OUT = _radd(" + r + ", axis=None, out=BUF)"]


def _ce_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    e, cs, coef = pg.saved[int(y[1:])]
    o = outs[0]  # probs * coef_sum - coef, times g
    return [f"    t0 = _mul({e}, {cs}{_out(o)})", f"    _sub(t0, {coef}, out=t0)",
            f"    _mul(t0, {g}, out=t0)"], {0: "t0"}


def class_coef(pg: Any, ev: Any, fn: str) -> list | None:
    """``_class_coef`` (the class-index losses' coefficients: 1/N at each sample's target) for
    the common case -- no weight, no smoothing, mean, (N, C) input, int64 targets, an
    ignore_index outside [0, C) -- as a scatter into a zeroed buffer: ``coef[i, t[i]] = 1/N``,
    1/N computed as the helper computes it. Whenever a target is outside [0, C) (ignored, or
    the helper's error), the helper runs instead. None when the case is another."""
    args = ev.args
    if len(args) != 8 or len(ev.results) != 2 or ev.results[0][0] != "v" or \
            ev.results[1] != ("c", False) or args[1][0] != "src":
        return None
    shape, weight, ii, smooth, red, dtype = (a[1] if a[0] == "c" else None
                                            for a in (args[0], *args[2:7]))
    tm = pg.meta_of(args[1][1])
    if (type(shape) is not tuple or len(shape) != 2 or weight is not None or smooth != 0
            or red != "mean" or type(ii) is not int or 0 <= ii < shape[1] or tm is None
            or tm[:2] != ((shape[0],), np.dtype(np.int64)) or tm[2] is None or not shape[0]):
        return None
    n, c = shape
    dtype = np.dtype(dtype)
    wi = np.ones((n,), dtype=dtype)
    val = pg.const(np.array((wi / wi.sum())[0]), "VAL")  # the helper's vals = wi / total
    coef = pg.buf(shape, dtype)
    pg._helper_meta[ev.results[0][1]] = (shape, dtype, "C")
    rows = pg.const(np.arange(n), "AR")
    t, slot = pg.param(args[1]), ev.results[0][1]
    call = f"{fn}({', '.join(pg.param(a) for a in args)})"
    return [f"    if _rmax({t}.view(_U64)) >= {c}:",
            f"        r = {call}",
            f"        v{slot} = r[0]",
            f"        if r[1] != False: _diverged({fn})",
            "    else:",
            f"        {coef}.fill(0)",
            f"        {coef}[{rows}, {t}] = {val}",
            f"        v{slot} = {coef}"]


# ---------------------------------------------------------------------------- convolution
def _conv_fwd(pg: Any, ins: list, metas: list) -> list | None:
    """conv_forward for one group (not depthwise) of C-ordered float inputs: the padded input
    in a buffer whose border stays zero (only the interior is copied each call), the im2col
    copy through a sliding-window view of that buffer (made once), one batched matmul into the
    output. The column matrix is kept for the weight gradient (eager recomputes the same copy
    there)."""
    geom = pg.params.get("geom", ("",))[1] if len(pg.params) == 1 else None
    (xs, dtype, xl), (ws, _, wl) = metas
    if (type(geom) is not Geom or geom.groups != 1 or xl != "C" or wl != "C"
            or len(xs) != len(ws) or len(xs) < 3 or tuple(xs[2:]) != tuple(geom.in_size)):
        return None
    N, C = xs[:2]
    O, Cg = ws[:2]
    ksize = tuple(ws[2:])
    osize = out_size(geom, ksize)
    kp, op = math.prod(ksize), math.prod(osize)
    ck = Cg * kp
    if C != Cg or N < 2 or O < 2 or ck < 2 or op < 2:  # (see _conv_bwd: tensordot's copies)
        return None
    psize = tuple(n + lo + hi for n, (lo, hi) in zip(geom.in_size, geom.padding))
    xp = pg.buf((N, C) + psize, dtype)
    interior = (slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in
                                                  zip(geom.in_size, geom.padding))
    cols = pg.buf((N, 1, ck, op), dtype)
    win = pg.const(_windows(pg.ns[xp], geom, ksize, osize), "WIN")
    colsv = pg.const(pg.ns[cols].reshape((N, C) + ksize + osize), "COLSV")
    pg.saved[pg.cur_slot] = (cols, xs, ws, osize, psize)
    return [f"_copyto({pg.const(pg.ns[xp][interior], 'XPI')}, {ins[0]})",
            f"_copyto({colsv}, {win})",
            f"_matmul({ins[1]}.reshape(1, {O}, {ck}), {cols}, "
            f"out=BUF.reshape({N}, 1, {O}, {op}))", "OUT = BUF"]


def _conv_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    """Conv.backward: conv_transpose_forward (gx: the columns by one batched matmul, added tap
    by tap into a zeroed padded buffer, cropped) and conv_weight_grad (gw: tensordot's two
    transposing copies -- both are copies when N, O, C*K > 1 -- and its dot)."""
    cols, xs, ws, osize, psize = pg.saved[int(y[1:])]
    geom = pg.params["geom"][1]
    dtype = pg.cur_dtype
    N, C = xs[:2]
    O = ws[0]
    ksize = tuple(ws[2:])
    kp, op = math.prod(ksize), math.prod(osize)
    ck = C * kp
    lines, res = [], {}
    if 0 in outs:
        xt = pg.buf((N, C) + psize, dtype)
        ct = pg.buf((N, 1, ck, op), dtype)
        ctv = pg.ns[ct].reshape((N, C, kp) + osize)
        lines += [f"    {xt}.fill(0)",
                  f"    _matmul({ins[1]}.reshape(1, {O}, {ck}).transpose(0, 2, 1), "
                  f"{g}.reshape({N}, 1, {O}, -1), out={ct})"]
        for i, k in enumerate(np.ndindex(*ksize)):
            tap = pg.const(pg.ns[xt][_tap_slice(k, geom, osize)], "XT")
            lines.append(f"    _add({tap}, {pg.const(ctv[:, :, i], 'CT')}, out={tap})")
        if any(lo or hi for lo, hi in geom.padding):
            crop = (slice(None), slice(None)) + tuple(slice(lo, lo + n) for n, (lo, _) in
                                                      zip(geom.in_size, geom.padding))
            res[0] = pg.const(pg.ns[xt][crop], "XC")
        else:
            res[0] = xt
        pg.buffer_views.add(res[0])
    if 1 in outs:
        o = outs[1]
        at = pg.buf((O, N * op), dtype)
        # tensordot's second copy, (N * Out, C * K) C-ordered as there: into the columns of
        # the input gradient above when there are (dead once added up, and just touched)
        bt = pg.buf((N * op, ck), dtype) if 0 not in outs else \
            pg.const(pg.ns[ct].reshape(N * op, ck), "BT")
        atv = pg.const(pg.ns[at].reshape(O, N, op), "ATV")
        btv = pg.const(pg.ns[ct if 0 in outs else bt].reshape(N, op, ck), "BTV")
        lines += [f"    _copyto({atv}, {g}.reshape({N}, {O}, {op}).transpose(1, 0, 2))",
                  f"    _copyto({btv}, {cols}.reshape({N}, {ck}, {op}).transpose(0, 2, 1))"]
        if o is None:
            lines.append(f"    t1 = _dot({at}, {bt}).reshape({ws!r})")
        else:
            lines.append(f"    t1 = _dot({at}, {bt}, out={o}.reshape({O}, {ck})).reshape({ws!r})")
        res[1] = "t1"
    return lines, res


# ------------------------------------------------------------------ max pooling's arg-max
def pool_tiles(pg: Any, ev: Any, fn: str) -> list | None:
    """``max_pool_regular`` (values and flat arg-max indices) for non-overlapping windows
    (stride = kernel, no padding or dilation) of a C-ordered float input, as the helper
    computes it into buffers: the taps-first copy, the max over taps, the first tap equal to
    the max (``tap = where(tap_t == max, t, tap)`` from the last tap to the first), the index
    ``base + koff[tap]``. Any NaN in the maxima runs the helper (NaN wins, first NaN's tap).
    When the indices are read by nothing but the pooling's own gather (``PoolGather`` with
    these values, written out below), they are not computed at all: the arg-max is kept as
    one bit mask per tap (:func:`_pool_masks`), from which the backward's scatter is a masked
    copy. None when the case is another."""
    args = ev.args
    if (len(args) != 6 or args[0][0] != "src" or any(a[0] != "c" for a in args[1:])
            or len(ev.results) != 2 or any(r[0] != "v" for r in ev.results)):
        return None
    k, st, p, d, osize = (a[1] for a in args[1:])
    xm = pg.meta_of(args[0][1])
    if (xm is None or xm[2] != "C" or xm[1].kind != "f" or len(xm[0]) != len(k) + 2
            or st != k or any(p) or any(di != 1 for di in d)):
        return None
    shape, dtype = xm[0], xm[1]
    N, C = shape[:2]
    K = math.prod(k)
    crop, split, perm = tile_geometry(shape, k, osize)
    tf = pg.buf((K, N, C) + tuple(osize), dtype)
    best = pg.buf((N, C) + tuple(osize), dtype)
    tfv = pg.const(pg.ns[tf].reshape(tuple(k) + (N, C) + tuple(osize)), "TFV")
    taps = [pg.const(pg.ns[tf][t], "TF") for t in range(K)]
    x = pg.param(args[0])
    va, vb = (f"v{r[1]}" for r in ev.results)
    pg._helper_meta[ev.results[0][1]] = ((N, C) + tuple(osize), dtype, "C")
    call = f"{fn}({', '.join(pg.param(a) for a in args)})"
    lines = [f"    _copyto({tfv}, {x}[{pg.const(crop)}].reshape({split!r})"
             f".transpose({perm!r}))",
             f"    _rmax({tf}, 0, None, {best})"]
    if K > 1 and _gathered_only(pg, ev, xm):
        return lines + _pool_masks(pg, ev, xm, k, osize, taps, best, va)
    base, koff = regular_offsets(shape[2:], k, st, p, d, osize)
    tap, idx = (pg.buf((N, C) + tuple(osize), np.int64) for _ in range(2))
    eq = pg.buf((N, C) + tuple(osize), np.dtype(bool))
    pg._helper_meta[ev.results[1][1]] = ((N, C) + tuple(osize), np.dtype(np.int64), "C")
    lines += [f"    if _isnan({best}).any():",
              f"        r = {call}",
              f"        {va}, {vb} = r[0], r[1]",
              "    else:",
              f"        {tap}.fill({K - 1})"]
    for t in range(K - 2, -1, -1):
        lines += [f"        _equal({taps[t]}, {best}, out={eq})",
                  f"        _copyto({tap}, {t}, where={eq})"]
    return lines + [f"        _take({pg.const(koff, 'KOFF')}, {tap}, out={idx})",
                    f"        _add({idx}, {pg.const(np.asarray(base), 'BASE')}, out={idx})",
                    f"        {va}, {vb} = {best}, {idx}"]


def _gathered_only(pg: Any, ev: Any, xm: tuple) -> bool:
    """Whether the helper's indices are read only as the ``index`` of one ``PoolGather`` of the
    same input with the helper's values (max pooling's own gather: ``_max_pool``), which
    :func:`_gather_fwd` writes out (its conditions are the replay's for writing an op out)."""
    users = pg.users_of(ev.results[1][1])
    if len(users) != 1 or users[0][1] != "index":
        return False
    g = users[0][0]
    return (type(g) is OpEvent and g.cls is PoolGather and len(g.params) == 3
            and g.params.get("values") == ("src", ev.results[0])
            and g.params.get("unique") == ("c", True) and g.inputs == [ev.args[0][1]]
            and bool(g.meta) and g.meta[1] == xm[1] and g.meta[2] is not None)


def _pool_masks(pg: Any, ev: Any, xm: tuple, k: tuple, osize: tuple, taps: list, best: str,
                va: str) -> list:
    """The helper's arg-max as one mask per tap, all bits set where that tap is the first
    maximum of its window, for the written-out gather's backward: eq_t = (tap_t == max) (or
    tap_t is NaN, where a NaN is among the maxima: the helper's rule), then first-true by
    ``eq_t and not taken`` from the first tap to the last (the last: where no earlier one
    was) -- the same tap as the helper's ``where`` chain, so the same index."""
    shape, dtype = xm[:2]
    K = len(taps)
    inner = (shape[0], shape[1]) + tuple(osize)
    eqb = pg.buf((K,) + inner, np.dtype(bool))
    U = np.dtype(f"u{dtype.itemsize}")
    fu = pg.buf((K,) + inner, U)
    eqs = [pg.const(pg.ns[eqb][t], "EQ") for t in range(K)]
    taken = eqs[K - 1]
    nan = f"nan{ev.results[1][1]}"  # (read again by the backward: _gather_bwd)
    lines = [f"    {nan} = _isnan({best}).any()", f"    if {nan}:"]
    lines += [f"        _isnan({taps[t]}, out={eqs[t]})" for t in range(K - 1)]
    lines += ["    else:"]
    lines += [f"        _equal({taps[t]}, {best}, out={eqs[t]})" for t in range(K - 1)]
    lines += [f"    _copyto({taken}, {eqs[0]})"]
    for t in range(1, K - 1):
        lines += [f"    _greater({eqs[t]}, {taken}, out={eqs[t]})",
                  f"    _lor({taken}, {eqs[t]}, out={taken})"]
    lines += [f"    _lnot({taken}, out={taken})",
              f"    _copyto({fu}, {eqb})", f"    _neg({fu}, out={fu})",  # 0/1 -> 0/~0
              f"    {va} = {best}"]
    pg.saved[("pool", ev.results[1][1])] = (fu, tuple(shape), tuple(k), tuple(osize), U, best,
                                            taps, nan)
    return lines


def _gather_fwd(pg: Any, ins: list, metas: list) -> list | None:
    """``PoolGather`` of max pooling's own values (see :func:`_gathered_only`): no kernel."""
    index, values = pg.params.get("index"), pg.params.get("values")
    if index is None or values is None or ("pool", index[1][1]) not in pg.saved:
        return None
    pg.saved[pg.cur_slot] = pg.saved[("pool", index[1][1])]
    return [f"OUT = {pg.src(values[1])}"]


def _gather_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    """PoolScatter (zeros, ``g`` assigned at each window's arg-max) as one masked copy per tap
    into the tap's strided view of the result: the bits of ``g`` and'ed with the tap's mask
    (``g`` where the tap is the arg-max, +0.0 elsewhere: the scatter's values, NaN payloads
    and signed zeros included); positions no window covers stay +0.0.

    When the pooled input is a written-out ReLU's output read by nothing else (the usual
    conv-ReLU-pool), ReLU's rule ``scatter * (y > 0)`` is done before the scatter, on the
    pooled size: ``g * (max > 0)``, since at a window's arg-max ``y`` is that window's max
    (the same product of the same two numbers), and elsewhere eager multiplies the scatter's
    +0.0 by 0 or 1: +0.0 either way, what the scatter leaves there. Where a NaN is among the
    maxima the helper's rule picks taps that need not hold the max: ``y`` at the picked tap
    is then gathered from the taps by their masks. The ReLU's own rule then passes its
    gradient on (``identity_rules``)."""
    fu, shape, k, osize, U, best, taps, nan = pg.saved[int(y[1:])]
    dt = pg.const(pg.cur_dtype, "DT")
    o = outs.get(0)
    covered = all(o_ * k_ == n for o_, k_, n in zip(osize, k, shape[2:]))
    lines = []
    x = pg.cur_inputs[0]
    if x[0] == "v" and _relu_only_pooled(pg, x[1]):
        pooled = (shape[0], shape[1]) + tuple(osize)
        m, gm = pg.buf(pooled, np.dtype(bool)), pg.buf(pooled, pg.cur_dtype)
        sel, tmp = pg.buf(pooled, U), pg.buf(pooled, U)
        lines += [f"    if {nan}:", f"        {sel}.fill(0)"]
        for t, tap in enumerate(taps):
            lines += [f"        _and({tap}.view({pg.const(U, 'U')}), "
                      f"{pg.const(pg.ns[fu][t], 'FU')}, out={tmp})",
                      f"        _or({sel}, {tmp}, out={sel})"]
        lines += [f"        _greater({sel}.view({dt}), {pg.num(0)}, out={m})", "    else:",
                  f"        _greater({best}, {pg.num(0)}, out={m})",
                  f"    _mul({g}, {m}, out={gm})"]
        g = gm
        pg.identity_rules.add(x[1])
    if o is None:
        lines.append(f"    t0 = _np.zeros({shape!r}, {dt})")
    else:
        lines.append(f"    t0 = {o}")
        if not covered:  # (a recycled array may hold anything there)
            lines.append("    t0.fill(0)")
    u = pg.const(U, "U")
    lines.append(f"    gu = {g}.view({u})")
    fixed = o is not None and o in pg.ns  # a buffer: its taps' views made once
    if not fixed:
        lines.append(f"    tu = t0.view({u})")
    for t, kk in enumerate(np.ndindex(*k)):
        view = (slice(None), slice(None)) + tuple(
            slice(ki, o_ * kn, kn) for ki, o_, kn in zip(kk, osize, k))
        dst = pg.const(pg.ns[o].view(U)[view], "GT") if fixed else f"tu[{pg.const(view)}]"
        lines.append(f"    _and(gu, {pg.const(pg.ns[fu][t], 'FU')}, out={dst})")
    return lines, {0: "t0"}


def _relu_only_pooled(pg: Any, slot: int) -> bool:
    """Whether value ``slot`` is a written-out ReLU's output read only by max pooling's helper
    and its gather (so its rule's only incoming gradient is the gather's scatter)."""
    ev = pg._events.get(slot)
    if ev is None or ev.cls is not Relu or slot not in pg._low:
        return False
    kinds = sorted((w, type(e).__name__, getattr(e, "cls", None) is PoolGather)
                   for e, w in pg.users_of(slot))
    return kinds == [("args", "HelperEvent", False), ("inputs", "OpEvent", True)]


def identity_rule(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    """A rule already applied by the rule before it (see _gather_bwd): ``g`` passes on."""
    return [], {0: g}


# ------------------------------------------------------------------- the LSTM's recurrent scan
def _scan_fwd(pg: Any, ins: list, metas: list) -> list | None:
    """The LSTM's RecurrentScan (forward in time, no mask or projection, C-ordered xp, s0 and
    w_hh) as the op's own ``LSTMLoop`` over buffers made once, with its per-step views (the
    op makes them each call); the output, (T, B, 2H), is a view of a (T + 1, B, 2H) buffer
    whose first step holds s0 (``LSTMLoop``'s ``ext``)."""
    p = pg.params
    v = {k: x[1] for k, x in p.items() if x[0] == "c"}
    if (len(v) != len(p) or v.get("mode") != "LSTM" or v.get("has_proj") is not False
            or v.get("mask", 0) is not None or v.get("reverse") is not False
            or len(ins) != 3 + bool(v.get("has_bias"))):
        return None
    H = v["hidden_size"]
    (xs, dtype, xl), (ss, _, sl), (ws, _, wl) = metas[:3]
    if (len(xs) != 3 or xl != "C" or wl != "C" or sl != "C" or xs[2] != 4 * H
            or tuple(ws) != (4 * H, H) or tuple(ss) != (xs[1], 2 * H) or not xs[0]
            or (len(ins) == 4 and tuple(metas[3][0]) != (4 * H,))):
        return None
    T, B = xs[:2]
    ext = pg.ns[pg.buf((T + 1, B, 2 * H), dtype)]
    out = pg.out_buffer(pg.const(ext[1:], "OUTV"))
    loop = LSTMLoop(pg.ns[out], pg.ns[pg.buf((T, B, 4 * H), dtype)],
                    pg.ns[pg.buf((T, B, H), dtype)], ext)
    pg.saved[pg.cur_slot] = loop
    return [f"{pg.const(loop, 'SCAN')}.forward({', '.join(ins)})", "OUT = BUF"]


def _scan_bwd(pg: Any, ins: list, y: str, g: str, outs: dict) -> tuple:
    """``LSTMLoop.backward`` into buffers; the gradient w.r.t. xp is the buffer the codegen
    gives it, else one of its own (marked: copied where it is handed out)."""
    loop = pg.saved[int(y[1:])]
    T, B, H, dtype = loop.T, loop.B, loop.H, loop.out.dtype
    dx = outs.get(0)
    if dx is None or not any(pg.ns.get(dx) is a for a in pg.buffers):
        dx = pg.buf((T, B, 4 * H), dtype)
        pg.buffer_views.add(dx)
    bw = loop.backward_views(pg.ns[dx], pg.ns[pg.buf((T, B, H), dtype)],
                             pg.ns[pg.buf((B, 2 * H), dtype)], None)
    need = tuple(j in outs for j in (1, 2, 3))
    args = ", ".join(str(outs.get(j)) for j in (1, 2, 3))
    call = f"{pg.const(loop, 'SCAN')}.backward({pg.const(bw, 'BW')}, {g}, {ins[1]}, {ins[2]}, "
    return [f"    t0, t1, t2, t3 = {call}{args}, {need!r})"], \
        {j: (dx if j == 0 else f"t{j}") for j in outs}


LOWERED: dict = {
    BinaryCrossEntropy: (_bce_fwd, _bce_bwd),
    Add: (_binary("_add"), _add_bwd),
    Sub: (_binary("_sub"), _sub_bwd),
    Mul: (_binary("_mul"), _mul_bwd),
    Tanh: (_tanh_fwd, _tanh_bwd),
    Sigmoid: (_sigmoid_fwd, _sigmoid_bwd),
    Relu: (_relu_fwd, _relu_bwd),
    Linear: (_linear_fwd, _linear_bwd),
    CrossEntropy: (_ce_fwd, _ce_bwd),
    Conv: (_conv_fwd, _conv_bwd),
    PoolGather: (_gather_fwd, _gather_bwd),
    RecurrentScan: (_scan_fwd, _scan_bwd),
}


# ------------------------------------------------------------------------ optimizer.step()
def _step_prelude(opt: Any, fn: str, name: str) -> list:
    """The first lines of a written-out ``step``: fall back to the real one (``fn``) when the
    optimizer has hooks or another number of parameter groups."""
    return [f"def {name}(O):", "    G = O.param_groups",
            f"    if O._optimizer_step_pre_hooks or O._optimizer_step_post_hooks or "
            f"len(G) != {len(opt.param_groups)}: return {fn}(O)", "    S = O.state"]


def _group_guard(i: int, ps: list, reads: str, refused: str, fn: str) -> list:
    """Group ``i``'s lines: read it (``reads``: the hyper-parameters into locals), and fall back
    to the real step unless it holds the same parameters ``ps`` and ``refused`` is false."""
    return [f"    g = G[{i}]", "    L = g['params']", reads,
            f"    if len(L) != {len(ps)} or "
            + "".join(f"L[{k}] is not {p} or " for k, p in enumerate(ps))
            + refused + f": return {fn}(O)"]


def sgd_step(pg: Any, opt: SGD, fn: str) -> list:
    """Source of a function ``name(O)`` doing ``SGD.step`` on ``opt`` as the optimizer does it
    (``b *= mu; b += g``; ``p -= lr * b``: the same ufuncs, the scratch ``lr * g`` in a buffer),
    reading lr and momentum from the param groups when it runs (into 0-d arrays of the
    parameters' dtype: the values the ufuncs would cast them to, see ``Program.num``); it calls
    the real step (``fn``) instead whenever the optimizer is not the plain case it was written
    for (hooks, other groups or parameters, weight decay, maximize, dampening, Nesterov, a
    missing momentum buffer, a gradient of another dtype)."""
    name = f"_sgd{len(pg.buffers)}"
    lines = _step_prelude(opt, fn, name)
    body = []
    scratches: dict = {}
    for i, group in enumerate(opt.param_groups):
        params = group["params"]
        ps = [pg.const(p, "P") for p in params]
        lines += _group_guard(
            i, ps, "    lr, mu = g['lr'], g['momentum']",
            "g['weight_decay'] != 0 or g['maximize'] or g['dampening'] != 0 or g['nesterov'] or "
            "type(lr) is not float or type(mu) not in (int, float) or "
            "not -16777216 < mu < 16777216", fn)
        scalars: dict = {}  # dtype -> (0-d lr, 0-d mu) of this group
        for k, (p, t) in enumerate(zip(ps, params)):
            dtype = t._data.dtype
            dt = pg.const(dtype, "DT")
            key = (t._data.shape, dtype)  # lr * b is consumed at once: one per shape
            if key not in scratches:
                scratches[key] = pg.buf(*key)
            if dtype not in scalars:
                scalars[dtype] = (pg.buf((), dtype), pg.buf((), dtype))
            scratch, (lr0, mu0) = scratches[key], scalars[dtype]
            gk, bk = f"g{i}_{k}", f"b{i}_{k}"
            lines += [f"    {gk} = {p}._grad",
                      f"    if {gk} is not None:",
                      f"        {gk} = {gk}._data",
                      f"        if {gk}.dtype != {dt}: return {fn}(O)",
                      f"        {bk} = None if mu == 0 else "
                      f"S.get({p}, {{}}).get('momentum_buffer')",
                      f"        if mu != 0 and {bk} is None: return {fn}(O)"]
            body += [f"    if {gk} is not None:",
                     f"        if mu{i} != 0:",  # b *= mu; b += g; the step is b
                     f"            b = {bk}._data",
                     f"            _mul(b, {mu0}, out=b)",
                     f"            _add(b, {gk}, out=b)",
                     f"            {gk} = b",
                     f"        p = {p}._data",  # p -= lr * g
                     f"        _sub(p, _mul({lr0}, {gk}, out={scratch}), out=p)",
                     f"        _bump({p})"]
        lines += [f"    mu{i} = mu"]
        for lr0, mu0 in scalars.values():
            lines += [f"    {lr0}.fill(lr)", f"    if mu != 0: {mu0}.fill(mu)"]
    return lines + body + ["    return None"], name


def adam_step(pg: Any, opt: Adam, fn: str) -> tuple:
    """Source of a function ``name(O)`` doing ``Adam.step`` / ``AdamW.step`` on ``opt`` as
    ``Adam._update_group`` does it, parameter by parameter: ``step += 1``; (AdamW: ``p *= 1 -
    lr * wd``); ``m *= 1 - w; m += w * g`` (w = 1 - b1); ``v *= b2; v += (1 - b2) * g * g``;
    ``d = sqrt(v) / bc2 + eps; d = m / d * step_size; p -= d`` -- the same ufuncs in the same
    order, the temporaries in one scratch buffer per shape, the Python floats (bias corrections
    from the step count, lr, betas, eps, read from the group when it runs) computed by the same
    expressions and filled into 0-d arrays of the parameter's dtype. It calls the real step
    (``fn``) whenever the case is another (hooks, other groups or parameters, amsgrad,
    maximize, coupled weight decay, a parameter without state yet, a gradient or step count of
    another dtype, hyper-parameters that are not Python numbers)."""
    name = f"_adam{len(pg.buffers)}"
    lines = _step_prelude(opt, fn, name)
    body = []
    scratches: dict = {}
    for i, group in enumerate(opt.param_groups):
        params = group["params"]
        ps = [pg.const(p, "P") for p in params]
        lines += _group_guard(
            i, ps, "    lr, (b1, b2), eps, wd = g['lr'], g['betas'], g['eps'], g['weight_decay']",
            "g['amsgrad'] or g['maximize'] or type(lr) is not float or type(b1) is not float or "
            "type(b2) is not float or type(eps) is not float or type(wd) not in (int, float) or "
            "(wd != 0 and not g['decoupled_weight_decay'])", fn)
        lines += [f"    lr{i}, b1_{i}, b2_{i}, eps{i}, wd{i} = lr, b1, b2, eps, wd",
                  "    w = 1 - b1"]
        consts: dict = {}  # dtype -> 0-d arrays of the group's constants
        for k, (p, t) in enumerate(zip(ps, params)):
            dtype = t._data.dtype
            dt = pg.const(dtype, "DT")
            st = opt.state.get(t, {}).get("step")  # (none yet: a parameter without gradients)
            # step_t += 1 with a 0-d 1 of the step count's dtype, as recorded (checked)
            one = "1" if st is None else pg.num(1, st._data.dtype)
            same = "" if st is None else \
                f"        if {f's{i}_{k}'}.dtype != {pg.const(st._data.dtype, 'DT')}: " \
                f"return {fn}(O)"
            key = (t._data.shape, dtype)
            if key not in scratches:
                scratches[key] = pg.buf(*key)
            if dtype not in consts:
                consts[dtype] = [pg.buf((), dtype) for _ in range(8)]
            sc = scratches[key]
            K1mw, Kw, Kb2, K1mb2, Keps, Kwd, Kbc2, Kss = consts[dtype]
            gk, sk, mk, vk = f"g{i}_{k}", f"s{i}_{k}", f"m{i}_{k}", f"v{i}_{k}"
            lines += [f"    {gk} = {p}._grad",
                      f"    if {gk} is not None:",
                      f"        {gk} = {gk}._data",
                      f"        {sk} = S.get({p})",
                      f"        if {gk}.dtype != {dt} or not {sk}: return {fn}(O)",
                      f"        {mk}, {vk} = {sk}['exp_avg']._data, {sk}['exp_avg_sq']._data",
                      f"        {sk} = {sk}['step']._data"] + ([same] if same else [])
            body += [f"    if {gk} is not None:",
                     f"        _add({sk}, {one}, out={sk})",  # step_t += 1
                     f"        step = float({sk})",
                     f"        if step != cur{i}_{id(dtype)}:",
                     f"            cur{i}_{id(dtype)} = step",
                     f"            {Kss}.fill(lr{i} / (1 - b1_{i} ** step))",
                     f"            {Kbc2}.fill((1 - b2_{i} ** step) ** 0.5)",
                     f"        x = {p}._data",
                     f"        if wd{i} != 0: _mul(x, {Kwd}, out=x)",  # AdamW: p *= 1 - lr * wd
                     f"        _mul({mk}, {K1mw}, out={mk})",  # m = lerp(m, g, w)
                     f"        _add({mk}, _mul({Kw}, {gk}, out={sc}), out={mk})",
                     f"        _mul({vk}, {Kb2}, out={vk})",  # v = b2 v + (1 - b2) g g
                     f"        _mul({K1mb2}, {gk}, out={sc})",
                     f"        _mul({sc}, {gk}, out={sc})",
                     f"        _add({vk}, {sc}, out={vk})",
                     f"        _sqrt({vk}, out={sc})",  # denom
                     f"        _div({sc}, {Kbc2}, out={sc})",
                     f"        _add({sc}, {Keps}, out={sc})",
                     f"        _div({mk}, {sc}, out={sc})",
                     f"        _mul({sc}, {Kss}, out={sc})",
                     f"        _sub(x, {sc}, out=x)",
                     f"        _bump({p})"]
        for dtype, (K1mw, Kw, Kb2, K1mb2, Keps, Kwd, _, _) in consts.items():
            lines += [f"    {K1mw}.fill(1 - w)", f"    {Kw}.fill(w)", f"    {Kb2}.fill(b2)",
                      f"    {K1mb2}.fill(1 - b2)", f"    {Keps}.fill(eps)",
                      f"    if wd != 0: {Kwd}.fill(1 - lr * wd)",
                      f"    cur{i}_{id(dtype)} = None"]
    return lines + body + ["    return None"], name


KERNELS["_bce_logs"] = _bce_logs
# the forwards that read pg.params (the others take none)
WITH_PARAMS = {_bce_fwd, _ce_fwd, _conv_fwd, _gather_fwd, _scan_fwd}
