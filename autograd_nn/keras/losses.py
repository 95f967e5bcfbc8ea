"""Keras losses: per-sample functions (``keras.losses.mse(y_true, y_pred)``) and ``Loss``
classes with Keras's reduction.

A ``Loss`` object squeezes or expands the last dim of ``y_true`` / ``y_pred`` when their ranks
differ by one, computes the per-sample values, multiplies by ``sample_weight`` and reduces with
``'sum_over_batch_size'`` (the sum divided by the number of values, whatever the weights),
``'sum'``, ``'mean_with_sample_weight'`` or ``'none'``. Probabilities are clipped to
``[epsilon, 1 - epsilon]`` (1e-7) in the cross-entropies unless ``from_logits=True``.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from .._ops.elementwise import where
from ..nn import functional as F
from ..tensor import Tensor
from .backend import epsilon, to_tensor

__all__ = ["Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "SquaredHinge",
           "CategoricalHinge", "Huber", "LogCosh", "KLDivergence", "Poisson",
           "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
           "huber", "log_cosh", "kl_divergence", "poisson", "mse", "mae", "mape", "msle",
           "get", "serialize"]


def _float(y: Any, like: Tensor) -> Tensor:
    t = to_tensor(y)
    return t if t._data.dtype == like._data.dtype else t.to(like.dtype)


def squeeze_or_expand_to_same_rank(x1: Tensor, x2: Tensor,
                                   expand_rank_1: bool = True) -> tuple[Tensor, Tensor]:
    """Keras's rule: when the ranks differ by one and the longer one ends in 1, squeeze it (a
    rank-1 partner is expanded instead)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


# ------------------------------------------------------------------ per-sample functions
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((y_true - y_pred)^2) over the last axis."""
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    return ((_float(y_true, y_pred) - y_pred) ** 2).mean(dim=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    return (_float(y_true, y_pred) - y_pred).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    yt = _float(y_true, y_pred)
    diff = (yt - y_pred).abs() / yt.abs().clamp(min=epsilon())
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    yt = _float(y_true, y_pred)
    a = (y_pred.clamp(min=epsilon()) + 1.0).log()
    b = (yt.clamp(min=epsilon()) + 1.0).log()
    return ((a - b) ** 2).mean(dim=-1)


def _bce_elementwise(yt: Tensor, yp: Tensor, from_logits: bool) -> Tensor:
    if from_logits:
        return F.binary_cross_entropy_with_logits(yp, yt, reduction="none")
    eps = epsilon()
    return F.binary_cross_entropy(yp.clamp(eps, 1 - eps), yt, reduction="none")


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Mean over ``axis`` of -(y log p + (1 - y) log(1 - p)), p clipped to [eps, 1 - eps]."""
    y_pred = to_tensor(y_pred)
    yt = _float(y_true, y_pred)
    if label_smoothing:
        yt = yt * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if tuple(yt.shape) != tuple(y_pred.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(yt.shape)}, output.shape={tuple(y_pred.shape)}")
    return _bce_elementwise(yt, y_pred, from_logits).mean(dim=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """-sum(y_true * log p) over ``axis``; p = y_pred / sum(y_pred), clipped, or softmax of
    logits."""
    y_pred = to_tensor(y_pred)
    yt = _float(y_true, y_pred)
    if tuple(yt.shape) != tuple(y_pred.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(yt.shape)}, output.shape={tuple(y_pred.shape)}")
    if label_smoothing:
        yt = yt * (1.0 - label_smoothing) + label_smoothing / yt.shape[axis]
    if from_logits:
        log_p = F.log_softmax(y_pred, dim=axis)
    else:
        p = y_pred / y_pred.sum(dim=axis, keepdim=True)
        log_p = p.clamp(epsilon(), 1 - epsilon()).log()
    return -(yt * log_p).sum(dim=axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> Tensor:
    """-log p[y_true] with integer class ids ``y_true`` (shape of y_pred without the class axis,
    or with a trailing 1)."""
    y_pred = to_tensor(y_pred)
    yt = np.asarray(y_true._data if isinstance(y_true, Tensor) else y_true)
    if yt.ndim == y_pred.ndim and yt.shape[axis] == 1:
        yt = np.squeeze(yt, axis=axis)
    expected = tuple(np.delete(np.array(y_pred.shape), axis % y_pred.ndim))
    if tuple(yt.shape) != expected:
        raise ValueError(f"Arguments `target` and `output` must have the same shape up until "
                         f"the last dimension: target.shape={tuple(yt.shape)}, "
                         f"output.shape={tuple(y_pred.shape)}")
    idx = yt.astype(np.int64)
    valid = None
    if ignore_class is not None:
        valid = idx != ignore_class
        idx = np.where(valid, idx, 0)
    if from_logits:
        log_p = F.log_softmax(y_pred, dim=axis)
    else:
        p = y_pred / y_pred.sum(dim=axis, keepdim=True)
        log_p = p.clamp(epsilon(), 1 - epsilon()).log()
    if axis % y_pred.ndim != y_pred.ndim - 1:
        log_p = log_p.movedim(axis, -1)
    if idx.size and (idx.min() < 0 or idx.max() >= log_p.shape[-1]):
        raise ValueError(f"sparse_categorical_crossentropy: class ids must be in [0, "
                         f"{log_p.shape[-1]}), got values in [{idx.min()}, {idx.max()}]")
    out = -log_p.gather(-1, Tensor._wrap(idx[..., None])).squeeze(-1)
    if valid is not None:
        out = out * Tensor._wrap(valid.astype(out._data.dtype))
    return out


def _hinge_labels(yt: Tensor) -> Tensor:
    d = yt._data
    if np.all((d == 0) | (d == 1)):  # Keras converts {0, 1} labels to {-1, 1}
        return yt * 2.0 - 1.0
    return yt


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    yt = _hinge_labels(_float(y_true, y_pred))
    return F.relu(1.0 - yt * y_pred).mean(dim=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    yt = _hinge_labels(_float(y_true, y_pred))
    return (F.relu(1.0 - yt * y_pred) ** 2).mean(dim=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    yt = _float(y_true, y_pred)
    pos = (yt * y_pred).sum(dim=-1)
    neg = ((1.0 - yt) * y_pred).amax(dim=-1)
    return F.relu(neg - pos + 1.0)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of 0.5 e^2 (|e| <= delta), delta |e| - 0.5 delta^2 (beyond)."""
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    err = y_pred - _float(y_true, y_pred)
    a = err.abs()
    return where(a <= delta, 0.5 * err * err, delta * a - 0.5 * delta * delta).mean(dim=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(_float(y_true, y_pred), y_pred)
    x = y_pred - _float(y_true, y_pred)
    return (x + F.softplus(-2.0 * x) - float(np.log(2.0))).mean(dim=-1)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    yt = _float(y_true, y_pred).clamp(epsilon(), 1.0)
    yp = y_pred.clamp(epsilon(), 1.0)
    return (yt * (yt / yp).log()).sum(dim=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = to_tensor(y_pred)
    yt = _float(y_true, y_pred)
    return (y_pred - yt * (y_pred + epsilon()).log()).mean(dim=-1)


mse, mae, mape, msle = (mean_squared_error, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_logarithmic_error)
kld = kl_divergence


# ------------------------------------------------------------------------------ classes
_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def reduce_weighted_values(values: Tensor, sample_weight: Any = None,
                           reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Multiply by ``sample_weight`` (broadcast as Keras) and reduce."""
    sw = None
    if sample_weight is not None:
        sw = _float(sample_weight, values)
        values, sw = squeeze_or_expand_to_same_rank(values, sw)
        values = values * sw
    if reduction in (None, "none") or values.ndim == 0:
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sw is not None:
        denom = float(sw._data.sum())
    else:
        denom = float(values.numel())
    return total / denom if denom else total * 0.0


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``; subclasses
    implement ``call(y_true, y_pred)`` returning per-sample values."""

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                             f"{set(_REDUCTIONS)}. Received: reduction={reduction}")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        y_pred = to_tensor(y_pred)
        yt = y_true if isinstance(y_true, Tensor) else to_tensor(y_true)
        values = self.call(yt, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss from a per-sample function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn: Callable[..., Tensor], reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        if self.fn is not sparse_categorical_crossentropy:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper(fn: Callable[..., Tensor], default_name: str, doc: str, **defaults: Any) -> type:
    params = dict(defaults)

    def __init__(self: LossFunctionWrapper, *args: Any, reduction: str | None =  # noqa: N807
                 "sum_over_batch_size", name: str = default_name, dtype: Any = None,
                 **kwargs: Any) -> None:
        opts = dict(params)
        for k, v in zip(params, args):
            opts[k] = v
        for k, v in kwargs.items():
            if k not in params:
                raise TypeError(f"{type(self).__name__}: unexpected keyword argument {k!r}")
            opts[k] = v
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **opts)
    return type("_", (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc})


def _named(cls: type, name: str) -> type:
    cls.__name__ = cls.__qualname__ = name
    return cls


MeanSquaredError = _named(_wrapper(mean_squared_error, "mean_squared_error",
                                   "mean((y_true - y_pred)^2)."), "MeanSquaredError")
MeanAbsoluteError = _named(_wrapper(mean_absolute_error, "mean_absolute_error",
                                    "mean(|y_true - y_pred|)."), "MeanAbsoluteError")
MeanAbsolutePercentageError = _named(_wrapper(
    mean_absolute_percentage_error, "mean_absolute_percentage_error",
    "100 mean(|y_true - y_pred| / |y_true|)."), "MeanAbsolutePercentageError")
MeanSquaredLogarithmicError = _named(_wrapper(
    mean_squared_logarithmic_error, "mean_squared_logarithmic_error",
    "mean((log(y_pred + 1) - log(y_true + 1))^2)."), "MeanSquaredLogarithmicError")
BinaryCrossentropy = _named(_wrapper(
    binary_crossentropy, "binary_crossentropy", "Binary cross-entropy (probabilities clipped "
    "at epsilon, or from_logits).", from_logits=False, label_smoothing=0.0, axis=-1),
    "BinaryCrossentropy")
CategoricalCrossentropy = _named(_wrapper(
    categorical_crossentropy, "categorical_crossentropy", "Cross-entropy with one-hot "
    "targets.", from_logits=False, label_smoothing=0.0, axis=-1), "CategoricalCrossentropy")
SparseCategoricalCrossentropy = _named(_wrapper(
    sparse_categorical_crossentropy, "sparse_categorical_crossentropy", "Cross-entropy with "
    "integer targets.", from_logits=False, ignore_class=None, axis=-1),
    "SparseCategoricalCrossentropy")
Hinge = _named(_wrapper(hinge, "hinge", "mean(max(1 - y_true y_pred, 0)); {0, 1} labels "
                        "become {-1, 1}."), "Hinge")
SquaredHinge = _named(_wrapper(squared_hinge, "squared_hinge", "Squared hinge."),
                      "SquaredHinge")
CategoricalHinge = _named(_wrapper(categorical_hinge, "categorical_hinge",
                                   "Categorical hinge."), "CategoricalHinge")
Huber = _named(_wrapper(huber, "huber_loss", "Huber loss with threshold delta.", delta=1.0),
               "Huber")
LogCosh = _named(_wrapper(log_cosh, "log_cosh", "log(cosh(y_pred - y_true))."), "LogCosh")
KLDivergence = _named(_wrapper(kl_divergence, "kl_divergence", "Kullback-Leibler "
                               "divergence."), "KLDivergence")
Poisson = _named(_wrapper(poisson, "poisson", "y_pred - y_true log(y_pred)."), "Poisson")

_FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy, "bce": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "hinge": hinge, "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "huber": huber, "huber_loss": huber, "log_cosh": log_cosh, "logcosh": log_cosh,
    "kl_divergence": kl_divergence, "kld": kl_divergence, "poisson": poisson,
}
_CLASSES = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge, Huber, LogCosh,
    KLDivergence, Poisson)}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def get(identifier: Any) -> Any:
    """A loss from a name ('mse', 'binary_crossentropy', 'MeanSquaredError'...), a Loss, a
    config dict or a callable ``fn(y_true, y_pred)``."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(f"Could not interpret loss identifier: {identifier!r}; known: "
                         f"{sorted(_FUNCTIONS)}")
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss: Any) -> Any:
    if isinstance(loss, str):
        return loss
    for name, fn in _FUNCTIONS.items():
        if fn is loss:
            return name
    if isinstance(loss, Loss) and type(loss).__name__ in _CLASSES:
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    raise ValueError(f"keras.losses.serialize: {loss!r} is not a built-in loss")
