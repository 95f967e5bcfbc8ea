"""Sample inputs for the name-by-name PyTorch parity test (``test_api_parity.py``), OpInfo-style.

Each ``tests/parity/samples_<area>.py`` defines ``SAMPLES``: a dict from a PyTorch name to a list
of :class:`S` calls. Names are dotted under ``torch``: ``"fmod"`` is ``torch.fmod``,
``"Tensor.fmod_"`` the method (called on the first argument), ``"special.erfcx"``,
``"nn.functional.celu"``. The runner builds every argument for both libraries from the same
NumPy values, calls ``torch.<name>`` and ``autograd_nn.<name>``, and compares:

- the outputs (values, dtype, shape; tuples, lists and named tuples element by element);
- for in-place names (ending in ``_``) and ``out=`` samples, the written tensor too;
- the gradients of ``sum(output * w)`` with respect to every float input marked ``grad``, when
  PyTorch's output requires grad (and that ours does exactly when PyTorch's does);
- with ``raises=True``: that both libraries raise (PyTorch raises there, so must we).

Argument specs::

    A(3, 4)                          # float64 in (-2, 2), requires grad
    A(3, 4, domain="pos")            # (0.5, 2); "away0", "unit", "int" (small ints as float)
    A(3, dtype="float32", grad=False)
    I(3, 4, low=0, high=5)           # int64 in [low, high)
    B(3, 4)                          # bool
    V(np.array([...]))               # exactly these values (dtype kept), no grad
    [A(2), A(3)]                     # a list of tensors (cat-like arguments)

Values are drawn from a generator seeded by the name and sample index, so every run (and both
libraries) sees the same numbers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class A:
    """A float tensor argument of the given shape."""

    shape: tuple
    dtype: str = "float64"
    domain: str = "any"
    grad: bool = True

    def __init__(self, *shape: int, dtype: str = "float64", domain: str = "any",
                 grad: bool = True) -> None:
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "dtype", dtype)
        object.__setattr__(self, "domain", domain)
        object.__setattr__(self, "grad", grad)

    def values(self, rng: np.random.Generator) -> np.ndarray:
        s = self.shape
        if self.domain == "any":
            x = rng.uniform(-2, 2, s)
        elif self.domain == "pos":
            x = rng.uniform(0.5, 2, s)
        elif self.domain == "away0":
            x = rng.choice([-1.0, 1.0], s) * rng.uniform(0.2, 2, s)
        elif self.domain == "unit":
            x = rng.uniform(-0.9, 0.9, s)
        elif self.domain == "int":
            x = rng.integers(-4, 5, s).astype(np.float64)
        else:
            raise ValueError(f"unknown domain {self.domain!r}")
        return np.asarray(x, dtype=self.dtype)


@dataclass(frozen=True)
class I:  # noqa: E742 (the spec's one-letter name reads as its dtype)
    """An int64 tensor argument with values in [low, high)."""

    shape: tuple
    low: int = 0
    high: int = 5
    dtype: str = "int64"

    def __init__(self, *shape: int, low: int = 0, high: int = 5, dtype: str = "int64") -> None:
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "dtype", dtype)

    def values(self, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(self.low, self.high, self.shape).astype(self.dtype)

    grad = False


@dataclass(frozen=True)
class B:
    """A bool tensor argument."""

    shape: tuple

    def __init__(self, *shape: int) -> None:
        object.__setattr__(self, "shape", tuple(shape))

    def values(self, rng: np.random.Generator) -> np.ndarray:
        return rng.random(self.shape) < 0.5

    grad = False


@dataclass(frozen=True)
class V:
    """A tensor argument with exactly these values (dtype kept; float64 ones may take grad)."""

    array: Any
    grad: bool = False

    def values(self, rng: np.random.Generator) -> np.ndarray:
        return np.array(self.array)


SPECS = (A, I, B, V)


@dataclass
class S:
    """One call: positional and keyword arguments (specs, scalars, lists, tuples, dtypes by
    name as ``"dtype:float32"``), ``raises=True`` when PyTorch raises (then we must), ``out``:
    a spec for an ``out=`` tensor, ``rtol``/``atol`` for the value comparison, ``grad``: False
    to skip the gradient comparison, ``check``: a function ``(ours, theirs) -> None`` used
    instead of the value comparisons, of the result and of a written tensor (random or
    order-free results)."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    raises: bool = False
    out: Any = None
    rtol: float = 1e-7
    atol: float = 1e-9
    grad: bool = True
    check: Callable | None = None

    def __init__(self, *args: Any, raises: bool = False, out: Any = None, rtol: float = 1e-7,
                 atol: float = 1e-9, grad: bool = True, check: Callable | None = None,
                 **kwargs: Any) -> None:
        self.args, self.kwargs, self.raises, self.out = args, kwargs, raises, out
        self.rtol, self.atol, self.grad, self.check = rtol, atol, grad, check


def rng_for(name: str, index: int) -> np.random.Generator:
    """The generator of sample ``index`` of ``name`` (stable across runs and machines)."""
    return np.random.default_rng([zlib.crc32(name.encode()), index])
