"""Tensor creation functions (``tensor``, ``zeros``, ``randn`` ...) with PyTorch's dtype rules."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _dtype
from .random import Generator, _gen
from .tensor import Tensor, _shape_arg


def _infer_np_dtype(arr: np.ndarray, from_python: bool) -> np.dtype:
    k = arr.dtype.kind
    if k == "f":
        # Python floats become the default dtype; NumPy float arrays keep theirs
        return _dtype.get_default_dtype().np if from_python else arr.dtype
    if k in "iu":
        return np.dtype(np.int64) if from_python else arr.dtype
    if k == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"tensor(): can't convert data of dtype {arr.dtype} (kind {k!r}); supported: "
                    f"bool, integer and floating point numbers")


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    if isinstance(data, Tensor):
        arr, from_python = data._data, False
    elif isinstance(data, np.ndarray):
        arr, from_python = data, False
    elif isinstance(data, np.generic):
        arr, from_python = np.asarray(data), False
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
            data = _untensor(data)
        try:
            arr = np.asarray(data)
        except ValueError as e:
            raise ValueError(f"tensor(): expected a rectangular sequence of numbers: {e}") from None
        from_python = True
        if arr.dtype == object:
            raise TypeError(f"tensor(): could not infer dtype of {type(data).__name__} (ragged "
                            f"nesting or non-numeric elements)")
    if dtype is not None:
        return arr.astype(_dtype.to_dtype(dtype).np)
    target = _infer_np_dtype(arr, from_python)
    return arr if arr.dtype == target else arr.astype(target)


def _flat(data: Any):
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


def _untensor(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    if isinstance(data, Tensor):
        return data._data
    return data


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


def _make(shape: tuple, dtype: Any, fill: Any, requires_grad: bool) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    shape = _shape_arg(shape)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    arr = np.empty(shape, d) if fill is None else np.full(shape, fill, d)
    t = Tensor._wrap(arr)
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    return _make(size, dtype, 0, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
         ) -> Tensor:
    return _make(size, dtype, 1, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    return _make(size, dtype, None, requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``fill_value``; the dtype follows the value's type unless given."""
    if dtype is None:
        dtype = _to_array(fill_value, None).dtype
    return _make(tuple(size) if not isinstance(size, int) else (size,), dtype, fill_value,
                 requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    t = Tensor._wrap(np.eye(n, m, dtype=d))
    return t.requires_grad_(True) if requires_grad else t


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values in [start, end) by ``step``: int64 for integer arguments, else the default float."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is not None and _dtype.to_dtype(dtype).np.kind in "biu":
        vals = [int(v) for v in vals]  # torch truncates the bounds and step to the integer type
    lo, hi, by = vals
    if by == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (by > 0 and lo > hi) or (by < 0 and lo < hi):  # torch raises rather than return []
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={lo}, end={hi}, step={by})")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in vals)
        d = np.int64 if is_int else _dtype.get_default_dtype().np
    else:
        d = _dtype.to_dtype(dtype).np
    t = Tensor._wrap(np.arange(*vals, dtype=np.float64 if np.dtype(d).kind == "f" else None
                               ).astype(d))
    return t.requires_grad_(True) if requires_grad else t


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    t = Tensor._wrap(np.linspace(start, end, steps, dtype=np.float64).astype(d))
    return t.requires_grad_(True) if requires_grad else t


def _like(x: Tensor, dtype: Any) -> tuple:
    return x.shape, (dtype if dtype is not None else x.dtype)


def zeros_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    return _make(*_like(x, dtype), 0, requires_grad)


def ones_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              **_: Any) -> Tensor:
    return _make(*_like(x, dtype), 1, requires_grad)


def empty_like(x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    return _make(*_like(x, dtype), None, requires_grad)


def full_like(x: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    return _make(*_like(x, dtype), fill_value, requires_grad)


def _random(size: tuple, dtype: Any, requires_grad: bool, sample: Any) -> Tensor:
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    if np.dtype(d).kind != "f":
        raise RuntimeError(f"expected a floating point dtype for random floats, got {dtype}")
    shape = _shape_arg(size)
    t = Tensor._wrap(np.asarray(sample(shape)).astype(d, copy=False))
    return t.requires_grad_(True) if requires_grad else t


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    return _random(size, dtype, requires_grad, lambda s: _gen(generator).random(s))


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    return _random(size, dtype, requires_grad, lambda s: _gen(generator).standard_normal(s))


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
    return Tensor._wrap(_gen(generator).integers(low, high, tuple(size)).astype(d))


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    d = _dtype.to_dtype(dtype).np if dtype is not None else np.int64
    return Tensor._wrap(_gen(generator).permutation(n).astype(d))


def normal(mean: Any, std: Any, size: Sequence[int] | None = None, *,
           generator: Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given mean and std (numbers with ``size``, or tensors)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
    t = Tensor._wrap(_gen(generator).normal(m, s, shape).astype(d))
    return t.requires_grad_(True) if requires_grad else t


def bernoulli(p: Tensor, generator: Generator | None = None) -> Tensor:
    return Tensor._wrap((_gen(generator).random(p.shape) < p._data).astype(p._data.dtype))


def multinomial(probs: Tensor, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> Tensor:
    p = probs._data.astype(np.float64)
    rng = _gen(generator)

    def one(row: np.ndarray) -> np.ndarray:
        return rng.choice(len(row), size=num_samples, replace=replacement, p=row / row.sum())

    if p.ndim == 1:
        return Tensor._wrap(one(p).astype(np.int64))
    return Tensor._wrap(np.stack([one(r) for r in p]).astype(np.int64))
