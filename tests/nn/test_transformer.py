"""nn.MultiheadAttention and the transformer modules against PyTorch 2.13: a torch module's
state_dict loads into ours (same keys, shapes and order), and the same inputs give the same
outputs, attention weights and gradients (inputs and every parameter), float64 1e-10 and
float32 1e-5, eval mode (dropout off); plus float64 gradcheck of a small layer."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an
import autograd_nn.nn as nn
from autograd_nn.autograd import gradcheck
from autograd_nn.serialization import from_torch_state_dict

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
TOL = {np.float64: 1e-10, np.float32: 1e-5}
_TDT = {np.float64: torch.float64, np.float32: torch.float32}


def _pair_modules(make_ours, make_torch, dtype, seed=0):
    torch.manual_seed(seed)
    tm = make_torch().to(_TDT[dtype])
    om = make_ours()
    om = om.double() if dtype == np.float64 else om
    assert list(om.state_dict()) == list(tm.state_dict())
    om.load_state_dict(from_torch_state_dict(tm))
    # random (not the zero-initialised) biases, so every parameter matters
    with torch.no_grad():
        for p in tm.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    om.load_state_dict(from_torch_state_dict(tm))
    return om.eval(), tm.eval()


def _check(om, tm, arrays, dtype, rng, call=lambda m, *x: m(*x), masks=()):
    ours = [an.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    o = call(om, *ours, *[m[0] for m in masks])
    t = call(tm, *theirs, *[m[1] for m in masks])
    o = o if isinstance(o, tuple) else (o,)
    t = t if isinstance(t, tuple) else (t,)
    tol = TOL[dtype]
    loss_o = loss_t = 0
    for a, b in zip(o, t):
        if b is None:
            assert a is None
            continue
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)
        g = rng.standard_normal(tuple(b.shape)).astype(dtype)
        if np.isfinite(b.detach().numpy()).all():
            loss_o = loss_o + (a * an.tensor(g)).sum()
            loss_t = loss_t + (b * torch.tensor(g)).sum()
    loss_o.backward()
    loss_t.backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    tp = dict(tm.named_parameters())
    for name, p in om.named_parameters():
        ref = tp[name].grad
        if ref is None:
            assert p.grad is None or not p.grad.numpy().any(), name
        else:
            np.testing.assert_allclose(p.grad.numpy(), ref.numpy(), rtol=tol, atol=tol,
                                       err_msg=name)


# ------------------------------------------------------------------------ MultiheadAttention

MHA_CONFIGS = [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(kdim=3, vdim=5),
    dict(add_bias_kv=True, add_zero_attn=True, batch_first=True),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("cfg", MHA_CONFIGS, ids=str)
def test_mha_matches_torch(cfg, need_weights, average, dtype, rng):
    E, H, L, S, N = 8, 2, 3, 4, 2
    om, tm = _pair_modules(lambda: nn.MultiheadAttention(E, H, **cfg),
                           lambda: torch.nn.MultiheadAttention(E, H, **cfg), dtype)
    bf = cfg.get("batch_first", False)
    kd, vd = cfg.get("kdim", E), cfg.get("vdim", E)
    shp = (lambda s, d: (N, s, d)) if bf else (lambda s, d: (s, N, d))
    arrays = [rng.standard_normal(shp(L, E)), rng.standard_normal(shp(S, kd)),
              rng.standard_normal(shp(S, vd))]
    _check(om, tm, arrays, dtype, rng,
           call=lambda m, q, k, v: m(q, k, v, need_weights=need_weights,
                                     average_attn_weights=average))


def _masks(rng, L, S, N, H, kind):
    if kind == "bool_attn":
        m = rng.random((L, S)) > 0.6
        m[:, 0] = False
        return {"attn_mask": m}
    if kind == "float_attn3d":
        return {"attn_mask": rng.standard_normal((N * H, L, S))}
    if kind == "kpm_bool":
        m = np.zeros((N, S), bool)
        m[0, -2:] = True
        return {"key_padding_mask": m}
    if kind == "kpm_float_and_attn":
        return {"key_padding_mask": rng.standard_normal((N, S)),
                "attn_mask": rng.standard_normal((L, S))}
    if kind == "causal":
        return {"attn_mask": np.triu(np.ones((L, S), bool), 1), "is_causal": True}
    raise AssertionError(kind)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kind", ["bool_attn", "float_attn3d", "kpm_bool",
                                  "kpm_float_and_attn", "causal"])
def test_mha_masks_match_torch(kind, need_weights, dtype, rng):
    E, H, L, N = 8, 2, 4, 2
    om, tm = _pair_modules(lambda: nn.MultiheadAttention(E, H),
                           lambda: torch.nn.MultiheadAttention(E, H), dtype)
    spec = _masks(rng, L, L, N, H, kind)
    is_causal = spec.pop("is_causal", False)

    def conv(v, lib):
        return lib.tensor(v.astype(dtype) if v.dtype != bool else v)

    kw_o = {k: conv(v, an) for k, v in spec.items()}
    kw_t = {k: conv(v, torch) for k, v in spec.items()}
    x = rng.standard_normal((L, N, E))
    for kw, m in ((kw_o, om), (kw_t, tm)):
        m._kw = kw
    _check(om, tm, [x], dtype, rng,
           call=lambda m, x: m(x, x, x, need_weights=need_weights, is_causal=is_causal,
                               **m._kw))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_fully_masked_row_as_torch(need_weights, rng):
    """A query whose keys are all masked: NaN with need_weights (a plain softmax), zeros
    without (scaled_dot_product_attention), in both frameworks."""
    om, tm = _pair_modules(lambda: nn.MultiheadAttention(4, 2),
                           lambda: torch.nn.MultiheadAttention(4, 2), np.float64)
    x = rng.standard_normal((3, 1, 4))
    mask = np.zeros((3, 3), bool)
    mask[1] = True
    o = om(an.tensor(x), an.tensor(x), an.tensor(x), attn_mask=an.tensor(mask),
           need_weights=need_weights)[0].detach().numpy()
    with torch.enable_grad():  # torch's no-grad eval fast path is a different kernel
        xt = torch.tensor(x, requires_grad=True)
        t = tm(xt, xt, xt, attn_mask=torch.tensor(mask),
               need_weights=need_weights)[0].detach().numpy()
    np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-10, equal_nan=True)
    assert np.isnan(o[1]).all() == need_weights


def test_mha_unbatched_matches_torch(rng):
    om, tm = _pair_modules(lambda: nn.MultiheadAttention(4, 2, kdim=3, vdim=2),
                           lambda: torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=2),
                           np.float64)
    arrays = [rng.standard_normal(s) for s in [(3, 4), (5, 3), (5, 2)]]
    _check(om, tm, arrays, np.float64, rng,
           call=lambda m, q, k, v: m(q, k, v, average_attn_weights=False))


def test_mha_gradcheck(rng):
    m = nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    x = an.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    kpm = an.tensor(np.array([[False, False, True], [False, False, False]]))
    assert gradcheck(lambda x: m(x, x, x, key_padding_mask=kpm, need_weights=False)[0], [x])
    assert gradcheck(lambda x: m(x, x, x)[1], [x])


def test_mha_init_and_repr_as_torch():
    m, t = nn.MultiheadAttention(6, 3, add_bias_kv=True), torch.nn.MultiheadAttention(
        6, 3, add_bias_kv=True)
    assert repr(m) == repr(t)
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in t.state_dict().items()}
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    bound = np.sqrt(6 / (6 + 18))  # xavier_uniform_ on (3E, E)
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


def test_mha_errors():
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 2)
    m = nn.MultiheadAttention(4, 2)
    x = an.randn(3, 2, 4)
    with pytest.raises(RuntimeError, match=r"2D attn_mask is \(2, 2\), but should be \(3, 3\)"):
        m(x, x, x, attn_mask=an.zeros(2, 2))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        m(x, x[0], x[0])
    with pytest.raises(AssertionError, match="only bool and floating types of attn_mask"):
        m(x, x, x, attn_mask=an.zeros(3, 3, dtype=an.int64))
    with pytest.raises(AssertionError, match="key_padding_mask shape"):
        m(x, x, x, key_padding_mask=an.zeros(2, 4, dtype=an.bool))


# ------------------------------------------------------------------------------ transformers

LAYER_CFGS = [
    dict(),
    dict(norm_first=True),
    dict(activation="gelu", batch_first=True),
    dict(bias=False, norm_first=True),
]


def _layer_kw(cfg, lib):
    kw = dict(cfg)
    if kw.get("activation") == "callable":
        kw["activation"] = (lambda x: x.tanh()) if lib is an else torch.tanh
    return kw


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", LAYER_CFGS + [dict(activation="callable")], ids=str)
def test_encoder_layer_matches_torch(cfg, dtype, rng):
    E, H, F, S, N = 8, 2, 16, 5, 2
    om, tm = _pair_modules(
        lambda: nn.TransformerEncoderLayer(E, H, F, dropout=0.0, **_layer_kw(cfg, an)),
        lambda: torch.nn.TransformerEncoderLayer(E, H, F, dropout=0.0, **_layer_kw(cfg, torch)),
        dtype)
    bf = cfg.get("batch_first", False)
    x = rng.standard_normal((N, S, E) if bf else (S, N, E))
    kpm = np.zeros((N, S), bool)
    kpm[1, -1] = True
    mask = np.triu(np.ones((S, S), bool), 1)
    _check(om, tm, [x], dtype, rng)
    _check(om, tm, [x], dtype, rng, call=lambda m, x, a, b: m(x, src_mask=a,
                                                               src_key_padding_mask=b),
           masks=[(an.tensor(mask), torch.tensor(mask)), (an.tensor(kpm), torch.tensor(kpm))])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", LAYER_CFGS, ids=str)
def test_decoder_layer_matches_torch(cfg, dtype, rng):
    E, H, F, T, S, N = 8, 2, 16, 4, 5, 2
    om, tm = _pair_modules(
        lambda: nn.TransformerDecoderLayer(E, H, F, dropout=0.0, **cfg),
        lambda: torch.nn.TransformerDecoderLayer(E, H, F, dropout=0.0, **cfg), dtype)
    bf = cfg.get("batch_first", False)
    tgt = rng.standard_normal((N, T, E) if bf else (T, N, E))
    mem = rng.standard_normal((N, S, E) if bf else (S, N, E))
    causal = nn.Transformer.generate_square_subsequent_mask(T, dtype=an.float64 if
                                                            dtype == np.float64 else None)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=_TDT[dtype])
    np.testing.assert_array_equal(causal.numpy(), tcausal.numpy())
    _check(om, tm, [tgt, mem], dtype, rng,
           call=lambda m, t, s, c: m(t, s, tgt_mask=c, tgt_is_causal=True),
           masks=[(causal, tcausal)])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_decoder_stacks_match_torch(batch_first, dtype, rng):
    E, H, F, S, T, N = 8, 2, 12, 5, 4, 2
    kw = dict(dropout=0.0, batch_first=batch_first)
    om, tm = _pair_modules(
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, F, **kw), 2,
                                      norm=nn.LayerNorm(E)),
        lambda: torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, F, **kw), 2,
                                            norm=torch.nn.LayerNorm(E),
                                            enable_nested_tensor=False), dtype)
    x = rng.standard_normal((N, S, E) if batch_first else (S, N, E))
    causal = np.triu(np.full((S, S), -np.inf), 1).astype(dtype)
    _check(om, tm, [x], dtype, rng)
    _check(om, tm, [x], dtype, rng, call=lambda m, x, c: m(x, mask=c),  # detected causal
           masks=[(an.tensor(causal), torch.tensor(causal))])
    om, tm = _pair_modules(
        lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, F, **kw), 2),
        lambda: torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, H, F, **kw),
                                            2), dtype)
    tgt = rng.standard_normal((N, T, E) if batch_first else (T, N, E))
    kpm = np.zeros((N, S), bool)
    kpm[0, -2:] = True
    _check(om, tm, [tgt, x], dtype, rng,
           call=lambda m, t, s, k: m(t, s, memory_key_padding_mask=k),
           masks=[(an.tensor(kpm), torch.tensor(kpm))])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cfg", [dict(), dict(norm_first=True, batch_first=True,
                                              activation="gelu")], ids=str)
def test_transformer_matches_torch(cfg, dtype, rng):
    E, H, S, T, N = 8, 2, 5, 4, 2
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=1,
              dim_feedforward=12, dropout=0.0, **cfg)
    om, tm = _pair_modules(lambda: nn.Transformer(**kw), lambda: torch.nn.Transformer(**kw),
                           dtype)
    bf = cfg.get("batch_first", False)
    src = rng.standard_normal((N, S, E) if bf else (S, N, E))
    tgt = rng.standard_normal((N, T, E) if bf else (T, N, E))
    dt = an.float64 if dtype == np.float64 else an.float32
    _check(om, tm, [src, tgt], dtype, rng,
           call=lambda m, s, t, c: m(s, t, tgt_mask=c),
           masks=[(nn.Transformer.generate_square_subsequent_mask(T, dtype=dt),
                   torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=_TDT[dtype]))])


def test_transformer_structure_and_init_as_torch():
    m = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
                       dim_feedforward=16)
    t = torch.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
                             dim_feedforward=16)
    assert repr(m) == repr(t)
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in t.state_dict().items()}
    # every matrix xavier-uniform: linear1 (16, 8) bound sqrt(6 / 24)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()
    assert 0.8 * np.sqrt(0.25) < np.abs(w).max() <= np.sqrt(0.25)
    # the clones start equal then are re-initialised separately (as torch)
    assert not np.array_equal(w, m.encoder.layers[1].linear1.weight.detach().numpy())


def test_transformer_errors():
    m = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                       dim_feedforward=8)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        m(an.randn(3, 2, 4), an.randn(3, 3, 4))
    with pytest.raises(RuntimeError, match="feature number of src and tgt must be equal"):
        m(an.randn(3, 2, 4), an.randn(3, 2, 5))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")


def test_encoder_layer_gradcheck(rng):
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu").double().eval()
    x = an.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=an.float64)
    assert gradcheck(lambda x: layer(x, src_mask=mask), [x])


def test_training_mode_dropout_is_active():
    an.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = an.randn(4, 2, 8)
    a, b = layer(x), layer(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


def test_inference_matches_torch_fast_path(rng):
    """torch's no-grad eval call takes its fused kernel (batch_first, even heads); ours the
    reference path: the same numbers, with and without a padding mask."""
    kw = dict(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)
    om, tm = _pair_modules(lambda: nn.TransformerEncoderLayer(**kw),
                           lambda: torch.nn.TransformerEncoderLayer(**kw), np.float32)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    kpm = np.zeros((2, 5), bool)
    kpm[1, -2:] = True
    with torch.no_grad(), an.no_grad():
        for mask in (None, kpm):
            o = om(an.tensor(x), src_key_padding_mask=None if mask is None else an.tensor(mask))
            t = tm(torch.tensor(x),
                   src_key_padding_mask=None if mask is None else torch.tensor(mask))
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
