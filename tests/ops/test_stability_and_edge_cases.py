"""Gaps found by auditing issue 2's test bar op by op: numerical stability against PyTorch,
third derivatives, the non-differentiable ops over drawn shapes (ties included), prod with zeros
to second order, in-place ops with broadcasting operands, and former divergences from PyTorch
(std at zero variance, pow at a zero base, empty dim lists, view of non-contiguous tensors,
int-then-array indexing, fill_ with a tensor value, error messages)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_nn as an
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

TOL = {np.float32: 1e-5, np.float64: 1e-10}


def _close(a, b, tol):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _both(x, dtype=np.float64, requires_grad=True):
    x = np.asarray(x, dtype=dtype)
    return (an.tensor(x, requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def _dt(m, dtype):
    return m.float32 if dtype is np.float32 else m.float64


# ------------------------------------------------------------------ stability at 1e4 logits

LARGE = np.array([[1e4, 0.0, -1e4, 5e3], [1e4, 1e4, 1e4 - 1, -3.0], [-1e4, -1e4, -1e4, -1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("fn", [
    lambda m, x: x.softmax(-1), lambda m, x: x.log_softmax(-1), lambda m, x: x.softmax(0),
    lambda m, x: x.log_softmax(0), lambda m, x: x.logsumexp(-1), lambda m, x: x.logsumexp(0),
    lambda m, x: x.logsumexp((0, 1), keepdim=True),
], ids=["softmax", "log_softmax", "softmax0", "log_softmax0", "logsumexp", "logsumexp0",
        "logsumexp_all"])
def test_large_logits_match_torch(fn, dtype):
    """Logits of +-1e4 (exp overflows float32 and float64): values and gradients as PyTorch's,
    all finite."""
    a, b = _both(LARGE, dtype)
    ya, yb = fn(an, a), fn(torch, b)
    assert np.isfinite(ya.detach().numpy()).all()
    _close(ya, yb, TOL[dtype])
    w = np.linspace(-1, 2, ya.numel()).reshape(tuple(yb.shape)).astype(dtype)
    (ya * an.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert np.isfinite(a.grad.numpy()).all()
    _close(a.grad, b.grad, TOL[dtype])


@pytest.mark.parametrize("fn", [lambda x: x.softmax(-1), lambda x: x.log_softmax(-1),
                                lambda x: x.logsumexp(-1)], ids=["softmax", "log_softmax",
                                                                 "logsumexp"])
def test_masked_minus_inf_logits_match_torch(fn):
    """-inf entries (attention masks): zero probability, finite gradient, as PyTorch."""
    x0 = np.array([[0.3, -np.inf, 1.2], [-np.inf, 2.0, -np.inf]])
    a, b = _both(x0)
    ya, yb = fn(a), fn(b)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12)
    w = np.linspace(-1, 1, ya.numel()).reshape(tuple(yb.shape))
    keep = np.isfinite(yb.detach().numpy())  # log_softmax of -inf stays -inf: no cotangent
    (ya * an.tensor(np.where(keep, w, 0.0))).sum().backward()
    (yb * torch.tensor(np.where(keep, w, 0.0))).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------- third derivatives

THIRD = {
    "exp": lambda m, x: x.exp(), "log": lambda m, x: (x + 2.5).log(),
    "log1p": lambda m, x: (x + 1.5).log1p(), "sqrt": lambda m, x: (x + 2.5).sqrt(),
    "rsqrt": lambda m, x: (x + 2.5).rsqrt(), "sin": lambda m, x: x.sin(),
    "cos": lambda m, x: x.cos(), "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(), "pow": lambda m, x: (x + 2.5) ** 3.5,
    "rpow": lambda m, x: 1.7 ** x, "div": lambda m, x: x / (x * x + 1),
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "gelu_tanh": lambda m, x: m.nn.functional.gelu(x, approximate="tanh"),
    "elu": lambda m, x: m.nn.functional.elu(x, 0.7), "silu": lambda m, x: m.nn.functional.silu(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x, beta=2.0),
    "softmax": lambda m, x: x.softmax(-1), "log_softmax": lambda m, x: x.log_softmax(0),
    "logsumexp": lambda m, x: x.logsumexp(1), "var": lambda m, x: x.var(1),
    "std": lambda m, x: x.std(0), "norm": lambda m, x: x.norm(dim=1),
    "norm3": lambda m, x: x.norm(p=3, dim=0), "prod": lambda m, x: x.prod(1),
    "matmul": lambda m, x: x @ x.mT, "mul_sum": lambda m, x: (x * x.flip(0)).sum(0),
}


def _grad_fn(f, m, w):
    """x -> d/dx sum(w * f(x)), itself differentiable (create_graph)."""
    def g(x):
        y = f(m, x)
        return m.autograd.grad((y * w).sum(), x, create_graph=True)[0]
    return g


@pytest.mark.parametrize("name", sorted(THIRD))
def test_third_derivative(name):
    """Third derivatives: gradgradcheck of the (create_graph) gradient against float64 finite
    differences, and d3 from create_graph twice against PyTorch's."""
    f = THIRD[name]
    rng = np.random.default_rng(1)
    x0 = rng.uniform(-1.2, 1.2, (2, 3))
    shape = tuple(f(torch, torch.tensor(x0)).shape)
    w0 = rng.standard_normal(shape)
    xa = an.tensor(x0, requires_grad=True)
    assert gradgradcheck(_grad_fn(f, an, an.tensor(w0)), (xa,), eps=1e-6, atol=1e-5, rtol=1e-3)
    res = []
    for m in (an, torch):
        x = m.tensor(x0, requires_grad=True)
        g1 = _grad_fn(f, m, m.tensor(w0))(x)
        g2 = m.autograd.grad((g1 * g1).sum(), x, create_graph=True)[0]
        g3 = m.autograd.grad(g2.sin().sum(), x)[0]
        res.append((g1, g2, g3))
    for a, b in zip(*res):
        _close(a, b, 1e-10)


# --------------------------------------------------- non-differentiable ops, drawn vs torch

def _int_valued(shape, seed):
    """Small integer-valued floats: plenty of ties and zeros."""
    return np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float32)


CMP = [lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
       lambda a, b: a == b, lambda a, b: a != b, lambda a, b: a.lt(b), lambda a, b: a.ge(b),
       lambda a, b: a.eq(b), lambda a, b: a.ne(b)]


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3), seed=st.integers(0, 1000))
def test_comparisons_drawn_match_torch(shapes, seed):
    """Comparisons over broadcasting pairs (and against Python scalars): bool results that do
    not require grad, as PyTorch."""
    sa, sb = shapes.input_shapes
    xa, xb = _int_valued(sa, seed), _int_valued(sb, seed + 1)
    ours = (an.tensor(xa, requires_grad=True), an.tensor(xb))
    theirs = (torch.tensor(xa, requires_grad=True), torch.tensor(xb))
    for fn in CMP:
        for other_o, other_t in ((ours[1], theirs[1]), (0.0, 0.0), (1, 1)):
            ya, yb = fn(ours[0], other_o), fn(theirs[0], other_t)
            assert ya.dtype == an.bool and yb.dtype == torch.bool
            assert not ya.requires_grad and not yb.requires_grad
            np.testing.assert_array_equal(ya.numpy(), yb.numpy())


@st.composite
def _dim_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    return shape, draw(st.integers(-len(shape), len(shape) - 1)), draw(st.booleans())


@given(args=_dim_args(), seed=st.integers(0, 1000))
def test_arg_reductions_drawn_match_torch(args, seed):
    """argmax/argmin (whole and along a dim) and max/min(dim) indices with ties: the first
    occurrence, int64, as PyTorch."""
    shape, dim, keep = args
    x = _int_valued(shape, seed)
    a, b = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    pairs = [(a.argmax(), b.argmax()), (a.argmin(), b.argmin()),
             (a.argmax(dim, keep), b.argmax(dim, keep)), (a.argmin(dim, keep), b.argmin(dim, keep)),
             (an.argmax(a, dim=dim), torch.argmax(b, dim=dim)),
             (a.max(dim, keep).indices, b.max(dim, keep).indices),
             (a.min(dim, keep)[1], b.min(dim, keep)[1])]
    for ya, yb in pairs:
        assert ya.dtype == an.int64 and not ya.requires_grad
        assert tuple(ya.shape) == tuple(yb.shape)
        np.testing.assert_array_equal(ya.numpy(), yb.numpy())
    # values of max/min(dim) with ties: the gradient goes to the chosen index, as PyTorch
    for name in ("max", "min"):
        a.grad = b.grad = None
        getattr(a, name)(dim, keep).values.sum().backward()
        getattr(b, name)(dim, keep).values.sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), seed=st.integers(0, 1000))
def test_sign_drawn_matches_torch(shape, seed):
    """sign (zeros included): values and dtype as PyTorch; its gradient is zero everywhere."""
    x = _int_valued(shape, seed) * np.float32(0.7)
    a, b = an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a.sign(), b.sign()
    assert ya.dtype == an.float32
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    (ya * 3 + a).sum().backward()
    (yb * 3 + b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@given(shape=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4), seed=st.integers(0, 1000),
       extra=st.integers(0, 2), explicit=st.booleans())
def test_one_hot_drawn_matches_torch(shape, seed, extra, explicit):
    idx = np.random.default_rng(seed).integers(0, 4, shape)
    n = int(idx.max()) + 1 + extra if explicit else -1
    oa = an.one_hot(an.tensor(idx), n)
    ob = torch.nn.functional.one_hot(torch.tensor(idx), n)
    assert oa.dtype == an.int64 and tuple(oa.shape) == tuple(ob.shape)
    np.testing.assert_array_equal(oa.numpy(), ob.numpy())


# ------------------------------------------------------------------ prod with zeros vs torch

PROD_X = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 0.5, 3.0],
                   [0.0, -1.0, 0.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1}],
                         ids=["all", "dim1", "dim0_keep", "dim-1"])
def test_prod_with_zeros_matches_torch_to_second_order(kw, dtype):
    """Rows with no, one, two and three zeros: the value, the gradient (the product of the
    others, not out / x) and the Hessian-vector product, as PyTorch."""
    res = []
    for m in (an, torch):
        x = m.tensor(PROD_X.astype(dtype), requires_grad=True)
        y = x.prod(**kw)
        w = m.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)).astype(dtype))
        g, = m.autograd.grad((y * w).sum(), x, create_graph=True)
        hv, = m.autograd.grad((g * m.tensor(PROD_X[::-1].copy().astype(dtype))).sum(), x)
        res.append((y, g, hv))
    for a, b in zip(*res):
        assert np.isfinite(a.detach().numpy()).all()
        _close(a, b, TOL[dtype])


# -------------------------------------------------------- in-place ops with broadcast operands

@st.composite
def _inplace_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    k = draw(st.integers(0, len(shape)))
    other = tuple(draw(st.sampled_from([1, s])) for s in shape[len(shape) - k:])
    return shape, other, draw(st.sampled_from([1.0, -0.5, 2.0])), draw(st.integers(0, 1000))


@given(args=_inplace_args())
def test_inplace_broadcast_drawn_matches_torch(args):
    """add_/sub_ (with alpha), mul_, div_, copy_, clamp_, masked_fill_ and __setitem__ on a
    graph tensor, the operand broadcasting to it: values and gradients of both, as PyTorch."""
    shape, oshape, alpha, seed = args
    rng = np.random.default_rng(seed)
    x0, o0 = rng.uniform(-2, 2, shape), rng.uniform(0.5, 2, oshape)
    res = []
    for m in (an, torch):
        x, o = m.tensor(x0, requires_grad=True), m.tensor(o0, requires_grad=True)
        y = x * 1.5
        y.add_(o, alpha=alpha)
        y.mul_(o)
        y.sub_(o * o, alpha=alpha)
        y.div_(o + 1)
        y.clamp_(-1.5, 1.0)
        z = x * 0.5  # saves nothing that copy_ overwrites
        z.copy_(o.expand(shape) * y)
        z.masked_fill_(x > 1.5, 0.25)
        z[..., 0] = o.sum() * y[..., 0]
        (z * m.tensor(np.linspace(-1, 1, z.numel()).reshape(shape))).sum().backward()
        res.append((z, x.grad, o.grad))
    for a, b in zip(*res):
        _close(a, b, 1e-12)


# ------------------------------------------------ formerly divergences from torch (fixed)

def test_std_gradient_at_zero_variance_is_zero():
    res = []
    for m in (an, torch):
        x = m.tensor([[1.0, 1.0, 1.0], [0.5, 2.0, -1.0]], dtype=m.float64, requires_grad=True)
        x.std(1).sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12, atol=1e-12)


def test_pow_zero_base_exponent_gradient():
    res = []
    for m in (an, torch):
        b = m.tensor([-1.0, 0.0, 2.0], dtype=m.float64, requires_grad=True)
        m.pow(m.zeros(3, dtype=m.float64), b).sum().backward()
        res.append(b.grad.numpy())
    np.testing.assert_array_equal(res[0], res[1])


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_reduce_over_empty_dim_tuple_reduces_all(op):
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(getattr(an.tensor(x), op)(()).numpy(),
                               getattr(torch.tensor(x), op)(()).numpy())


def test_view_of_non_contiguous_raises_like_torch():
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        an.arange(6.0).reshape(2, 3).t().view(6)


def test_int_then_array_index_follows_torch():
    """x[0, :, [0, 1]]: torch applies the int first (result [4, 2]); NumPy moves the advanced
    dims to the front ([2, 4])."""
    x0 = np.arange(60.0).reshape(3, 4, 5)
    for idx in ((0, slice(None), [0, 1]), (1, slice(None), [[0], [3]])):
        a, b = an.tensor(x0)[idx], torch.tensor(x0)[idx]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_fill_with_tensor_value_propagates_gradient():
    res = []
    for m in (an, torch):
        v = m.tensor(0.5, dtype=m.float64, requires_grad=True)
        y = m.ones(3, dtype=m.float64) * 2
        y.fill_(v)
        (y * m.tensor([1.0, 2.0, 3.0], dtype=m.float64)).sum().backward()
        res.append(v.grad)
    assert res[0] is not None and res[0].item() == res[1].item()


@pytest.mark.parametrize("fn, exc, msg", [
    (lambda: an.tensor([2]) ** -1, RuntimeError, "Integers to negative integer powers"),
    (lambda: an.ones(3).norm(p="nuc"), RuntimeError, "nuc"),
    (lambda: an.ones(0).argmax(), IndexError, r"argmax\(\): Expected reduction dim"),
    (lambda: an.tensor([1, 2]).softmax(0), RuntimeError, "softmax"),
], ids=["pow_int_negative", "norm_nuc", "argmax_empty", "softmax_int"])
def test_error_messages_like_torch(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()


def test_gradcheck_of_drawn_cases_is_not_vacuous():
    """The audit's gradcheck oracle is live: a wrong gradient is caught (the table of cases is
    only as good as this)."""
    class Wrong(an.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x  # should be 2 * g * x

    x = an.tensor(np.array([0.3, -1.2]), requires_grad=True)
    assert not gradcheck(Wrong.apply, (x,), raise_exception=False)


# ------------------------------------------------ mixed indexing (ints, slices, arrays, masks)

@st.composite
def _mixed_index(draw):
    """Any mix of ints (negative too), slices (steps, negative bounds), None, one Ellipsis,
    integer arrays (0-d to 2-D, repeats) and a boolean mask, on a tensor of 1 to 4 dims."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    idx, dims, d, ellipsis, mask = [], list(shape), 0, False, False
    while d < len(dims):
        n = dims[d]
        kind = draw(st.sampled_from(["int", "slice", "array", "array", "mask", "none",
                                     "ellipsis", "stop"]))
        if kind == "stop":
            break
        if kind == "none":
            idx.append(None)
            continue
        if kind == "ellipsis" and not ellipsis:
            ellipsis = True
            skip = draw(st.integers(0, len(dims) - d))  # an empty Ellipsis too
            idx.append(Ellipsis)
            d += skip
            continue
        if kind == "mask" and not mask:
            mask = True
            idx.append(rng.random(n) < 0.6)
        elif kind == "int":
            idx.append(int(rng.integers(-n, n)))
        elif kind == "array":
            ashape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
            idx.append(rng.integers(-n, n, ashape))
        else:
            a, b = sorted(rng.integers(-n - 1, n + 1, 2).tolist())
            idx.append(slice(a, b, draw(st.sampled_from([None, 1, 2]))))
        d += 1
    return shape, tuple(idx)


def _to(m, idx):
    return tuple(m.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)


@given(args=_mixed_index(), seed=st.integers(0, 1000))
def test_mixed_indexing_drawn_matches_torch(args, seed):
    """x[idx] and x[idx] = v for drawn mixes of every index kind: the result (shape, values),
    the gradient (repeated indices accumulate) and the in-place write, as PyTorch."""
    shape, idx = args
    x0 = np.random.default_rng(seed).standard_normal(shape)
    try:
        ref = torch.tensor(x0)[_to(torch, idx)]
    except (IndexError, RuntimeError):  # arrays that do not broadcast together
        with pytest.raises(IndexError):
            an.tensor(x0)[_to(an, idx)]
        return
    res = []
    for m in (an, torch):
        x = m.tensor(x0, requires_grad=True)
        y = x[_to(m, idx)]
        w = m.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(ref.shape)))
        (y * w).sum().backward()
        z = x.detach() * 1.0
        unique = len(set(_flat_targets(shape, idx))) == ref.numel()
        z[_to(m, idx)] = w if unique else 0.5  # a tensor only where no element is hit twice
        res.append((y, x.grad, z))
    for a, b in zip(*res):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b, 1e-12)


def _flat_targets(shape, idx):
    """The flat positions that x[idx] reads (to know whether a write would hit one twice)."""
    n = int(np.prod(shape))
    return torch.arange(n).reshape(shape)[_to(torch, idx)].ravel().tolist()


# ------------------------------------------------ torch.* / F.* function forms of the ops

A0 = np.array([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7]])
B0 = np.array([[0.9, 0.2, -0.4], [-0.3, 1.5, 0.6]])
FORMS = {
    "add": lambda m, a, b: m.add(a, b, alpha=2), "sub": lambda m, a, b: m.sub(a, b, alpha=0.5),
    "mul": lambda m, a, b: m.mul(a, b), "div": lambda m, a, b: m.div(a, b.abs() + 1),
    "pow": lambda m, a, b: m.pow(a.abs() + 0.5, b), "matmul": lambda m, a, b: m.matmul(a, b.mT),
    "mm": lambda m, a, b: m.mm(a.mT, b), "bmm": lambda m, a, b: m.bmm(a[None], b.mT[None]),
    "neg": lambda m, a, b: m.neg(a), "exp": lambda m, a, b: m.exp(a),
    "log": lambda m, a, b: m.log(a.abs()), "log1p": lambda m, a, b: m.log1p(a.abs()),
    "sqrt": lambda m, a, b: m.sqrt(a.abs()), "rsqrt": lambda m, a, b: m.rsqrt(a.abs()),
    "abs": lambda m, a, b: m.abs(a), "clamp": lambda m, a, b: m.clamp(a, -0.5, 0.6),
    "clip": lambda m, a, b: m.clip(a, max=0.2), "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b), "where": lambda m, a, b: m.where(a > b, a, b),
    "sin": lambda m, a, b: m.sin(a), "cos": lambda m, a, b: m.cos(a),
    "tanh": lambda m, a, b: m.tanh(a), "sigmoid": lambda m, a, b: m.sigmoid(a),
    "relu": lambda m, a, b: m.relu(a), "square": lambda m, a, b: m.square(a),
    "sum": lambda m, a, b: m.sum(a, dim=1), "mean": lambda m, a, b: m.mean(a, 0, keepdim=True),
    "var": lambda m, a, b: m.var(a, 1), "std": lambda m, a, b: m.std(a, unbiased=False),
    "amax": lambda m, a, b: m.amax(a, 1), "amin": lambda m, a, b: m.amin(a, 0),
    "max": lambda m, a, b: m.max(a, 1).values, "min": lambda m, a, b: m.min(a),
    "logsumexp": lambda m, a, b: m.logsumexp(a, 1), "prod": lambda m, a, b: m.prod(a, 1),
    "norm": lambda m, a, b: m.norm(a, dim=1), "reshape": lambda m, a, b: m.reshape(a, (3, 2)),
    "flatten": lambda m, a, b: m.flatten(a), "squeeze": lambda m, a, b: m.squeeze(a[None]),
    "unsqueeze": lambda m, a, b: m.unsqueeze(a, 1),
    "transpose": lambda m, a, b: m.transpose(a, 0, 1),
    "permute": lambda m, a, b: m.permute(a, (1, 0)), "t": lambda m, a, b: m.t(a),
    "cat": lambda m, a, b: m.cat((a, b), 1), "stack": lambda m, a, b: m.stack((a, b)),
    "split": lambda m, a, b: m.split(a, 2, 1)[1], "chunk": lambda m, a, b: m.chunk(a, 2, 1)[0],
    "gather": lambda m, a, b: m.gather(a, 1, m.tensor([[2, 0], [1, 1]])),
    "index_select": lambda m, a, b: m.index_select(a, 1, m.tensor([2, 2])),
    "masked_fill": lambda m, a, b: m.masked_fill(a, a > 0.4, 0.0),
    "softmax": lambda m, a, b: m.softmax(a, 1), "log_softmax": lambda m, a, b: m.log_softmax(a, 0),
    "cumsum": lambda m, a, b: m.cumsum(a, 1),
    "F.relu": lambda m, a, b: m.nn.functional.relu(a),
    "F.leaky_relu": lambda m, a, b: m.nn.functional.leaky_relu(a, 0.1),
    "F.elu": lambda m, a, b: m.nn.functional.elu(a),
    "F.gelu": lambda m, a, b: m.nn.functional.gelu(a),
    "F.silu": lambda m, a, b: m.nn.functional.silu(a),
    "F.softplus": lambda m, a, b: m.nn.functional.softplus(a, beta=2),
    "F.sigmoid": lambda m, a, b: m.nn.functional.sigmoid(a),
    "F.tanh": lambda m, a, b: m.nn.functional.tanh(a),
    "F.softmax": lambda m, a, b: m.nn.functional.softmax(a, dim=1),
    "F.log_softmax": lambda m, a, b: m.nn.functional.log_softmax(a, dim=1),
    "F.pad": lambda m, a, b: m.nn.functional.pad(a, (1, 1), value=2.0),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_function_forms_match_torch(name):
    """The torch.* and torch.nn.functional.* spellings of the ops (keyword arguments
    included): values and both inputs' gradients, as PyTorch."""
    res = []
    for m in (an, torch):
        a, b = m.tensor(A0, requires_grad=True), m.tensor(B0, requires_grad=True)
        y = FORMS[name](m, a, b)
        (y * m.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))).sum().backward()
        res.append((y, a.grad if a.grad is not None else m.zeros(2, 3, dtype=m.float64),
                    b.grad if b.grad is not None else m.zeros(2, 3, dtype=m.float64)))
    for p, q in zip(*res):
        assert tuple(p.shape) == tuple(q.shape)
        _close(p, q, 1e-12)


def test_empty_ellipsis_between_index_arrays_follows_torch():
    """x[None, [0], 0, 0, ..., [0, 0]] on 4-D: the Ellipsis covers no dim, so (ints aside) the
    arrays are adjacent and their dims stay after the new axis: torch [1, 2] (ours [2, 1])."""
    x0 = np.arange(120.0).reshape(2, 3, 4, 5)
    idx = (None, np.array([0]), 0, 0, Ellipsis, np.array([0, 3]))
    a, b = an.tensor(x0)[_to(an, idx)], torch.tensor(x0)[_to(torch, idx)]
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("shape, fn", [
    ((0,), lambda t: t.softmax(-1)), ((2, 0), lambda t: t.log_softmax(-1)),
    ((2, 0), lambda t: t.logsumexp(-1)), ((0, 3), lambda t: t.amax(-1)),
    ((2, 0, 3), lambda t: t.amax(-1)),
], ids=["softmax_empty", "log_softmax_empty_row", "logsumexp_empty_dim", "amax_empty_batch",
        "amax_empty_middle"])
def test_zero_size_reductions_match_torch(shape, fn):
    """Zero-size inputs: an empty result where torch gives one (logsumexp over an empty dim:
    -inf), with an (empty) gradient."""
    res = []
    for m in (an, torch):
        x = m.ones(shape, dtype=m.float64, requires_grad=True)
        y = fn(x)
        y.sum().backward()
        res.append((y, x.grad))
    for a, b in zip(*res):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("fn, msg", [
    (lambda m: m.ones(2, 2) @ m.ones(2, 2, dtype=m.float64), "same dtype"),
    (lambda m: m.tensor([1, 2]).var(), "only support floating point"),
    (lambda m: m.tensor([1, 2]).std(0), "only support floating point"),
], ids=["matmul_mixed_dtypes", "var_int", "std_int"])
def test_refused_like_torch(fn, msg):
    """PyTorch refuses these (matmul does not promote; var/std need floats); so do we."""
    for m in (an, torch):
        with pytest.raises(RuntimeError, match=msg):
            fn(m)


@pytest.mark.parametrize("method, args", [("topk", (2,)), ("topk", (2, 0, False)),
                                          ("sort", ()), ("sort", (0, True)), ("argsort", ())])
def test_sort_methods_match_torch(method, args):
    x0 = np.array([[3.0, -1.0, 2.0], [0.5, 4.0, -2.0]])
    res = []
    for m in (an, torch):
        x = m.tensor(x0, requires_grad=True)
        out = getattr(x, method)(*args)
        if method == "argsort":
            res.append((out.numpy(),))
            continue
        values, indices = out
        (values * m.arange(values.numel(), dtype=m.float64).reshape(values.shape)).sum().backward()
        res.append((values.detach().numpy(), indices.numpy(), x.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)
