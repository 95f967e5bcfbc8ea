"""Functional losses (``F.cross_entropy``, ``F.mse_loss``...), PyTorch semantics.

``reduction`` is 'none' (per-element / per-sample loss), 'mean' or 'sum' everywhere;
``kl_div`` also takes 'batchmean'. The legacy ``size_average`` / ``reduce`` flags are honoured.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..._dtype import promote
from ..._ops import elementwise as E
from ..._ops.loss import BinaryCrossEntropy, CrossEntropy, CtcLoss, MseLoss, WeightedNll
from ..._search import cosine_similarity, pairwise_distance  # noqa: F401 - F.<name> too
from ...autograd.engine import guard, is_grad_enabled, name_node
from ...tensor import Tensor
from .linear import linear

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "multilabel_soft_margin_loss", "cosine_similarity",
           "pairwise_distance", "multi_margin_loss", "multilabel_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss", "linear_cross_entropy"]

_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's mapping of the deprecated size_average/reduce flags to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='{}' instead.", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(reduction: str, allowed: tuple = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _not_differentiable(fn: str, **args: Any) -> None:
    """PyTorch's error for an argument its derivative table marks non-differentiable (a
    target, a class weight) that requires grad while grad mode is on; ``fn`` is the name
    PyTorch's message gives (ATen's function)."""
    if not is_grad_enabled():
        return
    for name, t in args.items():
        if isinstance(t, Tensor) and t.requires_grad:
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad True.")


def _nll_kernel(input: Tensor) -> str:  # noqa: A002
    """The ATen function PyTorch names for nll_loss / cross_entropy with class indices."""
    return "nll_loss2d_forward" if input.ndim > 2 else "nll_loss_forward"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_tensor(x: Any, fn: str, what: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{what}' must be a Tensor, not {type(x).__name__}")


def _check_float_target(target: Tensor, fn: str) -> None:
    """Binary losses take probabilities/labels as floats (PyTorch refuses integer/bool targets)."""
    if not target.is_floating_point():
        raise RuntimeError(f"{fn}: expected a floating point target (labels in [0, 1]) of the "
                           f"input's shape, got {target.dtype}; convert it with .float()")


def _pointwise_prep(input: Tensor, target: Tensor, fn: str, reduction: str,  # noqa: A002
                    size_average: Any = None, reduce: Any = None) -> str:
    _check_tensor(input, fn, "input")
    _check_tensor(target, fn, "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", stacklevel=3)
        try:
            np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise RuntimeError(f"{fn}: the size of input {list(input.shape)} and target "
                               f"{list(target.shape)} must be broadcastable") from None
    return reduction


# ------------------------------------------------------------------------------ regression
def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """(input - target)^2, reduced. Shapes: input (*), target (*) -> scalar or (*)."""
    reduction = _pointwise_prep(input, target, "mse_loss", reduction, size_average, reduce)
    if weight is None:
        x, t = input, target
        if x._data.dtype != t._data.dtype:  # the binary operators' promotion
            dt = promote(x._data, t._data)
            x, t = E.cast(x, dt), E.cast(t, dt)
        return MseLoss.apply(x, t, reduction=reduction)
    d = input - target
    return name_node(_reduce(d * d * weight, reduction), "MseLossBackward0")


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """|input - target|, reduced. Shapes: input (*), target (*) -> scalar or (*)."""
    reduction = _pointwise_prep(input, target, "l1_loss", reduction, size_average, reduce)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _piecewise_quadratic(d: Tensor, cut: float, quad_scale: float, lin_scale: float,
                         lin_shift: float) -> Tensor:
    """quad_scale * d^2 where |d| < cut, else lin_scale * |d| - lin_shift."""
    ad = d.abs()
    return E.Where.apply(ad._data < cut, d * d * quad_scale, ad * lin_scale - lin_shift)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta else |d| - 0.5 beta (beta = 0: L1)."""
    reduction = _pointwise_prep(input, target, "smooth_l1_loss", reduction, size_average,
                                reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    loss = d.abs() if beta == 0 else _piecewise_quadratic(d, beta, 0.5 / beta, 1.0, 0.5 * beta)
    return name_node(_reduce(loss, reduction), "SmoothL1LossBackward0")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta else delta (|d| - 0.5 delta)."""
    reduction = _pointwise_prep(input, target, "huber_loss", reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    loss = _piecewise_quadratic(input - target, delta, 0.5, delta, 0.5 * delta * delta)
    if weight is not None:
        loss = loss * weight
    return name_node(_reduce(loss, reduction), "HuberLossBackward0")


# ----------------------------------------------------------------------------------- binary
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w (t log p + (1 - t) log(1 - p)), each log clamped at -100.

    Shapes: input (*) probabilities in [0, 1], target (*) same shape, weight broadcastable.
    """
    _check_tensor(input, "binary_cross_entropy", "input")
    _check_tensor(target, "binary_cross_entropy", "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")
    _check_float_target(target, "binary_cross_entropy")
    _not_differentiable("binary_cross_entropy", weight=weight)
    x = input._data
    w = None
    if weight is not None:
        try:
            w = np.broadcast_to(weight._data, x.shape).astype(x.dtype)
        except ValueError:
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(weight.shape)} is "
                               f"not broadcastable to the input shape {list(input.shape)}"
                               ) from None
    tgt = target if target.requires_grad else target._data.astype(x.dtype, copy=False)
    # the range check of the input happens in the op, only when the loss comes out NaN
    return BinaryCrossEntropy.apply(input, tgt, weight=w, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """-w (pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), stable for any logit x.

    Computed as (1 - t) x + (1 + (pw - 1) t) softplus(-x). ``pos_weight`` (C,) broadcasts over
    the last dim and scales only the positive term.
    """
    _check_tensor(input, "binary_cross_entropy_with_logits", "input")
    _check_tensor(target, "binary_cross_entropy_with_logits", "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    _check_float_target(target, "binary_cross_entropy_with_logits")
    _not_differentiable("binary_cross_entropy_with_logits", weight=weight,
                        pos_weight=pos_weight)
    sp = E.Softplus.apply(-input, beta=1.0, threshold=math.inf)  # log(1 + e^-x), exact
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * sp
    else:
        loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return name_node(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")


# -------------------------------------------------------------------------------- classes
def _class_coef(shape: tuple, target: np.ndarray, weight: np.ndarray | None, ignore_index: int,
                smoothing: float, reduction: str, dtype: np.dtype, fn: str) -> tuple:
    """The constant coefficient array of the fused class-index losses (see _ops/loss.py), and
    whether it is a mean over nothing (every target ignored or of weight 0)."""
    n, c = shape[0], shape[1]
    if target.shape != (n,) + shape[2:]:
        if target.ndim == 1 and len(shape) == 2:
            raise ValueError(f"{fn}: Expected input batch_size ({n}) to match target "
                             f"batch_size ({target.shape[0]}).")
        raise RuntimeError(f"{fn}: Expected target size {[n, *shape[2:]]}, got "
                           f"{list(target.shape)} (input shape {list(shape)}: class dim 1)")
    valid = target != ignore_index
    every = bool(valid.all())  # the common case: no ignored target, no masking passes
    tv = target if every else target[valid]
    if tv.size and (tv.min() < 0 or tv.max() >= c):
        bad = tv[(tv < 0) | (tv >= c)].flat[0]
        raise IndexError(f"{fn}: Target {bad} is out of bounds (input has {c} classes).")
    t_safe = target if every else np.where(valid, target, 0)
    wc = None
    if weight is None:
        wi = np.ones(target.shape, dtype=dtype) if every else valid.astype(dtype)
    else:
        wc = weight.astype(dtype, copy=False)
        if wc.shape != (c,):
            raise RuntimeError(f"{fn}: weight tensor should be defined either for all {c} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(wc.shape)}")
        wi = wc[t_safe]  # weight of each sample's target class (a fresh array)
        if not every:
            wi *= valid
    total = None
    if reduction == "mean":
        total = wi.sum()
        if total == 0:  # the loss is 0 / 0 = NaN as PyTorch's, its gradient 0 (not NaN)
            return np.zeros(shape, dtype=dtype), True
    # scale the (N, d...) target entries before scattering them: no pass over all N x C
    vals = wi * dtype.type(1.0 - smoothing) if smoothing else wi
    if total is not None:
        vals = vals / total
    d = math.prod(shape[2:])
    coef = np.zeros(shape, dtype=dtype)
    c3 = coef.reshape(n, c, d)
    c3[np.arange(n)[:, None], t_safe.reshape(n, d), np.arange(d)] = vals.reshape(n, d)
    if smoothing > 0:  # every class gets weight * eps / C (weights inside, same denominator)
        sm = (np.ones(c, dtype=dtype) if wc is None else wc) * dtype.type(smoothing / c)
        sm = sm.reshape(1, c, 1)
        if not every:
            sm = sm * valid.reshape(n, 1, d)
        c3 += sm / total if total is not None else sm
    return coef, False


def _unbatched(input: Tensor, target: Tensor, fn: str) -> tuple:
    if input.ndim == 1 and target.ndim == 0:
        return input.reshape(1, -1), target.reshape(1), True
    if input.ndim == 0:
        raise RuntimeError(f"{fn}: input must have at least 1 dimension (C,) or (N, C, ...), "
                           f"got a 0-d tensor")
    return input, target, False


def _index_target(target: Tensor, fn: str, input: Tensor) -> np.ndarray:  # noqa: A002
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}: expected target of integer dtype (class indices) with shape "
                           f"{[input.shape[0], *input.shape[2:]]}, or a floating target of the "
                           f"input's shape {list(input.shape)} (class probabilities); got "
                           f"{target.dtype} of shape {list(target.shape)}")
    return t


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """-weight[t] * input[n, t], reduced; 'mean' divides by the sum of the targets' weights
    (ignored targets excluded). Shapes: input (N, C) / (N, C, d1, ...) / (C,) log-probabilities,
    target (N) / (N, d1, ...) / () int64."""
    _check_tensor(input, "nll_loss", "input")
    _check_tensor(target, "nll_loss", "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, t, single = _unbatched(input, target, "nll_loss")
    tgt = _index_target(t, "nll_loss", x)
    _not_differentiable(_nll_kernel(input), weight=weight)
    coef, empty = _class_coef(x._data.shape, tgt, None if weight is None else weight._data,
                              ignore_index, 0.0, reduction, x._data.dtype, "nll_loss")
    # (the coefficients are a copy, but PyTorch saves the target: a later in-place change raises)
    out = guard(name_node(WeightedNll.apply(x, coef=coef, none=reduction == "none"),
                          _nll_name(x)), target)
    if empty:
        out = out + math.nan
    return out.reshape(()) if single and reduction == "none" else out


def _nll_name(x: Tensor) -> str:
    """PyTorch's nll_loss node: NllLoss2d for inputs of 3 or more dims (it views them 4-D)."""
    return "NllLoss2DBackward0" if x.ndim >= 3 else "NllLossBackward0"


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits and class indices or class probabilities.

    Shapes: input (N, C) / (N, C, d1, ...) / (C,) logits; target either int64 indices
    (N) / (N, d1, ...) / () or floating probabilities of the input's shape. Class indices go
    through one fused log_softmax + nll node.
    """
    _check_tensor(input, "cross_entropy", "input")
    _check_tensor(target, "cross_entropy", "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if target.shape == input.shape:  # class probabilities, as PyTorch decides
        if not target.is_floating_point():
            idx_shape = [input.shape[0], *input.shape[2:]] if input.ndim > 1 else []
            raise RuntimeError(f"cross_entropy: Expected floating point type for target with "
                               f"class probabilities, got {target.dtype} (class indices have "
                               f"shape {idx_shape})")
        if ignore_index >= 0:
            raise RuntimeError("cross_entropy: ignore_index is not supported for floating point "
                               "target")
        # PyTorch's composition ends in a division (mean) or a negation
        return name_node(_soft_cross_entropy(input, target, weight, reduction, label_smoothing),
                         "DivBackward1" if reduction == "mean" else "NegBackward0")
    x, t, single = _unbatched(input, target, "cross_entropy")
    tgt = _index_target(t, "cross_entropy", x)
    _not_differentiable(_nll_kernel(input), weight=weight)
    coef, empty = _class_coef(x._data.shape, tgt, None if weight is None else weight._data,
                              ignore_index, label_smoothing, reduction, x._data.dtype,
                              "cross_entropy")
    out = guard(CrossEntropy.apply(x, coef=coef, none=reduction == "none"), target)  # (as nll)
    # PyTorch: nll_loss(log_softmax(x)) (nll_loss2d for images), plus a smoothing term
    name_node(out, "AddBackward0" if label_smoothing > 0 else _nll_name(x))
    if empty:
        out = out + math.nan
    return out.reshape(()) if single and reduction == "none" else out


def _soft_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None,  # noqa: A002
                        reduction: str, smoothing: float) -> Tensor:
    dim = 0 if input.ndim == 1 else 1
    c = input.shape[dim]
    logp = input.log_softmax(dim)
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / c
    prod = logp * target
    if weight is not None:
        prod = prod * weight.reshape(c, *([1] * (input.ndim - dim - 1)))
    loss = -prod.sum(dim)
    if reduction == "mean":
        return loss.sum() / (input.numel() // c) if input.numel() else loss.sum() * math.nan
    return loss.sum() if reduction == "sum" else loss


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """target * (log target - input) pointwise (``input`` is log-probabilities; with
    ``log_target`` the target is too); 0 where target = 0. 'batchmean' divides the sum by
    input.size(0) (the true KL divergence per sample)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    _check_tensor(input, "kl_div", "input")
    _check_tensor(target, "kl_div", "target")
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError(f"kl_div: Integral inputs not supported (input {input.dtype}, target "
                           f"{target.dtype})")
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        raise RuntimeError(f"kl_div: the size of input {list(input.shape)} and target "
                           f"{list(target.shape)} must be broadcastable") from None
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target._data > 0
        safe = E.Where.apply(pos, target, 1.0)  # log(1) = 0 where target is 0: no -inf * 0
        loss = target * safe.log() - target * input
        loss = E.Where.apply(pos, loss, -(target * input)) if not pos.all() else loss
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


# ------------------------------------------------------------------------ further losses
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,  # noqa: A002
                     full: bool = False, size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """exp(x) - t x (log_input) or x - t log(x + eps); ``full`` adds Stirling's term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        big = target._data > 1  # Stirling's approximation of log(t!), only where t > 1
        safe = E.Where.apply(big, target, 1.0)
        st = safe * safe.log() - safe + 0.5 * (safe * (2 * math.pi)).log()
        loss = loss + E.Where.apply(big, st, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float,  # noqa: A002
                      full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """0.5 (log max(var, eps) + (input - target)^2 / max(var, eps)) (+ 0.5 log 2 pi)."""
    _check_reduction(reduction)
    if not isinstance(var, Tensor):
        var = Tensor._wrap(np.full(input._data.shape[:-1] + (1,) if input.ndim else (),
                                   var, dtype=input._data.dtype))
    if var.ndim == input.ndim - 1 and var.shape == input.shape[:-1]:
        var = var.unsqueeze(-1)
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    v = var.clamp_min(eps) if not var.requires_grad else var + E.Where.apply(
        var._data < eps, (eps - var).detach(), 0.0)  # clamp without cutting var's gradient
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce((-target * (input1 - input2) + margin).relu(), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """x where y = 1; max(0, margin - x) where y = -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    t = target._data
    zero = input * 0.0
    loss = E.Where.apply(t != -1, input, zero) + E.Where.apply(
        t != 1, (margin - input).relu(), zero)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)); ``target`` (the input's shape, +-1) must not require grad, as
    PyTorch's."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _not_differentiable("soft_margin_loss", target=target)
    return _reduce(E.Softplus.apply(-target * input, beta=1.0, threshold=math.inf), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                                weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """-mean over C of y log sigmoid(x) + (1 - y) log sigmoid(-x), per sample (N, C) -> (N)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    ls = lambda z: -E.Softplus.apply(-z, beta=1.0, threshold=math.inf)  # noqa: E731
    loss = -(target * ls(input) + (1 - target) * ls(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(input.ndim - 1), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1; max(0, cos(x1, x2) - margin) where y = -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    eps = 1e-12  # PyTorch's EPSILON for this loss
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = prod / mag.sqrt()
    t = target._data
    zero = cos * 0.0
    loss = E.Where.apply(t == 1, 1 - cos, zero) + E.Where.apply(t == -1, (cos - margin).relu(),
                                                                zero)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with d the p-norm distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).relu(), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with any distance ``d`` (default: pairwise_distance);
    ``swap`` uses min(d(a, n), d(p, n))."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater "
                         f"than 0, got {margin} instead")
    d = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = d(anchor, positive), d(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(d(positive, negative))
    return _reduce((d_pos - d_neg + margin).relu(), reduction)


def _margin_prep(input: Tensor, target: Tensor, fn: str, same_shape: bool) -> tuple:  # noqa: A002
    """(input as (N, C), target as an int array, unbatched?) with PyTorch's shape rules."""
    _check_tensor(input, fn, "input")
    _check_tensor(target, fn, "target")
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}: expected target of integer dtype (class indices), got "
                           f"{target.dtype}")
    if input.ndim not in (1, 2):
        raise ValueError(f"{fn}: expected a 1-D (C) or 2-D (N, C) input, got shape "
                         f"{list(input.shape)}")
    single = input.ndim == 1
    x = input.reshape(1, -1) if single else input
    want = tuple(x.shape) if same_shape else x.shape[:1]
    t2 = t.reshape(want) if t.size == int(np.prod(want)) and t.ndim <= len(want) else None
    if t2 is None or (not same_shape and t.ndim != (0 if single else 1)) or \
            (same_shape and t.shape != tuple(input.shape)):
        raise ValueError(f"{fn}: inconsistent target size {list(t.shape)} for input of size "
                         f"{list(input.shape)}")
    return x, t2, single


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1,  # noqa: A002
                      margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge: sum over i != y of w[y] max(0, margin - x[y] + x[i])^p / C.
    Shapes: input (N, C) or (C,), target (N,) or () class indices -> (N,) or scalar."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 supported")
    x, t, single = _margin_prep(input, target, "multi_margin_loss", False)
    _not_differentiable("multi_margin_loss", weight=weight)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"multi_margin_loss: target {int(t[(t < 0) | (t >= c)][0])} is out of "
                         f"bounds (input has {c} classes)")
    x_y = x.gather(1, Tensor._wrap(t.reshape(n, 1).astype(np.int64)))
    z = (x - x_y + margin).relu()
    if p == 2:
        z = z * z
    coef = np.ones((n, c), dtype=x._data.dtype)
    coef[np.arange(n), t] = 0.0  # the target's own term is left out
    if weight is not None:
        coef *= weight._data.astype(coef.dtype)[t][:, None]
    loss = (z * (coef / c)).sum(1)
    loss = loss.reshape(()) if single else loss
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                           size_average: bool | None = None, reduce: bool | None = None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge: for each listed target j and each non-target i,
    max(0, 1 - (x[j] - x[i])), summed and divided by C. ``target`` has the input's shape and
    lists class indices up to the first -1. Shapes: (N, C) or (C,) -> (N,) or scalar."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, t, single = _margin_prep(input, target, "multilabel_margin_loss", True)
    n, c = x.shape
    listed = np.cumprod(t != -1, axis=1).astype(bool)  # entries before the first -1
    if ((t[listed] < 0) | (t[listed] >= c)).any():
        raise IndexError(f"multilabel_margin_loss: target index out of bounds (input has {c} "
                         f"classes, -1 ends each list)")
    count = np.zeros((n, c), dtype=x._data.dtype)  # how often each class is listed
    rows = np.broadcast_to(np.arange(n)[:, None], t.shape)
    np.add.at(count, (rows[listed], t[listed]), 1.0)
    pair = count[:, :, None] * (count == 0)[:, None, :] / c  # (N, target j, non-target i)
    diff = x.unsqueeze(2) - x.unsqueeze(1)  # x[j] - x[i]
    loss = ((1 - diff).relu() * pair).sum((1, 2))
    loss = loss.reshape(()) if single else loss
    return _reduce(loss, reduction)


def _lengths(v: Any, what: str) -> np.ndarray:
    arr = np.asarray(v._data if isinstance(v, Tensor) else v)
    if arr.dtype.kind not in "iu" and arr.size:
        raise RuntimeError(f"ctc_loss: {what} must be integers, got {arr.dtype}")
    return arr.astype(np.int64).reshape(-1)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss: -log of the total probability of every
    alignment of each target to its input.

    ``log_probs`` (T, N, C) (or (T, C) unbatched) log-probabilities over C classes (blank
    included), ``targets`` (N, S) padded or 1-D (the N targets concatenated), lengths (N,)
    as tensors or sequences. 'mean' divides each loss by its target length, then averages;
    ``zero_infinity`` zeroes impossible (infinite) losses and their gradients.
    """
    _check_reduction(reduction)
    _check_tensor(log_probs, "ctc_loss", "log_probs")
    unbatched = log_probs.ndim == 2
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got "
                           f"{list(log_probs.shape)}")
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    tgt = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
    if unbatched and tgt.ndim == 1:
        tgt = tgt[None]
    il, tl = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if len(il) != N or len(tl) != N:
        raise RuntimeError(f"ctc_loss: input_lengths must be of size batch_size ({N}), got "
                           f"{len(il)} input and {len(tl)} target lengths")
    if not 0 <= blank < C:
        raise RuntimeError(f"ctc_loss: blank must be in label range [0, {C}), got {blank}")
    if il.size and (il.max() > T or il.min() < 0):
        raise RuntimeError(f"ctc_loss: Expected input_lengths to have value at most {T}, but "
                           f"got value {int(il.max())}")
    if tl.size and tl.min() < 0:
        raise RuntimeError(f"ctc_loss: target lengths must be non-negative, got {tl.tolist()}")
    if tgt.ndim == 2 and not unbatched or (unbatched and tgt.ndim == 2 and tgt.shape[0] == 1):
        if tl.size and tl.max() > tgt.shape[1]:
            raise RuntimeError(f"ctc_loss: Expected tensor to have size at least "
                               f"{int(tl.max())} at dimension 1, but got size {tgt.shape[1]} "
                               f"for argument #2 'targets'")
        labels = [tgt[b, :tl[b]] for b in range(N)]
    elif tgt.ndim == 1:
        ends = np.cumsum(tl)
        if ends.size and ends[-1] > tgt.shape[0]:
            raise RuntimeError(f"ctc_loss: the target lengths sum to {int(ends[-1])}, more than "
                               f"the {tgt.shape[0]} concatenated targets")
        labels = [tgt[e - n:e] for e, n in zip(ends, tl)]
    else:
        raise RuntimeError(f"ctc_loss: expected targets of shape (N, S) or (sum of target "
                           f"lengths,), got {list(tgt.shape)}")
    labels = [np.asarray(lab, dtype=np.int64) for lab in labels]
    for lab in labels:
        if lab.size and (lab.min() < 0 or lab.max() >= C):
            raise RuntimeError(f"ctc_loss: target labels must be in [0, {C}), got "
                               f"{lab.tolist()}")
    loss = CtcLoss.apply(lp, targets=labels, input_lengths=il, blank=blank,
                         zero_infinity=zero_infinity)
    if reduction == "mean":
        return (loss / np.maximum(tl, 1).astype(lp._data.dtype)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,  # noqa: A002
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: Any = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    ``input`` (N, in) or (in,); ``linear_weight`` (C, *out_features, in) gives logits
    (N, C, *out_features) (a K-dimensional loss when out_features is not empty). PyTorch's
    ``options`` select a memory-saving chunked evaluation of the same value; it is accepted and
    the logits are formed whole. ``ignore_index`` None: -100 for class targets; with
    probability targets it must stay None."""
    if input.ndim < 1 or input.ndim > 2:
        raise RuntimeError(f"linear_cross_entropy: expected input with dimensionality 1 or 2, "
                           f"got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"linear_cross_entropy: expected linear_weight with dimensionality "
                           f"at least 2, got {linear_weight.ndim}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(f"linear_cross_entropy: expected equal input and linear_weight last "
                           f"dimensions (in_features), got {in_features} and "
                           f"{linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"linear_cross_entropy: expected linear_bias shape "
                           f"{(num_classes, *out_features)}, got {tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(f"linear_cross_entropy: K-dimensional loss defined by linear_weight "
                           f"shape {tuple(linear_weight.shape)} requires batched input, "
                           f"(N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("linear_cross_entropy: ignore_index cannot be specified when target "
                           "contains probabilities")
    rows = num_classes * math.prod(out_features)
    logits = linear(input, linear_weight.reshape(rows, in_features),
                    None if linear_bias is None else linear_bias.reshape(rows))
    return cross_entropy(logits.reshape(logits_shape), target, weight=weight,
                         reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)
