"""unique, unique_consecutive, histc, histogram, bincount, searchsorted, bucketize,
tril/triu(_indices), cdist, cosine_similarity, pairwise_distance against PyTorch 2.13 (values,
dtypes, and gradients where differentiable), hypothesis-drawn inputs, float64 gradcheck of
cdist, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _same(ours, theirs):
    """Equal values, shapes and dtypes (tuples elementwise)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _both(fn, *arrays, **kw):
    """``fn`` of both libraries on the same arguments (NumPy arrays become tensors)."""
    def conv(lib, v):
        return lib.tensor(v) if isinstance(v, np.ndarray) else v

    return tuple(getattr(lib, fn)(*[conv(lib, a) for a in arrays],
                                  **{k: conv(lib, v) for k, v in kw.items()})
                 for lib in (an, torch))


# ------------------------------------------------------------------------------------ unique

UNIQUE_OPTS = [dict(), dict(return_inverse=True), dict(return_counts=True),
               dict(return_inverse=True, return_counts=True, sorted=False)]


@pytest.mark.parametrize("opts", UNIQUE_OPTS, ids=str)
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_matches_torch(opts, dim, rng):
    x = rng.integers(0, 3, (5, 3))
    x[3] = x[1]  # a repeated row for dim=0
    _same(*_both("unique", x, dim=dim, **opts))
    _same(*_both("unique_consecutive", x, dim=dim,
                 **{k: v for k, v in opts.items() if k != "sorted"}))


def test_unique_dtypes_nan_and_empty_match_torch():
    _same(*_both("unique", np.array([2.0, 1.0, 2.0], np.float32)))
    o, t = _both("unique", np.array([2.0, np.nan, 1.0, np.nan]))
    np.testing.assert_array_equal(o.numpy(), t.numpy())  # each NaN distinct, as torch
    _same(*_both("unique", np.array([True, False, True])))
    _same(*_both("unique", np.zeros(0, np.int64), return_inverse=True, return_counts=True))
    _same(*_both("unique_consecutive", np.zeros((0,), np.int64), return_counts=True))
    _same(*_both("unique", np.arange(6).reshape(2, 3) % 2, return_inverse=True))


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=12), st.booleans(), st.booleans())
def test_unique_drawn_matches_torch(values, inv, counts):
    x = np.array(values)
    _same(*_both("unique", x, return_inverse=inv, return_counts=counts))
    _same(*_both("unique_consecutive", x, return_inverse=inv, return_counts=counts))


# ------------------------------------------------------------------------------- histograms


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [dict(bins=4, min=0, max=3), dict(bins=4), dict(bins=7, min=-1,
                                                                             max=1.5)], ids=str)
def test_histc_matches_torch(kw, dtype, rng):
    x = np.concatenate([rng.standard_normal(50), [0.0, 3.0, -1.0, 1.5, 0.75]]).astype(dtype)
    _same(*_both("histc", x, **kw))
    _same(*_both("histc", np.ones(3, dtype), bins=4))  # one value: [v - 1, v + 1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogram_matches_torch(dtype, rng):
    x = rng.standard_normal(40).astype(dtype)
    w = rng.random(40).astype(dtype)
    for kw in (dict(bins=5), dict(bins=3, range=(0.0, 1.0)), dict(bins=4, weight=w),
               dict(bins=4, density=True), dict(bins=1)):
        args = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        o = an.histogram(an.tensor(x), **{k: an.tensor(v) if isinstance(v, np.ndarray) else v
                                          for k, v in kw.items()})
        t = torch.histogram(torch.tensor(x), **args)
        np.testing.assert_allclose(o.bin_edges.numpy(), t.bin_edges.numpy(), rtol=1e-6)
        np.testing.assert_allclose(o.hist.numpy(), t.hist.numpy(), rtol=1e-5)
        assert o.hist.dtype == (an.float32 if dtype == np.float32 else an.float64)
    edges = np.array([-1.0, 0.0, 0.5, 2.0], dtype)
    o = an.histogram(an.tensor(x), an.tensor(edges), weight=an.tensor(w), density=True)
    t = torch.histogram(torch.tensor(x), torch.tensor(edges), weight=torch.tensor(w),
                        density=True)
    np.testing.assert_allclose(o.hist.numpy(), t.hist.numpy(), rtol=1e-5)
    o = an.histogram(an.tensor(np.ones(3, dtype)), 4)  # one value: [v - 0.5, v + 0.5]
    t = torch.histogram(torch.tensor(np.ones(3, dtype)), 4)
    _same(tuple(o), tuple(t))


@given(st.lists(st.floats(-4, 4, width=32), min_size=1, max_size=30), st.integers(1, 6))
def test_histc_drawn_matches_torch(values, bins):
    x = np.array(values, np.float32)
    _same(*_both("histc", x, bins=bins))
    _same(*_both("histc", x, bins=bins, min=-2, max=2))


def test_bincount_matches_torch(rng):
    x = rng.integers(0, 5, 20)
    _same(*_both("bincount", x))
    _same(*_both("bincount", x, minlength=9))
    _same(*_both("bincount", np.zeros(0, np.int64)))
    for wdt in (np.float32, np.float64, np.int64):
        w = rng.standard_normal(20).astype(wdt) if wdt != np.int64 else rng.integers(0, 3, 20)
        o, t = _both("bincount", x, w)
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------- searching


@pytest.mark.parametrize("kw", [dict(), dict(right=True), dict(side="right"),
                                dict(out_int32=True)], ids=str)
def test_searchsorted_and_bucketize_match_torch(kw, rng):
    seq = np.array([1, 3, 3, 5, 7, 9])
    vals = np.array([[0, 3, 6, 9, 10], [3, 3, 1, 2, 8]])
    _same(*_both("searchsorted", seq, vals, **kw))
    _same(*_both("searchsorted", seq, 3, **kw))
    seq2 = np.sort(rng.standard_normal((2, 3, 6)), axis=-1)
    vals2 = rng.standard_normal((2, 3, 4))
    _same(*_both("searchsorted", seq2, vals2, **kw))
    if "side" not in kw:
        _same(*_both("bucketize", vals, seq, **kw))
        _same(*_both("bucketize", 3, seq, **kw))
    unsorted = np.array([5, 1, 3, 9])
    sorter = np.argsort(unsorted)
    _same(*_both("searchsorted", unsorted, np.array([2, 4, 10]), sorter=sorter, **kw))


def test_tril_triu_indices_match_torch():
    for args in [(3, 4), (4, 3, 1), (4, 3, -1), (3, 3, 5), (3, 3, -5), (0, 3), (2, 2, 0)]:
        _same(an.tril_indices(*args), torch.tril_indices(*args))
        _same(an.triu_indices(*args), torch.triu_indices(*args))
    _same(an.tril_indices(3, 3, dtype=an.int32), torch.tril_indices(3, 3, dtype=torch.int32))


def test_tril_triu_functions_match_torch(rng):
    x = rng.standard_normal((2, 3, 4))
    for k in (-1, 0, 2):
        for name in ("tril", "triu"):
            a = an.tensor(x, requires_grad=True)
            t = torch.tensor(x, requires_grad=True)
            o, p = getattr(an, name)(a, k), getattr(torch, name)(t, k)
            np.testing.assert_array_equal(o.detach().numpy(), p.detach().numpy())
            o.sum().backward()
            p.sum().backward()
            np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())


# ------------------------------------------------------------------------------- distances


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf")])
@pytest.mark.parametrize("shapes", [((3, 4), (5, 4)), ((2, 3, 4), (2, 5, 4)),
                                    ((2, 1, 3, 2), (4, 6, 2))], ids=str)
def test_cdist_matches_torch(shapes, p, dtype, tol, rng):
    a, b = (rng.standard_normal(s).astype(dtype) for s in shapes)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    oa, ob = (an.tensor(v, requires_grad=True) for v in (a, b))
    o = an.cdist(oa, ob, p)
    t = torch.cdist(ta, tb, p, compute_mode="donot_use_mm_for_euclid_dist")
    np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(t.shape)).astype(dtype)
    o.backward(an.tensor(g))
    t.backward(torch.tensor(g))
    np.testing.assert_allclose(oa.grad.numpy(), ta.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(ob.grad.numpy(), tb.grad.numpy(), rtol=tol, atol=tol)


def test_cdist_coinciding_rows_have_zero_gradient_as_torch(rng):
    a = rng.standard_normal((3, 2))
    oa, ta = an.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    an.cdist(oa, oa).sum().backward()
    torch.cdist(ta, ta).sum().backward()
    np.testing.assert_allclose(oa.grad.numpy(), ta.grad.numpy(), atol=1e-12)
    assert np.isfinite(oa.grad.numpy()).all()


def test_cdist_gradcheck(rng):
    a = an.tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
    b = an.tensor(rng.standard_normal((2, 4, 2)), requires_grad=True)
    for p in (2.0, 1.5, 1.0):
        assert gradcheck(lambda x, y, p=p: an.cdist(x, y, p), [a, b])
    assert gradgradcheck(lambda x, y: an.cdist(x, y), [a, b])


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, float("inf")])
def test_pdist_matches_torch(p, rng):
    x = rng.standard_normal((5, 3))
    o, t = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    po, pt = an.pdist(o, p), torch.pdist(t, p)
    np.testing.assert_allclose(po.detach().numpy(), pt.detach().numpy(), rtol=1e-10)
    g = rng.standard_normal(tuple(pt.shape))
    po.backward(an.tensor(g))
    pt.backward(torch.tensor(g))
    np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(an.nn.functional.pdist(o.detach(), p).numpy(),
                               pt.detach().numpy(), rtol=1e-10)


def test_top_level_cosine_similarity_and_pairwise_distance_match_torch(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    for fn, kw in (("cosine_similarity", dict(dim=1)), ("pairwise_distance", dict(p=1.5))):
        o, t = _both(fn, a, b, **kw)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)


# ------------------------------------------------------------------------------------ errors


def test_errors_as_torch():
    for lib in (an, torch):
        with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative"):
            lib.bincount(lib.tensor([-1, 2]))
        with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative"):
            lib.bincount(lib.tensor([[1, 2]]))
        with pytest.raises(NotImplementedError, match="bincount_cpu\" not implemented for "
                                                      "'Float'"):
            lib.bincount(lib.tensor([1.0, 2.0]))
        with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
            lib.histc(lib.tensor([1, 2]), bins=4)
        with pytest.raises(RuntimeError, match="max must be larger than min"):
            lib.histc(lib.tensor([1.0, 2.0]), bins=2, min=4, max=0)
        with pytest.raises(RuntimeError, match="is not finite"):
            lib.histc(lib.tensor([1.0, float("nan")]), bins=2)
        with pytest.raises(RuntimeError, match="bins must be > 0"):
            lib.histogram(lib.tensor([1.0, 2.0]), bins=0)
        with pytest.raises(RuntimeError, match="min should not exceed max"):
            lib.histogram(lib.tensor([1.0, 2.0]), bins=2, range=(4.0, 0.0))
        with pytest.raises(RuntimeError, match="boundaries tensor should be 1 dimension or the "
                                               "first N-1 dimensions"):
            lib.searchsorted(lib.tensor([[1, 3, 5]]), lib.tensor([3, 4]))
        with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
            lib.searchsorted(lib.tensor([1, 3]), lib.tensor([2]), right=True, side="left")
        with pytest.raises(RuntimeError, match="boundaries tensor must be 1 dimension"):
            lib.bucketize(lib.tensor([1]), lib.tensor([[1, 3]]))
        with pytest.raises(RuntimeError, match="X1 and X2 must have the same number of "
                                               "columns"):
            lib.cdist(lib.ones(2, 3), lib.ones(2, 4))
        with pytest.raises(RuntimeError, match="cdist only supports at least 2D tensors"):
            lib.cdist(lib.ones(3), lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="cdist only supports non-negative p"):
            lib.cdist(lib.ones(2, 3), lib.ones(2, 3), p=-1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histogramdd_matches_torch(dtype, rng):
    pts = rng.standard_normal((30, 2)).astype(dtype)
    w = rng.random(30).astype(dtype)
    edges = [np.array([-2.0, 0.0, 0.5, 2.0], dtype), np.array([-1.0, 1.0], dtype)]
    for kw in (dict(bins=3), dict(bins=[2, 4]), dict(bins=[2, 3], range=[-1.0, 1.0, 0.0, 2.0]),
               dict(bins=[2, 4], weight=w, density=True), dict(bins=edges)):
        def conv(lib, v):  # arrays (and lists of arrays) as the library's tensors
            if isinstance(v, list) and v and isinstance(v[0], np.ndarray):
                return [lib.tensor(e) for e in v]
            return lib.tensor(v) if isinstance(v, np.ndarray) else v

        ours = {k: conv(an, v) for k, v in kw.items()}
        theirs = {k: conv(torch, v) for k, v in kw.items()}
        o = an.histogramdd(an.tensor(pts), **ours)
        t = torch.histogramdd(torch.tensor(pts), **theirs)
        np.testing.assert_allclose(o.hist.numpy(), t.hist.numpy(), rtol=1e-5)
        assert len(o.bin_edges) == len(t.bin_edges)
        for a, b in zip(o.bin_edges, t.bin_edges):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    o = an.histogramdd(an.tensor(pts[:, :1].reshape(5, 6, 1)), bins=4)  # batch dims flatten
    t = torch.histogramdd(torch.tensor(pts[:, :1].reshape(5, 6, 1)), bins=4)
    np.testing.assert_array_equal(o.hist.numpy(), t.hist.numpy())
