"""Random numbers: one global generator (seeded by ``manual_seed``) and ``Generator`` objects."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._dtype import is_float_np
from .autograd import engine, inplace

_DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed
_STATE_BYTES = 48  # get_state's size: PCG64's state, increment and buffered word


class Generator:
    """A seedable random source (NumPy's PCG64 underneath), as ``torch.Generator``."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = _DEFAULT_SEED
        self.rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Any:
        """The generator's state as a uint8 tensor (opaque: for :meth:`set_state`), as
        PyTorch's ByteTensor: PCG64's 128-bit state and increment, its buffered 32 bits."""
        s = self.rng.bit_generator.state
        raw = b"".join([s["state"]["state"].to_bytes(16, "little"),
                        s["state"]["inc"].to_bytes(16, "little"),
                        s["has_uint32"].to_bytes(8, "little"),
                        s["uinteger"].to_bytes(8, "little")])
        return engine.Tensor._wrap(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state`."""
        if not isinstance(new_state, engine.Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got "
                            f"{type(new_state).__name__}: an RNG state comes from "
                            f"get_rng_state() / Generator.get_state()")
        raw = new_state._data.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"set_rng_state: expected a state of {_STATE_BYTES} bytes (from "
                               f"get_rng_state()), got {len(raw)}")

        def word(start: int, size: int) -> int:
            return int.from_bytes(raw[start:start + size], "little")

        self.rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": word(0, 16), "inc": word(16, 16)},
            "has_uint32": word(32, 8), "uinteger": word(40, 8)}
        return self

    # thin forwards used by the creation functions and init
    def __getattr__(self, name: str) -> Any:
        return getattr(self.rng, name)


default_generator = Generator()


def _gen(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy Generator behind ``generator`` (or the global one)."""
    return (generator or default_generator).rng


def manual_seed(seed: int) -> Generator:
    """Seed the global generator: the same seed gives the same numbers on every run."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The global generator's state, a uint8 tensor (for :func:`set_rng_state`)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the global generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


# ------------------------------------------------------------------ in-place random fills


def uniform_(input: Any, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Any:
    """Fill ``input`` with U(a, b) samples, in place."""
    return inplace.overwrite(input, _gen(generator).uniform(a, b, input._data.shape),
                             "random fill")


def normal_(input: Any, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Any:
    """Fill ``input`` with N(mean, std^2) samples, in place (``mean`` and ``std`` are
    numbers, as in PyTorch)."""
    for k, (name, v) in enumerate((("mean", mean), ("std", std)), 1):
        if not (isinstance(v, (int, float)) or getattr(v, "shape", None) == ()):
            raise TypeError(f"normal_(): argument '{name}' (position {k}) must be float, not "
                            f"{type(v).__name__}")
    mean, std = float(mean), float(std)
    if std < 0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
    return inplace.overwrite(input, _gen(generator).normal(mean, std, input._data.shape),
                             "random fill")


def bernoulli_(input: Any, p: float = 0.5, generator: Any = None) -> Any:
    """Fill ``input`` with Bernoulli(p) draws (0 or 1), in place."""
    return inplace.overwrite(input, _gen(generator).random(input._data.shape) < p, "random fill")


def random_(input: Any, low: int = 0, high: int | None = None, generator: Any = None) -> Any:
    """Fill ``input`` with integers from [low, high) (``random_(n)``: [0, n)), in place."""
    if high is None:
        low, high = 0, low
    return inplace.overwrite(input, _gen(generator).integers(low, high, input._data.shape),
                             "random fill")


def _check_param(ok: bool, message: str) -> None:
    if not ok:
        raise RuntimeError(message)


def _continuous(input: Any, name: str) -> None:
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"{name}: the {name.split('_')[0]} distribution is continuous: the "
                           f"tensor's dtype must be a floating point dtype, got {input.dtype}")


def cauchy_(input: Any, median: float = 0.0, sigma: float = 1.0, generator: Any = None) -> Any:
    """Fill ``input`` with Cauchy(median, sigma) samples, in place."""
    _continuous(input, "cauchy_")
    _check_param(sigma > 0, f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    rng = _gen(generator)
    return inplace.overwrite(input, median + sigma * rng.standard_cauchy(input._data.shape),
                             "random fill")


def exponential_(input: Any, lambd: float = 1.0, generator: Any = None) -> Any:
    """Fill ``input`` with Exponential(rate ``lambd``) samples, in place."""
    _continuous(input, "exponential_")
    _check_param(lambd > 0, f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return inplace.overwrite(input, _gen(generator).exponential(1.0 / lambd, input._data.shape),
                             "random fill")


def geometric_(input: Any, p: float, generator: Any = None) -> Any:
    """Fill ``input`` with Geometric(p) samples (the trial of the first success: 1, 2, ...)."""
    _check_param(0 < p < 1, f"geometric_ expects p to be in (0, 1), but got p={p}")
    return inplace.overwrite(input, _gen(generator).geometric(p, input._data.shape),
                             "random fill")


def log_normal_(input: Any, mean: float = 1.0, std: float = 2.0, generator: Any = None) -> Any:
    """Fill ``input`` with exp(N(mean, std^2)) samples, in place."""
    _continuous(input, "log_normal_")
    _check_param(std > 0, f"log_normal_ expects std > 0.0, but found std={std}")
    return inplace.overwrite(input, _gen(generator).lognormal(mean, std, input._data.shape),
                             "random fill")
