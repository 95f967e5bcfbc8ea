"""bfloat16 (``ml_dtypes``' dtype, NumPy kind 'V') is a floating dtype like float16/32/64:
result dtypes, float-only checks and float32 accumulation as PyTorch 2.13 (the oracle).
Values are compared in float32 at bfloat16's tolerance (torch.testing's: rtol 1.6e-2, atol
1e-5), dtypes exactly."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ml_dtypes")
torch = pytest.importorskip("torch")

import autograd_nn as an  # noqa: E402
import autograd_nn.nn.functional as F  # noqa: E402

TF = torch.nn.functional
BF = an.bfloat16
RTOL, ATOL = 1.6e-2, 1e-5


def pair(values, dtype: str = "bfloat16") -> tuple:
    """The same values as an autograd_nn and a torch tensor (bfloat16-exact, so both start
    from identical numbers)."""
    t = torch.tensor(np.asarray(values, dtype=np.float64)).to(getattr(torch, dtype))
    a = an.tensor(t.double().numpy()).to(getattr(an, dtype))
    return a, t


def check(ours, theirs) -> None:
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.detach().float().numpy(), theirs.detach().float().numpy(),
                               rtol=RTOL, atol=ATOL, equal_nan=True)


VALS = [0.5, 1.5, 2.0, 0.25, 3.75, -0.75]
POS = [0.5, 1.5, 2.0, 0.25, 3.75, 0.125]

UNARY = ["exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt", "rsqrt", "log1p",
         "expm1", "log2", "exp2", "erf", "erfc", "atan", "asinh", "sinh", "reciprocal", "floor",
         "ceil", "round", "trunc", "frac", "abs", "neg", "sign", "relu", "square", "lgamma",
         "digamma", "deg2rad"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_keeps_bfloat16(name):
    a, t = pair(POS if name in ("log", "sqrt", "rsqrt", "log2", "lgamma", "digamma") else VALS)
    check(getattr(a, name)(), getattr(t, name)())


@pytest.mark.parametrize("name", ["relu6", "hardtanh", "hardsigmoid", "hardswish", "silu",
                                  "gelu", "softplus", "elu", "mish", "softsign", "logsigmoid"])
def test_activations_keep_bfloat16(name):
    a, t = pair(VALS)
    check(getattr(F, name)(a), getattr(TF, name)(t))


# a sum over 4096 values in [0, 1): accumulated in bfloat16 it stalls at 256 (PyTorch: float32)
BIG = np.random.default_rng(0).random(4096)


@pytest.mark.parametrize("name,args", [("sum", ()), ("mean", ()), ("var", ()), ("std", ()),
                                       ("norm", ()), ("nansum", ()), ("nanmean", ()),
                                       ("logsumexp", (0,)), ("softmax", (0,)),
                                       ("log_softmax", (0,)), ("cumsum", (0,)),
                                       ("logcumsumexp", (0,)), ("amax", ()), ("prod", ())])
def test_reductions_bfloat16(name, args):
    a, t = pair(BIG[:64] + 0.5 if name == "prod" else BIG)
    check(getattr(a, name)(*args), getattr(t, name)(*args))
    m, tm = pair(BIG[:24].reshape(4, 6))
    dim_args = args if args else (1,)
    check(getattr(m, name)(*dim_args), getattr(tm, name)(*dim_args))


def test_var_mean_std_mean_functional_softmax():
    a, t = pair(BIG[:100].reshape(10, 10))
    for ours, theirs in zip(an.var_mean(a, 1), torch.var_mean(t, 1)):
        check(ours, theirs)
    for ours, theirs in zip(an.std_mean(a), torch.std_mean(t)):
        check(ours, theirs)
    check(F.softmax(a, 1), TF.softmax(t, 1))
    check(F.log_softmax(a, 0), TF.log_softmax(t, 0))


OTHERS = {"float16": lambda: pair([1.0, 2.0, 0.5, 3.0, 1.5, 0.25], "float16"),
          "float32": lambda: pair([1.0, 2.0, 0.5, 3.0, 1.5, 0.25], "float32"),
          "float64": lambda: pair([1.0, 2.0, 0.5, 3.0, 1.5, 0.25], "float64"),
          "int64": lambda: (an.tensor([1, 2, 3, 4, 5, 6]), torch.tensor([1, 2, 3, 4, 5, 6])),
          "int32": lambda: (an.tensor([1, 2, 3, 4, 5, 6], dtype=an.int32),
                            torch.tensor([1, 2, 3, 4, 5, 6], dtype=torch.int32)),
          "bool": lambda: (an.tensor([True, False] * 3), torch.tensor([True, False] * 3)),
          "0-d float32": lambda: (an.tensor(2.5), torch.tensor(2.5)),
          "0-d float64": lambda: (an.tensor(2.5, dtype=an.float64),
                                  torch.tensor(2.5, dtype=torch.float64)),
          "0-d int64": lambda: (an.tensor(3), torch.tensor(3)),
          "int": lambda: (3, 3), "float": lambda: (2.5, 2.5), "Python bool": lambda: (True, True)}
BINARY = ["add", "sub", "mul", "div", "true_divide", "pow", "atan2", "maximum", "fmod",
          "remainder", "hypot", "copysign", "xlogy", "eq", "lt"]
TENSOR_ONLY = {"atan2", "maximum", "hypot", "copysign"}  # PyTorch: no number overload


SCALARS = {"int", "float", "Python bool"}


@pytest.mark.parametrize("name,other", [(n, o) for n in BINARY for o in OTHERS
                                        if not (n in TENSOR_ONLY and o in SCALARS)])
def test_binary_result_dtype(name, other):
    o, to = OTHERS[other]()
    a, t = pair(VALS)
    if name == "sub" and other in ("bool", "Python bool"):  # both raise, whatever the order
        for ours, theirs in (((a, o), (t, to)), ((o, a), (to, t))):
            with pytest.raises(RuntimeError):
                torch.sub(*theirs)
            with pytest.raises(RuntimeError, match="bool"):
                an.sub(*ours)
        return
    check(getattr(an, name)(a, o), getattr(torch, name)(t, to))
    if isinstance(o, an.Tensor):
        check(getattr(an, name)(o, a), getattr(torch, name)(to, t))


@pytest.mark.parametrize("other", ["float32", "int64", "0-d float32"])
def test_operators_and_cat(other):
    o, to = OTHERS[other]()
    a, t = pair(VALS)
    check(a * 2, t * 2)
    check(2.5 / a, 2.5 / t)
    check(a / o, t / to)
    check(a ** 2, t ** 2)
    if o.ndim:
        check(an.cat([a, o]), torch.cat([t, to]))
        check(an.where(a > 1, a, o), torch.where(t > 1, t, to))


def test_matmul_family():
    m, tm = pair(np.arange(12.0).reshape(3, 4) / 8)
    v, tv = pair([0.5, 1.0, -1.5, 2.0])
    check(m @ m.T, tm @ tm.T)
    check(m @ v, tm @ tv)
    check(an.dot(v, v), torch.dot(tv, tv))
    check(an.bmm(m[None], m.T[None]), torch.bmm(tm[None], tm.T[None]))
    check(an.einsum("ij,kj->ik", m, m), torch.einsum("ij,kj->ik", tm, tm))
    c, tc = pair(np.ones((3, 3)))
    check(an.addmm(c, m, m.T), torch.addmm(tc, tm, tm.T))
    f, tf = pair(np.ones((4, 2)), "float32")
    with pytest.raises(RuntimeError, match="same dtype"):
        tm @ tf  # noqa: B018 - PyTorch's check, to keep ours honest
    with pytest.raises(RuntimeError, match="same dtype"):
        m @ f  # noqa: B018


def test_linear_forward_backward():
    x, tx = pair(np.arange(12.0).reshape(4, 3) / 4 - 1)
    w, tw = pair(np.arange(6.0).reshape(2, 3) / 8 - 0.25)
    b, tb = pair([0.5, -0.25])
    for p in (x, w, b, tx, tw, tb):
        p.requires_grad_()
    y, ty = F.linear(x, w, b), TF.linear(tx, tw, tb)
    check(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        check(ours.grad, theirs.grad)


def test_linear_module_to_bfloat16():
    lin = an.nn.Linear(3, 2).to(BF)
    assert lin.weight.dtype is BF and lin.bias.dtype is BF
    x, _ = pair(np.arange(6.0).reshape(2, 3) / 4)
    out = lin(x)
    assert out.dtype is BF
    out.sum().backward()
    assert lin.weight.grad.dtype is BF and lin.bias.grad.dtype is BF
    tl = torch.nn.Linear(3, 2).to(torch.bfloat16)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.weight.detach().float().numpy()))
        tl.bias.copy_(torch.tensor(lin.bias.detach().float().numpy()))
    check(out, tl(torch.tensor(x.float().numpy()).bfloat16()))


def test_float_only_checks_accept_bfloat16():
    a, t = pair(VALS)
    assert a.is_floating_point() and t.is_floating_point()
    assert BF.is_floating_point and BF.is_signed
    assert a.clone().requires_grad_().requires_grad
    assert an.nn.Parameter(a.clone()).requires_grad
    assert an.randn(3, dtype=BF).dtype is BF
    assert an.rand_like(a).dtype is BF
    assert an.linspace(0, 1, 5, dtype=BF).dtype is BF
    m, tm = pair(np.arange(12.0).reshape(1, 3, 4) / 8)
    check(F.avg_pool1d(m, 2), TF.avg_pool1d(tm, 2))
    check(F.max_pool1d(m, 2), TF.max_pool1d(tm, 2))
    check(F.interpolate(m, scale_factor=2, mode="linear"),
          TF.interpolate(tm, scale_factor=2, mode="linear"))
    check(F.scaled_dot_product_attention(m, m, m), TF.scaled_dot_product_attention(tm, tm, tm))
    check(F.cross_entropy(m[0], an.tensor([0, 1, 3])), TF.cross_entropy(tm[0], torch.tensor(
        [0, 1, 3])))
    check(F.mse_loss(m, m * 2), TF.mse_loss(tm, tm * 2))
    check(F.layer_norm(m, (4,)), TF.layer_norm(tm, (4,)))
    check(F.conv1d(m, m[:, :, :2].reshape(3, 1, 2)[:2].repeat(1, 3, 1)),
          TF.conv1d(tm, tm[:, :, :2].reshape(3, 1, 2)[:2].repeat(1, 3, 1)))


def test_module_bfloat16_and_inplace_into_integer():
    lin, tl = an.nn.Linear(3, 2).bfloat16(), torch.nn.Linear(3, 2).bfloat16()
    assert str(lin.weight.dtype) == str(tl.weight.dtype) and str(lin.bias.dtype) == str(
        tl.bias.dtype)
    a, t = pair([1.5])
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1]).add_(t)
    with pytest.raises(RuntimeError, match="can't be cast"):
        an.tensor([1]).add_(a)
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([1]).mul_(t.exp())
    with pytest.raises(RuntimeError, match="can't be cast"):
        an.tensor([1]).mul_(a.exp())
    b, tb = pair([2.0, 3.0])
    check(b.mul_(an.tensor([0.5, 2.0])), tb.mul_(torch.tensor([0.5, 2.0])))  # stays bfloat16


def test_requires_grad_through_unary_and_reduction():
    a, t = pair(VALS)
    a.requires_grad_()
    t.requires_grad_()
    a.exp().mean().backward()
    t.exp().mean().backward()
    check(a.grad, t.grad)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "svdvals", "cholesky", "qr", "eigh",
                                  "lu_factor", "pinv", "matrix_rank"])
def test_linalg_decompositions_raise_on_bfloat16(name):
    """LAPACK has no bfloat16: PyTorch raises; NumPy would compute in float64 (a silent wrong
    dtype), so ours raises too."""
    a, t = pair(np.eye(3) * 2 + 0.125)
    with pytest.raises(RuntimeError):  # (NotImplementedError is a RuntimeError)
        getattr(torch.linalg, name)(t)
    with pytest.raises(RuntimeError, match="BFloat16"):
        getattr(an.linalg, name)(a)


def test_matrix_exp_bfloat16():
    # oracle: float64 matrix_exp of the same (bfloat16-exact) values, then bfloat16's tolerance
    # (PyTorch 2.13's own bfloat16 matrix_exp returns ~1e30 for this input)
    a, t = pair(np.eye(3) * 0.5 + 0.125)
    out = an.linalg.matrix_exp(a)
    assert out.dtype is BF
    np.testing.assert_allclose(out.float().numpy(), torch.linalg.matrix_exp(t.double()).numpy(),
                               rtol=RTOL, atol=ATOL)


def _leaves(rng, *shapes):
    """bfloat16 leaves (ours, PyTorch's) holding the same random values."""
    out = []
    for shape in shapes:
        t = torch.tensor(rng.standard_normal(shape)).bfloat16().requires_grad_()
        out.append((an.tensor(t.detach().double().numpy()).to(BF).requires_grad_(), t))
    return out


TARGETS = {F: an.arange(8), TF: torch.arange(8)}
GRAPHS = {
    "conv2d groups": ([(2, 3, 8, 8), (3, 1, 3, 3)], lambda m, x, w: m.conv2d(x, w, groups=3)),
    "conv1d": ([(2, 3, 16), (4, 3, 3)], lambda m, x, w: m.conv1d(x, w)),
    "cross_entropy 4096 classes": ([(8, 4096)], lambda m, x: m.cross_entropy(x, TARGETS[m])),
    "mse_loss sum": ([(4096,), (4096,)], lambda m, x, y: m.mse_loss(x, y, reduction="sum")),
    "bce_with_logits": ([(4096,), (4096,)],
                        lambda m, x, y: m.binary_cross_entropy_with_logits(x, y.sigmoid())),
    "layer_norm": ([(4, 512), (512,), (512,)], lambda m, x, w, b: m.layer_norm(x, (512,), w, b)),
    "batch_norm": ([(512, 4)], lambda m, x: m.batch_norm(x, None, None, training=True)),
    "group_norm": ([(2, 4, 256)], lambda m, x: m.group_norm(x, 2)),
    "normalize": ([(4, 4096)], lambda m, x: m.normalize(x, dim=1)),
    "logsumexp": ([(4096,)], lambda m, x: x.logsumexp(0)),
    "sdpa": ([(2, 4, 8)] * 3, lambda m, q, k, v: m.scaled_dot_product_attention(q, k, v)),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_forward_backward_vs_torch(name):
    """Output and every gradient: bfloat16, PyTorch's values (a random weighting of the
    output, so no gradient vanishes by symmetry; bfloat16 sums of thousands of terms need
    float32 accumulation to pass)."""
    shapes, fn = GRAPHS[name]
    rng = np.random.default_rng(1)
    leaves = _leaves(rng, *shapes)
    ya, yt = fn(F, *[a for a, _ in leaves]), fn(TF, *[t for _, t in leaves])
    close_to_max(ya, yt)
    r = rng.standard_normal(tuple(yt.shape))
    (ya * an.tensor(r).to(BF)).sum().backward()
    (yt * torch.tensor(r).bfloat16()).sum().backward()
    for a, t in leaves:
        close_to_max(a.grad, t.grad)


def close_to_max(ours, theirs) -> None:
    """dtype exactly; values at bfloat16's tolerance relative to the largest magnitude (an entry
    near 0 that sums cancelling terms carries the rounding of the terms, not its own size)."""
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    want = theirs.detach().float().numpy()
    np.testing.assert_allclose(ours.detach().float().numpy(), want, rtol=RTOL,
                               atol=RTOL * float(np.abs(want).max()))
