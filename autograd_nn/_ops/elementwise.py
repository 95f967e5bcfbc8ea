"""Elementwise ops: arithmetic, math functions and activations.

Each op's forward (NumPy) and backward (operators and ``Op.call``s, so it works on arrays and,
under ``create_graph``, on Tensors) sit side by side. Broadcasting is undone by the engine.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import _dtype
from .._dtype import is_float_np, promote
from ..autograd import engine, inplace
from ..autograd.engine import Op, apply1, apply2, plain
from . import xp
from .common import as_tensor_like, broadcast_error, check_fits, named_as, to_tensor, wrap
from .special_math import erf

# ---------------------------------------------------------------------------------- arithmetic


class Add(Op):
    grad_fn_name = "AddBackward0"
    elementwise = True
    saved_inputs = ()

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


def add_(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """In-place ``input += alpha * other`` (unrecorded: one NumPy add, no Op)."""
    if inplace.records(input, other):
        return inplace.apply(input, Add, other * alpha if alpha != 1 else other)
    inplace.check_writable(input, "add_")
    o = xp.data(other) if xp.is_graph(other) else other
    inplace.write(input, input._data + (o * alpha if alpha != 1 else o), "add_")
    return input


def addcmul_(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """In-place ``input += value * tensor1 * tensor2``."""
    if type(value) is float and input._data.dtype.kind in "biu":
        value = int(value)  # PyTorch converts the multiplier to the integer dtype (truncating)
    before = input._node
    return inplace.name_write(add_(input, tensor1 * tensor2 * value if value != 1 else
                                   tensor1 * tensor2), "AddcmulBackward0", before)


def no_integer_addcdiv(tensor1: Any, tensor2: Any) -> None:
    """PyTorch refuses addcdiv of two integer tensors (once floor division, now an error)."""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported: use "
                           "addcmul(input, tensor1, 1 / tensor2) or div(..., rounding_mode=...)")


def addcdiv_(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """In-place ``input += value * tensor1 / tensor2``."""
    no_integer_addcdiv(tensor1, tensor2)
    before = input._node
    return inplace.name_write(add_(input, tensor1 / tensor2 * value if value != 1 else
                                   tensor1 / tensor2), "AddcdivBackward0", before)


def binary(op: type, a: Any, b: Any, reverse: bool = False, true_div: bool = False) -> Any:
    """``op(a, b)`` (``op(b, a)`` with ``reverse``) for Tensor ``a`` and a Tensor, number or
    array ``b``, after PyTorch's type promotion (``_dtype.promote``); ``true_div`` computes an
    integer result in the default float dtype. The path of every arithmetic operator; ``op``
    is a plain one (``engine.plain``: applied through ``engine.apply2``)."""
    da = a._data.dtype
    if isinstance(b, engine.Tensor):
        db = b._data.dtype
        if (da is not db and da != db) or (true_div and da.kind != "f"):
            target = promote(a._data, b._data, floating=true_div)
            a, b = cast(a, target), cast(b, target)
    elif type(b) is float or type(b) is int or type(b) is bool:
        if da.kind != "f":
            a = cast(a, promote(a._data, b, floating=true_div))
    elif isinstance(b, np.generic):
        return binary(op, a, b.item(), reverse, true_div)
    elif isinstance(b, (np.ndarray, list, tuple)):
        return binary(op, a, to_tensor(b), reverse, true_div)
    else:
        return NotImplemented
    try:
        if reverse:
            out = apply2(op, b, a)
            name = _REVERSED_NAMES.get(op)
            return out if name is None else engine.name_node(out, name)
        if op is Pow and isinstance(b, engine.Tensor):
            return engine.name_node(apply2(op, a, b), "PowBackward1")  # pow(Tensor, Tensor)
        return apply2(op, a, b)
    except ValueError as e:
        x, y = (b, a) if reverse else (a, b)
        if op is Pow and "negative integer powers" in str(e):
            raise RuntimeError("Integers to negative integer powers are not allowed.") from None
        raise broadcast_error(op.__name__.lower(), x.shape, getattr(y, "shape", ())) from None


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input + alpha * other`` (broadcasting, PyTorch's promotion)."""
    return input + (other * alpha if alpha != 1 else other)


class Sub(Op):
    grad_fn_name = "SubBackward0"
    elementwise = True
    saved_inputs = ()

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


def sub_(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """In-place ``input -= alpha * other``."""
    before = input._node
    return inplace.name_write(add_(input, other, alpha=-alpha), "SubBackward0", before)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``input - alpha * other``."""
    return input - (other * alpha if alpha != 1 else other)


def no_bool_sub(a: Any, b: Any) -> None:
    """PyTorch refuses ``-`` on bool tensors."""
    if a._data.dtype.kind == "b" or type(b) is bool or (
            isinstance(b, engine.Tensor) and b._data.dtype.kind == "b"):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


class Mul(Op):
    grad_fn_name = "MulBackward0"
    elementwise = True
    grad_reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


def mul(input: Any, other: Any) -> Any:
    """``input * other``."""
    return input * other


class Div(Op):
    """``a / b``, or with ``rounding_mode`` ('floor', 'trunc') the rounded quotient of the
    promoted float operands, which PyTorch records (DivBackward) with a zero gradient."""
    elementwise = True
    grad_reads = ((1,), (0, 1))

    @classmethod
    def node_name(cls, node: Any) -> str:
        return "DivBackward2" if getattr(node, "params", None) else "DivBackward0"  # rounded

    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        if rounding_mode is None:
            return a / b
        return _ROUNDING[rounding_mode](a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if ctx.params:  # rounded: piecewise constant
            return (g * 0 if need_a else None), (g * 0 if need_b else None)
        ga = g / b if need_a else None
        gb = -g * a / (b * b) if need_b else None
        return ga, gb


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
    """``input / other`` (true division), or rounded: ``rounding_mode`` 'floor' or 'trunc'
    (PyTorch's promotion, an error for integer division by zero; a float result that needs
    grad is recorded with a zero gradient, as PyTorch)."""
    if rounding_mode is None:
        return input / other
    fn = _ROUNDING.get(rounding_mode)
    if fn is None:
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                         f"'floor' but found {rounding_mode!r}")
    out = rounding_divide(input, other, fn)  # values, promotion and integer errors
    if not inplace.records(input, other):  # (grad mode on and an input needs grad)
        return out
    # an input needs grad, so it is float and so is the result: record it on the promoted
    # operands (the same values again)
    t = out._data.dtype
    b = cast(other, t) if isinstance(other, engine.Tensor) else np.asarray(other, t)
    return Div.apply(cast(input, t), b, rounding_mode=rounding_mode)


def rounding_divide(x: Any, other: Any, fn: Callable, reverse: bool = False) -> Any:
    """``//``, ``%`` and rounding division: PyTorch's type promotion (int64 // 2.5 is
    float32, not NumPy's float64) and its error for integer division by zero."""
    a = x._data
    if isinstance(other, np.generic):
        other = other.item()
    if isinstance(other, engine.Tensor):
        b = other._data
    elif isinstance(other, (int, float)):
        b = other
    else:
        return rounding_divide(x, to_tensor(other), fn, reverse)
    t = promote(a, b)
    a = a.astype(t, copy=False)
    if not isinstance(b, np.ndarray):  # a number: -1 for a uint8 tensor is 255, as PyTorch
        check_fits(np.asarray(b), t, fn.__name__)
    b = np.asarray(b).astype(t, copy=False)
    if t.kind in "iub" and not (a if reverse else b).all():
        raise RuntimeError(f"ZeroDivisionError: integer {fn.__name__} by zero")
    with np.errstate(divide="ignore", invalid="ignore"):  # float x // 0: inf/nan, as torch
        r = fn(b, a) if reverse else fn(a, b)
    return wrap(np.asarray(r, dtype=t))


def _trunc_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iub":  # exact for integers: floor toward zero without floats
        q = np.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    return np.trunc(a / b)


_ROUNDING = {"floor": np.floor_divide, "trunc": _trunc_divide}


def no_bool_kernel(a: Any, b: Any, kernel: str) -> None:
    """PyTorch has no bool-by-bool-tensor kernel for **, // and %."""
    if a._data.dtype.kind == "b" and isinstance(b, engine.Tensor) and b._data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


class Pow(Op):
    """a ** b for tensor a and tensor-or-constant b. Poles and roots of negatives give inf/nan
    silently, as in PyTorch."""

    grad_fn_name = "PowBackward0"  # x ** number; ``binary`` names the other overloads

    @staticmethod
    def forward(ctx, a, b):
        if _whole_nonneg(b):  # x ** 2 and friends: nothing to warn about
            return a ** b
        with np.errstate(divide="ignore", invalid="ignore"):
            return a ** b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if need_a and not need_b and np.ndim(b) == 0 and not xp.is_graph(b):
            b = float(b)  # the common x ** c: a plain power rule
            if b == 0:
                return g * 0, None
            if _whole_nonneg(b):
                return g * b * a ** (b - 1), None
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = gb = None
            if need_a:
                # b * a^(b-1), written so that b == 0 gives exactly 0 (PyTorch's convention)
                ga = Where.call(b == 0, 0.0, g * b * a ** (b - 1))
            if need_b:
                # d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch's rule; for
                # b < 0 it is inf * log 0 = -inf there)
                flat = (a == 0) & (b >= 0)
                gb = Where.call(flat, 0.0, g * a ** b * Log.call(Where.call(flat, 1.0, a)))
        return ga, gb


# PyTorch's node names for a tensor on the right of a number: 2 - x is rsub(x, 2), 2 / x is
# reciprocal(x) * 2 (its outer node a Mul), 2 ** x is pow(Scalar, Tensor).
_REVERSED_NAMES = {Sub: "RsubBackward1", Div: "MulBackward0", Pow: "PowBackward2"}


def pow(input: Any, exponent: Any) -> Any:
    """``input ** exponent`` (0 ** 0 = 1; gradient 0 where the exponent is 0)."""
    return input ** exponent


def _whole_nonneg(b) -> bool:
    """b is a Python number that is a whole number >= 1 or 0 (a ** b never warns)."""
    return (type(b) is int or type(b) is float) and b >= 0 and float(b).is_integer()


class Neg(Op):
    grad_fn_name = "NegBackward0"
    elementwise = True
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


def neg(input: Any) -> Any:
    """``-input``."""
    return Neg.apply(input)


class Maximum(Op):
    grad_fn_name = "MaximumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return _share(g, a > b, b > a, a == b)


def _tensor_other(name: str, other: Any) -> None:
    """PyTorch's maximum/minimum take no Python scalar (fmax/clamp do)."""
    if not isinstance(other, engine.Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def maximum(input: Any, other: Any) -> Any:
    """Elementwise max (ties share the gradient); ``other`` must be a Tensor."""
    _tensor_other("maximum", other)
    return binary(Maximum, input, other)


class Minimum(Op):
    grad_fn_name = "MinimumBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return _share(g, a < b, b < a, a == b)


def minimum(input: Any, other: Any) -> Any:
    """Elementwise min (ties share the gradient); ``other`` must be a Tensor."""
    _tensor_other("minimum", other)
    return binary(Minimum, input, other)


def _share(g, a_wins, b_wins, tie):
    """Gradients of a two-way pick: to the winner, split evenly on ties (as PyTorch)."""
    half = xp.mask_like(tie, g) * 0.5
    return g * (xp.mask_like(a_wins, g) + half), g * (xp.mask_like(b_wins, g) + half)


class Where(Op):
    """where(cond, a, b); cond is a constant boolean array."""
    grad_fn_name = "WhereBackward0"
    saved_inputs = (0,)

    @staticmethod
    def forward(ctx, cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        cond = ctx.inputs[0]
        _, need_a, need_b = ctx.needs_input_grad
        zero = g * 0
        return (None,
                Where.call(cond, g, zero) if need_a else None,
                Where.call(cond, zero, g) if need_b else None)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """Elementwise ``input if condition else other``; both branches broadcast. With only
    ``condition``: the indices of its nonzero elements, one int64 tensor per dim."""
    cond = xp.data(condition)
    if input is None and other is None:
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtype.from_numpy_dtype(cond.dtype)}")
    if not isinstance(input, engine.Tensor):
        input = to_tensor(input) if not isinstance(other, engine.Tensor) else \
            as_tensor_like(input, other)
    other = as_tensor_like(other, input)
    if input._data.dtype != other._data.dtype:
        target = promote(input._data, other._data)
        input, other = cast(input, target), cast(other, target)
    try:
        return engine.guard(Where.apply(cond, input, other), condition)
    except ValueError:
        raise broadcast_error("where", cond.shape, input.shape, other.shape) from None


def where_method(self: Any, condition: Any, other: Any) -> Any:
    """``Tensor.where(condition, other)``: ``where(condition, self, other)``."""
    return where(condition, self, other)


def masked_fill_(input: Any, mask: Any, value: Any) -> Any:
    """In-place: ``value`` where ``mask`` (broadcastable to ``input``) is True."""
    m = _checked_mask(input, mask, "masked_fill_", inplace=True)
    _checked_fill_value(value, "masked_fill_")
    before = input._node
    input[np.broadcast_to(m, input._data.shape)] = value
    return inplace.name_write(input, "MaskedFillBackward1" if isinstance(value, engine.Tensor)
                              else "MaskedFillBackward0", before)


def _checked_mask(input: Any, mask: Any, name: str, inplace: bool = False) -> np.ndarray:
    """``mask``'s bool array, checked as PyTorch checks it: its dtype, and that it broadcasts
    with ``input`` (in place: to ``input``'s shape)."""
    m = xp.data(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_dtype.from_numpy_dtype(m.dtype)}")
    try:
        shape = np.broadcast_shapes(m.shape, input._data.shape)
    except ValueError:
        shape = None
    if shape is None or (inplace and shape != input._data.shape):
        raise RuntimeError(f"{name}: mask of shape {list(m.shape)} is not broadcastable to "
                           f"input of shape {list(input.shape)}")
    return m


def _checked_fill_value(value: Any, name: str) -> None:
    if isinstance(value, engine.Tensor) and value.ndim != 0:
        raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")


def masked_fill(input: Any, mask: Any, value: Any) -> Any:
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts to input)."""
    m = _checked_mask(input, mask, "masked_fill")
    _checked_fill_value(value, "masked_fill")
    if isinstance(value, engine.Tensor):
        v = value.to(input.dtype) if value.requires_grad else \
            value._data.astype(input._data.dtype)
    else:
        v = np.asarray(value, dtype=input._data.dtype)
    # PyTorch's overloads: masked_fill.Scalar and masked_fill.Tensor
    name = "MaskedFillBackward1" if isinstance(value, engine.Tensor) else "MaskedFillBackward0"
    return engine.name_node(Where.apply(m, v, input), name)


def _triangle(fn: Callable) -> Callable:
    def tri(input: Any, diagonal: int = 0) -> Any:
        if input.ndim < 2:
            raise RuntimeError(f"{fn.__name__}: input tensor must have at least 2 dimensions, "
                               f"got shape {list(input.shape)}")
        mask = fn(np.ones(input._data.shape[-2:], dtype=bool), diagonal)
        return engine.name_node(Where.apply(mask, input, np.zeros((), input._data.dtype)),
                                "TrilBackward0" if fn is np.tril else "TriuBackward0")

    tri.__name__ = fn.__name__
    tri.__doc__ = f"The {'lower' if fn is np.tril else 'upper'} triangle of the last two dims " \
                  f"(from ``diagonal``), zeros elsewhere."
    return tri


tril, triu = _triangle(np.tril), _triangle(np.triu)


def compare(fn: Callable, a: Any, b: Any, reverse: bool = False) -> Any:
    """A comparison or logical op (never differentiable): ``fn`` on the values."""
    bd = b._data if isinstance(b, engine.Tensor) else (
        b.item() if isinstance(b, np.generic) else b)
    return wrap(np.asarray(fn(bd, a._data) if reverse else fn(a._data, bd)))


def _named_compare(name: str, fn: Callable) -> Callable:
    def op(input: Any, other: Any) -> Any:
        return compare(fn, input, other)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{fn.__name__}`` (a bool tensor; no gradient)."
    return op


eq, ne, lt, le, gt, ge, logical_and, logical_or = (_named_compare(n, f) for n, f in (
    ("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
    ("gt", np.greater), ("ge", np.greater_equal), ("logical_and", np.logical_and),
    ("logical_or", np.logical_or)))


def _named_test(name: str, fn: Callable) -> Callable:
    def op(input: Any) -> Any:
        return wrap(fn(input._data))

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{fn.__name__}`` (a bool tensor; no gradient)."
    return op


logical_not, isnan, isinf, isfinite = (_named_test(n, f) for n, f in (
    ("logical_not", np.logical_not), ("isnan", np.isnan), ("isinf", np.isinf),
    ("isfinite", np.isfinite)))


def equal(input: Any, other: Any) -> bool:
    """Whether both have the same shape and values."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def allclose(input: Any, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere."""
    od = other._data if isinstance(other, engine.Tensor) else other
    return bool(np.allclose(input._data, od, rtol, atol, equal_nan))


# ----------------------------------------------------------------------------- unary math


class Exp(Op):
    grad_fn_name = "ExpBackward0"
    elementwise = True
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.out


def unary(op: type, name: str, doc: str, floating: bool = False) -> Callable:
    """The public function of a one-input op with no options; ``floating``: integer input is
    computed in the default float dtype (PyTorch's rule for exp, sin, sigmoid...)."""
    apply = apply1 if plain(op) else op.apply.__func__  # either is called as apply(op, x)
    if floating:
        def fn(input: Any) -> Any:
            # (kind 'f' first: is_float_np's call costs float32, the hot path, ~1%)
            d = input._data.dtype
            x = input if d.kind == "f" or is_float_np(d) else input.to(_dtype.get_default_dtype())
            return apply(op, x)
    else:
        def fn(input: Any) -> Any:
            return apply(op, input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


exp = unary(Exp, "exp", "e^x", floating=True)


class Log(Op):
    grad_fn_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.inputs[0]


log = unary(Log, "log", "natural log", floating=True)


class Log1p(Op):
    grad_fn_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] + 1)


log1p = unary(Log1p, "log1p", "log(1 + x)", floating=True)


class Sqrt(Op):
    grad_fn_name = "SqrtBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.out * 2)


sqrt = unary(Sqrt, "sqrt", "square root", floating=True)


class Rsqrt(Op):
    grad_fn_name = "RsqrtBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * y * y * y * -0.5


rsqrt = unary(Rsqrt, "rsqrt", "1 / sqrt(x)", floating=True)


class Abs(Op):
    grad_fn_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'bool'")
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * Sign.call(ctx.inputs[0])  # sign(0) = 0: the gradient of |x| at 0 is 0


abs = unary(Abs, "abs", "|x|; gradient 0 at 0")


class Sign(Op):
    """sign(x): differentiable with a zero gradient everywhere, as PyTorch (SignBackward0)."""
    grad_fn_name = "SignBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        if is_float_np(x.dtype):  # sign(NaN) is 0 in PyTorch (NumPy: NaN)
            return np.where(x != x, x.dtype.type(0), np.sign(x))
        return x.copy() if x.dtype.kind == "b" else np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return g * 0


sign = unary(Sign, "sign", "-1, 0 or 1 (gradient 0)")


class Sin(Op):
    grad_fn_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * Cos.call(ctx.inputs[0])


sin = unary(Sin, "sin", "sine", floating=True)


class Cos(Op):
    grad_fn_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * Sin.call(ctx.inputs[0])


cos = unary(Cos, "cos", "cosine", floating=True)


class Clamp(Op):
    """clamp(x, min, max) with scalar bounds (either may be None)."""
    grad_fn_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, min=None, max=None):  # noqa: A002 - PyTorch's names
        ctx.bounds = (min, max)
        lo = x.dtype.type(min) if min is not None else None
        hi = x.dtype.type(max) if max is not None else None
        if lo is not None and hi is not None and lo > hi:  # all max, NaN stays NaN (PyTorch)
            return np.where(x != x, x, hi).astype(x.dtype, copy=False)
        # maximum/minimum, not np.clip (~5 us of Python per call); NaN propagates in both
        if lo is not None:
            x = np.maximum(x, lo)
            if hi is None:
                return x
            return np.minimum(x, hi, out=x) if type(x) is np.ndarray else np.minimum(x, hi)
        return np.minimum(x, hi)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        lo, hi = ctx.bounds
        mask = np.ones(x.shape, dtype=bool)
        xd = xp.data(x)
        if lo is not None:
            mask &= xd >= lo
        if hi is not None:
            mask &= xd <= hi
        return g * xp.mask_like(mask, g)


def clamp_(input: Any, min: Any = None, max: Any = None) -> Any:
    """In-place clamp; bounds are numbers or tensors broadcastable to ``input``."""
    if min is None and max is None:
        raise RuntimeError("clamp_: At least one of 'min' or 'max' must not be None")
    if isinstance(min, engine.Tensor) or isinstance(max, engine.Tensor):
        # computed on a clone, so the saved operands are not the tensor being overwritten
        return inplace.copy_(input, clamp(input.clone(), min, max))
    return inplace.apply(input, Clamp, min=min, max=max)


def clamp(input: Any, min: Any = None, max: Any = None) -> Any:
    """Limit values to [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, engine.Tensor) or isinstance(max, engine.Tensor):
        out = input
        if min is not None:
            out = maximum(out, as_tensor_like(min, input))
        if max is not None:
            out = minimum(out, as_tensor_like(max, input))
        return engine.name_node(out, "ClampBackward0")  # clamp.Tensor
    x = input
    if not is_float_np(input._data.dtype):  # a float bound makes it float, an int one a bool int
        x = cast(input, promote(input._data, min, max))
    return Clamp.apply(x, min=min, max=max)


def clamp_min(input: Any, min: Any) -> Any:
    """``clamp(input, min=min)``."""
    return engine.name_node(clamp(input, min=min), "ClampMinBackward1" if isinstance(
        min, engine.Tensor) else "ClampMinBackward0")


def clamp_max(input: Any, max: Any) -> Any:
    """``clamp(input, max=max)``."""
    return engine.name_node(clamp(input, max=max), "ClampMaxBackward1" if isinstance(
        max, engine.Tensor) else "ClampMaxBackward0")


# ------------------------------------------------------------------------------ activations


class Tanh(Op):
    grad_fn_name = "TanhBackward0"
    elementwise = True
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * (1 - y * y)


tanh = unary(Tanh, "tanh", "hyperbolic tangent", floating=True)


class Sigmoid(Op):
    grad_fn_name = "SigmoidBackward0"
    elementwise = True
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        # e = exp(-|x|) never overflows; sigmoid(|x|) = 1 / (1 + e), and for x < 0
        # sigmoid(x) = e / (1 + e) (no cancellation). In place: 7 ufunc calls, no temporaries.
        xs = x if x.ndim else x.reshape(1)  # (ufuncs return scalars for 0-d input)
        e = np.abs(xs)
        np.negative(e, out=e)
        np.exp(e, out=e)
        y = e + 1
        np.reciprocal(y, out=y)
        np.multiply(y, e, out=y, where=xs < 0)
        return y if x.ndim else y.reshape(())

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * y * (1 - y)


sigmoid = unary(Sigmoid, "sigmoid", "1 / (1 + e^-x), stable at any x", floating=True)


class Relu(Op):
    grad_fn_name = "ReluBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        return g * xp.mask_like(ctx.out > 0, g)


relu = unary(Relu, "relu", "max(x, 0)")


class LeakyRelu(Op):
    grad_fn_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.slope = negative_slope
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        pos = xp.mask_like(x > 0, g)
        return g * (pos + (1 - pos) * ctx.slope)


def leaky_relu(input: Any, negative_slope: float = 0.01) -> Any:
    """x where x > 0, else ``negative_slope * x``."""
    return LeakyRelu.apply(input, negative_slope=negative_slope)


class Elu(Op):
    grad_fn_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        pos = xp.mask_like(x > 0, g)
        neg_part = Exp.call(Minimum.call(x, 0 * x)) * ctx.alpha
        return g * (pos + (1 - pos) * neg_part)


def elu(input: Any, alpha: float = 1.0) -> Any:
    """x where x > 0, else ``alpha * (e^x - 1)``."""
    return Elu.apply(input, alpha=alpha)


class Softplus(Op):
    """log(1 + exp(beta x)) / beta, linear above ``threshold`` (as PyTorch)."""
    grad_fn_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * x.dtype.type(beta)
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / x.dtype.type(beta)
        return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        bx = x * ctx.beta
        lin = xp.mask_like(bx > ctx.threshold, g)
        return g * (lin + (1 - lin) * Sigmoid.call(bx))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """``log(1 + e^(beta x)) / beta``, linear where ``beta x > threshold``."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def hardshrink(input: Any, lambd: float = 0.5) -> Any:
    """x where |x| > lambd, else 0 (same shape)."""
    return Where.apply(np.abs(input._data) > lambd, input, 0.0)


def prelu(input: Any, weight: Any) -> Any:
    """x where x > 0, else weight * x; ``weight`` has 1 element or one per channel (dim 1 of
    ``input``, shape (N, C, *))."""
    n = weight.numel()
    if n != 1:
        if input.ndim < 2 or input.shape[1] != n:
            raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: "
                               f"weight has {n} elements, input shape {list(input.shape)} "
                               f"(channels at dim 1)")
        weight = weight.reshape(n, *([1] * (input.ndim - 2)))
    return Where.apply(input._data > 0, input, weight * input)


# --- trigonometric, hyperbolic and base-2/10 functions: each rule in operators and Op.call,
# so it runs on arrays and records a graph under create_graph (any order)
class Tan(Op):
    grad_fn_name = "TanBackward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.tan(x)

    @staticmethod
    def backward(ctx, g):
        return g * (1 + ctx.out * ctx.out)


class Asin(Op):
    grad_fn_name = "AsinBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Rsqrt.call(1 - x * x)


class Acos(Op):
    grad_fn_name = "AcosBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return -g * Rsqrt.call(1 - x * x)


class Atan(Op):
    grad_fn_name = "AtanBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g / (1 + x * x)


class Sinh(Op):
    grad_fn_name = "SinhBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        return g * Cosh.call(ctx.inputs[0])


class Cosh(Op):
    grad_fn_name = "CoshBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        return g * Sinh.call(ctx.inputs[0])


class Asinh(Op):
    grad_fn_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Rsqrt.call(x * x + 1)


class Acosh(Op):
    grad_fn_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Rsqrt.call(x * x - 1)


class Atanh(Op):
    grad_fn_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g / (1 - x * x)


class Log2(Op):
    grad_fn_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] * math.log(2.0))


class Log10(Op):
    grad_fn_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.inputs[0] * math.log(10.0))


class Expm1(Op):
    grad_fn_name = "Expm1Backward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.expm1(x)

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.out + 1)


class Exp2(Op):
    grad_fn_name = "Exp2Backward0"
    saved_inputs = ()
    saves_out = True

    @staticmethod
    def forward(ctx, x):
        return np.exp2(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.out * math.log(2.0)


tan = unary(Tan, "tan", "tangent", floating=True)
asin = unary(Asin, "asin", "arcsine (NaN outside [-1, 1])", floating=True)
acos = unary(Acos, "acos", "arccosine (NaN outside [-1, 1])", floating=True)
atan = unary(Atan, "atan", "arctangent", floating=True)
sinh = unary(Sinh, "sinh", "hyperbolic sine", floating=True)
cosh = unary(Cosh, "cosh", "hyperbolic cosine", floating=True)
asinh = unary(Asinh, "asinh", "inverse hyperbolic sine", floating=True)
acosh = unary(Acosh, "acosh", "inverse hyperbolic cosine (NaN below 1)", floating=True)
atanh = unary(Atanh, "atanh", "inverse hyperbolic tangent", floating=True)
log2 = unary(Log2, "log2", "base-2 logarithm", floating=True)
log10 = unary(Log10, "log10", "base-10 logarithm", floating=True)
expm1 = unary(Expm1, "expm1", "exp(x) - 1, accurate near 0", floating=True)
exp2 = unary(Exp2, "exp2", "2^x", floating=True)


class Erf(Op):
    grad_fn_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Exp.call(-(x * x)) * (2 / math.sqrt(math.pi))


class Gelu(Op):
    grad_fn_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        if approximate == "tanh":
            # 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation in 1 + tanh at the tail
            k2 = x.dtype.type(2 * math.sqrt(2 / math.pi))
            return x * Sigmoid.forward(None, k2 * (x + 0.044715 * x ** 3))
        return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.approximate == "tanh":
            # with s = sigmoid(2u), u = k (x + c x^3): 0.5 (1 + tanh u) = s and
            # 0.5 (1 - tanh^2 u) = 2 s sigmoid(-2u), both without cancellation
            k2 = 2 * math.sqrt(2 / math.pi)
            v = (x + x * x * x * 0.044715) * k2
            s = Sigmoid.call(v)
            dv = (1 + x * x * (3 * 0.044715)) * (k2 * 0.5)  # du/dx
            return g * (s + x * (2 * s * Sigmoid.call(-v)) * dv)
        cdf = 0.5 * (1 + Erf.call(x * (1 / math.sqrt(2))))
        pdf = Exp.call(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


def gelu(input: Any, approximate: str = "none") -> Any:
    """``x * Phi(x)`` (``approximate='tanh'``: PyTorch's tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(input, approximate=approximate)


class Silu(Op):
    grad_fn_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        return x * Sigmoid.forward(ctx, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        s = Sigmoid.call(x)
        return g * (s * (1 + x * (1 - s)))


def lerp_(input: Any, end: Any, weight: Any) -> Any:
    """In-place ``input += weight * (end - input)``."""
    return add_(input, (end - input) * weight)


silu = unary(Silu, "silu", "x * sigmoid(x)", floating=True)


def square(input: Any) -> Any:
    """``input * input`` (a bool tensor's square is int64, as PyTorch's)."""
    if input._data.dtype.kind == "b":
        input = input.long()
    return engine.name_node(input * input, "PowBackward0")


def reciprocal(input: Any) -> Any:
    """``1 / input`` (in the default float dtype for integers)."""
    return engine.name_node(1.0 / input, "ReciprocalBackward0")


def lerp(input: Any, end: Any, weight: Any) -> Any:
    """``input + weight * (end - input)``."""
    return engine.name_node(input + (end - input) * weight, "LerpBackward0")


class Cast(Op):
    """Differentiable dtype conversion (the gradient is cast back by the engine)."""
    grad_fn_name = "ToCopyBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, dtype=None):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g


def cast(x: Any, np_dtype: np.dtype) -> Any:
    """Tensor ``x`` as ``np_dtype`` (recorded, differentiable; ``x`` itself if it is already)."""
    return x if x._data.dtype == np_dtype else Cast.apply(x, dtype=np_dtype)


class Clone(Op):
    grad_fn_name = "CloneBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input: Any, *, memory_format: Any = None) -> Any:
    """A copy (differentiable: the gradient passes through)."""
    return Clone.apply(input)


def contiguous(input: Any, memory_format: Any = None) -> Any:
    """``input`` if its memory is C-contiguous, else a contiguous copy."""
    return input if input._data.flags.c_contiguous else Clone.apply(input)


hardshrink = named_as(hardshrink, "HardshrinkBackward0")  # PyTorch's node names (a Where here)
prelu = named_as(prelu, "PreluKernelBackward0")
