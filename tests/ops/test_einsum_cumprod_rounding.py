"""einsum, take_along_dim, cumprod and the rounding ops against PyTorch (forward and backward,
float64 1e-10 / float32 1e-5), float64 finite differences (gradcheck / gradgradcheck), and
hand-derived values; error messages with match=."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _pair(arrs):
    return ([an.tensor(a, requires_grad=True) for a in arrs],
            [torch.tensor(a, requires_grad=True) for a in arrs])


def _check_vs_torch(fn_an, fn_torch, arrs, rng, dtype=np.float64):
    """Forward and backward (a random upstream gradient) of both frameworks agree."""
    arrs = [a.astype(dtype) for a in arrs]
    ours, theirs = _pair(arrs)
    o, p = fn_an(*ours), fn_torch(*theirs)
    tol = TOL[dtype]
    np.testing.assert_allclose(o.detach().numpy(), p.detach().numpy(), rtol=tol, atol=tol)
    assert o.dtype == an.float64 if dtype == np.float64 else o.dtype == an.float32
    g = rng.standard_normal(tuple(p.shape)).astype(dtype)
    o.backward(an.tensor(g))
    p.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


# --------------------------------------------------------------------------------- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),            # implicit output
    ("ba", [(2, 3)]),                       # implicit output is sorted: a transpose
    ("Ab,ab", [(2, 3), (2, 3)]),            # A-Z sort before a-z
    ("ii->i", [(3, 3)]),                    # diagonal
    ("ii", [(3, 3)]),                       # trace
    ("iii->i", [(2, 2, 2)]),
    ("iij,jk->ik", [(2, 2, 3), (3, 4)]),    # diagonal inside a contraction
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),                    # a label summed within one operand only
    ("i,i", [(3,), (3,)]),
    ("i,i->i", [(1,), (3,)]),               # size-1 label broadcasts
    ("i,j->ij", [(3,), (2,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk", [(2, 1, 2, 3), (4, 3, 2)]),  # '...' broadcast and right-aligned
    ("...ii->...i", [(2, 3, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("...,...", [(2, 3), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),  # 3 operands (optimize=True)
    ("i j , j k -> k i", [(2, 3), (3, 4)]),      # spaces
    ("i,->i", [(3,), ()]),                  # a 0-d operand
    ("i...j->j...i", [(2, 3, 4, 5)]),       # '...' in the middle of the output
    ("ii,jj->ij", [(2, 2), (3, 3)]),        # diagonals of two operands
    ("iij,jkk->ik", [(2, 2, 3), (3, 4, 4)]),
    ("b...,b...->b", [(2, 3, 1), (2, 1, 4)]),
    ("ij,jk,kl,lm->im", [(2, 3), (3, 4), (4, 2), (2, 2)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),        # an empty contraction: zeros
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_torch(eq, shapes, rng):
    arrs = [rng.standard_normal(s) for s in shapes]
    for dtype in (np.float64, np.float32):
        _check_vs_torch(lambda *x: an.einsum(eq, *x), lambda *x: torch.einsum(eq, *x),
                        arrs, rng, dtype)


GRAD_CASES = [c for c in EINSUM_CASES if c[0] != "i,i->i" and 0 not in sum(c[1], ())]


@pytest.mark.parametrize("eq,shapes", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_einsum_gradcheck_gradgradcheck(eq, shapes, rng):
    xs = [an.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    assert gradcheck(lambda *x: an.einsum(eq, *x), xs)
    assert gradgradcheck(lambda *x: an.einsum(eq, *x), xs)


def test_einsum_operand_forms_and_hand_values():
    a = an.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = an.tensor([[5.0, 6.0], [7.0, 8.0]])
    want = np.array([[19.0, 22.0], [43.0, 50.0]])  # by hand
    np.testing.assert_array_equal(an.einsum("ij,jk->ik", a, b).numpy(), want)
    np.testing.assert_array_equal(an.einsum("ij,jk->ik", [a, b]).numpy(), want)
    np.testing.assert_array_equal(an.einsum(a, [0, 1], b, [1, 2], [0, 2]).numpy(), want)
    assert an.einsum("ii", a).item() == 5.0
    lists = an.einsum("ij,jk", [[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]])
    assert lists.dtype == an.float32 and lists.tolist() == want.tolist()
    assert an.einsum("i,i", an.arange(3), an.arange(3)).item() == 5  # integers: 0 + 1 + 4
    np.testing.assert_array_equal(an.einsum("ii->i", a).numpy(), [1.0, 4.0])
    x = an.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    an.einsum("ii", x).backward()  # d trace / dx = identity
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(2))


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_einsum_drawn_shapes_vs_torch(b, i, j, k):
    rng = np.random.default_rng(b * 27 + i * 9 + j * 3 + k)
    for eq, shapes in [("bij,bjk->bik", [(b, i, j), (b, j, k)]), ("...j,jk", [(b, i, j), (j, k)]),
                       ("bii,ij->bj", [(b, i, i), (i, j)])]:
        arrs = [rng.standard_normal(s) for s in shapes]
        _check_vs_torch(lambda *x, eq=eq: an.einsum(eq, *x),
                        lambda *x, eq=eq: torch.einsum(eq, *x), arrs, rng, np.float32)


@pytest.mark.parametrize("args,msg", [
    (("ij,jk", (2, 3)), "fewer operands were provided than specified in the equation"),
    (("ij", (2, 3), (3,)), "more operands were provided than specified in the equation"),
    (("ij->ii", (2, 3)), "output subscript i appears more than once"),
    (("ij->k", (2, 3)), "output subscript k does not appear in the equation for any input"),
    (("i1", (2, 3)), r"invalid subscript given at index 1 .*\[a-zA-Z\]"),
    (("ijk", (2, 3)), r"number of subscripts in the equation \(3\) does not match the number of "
                      r"dimensions \(2\) for operand 0"),
    (("ii", (2, 3)), "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    (("i,i", (2,), (3,)), "subscript i has size 3 for operand 1 which does not broadcast with "
                          "previously seen size 2"),
    (("i..j", (2, 3)), "not part of any ellipsis"),
    (("ij->j->i", (2, 3)), "malformed equation"),
])
def test_einsum_errors(args, msg):
    eq, *shapes = args
    with pytest.raises(RuntimeError, match=msg):
        an.einsum(eq, *[an.zeros(s) for s in shapes])


def test_einsum_sublist_range_error():
    with pytest.raises(ValueError, match=r"einsum\(\): subscript in subscript list is not "
                                         r"within the valid range \[0, 52\), got -1"):
        an.einsum(an.zeros(2), [-1])


def test_einsum_mixed_dtypes_error():
    with pytest.raises(RuntimeError, match=r"einsum\(\): expected all operands to have the same "
                                           r"dtype, got .*float32.*float64"):
        an.einsum("i,i", an.zeros(2), an.zeros(2, dtype=an.float64))


# -------------------------------------------------------------------------------- cumprod

CUMPROD_ROWS = [
    [2.0, 0.0, 3.0, 4.0],    # one zero
    [2.0, 0.0, 0.0, 4.0],    # two zeros in a row
    [0.0, 3.0, 0.0, 2.0],    # zeros apart, first at the start
    [1.5, -2.0, 3.0, 0.0],   # zero last
    [0.0, 0.0, 0.0, 0.0],
    [1.5, -2.0, 0.7, 0.5],   # no zero
]


@pytest.mark.parametrize("row", CUMPROD_ROWS)
def test_cumprod_with_zeros_vs_torch_first_and_second_order(row, rng):
    a = np.array(row)
    g, h = rng.standard_normal(4), rng.standard_normal(4)
    _check_vs_torch(lambda x: an.cumprod(x, 0), lambda x: torch.cumprod(x, 0), [a], rng)
    x, t = an.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    gx, = an.autograd.grad((x.cumprod(0) * an.tensor(g)).sum(), x, create_graph=True)
    gt, = torch.autograd.grad((t.cumprod(0) * torch.tensor(g)).sum(), t, create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), gt.detach().numpy(), rtol=1e-10, atol=1e-10)
    hx, = an.autograd.grad((gx * an.tensor(h)).sum(), x)
    ht, = torch.autograd.grad((gt * torch.tensor(h)).sum(), t)
    np.testing.assert_allclose(hx.numpy(), ht.numpy(), rtol=1e-10, atol=1e-10)


def test_cumprod_grad_hand_value_at_zero():
    # out = [2, 0, 0, 0]; d(sum out)/dx: x1 = 0 gets 2 + 2*3 + 2*3*4 = 32, later entries 0
    x = an.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.cumprod(0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 32.0, 0.0, 0.0])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_gradcheck_gradgradcheck_with_zeros(dim, rng):
    a = rng.standard_normal((3, 4, 2))
    a[0, 1, :] = 0.0
    a[1, 2, 1] = a[1, 3, 1] = 0.0  # two zeros in a row along dim 1
    a[2, 0, 0] = 0.0
    x = an.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: t.cumprod(dim), (x,))
    assert gradgradcheck(lambda t: t.cumprod(dim), (x,))


@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
def test_cumprod_drawn_vs_torch(shape, data):
    rng = np.random.default_rng(len(shape) * 10 + sum(shape))
    a = rng.standard_normal(shape)
    a[rng.random(shape) < 0.3] = 0.0
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    for dtype in (np.float64, np.float32):
        _check_vs_torch(lambda x: x.cumprod(dim), lambda x: x.cumprod(dim), [a], rng, dtype)


def test_cumprod_third_order_with_zeros_vs_torch(rng):
    a = np.array([[1.5, 0.0, -2.0, 0.7], [0.0, 0.0, 3.0, 1.1]])
    x, t = an.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    v = rng.standard_normal(a.shape)
    gx, gt = x.cumprod(1), t.cumprod(1)
    for _ in range(3):  # d/dx of <v, previous>, three times
        gx, = an.autograd.grad((gx * an.tensor(v)).sum(), x, create_graph=True)
        gt, = torch.autograd.grad((gt * torch.tensor(v)).sum(), t, create_graph=True)
        np.testing.assert_allclose(gx.detach().numpy(), gt.detach().numpy(), rtol=1e-10,
                                   atol=1e-10)


def test_cumprod_dtype_argument():
    out = an.tensor([1.5, 2.0]).cumprod(0, dtype=an.float64)
    assert out.dtype == an.float64 and out.tolist() == [1.5, 3.0]


def test_cumprod_int_dtype_and_errors():
    out = an.cumprod(an.tensor([1, 2, 3], dtype=an.int32), 0)
    assert out.dtype == an.int64 and out.tolist() == [1, 2, 6]
    assert an.tensor(2.0).cumprod(0).item() == 2.0
    with pytest.raises(IndexError, match="cumprod"):
        an.zeros(2, 3).cumprod(2)


# ------------------------------------------------------------------------- take_along_dim


@pytest.mark.parametrize("xshape,ishape,dim", [
    ((3, 4), (3, 2), 1), ((3, 4), (1, 4), 0), ((3, 4), (3, 1), 1),
    ((1, 4), (3, 2), 1),       # input broadcast outside dim
    ((2, 3, 4), (2, 5, 1), 1), ((3, 4), (5,), None), ((2, 3), (2, 3), -1),
])
def test_take_along_dim_vs_torch(xshape, ishape, dim, rng):
    a = rng.standard_normal(xshape)
    size = int(np.prod(xshape)) if dim is None else xshape[dim]
    idx = rng.integers(0, size, ishape)
    # repeated indices make the backward a scatter-ADD
    idx.flat[0] = idx.flat[-1]
    for dtype in (np.float64, np.float32):
        _check_vs_torch(lambda x: an.take_along_dim(x, an.tensor(idx), dim),
                        lambda x: torch.take_along_dim(x, torch.tensor(idx), dim), [a], rng, dtype)
    x = an.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: t.take_along_dim(an.tensor(idx), dim), (x,))
    assert gradgradcheck(lambda t: an.take_along_dim(t, an.tensor(idx), dim) ** 2, (x,))


def test_take_along_dim_argmax_hand_value():
    x = an.tensor([[10.0, 30.0, 20.0], [5.0, 4.0, 6.0]])
    idx = x.argmax(1, keepdim=True)
    assert an.take_along_dim(x, idx, dim=1).tolist() == [[30.0], [6.0]]


@pytest.mark.parametrize("idx,dim,err,msg", [
    (np.array([[1]], dtype=np.int32), 1, RuntimeError, "dtype of indices should be Long but got "
                                                      ".*int32"),
    (np.array([[1.0]]), 1, RuntimeError, "dtype of indices should be Long but got .*float"),
    (np.array([1]), 1, RuntimeError, r"same number of dimensions, but got 2 dimensions for "
                                     r"input, and 1 dimensions for indices"),
    (np.array([[4]]), 1, RuntimeError, "index 4 is out of bounds for dimension 1 with size 4"),
    (np.array([-1]), None, RuntimeError, "index -1 is out of bounds for dimension 0 with size 12"),
    (np.zeros((2, 1), np.int64), 1, RuntimeError, r"shapes of input \[3, 4\] and indices "
                                                  r"\[2, 1\] do not broadcast"),
])
def test_take_along_dim_errors(idx, dim, err, msg):
    with pytest.raises(err, match=msg):
        an.take_along_dim(an.zeros(3, 4), an.tensor(idx), dim)


# -------------------------------------------------------------------------------- rounding

HALVES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1.25, -1.25, 2.675, 1234.5678, -7.3, 0.0])


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "fix", "round", "frac"])
def test_rounding_vs_torch_values_and_grads(name, rng):
    for dtype in (np.float64, np.float32):
        _check_vs_torch(getattr(an, name), getattr(torch, name), [HALVES], rng, dtype)
    x = an.tensor(HALVES, requires_grad=True)
    getattr(x, name)().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(12, 1.0 if name == "frac" else 0.0))


def test_round_half_to_even_hand_values():
    got = an.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5]).round().tolist()
    assert got == [0.0, 2.0, 2.0, -0.0, -2.0, -2.0]
    assert an.tensor([-1.75, 1.75]).frac().tolist() == [-0.75, 0.75]


@pytest.mark.parametrize("decimals", [1, 2, 3, -1, -2])
def test_round_decimals_vs_torch(decimals, rng):
    a = np.concatenate([HALVES, rng.standard_normal(20) * 100])
    for dtype in (np.float64, np.float32):
        ours = an.round(an.tensor(a.astype(dtype)), decimals=decimals).numpy()
        theirs = torch.round(torch.tensor(a.astype(dtype)), decimals=decimals).numpy()
        np.testing.assert_array_equal(ours, theirs)  # same formula, same float ops: exact


def test_rounding_integer_input_and_errors():
    i = an.tensor([-2, 0, 3])
    for name in ("floor", "ceil", "trunc", "round"):
        out = getattr(i, name)()
        assert out.dtype == an.int64 and out.tolist() == [-2, 0, 3]
    with pytest.raises(NotImplementedError, match=r"frac\(\): not implemented for .*int64"):
        i.frac()
    with pytest.raises(NotImplementedError, match=r"round\(\): .*int64 input with decimals"):
        i.round(decimals=1)
    with pytest.raises(NotImplementedError, match=r"floor\(\): .*bool"):
        (i > 0).floor()


def test_rounding_second_order_is_zero_and_frac_linear():
    # away from the jumps: frac' = 1, floor' = round' = 0, so these are x^2 - floor(x) x ...
    a = an.tensor(np.array([0.3, -1.2, 2.7]), requires_grad=True)
    assert gradcheck(lambda t: t.frac() * t + t.floor() * t, (a,))
    assert gradgradcheck(lambda t: t.frac() * t + t.round() * t, (a,))


@pytest.mark.parametrize("name", ["floor_", "ceil_", "trunc_", "fix_", "round_", "frac_"])
def test_rounding_inplace_vs_torch(name):
    a = HALVES * 1.7
    ours, theirs = _pair([a])
    y, t = ours[0] * 2.0, theirs[0] * 2.0
    assert getattr(y, name)() is y
    getattr(t, name)()
    np.testing.assert_array_equal(y.detach().numpy(), t.detach().numpy())
    (y * y).sum().backward()
    (t * t).sum().backward()
    np.testing.assert_allclose(ours[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-10, atol=0)
    i = an.tensor([1, -2])
    if name != "frac_":
        assert getattr(i, name)() is i and i.tolist() == [1, -2]


def test_round_inplace_decimals():
    x = an.tensor([1.2345, -2.5551])
    x.round_(decimals=2)
    np.testing.assert_array_equal(
        x.numpy(), torch.tensor([1.2345, -2.5551]).round_(decimals=2).numpy())


@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_take_along_dim_drawn_vs_torch(shape, data):
    rng = np.random.default_rng(sum(shape) * 7 + len(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    ishape = list(shape)
    ishape[dim] = data.draw(st.integers(1, 4))
    # broadcasting outside dim: some index dims drawn as 1
    ishape = [1 if i != dim % len(shape) and data.draw(st.booleans()) else s
              for i, s in enumerate(ishape)]
    idx = rng.integers(0, shape[dim], ishape)
    a = rng.standard_normal(shape)
    _check_vs_torch(lambda x: an.take_along_dim(x, an.tensor(idx), dim),
                    lambda x: torch.take_along_dim(x, torch.tensor(idx), dim), [a], rng, np.float32)


@given(st.lists(st.integers(1, 4), min_size=0, max_size=3), st.integers(-2, 3))
def test_rounding_drawn_vs_torch(shape, decimals):
    rng = np.random.default_rng(sum(shape) + 10 * decimals + 50)
    # multiples of 1/8 hit exact halves at every scale; the rest are generic values
    a = np.where(rng.random(shape) < 0.5, rng.integers(-40, 40, shape) / 8.0,
                 rng.standard_normal(shape) * 50)
    for dtype in (np.float64, np.float32):
        x, t = an.tensor(a.astype(dtype)), torch.tensor(a.astype(dtype))
        np.testing.assert_array_equal(x.round(decimals=decimals).numpy(),
                                      t.round(decimals=decimals).numpy())
        for name in ("floor", "ceil", "trunc", "frac"):
            np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(t, name)().numpy())
