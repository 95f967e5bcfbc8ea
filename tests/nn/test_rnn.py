"""RNN / LSTM / GRU layers and cells against PyTorch (same weights), finite differences, and
the packed-sequence utilities."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn._ops import rnn as rnn_ops
from autograd_nn.autograd import gradcheck, gradgradcheck
from autograd_nn.nn.utils import rnn as rnn_utils

torch = pytest.importorskip("torch")

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, tol, what=""):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    err = np.abs(a - b).max() if a.size else 0.0
    assert err <= tol * (1 + np.abs(b).max() if b.size else 1), f"{what}: max err {err}"


def _pair(kind, dtype, **kw):
    """A torch layer and ours holding the same weights (via state_dict)."""
    tcls = getattr(torch.nn, kind)
    ours_cls = getattr(nn, kind)
    tm = tcls(**kw).to(torch.float64 if dtype == np.float64 else torch.float32)
    om = ours_cls(**kw, dtype=ag.float64 if dtype == np.float64 else ag.float32)
    res = om.load_state_dict({k: ag.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert not res.missing_keys and not res.unexpected_keys
    return tm, om


def _leaf(arr):
    return torch.tensor(arr, requires_grad=True), ag.tensor(arr, requires_grad=True)


def _flat_outs(res):
    out, h = res
    return [out] + (list(h) if isinstance(h, tuple) else [h])


def _check_layer(kind, dtype, x_shape, with_hx, rng, **kw):
    tm, om = _pair(kind, dtype, **kw)
    x = rng.standard_normal(x_shape).astype(dtype)
    tx, ox = _leaf(x)
    targs, oargs = [tx], [ox]
    hx_t = hx_o = []
    if with_hx:
        d = 2 if kw.get("bidirectional") else 1
        L = kw.get("num_layers", 1) * d
        P = kw.get("proj_size", 0) or kw["hidden_size"]
        lead = (L,) if len(x_shape) == 2 else (L, x_shape[0 if kw.get("batch_first") else 1])
        shapes = [lead + (P,)] + ([lead + (kw["hidden_size"],)] if kind == "LSTM" else [])
        pairs = [_leaf(rng.standard_normal(s).astype(dtype)) for s in shapes]
        hx_t, hx_o = [p[0] for p in pairs], [p[1] for p in pairs]
        targs.append(tuple(hx_t) if kind == "LSTM" else hx_t[0])
        oargs.append(tuple(hx_o) if kind == "LSTM" else hx_o[0])
    t_outs, o_outs = _flat_outs(tm(*targs)), _flat_outs(om(*oargs))
    tol = TOL[dtype]
    for k, (a, b) in enumerate(zip(o_outs, t_outs)):
        _close(a, b, tol, f"output {k}")
    weights = [rng.standard_normal(tuple(t.shape)).astype(dtype) for t in t_outs]
    sum(((t * torch.tensor(w)).sum() for t, w in zip(t_outs, weights))).backward()
    sum(((o * ag.tensor(w)).sum() for o, w in zip(o_outs, weights))).backward()
    _close(ox.grad, tx.grad, tol, "input grad")
    for a, b in zip(hx_o, hx_t):
        _close(a.grad, b.grad, tol, "hx grad")
    tp = dict(tm.named_parameters())
    names = [n for n, _ in om.named_parameters()]
    assert names == list(tp), "parameter names/order differ from PyTorch"
    for n, p in om.named_parameters():
        _close(p.grad, tp[n].grad, tol, f"grad of {n}")


LAYER_CASES = [
    ("LSTM", {}),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(num_layers=2, batch_first=True, proj_size=2)),
    ("LSTM", dict(bias=False, bidirectional=True, proj_size=3)),
    ("GRU", {}),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("GRU", dict(bias=False)),
    ("RNN", {}),
    ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)),
    ("RNN", dict(bias=False, batch_first=True)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("kind,kw", LAYER_CASES)
def test_layer_matches_torch(kind, kw, with_hx, dtype, rng):
    shape = (3, 5, 4) if kw.get("batch_first") else (5, 3, 4)
    _check_layer(kind, dtype, shape, with_hx, rng, input_size=4, hidden_size=5, **kw)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("with_hx", [False, True])
def test_unbatched_input(kind, with_hx, rng):
    _check_layer(kind, np.float64, (6, 3), with_hx, rng, input_size=3, hidden_size=4,
                 num_layers=2, bidirectional=True)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(kind, batched, with_hx, bias, rng):
    tm, om = _pair(kind, np.float64, input_size=3, hidden_size=4, bias=bias)
    lead = (2,) if batched else ()
    tx, ox = _leaf(rng.standard_normal(lead + (3,)))
    targs, oargs, hs = [tx], [ox], []
    if with_hx:
        n = 2 if kind == "LSTMCell" else 1
        hs = [_leaf(rng.standard_normal(lead + (4,))) for _ in range(n)]
        targs.append(tuple(h[0] for h in hs) if n == 2 else hs[0][0])
        oargs.append(tuple(h[1] for h in hs) if n == 2 else hs[0][1])
    tr, orr = tm(*targs), om(*oargs)
    tr = list(tr) if isinstance(tr, tuple) else [tr]
    orr = list(orr) if isinstance(orr, tuple) else [orr]
    for a, b in zip(orr, tr):
        _close(a, b, 1e-10, "cell output")
    ws = [rng.standard_normal(tuple(t.shape)) for t in tr]
    sum((t * torch.tensor(w)).sum() for t, w in zip(tr, ws)).backward()
    sum((o * ag.tensor(w)).sum() for o, w in zip(orr, ws)).backward()
    _close(ox.grad, tx.grad, 1e-10, "input grad")
    for t, o in hs:
        _close(o.grad, t.grad, 1e-10, "hx grad")
    tp = dict(tm.named_parameters())
    for n, p in om.named_parameters():
        _close(p.grad, tp[n].grad, 1e-10, n)


def test_rnn_cell_relu_matches_torch(rng):
    tm, om = _pair("RNNCell", np.float64, input_size=3, hidden_size=4, nonlinearity="relu")
    x = rng.standard_normal((5, 3))
    _close(om(ag.tensor(x)), tm(torch.tensor(x)), 1e-10, "relu cell")


# ----------------------------------------------------------------------- state dicts / init

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_torch_state_dict_loads_and_round_trips(kind, dtype, rng):
    """A 2-layer bidirectional torch layer's state dict loads as it is and gives torch's output,
    h_n (and c_n), from given initial states; ours loads back into torch the same way."""
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    tm = getattr(torch.nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    tm = tm.to(tdt)
    om = getattr(nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True,
                           dtype=ag.float64 if dtype == np.float64 else ag.float32)
    res = om.load_state_dict({k: ag.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert not res.missing_keys and not res.unexpected_keys
    x = rng.standard_normal((3, 7, 4)).astype(dtype)
    hx = [rng.standard_normal((4, 3, 6)).astype(dtype) for _ in range(2 if kind == "LSTM" else 1)]
    t_hx = tuple(torch.tensor(h) for h in hx) if kind == "LSTM" else torch.tensor(hx[0])
    o_hx = tuple(ag.tensor(h) for h in hx) if kind == "LSTM" else ag.tensor(hx[0])
    t_outs = _flat_outs(tm(torch.tensor(x), t_hx))
    o_outs = _flat_outs(om(ag.tensor(x), o_hx))
    assert [tuple(o.shape) for o in o_outs] == [tuple(t.shape) for t in t_outs]
    for k, (a, b) in enumerate(zip(o_outs, t_outs)):
        _close(a, b, TOL[dtype], f"output {k}")
    # and back: our state dict loads into a fresh torch layer, same keys and order
    tm2 = getattr(torch.nn, kind)(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    sd = om.state_dict()
    assert list(sd) == list(tm.state_dict())
    tm2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in sd.items()})
    tm2 = tm2.to(tdt)
    for a, b in zip(_flat_outs(tm2(torch.tensor(x), t_hx)), t_outs):
        _close(a, b, 0, "round trip")


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_backward_twice_with_retain_graph(kind, rng):
    """The scan's saved activations survive a first backward: a second one (retain_graph)
    accumulates exactly the same gradients again, as in torch."""
    tm, om = _pair(kind, np.float64, input_size=3, hidden_size=4, bidirectional=True)
    tx, ox = _leaf(rng.standard_normal((5, 2, 3)))
    w = rng.standard_normal((5, 2, 8))
    ty, oy = (tm(tx)[0] * torch.tensor(w)).sum(), (om(ox)[0] * ag.tensor(w)).sum()
    for _ in range(2):
        ty.backward(retain_graph=True)
        oy.backward(retain_graph=True)
        _close(ox.grad, tx.grad, 1e-10, "input grad")
    tp = dict(tm.named_parameters())
    for n, p in om.named_parameters():
        _close(p.grad, tp[n].grad, 1e-10, n)


def test_init_is_uniform_in_pytorch_bound():
    ag.manual_seed(0)
    H = 50
    m = nn.LSTM(30, H, num_layers=2)
    bound = 1 / math.sqrt(H)
    vals = np.concatenate([_np(p).ravel() for p in m.parameters()])
    assert np.abs(vals).max() <= bound
    # U(-b, b): mean 0, std b / sqrt(3); n ~ 40k samples -> tight
    assert abs(vals.mean()) < 0.02 * bound
    assert abs(vals.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert m.weight_ih_l1.shape == (4 * H, H) and m.weight_hh_l0.shape == (4 * H, H)
    c = nn.GRUCell(3, 7)
    assert c.weight_ih.shape == (21, 3) and np.abs(_np(c.bias_hh)).max() <= 1 / math.sqrt(7)


def test_repr_like_torch():
    kw = dict(num_layers=2, batch_first=True, dropout=0.5, bidirectional=True, proj_size=2)
    assert repr(nn.LSTM(3, 4, **kw)) == repr(torch.nn.LSTM(3, 4, **kw))
    assert repr(nn.RNN(3, 4, nonlinearity="relu", bias=False)) == \
        repr(torch.nn.RNN(3, 4, nonlinearity="relu", bias=False))
    assert repr(nn.GRUCell(3, 4)) == repr(torch.nn.GRUCell(3, 4))


# ----------------------------------------------------------------------- dropout

def test_dropout_between_layers_only():
    ag.manual_seed(0)
    torch.manual_seed(0)
    tm, om = _pair("LSTM", np.float64, input_size=3, hidden_size=4, num_layers=2, dropout=1.0)
    x = np.random.default_rng(0).standard_normal((4, 2, 3))
    # p = 1 zeroes layer 1's output deterministically: layer 2 sees zeros (not its last output)
    for a, b in zip(_flat_outs(om(ag.tensor(x))), _flat_outs(tm(torch.tensor(x)))):
        _close(a, b, 1e-10, "train, p=1")
    om.eval()
    tm.eval()
    for a, b in zip(_flat_outs(om(ag.tensor(x))), _flat_outs(tm(torch.tensor(x)))):
        _close(a, b, 1e-10, "eval")


def test_dropout_warning_and_validation():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)


# ----------------------------------------------------------------------- finite differences

@pytest.mark.parametrize("mode,proj", [("LSTM", 2), ("LSTM", 0), ("GRU", 0), ("RNN_TANH", 0),
                                       ("RNN_RELU", 0)])
def test_gradcheck_and_gradgradcheck(mode, proj):
    """Finite differences (float64) of the shared recurrent core, weights as inputs, both
    directions; second derivatives go through the create_graph recomputation."""
    from autograd_nn.nn._functional.rnn import rnn_stack

    rng = np.random.default_rng(3)
    G, H = {"LSTM": 4, "GRU": 3}.get(mode, 1), 3
    P = proj or H

    def t(*shape):
        return ag.tensor(rng.uniform(-0.8, 0.8, shape), requires_grad=True)

    ws = [t(G * H, 2), t(G * H, P), t(G * H), t(G * H)] + ([t(P, H)] if proj else [])
    ws = ws + [t(G * H, 2), t(G * H, P), t(G * H), t(G * H)] + ([t(P, H)] if proj else [])
    x, h0 = t(3, 2, 2), t(2, 2, P)
    c0 = t(2, 2, H) if mode == "LSTM" else None
    n = len(ws) // 2

    def f(x, h0, *w):
        layers = [tuple(w[:4]) + ((w[4],) if proj else (None,)),
                  tuple(w[n:n + 4]) + ((w[n + 4],) if proj else (None,))]
        out, h, c = rnn_stack(mode, x, h0, c0, layers, 1, True, H)
        return (out, h) if c is None else (out, h, c)

    assert gradcheck(f, (x, h0, *ws))
    # second order w.r.t. a subset (keeps the check fast)
    assert gradgradcheck(lambda x, h0, w1: f(x, h0, ws[0], w1, *ws[2:]), (x, h0, ws[1]))


def test_gradgradcheck_packed_lstm():
    ag.manual_seed(2)
    m = nn.LSTM(2, 3, dtype=ag.float64)
    x = ag.randn(3, 3, 2, dtype=ag.float64, requires_grad=True)

    def f(x):
        packed = rnn_utils.pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False)
        out, (h, c) = m(packed)
        return out.data, h, c

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


# ----------------------------------------------------------------------- packed sequences

@pytest.mark.parametrize("kind,proj", [("LSTM", 0), ("LSTM", 3), ("GRU", 0), ("RNN", 0)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_packed_sequence_matches_torch(kind, proj, batch_first, rng):
    kw = dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
              batch_first=batch_first)
    if proj:
        kw["proj_size"] = proj
    tm, om = _pair(kind, np.float64, **kw)
    lengths = [3, 6, 1, 4]
    shape = (4, 6, 3) if batch_first else (6, 4, 3)
    tx, ox = _leaf(rng.standard_normal(shape))
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.tensor(lengths), batch_first,
                                                 enforce_sorted=False)
    op = rnn_utils.pack_padded_sequence(ox, lengths, batch_first, enforce_sorted=False)
    _close(op.data, tp.data, 0, "packed data")
    assert _np(op.batch_sizes).tolist() == tp.batch_sizes.tolist()
    assert _np(op.sorted_indices).tolist() == tp.sorted_indices.tolist()
    hx_t = hx_o = None
    if kind != "RNN":
        pairs = [_leaf(rng.standard_normal((4, 4, k))) for k in
                 ([proj or 4, 4] if kind == "LSTM" else [4])]
        hx_t = tuple(p[0] for p in pairs) if kind == "LSTM" else pairs[0][0]
        hx_o = tuple(p[1] for p in pairs) if kind == "LSTM" else pairs[0][1]
    tr, orr = tm(tp, hx_t), om(op, hx_o)
    assert isinstance(orr[0], rnn_utils.PackedSequence)
    t_outs = [tr[0].data] + (list(tr[1]) if kind == "LSTM" else [tr[1]])
    o_outs = [orr[0].data] + (list(orr[1]) if kind == "LSTM" else [orr[1]])
    for k, (a, b) in enumerate(zip(o_outs, t_outs)):
        _close(a, b, 1e-10, f"packed output {k}")
    tpad, tl = torch.nn.utils.rnn.pad_packed_sequence(tr[0], batch_first, -1.0, total_length=7)
    opad, ol = rnn_utils.pad_packed_sequence(orr[0], batch_first, -1.0, total_length=7)
    _close(opad, tpad, 1e-10, "padded output")
    assert _np(ol).tolist() == tl.tolist() == lengths
    ws = [rng.standard_normal(tuple(t.shape)) for t in [tpad] + t_outs[1:]]
    sum((t * torch.tensor(w)).sum() for t, w in zip([tpad] + t_outs[1:], ws)).backward()
    sum((o * ag.tensor(w)).sum() for o, w in zip([opad] + o_outs[1:], ws)).backward()
    _close(ox.grad, tx.grad, 1e-10, "input grad")
    tpar = dict(tm.named_parameters())
    for n, p in om.named_parameters():
        _close(p.grad, tpar[n].grad, 1e-10, n)


def test_packed_final_state_is_each_sequences_own_last_step(rng):
    """Closed-form oracle: h_n of a packed batch equals running each sequence alone."""
    m = nn.GRU(2, 3, bidirectional=True, dtype=ag.float64)
    seqs = [ag.tensor(rng.standard_normal((n, 2))) for n in (4, 2, 5)]
    _, h = m(rnn_utils.pack_sequence(seqs, enforce_sorted=False))
    for b, s in enumerate(seqs):
        _, hb = m(s)  # unbatched, full length
        _close(h[:, b], hb, 1e-12, f"sequence {b}")


def test_pad_and_pack_utilities_match_torch(rng):
    arrs = [rng.standard_normal((n, 2)) for n in (2, 5, 3)]
    ours, theirs = [ag.tensor(a) for a in arrs], [torch.tensor(a) for a in arrs]
    for bf in (False, True):
        for side in ("left", "right"):
            _close(rnn_utils.pad_sequence(ours, bf, 9.0, side),
                   torch.nn.utils.rnn.pad_sequence(theirs, bf, 9.0, side), 0, "pad_sequence")
    p = rnn_utils.pack_sequence(ours, enforce_sorted=False)
    q = torch.nn.utils.rnn.pack_sequence(theirs, enforce_sorted=False)
    _close(p.data, q.data, 0, "pack_sequence")
    assert _np(p.unsorted_indices).tolist() == q.unsorted_indices.tolist()
    for a, b in zip(rnn_utils.unpack_sequence(p), arrs):
        _close(a, b, 0, "unpack_sequence")
    s = rnn_utils.pack_sequence([ours[1], ours[2], ours[0]])  # already sorted
    assert s.sorted_indices is None and s.unsorted_indices is None
    assert _np(s.batch_sizes).tolist() == [3, 3, 2, 1, 1]


def test_pad_sequence_gradient(rng):
    xs = [ag.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (3, 1)]
    w = rng.standard_normal((2, 3, 2))
    (rnn_utils.pad_sequence(xs, batch_first=True) * ag.tensor(w)).sum().backward()
    _close(xs[0].grad, w[0], 0, "seq 0")
    _close(xs[1].grad, w[1, :1], 0, "seq 1")


def test_packing_errors():
    x = ag.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn_utils.pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="greater than 0"):
        rnn_utils.pack_padded_sequence(x, [4, 2, 0])
    with pytest.raises(ValueError, match="expected 3 lengths"):
        rnn_utils.pack_padded_sequence(x, [4, 2])
    p = rnn_utils.pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="total_length to be at least"):
        rnn_utils.pad_packed_sequence(p, total_length=3)


# ----------------------------------------------------------------------- errors

def test_bad_inputs_have_clear_errors():
    m = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 3, got 5"):
        m(ag.zeros(2, 1, 5))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D"):
        m(ag.zeros(2, 1, 1, 3))
    with pytest.raises(RuntimeError, match=r"expected hidden size \[2, 1, 4\], got \[1, 1, 4\]"):
        m(ag.zeros(2, 1, 3), (ag.zeros(1, 1, 4), ag.zeros(2, 1, 4)))
    with pytest.raises(RuntimeError, match=r"expected cell state size \[2, 1, 4\]"):
        m(ag.zeros(2, 1, 3), (ag.zeros(2, 1, 4), ag.zeros(2, 1, 5)))
    with pytest.raises(TypeError, match="hx must be a tuple"):
        m(ag.zeros(2, 1, 3), ag.zeros(2, 1, 4))
    with pytest.raises(RuntimeError, match="input must have the type"):
        m(ag.zeros(2, 1, 3, dtype=ag.float64))
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 2 expected 3"):
        nn.LSTMCell(3, 4)(ag.zeros(5, 2))
    with pytest.raises(RuntimeError, match=r"expected hidden size \[5, 4\], got \[5, 3\]"):
        nn.GRUCell(3, 4)(ag.zeros(5, 3), ag.zeros(5, 3))


# ----------------------------------------------------------------------- recycled buffers

def test_recycled_buffers_never_alias_a_live_graph(rng):
    """The scan's saved activations are reused only once their graph is freed: graphs built
    before and after another graph dies still give torch's gradients."""
    tm, om = _pair("LSTM", np.float64, input_size=3, hidden_size=4, bidirectional=True)
    xs = [rng.standard_normal((6, 2, 3)) for _ in range(3)]
    ws = [rng.standard_normal((6, 2, 8)) for _ in range(3)]
    o_loss = [(om(ag.tensor(xs[0]))[0] * ag.tensor(ws[0])).sum()]
    xa = ag.tensor(xs[1], requires_grad=True)
    o_loss.append((om(xa)[0] * ag.tensor(ws[1])).sum())
    del o_loss[0]  # graph 0 dies: its buffers become free; graph 2 may reuse them
    xb = ag.tensor(xs[2], requires_grad=True)
    o_loss.append((om(xb)[0] * ag.tensor(ws[2])).sum())
    for ox, x, w, loss in zip((xa, xb), xs[1:], ws[1:], o_loss):
        tx = torch.tensor(x, requires_grad=True)
        (tm(tx)[0] * torch.tensor(w)).sum().backward()
        loss.backward()
        _close(ox.grad, tx.grad, 1e-10, "input grad")


def test_saved_buffers_are_recycled_and_bounded():
    from autograd_nn.autograd import engine

    A = engine.allocator  # the scan's buffers come from the engine's allocator
    A._free.clear()
    A._bytes = 0
    m = nn.LSTM(3, 4)
    x = ag.randn(5, 2, 3)
    m(x)[0].sum().backward()  # graph freed at once: its saved (5, 2, 16) gates are released
    key = ((5, 2, 16), np.dtype(np.float32))
    assert len(A._free[key]) == 1
    gates = A._free[key][0]
    assert A._bytes == sum(a.nbytes for st in A._free.values() for a in st)
    y = m(x)[0]  # the next scan of that shape takes the same array back
    assert not A._free[key]
    del y
    assert A._free[key][0] is gates
    A.release([np.empty((A.max_bytes // 8,), np.uint8) for _ in range(12)])
    assert A._bytes == sum(a.nbytes for st in A._free.values() for a in st)
    assert A._bytes <= A.max_bytes


# ------------------------------------------------------------------ the LSTM's fast loop

def _bits(a):
    a = _np(a)
    return a.dtype.str.encode() + repr(a.shape).encode() + np.ascontiguousarray(a).tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"bias": False}, {"num_layers": 2, "batch_first": True},
                                {"bidirectional": True}])
@pytest.mark.parametrize("B, H", [(4, 5), (33, 64)])
def test_lstm_loop_is_the_generic_scan_bit_for_bit(dtype, kw, B, H, rng):
    """The LSTM's common case runs ``_ops.rnn.LSTMLoop`` (per-step views made once, no cell
    dispatch); the oracle is the generic cell path it replaces (``_FAST_LSTM`` off): outputs,
    final states and every gradient (input, h0, c0, weights, biases) equal as raw bytes,
    signs of zero and saturated/overflowing steps included (inputs up to +-60)."""

    m = nn.LSTM(3, H, dtype=ag.float64 if dtype == np.float64 else ag.float32, **kw)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    TB = (B, 7) if kw.get("batch_first") else (7, B)  # 7 steps
    x0 = (rng.standard_normal(TB + (3,)) * rng.choice([0.1, 1.0, 60.0], TB + (1,))).astype(dtype)
    h00, c00 = (rng.standard_normal((L * D, B, H)).astype(dtype) for _ in range(2))
    w = rng.standard_normal(TB + (H * D,)).astype(dtype)
    res = []
    for fast in (False, True):
        with contextlib.nullcontext() if fast else rnn_ops.generic_scan():
            m.zero_grad()
            x, h0, c0 = (ag.tensor(a.copy(), requires_grad=True) for a in (x0, h00, c00))
            out, (h, c) = m(x, (h0, c0))
            ((out * ag.tensor(w)).sum() + (h * h).sum() + c.sum()).backward()
        res.append([out, h, c, x.grad, h0.grad, c0.grad] + [p.grad for p in m.parameters()])
    assert [_bits(a) for a in res[0]] == [_bits(a) for a in res[1]]
