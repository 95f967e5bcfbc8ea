"""F.scaled_dot_product_attention and nn.MultiheadAttention against PyTorch 2.13 (forward and
every gradient, float64 1e-10 / float32 1e-5), float64 finite differences (gradcheck,
gradgradcheck), dropout statistics and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_nn as an
import autograd_nn.nn.functional as F
from autograd_nn.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {np.float64: 1e-10, np.float32: 1e-5}


def _both(arrays, grad=True):
    return ([an.tensor(a, requires_grad=grad) for a in arrays],
            [torch.tensor(a, requires_grad=grad) for a in arrays])


def _mask_pair(mask):
    if mask is None:
        return None, None
    return an.tensor(mask), torch.tensor(mask)


def _compare(fn_an, fn_torch, arrays, rng, dtype, mask=None, mask_grad=False):
    """Forward and the gradients of every input (and of a float mask) agree with PyTorch."""
    arrays = [a.astype(dtype) for a in arrays]
    ours, theirs = _both(arrays)
    m_an = m_t = None
    if mask is not None:
        m = mask.astype(dtype) if mask.dtype != bool else mask
        m_an = an.tensor(m, requires_grad=mask_grad)
        m_t = torch.tensor(m, requires_grad=mask_grad)
    o, p = fn_an(*ours, m_an), fn_torch(*theirs, m_t)
    tol = TOL[dtype]
    np.testing.assert_allclose(o.detach().numpy(), p.detach().numpy(), rtol=tol, atol=tol)
    assert o.dtype == (an.float64 if dtype == np.float64 else an.float32)
    g = rng.standard_normal(tuple(p.shape)).astype(dtype)
    o.backward(an.tensor(g))
    p.backward(torch.tensor(g))
    pairs = list(zip(ours, theirs)) + ([(m_an, m_t)] if mask_grad else [])
    for a, t in pairs:
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


def _sdpa(**kw):
    return (lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw),
            lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw))


SHAPES = [
    ((2, 3, 4), (2, 5, 4), (2, 5, 6)),           # L != S, E != Ev
    ((2, 2, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8)),  # (N, H, L, E)
    ((3, 4), (5, 4), (5, 2)),                    # no batch dims
    ((2, 3, 4), (1, 5, 4), (1, 5, 6)),           # broadcast batch
    ((2, 1, 3), (2, 1, 3), (2, 1, 3)),           # L = S = 1
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("opts", [{}, {"is_causal": True}, {"scale": 0.3}], ids=str)
def test_sdpa_matches_torch(shapes, opts, dtype, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    _compare(*_sdpa(**opts), arrays, rng, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["bool", "float", "float_inf", "bool_batched"])
def test_sdpa_masks_match_torch(kind, dtype, rng):
    q, k, v = (rng.standard_normal(s) for s in [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)])
    if kind == "bool":
        mask = rng.random((3, 5)) > 0.4
        mask[:, 0] = True
    elif kind == "bool_batched":
        mask = rng.random((2, 1, 3, 5)) > 0.4
        mask[..., 1] = True
    elif kind == "float":
        mask = rng.standard_normal((3, 5))
    else:  # -inf entries in a float mask, one fully masked row
        mask = np.where(rng.random((2, 2, 3, 5)) > 0.5, 0.0, -np.inf)
        mask[..., 0] = 0.0
        mask[0, 1, 2] = -np.inf
    grad = kind == "float"
    _compare(*_sdpa(), [q, k, v], rng, dtype, mask=mask, mask_grad=grad)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_fully_masked_rows_are_zero_as_torch(dtype, rng):
    q, k, v = (rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 6)])
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    _compare(*_sdpa(), [q, k, v], rng, dtype, mask=mask)
    out = F.scaled_dot_product_attention(*[an.tensor(a) for a in (q, k, v)],
                                         attn_mask=an.tensor(mask))
    assert (out.numpy()[:, 1] == 0).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_gqa_matches_torch(dtype, rng):
    q, k, v = (rng.standard_normal(s) for s in [(2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)])
    _compare(*_sdpa(enable_gqa=True), [q, k, v], rng, dtype)
    _compare(*_sdpa(enable_gqa=True, is_causal=True), [q, k, v], rng, dtype)

@given(n=st.integers(1, 2), h=st.integers(1, 3), L=st.integers(1, 4), S=st.integers(1, 4),
       E=st.integers(1, 4), Ev=st.integers(1, 3), causal=st.booleans(), masked=st.booleans(),
       seed=st.integers(0, 2**16))
def test_sdpa_drawn_shapes_match_torch(n, h, L, S, E, Ev, causal, masked, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in [(n, h, L, E), (n, h, S, E), (n, h, S, Ev)]]
    mask = rng.random((L, S)) > 0.5 if masked and not causal else None
    _compare(*_sdpa(is_causal=causal), arrays, rng, np.float64, mask=mask)


@pytest.mark.parametrize("opts", [{}, {"is_causal": True}, {"mask": "float"}, {"mask": "bool"}],
                         ids=str)
def test_sdpa_gradcheck_and_gradgradcheck(opts, rng):
    q, k, v = (an.tensor(rng.standard_normal(s), requires_grad=True)
               for s in [(2, 3, 4), (2, 4, 4), (2, 4, 2)])
    inputs = [q, k, v]
    mask = None
    if opts.get("mask") == "float":
        mask = an.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        inputs.append(mask)
    elif opts.get("mask") == "bool":
        m = rng.random((3, 4)) > 0.5
        m[:, 0] = True
        m[1] = False  # a fully masked row: zero output, zero gradient
        mask = an.tensor(m)

    def fn(q, k, v, *m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m[0] if m else mask,
                                              is_causal=opts.get("is_causal", False))

    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_sdpa_second_order_matches_torch(rng):
    arrays = [rng.standard_normal(s) for s in [(2, 3, 4), (2, 4, 4), (2, 4, 2)]]
    ours, theirs = _both(arrays)
    go, gt = rng.standard_normal((2, 3, 2)), None
    grads_an = an.autograd.grad(F.scaled_dot_product_attention(*ours, is_causal=True),
                                ours, an.tensor(go), create_graph=True)
    grads_t = torch.autograd.grad(TF.scaled_dot_product_attention(*theirs, is_causal=True),
                                  theirs, torch.tensor(go), create_graph=True)
    sum(((g ** 2).sum() for g in grads_an), an.tensor(0.0, dtype=an.float64)).backward()
    gt = sum((g ** 2).sum() for g in grads_t)
    gt.backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_sdpa_dropout_keeps_with_scaling(rng):
    """Each probability is kept with chance 1 - p and scaled by 1 / (1 - p): with all values
    1 the output is the kept fraction of each row's probabilities, whose mean is 1."""
    an.manual_seed(0)
    L = S = 64
    q = an.tensor(rng.standard_normal((4, L, 8)))
    k = an.tensor(rng.standard_normal((4, S, 8)))
    v = an.ones(4, S, 1, dtype=an.float64)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.25).numpy()
    assert abs(out.mean() - 1.0) < 0.05  # 256 rows, each an average over 64 kept/dropped
    assert out.std() > 0.05  # the mask does vary
    zero = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy()
    assert (zero == 0).all()


def test_sdpa_default_scale_is_inverse_sqrt_e(rng):
    q, k, v = (an.tensor(rng.standard_normal(s)) for s in [(3, 9), (4, 9), (4, 2)])
    s = (q.numpy() @ k.numpy().T) / 3.0
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v).numpy(), p @ v.numpy(),
                               rtol=1e-12)


def test_sdpa_errors():
    q = an.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="should not be set when is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=an.ones(3, 3, dtype=an.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=an.zeros(3, 3, dtype=an.float64))
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=an.zeros(3, 3, dtype=an.int64))
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \[3, 4\] does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=an.zeros(3, 4))
    with pytest.raises(RuntimeError, match="equal E"):
        F.scaled_dot_product_attention(q, an.randn(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="enable_gqa"):
        F.scaled_dot_product_attention(an.randn(1, 4, 3, 2), an.randn(1, 2, 3, 2),
                                       an.randn(1, 2, 3, 2))
    with pytest.raises(RuntimeError, match="multiple of the key heads"):
        F.scaled_dot_product_attention(an.randn(1, 4, 3, 2), an.randn(1, 3, 3, 2),
                                       an.randn(1, 3, 3, 2), enable_gqa=True)
    with pytest.raises(RuntimeError, match="floating-point"):
        F.scaled_dot_product_attention(*(an.ones(2, 3, 4, dtype=an.int64),) * 3)
    with pytest.raises(RuntimeError, match="at least 2 dims"):
        F.scaled_dot_product_attention(an.randn(4), an.randn(4), an.randn(4))


def test_sdpa_kernel_context_accepts_torch_backends(rng):
    from autograd_nn.nn.attention import SDPBackend, sdpa_kernel

    assert {b.name: b.value for b in SDPBackend} == \
        {k: int(v) for k, v in torch.nn.attention.SDPBackend.__members__.items()}
    q = an.tensor(rng.standard_normal((1, 2, 3, 4)))
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH]):
        out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
    np.testing.assert_allclose(out.numpy(), TF.scaled_dot_product_attention(
        torch.tensor(q.numpy()), torch.tensor(q.numpy()), torch.tensor(q.numpy()),
        is_causal=True).numpy(), rtol=1e-12)
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("flash"):
            pass
