"""Weight constraints, applied by the optimizer after each update (as Keras does):
``MaxNorm``, ``MinMaxNorm``, ``NonNeg``, ``UnitNorm``. A constraint maps a weight array to its
projected value."""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import epsilon

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "serialize"]


class Constraint:
    """Base class: ``constraint(w: np.ndarray) -> np.ndarray``."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norms(w: np.ndarray, axis: Any) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale the weights so the norm along ``axis`` is at most ``max_value``."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        n = _norms(w, self.axis)
        return w * (np.clip(n, 0, self.max_value) / (epsilon() + n))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move the norm along ``axis`` into [min_value, max_value] at ``rate``."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        n = _norms(w, self.axis)
        desired = self.rate * np.clip(n, self.min_value, self.max_value) + (1 - self.rate) * n
        return w * (desired / (epsilon() + n))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Zero the negative weights."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w * (w >= 0)


class UnitNorm(Constraint):
    """Divide by the norm along ``axis``."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
_CLASSES = {c.__name__: c for c in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
_NAMES = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
          "unit_norm": UnitNorm}


def get(identifier: Any) -> Any:
    """A constraint from None, a name ('non_neg', 'MaxNorm'...), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"keras.constraints.get: unknown constraint {identifier!r}")
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"keras.constraints.get: could not interpret constraint {identifier!r}")


def serialize(c: Any) -> Any:
    if c is None:
        return None
    if type(c).__name__ not in _CLASSES:
        raise ValueError(f"keras.constraints.serialize: {c!r} is not a built-in constraint")
    return {"class_name": type(c).__name__, "config": c.get_config()}
