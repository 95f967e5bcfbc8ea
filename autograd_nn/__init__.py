"""autograd_nn: a reverse-mode autodiff Tensor engine and a PyTorch-style deep-learning
framework on NumPy. ``import autograd_nn as torch`` runs PyTorch-style code."""

from __future__ import annotations

import builtins as _builtins  # `bool` here is the dtype
import importlib as _importlib
from typing import Any

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

from . import functional  # noqa: E402
from . import random as random  # noqa: E402
from ._extras import *  # noqa: E402, F403
from ._legacy import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._torch_misc import *  # noqa: E402, F403 - range, strided, set_printoptions ...
from .amp import GradScaler, autocast, is_autocast_enabled  # noqa: E402
from .functional import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    cartesian_prod,
    chain_matmul,
    meshgrid,
    tensordot,
    unravel_index,
)


def set_default_device(device: Any) -> None:
    """Accepts ``"cpu"`` (or None): the only device. Another device raises, since tensors
    could not be created there."""
    name = None if device is None else str(device).split(":")[0]
    if name not in (None, "cpu"):
        raise RuntimeError(f"set_default_device: autograd_nn computes on the CPU only "
                           f"(NumPy); got device {str(device)!r}")


def get_default_device() -> device:
    return device("cpu")


def _bfloat16() -> Any:
    """``bfloat16`` backed by ``ml_dtypes`` (a dtype object computations accept as NumPy
    does); without ``ml_dtypes`` a placeholder whose use raises, naming the extra."""
    try:
        import ml_dtypes
    except ImportError:
        return _MissingDtype("bfloat16", "ml_dtypes")
    bf16 = _dtype.dtype("bfloat16", ml_dtypes.bfloat16, 2)
    _dtype._FROM_NP.setdefault(bf16.np, bf16)  # tensors holding ml_dtypes' bfloat16 report it
    return _dtype._FROM_NP[bf16.np]


class _MissingDtype:
    """A dtype name that exists (so ``torch.bfloat16`` imports) but needs an optional package
    before any tensor can have it."""

    is_floating_point = True
    is_complex = False
    is_signed = True

    def __init__(self, name: str, package: str) -> None:
        self.name = name
        self._package = package

    @property
    def np(self) -> Any:
        raise TypeError(f"autograd_nn.{self.name} needs the {self._package} package "
                        f"(pip install {self._package}) to compute in {self.name}")

    def __repr__(self) -> str:
        return f"autograd_nn.{self.name}"


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
    if name in ("nn", "optim", "utils", "viz", "models", "cuda", "backends", "amp",
                "distributed", "profiler", "accelerator", "fft", "special", "compiler"):
        return _lazy(name)
    if name == "bfloat16":
        globals()["bfloat16"] = _bfloat16()  # built once: dtypes compare by identity
        return globals()["bfloat16"]
    if name == "BFloat16Tensor":  # its legacy constructor: only where bfloat16 is (ml_dtypes)
        bf16 = __getattr__("bfloat16")
        if isinstance(bf16, _MissingDtype):
            raise AttributeError("autograd_nn.BFloat16Tensor needs the ml_dtypes package")
        globals()[name] = _lazy("_legacy")._make(name, bf16)
        return globals()[name]
    if name == "compile":  # autograd_nn.compile (loads nn and optim: their calls are recorded)
        return _lazy("compiler").compile
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    if name == "summary":
        return _lazy("viz").summary
    raise AttributeError(f"module 'autograd_nn' has no attribute {name!r}")


del annotations
