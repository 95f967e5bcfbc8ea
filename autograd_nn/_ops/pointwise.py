"""Pointwise breadth: PyTorch's two-input maths (atan2, hypot, copysign, fmod, remainder, fmax,
logaddexp...), bitwise ops, number tests (isclose, isin, signbit...) and the tensor predicates.

Every function applies PyTorch's type promotion (``_dtype.promote``) once, checks the dtypes its
kernel exists for (PyTorch raises ``NotImplementedError`` naming the kernel and the dtype), and
runs its ``Op`` (differentiable, backward beside forward) or NumPy directly (never
differentiable). Ops PyTorch records but cannot differentiate (floor_divide, heaviside) go
through :class:`NoDerivative`, whose backward raises as PyTorch's does.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable

import numpy as np

from .. import _dtype
from .._dtype import is_float_np, np_kind, promote
from ..autograd import engine, inplace
from ..autograd.engine import Op
from . import elementwise as E
from . import xp
from .common import (
    broadcast_error,
    check_fits,
    named_as,
    structseq,
    tensor_operand,
    to_tensor,
    wrap,
)

frexp_result = structseq("frexp", ["mantissa", "exponent"])

_F64 = np.dtype(np.float64)


# ----------------------------------------------------------------------------------- helpers


def _require_tensor(op: str, value: Any, argname: str = "other", position: int = 2) -> None:
    """PyTorch's overloads of these ops take only a Tensor here (no Python number)."""
    if not isinstance(value, engine.Tensor):
        raise TypeError(f"{op}(): argument '{argname}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def _no_kernel(op: str, dt: np.dtype) -> NotImplementedError:
    return NotImplementedError(f'"{op}_cpu" not implemented for '
                               f"'{_dtype.from_numpy_dtype(dt)}'")


def promoted(name: str, a: Any, b: Any, kinds: str = "biuf", floating: bool = False) -> tuple:
    """``a`` (a Tensor) and ``b`` (Tensor, number, array-like) cast to their common dtype
    (PyTorch's promotion; ``floating``: an integer result becomes the default float dtype), or
    NotImplementedError when that dtype's kind is not in ``kinds`` (no kernel for it). ``b``
    stays a Tensor if it was one, else becomes a constant 0-d or n-d array."""
    if isinstance(b, np.generic):
        b = b.item()
    if not isinstance(b, (engine.Tensor, builtins.int, builtins.float)):
        b = to_tensor(b)
    bv = b._data if isinstance(b, engine.Tensor) else b
    t = promote(a._data, bv, floating=floating)
    if np_kind(t) not in kinds:
        raise _no_kernel(name, t)
    a = E.cast(a, t)
    if isinstance(b, engine.Tensor):
        return a, E.cast(b, t)
    b = np.asarray(b)
    check_fits(b, t, name)  # (as PyTorch: a uint8 tensor takes -1 as 255, not 256)
    return a, b.astype(t)


def _apply2(op: type, name: str, a: Any, b: Any, **params: Any) -> Any:
    """``op.apply(a, b)`` with PyTorch's broadcast error."""
    try:
        return op.apply(a, b, **params)
    except ValueError:
        raise broadcast_error(name, a.shape, np.shape(b)) from None


def _values2(fn: Callable, name: str, a: Any, b: Any) -> np.ndarray:
    """``fn`` on the values of two promoted operands (a non-differentiable kernel)."""
    try:
        np.broadcast_shapes(a._data.shape, np.shape(xp.data(b)))
    except ValueError:
        raise broadcast_error(name, a.shape, np.shape(xp.data(b))) from None
    return np.asarray(fn(a._data, xp.data(b)))


def floating(x: Any) -> Any:
    """``x`` in the default float dtype unless it is floating already (exp, sin... of an int)."""
    return x if is_float_np(x._data.dtype) else x.to(_dtype.get_default_dtype())


class NoDerivative(Op):
    """A result PyTorch records in the graph but cannot differentiate (floor_divide, heaviside,
    a number % tensor): it requires grad when an input does, and backward through it raises."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, value, *inputs, name=""):
        ctx.what = name  # (not ctx.name: the node's name() method)
        return value

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"the derivative for '{ctx.what}' is not implemented.")


def recorded(name: str, value: np.ndarray, *inputs: Any) -> Any:
    """``value`` as the result of ``name`` on ``inputs`` (a NoDerivative node if they need
    grad)."""
    return NoDerivative.apply(value, *inputs, name=name)


def inplace_from(fn: Callable, name: str) -> Callable:
    """The in-place method ``<name>_`` of an out-of-place function: the result of
    ``fn(input, ...)`` written into ``input`` (PyTorch's in-place casting and shape rules,
    ``inplace.check_result``). Recorded when the write is: ``fn`` then reads a copy of the old
    value, and the write (``copy_``) passes the gradient through to it."""
    op = name + "_"

    def method(input: Any, *args: Any, **kwargs: Any) -> Any:
        inplace.check_writable(input, op)
        graph = inplace.records(input, *args, *kwargs.values())
        res = fn(input.clone() if graph else input, *args, **kwargs)
        if not graph:
            inplace.write(input, res._data, name)
            return input
        inplace.check_result(input._data, res._data, name)
        return inplace.copy_(input, res)

    method.__name__ = method.__qualname__ = op
    method.__doc__ = f"In-place ``{name}``."
    return method


_div_rounded_ = inplace_from(E.div, "div")


def div_(input: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
    """In-place ``div`` (``rounding_mode`` as there; a rounded float write that is recorded
    passes a zero gradient, as PyTorch)."""
    if rounding_mode is None:
        return inplace.apply(input, E.Div, other)
    return _div_rounded_(input, other, rounding_mode=rounding_mode)


# ------------------------------------------------------------------------- two-input maths


class Atan2(Op):
    grad_fn_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        d = a * a + b * b
        zero = xp.data(d) == 0  # PyTorch takes 1 / 0 as 0 there (gradient 0 at the origin)
        recip = E.Where.call(zero, 0.0, 1 / E.Where.call(zero, 1.0, d))
        return (g * b * recip if need_a else None), (-g * a * recip if need_b else None)


def atan2(input: Any, other: Any) -> Any:
    """The angle of the point (``other``, ``input``), in (-pi, pi]; integer inputs in the
    default float dtype. Shapes broadcast."""
    _require_tensor("atan2", other)
    a, b = promoted("atan2", input, other, "f", floating=True)
    return _apply2(Atan2, "atan2", a, b)


class Hypot(Op):
    grad_fn_name = "HypotBackward0"
    saves_out = True

    @staticmethod
    def forward(ctx, a, b):
        return np.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        r = g / ctx.out
        return (r * a if need_a else None), (r * b if need_b else None)


def hypot(input: Any, other: Any) -> Any:
    """``sqrt(input^2 + other^2)`` without overflow (floating inputs only, as PyTorch)."""
    _require_tensor("hypot", other)
    a, b = promoted("hypot", input, other, "f")
    return _apply2(Hypot, "hypot", a, b)


class Copysign(Op):
    grad_fn_name = "CopysignBackward0"
    saves_out = True

    @staticmethod
    def forward(ctx, a, b):
        return np.copysign(a, b)

    @staticmethod
    def backward(ctx, g):
        a = ctx.inputs[0]
        need_a, need_b = ctx.needs_input_grad
        gb = g * 0 if need_b else None  # (PyTorch's gradient for ``other``: zeros)
        if not need_a:
            return None, gb
        zero = xp.data(a) == 0  # PyTorch: result / input, taken as 0 where input is 0
        ratio = E.Where.call(zero, 0.0, ctx.out / E.Where.call(zero, 1.0, a))
        return g * ratio, gb


def copysign(input: Any, other: Any) -> Any:
    """``|input|`` with the sign of ``other`` (a number or tensor); integer and bool inputs in
    the default float dtype."""
    a, b = promoted("copysign", input, other, floating=True)
    return _apply2(Copysign, "copysign", a, b)


def _int_zero_division(a: Any, b: Any) -> None:
    if a._data.dtype.kind in "iu" and not np.all(xp.data(b)):
        raise RuntimeError("ZeroDivisionError: integer division by zero")


class _Modulo:
    """The remainder ops' forward and backward (a mixin, so no Op of its own): ``kernel`` the
    remainder, ``rounding`` the rounding of the quotient it implies; the gradient is ``g`` for
    the dividend and ``-g * rounding(a / b)`` for the divisor (piecewise constant itself)."""

    kernel: Callable = staticmethod(np.fmod)
    rounding: Callable = staticmethod(np.trunc)

    @classmethod
    def forward(cls, ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return cls.kernel(a, b)

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        if not need_b:
            return g, None
        with np.errstate(divide="ignore", invalid="ignore"):
            q = cls.rounding(xp.data(a) / xp.data(b))
        return (g if need_a else None), -g * q


class Fmod(_Modulo, Op):
    """C's fmod: the remainder of truncated division, with the dividend's sign."""
    grad_fn_name = "FmodBackward1"
    kernel, rounding = staticmethod(np.fmod), staticmethod(np.trunc)


class Remainder(_Modulo, Op):
    """Python's %: the remainder of floor division, with the divisor's sign."""
    grad_fn_name = "RemainderBackward1"
    kernel, rounding = staticmethod(np.mod), staticmethod(np.floor)


def _modulo(op: type, name: str) -> Callable:
    def fn(input: Any, other: Any) -> Any:
        a, b = promoted(name, input, other, "iuf")
        _int_zero_division(a, b)
        return _apply2(op, name, a, b)

    fn.__name__ = fn.__qualname__ = name
    return fn


fmod = _modulo(Fmod, "fmod")
fmod.__doc__ = ("The remainder of ``input / other`` rounded toward zero (the sign of ``input``); "
                "gradient ``-trunc(input / other)`` for ``other``. Integer division by zero "
                "raises.")
remainder = _modulo(Remainder, "remainder")
remainder.__doc__ = ("The remainder of ``input / other`` rounded toward -inf (the sign of "
                     "``other``, Python's ``%``); gradient ``-floor(input / other)`` for "
                     "``other``.")


def floor_divide(input: Any, other: Any) -> Any:
    """``input // other`` rounded toward -inf (``div(..., rounding_mode='floor')``); PyTorch
    defines no derivative."""
    if input._data.dtype.kind == "b" and (type(other) is bool or isinstance(other, engine.Tensor)
                                          and other._data.dtype.kind == "b"):
        raise _no_kernel("div_floor", input._data.dtype)
    out = E.rounding_divide(input, other, np.floor_divide)
    return recorded("floor_divide", out._data, input, other)


class Fmax(Op):
    grad_fn_name = "FmaxBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return np.fmax(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        # PyTorch: ``input`` takes the gradient where it is >= other or other is NaN (ties too)
        return _pick(g, (xp.data(a) >= xp.data(b)) | np.isnan(xp.data(b)))


class Fmin(Op):
    grad_fn_name = "FminBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return np.fmin(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        return _pick(g, (xp.data(a) <= xp.data(b)) | np.isnan(xp.data(b)))


def _pick(g: Any, first: np.ndarray) -> tuple:
    m = xp.mask_like(first, g)
    return g * m, g * (1 - m)


def _nan_ignoring(op: type, name: str, what: str) -> Callable:
    def fn(input: Any, other: Any) -> Any:
        _require_tensor(name, other)
        a, b = promoted(name, input, other)
        return _apply2(op, name, a, b)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise {what}, ignoring NaN (NaN only where both are); a tie gives "
                  f"the gradient to ``input``, as PyTorch.")
    return fn


fmax = _nan_ignoring(Fmax, "fmax", "maximum")
fmin = _nan_ignoring(Fmin, "fmin", "minimum")


class Logaddexp(Op):
    grad_fn_name = "LogaddexpBackward0"

    @staticmethod
    def forward(ctx, a, b, base2=False):
        ctx.base2 = base2
        return np.logaddexp2(a, b) if base2 else np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        expo = E.Exp2 if ctx.base2 else E.Exp  # d/da log(e^a + e^b) = 1 / (1 + e^(b - a))
        return (g / (1 + expo.call(b - a)) if need_a else None,
                g / (1 + expo.call(a - b)) if need_b else None)


def logaddexp(input: Any, other: Any) -> Any:
    """``log(e^input + e^other)`` without overflow (floating inputs only)."""
    _require_tensor("logaddexp", other)
    a, b = promoted("logaddexp", input, other, "f")
    return _apply2(Logaddexp, "logaddexp", a, b)


def logaddexp2(input: Any, other: Any) -> Any:
    """``log2(2^input + 2^other)`` without overflow (floating inputs only)."""
    _require_tensor("logaddexp2", other)
    a, b = promoted("logaddexp2", input, other, "f")
    return _apply2(Logaddexp, "logaddexp2", a, b, base2=True)


def float_power(input: Any, exponent: Any) -> Any:
    """``input ** exponent`` computed in float64 (the result is float64 whatever the inputs;
    the gradient returns in each input's dtype)."""
    x = E.cast(to_tensor(input), _F64)
    if isinstance(exponent, engine.Tensor):
        return x ** E.cast(exponent, _F64)
    return x ** builtins.float(exponent.item() if isinstance(exponent, np.generic) else exponent)


def float_power_(input: Any, exponent: Any) -> Any:
    """In-place ``float_power``: ``input`` must be float64 (the result's dtype)."""
    if input._data.dtype != _F64:
        raise RuntimeError(f"the base given to float_power_ has dtype {input.dtype} but the "
                           f"operation's result requires dtype float64")
    return _float_power_(input, exponent)


_float_power_ = inplace_from(float_power, "float_power")


def _scalar_in(value: Any, *tensors: Any) -> Any:
    """``value`` as PyTorch converts a scalar multiplier to an integer or bool result dtype
    (truncated: ``addcmul(ints, ..., value=0.5)`` adds 0)."""
    kind = promote(*[t._data for t in tensors]).kind
    if kind == "b":
        return builtins.bool(value)
    return builtins.int(value) if kind in "iu" else value


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 * tensor2`` (all three broadcast; differentiable in each)."""
    value = _scalar_in(value, input, tensor1, tensor2)
    prod = tensor1 * tensor2
    return input + (prod * value if value != 1 else prod)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 / tensor2`` (true division; integer ``tensor1`` and
    ``tensor2`` raise, as PyTorch)."""
    E.no_integer_addcdiv(tensor1, tensor2)
    quot = tensor1 / tensor2
    return input + (quot * value if value != 1 else quot)


def ldexp(input: Any, other: Any) -> Any:
    """``input * 2^other`` (in floating point; differentiable in both)."""
    _require_tensor("ldexp", other)
    if other._data.dtype.kind == "b" and is_float_np(input._data.dtype):  # (PyTorch's kernels)
        raise _no_kernel("ldexp_cpu_exp", other._data.dtype)
    return input * E.exp2(other)


def _scale(factor: float, name: str, doc: str) -> Callable:
    def fn(input: Any) -> Any:
        return floating(input) * factor

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


deg2rad = _scale(math.pi / 180, "deg2rad", "Degrees to radians (integers in the default float "
                                           "dtype).")
rad2deg = _scale(180 / math.pi, "rad2deg", "Radians to degrees (integers in the default float "
                                           "dtype).")


class NanToNum(Op):
    grad_fn_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return g * xp.mask_like(np.isfinite(xp.data(ctx.inputs[0])), g)


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and the
    dtype's largest and lowest finite values); gradient 0 at the replaced entries."""
    if not is_float_np(input._data.dtype):
        return wrap(input._data.copy())
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


class Frexp(Op):
    """The mantissa of frexp (the exponent is an integer output, never differentiable)."""
    grad_fn_name = "FrexpBackward0"
    saved_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.frexp(x)[0]

    @staticmethod
    def backward(ctx, g):
        x = xp.data(ctx.inputs[0])
        return g * np.ldexp(np.ones_like(x), -np.frexp(x)[1])  # d mantissa / dx = 2^-exponent


def frexp(input: Any) -> Any:
    """``(mantissa, exponent)`` with ``input = mantissa * 2^exponent``, ``|mantissa|`` in
    [0.5, 1); the exponent is int32. Floating inputs only."""
    if not is_float_np(input._data.dtype):
        raise RuntimeError(f"torch.frexp() only supports floating-point dtypes, got "
                           f"{input.dtype}")
    exponent = np.frexp(input._data)[1].astype(np.int32)
    return frexp_result(Frexp.apply(input), wrap(exponent))


class Angle(Op):
    """The argument of a real number: 0 for x >= 0, pi for x < 0 (NaN stays); gradient 0."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return np.where(x != x, x, np.where(x < 0, x.dtype.type(math.pi), x.dtype.type(0)))

    @staticmethod
    def backward(ctx, g):
        return g * 0


def angle(input: Any) -> Any:
    """The elementwise argument (real inputs: 0 or pi); integers in the default float dtype."""
    return Angle.apply(floating(input))


def sgn(input: Any) -> Any:
    """The sign (for real tensors ``sign``; a bool tensor is its own sign)."""
    if input._data.dtype.kind == "b":
        return wrap(input._data.copy())
    return E.Sign.apply(input)


def positive(input: Any) -> Any:
    """``input`` itself (``+input``); bool tensors raise, as PyTorch."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def real(input: Any) -> Any:
    """The real part: ``input`` itself (there are no complex dtypes)."""
    return input


def resolve_neg(input: Any) -> Any:
    """``input`` itself (there are no lazy negation views to resolve)."""
    return input


clamp_min_ = inplace_from(E.clamp_min, "clamp_min")
clamp_max_ = inplace_from(E.clamp_max, "clamp_max")


# ------------------------------------------------------------ bitwise, integer and NaN-aware


def _bitwise(name: str, fn: Callable, kinds: str = "biu", tensor_other: bool = False
             ) -> Callable:
    def op(input: Any, other: Any) -> Any:
        if tensor_other:
            _require_tensor(name, other)
        a, b = promoted(_KERNEL.get(name, name), input, other, kinds)
        return wrap(_values2(fn, name, a, b))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{fn.__name__}`` (kinds {kinds!r}: integer/bool tensors)."
    return op


_KERNEL = {"bitwise_left_shift": "lshift", "bitwise_right_shift": "rshift"}


def _shift_left(a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``a << s``; shifting by a negative amount or by the width or more gives 0 (PyTorch)."""
    bits = a.dtype.itemsize * 8
    out_of_range = (s < 0) | (s >= bits)
    return np.where(out_of_range, 0, np.left_shift(a, np.where(out_of_range, 0, s))
                    ).astype(a.dtype, copy=False)


def _shift_right(a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``a >> s`` (arithmetic); out-of-range amounts fill with the sign bit (PyTorch)."""
    bits = a.dtype.itemsize * 8
    out_of_range = (s < 0) | (s >= bits)
    r = np.right_shift(a, np.where(out_of_range, 0, s))
    fill = np.where(a < 0, -1, 0) if a.dtype.kind == "i" else 0
    return np.where(out_of_range, fill, r).astype(a.dtype, copy=False)


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", _shift_left, "iu")
bitwise_right_shift = _bitwise("bitwise_right_shift", _shift_right, "iu")
gcd = _bitwise("gcd", np.gcd, "iu", tensor_other=True)
lcm = _bitwise("lcm", np.lcm, "iu", tensor_other=True)
gcd.__doc__ = "The greatest common divisor (non-negative; integer tensors)."
lcm.__doc__ = "The least common multiple (non-negative; integer tensors)."


def bitwise_not(input: Any) -> Any:
    """``~input``: bitwise NOT of integers, logical NOT of bools."""
    if input._data.dtype.kind not in "biu":
        raise _no_kernel("bitwise_not", input._data.dtype)
    return wrap(np.invert(input._data))


def logical_xor(input: Any, other: Any) -> Any:
    """Elementwise ``bool(input) != bool(other)`` (a bool tensor)."""
    _require_tensor("logical_xor", other)
    return wrap(_values2(np.logical_xor, "logical_xor", input, other))


def heaviside(input: Any, values: Any) -> Any:
    """The step function: 0 where ``input < 0``, ``values`` where it is 0, 1 where positive
    (NaN gives 0). Both must have the same dtype, as in PyTorch."""
    _require_tensor("heaviside", values, "values")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"({input.dtype} and {values.dtype}).")
    out = _values2(lambda a, b: np.where(a == 0, b, a > 0).astype(a.dtype), "heaviside",
                   input, values)
    return recorded("heaviside", out, input, values)


class Nextafter(Op):
    """The next float after ``a`` toward ``b``: within one ulp of ``a``, so PyTorch's gradient
    is 1 for ``a`` and 0 for ``b``."""
    grad_fn_name = "NextafterBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, a, b):
        return np.nextafter(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (g * 0 if ctx.needs_input_grad[1] else None)


def nextafter(input: Any, other: Any) -> Any:
    """The next representable float after ``input`` toward ``other`` (floating inputs)."""
    _require_tensor("nextafter", other)
    a, b = promoted("nextafter", input, other, "f")
    return _apply2(Nextafter, "nextafter", a, b)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    """``|input - other| <= atol + rtol * |other|`` elementwise (equal infinities are close;
    NaNs only with ``equal_nan``). Both must have the same dtype, as in PyTorch."""
    _require_tensor("isclose", other)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"isclose: rtol and atol must be non-negative, got rtol={rtol}, "
                           f"atol={atol}")
    a, b = input._data, other._data
    if not is_float_np(a.dtype):
        a, b = a.astype(_dtype.get_default_dtype().np), b.astype(_dtype.get_default_dtype().np)
    return wrap(_values2(lambda x, y: np.isclose(x, y, rtol, atol, equal_nan), "isclose",
                         wrap(a), wrap(b)))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Any:
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number); a bool
    tensor of ``elements``' shape."""
    e = to_tensor(elements)
    t = test_elements if isinstance(test_elements, engine.Tensor) else to_tensor(test_elements)
    for x in (e, t):
        if x._data.dtype.kind == "b":
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    dt = promote(e._data, t._data)
    return wrap(np.isin(e._data.astype(dt), t._data.astype(dt), assume_unique=assume_unique,
                        invert=invert))


def _test(name: str, fn: Callable, doc: str) -> Callable:
    def op(input: Any) -> Any:
        return wrap(np.asarray(fn(input._data)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


isneginf = _test("isneginf", lambda a: np.isneginf(a) if is_float_np(a.dtype) else
                 np.zeros(a.shape, bool), "Whether each element is -inf (a bool tensor).")
isposinf = _test("isposinf", lambda a: np.isposinf(a) if is_float_np(a.dtype) else
                 np.zeros(a.shape, bool), "Whether each element is +inf (a bool tensor).")
isreal = _test("isreal", lambda a: np.ones(a.shape, bool),
               "All True: every dtype here is real.")
signbit = _test("signbit", lambda a: np.signbit(a) if a.dtype.kind != "b" else
                np.zeros(a.shape, bool), "Whether the sign bit is set (-0.0 and -NaN "
                                         "included; a bool tensor).")


# ------------------------------------------------------------------------- tensor predicates


def is_nonzero(input: Any) -> bool:
    """The truth value of a one-element tensor."""
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input._data.reshape(()))


def is_same_size(input: Any, other: Any) -> bool:
    """Whether both have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Any) -> bool:
    """Whether the dtype is signed (floats and signed integers)."""
    return input.dtype.is_signed


def is_complex(input: Any) -> bool:
    """False: there are no complex dtypes."""
    return False


def is_neg(input: Any) -> bool:
    """False: there are no lazy negation views."""
    return False


# PyTorch's node names where one Op serves several functions or overloads
fmod = named_as(fmod, lambda a, k: "FmodBackward1" if tensor_operand(a, k) else "FmodBackward0")
remainder = named_as(remainder, lambda a, k: "RemainderBackward1" if tensor_operand(a, k)
                     else "RemainderBackward0")
copysign = named_as(copysign, lambda a, k: "CopysignBackward0" if tensor_operand(a, k)
                    else "CopysignBackward1")
logaddexp2 = named_as(logaddexp2, "Logaddexp2Backward0")
ldexp = named_as(ldexp, "LdexpBackward0")
