"""Creation functions: dtypes, shapes and values against PyTorch; memory sharing; seeding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an

torch = pytest.importorskip("torch")


def _same(ours, theirs, values=True):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    if values:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6,
                                   atol=1e-7)


CREATION = [
    ("zeros", lambda m: m.zeros(2, 3)),
    ("zeros_tuple", lambda m: m.zeros((2, 3), dtype=m.float64)),
    ("zeros_list_int", lambda m: m.zeros([2], dtype=m.int64)),
    ("zeros_scalar", lambda m: m.zeros(())),
    ("ones", lambda m: m.ones(3, requires_grad=True)),
    ("ones_int", lambda m: m.ones(2, 2, dtype=m.int32)),
    ("full_float", lambda m: m.full((2, 2), 1.5)),
    ("full_int", lambda m: m.full((2,), 7)),
    ("full_bool", lambda m: m.full((2,), True)),
    ("full_dtype", lambda m: m.full((2,), 7, dtype=m.float64)),
    ("eye", lambda m: m.eye(3)),
    ("eye_rect", lambda m: m.eye(2, 4, dtype=m.int64)),
    ("arange_int", lambda m: m.arange(5)),
    ("arange_start_step", lambda m: m.arange(1, 10, 3)),
    ("arange_neg_step", lambda m: m.arange(5, 0, -2)),
    ("arange_float", lambda m: m.arange(0, 1, 0.25)),
    ("arange_float_start", lambda m: m.arange(0.5, 3)),
    ("arange_dtype", lambda m: m.arange(4, dtype=m.float64)),
    ("linspace", lambda m: m.linspace(0, 1, 5)),
    ("linspace_one", lambda m: m.linspace(-1, 1, 1)),
    ("linspace_f64", lambda m: m.linspace(-2, 3, 7, dtype=m.float64)),
    ("zeros_like", lambda m: m.zeros_like(m.tensor([[1, 2]]))),
    ("ones_like_dtype", lambda m: m.ones_like(m.tensor([1, 2]), dtype=m.float32)),
    ("full_like", lambda m: m.full_like(m.tensor([1.0, 2.0]), 3)),
    ("full_like_int", lambda m: m.full_like(m.tensor([1, 2]), 3.7)),
    ("empty", lambda m: m.empty(2, 3).zero_()),
    ("empty_like", lambda m: m.empty_like(m.tensor([1.0])).fill_(2)),
    ("tensor_nested", lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]])),
    ("tensor_scalar_int", lambda m: m.tensor(3)),
    ("tensor_empty", lambda m: m.tensor([])),
    ("tensor_of_tensors", lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)])),
    ("as_tensor_list", lambda m: m.as_tensor([1, 2])),
    ("as_tensor_f64", lambda m: m.as_tensor(np.array([1.0, 2.0]))),
    ("as_tensor_dtype", lambda m: m.as_tensor(np.array([1.0, 2.0]), dtype=m.float32)),
    ("from_numpy_i32", lambda m: m.from_numpy(np.array([1, 2], dtype=np.int32))),
    ("from_numpy_f64", lambda m: m.from_numpy(np.array([[1.0]]))),
]


@pytest.mark.parametrize("expr", [e for _, e in CREATION], ids=[n for n, _ in CREATION])
def test_creation_matches_torch(expr):
    _same(expr(an), expr(torch))


RANDOM = [
    ("rand", lambda m: m.rand(2, 3)),
    ("rand_f64", lambda m: m.rand((4,), dtype=m.float64)),
    ("randn", lambda m: m.randn(3, requires_grad=True)),
    ("randint", lambda m: m.randint(0, 10, (3, 2))),
    ("randint_high", lambda m: m.randint(5, (4,))),
    ("randperm", lambda m: m.randperm(6)),
    ("rand_like", lambda m: m.rand_like(m.zeros(2, dtype=m.float64))),
    ("randn_like", lambda m: m.randn_like(m.zeros(3))),
]


@pytest.mark.parametrize("expr", [e for _, e in RANDOM], ids=[n for n, _ in RANDOM])
def test_random_creation_dtype_and_shape(expr):
    _same(expr(an), expr(torch), values=False)


def test_random_ranges():
    an.manual_seed(0)
    u = an.rand(20000).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    n = an.randn(20000).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    r = an.randint(-3, 4, (5000,)).numpy()
    assert set(np.unique(r)) == set(range(-3, 4))
    p = an.randperm(50).numpy()
    assert sorted(p.tolist()) == list(range(50))


def test_manual_seed_reproducible():
    an.manual_seed(123)
    a = (an.rand(3), an.randn(2, 2), an.randint(0, 100, (4,)), an.randperm(5))
    an.manual_seed(123)
    b = (an.rand(3), an.randn(2, 2), an.randint(0, 100, (4,)), an.randperm(5))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    c = an.rand(3)
    assert not np.array_equal(a[0].numpy(), c.numpy())
    g1, g2 = an.Generator().manual_seed(7), an.Generator().manual_seed(7)
    np.testing.assert_array_equal(an.randn(4, generator=g1).numpy(),
                                  an.randn(4, generator=g2).numpy())
    state = an.get_rng_state()
    x = an.rand(3)
    an.set_rng_state(state)
    np.testing.assert_array_equal(x.numpy(), an.rand(3).numpy())


def test_memory_sharing():
    arr = np.array([1.0, 2.0])
    t = an.from_numpy(arr)
    arr[0] = 5
    assert t[0].item() == 5.0
    assert an.as_tensor(arr).numpy() is arr or np.shares_memory(an.as_tensor(arr).numpy(), arr)
    c = an.tensor(arr)
    arr[1] = 9
    assert c[1].item() == 2.0  # tensor() copies
    x = an.tensor([1.0, 2.0])
    assert an.as_tensor(x) is x


def test_creation_errors():
    with pytest.raises(RuntimeError, match="negative dimension"):
        an.zeros(2, -1)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        an.arange(0, 3, 0)
    with pytest.raises(TypeError, match="from_numpy"):
        an.from_numpy([1, 2])
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        an.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="can't convert"):
        an.tensor(["a"])
    with pytest.raises(RuntimeError, match=r"arange: upper bound and lower bound inconsistent "
                                           r"with step sign \(start=1, end=0, step=1\)"):
        an.arange(1, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        an.arange(0.0, 1.0, -0.5)


@given(start=st.integers(-20, 20), n=st.integers(0, 12), frac=st.booleans(),
       step=st.sampled_from([1, 2, -3, 0.1, 0.25, 1.5, -0.7, 0.01]),
       dtype=st.sampled_from([None, "float64", "int64"]))
def test_arange_drawn_matches_torch(start, n, frac, step, dtype):
    """arange over integer and fractional bounds and steps (length = ceil((end - start) / step),
    empty ranges, an integer dtype truncating fractional arguments, the inconsistent-sign error)
    as PyTorch."""
    lo = start / 7 if frac else start
    hi = lo + n * step * 0.93 + (1e-4 if frac else 0)
    kw = [{} if dtype is None else {"dtype": getattr(m, dtype)} for m in (an, torch)]
    try:
        b = torch.arange(lo, hi, step, **kw[1])
    except (RuntimeError, ValueError):  # int64: a step truncated to 0 is torch's ValueError
        with pytest.raises(RuntimeError, match="inconsistent with step sign|step must be "
                                               "nonzero"):
            an.arange(lo, hi, step, **kw[0])
        return
    _same(an.arange(lo, hi, step, **kw[0]), b)


@given(lo=st.floats(-5, 5), hi=st.floats(-5, 5), steps=st.integers(0, 20))
def test_linspace_drawn_matches_torch(lo, hi, steps):
    _same(an.linspace(lo, hi, steps), torch.linspace(lo, hi, steps))
    a = an.linspace(lo, hi, steps, dtype=an.float64)
    b = torch.linspace(lo, hi, steps, dtype=torch.float64)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)
