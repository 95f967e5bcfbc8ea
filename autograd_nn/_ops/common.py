"""What the public op functions share: the Tensor type (registered with the engine, so no op
module imports ``tensor.py``), leaf wrapping, argument conversion and PyTorch's error wording."""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any, Callable

import numpy as np

from .. import _dtype
from .._dtype import is_float_np, np_kind
from ..autograd import engine

values_indices = namedtuple("values_indices", ["values", "indices"])


def is_tensor(x: Any) -> bool:
    """``autograd_nn.is_tensor``: whether ``x`` is a Tensor."""
    return isinstance(x, engine.Tensor)


def wrap(arr: Any) -> Any:
    """A leaf Tensor around ``arr`` (no copy)."""
    return engine.Tensor._wrap(arr)


def _infer_np_dtype(arr: np.ndarray, from_python: bool) -> np.dtype:
    k = np_kind(arr.dtype)
    if k == "f":
        # Python floats become the default dtype; NumPy float arrays keep theirs
        return _dtype.get_default_dtype().np if from_python else arr.dtype
    if k in "iu":
        return np.dtype(np.int64) if from_python else arr.dtype
    if k == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"tensor(): can't convert data of dtype {arr.dtype} (kind {k!r}); supported: "
                    f"bool, integer and floating point numbers")


INT64_RANGE = (-(2 ** 63), 2 ** 63)


def _check_python_ints(data: Any, arr: np.ndarray) -> None:
    """Python ints beyond int64 raise (as PyTorch), never become floats or wrap around. NumPy
    makes such data uint64, object, or (mixed with small ints) float64 holding >= 2**63."""
    k = arr.dtype.kind
    if k == "O" or k == "u" or (k == "f" and arr.size and np.abs(arr).max() >= 2.0 ** 63):
        values = _flat(data) if isinstance(data, (list, tuple)) else (data,)
        lo, hi = INT64_RANGE
        if any(type(v) is int and not lo <= v < hi for v in values):
            raise ValueError("tensor(): Overflow when unpacking long long (a Python int outside "
                             "the int64 range)")


def check_fits(arr: np.ndarray, target: np.dtype, op: str) -> None:
    """Python numbers cast to an integer type must be representable, as PyTorch checks them
    (c10's overflow rule: finite, in range; unsigned types also take negatives down to -max,
    which wrap around)."""
    if target.kind in "iu" and arr.dtype.kind in "fiu" and arr.size:
        info = np.iinfo(target)
        if is_float_np(arr.dtype) and not np.isfinite(arr).all():
            bad = True
        elif target.kind == "u":  # negatives down to -max wrap around, as in PyTorch
            bad = arr.max() > info.max or arr.min() < -int(info.max)
        else:
            bad = arr.min() < info.min or arr.max() >= info.max + 1
        if bad:
            raise RuntimeError(f"{op}: value cannot be converted to type {target.name} without "
                               f"overflow")


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` (Tensor, array, NumPy or Python number, nested sequence) as an array with
    PyTorch's dtype inference (Python floats -> default float, ints -> int64) or ``dtype``;
    Python ints beyond int64 and values that do not fit ``dtype`` raise, as in PyTorch."""
    if isinstance(data, engine.Tensor):
        arr, from_python = data._data, False
    elif isinstance(data, np.ndarray):
        arr, from_python = data, False
    elif isinstance(data, np.generic):
        arr, from_python = np.asarray(data), False
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, engine.Tensor)
                                                   for d in _flat(data)):
            data = _untensor(data)
        try:
            arr = np.asarray(data)
        except ValueError as e:
            raise ValueError(f"tensor(): expected a rectangular sequence of numbers: {e}") from None
        from_python = True
        if dtype is None or _dtype.to_dtype(dtype).np.kind not in "fc":
            _check_python_ints(data, arr)
        if arr.dtype == object:
            raise TypeError(f"tensor(): could not infer dtype of {type(data).__name__} (ragged "
                            f"nesting or non-numeric elements)")
    if dtype is not None:
        target = _dtype.to_dtype(dtype).np
        if from_python:
            check_fits(arr, target, "tensor()")
        return arr.astype(target)
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
    if isinstance(data, engine.Tensor):
        return data._data
    return data


def to_tensor(data: Any) -> Any:
    """``data`` as a Tensor: itself if it is one, else a new leaf (``autograd_nn.tensor``)."""
    if isinstance(data, engine.Tensor):
        return data
    return wrap(np.array(to_array(data), copy=True))


def as_tensor_like(x: Any, like: Any) -> Any:
    """x as a Tensor, Python numbers taking ``like``'s dtype where PyTorch would."""
    if isinstance(x, engine.Tensor):
        return x
    if isinstance(x, (int, float, bool, np.generic)):
        v = x.item() if isinstance(x, np.generic) else x
        return wrap(np.asarray(v, dtype=_dtype.promote(like._data, v)))
    return to_tensor(x)


def shape_arg(shape: tuple) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def infer_shape(shape: tuple, numel: int, op: str) -> tuple:
    """``shape`` with its one -1 resolved so that it holds ``numel`` elements."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}: invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def float_input(x: Any, dtype: Any, op: str) -> Any:
    """``x`` cast to ``dtype`` if given; an error unless it is floating point (as PyTorch)."""
    x = x if dtype is None else x.to(dtype)
    if not is_float_np(x._data.dtype):
        raise RuntimeError(f"{op}(): expected a floating point input, got {x.dtype} (pass a "
                           f"floating dtype= or call .float() first)")
    return x


def broadcast_error(opname: str, *shapes: tuple) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast (naming the first bad dimension)."""
    n = max(len(s) for s in shapes)
    for d in range(1, n + 1):
        sizes = [s[-d] for s in shapes if len(s) >= d]
        big = [z for z in sizes if z != 1]
        if len(set(big)) > 1:
            a_sz, b_sz = big[0], next(z for z in big if z != big[0])
            return RuntimeError(
                f"{opname}: The size of tensor a ({a_sz}) must match the size of tensor b "
                f"({b_sz}) at non-singleton dimension {n - d} (shapes "
                f"{', '.join(str(list(s)) for s in shapes)})")
    return RuntimeError(f"{opname}: shapes {', '.join(str(list(s)) for s in shapes)} cannot be "
                        f"broadcast together")


def check_inplace_dtype(input: Any, dtype: Any, name: str) -> None:
    """An in-place op asked for a ``dtype`` other than its tensor's raises, as PyTorch."""
    if dtype is not None and dtype.np != input._data.dtype:
        raise RuntimeError(f"{name}: Bad in-place call: input tensor dtype {input.dtype} and "
                           f"output tensor dtype {dtype} should match")


def write_result(input: Any, fn: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """``input.<name>(...)`` in place: ``fn(input, *args, **kwargs)`` written into ``input``,
    which keeps its shape and dtype (a float result into an integer tensor raises, as
    PyTorch's in-place ops). ``fn`` reads a clone: its backward may save the input, which the
    write changes."""
    result = fn(input.clone(), *args, **kwargs)
    if tuple(result.shape) != tuple(input.shape):
        raise RuntimeError(f"{name}: output with shape {list(input.shape)} doesn't match the "
                           f"broadcast shape {list(result.shape)}")
    rk, dk = np_kind(result._data.dtype), input._data.dtype.kind
    if (rk == "f" and dk in "biu") or (rk in "iu" and dk == "b"):
        raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the desired "
                           f"output type {input.dtype}")
    return input.copy_(result)


def named_as(fn: Callable, name: Any) -> Callable:
    """``fn`` whose result's ``grad_fn`` carries PyTorch's node name (``engine.name_node``):
    ``name`` a string, or ``name(args, kwargs)`` for a name that depends on the call (a number
    or a tensor operand). A tuple result names its first tensor (``values``)."""
    @functools.wraps(fn)
    def named(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        first = out[0] if isinstance(out, tuple) else out
        if isinstance(first, engine.Tensor) and first._node is not None:
            engine.name_node(first, name(args, kwargs) if callable(name) else name)
        return out

    return named


def tensor_operand(args: tuple, kwargs: dict, key: str = "other", pos: int = 1) -> bool:
    """Whether the call's ``key`` argument (position ``pos``) is a Tensor (PyTorch names the
    Tensor and Scalar overloads' nodes apart)."""
    value = kwargs[key] if key in kwargs else (args[pos] if len(args) > pos else None)
    return isinstance(value, engine.Tensor)


_STRUCTSEQS: dict = {}


def structseq(name: str, fields: tuple) -> type:
    """PyTorch's ``torch.return_types.<name>``: a named tuple (``values``, ``indices``...) that
    prints as PyTorch's does (``torch.return_types.max(\nvalues=...,\nindices=...)``); one
    class per name."""
    cls = _STRUCTSEQS.get(name)
    if cls is None:
        base = namedtuple(name, fields)

        def _repr(self: Any) -> str:
            body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
            return f"torch.return_types.{name}(\n{body})"

        cls = type(name, (base,), {"__slots__": (), "__repr__": _repr, "__str__": _repr,
                                   "__module__": "torch.return_types"})
        _STRUCTSEQS[name] = cls
    return cls


def returns(fn: Callable, name: str) -> Callable:
    """``fn`` whose named-tuple result is PyTorch's ``torch.return_types.<name>`` (same fields);
    other results (a tensor: ``max()`` without a dim) pass through."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        fields = getattr(type(out), "_fields", None)
        if fields is not None:
            return structseq(name, fields)(*out)
        return out

    return wrapper
