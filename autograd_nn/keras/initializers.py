"""Keras initializers: called with a shape, they return a NumPy array of that shape.

Fans follow Keras's convention for channels-last kernels: a kernel (..., in, out) has
``fan_in = in * receptive`` and ``fan_out = out * receptive``, ``receptive`` the product of the
leading (spatial) dims. Random draws come from autograd_nn's global generator, so
``keras.utils.set_random_seed`` (or ``autograd_nn.manual_seed``) makes them reproducible.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..random import _gen

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
           "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "Identity", "get",
           "serialize"]


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight ``shape`` in Keras's layout."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``init(shape, dtype=None) -> np.ndarray``."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)

    def _cast(self, arr: Any, dtype: Any) -> np.ndarray:
        return np.asarray(arr, dtype=dtype or "float32")


class Zeros(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.zeros(shape, dtype=dtype or "float32")


class Ones(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.ones(shape, dtype=dtype or "float32")


class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return self._cast(np.full(shape, self.value), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return self._cast(_rng(self.seed).normal(self.mean, self.stddev, shape), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return self._cast(_rng(self.seed).uniform(self.minval, self.maxval, shape), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng: np.random.Generator, shape: tuple[int, ...], mean: float,
                      stddev: float) -> np.ndarray:
    """N(mean, stddev^2) redrawn outside two standard deviations (Keras's truncation)."""
    n = int(np.prod(shape))
    out = rng.standard_normal(n)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return (out * stddev + mean).reshape(shape)


class TruncatedNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05,
                 seed: int | None = None) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return self._cast(_truncated_normal(_rng(self.seed), shape, self.mean, self.stddev),
                          dtype)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Variance ``scale / n`` with n = fan_in, fan_out or their mean (``mode``), from a
    truncated normal (std corrected for the truncation), a normal or a uniform."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be positive, got scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: invalid mode {mode!r}; expected 'fan_in', "
                             f"'fan_out' or 'fan_avg'")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"VarianceScaling: invalid distribution {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[
            self.mode]
        scale = self.scale / max(1.0, n)
        rng = _rng(self.seed)
        if self.distribution == "truncated_normal":
            std = math.sqrt(scale) / 0.87962566103423978
            arr = _truncated_normal(rng, shape, 0.0, std)
        elif self.distribution == "untruncated_normal":
            arr = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            arr = rng.uniform(-limit, limit, shape)
        return self._cast(arr, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class GlorotUniform(VarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel init."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR of a Gaussian one, times ``gain`` (Keras's default
    for recurrent kernels); higher-rank shapes are flattened to (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = gain, seed

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 dims, got {shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = _rng(self.seed).standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self._cast(self.gain * q.reshape(shape), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(f"Identity: needs a 2-D shape, got {shape}")
        return self._cast(self.gain * np.eye(*shape), dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


def _rng(seed: int | None) -> np.random.Generator:
    return _gen() if seed is None else np.random.default_rng(seed)


_ALIASES: dict[str, type] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "identity": Identity,
}
_CLASSES = {cls.__name__: cls for cls in _ALIASES.values()}


def get(identifier: Any) -> Initializer:
    """An initializer from a name ('glorot_uniform', 'GlorotUniform'), a config dict
    ``{"class_name": ..., "config": {...}}``, an Initializer or a callable ``f(shape, dtype)``."""
    if isinstance(identifier, Initializer) or (callable(identifier)
                                               and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"keras.initializers.get: unknown initializer {identifier!r}; "
                             f"expected one of {sorted(_ALIASES)}")
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        cls = _CLASSES.get(identifier["class_name"]) or _ALIASES.get(identifier["class_name"])
        if cls is None:
            raise ValueError(f"keras.initializers.get: unknown initializer "
                             f"{identifier['class_name']!r}")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    raise ValueError(f"keras.initializers.get: could not interpret initializer {identifier!r}")


def serialize(init: Any) -> dict[str, Any]:
    if not isinstance(init, Initializer) or type(init).__name__ not in _CLASSES:
        raise ValueError(f"keras.initializers.serialize: {init!r} is not a built-in "
                         f"initializer; save the weights (save_weights) instead")
    return {"class_name": type(init).__name__, "config": init.get_config()}
