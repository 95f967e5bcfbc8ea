"""The array-or-Tensor contract of backward rules, written once.

A rule's ``ctx.inputs``, ``ctx.out`` and incoming gradient are NumPy arrays in a plain backward
and Tensors under ``create_graph=True``. Rules are written with operators and ``Op.call`` (which
dispatch on either), so the same code builds a differentiable graph when asked. Where a rule
needs the raw values (a mask, a comparison that is never differentiated), it takes them with
:func:`data`; where it must branch (a fast in-place NumPy path), it asks :func:`is_graph`.
These are the only places that know how a Tensor stores its array.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ..autograd import engine


def is_graph(x: Any) -> bool:
    """Whether ``x`` is a Tensor, i.e. the rule runs under ``create_graph`` (records ops)."""
    return isinstance(x, engine.Tensor)


def data(x: Any) -> np.ndarray:
    """The values of ``x`` (array, Tensor or scalar) as a NumPy array, outside any graph."""
    if isinstance(x, engine.Tensor):
        return x._data
    return x if type(x) is np.ndarray else np.asarray(x)


def mask_like(mask: Any, like: Any) -> np.ndarray:
    """A boolean mask as a constant array of ``like``'s float dtype (``like``: array, Tensor or
    the NumPy scalar a 0-d plain backward may produce)."""
    return data(mask).astype(data(like).dtype)


def wrap(arr: Any) -> Any:
    """A leaf Tensor around ``arr`` (no copy): for forward functions returning plain values."""
    return engine.Tensor._wrap(arr)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)`` in the operands' dtype: NumPy multiplies bfloat16 (``ml_dtypes``)
    matrices in float32 and returns float32, where PyTorch rounds that result to bfloat16."""
    r = np.matmul(a, b)
    return r if r.dtype is a.dtype or a.dtype != b.dtype else r.astype(a.dtype)


def float32_for_bfloat16(forward: Callable) -> Callable:
    """An Op's ``forward(ctx, x, ...)`` computed in float32 when ``x`` is bfloat16, rounded once
    at the end, as PyTorch's bfloat16 reductions accumulate in float32 (``ml_dtypes``' own
    reductions accumulate in bfloat16: a sum of 4096 values in [0, 1) stalls at 256)."""
    @functools.wraps(forward)
    def wrapped(ctx: Any, x: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        if x.dtype.kind == "V":  # (bfloat16: the one kind-'V' tensor dtype, _dtype.is_float_np)
            return np.asarray(forward(ctx, x.astype(np.float32), *args, **kwargs)).astype(x.dtype)
        return forward(ctx, x, *args, **kwargs)
    return wrapped


def einsum(eq: str, *arrays: np.ndarray, optimize: Any = False) -> np.ndarray:
    """``np.einsum`` that also takes bfloat16 (NumPy's einsum has no loop for it): computed in
    float32 and rounded once, as PyTorch accumulates bfloat16 products in float32."""
    if arrays[0].dtype.kind == "V":  # (bfloat16: the one kind-'V' tensor dtype)
        return np.einsum(eq, *(a.astype(np.float32) for a in arrays),
                         optimize=optimize).astype(arrays[0].dtype)
    return np.einsum(eq, *arrays, optimize=optimize)
