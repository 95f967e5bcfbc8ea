"""Functional attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``
(PyTorch's semantics, masks and shapes)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import _dtype
from ..._dtype import is_float_np
from ..._ops.attention import ScaledDotProductAttention
from ..._ops.shape import cat, pad
from ...autograd.engine import name_node
from ...random import _gen
from ...tensor import Tensor
from .dropout import dropout as _dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _mask_bias(mask: Any, dtype: np.dtype, op: str) -> Any:
    """An attention mask as what is added to the scores: a bool mask (True = may attend)
    becomes a constant 0 / -inf array; a float mask of the query's dtype is used as it is (a
    Tensor: differentiable)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype == np.bool_:
        return np.where(m, dtype.type(0), dtype.type(-np.inf))
    if m.dtype != dtype:
        raise RuntimeError(f"{op}: Expected attn_mask dtype to be bool or to match the query "
                           f"dtype, but got attn_mask.dtype: {_dtype.from_numpy_dtype(m.dtype)} "
                           f"and query.dtype: {_dtype.from_numpy_dtype(dtype)}")
    return mask if isinstance(mask, Tensor) else m


def _repeat_heads(x: Tensor, rep: int) -> Tensor:
    """(..., H, S, E) -> (..., H * rep, S, E), each head repeated ``rep`` times in a row
    (``repeat_interleave(rep, dim=-3)``)."""
    shape = x.shape
    return x.unsqueeze(-3).expand(*shape[:-2], rep, *shape[-2:]).reshape(
        *shape[:-3], shape[-3] * rep, *shape[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``, as torch's.

    Shapes: query (N..., L, E), key (N..., S, E), value (N..., S, Ev) -> (N..., L, Ev); the
    batch dims broadcast. ``attn_mask`` broadcasts to (N..., L, S): bool (True = take part in
    attention) or a float mask of the query's dtype added to the scores (differentiable).
    ``is_causal`` masks key j > query i (top-left aligned, (L, S)); it excludes ``attn_mask``.
    ``scale`` defaults to 1 / sqrt(E). ``dropout_p`` drops attention probabilities (always,
    as torch's: pass 0.0 in evaluation). ``enable_gqa``: key/value may have fewer heads (dim -3)
    than query, a divisor of its count; each is shared by consecutive query heads. A query whose
    keys are all masked gets a zero output (and zero gradients), as in PyTorch.
    """
    op = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be a Tensor, got "
                            f"{type(t).__name__}")
        if t.ndim < 2:
            raise RuntimeError(f"{op}: expected {name} to have at least 2 dims (..., seq, "
                               f"features), got shape {list(t.shape)}")
    dt = query._data.dtype
    if key._data.dtype != dt or value._data.dtype != dt:
        raise RuntimeError(f"{op}: Expected query, key, and value to have the same dtype, but "
                           f"got query.dtype: {query.dtype} key.dtype: {key.dtype} and "
                           f"value.dtype: {value.dtype} instead.")
    if not is_float_np(dt):
        raise RuntimeError(f"{op}: expected floating-point query, key and value, got "
                           f"{query.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: shapes do not fit: query {list(query.shape)} (..., L, E), "
                           f"key {list(key.shape)} (..., S, E), value {list(value.shape)} "
                           f"(..., S, Ev) need equal E for query and key and equal S for key "
                           f"and value")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got "
                         f"{dropout_p}")
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(f"{op}: with enable_gqa the number of query heads ({hq}) must be "
                               f"a multiple of the key heads ({hk}) and value heads ({hv})")
        if hk != hq:
            key = _repeat_heads(key, hq // hk)
        if hv != hq:
            value = _repeat_heads(value, hq // hv)
    L, S = query.shape[-2], key.shape[-2]
    try:
        batch = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        hint = "" if enable_gqa else " (for fewer key/value heads pass enable_gqa=True)"
        raise RuntimeError(f"{op}: the batch dims of query {list(query.shape)}, key "
                           f"{list(key.shape)} and value {list(value.shape)} do not "
                           f"broadcast{hint}") from None
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{op}: Explicit attn_mask should not be set when "
                               f"is_causal=True")
        bias = np.where(np.tril(np.ones((L, S), dtype=bool)), dt.type(0), dt.type(-np.inf))
    elif attn_mask is not None:
        bias = _mask_bias(attn_mask, dt, op)
    scores_shape = batch + (L, S)
    if bias is not None:
        try:
            scores_shape = np.broadcast_shapes(scores_shape, tuple(bias.shape))
        except ValueError:
            raise RuntimeError(f"{op}: attn_mask of shape {list(bias.shape)} does not broadcast "
                               f"to the attention scores' shape {list(scores_shape)} "
                               f"(N..., L, S)") from None
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    keep = None
    if dropout_p > 0.0:
        if dropout_p == 1.0:
            keep = np.zeros(scores_shape, dtype=dt)
        else:
            keep = (_gen().random(scores_shape) >= dropout_p).astype(dt) * \
                dt.type(1.0 / (1.0 - dropout_p))
    if bias is None:
        out = ScaledDotProductAttention.apply(query, key, value, scale=s, keep=keep)
    else:
        out = ScaledDotProductAttention.apply(query, key, value, bias, scale=s, keep=keep)
    if query.ndim != 4:  # PyTorch's fused CPU kernel takes 4-D inputs; others go by matmul
        name_node(out, "MmBackward0" if query.ndim == 2 else "UnsafeViewBackward0")
    return out


# ---------------------------------------------------------------------- multi-head attention


def _canonical_mask(mask: Tensor | None, name: str, dtype: np.dtype) -> Tensor | None:
    """A bool mask (True = masked out, MultiheadAttention's convention) as a float mask of
    ``dtype`` with -inf where True; a float mask unchanged; anything else is an error."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"multi_head_attention_forward: {name} must be a Tensor, got "
                        f"{type(mask).__name__}")
    m = mask._data
    if m.dtype == np.bool_:
        return Tensor._wrap(np.where(m, dtype.type(-np.inf), dtype.type(0)))
    if not is_float_np(m.dtype):
        raise AssertionError(f"only bool and floating types of {name} are supported (got "
                             f"{mask.dtype})")
    return mask


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any,
                     attn_mask: Any, num_heads: int) -> bool:
    """Whether the input is batched (3-D) or not (2-D); raises on inconsistent ranks."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.ndim}-D tensor "
                                 f"instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 1-D but found {key_padding_mask.ndim}-D tensor "
                                 f"instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                     f"instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | None
                          ) -> tuple:
    """q, k, v each through its third of the packed (3E, E) weight; self-attention (q is k is
    v) takes one matmul."""
    E = q.shape[-1]
    if q is k and k is v:
        proj = linear(q, w, b).unflatten(-1, (3, E))
        return proj[..., 0, :], proj[..., 1, :], proj[..., 2, :]
    ws = w.chunk(3)
    bs = b.chunk(3) if b is not None else (None, None, None)
    return linear(q, ws[0], bs[0]), linear(k, ws[1], bs[1]), linear(v, ws[2], bs[2])


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple:
    """The forward of :class:`~autograd_nn.nn.MultiheadAttention` (torch's function).

    Shapes (batch second): query (L, N, E) or (L, E), key/value (S, N, kdim/vdim) or (S, ...);
    key_padding_mask (N, S) or (S,); attn_mask (L, S) or (N * num_heads, L, S); bool masks
    are True where attention is *not* allowed, float masks are added to the scores. Returns
    (output (L, N, E), weights): weights (N, L, S) averaged over heads, (N, num_heads, L, S)
    otherwise, or None when not ``need_weights``. With ``need_weights`` a fully masked query
    row gives NaN (a plain softmax, as torch); without, the attention is
    ``scaled_dot_product_attention`` and such a row gives 0.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    dt = query._data.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", dt)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA's is_causal replaces the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", dt)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight, "
                                 "k_proj_weight or v_proj_weight is None")
        bq, bk, bv = in_proj_bias.chunk(3) if in_proj_bias is not None else (None,) * 3
        q, k, v = (linear(query, q_proj_weight, bq), linear(key, k_proj_weight, bk),
                   linear(value, v_proj_weight, bv))
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                                 f"{tuple(value.shape)}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key or value.")

        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be set or both be None")
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _static_or(k, static_k, bsz * num_heads, head_dim, "static_k")
    v = _static_or(v, static_v, bsz * num_heads, head_dim, "static_v")
    if add_zero_attn:

        zeros = Tensor._wrap(np.zeros((bsz * num_heads, 1, head_dim), dtype=dt))
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but "
                                 f"got {tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores + attn_mask
        with np.errstate(invalid="ignore"):  # a fully masked row is NaN, silently (torch)
            weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = _dropout(weights, p=dropout_p)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not is_batched:
            return out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    return (out if is_batched else out.squeeze(1)), None


def _static_or(x: Tensor, static: Tensor | None, bh: int, head_dim: int, name: str) -> Tensor:
    """Keys/values split into heads, (S, N, E) -> (N * heads, S, head_dim), or ``static``."""
    if static is None:
        return x.reshape(x.shape[0], bh, head_dim).transpose(0, 1)
    if static.shape[0] != bh or static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name} of shape ({bh}, S, {head_dim}), but got "
                             f"{tuple(static.shape)}")
    return static
