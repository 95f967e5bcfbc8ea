"""Top-level ``torch.*`` utilities that are not ops: dtype information and promotion queries
(``finfo``, ``iinfo``, ``promote_types``, ``result_type``, ``can_cast``), window functions,
a few creation helpers (``logspace``, ``tril_indices``, ``vander``, ``asarray``, DLPack...),
sampling (``poisson``, ``binomial``, ``randint_like``), tensor predicates and the runtime
switches scripts set (threads, warnings, matmul precision, anomaly mode)."""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any, Sequence

import numpy as np

from . import _dtype
from ._creation import arange, as_tensor, randint, tensor
from ._ops.pointwise import is_complex, is_neg, is_nonzero, is_same_size, is_signed  # noqa: F401 (the op table's, re-exported)
from .autograd import is_anomaly_enabled as _anomaly_enabled
from .autograd import set_detect_anomaly as _set_detect_anomaly
from .random import _gen
from .tensor import Tensor

__all__ = ["finfo", "iinfo", "promote_types", "result_type", "can_cast", "hann_window",
           "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "logspace",
           "scalar_tensor", "tril_indices", "triu_indices", "vander", "asarray", "frombuffer",
           "from_dlpack", "to_dlpack", "randint_like", "poisson", "binomial", "typename",
           "is_nonzero", "is_same_size", "is_signed", "is_complex", "is_neg",
           "get_num_interop_threads", "set_num_interop_threads", "init_num_threads",
           "get_num_threads", "set_num_threads",
           "set_warn_always", "is_warn_always_enabled", "get_deterministic_debug_mode",
           "set_deterministic_debug_mode", "is_deterministic_algorithms_warn_only_enabled",
           "get_float32_matmul_precision", "set_float32_matmul_precision",
           "is_anomaly_enabled", "set_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "get_autocast_dtype", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled"]


def _as_dtype(d: Any) -> _dtype.dtype:
    return _dtype.get_default_dtype() if d is None else _dtype.to_dtype(d)


class finfo:  # noqa: N801 - mirrors torch.finfo
    """Machine limits of a floating dtype: ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (=
    ``smallest_normal``), ``resolution``, ``dtype`` (its name)."""

    def __init__(self, type: Any = None) -> None:
        d = _as_dtype(type)
        if not d.is_floating_point:
            raise TypeError(f"torch.finfo() requires a floating point input type. Use "
                            f"torch.iinfo to handle '{d}'")
        fi = np.finfo(d.np)
        self.bits = int(fi.bits)
        self.eps = float(fi.eps)
        self.max = float(fi.max)
        self.min = float(fi.min)
        self.tiny = self.smallest_normal = float(fi.smallest_normal)
        self.resolution = 10.0 ** -int(fi.precision)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:  # noqa: N801 - mirrors torch.iinfo
    """Limits of an integer dtype: ``bits``, ``max``, ``min``, ``dtype`` (bool raises, as
    PyTorch's)."""

    def __init__(self, type: Any) -> None:
        d = _dtype.to_dtype(type)
        if d.is_floating_point:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo "
                            f"to handle '{d}'")
        if d is _dtype.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        ii = np.iinfo(d.np)
        self.bits, self.min, self.max = int(ii.bits), int(ii.min), int(ii.max)
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def promote_types(type1: Any, type2: Any) -> _dtype.dtype:
    """The dtype two tensors of these dtypes promote to."""
    a, b = _dtype.to_dtype(type1), _dtype.to_dtype(type2)
    return _dtype.from_numpy_dtype(_dtype.np_result_type([(a.np, False), (b.np, False)]))


def _probe(x: Any) -> Any:
    # a stand-in with x's dtype and dimensionality (0-d stays 0-d: it promotes "weakly")
    if isinstance(x, Tensor):
        return Tensor._wrap(np.zeros(() if x.dim() == 0 else (1,), x._data.dtype))
    if isinstance(x, (builtins.bool, builtins.int, builtins.float, np.number)):
        return x
    raise TypeError(f"result_type(): expected Tensor or Number arguments, got "
                    f"{type(x).__name__}")


def result_type(tensor1: Any, tensor2: Any) -> _dtype.dtype:
    """The dtype ``tensor1 op tensor2`` computes in (PyTorch's promotion, scalars weak)."""
    a, b = _probe(tensor1), _probe(tensor2)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = tensor(a)
    return (a + b).dtype if not (_is_bool(a) and _is_bool(b)) else _dtype.bool


def _is_bool(x: Any) -> builtins.bool:
    return (isinstance(x, Tensor) and x.dtype is _dtype.bool) or isinstance(x, builtins.bool)


def can_cast(from_: Any, to: Any) -> builtins.bool:
    """Whether a cast ``from_`` -> ``to`` is allowed by PyTorch's casting rules (no floating
    to integral, no non-bool to bool)."""
    a, b = _dtype.to_dtype(from_), _dtype.to_dtype(to)
    return a._category <= b._category


def _window(name: str, window_length: int, periodic: builtins.bool, dtype: Any,
            requires_grad: builtins.bool, fn: Any) -> Tensor:
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    d = _as_dtype(dtype)
    if not d.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {d}")
    if window_length <= 1:
        w = np.ones(window_length)
    else:
        n = window_length + 1 if periodic else window_length
        w = fn(n)[:window_length]
    t = Tensor._wrap(np.asarray(w).astype(d.np))
    return t.requires_grad_(True) if requires_grad else t


def _cosine_sum(coeffs: Sequence[float]) -> Any:
    def fn(n: int) -> np.ndarray:
        k = np.arange(n) * (2 * math.pi / (n - 1))
        return sum(((-1) ** i) * c * np.cos(i * k) for i, c in enumerate(coeffs))

    return fn


def hann_window(window_length: int, periodic: builtins.bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None,
                requires_grad: builtins.bool = False) -> Tensor:
    """``0.5 - 0.5 cos(2 pi n / (N - 1))`` (periodic: computed for ``N + 1``, last dropped)."""
    return _window("hann_window", window_length, periodic, dtype, requires_grad,
                   _cosine_sum([0.5, 0.5]))


def hamming_window(window_length: int, periodic: builtins.bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   _cosine_sum([alpha, beta]))


def blackman_window(window_length: int, periodic: builtins.bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: builtins.bool = False) -> Tensor:
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   _cosine_sum([0.42, 0.5, 0.08]))


def bartlett_window(window_length: int, periodic: builtins.bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: builtins.bool = False) -> Tensor:
    """The triangular window ``1 - |2n / (N - 1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda n: 1 - np.abs(2 * np.arange(n) / (n - 1) - 1))


def kaiser_window(window_length: int, periodic: builtins.bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: builtins.bool = False) -> Tensor:
    """``I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)``."""
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda n: np.kaiser(n, beta))


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: builtins.bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")
    d = _as_dtype(dtype)
    t = Tensor._wrap(np.power(float(base), np.linspace(start, end, steps)).astype(d.np))
    return t.requires_grad_(True) if requires_grad else t


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: builtins.bool = False) -> Tensor:
    """A 0-d tensor of ``s`` (the default float dtype unless ``dtype``)."""
    t = Tensor._wrap(np.asarray(s, dtype=_as_dtype(dtype).np))
    return t.requires_grad_(True) if requires_grad else t


def _tri_indices(fn: Any, row: int, col: int, offset: int, dtype: Any) -> Tensor:
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    r, c = fn(row, offset, col)
    return Tensor._wrap(np.stack([r, c]).astype(d.np).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """``(2, N)`` row and column indices of the lower triangle of a ``row x col`` matrix."""
    return _tri_indices(np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """``(2, N)`` row and column indices of the upper triangle of a ``row x col`` matrix."""
    return _tri_indices(np.triu_indices, row, col, offset, dtype)


def vander(x: Tensor, N: int | None = None, increasing: builtins.bool = False) -> Tensor:
    """The Vandermonde matrix ``(n, N)`` of a 1-D ``x``: columns ``x ** (N-1), ..., x ** 0``
    (reversed when ``increasing``); differentiable in ``x``."""
    if x.dim() != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor, got {x.dim()} dimensions")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    powers = arange(n) if increasing else arange(n - 1, -1, -1)
    if x.dtype is _dtype.bool or not x.is_floating_point():
        x = x.long()
    return x.unsqueeze(-1) ** powers.to(x.dtype)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None,
            copy: builtins.bool | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """``obj`` as a tensor, sharing memory when possible (``copy=True`` always copies,
    ``copy=False`` refuses to)."""
    if copy:
        t = tensor(obj, dtype=dtype)
    else:
        t = as_tensor(obj, dtype=dtype)
        if copy is False and isinstance(obj, np.ndarray) and t._data is not obj and \
                not np.shares_memory(t._data, obj):
            raise ValueError("asarray: copy=False but a copy is needed (dtype change)")
    return t.requires_grad_(True) if requires_grad else t


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0,
               requires_grad: builtins.bool = False) -> Tensor:
    """A 1-D tensor over a Python buffer (shares its memory)."""
    arr = np.frombuffer(buffer, dtype=_dtype.to_dtype(dtype).np, count=count, offset=offset)
    t = Tensor._wrap(arr)
    return t.requires_grad_(True) if requires_grad else t


class _Capsule:
    """A bare DLPack capsule (``to_dlpack``'s) as the exporter NumPy's from_dlpack reads (the
    capsule names its device; NumPy refuses any but the CPU)."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple:
        return (1, 0)  # kDLCPU


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with any DLPack-exporting array (NumPy, PyTorch CPU...) or a
    DLPack capsule (``to_dlpack``'s, consumed once)."""
    if type(ext_tensor).__name__ == "PyCapsule":
        ext_tensor = _Capsule(ext_tensor)
    return Tensor._wrap(np.from_dlpack(ext_tensor))


def to_dlpack(t: Tensor) -> Any:
    """A DLPack capsule of ``t``'s memory."""
    return t._data.__dlpack__()


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,
                 generator: Any = None, device: Any = None,
                 requires_grad: builtins.bool = False) -> Tensor:
    """``randint(low, high, input.shape)`` in ``input``'s dtype (``randint_like(x, high)``
    too)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), generator=generator,
                   dtype=dtype if dtype is not None else input.dtype)


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Poisson samples with rates ``input`` (same shape and dtype)."""
    if (input._data < 0).any():
        raise RuntimeError("poisson: the rates in input must be non-negative")
    return Tensor._wrap(_gen(generator).poisson(input._data).astype(input._data.dtype))


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Binomial samples with ``count`` trials of success probability ``prob``."""
    c = np.broadcast_to(count._data, np.broadcast_shapes(count.shape, prob.shape))
    out = _gen(generator).binomial(c.astype(np.int64), prob._data)
    return Tensor._wrap(out.astype(count._data.dtype))


def typename(obj: Any) -> str:
    """``'torch.FloatTensor'`` for a float32 tensor, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type().replace("autograd_nn.", "torch.")
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


_flags: dict = {"threads": 1, "interop_threads": 1, "warn_always": False, "deterministic_debug": 0,
                "matmul_precision": "highest", "anomaly_check_nan": True}


def get_num_threads() -> int:
    """The number last given to :func:`set_num_threads` (1 until then)."""
    return _flags["threads"]


def set_num_threads(n: int) -> None:
    """Recorded for compatibility (NumPy's BLAS threads are set by OMP_NUM_THREADS); ``n``
    must be positive, as PyTorch's."""
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _flags["threads"] = int(n)


def get_num_interop_threads() -> int:
    return _flags["interop_threads"]


def set_num_interop_threads(n: int) -> None:
    """Recorded only: operations here run on the calling thread."""
    if n <= 0:
        raise RuntimeError("Expected positive number of threads")
    _flags["interop_threads"] = int(n)


def init_num_threads() -> None:
    """Nothing to initialise (NumPy's BLAS threads follow OMP_NUM_THREADS)."""


def set_warn_always(b: builtins.bool) -> None:
    _flags["warn_always"] = builtins.bool(b)


def is_warn_always_enabled() -> builtins.bool:
    return _flags["warn_always"]


_deterministic = [False]


def use_deterministic_algorithms(mode: builtins.bool, *, warn_only: builtins.bool = False
                                 ) -> None:
    """Recorded for compatibility: every op here is deterministic already."""
    _deterministic[0] = builtins.bool(mode)


def are_deterministic_algorithms_enabled() -> builtins.bool:
    return _deterministic[0]


def set_deterministic_debug_mode(debug_mode: int | str) -> None:
    """Recorded: every op here is deterministic already (``"default"``/0, ``"warn"``/1,
    ``"error"``/2)."""
    names = {"default": 0, "warn": 1, "error": 2}
    mode = names.get(debug_mode, debug_mode) if isinstance(debug_mode, str) else debug_mode
    if mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected one of 0, 1, 2 or "
                           f"\"default\", \"warn\", \"error\", but got {debug_mode!r}")
    _flags["deterministic_debug"] = mode
    use_deterministic_algorithms(mode != 0, warn_only=mode == 1)


def get_deterministic_debug_mode() -> int:
    return _flags["deterministic_debug"]


def is_deterministic_algorithms_warn_only_enabled() -> builtins.bool:
    return _flags["deterministic_debug"] == 1


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded: NumPy's float32 matmul is always full precision. Another value warns and
    changes nothing, as PyTorch."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"set_float32_matmul_precision call has no effect.", stacklevel=2)
        return
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _flags["matmul_precision"]


def is_anomaly_enabled() -> builtins.bool:
    return _anomaly_enabled()


def set_anomaly_enabled(enabled: builtins.bool, check_nan: builtins.bool = True) -> None:
    """Switch anomaly detection on or off (``torch.autograd.set_detect_anomaly``)."""
    _set_detect_anomaly(enabled)
    _flags["anomaly_check_nan"] = builtins.bool(check_nan)


def is_anomaly_check_nan_enabled() -> builtins.bool:
    return _flags["anomaly_check_nan"]


def get_autocast_dtype(device_type: str) -> _dtype.dtype:
    """The dtype ``autocast`` would cast to on ``device_type`` (float16 on GPUs, bfloat16 on
    the CPU), as PyTorch reports it; autocast casts nothing here."""
    if device_type == "cpu":
        return _dtype.get_bfloat16()
    return _dtype.float16
