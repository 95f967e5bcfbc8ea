"""autograd_nn: a reverse-mode autodiff Tensor engine and a PyTorch-style deep-learning
framework on NumPy. ``import autograd_nn as torch`` runs PyTorch-style code."""

from __future__ import annotations

import builtins as _builtins  # `bool` here is the dtype
import importlib as _importlib

# The engine first: every other module sits on it (autograd's own top modules -- functional,
# gradcheck, debug -- use the ops, which import only autograd.engine).
from . import (
    _dtype,
    autograd,  # noqa: I001
)
from ._creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._dtype import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from ._linalg_top import *  # noqa: F403 - torch.det, inverse, svd ...; imports .linalg
from ._ops.common import is_tensor
from ._ops.table import functions as _op_functions
from ._search import *  # noqa: F403 - unique, histc, bincount, searchsorted, cdist ...
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .tensor import Size, Tensor, device

# every op of the op table exported as autograd_nn.<name> (exp, sum, cat, where, ...)
globals().update(_op_functions())

__version__ = "0.1.0"

from . import random as random  # noqa: E402

FloatTensor = DoubleTensor = LongTensor = Tensor  # legacy names used in isinstance checks


def get_num_threads() -> int:
    return 1


def set_num_threads(n: int) -> None:
    """Accepted for compatibility: NumPy's BLAS threads are set by OMP_NUM_THREADS."""


_deterministic = [False]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded for compatibility: every op here is deterministic already."""
    _deterministic[0] = _builtins.bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic[0]


def _lazy(name: str):
    return _importlib.import_module(f".{name}", __name__)


def __getattr__(name: str):
    # nn, optim, utils, viz, models load on first use so `import autograd_nn` stays light
    if name in ("nn", "optim", "utils", "viz", "models", "cuda", "backends", "compiler"):
        return _lazy(name)
    if name == "compile":  # autograd_nn.compile (loads nn and optim: their calls are recorded)
        return _lazy("compiler").compile
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    if name == "summary":
        return _lazy("viz").summary
    raise AttributeError(f"module 'autograd_nn' has no attribute {name!r}")


del annotations
