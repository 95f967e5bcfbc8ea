"""einsum, cumprod and the rounding ops (floor, ceil, round, trunc, frac)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

from .._dtype import np_kind
from ..autograd import engine
from ..autograd import inplace as _inplace
from ..autograd.engine import Op
from . import xp
from .common import check_inplace_dtype, to_tensor, write_result
from .elementwise import Where
from .scan import Cumsum
from .shape import Flip, norm_dim

# ------------------------------------------------------------------------------------- einsum

# Above this many multiply-adds a 2-operand einsum pays for np.einsum's path search, which
# hands the contraction to BLAS (measured crossover: 4x16x16 @ 4x16x16 no, 4x32x32 yes)
_OPTIMIZE_MIN_FLOPS = 32768


def _np_einsum(eq: str, arrays: tuple) -> np.ndarray:
    optimize = len(arrays) >= 3
    if len(arrays) == 2:
        sizes = dict(zip(eq.split("->")[0].replace(",", ""), arrays[0].shape + arrays[1].shape))
        flops = 1
        for n in sizes.values():
            flops *= n
        optimize = flops > _OPTIMIZE_MIN_FLOPS
    return xp.einsum(eq, *arrays, optimize=optimize)


class Einsum(Op):
    """``np.einsum(eq, *operands)`` for a canonical equation: explicit ``->``, letters only, every
    label's size equal across operands (the public ``einsum`` resolves '...', implicit outputs and
    size-1 broadcasting first). Input subscripts may repeat a label (a diagonal)."""

    @staticmethod
    def forward(ctx, *arrays, eq=""):
        ctx.eq = eq
        return _np_einsum(eq, arrays)

    @staticmethod
    def backward(ctx, g):
        ins, out_subs = ctx.eq.split("->")
        subs = ins.split(",")
        xs = ctx.inputs
        sizes = {c: s for sub, x in zip(subs, xs) for c, s in zip(sub, x.shape)}
        grads = []
        for i, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            # d out / d x_i: g times every other operand, contracted onto x_i's labels
            ops = [g] + [x for j, x in enumerate(xs) if j != i]
            op_subs = [out_subs] + [s for j, s in enumerate(subs) if j != i]
            target = "".join(dict.fromkeys(subs[i]))  # unique labels, first-seen order
            seen = set("".join(op_subs))
            missing = "".join(c for c in target if c not in seen)
            if missing:  # labels summed only within x_i: the gradient is constant along them
                ops.append(np.broadcast_to(np.ones((), _dtype(g)),
                                           tuple(sizes[c] for c in missing)))
                op_subs.append(missing)
            gi = Einsum.call(*ops, eq=",".join(op_subs) + "->" + target)
            if len(target) != len(subs[i]):
                gi = _embed_diagonal(gi, target, subs[i], sizes)
            grads.append(gi)
        return tuple(grads)


def einsum(equation: Any, *operands: Any) -> Any:
    """Sum of products over the subscripts of ``equation`` (torch.einsum): 'ij,jk->ik',
    implicit outputs ('ij,jk'), diagonals ('ii->i'), broadcasting '...', any number of operands,
    given as varargs or one list, or in the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.
    Differentiable to any order (the backward of an einsum is einsums)."""
    if not isinstance(equation, str):  # sublist format: op, [dims], op, [dims], ..., [out]
        args = (equation,) + operands
        pairs, out = args[: len(args) // 2 * 2], args[len(args) // 2 * 2:]

        def letters(dims: Any) -> str:
            for e in dims:
                if e is not Ellipsis and not (isinstance(e, int) and 0 <= e < 52):
                    raise ValueError(f"einsum(): subscript in subscript list is not within the "
                                     f"valid range [0, 52), got {e!r}")
            return "".join("..." if e is Ellipsis else _LETTERS[e] for e in dims)

        equation = ",".join(letters(s) for s in pairs[1::2])
        if out:
            equation += "->" + letters(out[0])
        operands = tuple(pairs[0::2])
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [to_tensor(t) for t in operands]
    eq, targets = parse_einsum(equation, tuple(tuple(t.shape) for t in ts))
    dtypes = {t._data.dtype for t in ts}
    if len(dtypes) > 1:
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                           f"{', '.join(str(t.dtype) for t in ts)}")
    ts = [t if t.shape == tgt else t.expand(*tgt) for t, tgt in zip(ts, targets)]
    return Einsum.apply(*ts, eq=eq)


def _dtype(a) -> np.dtype:
    return a._data.dtype if isinstance(a, engine.Tensor) else np.asarray(a).dtype


def _embed_diagonal(gu, target: str, full: str, sizes: dict):
    """The gradient over ``full`` (labels repeated, e.g. 'iij') from ``gu`` over its unique labels
    ``target`` ('ij'): zero off the diagonal. Each repeat gets a fresh label tied to its first
    occurrence by an identity matrix, so this is one (differentiable) einsum."""
    free = iter(c for c in _LETTERS if c not in full)
    out, ops, op_subs, seen = [], [gu], [target], set()
    for c in full:
        if c in seen:
            f = next(free)
            ops.append(np.eye(sizes[c], dtype=_dtype(gu)))
            op_subs.append(c + f)
            out.append(f)
        else:
            seen.add(c)
            out.append(c)
    return Einsum.call(*ops, eq=",".join(op_subs) + "->" + "".join(out))


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@lru_cache(maxsize=512)  # a training loop parses the same equation and shapes every step
def parse_einsum(equation: str, shapes: tuple) -> tuple:
    """torch.einsum's equation rules resolved against the operands' shapes.

    Returns ``(eq, targets)``: the canonical equation for :class:`Einsum` (letters only, explicit
    output; '...' replaced by fresh letters, right-aligned per operand; an implicit output is the
    '...' dims then the labels seen exactly once, sorted, A-Z before a-z) and, per operand, the
    shape it must be expanded to (size-1 dims of a label broadcast, as in torch)."""
    bad = next((i for i, c in enumerate(equation) if c not in _LETTERS and c not in " .,->"), None)
    if bad is not None:
        raise RuntimeError(f"einsum(): invalid subscript given at index {bad} in the equation "
                           f"string, subscripts must be in [a-zA-Z]")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    if "-" in lhs or ">" in lhs or "-" in rhs or ">" in rhs or "," in rhs:
        raise RuntimeError(f"einsum(): malformed equation {equation!r}: expected "
                           f"'subscripts,...' optionally followed by one '->output'")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    n_ell = 0
    for i, (t, shp) in enumerate(zip(terms, shapes)):
        labels = t.replace("...", "")
        if "." in labels or t.count("...") > 1:
            raise RuntimeError(f"einsum(): found '.' for operand {i} that is not part of any "
                               f"ellipsis (at most one '...' per operand)")
        if "..." in t:
            if len(labels) > len(shp):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(labels)}) is more than the number of dimensions "
                                   f"({len(shp)}) for operand {i}")
            n_ell = max(n_ell, len(shp) - len(labels))
        elif len(labels) != len(shp):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) does not match the number of dimensions "
                               f"({len(shp)}) for operand {i} and no ellipsis was given")
    ell = "".join([c for c in _LETTERS if c not in eq][:n_ell])
    if len(ell) < n_ell:
        raise RuntimeError(f"einsum(): too many dimensions: {n_ell} under '...' plus the "
                           f"subscripts exceed the 52 letters [a-zA-Z]")
    # an operand's k '...' dims take the last k of the fresh letters (right-aligned broadcasting)
    subs = [t.replace("...", ell[n_ell - (len(shp) - len(t) + 3):])
            for t, shp in zip(terms, shapes)]
    sizes: dict = {}
    for i, (sub, shp) in enumerate(zip(subs, shapes)):
        own: dict = {}
        for c, n in zip(sub, shp):
            if own.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {own[c]}")
            prev = sizes.get(c, 1)
            if n != prev and prev != 1 and n != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
            sizes[c] = max(n, prev) if n != 0 and prev != 0 else 0
    if arrow:
        if rhs.replace("...", "").count(".") or rhs.count("...") > 1:
            raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis")
        out = rhs.replace("...", ell)
        for c in rhs.replace("...", ""):
            if rhs.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   f"the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   f"equation for any input operand")
    else:
        joined = "".join(subs)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1
                                   and c not in ell))
    targets = tuple(tuple(sizes[c] for c in sub) for sub in subs)
    return ",".join(subs) + "->" + out, targets


# ------------------------------------------------------------------------------------ cumprod


def _rev_cumsum(a: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.cumsum(np.flip(a, axis), axis), axis)


def _cumprod_grad_np(x: np.ndarray, g: np.ndarray, out: np.ndarray, d: int) -> np.ndarray:
    """O(n) gradient of cumprod along ``d``, exact with zeros in ``x`` (PyTorch's rule).

    Before a slice's first zero: sum_{j>=i} g_j out_j / x_i. At the first zero z: the suffix
    sum of g_j * (prefix product with x_z replaced by 1), which is itself zero past a second
    zero. After the first zero: 0 (every product through it holds x_z = 0).
    """
    is_zero = x == 0
    if not is_zero.any():
        return _rev_cumsum(g * out, d) / x
    nz = np.cumsum(is_zero, axis=d)
    before = nz == 0
    first = is_zero & (nz == 1)
    grad = np.zeros(np.broadcast_shapes(g.shape, x.shape), dtype=np.result_type(g, x))
    np.divide(_rev_cumsum(np.where(before, g * out, 0), d), x, out=grad, where=before)
    out_skip = np.cumprod(np.where(first, 1, x), axis=d)
    np.copyto(grad, _rev_cumsum(g * out_skip, d), where=first)
    return grad


def _cumprod_grad_graph(x, g, out, d: int):
    """The same gradient built from differentiable ops (create_graph). Without zeros it is the
    suffix-sum rule; with zeros it is dense, as PyTorch's: grad_i = sum_j g_j M[i, j] with
    M[i, j] = [j >= i] * prod_{m <= j, m != i} x_m, each row a cumprod of x with x_i set to 1."""
    if not (x._data == 0).any():
        return Flip.call(Cumsum.call(Flip.call(g * out, dims=(d,)), dim=d), dims=(d,)) / x
    xl = x.transpose(d, -1)  # a swap: its own inverse
    n = xl.shape[-1]
    eye = np.eye(n, dtype=bool)
    # row i: x with x_i set to 1 (where(eye, 1, x) broadcast to (..., n, n)), then its cumprod
    rows = Cumprod.call(Where.call(eye, np.ones((), x._data.dtype), xl.unsqueeze(-2)), dim=xl.ndim)
    m = rows * np.triu(np.ones((n, n), dtype=x._data.dtype))
    return (m @ g.transpose(d, -1).unsqueeze(-1)).squeeze(-1).transpose(d, -1)


class Cumprod(Op):
    grad_fn_name = "CumprodBackward0"
    saves_out = True

    @staticmethod
    def forward(ctx, x, dim=0):
        ctx.dim = dim
        return np.cumprod(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        x, d = ctx.inputs[0], ctx.dim
        if isinstance(g, engine.Tensor):
            return _cumprod_grad_graph(x, g, ctx.out, d)
        return _cumprod_grad_np(x, g, ctx.out, d)


def cumprod(input: Any, dim: int, dtype: Any = None) -> Any:
    """Running product along ``dim`` (same shape; integer/bool input gives int64). The
    gradient is exact with zeros in the input and differentiable again."""
    x = input if dtype is None else input.to(dtype)
    if x.ndim == 0:
        norm_dim(dim, 1, "cumprod")
        return Cumprod.apply(x.reshape(1), dim=0).reshape(())
    return Cumprod.apply(x, dim=norm_dim(dim, x.ndim, "cumprod"))


# ------------------------------------------------------------------------------------ rounding


def cumprod_(input: Any, dim: int, dtype: Any = None) -> Any:
    """In-place ``cumprod`` along ``dim``."""
    check_inplace_dtype(input, dtype, "cumprod_")
    return write_result(input, cumprod, "cumprod_", dim, dtype)


def _round(x: np.ndarray, decimals: int) -> np.ndarray:
    """Half to even, as torch: rint(x * 10^d) / 10^d (x / 10^-d ... for d < 0), in x's dtype."""
    if decimals == 0:
        return np.rint(x)
    scale = x.dtype.type(10.0 ** abs(decimals))
    return np.rint(x * scale) / scale if decimals > 0 else np.rint(x / scale) * scale


_ROUNDERS = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}


class Rounding(Op):
    """floor / ceil / trunc / round(decimals): piecewise constant, so the gradient is zero
    (as PyTorch's, not undefined)."""

    @classmethod
    def node_name(cls, node: Any) -> str:
        mode = node.params.get("mode", "floor")
        if mode == "round":  # round() and round(decimals=): PyTorch's two overloads
            return "RoundBackward1" if node.params.get("decimals") else "RoundBackward0"
        return mode.capitalize() + "Backward0"

    saved_inputs = ()

    @staticmethod
    def forward(ctx, x, mode="floor", decimals=0):
        if mode == "round":
            return _round(x, decimals)
        return _ROUNDERS[mode](x)

    @staticmethod
    def backward(ctx, g):
        return g * 0 if isinstance(g, engine.Tensor) else np.zeros_like(g)


class Frac(Op):
    """x - trunc(x) (sign of x kept); gradient 1."""
    grad_fn_name = "FracBackward0"
    saved_inputs = ()

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


def rounding(x: Any, mode: str, decimals: int = 0, inplace: bool = False) -> Any:
    """floor / ceil / trunc / round(decimals) / frac of ``x`` (in place with ``inplace``);
    integer input is already whole: returned unchanged (a copy), as torch."""
    kind = np_kind(x._data.dtype)
    name = mode + ("_" if inplace else "")
    if kind == "b" or (kind != "f" and (mode == "frac" or decimals)):
        raise NotImplementedError(f"{name}(): not implemented for {x.dtype} input"
                                  f"{' with decimals' if decimals else ''} (expected a "
                                  f"floating point tensor)")
    if kind != "f":
        return x if inplace else x.clone()
    op, params = (Frac, {}) if mode == "frac" else (Rounding, {"mode": mode,
                                                               "decimals": int(decimals)})
    return _inplace.apply(x, op, **params) if inplace else op.apply(x, **params)


def _rounder(mode: str, doc: str, inplace: bool = False) -> Callable:
    if mode == "round":
        def fn(input: Any, decimals: int = 0) -> Any:
            return rounding(input, mode, decimals, inplace)
    else:
        def fn(input: Any) -> Any:
            return rounding(input, mode, 0, inplace)

    fn.__name__ = fn.__qualname__ = mode + ("_" if inplace else "")
    fn.__doc__ = doc
    return fn


floor, ceil, trunc, round, frac = (_rounder(m, d) for m, d in (
    ("floor", "Largest integer <= x, elementwise (gradient 0; integer input returned as is)."),
    ("ceil", "Smallest integer >= x, elementwise (gradient 0; integer input returned as is)."),
    ("trunc", "x rounded toward zero, elementwise (gradient 0; integer input returned as is)."),
    ("round", "x rounded to ``decimals`` places, halves to even as torch (2.5 -> 2, -0.5 -> -0);"
              " negative ``decimals`` round to tens, hundreds... Gradient 0."),
    ("frac", "x - trunc(x) (keeps x's sign); gradient 1.")))
floor_, ceil_, trunc_, round_, frac_ = (_rounder(m, f"In-place {m}.", inplace=True)
                                        for m in ("floor", "ceil", "trunc", "round", "frac"))


