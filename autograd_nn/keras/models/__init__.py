"""``keras.models``: ``Sequential``, ``Model``, ``load_model``."""

from .model import Functional, Model, Sequential
from .saving import load_model

__all__ = ["Model", "Sequential", "Functional", "load_model", "clone_model"]


def clone_model(model: Model) -> Model:
    """A new model with the same architecture and freshly initialised weights."""
    cls = type(model)
    return cls.from_config(model.get_config())
