"""Embedding / EmbeddingBag and F.embedding against PyTorch, finite differences and closed
forms."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn.autograd import gradcheck, gradgradcheck
from autograd_nn.nn import functional as F

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, tol, what=""):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    assert np.abs(a - b).max() <= tol, f"{what}: max err {np.abs(a - b).max()}"


IDX = np.array([[1, 3, 3, 0], [4, 3, 1, 1], [0, 0, 2, 3]])


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize("padding_idx", [None, 0, -2])
@pytest.mark.parametrize("scale", [False, True])
def test_embedding_matches_torch(dtype, tol, padding_idx, scale, rng):
    w = rng.standard_normal((6, 5)).astype(dtype)
    tw, ow = torch.tensor(w, requires_grad=True), ag.tensor(w, requires_grad=True)
    to = torch.nn.functional.embedding(torch.tensor(IDX), tw, padding_idx,
                                       scale_grad_by_freq=scale)
    oo = F.embedding(ag.tensor(IDX), ow, padding_idx, scale_grad_by_freq=scale)
    _close(oo, to, 0, "forward")
    g = rng.standard_normal(to.shape).astype(dtype)
    to.backward(torch.tensor(g))
    oo.backward(ag.tensor(g))
    _close(ow.grad, tw.grad, tol, "weight grad")


def test_repeated_indices_accumulate_closed_form(rng):
    w = ag.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    F.embedding(ag.tensor([2, 2, 2, 0]), w).sum().backward()
    _close(w.grad, np.array([[1, 1], [0, 0], [3, 3], [0, 0]]), 0, "counts")


def test_module_init_padding_and_grad():
    ag.manual_seed(0)
    m = nn.Embedding(2000, 20, padding_idx=3)
    w = _np(m.weight)
    assert (w[3] == 0).all()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01  # N(0, 1), 40k samples
    out = m(ag.tensor([[3, 5], [5, 3]]))
    assert out.shape == (2, 2, 20)
    out.sum().backward()
    assert (_np(m.weight.grad)[3] == 0).all() and (_np(m.weight.grad)[5] == 2).all()
    assert repr(m) == repr(torch.nn.Embedding(2000, 20, padding_idx=3))
    assert m.weight.dtype == ag.float32


def test_max_norm_renormalises_like_torch(rng):
    w = (rng.standard_normal((5, 3)) * 3).astype(np.float64)
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=False, max_norm=1.5,
                                           norm_type=2.0)
    o = nn.Embedding.from_pretrained(ag.tensor(w), freeze=False, max_norm=1.5)
    idx = [[0, 2], [2, 4]]
    to, oo = t(torch.tensor(idx)), o(ag.tensor(idx))
    _close(oo, to, 1e-12, "output")
    _close(o.weight, t.weight, 1e-12, "renormalised table (rows 1, 3 untouched)")
    to.sum().backward()
    oo.sum().backward()
    _close(o.weight.grad, t.weight.grad, 1e-12, "grad")


def test_from_pretrained_freeze_and_padding(rng):
    w = ag.tensor(rng.standard_normal((4, 3)))
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad and m.padding_idx is None
    assert not m(ag.tensor([1])).requires_grad
    m2 = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    _close(m2.weight[1], _np(w)[1], 0, "pretrained padding row kept")
    m2(ag.tensor([1, 2])).sum().backward()
    _close(m2.weight.grad, np.array([[0] * 3, [0] * 3, [1] * 3, [0] * 3]), 0, "grad")


def test_state_dict_from_torch(rng):
    t = torch.nn.Embedding(7, 3, padding_idx=2)
    o = nn.Embedding(7, 3, padding_idx=2)
    o.load_state_dict({k: ag.tensor(v.numpy()) for k, v in t.state_dict().items()})
    idx = rng.integers(0, 7, (4, 5))
    _close(o(ag.tensor(idx)), t(torch.tensor(idx)), 0, "loaded")


def test_gradcheck_and_gradgradcheck(rng):
    w = ag.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    idx = ag.tensor(IDX)
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    # squaring makes the gradient depend on w: checks the backward-of-backward op. (padding_idx
    # alters the gradient on purpose, as a 0/1 mask; applied on each pass it stays consistent.)
    assert gradgradcheck(lambda w: F.embedding(idx, w, padding_idx=1) ** 2, (w,))


def test_errors():
    w = ag.randn(5, 2)
    with pytest.raises(IndexError, match="index 5 is out of range for an embedding table "
                                         "with 5 rows"):
        F.embedding(ag.tensor([1, 5]), w)
    with pytest.raises(RuntimeError, match="expected the indices to be an integer tensor"):
        F.embedding(ag.tensor([1.0]), w)
    with pytest.raises(ValueError, match="expected weight to be 2-D"):
        F.embedding(ag.tensor([1]), ag.randn(5))
    with pytest.raises(ValueError, match="padding_idx 7 must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=7)
    with pytest.raises(ValueError, match="embeddings parameter is expected to be 2-dim"):
        nn.Embedding.from_pretrained(ag.randn(3))


def test_lookup_backward_accumulates_repeated_rows():
    """200k lookups into a 10k-row table: each row's gradient is its lookup count (np.bincount
    as the oracle). (Its speed is a benchmark matter, not asserted here.)"""
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 10000, 200000)
    w = ag.randn(10000, 32, requires_grad=True)
    F.embedding(ag.tensor(idx), w).backward(ag.ones(200000, 32))
    counts = np.bincount(idx, minlength=10000).astype(np.float32)
    np.testing.assert_array_equal(w.grad.numpy(), np.repeat(counts[:, None], 32, axis=1))


# ------------------------------------------------------------------------- EmbeddingBag

@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("form", ["2d", "offsets", "last_offset"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_matches_torch(mode, form, padding_idx, rng):
    w = rng.standard_normal((6, 3))
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=False, mode=mode,
                                              padding_idx=padding_idx,
                                              include_last_offset=form == "last_offset")
    o = nn.EmbeddingBag.from_pretrained(ag.tensor(w), freeze=False, mode=mode,
                                        padding_idx=padding_idx,
                                        include_last_offset=form == "last_offset")
    if form == "2d":
        targs = [torch.tensor(IDX)]
        oargs = [ag.tensor(IDX)]
    else:
        flat = np.array([1, 3, 3, 0, 4, 2, 1, 5, 2])
        offs = [0, 3, 3, 7] + ([9] if form == "last_offset" else [])  # an empty bag too
        targs = [torch.tensor(flat), torch.tensor(offs)]
        oargs = [ag.tensor(flat), ag.tensor(offs)]
    to, oo = t(*targs), o(*oargs)
    _close(oo, to, 1e-12, "forward")
    g = rng.standard_normal(tuple(to.shape))
    to.backward(torch.tensor(g))
    oo.backward(ag.tensor(g))
    _close(o.weight.grad, t.weight.grad, 1e-12, "grad")


def test_embedding_bag_per_sample_weights(rng):
    w = rng.standard_normal((6, 3))
    t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=False, mode="sum")
    o = nn.EmbeddingBag.from_pretrained(ag.tensor(w), freeze=False, mode="sum")
    psw = rng.standard_normal(IDX.shape)
    tp, op = torch.tensor(psw, requires_grad=True), ag.tensor(psw, requires_grad=True)
    to, oo = t(torch.tensor(IDX), per_sample_weights=tp), o(ag.tensor(IDX),
                                                            per_sample_weights=op)
    _close(oo, to, 1e-12, "forward")
    to.sum().backward()
    oo.sum().backward()
    _close(op.grad, tp.grad, 1e-12, "per-sample weight grad")
    _close(o.weight.grad, t.weight.grad, 1e-12, "weight grad")
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        nn.EmbeddingBag(6, 3, mode="mean")(ag.tensor(IDX), per_sample_weights=op)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("rows, n", [(1000, (32, 40)), (7, (50,)), (100000, (64,))])
def test_accumulate_rows_is_the_float64_bincount_bit_for_bit(dtype, rows, n, rng):
    """The row accumulation behind the embedding's gradient (np.add.at on float64 bins) gives
    exactly what the float64 ``np.bincount`` of the (row, column) bins gives -- the sequential
    sum of each row's repeats in index order, rounded once -- for a table smaller than the
    batch (heavy repeats), W5's shape, and a table much larger (the distinct-rows path);
    values span magnitudes and include signed zeros, so a different order or rounding shows."""
    from autograd_nn._ops.embedding import accumulate_rows

    D = 5
    idx = rng.integers(0, rows, n).reshape(-1)
    g = (rng.standard_normal((idx.size, D)) * 10.0 ** rng.integers(-6, 6, (idx.size, D)))
    g[rng.random(g.shape) < 0.05] = -0.0
    g = g.astype(dtype)
    uniq, inv = np.unique(idx, return_inverse=True)
    bins = (inv.reshape(-1, 1) * D + np.arange(D)).reshape(-1)
    want = np.zeros((rows, D), dtype)
    want[uniq] = np.bincount(bins, weights=g.reshape(-1), minlength=uniq.size * D).reshape(-1, D)
    got = accumulate_rows(g, idx, rows)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
