"""Weight regularizers: ``reg(weight) -> scalar Tensor`` added to the training loss."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize"]


class Regularizer:
    """Base class: called with a weight Tensor, returns the penalty (a 0-d Tensor)."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


def _check(name: str, value: Any) -> float:
    if value is None or not isinstance(value, (int, float)) or isinstance(value, bool) \
            or value < 0:
        raise ValueError(f"keras.regularizers: invalid value for argument {name}: expected a "
                         f"non-negative float, got {name}={value!r}")
    return float(value)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x^2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        penalty = 0.0
        if self.l1:
            penalty = penalty + self.l1 * x.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * (x * x).sum()
        if isinstance(penalty, float):
            return x.sum() * 0.0
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = {"l1": L1, "l2": L2, "l1_l2": L1L2, **_CLASSES}.get(identifier)
        if cls is None:
            raise ValueError(f"keras.regularizers.get: unknown regularizer {identifier!r}")
        return cls()
    if isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"keras.regularizers.get: could not interpret regularizer {identifier!r}")


def serialize(reg: Any) -> dict[str, Any] | None:
    if reg is None:
        return None
    if type(reg).__name__ not in _CLASSES:
        raise ValueError(f"keras.regularizers.serialize: {reg!r} is not a built-in regularizer")
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
