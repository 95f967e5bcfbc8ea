"""Tensor creation functions (``tensor``, ``zeros``, ``randn`` ...) with PyTorch's dtype rules."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import _dtype
from ._dtype import is_float_np
from ._ops.common import INT64_RANGE as _INT64_RANGE
from ._ops.common import check_fits as _check_fits
from ._ops.common import shape_arg as _shape_arg
from ._ops.common import to_array as _to_array
from .random import Generator, _gen
from .tensor import Tensor


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
           ) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Python floats become float32 (the default dtype), Python ints int64, bools bool; NumPy arrays
    keep their dtype (float64 stays float64).
    """
    arr = np.array(_to_array(data, dtype), copy=True)
    return Tensor._wrap(arr).requires_grad_(requires_grad) if requires_grad else Tensor._wrap(arr)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or Tensor) when no cast is needed."""
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_dtype(dtype) == data.dtype):
        return data
    return Tensor._wrap(_to_array(data, dtype))


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr`` (its dtype kept)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(arr).__name__})")
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._wrap(arr)


def _check_shape(shape: tuple, name: str) -> None:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"{name}(): Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")


def _make(shape: tuple, dtype: Any, fill: Any, requires_grad: bool, name: str) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    shape = _shape_arg(shape)
    _check_shape(shape, name)
    if fill is not None and not (type(fill) is int and 0 <= fill <= 1):  # zeros/ones: fast
        value = np.asarray(fill._data if isinstance(fill, Tensor) else fill)
        _check_fits(value, np.dtype(d), "full()")
        fill = value.astype(d)  # unsigned types wrap around, floats truncate, as in PyTorch
    arr = np.empty(shape, d) if fill is None else np.full(shape, fill, d)
    t = Tensor._wrap(arr)
    return t.requires_grad_(True) if requires_grad else t


def _sizes(size: tuple, kw: dict, name: str) -> tuple:
    """The shape given positionally or as PyTorch's ``size=`` keyword (never both)."""
    if kw:
        if set(kw) != {"size"}:
            bad = next(k for k in kw if k != "size")
            raise TypeError(f"{name}() got an unexpected keyword argument '{bad}'")
        if size:
            raise TypeError(f"{name}() received the size both positionally and as size=")
        return (kw["size"],)
    return size


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    return _make(_sizes(size, kw, "zeros"), dtype, 0, requires_grad, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **kw: Any) -> Tensor:
    return _make(_sizes(size, kw, "ones"), dtype, 1, requires_grad, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    return _make(_sizes(size, kw, "empty"), dtype, None, requires_grad, "empty")


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``fill_value``; the dtype follows the value's type unless given."""
    lo, hi = _INT64_RANGE
    if type(fill_value) is int and not lo <= fill_value < hi:  # beyond int64: as PyTorch
        if fill_value >= 2 ** 64 or fill_value < lo:  # not even a uint64
            raise OverflowError(f"full(): fill value {fill_value} is too big to convert")
        kind = "i" if dtype is None else _dtype.to_dtype(dtype).np.kind
        if kind in "iu":
            name = "int64" if dtype is None else _dtype.to_dtype(dtype).np.name
            raise RuntimeError(f"full(): value cannot be converted to type {name} without "
                               f"overflow")
    if dtype is None:
        with np.errstate(over="ignore"):  # a float beyond float32: the check below raises
            dtype = _to_array(fill_value, None).dtype
    if (type(fill_value) is float and math.isfinite(fill_value)
            and abs(fill_value) > _FLOAT32_MAX and _dtype.to_dtype(dtype).np == np.float32):
        raise RuntimeError("full(): value cannot be converted to type float without overflow")
    return _make(tuple(size) if not isinstance(size, int) else (size,), dtype, fill_value,
                 requires_grad, "full")


_FLOAT32_MAX = float(np.finfo(np.float32).max)  # PyTorch checks float32 (not float16) fills


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {v}")
    t = Tensor._wrap(np.eye(n, m, dtype=d))
    return t.requires_grad_(True) if requires_grad else t


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values in [start, end) by ``step``: int64 for integer arguments, else the default float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    for truncated in (False, True):  # the sign check sees the bounds before and after truncation
        if truncated:
            if dtype is None or _dtype.to_dtype(dtype).np.kind not in "biu":
                break
            vals = [int(v) for v in vals]  # torch truncates bounds and step to the integer type
        lo, hi, by = vals
        if by == 0:
            raise RuntimeError("arange: step must be nonzero")
        if (by > 0 and lo > hi) or (by < 0 and lo < hi):  # torch raises rather than return []
            raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step "
                               f"sign (start={lo}, end={hi}, step={by})")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in vals)
        d = np.int64 if is_int else _dtype.get_default_dtype().np
    else:
        d = _dtype.to_dtype(dtype).np
    t = Tensor._wrap(np.arange(*vals, dtype=np.float64 if is_float_np(np.dtype(d)) else None
                               ).astype(d))
    return t.requires_grad_(True) if requires_grad else t


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    d = np.dtype(d)
    if is_float_np(d) and steps > 1:
        # PyTorch's kernel, in the target dtype: start + step * i for the first half, end -
        # step * (steps - 1 - i) for the second (so float32 results round as PyTorch's do)
        lo, hi = d.type(start), d.type(end)
        step = (hi - lo) / d.type(steps - 1)
        i = np.arange(steps, dtype=d)
        half = steps // 2
        out = np.where(np.arange(steps) < half, lo + step * i,
                       hi - step * (d.type(steps - 1) - i)).astype(d)
    else:
        out = np.linspace(start, end, steps, dtype=np.float64).astype(d)
    t = Tensor._wrap(out)
    return t.requires_grad_(True) if requires_grad else t


def _like(x: Tensor, dtype: Any) -> tuple:
    return x.shape, (dtype if dtype is not None else x.dtype)


def zeros_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    return _make(*_like(x, dtype), 0, requires_grad, "zeros_like")


def ones_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              **_: Any) -> Tensor:
    return _make(*_like(x, dtype), 1, requires_grad, "ones_like")


def empty_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    return _make(*_like(x, dtype), None, requires_grad, "empty_like")


def full_like(x: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    return _make(*_like(x, dtype), fill_value, requires_grad, "full_like")


def _random(size: tuple, dtype: Any, requires_grad: bool, sample: Any, name: str) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    if not is_float_np(np.dtype(d)):
        raise RuntimeError(f"expected a floating point dtype for random floats, got {dtype}")
    shape = _shape_arg(size)
    _check_shape(shape, name)
    t = Tensor._wrap(np.asarray(sample(shape)).astype(d, copy=False))
    return t.requires_grad_(True) if requires_grad else t


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, **kw: Any) -> Tensor:
    """Uniform samples in [0, 1); the shape as ``rand(2, 3)``, ``rand((2, 3))`` or
    ``rand(size=(2, 3))``."""
    return _random(_sizes(size, kw, "rand"), dtype, requires_grad,
                   lambda s: _gen(generator).random(s), "rand")


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, **kw: Any) -> Tensor:
    """Standard normal samples; the shape as ``randn(2, 3)``, ``randn((2, 3))`` or
    ``randn(size=(2, 3))``."""
    return _random(_sizes(size, kw, "randn"), dtype, requires_grad,
                   lambda s: _gen(generator).standard_normal(s), "randn")


def rand_like(x: Tensor, dtype: Any = None, **kw: Any) -> Tensor:
    return rand(*x.shape, dtype=dtype or x.dtype, **kw)


def randn_like(x: Tensor, dtype: Any = None, **kw: Any) -> Tensor:
    return randn(*x.shape, dtype=dtype or x.dtype, **kw)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), *,
            generator: Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high), int64 by default; ``randint(high, size)`` too."""
    if isinstance(high, (tuple, list)):  # randint(high, size), as PyTorch's overload
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    d = _dtype.to_dtype(dtype).np if dtype is not None else np.int64
    _check_shape(tuple(size), "randint")
    return Tensor._wrap(_gen(generator).integers(low, high, tuple(size)).astype(d))


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    d = _dtype.to_dtype(dtype).np if dtype is not None else np.int64
    _check_shape((n,), "randperm")
    return Tensor._wrap(_gen(generator).permutation(n).astype(d))


def normal(mean: Any, std: Any, size: Sequence[int] | None = None, *,
           generator: Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given mean and std (numbers with ``size``, or tensors)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    # (written as "not >=": a NaN std is refused too, as in PyTorch)
    if isinstance(std, Tensor):
        if not np.all(s >= 0):
            raise RuntimeError("normal(): expects all elements of std >= 0.0")
    elif not s >= 0:
        raise RuntimeError(f"normal(): expects std >= 0.0, but found std {s}")
    s = np.abs(s)  # -0.0 is a valid std (PyTorch: >= 0), which NumPy refuses by its sign bit
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    tensors = [t._data for t in (mean, std) if isinstance(t, Tensor)]
    if dtype is not None:
        d = _dtype.to_dtype(dtype).np
    elif tensors:  # a tensor mean's dtype, else a tensor std's, as PyTorch's
        d = tensors[0].dtype
    else:
        d = _dtype.get_default_dtype().np
    t = Tensor._wrap(_gen(generator).normal(m, s, shape).astype(d))
    return t.requires_grad_(True) if requires_grad else t


def bernoulli(input: Tensor, p: float | None = None, *,
              generator: Generator | None = None) -> Tensor:
    """1 with probability ``input`` (elementwise, in [0, 1]), else 0, in ``input``'s dtype;
    with a number ``p``: that probability everywhere (``input`` gives shape and dtype)."""
    if p is None:
        if not is_float_np(input._data.dtype):
            raise RuntimeError(f"bernoulli(): expected a floating point tensor of "
                               f"probabilities, got {input.dtype}")
        probs = input._data
    else:
        probs = np.asarray(p, dtype=np.float64)
    if not ((probs >= 0) & (probs <= 1)).all():  # NaN fails both comparisons
        raise RuntimeError("bernoulli(): expected every probability p to satisfy 0 <= p <= 1")
    draws = _gen(generator).random(input.shape) < probs
    return Tensor._wrap(draws.astype(input._data.dtype))


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> Tensor:
    """``num_samples`` category indices per row of ``probs`` ((C,) or (N, C) non-negative
    weights, not necessarily summing to 1), with or without replacement; int64."""
    p = probs._data.astype(np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got {p.ndim}-D")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample n_sample <= 0 samples "
                           f"(got {num_samples})")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(f"multinomial(): cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {p.shape[-1]})")
    if not (np.isfinite(p).all() and (p >= 0).all()):
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if (p.sum(axis=-1) <= 0).any():
        raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    rng = _gen(generator)

    def one(row: np.ndarray) -> np.ndarray:
        if replacement:
            return rng.choice(len(row), size=num_samples, replace=True, p=row / row.sum())
        # Without replacement: the k smallest exponential races E/p (zero weights come last, in
        # index order, once the others are used up, as PyTorch's do).
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=len(row)) / row
        return np.argsort(keys, kind="stable")[:num_samples]

    if p.ndim == 1:
        return Tensor._wrap(one(p).astype(np.int64))
    return Tensor._wrap(np.stack([one(r) for r in p]).astype(np.int64))
