"""Special functions (``torch.special`` and their torch-level names): error and gamma
functions, Bessel functions, orthogonal polynomials. Forward values are the NumPy kernels of
``special_math`` (ports of PyTorch's own); backward rules are PyTorch's (``derivatives.yaml``),
including where PyTorch has none: the Bessel functions and polynomials are not differentiable
(their results never require grad), and the derivatives PyTorch leaves unimplemented (zeta in
``x``, the incomplete gamma functions in ``a``) raise ``NotImplementedError`` as there."""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from .. import _dtype
from .._dtype import is_float_np
from ..autograd import engine, inplace
from ..autograd.engine import Op
from . import special_math as M
from . import xp
from .common import named_as, tensor_operand, to_tensor, wrap
from .elementwise import Cos, Erf, Exp, Log, Sign, Sin, Where, cast, unary

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _floating(*args: Any) -> tuple:
    """Tensors of one floating dtype (PyTorch's promotion; integers give the default float)."""
    ts = [a for a in args if isinstance(a, engine.Tensor)]
    if not ts:
        ts = [to_tensor(args[0])]
        args = (ts[0],) + args[1:]
    target = _dtype.promote(*[a._data if isinstance(a, engine.Tensor) else a for a in args],
                            floating=True)
    out = []
    for a in args:
        if not isinstance(a, engine.Tensor):
            a = wrap(np.asarray(a, dtype=target))
        elif a._data.dtype != target:
            a = cast(a, target)
        out.append(a)
    return tuple(out)


def _not_implemented(what: str) -> NotImplementedError:
    return NotImplementedError(f"the derivative for '{what}' is not implemented.")


class _Kernel:
    """The forward of a one-input special function Op: ``kernel`` (a ``special_math``
    function) in the input's float dtype (a mixin, so it is no Op of its own)."""

    kernel: Callable = staticmethod(lambda x: x)

    @classmethod
    def forward(cls, ctx, x):
        return M.evaluate(cls.kernel, x)


# ---------------------------------------------------------------------------- error functions

class Erfc(_Kernel, Op):
    grad_fn_name = "ErfcBackward0"
    saved_inputs = (0,)
    kernel = staticmethod(M.erfc)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * Exp.call(-(x * x)) * (-2 / _SQRT_PI)


class Erfinv(_Kernel, Op):
    grad_fn_name = "ErfinvBackward0"
    saved_inputs = ()
    saves_out = True
    kernel = staticmethod(M.erfinv)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * Exp.call(y * y) * (_SQRT_PI / 2)


class Erfcx(_Kernel, Op):
    grad_fn_name = "SpecialErfcxBackward0"
    saves_out = True
    kernel = staticmethod(M.erfcx)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.inputs[0], ctx.out
        return g * (x * y * 2 - 2 / _SQRT_PI)


class LogNdtr(_Kernel, Op):
    grad_fn_name = "SpecialLogNdtrBackward0"
    saves_out = True
    kernel = staticmethod(M.log_ndtr)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.inputs[0], ctx.out
        return g * Exp.call(-(y + x * x * 0.5)) * (1 / _SQRT_2PI)


class Ndtri(_Kernel, Op):
    grad_fn_name = "SpecialNdtriBackward0"
    saved_inputs = ()
    saves_out = True
    kernel = staticmethod(M.ndtri)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return g * Exp.call(y * y * 0.5) * _SQRT_2PI


erfc = unary(Erfc, "erfc", "The complementary error function ``1 - erf(x)``.", floating=True)
erfinv = unary(Erfinv, "erfinv", "The inverse error function (NaN outside [-1, 1]).",
               floating=True)
erfcx = unary(Erfcx, "erfcx", "The scaled complementary error function "
              "``exp(x^2) erfc(x)``.", floating=True)
log_ndtr = unary(LogNdtr, "log_ndtr", "``log(ndtr(x))``, accurate in the left tail.",
                 floating=True)
ndtri = unary(Ndtri, "ndtri", "The standard normal quantile (inverse of ``ndtr``).",
              floating=True)


def erf(input: Any) -> Any:
    """The error function ``2/sqrt(pi) int_0^x exp(-t^2) dt``."""
    x = input if is_float_np(input._data.dtype) else input.to(_dtype.get_default_dtype())
    return Erf.apply(x)


def ndtr(input: Any) -> Any:
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2``, as PyTorch composes it."""
    return (1 + erf(input * math.sqrt(0.5))) * 0.5


# ---------------------------------------------------------------------------- gamma functions

class Lgamma(_Kernel, Op):
    grad_fn_name = "LgammaBackward0"
    kernel = staticmethod(M.lgamma)

    @staticmethod
    def backward(ctx, g):
        return g * Digamma.call(ctx.inputs[0])


class Digamma(_Kernel, Op):
    grad_fn_name = "DigammaBackward0"
    kernel = staticmethod(M.digamma)

    @staticmethod
    def backward(ctx, g):
        return g * Polygamma.call(ctx.inputs[0], n=1)


class Polygamma(Op):
    grad_fn_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n=0):
        ctx.n = n
        return M.evaluate(functools.partial(M.polygamma, n), x)

    @staticmethod
    def backward(ctx, g):
        return g * Polygamma.call(ctx.inputs[0], n=ctx.n + 1)


lgamma = unary(Lgamma, "lgamma", "``log |Gamma(x)|`` (inf at the poles).", floating=True)
digamma = unary(Digamma, "digamma", "``d/dx log Gamma(x)`` (NaN at the negative integers, "
                "-inf/inf at -0/+0).", floating=True)


def _check_order(n: Any) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n: int, input: Any) -> Any:
    """The ``n``-th derivative of the digamma function (``n >= 0``)."""
    n = _check_order(n)
    (x,) = _floating(to_tensor(input) if not isinstance(input, engine.Tensor) else input)
    return Polygamma.apply(x, n=n)


def polygamma_method(self: Any, n: int) -> Any:
    """``Tensor.polygamma(n)``: ``polygamma(n, self)``."""
    return polygamma(n, self)


def polygamma_(self: Any, n: int) -> Any:
    """In-place ``polygamma(n, self)``."""
    return inplace.apply(self, Polygamma, n=_check_order(n))


def mvlgamma(input: Any, p: int) -> Any:
    """The multivariate log-gamma of dimension ``p``: ``sum_i lgamma(x - i/2)`` over
    ``i < p``, plus ``p(p-1)/4 log(pi)`` (PyTorch's composition, so the gradient is the sum of
    digammas)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    (x,) = _floating(input)
    total = None
    for i in range(p - 1, -1, -1):  # PyTorch sums lgamma(x + (1-p)/2), ..., lgamma(x)
        term = lgamma(x - i * 0.5)
        total = term if total is None else total + term
    return total + p * (p - 1) * math.log(math.pi) * 0.25


def mvlgamma_(input: Any, p: int) -> Any:
    """In-place ``mvlgamma`` (computed on a clone, so a recorded graph reads the old values)."""
    return input.copy_(mvlgamma(input.clone() if inplace.records(input) else input, p))


class Igamma(Op):
    """The regularized lower incomplete gamma ``P(a, x)`` (``upper``: ``Q = 1 - P``)."""
    grad_fn_name = "IgammaBackward0"

    @staticmethod
    def forward(ctx, a, x, upper=False):
        ctx.upper = upper
        return M.evaluate(M.igammac if upper else M.igamma, a, x)

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.inputs
        if ctx.needs_input_grad[0]:
            raise _not_implemented("igammac: input" if ctx.upper else "igamma: input")
        d = Exp.call((a - 1) * Log.call(x) - x - Lgamma.call(a))
        return None, (-(g * d) if ctx.upper else g * d)


def _igamma(name: str, upper: bool) -> Callable:
    def fn(input: Any, other: Any) -> Any:
        a, x = (to_tensor(v) if not isinstance(v, engine.Tensor) else v for v in (input, other))
        if not is_float_np(a._data.dtype) or not is_float_np(x._data.dtype):
            dt = _dtype.from_numpy_dtype(np.result_type(a._data, x._data))
            raise NotImplementedError(f'"{name}_cpu" not implemented for {dt}')
        a, x = _floating(a, x)
        return Igamma.apply(a, x, upper=upper)

    fn.__name__ = fn.__qualname__ = "igammac" if upper else "igamma"
    fn.__doc__ = (f"The regularized {'upper' if upper else 'lower'} incomplete gamma function "
                  f"of ``input`` (a) and ``other`` (x), broadcast; floating inputs only.")
    return fn


igamma, igammac = _igamma("igamma", False), _igamma("igammac", True)


def igamma_(input: Any, other: Any) -> Any:
    """In-place ``igamma``."""
    return inplace.apply(input, Igamma, other, upper=False)


def igammac_(input: Any, other: Any) -> Any:
    """In-place ``igammac``."""
    return inplace.apply(input, Igamma, other, upper=True)


class Zeta(Op):
    grad_fn_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx, x, q):
        return M.evaluate(M.zeta, x, q)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.inputs
        if ctx.needs_input_grad[0]:
            raise _not_implemented("zeta")
        return None, g * -x * Zeta.call(x + 1, q)


def zeta(input: Any, other: Any) -> Any:
    """The Hurwitz zeta function ``sum_k (k + other)^-input`` (broadcast; a number for either
    argument)."""
    x, q = _floating(input, other)
    return Zeta.apply(x, q)


# ------------------------------------------------------------------------ Bessel functions I

class I0(_Kernel, Op):
    grad_fn_name = "I0Backward0"
    kernel = staticmethod(M.i0)

    @staticmethod
    def backward(ctx, g):
        return g * I1.call(ctx.inputs[0])


class I0e(_Kernel, Op):
    grad_fn_name = "SpecialI0EBackward0"
    saves_out = True
    kernel = staticmethod(M.i0e)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * (I1e.call(x) - Sign.call(x) * ctx.out)


def _safe_small(x: Any) -> tuple:
    """PyTorch's i1/i1e backward guard: ``x`` with ``|x| <= eps`` replaced by eps, and where."""
    eps = float(np.finfo(xp.data(x).dtype).eps)
    big = np.abs(xp.data(x)) > eps
    return big, Where.call(big, x, np.asarray(eps, dtype=xp.data(x).dtype))


class I1(_Kernel, Op):
    grad_fn_name = "SpecialI1Backward0"
    saves_out = True
    kernel = staticmethod(M.i1)

    @staticmethod
    def backward(ctx, g):
        big, sx = _safe_small(ctx.inputs[0])
        d = I0.call(sx) - ctx.out / sx
        return g * Where.call(big, d, np.asarray(0.5, dtype=xp.data(sx).dtype))


class I1e(_Kernel, Op):
    grad_fn_name = "SpecialI1EBackward0"
    saves_out = True
    kernel = staticmethod(M.i1e)

    @staticmethod
    def backward(ctx, g):
        big, sx = _safe_small(ctx.inputs[0])
        d = I0e.call(sx) - ctx.out * (Sign.call(sx) + 1 / sx)
        return g * Where.call(big, d, np.asarray(0.5, dtype=xp.data(sx).dtype))


i0 = unary(I0, "i0", "The modified Bessel function of the first kind, order 0.", floating=True)
i0e = unary(I0e, "i0e", "``exp(-|x|) i0(x)``.", floating=True)
i1 = unary(I1, "i1", "The modified Bessel function of the first kind, order 1.", floating=True)
i1e = unary(I1e, "i1e", "``exp(-|x|) i1(x)``.", floating=True)


# ------------------------------------------------------- logit, xlogy, xlog1py, sinc, entr

class Logit(Op):
    grad_fn_name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps=None):
        ctx.eps = eps
        z = x if eps is None else np.clip(x, x.dtype.type(eps), x.dtype.type(1 - eps))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        xd = xp.data(x)
        d = g / (x * (1 - x))
        if ctx.eps is None:
            return Where.call((xd < 0) | (xd > 1), np.asarray(np.nan, xd.dtype), d)
        lo, hi = ctx.eps, 1 - ctx.eps
        return Where.call((xd < lo) | (xd > hi), np.zeros((), xd.dtype), d)


def logit(input: Any, eps: float | None = None) -> Any:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given
    (then the gradient is 0 outside that range)."""
    (x,) = _floating(input)
    return Logit.apply(x, eps=None if eps is None or eps < 0 else float(eps))


def logit_(input: Any, eps: float | None = None) -> Any:
    """In-place ``logit``."""
    return inplace.apply(input, Logit, eps=None if eps is None or eps < 0 else float(eps))


class Xlogy(Op):
    """``x * log(y)`` (``log1p``: ``x * log1p(y)``); 0 where ``x == 0`` unless ``y`` is NaN."""
    grad_fn_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, x, y, log1p=False):
        ctx.log1p = log1p
        with np.errstate(divide="ignore", invalid="ignore"):
            v = x * (np.log1p(y) if log1p else np.log(y))
        return np.where(np.isnan(y), y, np.where(x == 0, 0, v)).astype(v.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:  # PyTorch's: xlogy(g, y), 0 where x == 0 and log(y) is not finite
            xd, yd = xp.data(x), xp.data(y)
            off = (xd == 0) & (yd <= (-1 if ctx.log1p else 0))
            gx = Where.call(off, np.zeros((), yd.dtype), Xlogy.call(g, y, log1p=ctx.log1p))
        if need_y:
            with np.errstate(divide="ignore", invalid="ignore"):  # y = 0: inf/NaN as PyTorch's
                gy = g * x / ((y + 1) if ctx.log1p else y)
        return gx, gy


def xlogy(input: Any, other: Any) -> Any:
    """``input * log(other)``, 0 where ``input == 0`` (unless ``other`` is NaN); broadcast,
    either argument a number."""
    x, y = _floating(input, other)
    return Xlogy.apply(x, y)


def xlogy_(input: Any, other: Any) -> Any:
    """In-place ``xlogy``."""
    return inplace.apply(input, Xlogy, other if isinstance(other, engine.Tensor) else
                         np.asarray(other, dtype=input._data.dtype))


def xlog1py(input: Any, other: Any) -> Any:
    """``input * log1p(other)``, 0 where ``input == 0`` (unless ``other`` is NaN)."""
    x, y = _floating(input, other)
    return Xlogy.apply(x, y, log1p=True)


class Sinc(_Kernel, Op):
    grad_fn_name = "SincBackward0"

    @staticmethod
    def kernel(x):
        px = np.pi * x
        return np.where(x == 0, 1.0, np.sin(px) / px)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        xd = xp.data(x)
        small = np.abs(xd) < 1e-3
        # PyTorch's quotient rule cancels catastrophically near 0 (to exactly 0 at 1e-12);
        # there the series of the derivative, -pi^2 x / 3 + pi^4 x^3 / 30 - ...
        safe = Where.call(small, np.ones((), xd.dtype), x)
        px = safe * math.pi
        d = (px * Cos.call(px) - Sin.call(px)) / (px * safe)
        u = x * x * math.pi ** 2
        series = x * math.pi ** 2 * (-1 / 3 + u * (1 / 30 - u / 840))
        return g * Where.call(small, series, d)


sinc = unary(Sinc, "sinc", "The normalized sinc ``sin(pi x) / (pi x)`` (1 at 0).",
             floating=True)


class Entr(_Kernel, Op):
    grad_fn_name = "SpecialEntrBackward0"

    @staticmethod
    def kernel(x):
        out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), 0.0)
        return np.where(x < 0, -np.inf, np.where(np.isnan(x), x, out))

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return g * -(Log.call(x) + 1)  # PyTorch's rule: +inf at 0, NaN below


entr = unary(Entr, "entr", "Elementwise entropy ``-x log x`` (0 at 0, -inf below 0).",
             floating=True)


# ---------------------------------------------- non-differentiable: Bessel J/Y/K, Airy, etc.

def _nondifferentiable(name: str, doc: str, nargs: int = 1) -> Callable:
    """A function of ``special_math.<name>`` with no gradient (PyTorch defines none: its result
    never requires grad)."""
    kernel = getattr(M, name)
    if nargs == 1:
        def fn(input: Any) -> Any:
            (x,) = _floating(input)
            return wrap(M.evaluate(kernel, x._data))
    else:
        def fn(input: Any, n: Any) -> Any:
            x, nn = _floating(input, n)
            k = kernel
            if name.startswith("hermite") and x._data.dtype == np.float32:
                k = functools.partial(kernel, limit=128)  # PyTorch's float limit on n
            return wrap(M.evaluate(k, x._data, nn._data))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + " Not differentiable (as in PyTorch)."
    return fn


airy_ai = _nondifferentiable("airy_ai", "The Airy function Ai.")
bessel_j0 = _nondifferentiable("bessel_j0", "The Bessel function of the first kind, order 0.")
bessel_j1 = _nondifferentiable("bessel_j1", "The Bessel function of the first kind, order 1.")
bessel_y0 = _nondifferentiable("bessel_y0", "The Bessel function of the second kind, order 0.")
bessel_y1 = _nondifferentiable("bessel_y1", "The Bessel function of the second kind, order 1.")
modified_bessel_i0 = _nondifferentiable("modified_bessel_i0", "The modified Bessel function "
                                        "of the first kind, order 0.")
modified_bessel_i1 = _nondifferentiable("modified_bessel_i1", "The modified Bessel function "
                                        "of the first kind, order 1.")
modified_bessel_k0 = _nondifferentiable("modified_bessel_k0", "The modified Bessel function "
                                        "of the second kind, order 0.")
modified_bessel_k1 = _nondifferentiable("modified_bessel_k1", "The modified Bessel function "
                                        "of the second kind, order 1.")
scaled_modified_bessel_k0 = _nondifferentiable("scaled_modified_bessel_k0",
                                               "``exp(x) modified_bessel_k0(x)``.")
scaled_modified_bessel_k1 = _nondifferentiable("scaled_modified_bessel_k1",
                                               "``exp(x) modified_bessel_k1(x)``.")
spherical_bessel_j0 = _nondifferentiable("spherical_bessel_j0", "``sin(x) / x`` (1 at 0).")
_POLY_DOC = "The {} polynomial of degree ``n`` (a tensor or number, truncated) at ``input``."
chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, \
    chebyshev_polynomial_w, shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, \
    shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w, hermite_polynomial_h, \
    hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p = (
        _nondifferentiable(n, _POLY_DOC.format(d), nargs=2) for n, d in (
            ("chebyshev_polynomial_t", "Chebyshev (first kind) T"),
            ("chebyshev_polynomial_u", "Chebyshev (second kind) U"),
            ("chebyshev_polynomial_v", "Chebyshev (third kind) V"),
            ("chebyshev_polynomial_w", "Chebyshev (fourth kind) W"),
            ("shifted_chebyshev_polynomial_t", "shifted Chebyshev T*"),
            ("shifted_chebyshev_polynomial_u", "shifted Chebyshev U*"),
            ("shifted_chebyshev_polynomial_v", "shifted Chebyshev V*"),
            ("shifted_chebyshev_polynomial_w", "shifted Chebyshev W*"),
            ("hermite_polynomial_h", "physicists' Hermite H"),
            ("hermite_polynomial_he", "probabilists' Hermite He"),
            ("laguerre_polynomial_l", "Laguerre L"),
            ("legendre_polynomial_p", "Legendre P")))


# PyTorch's node names where one Op serves several functions or overloads
igammac = named_as(igammac, "IgammacBackward0")
xlog1py = named_as(xlog1py, "SpecialXlog1PyBackward0")
xlogy = named_as(xlogy, lambda a, k: "XlogyBackward0" if tensor_operand(a, k)
                 else "XlogyBackward2")
mvlgamma = named_as(mvlgamma, "MvlgammaBackward0")
