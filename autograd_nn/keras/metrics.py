"""Keras metrics: stateful running means over the batches of an epoch.

``update_state(y_true, y_pred, sample_weight=None)`` adds a batch, ``result()`` the value so
far, ``reset_state()`` starts over. Mean metrics weight each sample by ``sample_weight`` (the
count is the sum of the weights), as Keras's ``MeanMetricWrapper``; values are computed in
NumPy, off the autograd graph.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from . import losses as _losses
from .backend import to_numpy

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
           "RootMeanSquaredError", "MeanAbsolutePercentageError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Hinge", "Precision",
           "Recall", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
           "get", "serialize"]


def _squeeze_or_expand(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1:
            b = b[..., None]
        else:
            a = a[..., 0]
    if b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1:
            a = a[..., None]
        else:
            b = b[..., 0]
    return a, b


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    yt, yp = _squeeze_or_expand(to_numpy(y_true), to_numpy(y_pred))
    return (yt == (yp > threshold).astype(yt.dtype)).astype("float32")


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    yt = np.argmax(to_numpy(y_true), axis=-1)
    return (yt == np.argmax(to_numpy(y_pred), axis=-1)).astype("float32")


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    yt, yp = to_numpy(y_true), to_numpy(y_pred)
    if yt.ndim == yp.ndim and yt.shape[-1] == 1:
        yt = yt[..., 0]
    m = (yt.astype(np.float32) == np.argmax(yp, axis=-1).astype(np.float32)).astype("float32")
    if m.ndim > 1 and m.shape[-1] == 1:
        m = m[..., 0]
    return m


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    yt, yp = _squeeze_or_expand(to_numpy(y_true), to_numpy(y_pred))
    return (yt == yp).astype("float32")


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    return sparse_top_k_categorical_accuracy(np.argmax(to_numpy(y_true), axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    yt, yp = to_numpy(y_true), to_numpy(y_pred)
    if yt.ndim == yp.ndim:
        yt = yt[..., 0]
    target = np.take_along_axis(yp, yt.astype(np.int64)[..., None], -1)
    return ((yp > target).sum(-1) < k).astype("float32")


class Metric:
    """Base class of stateful metrics."""

    _direction = "down"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or _losses._snake(type(self).__name__)
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of the values given."""

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        v = np.asarray(to_numpy(values), dtype=np.float64)
        if sample_weight is not None:
            sw = np.asarray(to_numpy(sample_weight), dtype=np.float64)
            v, sw = _squeeze_or_expand(v, sw)
            if v.ndim > sw.ndim:
                v = v.mean(axis=tuple(range(sw.ndim, v.ndim)))
            sw = np.broadcast_to(sw, v.shape)
            v = v * sw
            if sw.ndim > 1:
                sw = sw.mean(axis=tuple(range(1, sw.ndim)))
            if v.ndim > 1:
                v = v.mean(axis=tuple(range(1, v.ndim)))
            self.total += float(v.sum())
            self.count += float(sw.sum())
            return
        if v.ndim > 1:
            v = v.mean(axis=tuple(range(1, v.ndim)))
        self.total += float(v.sum())
        self.count += float(v.shape[0]) if v.ndim >= 1 else 1.0

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    def reset_state(self) -> None:
        self.total = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        v = np.asarray(to_numpy(values), dtype=np.float64)
        if sample_weight is not None:
            v = v * np.asarray(to_numpy(sample_weight))
        self.total += float(v.sum())

    def result(self) -> float:
        return self.total


class MeanMetricWrapper(Mean):
    """The running (weighted) mean of a per-sample function ``fn(y_true, y_pred)``."""

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        self._fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        with no_grad():
            yp = y_pred.detach() if isinstance(y_pred, Tensor) else y_pred
            values = self._fn(y_true, yp, **self._fn_kwargs)
        super().update_state(to_numpy(values), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._fn_kwargs}


def _wrap(fn: Callable[..., Any], default: str, direction: str, doc: str,
          **defaults: Any) -> type:
    def __init__(self: MeanMetricWrapper, name: str = default, dtype: Any = None,  # noqa: N807
                 **kwargs: Any) -> None:
        opts = dict(defaults)
        for k, v in kwargs.items():
            if k not in defaults:
                raise TypeError(f"{type(self).__name__}: unexpected keyword argument {k!r}")
            opts[k] = v
        MeanMetricWrapper.__init__(self, fn, name=name, **opts)
    return type("_", (MeanMetricWrapper,), {"__init__": __init__, "_direction": direction,
                                            "__doc__": doc})


def _named(cls: type, name: str) -> type:
    cls.__name__ = cls.__qualname__ = name
    return cls


Accuracy = _named(_wrap(accuracy, "accuracy", "up", "How often y_pred equals y_true."),
                  "Accuracy")
BinaryAccuracy = _named(_wrap(binary_accuracy, "binary_accuracy", "up",
                              "How often (y_pred > threshold) equals y_true.", threshold=0.5),
                        "BinaryAccuracy")
CategoricalAccuracy = _named(_wrap(categorical_accuracy, "categorical_accuracy", "up",
                                   "argmax(y_pred) == argmax(y_true)."), "CategoricalAccuracy")
SparseCategoricalAccuracy = _named(_wrap(sparse_categorical_accuracy,
                                         "sparse_categorical_accuracy", "up",
                                         "argmax(y_pred) == y_true."),
                                   "SparseCategoricalAccuracy")
TopKCategoricalAccuracy = _named(_wrap(top_k_categorical_accuracy,
                                       "top_k_categorical_accuracy", "up",
                                       "y_true among the top k of y_pred.", k=5),
                                 "TopKCategoricalAccuracy")
SparseTopKCategoricalAccuracy = _named(_wrap(sparse_top_k_categorical_accuracy,
                                             "sparse_top_k_categorical_accuracy", "up",
                                             "y_true among the top k of y_pred.", k=5),
                                       "SparseTopKCategoricalAccuracy")


def _loss_metric(fn: Callable[..., Any], squeeze: bool = False) -> Callable[..., Any]:
    def metric_fn(y_true: Any, y_pred: Any, **kw: Any) -> Any:
        yt = y_true if isinstance(y_true, Tensor) else Tensor._wrap(np.asarray(y_true))
        yp = y_pred if isinstance(y_pred, Tensor) else Tensor._wrap(np.asarray(y_pred))
        if squeeze:
            yt, yp = _losses.squeeze_or_expand_to_same_rank(yt, yp)
        return fn(yt, yp, **kw)
    metric_fn.__name__ = fn.__name__
    return metric_fn


MeanSquaredError = _named(_wrap(_loss_metric(_losses.mean_squared_error),
                                "mean_squared_error", "down", "Mean squared error."),
                          "MeanSquaredError")
MeanAbsoluteError = _named(_wrap(_loss_metric(_losses.mean_absolute_error),
                                 "mean_absolute_error", "down", "Mean absolute error."),
                           "MeanAbsoluteError")
MeanAbsolutePercentageError = _named(_wrap(
    _loss_metric(_losses.mean_absolute_percentage_error), "mean_absolute_percentage_error",
    "down", "Mean absolute percentage error."), "MeanAbsolutePercentageError")
BinaryCrossentropy = _named(_wrap(_loss_metric(_losses.binary_crossentropy, True),
                                  "binary_crossentropy", "down", "Binary cross-entropy.",
                                  from_logits=False, label_smoothing=0.0),
                            "BinaryCrossentropy")
CategoricalCrossentropy = _named(_wrap(_loss_metric(_losses.categorical_crossentropy),
                                       "categorical_crossentropy", "down",
                                       "Categorical cross-entropy.", from_logits=False,
                                       label_smoothing=0.0), "CategoricalCrossentropy")
SparseCategoricalCrossentropy = _named(_wrap(
    _loss_metric(_losses.sparse_categorical_crossentropy), "sparse_categorical_crossentropy",
    "down", "Sparse categorical cross-entropy.", from_logits=False),
    "SparseCategoricalCrossentropy")
Hinge = _named(_wrap(_loss_metric(_losses.hinge), "hinge", "down", "Hinge."), "Hinge")


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of the squared errors over all elements."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        yt, yp = _squeeze_or_expand(to_numpy(y_true).astype(np.float32),
                                    to_numpy(y_pred).astype(np.float32))
        super().update_state((yt - yp) ** 2, sample_weight)

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class _Confusion(Metric):
    _direction = "up"

    def __init__(self, thresholds: float | None = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        self.threshold = 0.5 if thresholds is None else float(thresholds)
        super().__init__(name=name)

    def reset_state(self) -> None:
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        yt, yp = _squeeze_or_expand(to_numpy(y_true), to_numpy(y_pred))
        pred = yp > self.threshold
        true = yt.astype(bool)
        w = np.ones_like(yp, dtype=np.float64) if sample_weight is None else \
            np.broadcast_to(_squeeze_or_expand(to_numpy(sample_weight), yp)[0], yp.shape)
        self.tp += float((w * (pred & true)).sum())
        self.fp += float((w * (pred & ~true)).sum())
        self.fn += float((w * (~pred & true)).sum())


class Precision(_Confusion):
    """tp / (tp + fp) at ``thresholds`` (default 0.5)."""

    def result(self) -> float:
        d = self.tp + self.fp
        return self.tp / d if d else 0.0


class Recall(_Confusion):
    """tp / (tp + fn) at ``thresholds`` (default 0.5)."""

    def result(self) -> float:
        d = self.tp + self.fn
        return self.tp / d if d else 0.0


_BY_NAME: dict[str, type] = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "hinge": Hinge, "root_mean_squared_error": RootMeanSquaredError,
    "precision": Precision, "recall": Recall,
}
_CLASSES = {c.__name__: c for c in set(_BY_NAME.values()) | {Accuracy}}


def get(identifier: Any) -> Any:
    """A metric from a name ('mae', 'binary_accuracy', 'Precision'...), a Metric or a function
    ``fn(y_true, y_pred)`` (wrapped in a MeanMetricWrapper)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric: Any) -> Any:
    if isinstance(metric, str):
        return metric
    if isinstance(metric, Metric) and type(metric).__name__ in _CLASSES:
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    raise ValueError(f"keras.metrics.serialize: {metric!r} is not a built-in metric")
