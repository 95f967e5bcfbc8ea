"""The shared table of differentiable ops checked by the engine's test suite.

Each :class:`Case` names an op, how to call it (``fn(L, *xs, **kw)`` where ``L`` is a small
namespace over either autograd_nn or PyTorch, so one lambda serves both libraries), a hypothesis
strategy of input shapes (+ keyword arguments), fixed shapes for the PyTorch comparison, the
value domain of each input (to stay off kinks and out of undefined regions) and whether the
second derivative is identically zero (then gradgradcheck is skipped).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_nn as an

# ------------------------------------------------------------------------ library namespaces


def _ours_ns() -> SimpleNamespace:
    """autograd_nn with a tiny functional shim built from Tensor methods (so these tests depend
    only on the engine, not on nn.functional)."""
    F = SimpleNamespace(
        gelu=lambda x, approximate="none": x.gelu(approximate=approximate),
        elu=lambda x, alpha=1.0: x.elu(alpha),
        leaky_relu=lambda x, negative_slope=0.01: x.leaky_relu(negative_slope),
        softplus=lambda x, beta=1.0, threshold=20.0: x.softplus(beta, threshold),
        silu=lambda x: x.silu(),
        relu=lambda x: x.relu(),
        pad=lambda x, p, mode="constant", value=None: an.pad(x, p, mode, value),
        one_hot=lambda x, num_classes=-1: an.one_hot(x, num_classes),
        mse_loss=lambda x, y, reduction="mean": an.nn.functional.mse_loss(x, y,
                                                                          reduction=reduction),
    )
    return SimpleNamespace(m=an, F=F, t=lambda a: an.tensor(a), name="ours")


def _torch_ns() -> SimpleNamespace:
    import torch
    import torch.nn.functional as TF

    return SimpleNamespace(m=torch, F=TF, t=lambda a: torch.tensor(a), name="torch")


OURS = _ours_ns()

# ---------------------------------------------------------------------------- value domains


def values(shape: tuple, domain: str, rng: np.random.Generator) -> np.ndarray:
    """float64 values for one input: ``any`` in (-2, 2), ``pos`` in (0.5, 2), ``away0``
    with |x| in (0.2, 2) (off the kink at 0), ``unit`` in (-0.9, 0.9), ``distinct`` in (-2, 2)
    pairwise >= 0.1 apart, ``zeros``: ``any`` with about a third of the entries exactly 0."""
    if domain == "any":
        return rng.uniform(-2, 2, shape)
    if domain == "pos":
        return rng.uniform(0.5, 2, shape)
    if domain == "away0":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2, shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "distinct":  # pairwise >= 0.1 apart: off std's kink at zero spread (a std of
        # two values closer than the difference step is |a - b| / 2 near its corner)
        n = int(np.prod(shape))
        grid = (rng.permutation(n) - n / 2) * (4.0 / max(n, 1)) + rng.uniform(0, 0.01, n)
        return grid.reshape(shape)
    if domain == "zeros":  # exact zeros among the values (prod's gradient with 0, 1, 2+ zeros)
        x = rng.uniform(-2, 2, shape)
        return np.where(rng.random(shape) < 0.35, 0.0, x)
    raise ValueError(domain)


# ------------------------------------------------------------------------- shape strategies

SIDE = 3


def _shape(min_dims: int = 0, max_dims: int = 3) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=SIDE)


UNARY = _shape().map(lambda s: ([s], {}))
BINARY = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=SIDE,
                                           min_side=1).map(lambda b: (list(b.input_shapes), {}))


@st.composite
def _reduce(draw: Any, multi: bool = True, keep: bool = True, allow_none: bool = True,
            extra: dict | None = None) -> tuple:
    """A shape and a ``dim`` (None, an int (maybe negative) or a tuple) plus ``keepdim``."""
    shape = draw(_shape(min_dims=1))
    n = len(shape)
    choices = ["int"] + (["none"] if allow_none else []) + (["tuple"] if multi else [])
    kind = draw(st.sampled_from(choices))
    kw: dict = {}
    if kind == "int":
        kw["dim"] = draw(st.integers(-n, n - 1))
    elif kind == "tuple":
        kw["dim"] = tuple(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n,
                                        unique=True)))
    if keep and kind != "none":  # torch's sum/mean/prod take keepdim only beside a dim
        kw["keepdim"] = draw(st.booleans())
    for k, strat in (extra or {}).items():
        kw[k] = draw(strat)
    return [shape], kw


@st.composite
def _one_dim(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    return [shape], {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def _matmul(draw: Any) -> tuple:
    """1-D, 2-D, mixed and batched-broadcasting matmul operand shapes."""
    m, k, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["vv", "mm", "vm", "mv", "batched"]))
    if kind == "vv":
        return [(k,), (k,)], {}
    if kind == "mm":
        return [(m, k), (k, n)], {}
    if kind == "vm":
        return [(k,), (2, k, n)] if draw(st.booleans()) else [(k,), (k, n)], {}
    if kind == "mv":
        return [(2, m, k), (k,)] if draw(st.booleans()) else [(m, k), (k,)], {}
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                               max_side=2, min_side=1))
    sa, sb = b.input_shapes
    return [tuple(sa) + (m, k), tuple(sb) + (k, n)], {}


@st.composite
def _permute(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    return [shape], {"dims": tuple(draw(st.permutations(range(len(shape)))))}


@st.composite
def _transpose(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    n = len(shape)
    return [shape], {"dim0": draw(st.integers(-n, n - 1)), "dim1": draw(st.integers(-n, n - 1))}


@st.composite
def _reshape(draw: Any) -> tuple:
    """A shape and another of the same size (one entry maybe -1)."""
    shape = draw(_shape(min_dims=0))
    size = int(np.prod(shape))
    target, rest = [], size
    while rest > 1:
        f = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        target.append(f)
        rest //= f
        if f == 1 and draw(st.booleans()):
            break
    target += [rest] if rest > 1 else []
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return [shape], {"shape": tuple(target)}


@st.composite
def _flatten(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    n = len(shape)
    a, b = sorted([draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))])
    return [shape], {"start_dim": a, "end_dim": b - n if draw(st.booleans()) else b}


@st.composite
def _squeeze(draw: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    return [shape], {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def _expand(draw: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=2))
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    sizes = lead + tuple(draw(st.integers(1, 3)) if s == 1 else
                         draw(st.sampled_from([s, -1])) for s in shape)
    return [shape], {"sizes": sizes}


@st.composite
def _repeat(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=0, max_dims=2))
    extra = draw(st.integers(0 if shape else 1, 1))  # torch: at least one size, even for 0-d
    return [shape], {"sizes": tuple(draw(st.integers(1, 2)) for _ in range(len(shape) + extra))}


@st.composite
def _cat(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(shape)
        s[d] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    return shapes, {"dim": d - len(shape) if draw(st.booleans()) else d}


@st.composite
def _stack(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=0))
    k = draw(st.integers(1, 3))
    return [shape] * k, {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def _split(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    return [shape], {"split_size_or_sections": draw(st.integers(1, 3)), "dim": d}


@st.composite
def _basic_index(draw: Any) -> tuple:
    """Ints (maybe negative), slices with steps, None and Ellipsis."""
    shape = draw(_shape(min_dims=1))
    idx: list = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            a = draw(st.integers(-n, n))
            idx.append(slice(a, draw(st.integers(a, n + 1)) if a >= 0 else None,
                             draw(st.integers(1, 2))))
        else:
            idx.append(slice(None))
    if draw(st.booleans()):
        idx.insert(draw(st.integers(0, len(idx))), None)
    if draw(st.booleans()) and len(idx) > 1:  # replace a trailing run by Ellipsis
        idx = idx[:draw(st.integers(1, len(idx) - 1))] + [Ellipsis]
    return [shape], {"idx": tuple(idx)}


@st.composite
def _advanced_index(draw: Any) -> tuple:
    """An integer array (repeats included) or a boolean mask on one dim."""
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    if draw(st.booleans()):
        arr = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
    else:
        arr = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return [shape], {"dim": d, "index": arr}


@st.composite
def _gather(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    ishape = tuple(draw(st.integers(1, s)) if i != d else draw(st.integers(1, 4))
                   for i, s in enumerate(shape))
    seed = draw(st.integers(0, 1000))
    index = np.random.default_rng(seed).integers(0, shape[d], ishape)
    return [shape], {"dim": d, "index": index}


@st.composite
def _index_select(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    index = np.array(draw(st.lists(st.integers(0, shape[d] - 1), min_size=1, max_size=4)))
    return [shape], {"dim": d, "index": index}


@st.composite
def _pad(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    pad = []
    for i in range(k):
        n = shape[len(shape) - 1 - i]
        pad += [draw(st.integers(-(n - 1) // 2, 2)), draw(st.integers(-(n - 1) // 2, 2))]
    return [shape], {"pad": tuple(pad), "value": draw(st.sampled_from([0.0, -1.5]))}


@st.composite
def _where3(draw: Any) -> tuple:
    """Condition, input and other all broadcasting against each other."""
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                               max_side=SIDE, min_side=1))
    sc, sa, sb = b.input_shapes
    return [sa, sb], {"cshape": tuple(sc)}


@st.composite
def _clamp(draw: Any) -> tuple:
    """Scalar bounds: min only, max only, both (min > max included: the result is max)."""
    bound = st.sampled_from([-1.3, -0.4, 0.0, 0.6, 1.5])
    kind = draw(st.sampled_from(["min", "max", "both"]))
    kw = {k: draw(bound) for k in ("min", "max") if kind in (k, "both")}
    return [draw(_shape())], kw


@st.composite
def _bounds(draw: Any) -> tuple:
    """An input and tensor bounds that broadcast to its shape (torch's clamp backward fails
    when the bounds broadcast the input to a larger shape)."""
    shape = draw(_shape())

    def bound() -> tuple:
        k = draw(st.integers(0, len(shape)))
        return tuple(draw(st.sampled_from([1, s])) for s in shape[len(shape) - k:])

    return [shape, bound(), bound()], {}


def _with(strategy: st.SearchStrategy, **extra: st.SearchStrategy) -> st.SearchStrategy:
    """``strategy`` with more keyword arguments drawn from ``extra``."""
    return st.tuples(strategy, st.fixed_dictionaries(extra)).map(
        lambda t: (t[0][0], {**t[0][1], **t[1]}))


@st.composite
def _masked_fill_args(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    mshape = draw(hnp.broadcastable_shapes(shape, min_side=1))
    return [shape], {"mshape": tuple(mshape), "value": draw(st.sampled_from([0.0, -1.5, 3.0]))}


@st.composite
def _bool_mask(draw: Any) -> tuple:
    """A boolean mask over the whole tensor or over its leading dims."""
    shape = draw(_shape(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    return [shape], {"mshape": shape[:k], "seed": draw(st.integers(0, 100))}


@st.composite
def _multi_index(draw: Any) -> tuple:
    """Two integer index arrays (0-d ones included) that broadcast together, adjacent (their
    result dims stay in place) or separated by a slice (they move to the front), as PyTorch."""
    shape = draw(hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=3))
    dims = draw(st.sampled_from([(0, 2), (1, 2), (0, 1)]))
    # a 0-d index acts as an int: torch applies it first, so the other array's dims stay put
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                               max_side=3, min_side=1))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    arrs = [rng.integers(-shape[d], shape[d], s) for d, s in zip(dims, b.input_shapes)]
    return [shape], {"dims": dims, "arrays": tuple(arrs)}


def _multi_index_fn(L: Any, x: Any, dims: tuple, arrays: tuple) -> Any:
    idx: list = [slice(None)] * x.ndim
    for d, a in zip(dims, arrays):
        idx[d] = L.t(a)
    return x[tuple(idx)]


@st.composite
def _pad_mode(draw: Any) -> tuple:
    """reflect / replicate / circular padding of the last 1 or 2 dims of a (batched) input,
    within each mode's limits (reflect: pad < size; circular: pad <= size)."""
    mode = draw(st.sampled_from(["reflect", "replicate", "circular"]))
    k = draw(st.integers(1, 2))
    shape = draw(hnp.array_shapes(min_dims=k + 1, max_dims=k + 2, min_side=1, max_side=3))
    if mode == "reflect":
        shape = shape[:-k] + tuple(max(s, 2) for s in shape[-k:])
    pad: list = []
    for i in range(k):
        n = shape[-1 - i]
        hi = {"reflect": n - 1, "circular": n, "replicate": 2}[mode]
        pad += [draw(st.integers(0, hi)), draw(st.integers(0, hi))]
    return [shape], {"pad": tuple(pad), "mode": mode}


@st.composite
def _unsqueeze(draw: Any) -> tuple:
    shape = draw(_shape())
    return [shape], {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def _squeeze_dims(draw: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                         max_size=len(shape)).filter(
        lambda ds: len({d % len(shape) for d in ds}) == len(ds)))
    return [shape], {"dim": tuple(dims)}


def _index_on(L: Any, x: Any, dim: int, index: np.ndarray) -> Any:
    return x[(slice(None),) * dim + (L.t(index),)]


def fixed(*shapes: tuple, **kw: Any) -> st.SearchStrategy:
    strategy = st.just((list(shapes), kw))
    strategy.is_fixed = True  # nothing to draw: the drawn-shape tests skip it
    return strategy


# ------------------------------------------------------------------------------------ cases


class Case:
    def __init__(self, name: str, fn: Callable, strategy: st.SearchStrategy,
                 example: tuple, domains: Any = "any", second: bool = True,
                 f32_tol: float = 1e-5) -> None:
        self.name = name
        self.fn = fn
        self.strategy = strategy
        self.example = example  # (shapes, kwargs) used for the PyTorch comparison
        self.domains = domains
        self.second = second  # second derivative not identically zero: run gradgradcheck
        self.f32_tol = f32_tol
        self.drawn = not getattr(strategy, "is_fixed", False)

    def domain(self, i: int) -> str:
        return self.domains if isinstance(self.domains, str) else self.domains[i]

    def arrays(self, shapes: list, seed: int) -> list:
        rng = np.random.default_rng(seed)
        return [values(tuple(s), self.domain(i), rng) for i, s in enumerate(shapes)]

    def __repr__(self) -> str:
        return self.name


def _mask(shape: tuple, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape) < 0.5


def _where(L: Any, a: Any, b: Any) -> Any:
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return L.m.where(L.t(_mask(shape)), a, b)


def _masked_fill(L: Any, x: Any) -> Any:
    return x.masked_fill(L.t(_mask((x.shape[-1],), 1)), -1.5)


U2 = ([(2, 3)], {})
B2 = ([(2, 3), (3,)], {})

CASES = [
    # arithmetic (broadcasting pairs)
    Case("add", lambda L, a, b: a + b, BINARY, B2, second=False),
    Case("sub", lambda L, a, b: a - b, BINARY, B2, second=False),
    Case("mul", lambda L, a, b: a * b, BINARY, B2),
    Case("div", lambda L, a, b: a / b, BINARY, B2, ("any", "away0")),
    Case("pow", lambda L, a, b: a ** b, BINARY, B2, ("pos", "any")),
    Case("pow_scalar", lambda L, x: x ** 3, UNARY, U2),
    Case("pow_frac", lambda L, x: x ** 2.5, UNARY, U2, "pos"),
    Case("rpow", lambda L, x: 2.0 ** x, UNARY, U2),
    Case("rsub_scalar", lambda L, x: 1.5 - x, UNARY, U2, second=False),
    Case("rdiv_scalar", lambda L, x: 1.5 / x, UNARY, U2, "away0"),
    Case("matmul", lambda L, a, b: a @ b, _matmul(), ([(2, 1, 2, 3), (3, 3, 2)], {})),
    Case("neg", lambda L, x: -x, UNARY, U2, second=False),
    # unary math
    Case("exp", lambda L, x: x.exp(), UNARY, U2),
    Case("log", lambda L, x: x.log(), UNARY, U2, "pos"),
    Case("log1p", lambda L, x: x.log1p(), UNARY, U2, "pos"),
    Case("sqrt", lambda L, x: x.sqrt(), UNARY, U2, "pos"),
    Case("rsqrt", lambda L, x: x.rsqrt(), UNARY, U2, "pos"),
    Case("abs", lambda L, x: x.abs(), UNARY, U2, "away0", second=False),
    Case("clamp", lambda L, x: x.clamp(-0.5, 0.7), UNARY, U2, second=False),
    Case("clamp_min", lambda L, x: x.clamp(min=0.3), UNARY, U2, second=False),
    Case("maximum", lambda L, a, b: L.m.maximum(a, b), BINARY, B2, second=False),
    Case("minimum", lambda L, a, b: L.m.minimum(a, b), BINARY, B2, second=False),
    Case("where", _where, BINARY, B2, second=False),
    Case("sin", lambda L, x: x.sin(), UNARY, U2),
    Case("tan", lambda L, x: x.tan(), UNARY, U2, "unit"),
    Case("asin", lambda L, x: x.asin(), UNARY, U2, "unit"),
    Case("acos", lambda L, x: x.acos(), UNARY, U2, "unit"),
    Case("atan", lambda L, x: x.atan(), UNARY, U2),
    Case("sinh", lambda L, x: x.sinh(), UNARY, U2),
    Case("cosh", lambda L, x: x.cosh(), UNARY, U2),
    Case("asinh", lambda L, x: x.asinh(), UNARY, U2),
    Case("acosh", lambda L, x: (x + 1.0).acosh(), UNARY, U2, "pos"),
    Case("atanh", lambda L, x: x.atanh(), UNARY, U2, "unit"),
    Case("log2", lambda L, x: x.log2(), UNARY, U2, "pos"),
    Case("log10", lambda L, x: x.log10(), UNARY, U2, "pos"),
    Case("expm1", lambda L, x: x.expm1(), UNARY, U2),
    Case("exp2", lambda L, x: x.exp2(), UNARY, U2),
    Case("cos", lambda L, x: x.cos(), UNARY, U2),
    Case("tanh", lambda L, x: x.tanh(), UNARY, U2),
    Case("sigmoid", lambda L, x: x.sigmoid(), UNARY, U2),
    # activations
    Case("relu", lambda L, x: x.relu(), UNARY, U2, "away0", second=False),
    Case("leaky_relu", lambda L, x: L.F.leaky_relu(x, 0.2), UNARY, U2, "away0", second=False),
    Case("elu", lambda L, x: L.F.elu(x, 0.7), UNARY, U2, "away0"),
    Case("gelu", lambda L, x: L.F.gelu(x), UNARY, U2),
    Case("gelu_tanh", lambda L, x: L.F.gelu(x, approximate="tanh"), UNARY, U2),
    Case("silu", lambda L, x: L.F.silu(x), UNARY, U2),
    Case("softplus", lambda L, x: L.F.softplus(x), UNARY, U2),
    Case("softplus_beta", lambda L, x: L.F.softplus(x * 3, beta=2.0, threshold=4.0), UNARY,
         U2, "away0"),
    # reductions
    Case("sum", lambda L, x, **k: x.sum(**k), _reduce(), ([(2, 3)], {"dim": (0, 1)}),
         second=False),
    Case("mean", lambda L, x, **k: x.mean(**k), _reduce(), ([(2, 3)], {"dim": -1}),
         second=False),
    Case("var", lambda L, x, **k: x.var(**k),
         _reduce(extra={"correction": st.sampled_from([0, 1])}).filter(
             lambda c: _reduced_n(c) > c[1]["correction"]),
         ([(2, 3)], {"dim": 1, "correction": 0})),
    Case("var_unbiased", lambda L, x, **k: x.var(**k), _reduce(allow_none=False).filter(
        lambda c: _reduced_n(c) > 1), ([(3, 2)], {"dim": 0})),
    Case("std", lambda L, x, **k: x.std(**k), _reduce().filter(lambda c: _reduced_n(c) > 1),
         ([(2, 3)], {"dim": 1}), "distinct"),
    Case("std_biased", lambda L, x: x.std(unbiased=False), UNARY.filter(
        lambda c: int(np.prod(c[0][0])) > 1), U2, "distinct"),
    Case("max_all", lambda L, x: x.max(), UNARY, U2, second=False),
    Case("min_all", lambda L, x: x.min(), UNARY, U2, second=False),
    Case("max_dim", lambda L, x, **k: x.max(**k).values, _reduce(multi=False, allow_none=False),
         ([(2, 3)], {"dim": 1}), second=False),
    Case("min_dim", lambda L, x, **k: x.min(**k)[0], _reduce(multi=False, allow_none=False),
         ([(2, 3)], {"dim": 0, "keepdim": True}), second=False),
    Case("amax", lambda L, x, **k: x.amax(**k), _reduce(allow_none=False),
         ([(2, 3, 2)], {"dim": (0, 2)}), second=False),
    Case("amin", lambda L, x, **k: x.amin(**k), _reduce(allow_none=False),
         ([(2, 3)], {"dim": -1}), second=False),
    Case("logsumexp", lambda L, x, **k: x.logsumexp(**k), _reduce(allow_none=False),
         ([(2, 3)], {"dim": 1})),
    Case("prod", lambda L, x, **k: x.prod(**k), _reduce(multi=False), ([(2, 3)], {"dim": 1})),
    Case("norm2", lambda L, x, **k: x.norm(p=2, **k), _reduce(), ([(2, 3)], {"dim": 1})),
    Case("norm1", lambda L, x, **k: x.norm(p=1, **k), _reduce(), ([(2, 3)], {"dim": 1}),
         "away0", second=False),
    Case("norm3", lambda L, x, **k: x.norm(p=3, **k), _reduce(), ([(2, 3)], {"dim": 0}),
         "away0"),
    Case("norm_inf", lambda L, x, **k: x.norm(p=float("inf"), **k), _reduce(),
         ([(2, 3)], {"dim": 1}), "away0", second=False),
    Case("softmax", lambda L, x, **k: x.softmax(**k), _one_dim(), ([(2, 3)], {"dim": 1})),
    Case("log_softmax", lambda L, x, **k: x.log_softmax(**k), _one_dim(),
         ([(2, 3)], {"dim": 0})),
    # shape
    Case("reshape", lambda L, x: x.reshape(3, -1), fixed((2, 3)), U2, second=False),
    Case("view", lambda L, x: x.view(6), fixed((2, 3)), U2, second=False),
    Case("flatten", lambda L, x: x.flatten(1), fixed((2, 3, 2)), ([(2, 3, 2)], {}),
         second=False),
    Case("squeeze", lambda L, x: x.squeeze(1), fixed((2, 1, 3)), ([(2, 1, 3)], {}),
         second=False),
    Case("squeeze_all", lambda L, x: x.squeeze(), fixed((1, 2, 1)), ([(1, 2, 1)], {}),
         second=False),
    Case("unsqueeze", lambda L, x: x.unsqueeze(-1), UNARY, U2, second=False),
    Case("transpose", lambda L, x: x.transpose(0, -1), fixed((2, 3, 2)), ([(2, 3, 2)], {}),
         second=False),
    Case("permute", lambda L, x: x.permute(2, 0, 1), fixed((2, 3, 2)), ([(2, 3, 2)], {}),
         second=False),
    Case("T", lambda L, x: x.T, fixed((2, 3)), U2, second=False),
    Case("expand", lambda L, x: x.expand(2, 3, 3), fixed((3, 1)), ([(3, 1)], {}),
         second=False),
    Case("repeat", lambda L, x: x.repeat(2, 1, 2), fixed((2, 3)), U2, second=False),
    Case("cat", lambda L, a, b: L.m.cat([a, b, a], dim=0), fixed((2, 3), (1, 3)),
         ([(2, 3), (1, 3)], {}), second=False),
    Case("cat_neg", lambda L, a, b: L.m.cat([a, b], dim=-1), fixed((2, 3), (2, 1)),
         ([(2, 3), (2, 1)], {}), second=False),
    Case("stack", lambda L, a, b: L.m.stack([a, b], dim=1), fixed((2, 3), (2, 3)),
         ([(2, 3), (2, 3)], {}), second=False),
    Case("split", lambda L, x: x.split(2, dim=1), fixed((2, 5)), ([(2, 5)], {}),
         second=False),
    Case("split_sizes", lambda L, x: L.m.split(x, [1, 3, 1], dim=1), fixed((2, 5)),
         ([(2, 5)], {}), second=False),
    Case("chunk", lambda L, x: x.chunk(3, dim=0), fixed((5, 2)), ([(5, 2)], {}),
         second=False),
    # indexing
    Case("index_int", lambda L, x: x[1], fixed((3, 2)), ([(3, 2)], {}), second=False),
    Case("index_slices", lambda L, x: x[::2, 1:], fixed((3, 3)), ([(3, 3)], {}),
         second=False),
    Case("index_none_ellipsis", lambda L, x: x[None, ..., 0], fixed((2, 3, 2)),
         ([(2, 3, 2)], {}), second=False),
    Case("index_neg_step", lambda L, x: x[-1, 1:3], fixed((2, 3)), U2, second=False),
    Case("index_bool", lambda L, x: x[L.t(_mask((3, 2)))], fixed((3, 2)), ([(3, 2)], {}),
         second=False),
    Case("index_bool_row", lambda L, x: x[L.t(np.array([True, False, True]))], fixed((3, 2)),
         ([(3, 2)], {}), second=False),
    Case("index_int_array_repeats", lambda L, x: x[L.t(np.array([0, 2, 0, 0]))],
         fixed((3, 2)), ([(3, 2)], {}), second=False),
    Case("index_list_pair", lambda L, x: x[[0, 1, 1], [1, 0, 1]], fixed((3, 2)),
         ([(3, 2)], {}), second=False),
    Case("index_mixed", lambda L, x: x[:, L.t(np.array([1, 1, 0]))], fixed((2, 3)), U2,
         second=False),
    Case("gather", lambda L, x: x.gather(1, L.t(np.array([[0, 0, 2], [1, 2, 1]]))),
         fixed((2, 3)), U2, second=False),
    Case("index_select", lambda L, x: x.index_select(0, L.t(np.array([1, 0, 1]))),
         fixed((2, 3)), U2, second=False),
    Case("masked_fill", _masked_fill, fixed((2, 3)), U2, second=False),
    Case("pad", lambda L, x: L.F.pad(x, (1, 2)), fixed((2, 3)), U2, second=False),
    Case("pad_value_2d", lambda L, x: L.F.pad(x, (1, 0, 2, 1), value=0.5), fixed((2, 3)), U2,
         second=False),
    Case("pad_negative", lambda L, x: L.F.pad(x, (1, -1)), fixed((2, 3)), U2, second=False),
    Case("pad_reflect", lambda L, x: L.F.pad(x, (2, 1), mode="reflect"), fixed((2, 4)),
         ([(2, 4)], {}), second=False),
    # shape and indexing ops over hypothesis-drawn shapes and arguments
    Case("h_permute", lambda L, x, dims: x.permute(*dims), _permute(), ([(2, 3, 2)],
         {"dims": (1, 2, 0)}), second=False),
    Case("h_transpose", lambda L, x, **k: x.transpose(k["dim0"], k["dim1"]), _transpose(),
         ([(2, 3)], {"dim0": 0, "dim1": -1}), second=False),
    Case("h_reshape", lambda L, x, shape: x.reshape(shape), _reshape(),
         ([(2, 3)], {"shape": (3, -1)}), second=False),
    Case("h_flatten", lambda L, x, **k: x.flatten(**k), _flatten(),
         ([(2, 3, 2)], {"start_dim": 0, "end_dim": -2}), second=False),
    Case("h_squeeze", lambda L, x, dim: x.squeeze(dim), _squeeze(), ([(1, 2, 1)], {"dim": -1}),
         second=False),
    Case("h_expand", lambda L, x, sizes: x.expand(*sizes), _expand(),
         ([(2, 1)], {"sizes": (2, 2, 3)}), second=False),
    Case("h_repeat", lambda L, x, sizes: x.repeat(*sizes), _repeat(),
         ([(2, 3)], {"sizes": (1, 2, 2)}), second=False),
    Case("h_cat", lambda L, *xs, dim: L.m.cat(list(xs), dim=dim), _cat(),
         ([(2, 3), (2, 1)], {"dim": 1}), second=False),
    Case("h_stack", lambda L, *xs, dim: L.m.stack(list(xs), dim=dim), _stack(),
         ([(2, 3), (2, 3)], {"dim": -1}), second=False),
    Case("h_split", lambda L, x, **k: L.m.split(x, **k), _split(),
         ([(2, 5)], {"split_size_or_sections": 2, "dim": 1}), second=False),
    Case("h_chunk", lambda L, x, **k: x.chunk(k["split_size_or_sections"], k["dim"]), _split(),
         ([(5, 2)], {"split_size_or_sections": 3, "dim": 0}), second=False),
    Case("h_basic_index", lambda L, x, idx: x[idx], _basic_index(),
         ([(3, 4)], {"idx": (slice(-2, None, 1), None, 1)}), second=False),
    Case("h_advanced_index", _index_on, _advanced_index(),
         ([(3, 2)], {"dim": 1, "index": np.array([1, -1, 1])}), second=False),
    Case("h_gather", lambda L, x, dim, index: x.gather(dim, L.t(index)), _gather(),
         ([(2, 3)], {"dim": 0, "index": np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0]])}),
         second=False),
    Case("h_index_select", lambda L, x, dim, index: x.index_select(dim, L.t(index)),
         _index_select(), ([(2, 3)], {"dim": -1, "index": np.array([2, 2, 0])}), second=False),
    Case("h_pad", lambda L, x, pad, value: L.F.pad(x, pad, value=value), _pad(),
         ([(2, 3)], {"pad": (1, -1, 0, 2), "value": -1.5}), second=False),
    # drawn arguments and broadcasting of every operand (added by the coverage audit)
    Case("where_bcast3", lambda L, a, b, cshape: L.m.where(L.t(_mask(cshape, 2)), a, b),
         _where3(), ([(2, 1), (3,)], {"cshape": (2, 1, 1)}), second=False),
    Case("where_scalar", lambda L, x: L.m.where(L.t(_mask(tuple(x.shape), 3)), x, 0.5), UNARY,
         U2, second=False),
    Case("clamp_drawn", lambda L, x, **k: x.clamp(**k), _clamp(),
         ([(2, 3)], {"min": 0.6, "max": -0.4}), second=False),
    Case("clamp_tensor_bounds", lambda L, x, lo, hi: x.clamp(lo, hi), _bounds(),
         ([(2, 3), (3,), (2, 1)], {}), second=False),
    Case("leaky_relu_drawn", lambda L, x, negative_slope: L.F.leaky_relu(x, negative_slope),
         _with(UNARY, negative_slope=st.sampled_from([0.0, 0.01, 0.3, 1.7, -0.5])),
         ([(2, 3)], {"negative_slope": -0.5}), "away0", second=False),
    Case("elu_drawn", lambda L, x, alpha: L.F.elu(x, alpha),
         _with(UNARY, alpha=st.sampled_from([0.3, 1.0, 2.5])), ([(2, 3)], {"alpha": 2.5}),
         "away0"),
    Case("softplus_drawn", lambda L, x, **k: L.F.softplus(x, **k),
         _with(UNARY, beta=st.sampled_from([0.5, 1.0, 3.0]),
               threshold=st.sampled_from([1.0, 5.0, 20.0])),
         ([(2, 3)], {"beta": 3.0, "threshold": 1.0})),
    Case("gelu_drawn", lambda L, x, approximate: L.F.gelu(x, approximate=approximate),
         _with(UNARY, approximate=st.sampled_from(["none", "tanh"])),
         ([(2, 3)], {"approximate": "tanh"})),
    Case("var_correction", lambda L, x, **k: x.var(**k),
         _reduce(extra={"correction": st.sampled_from([0, 1, 2])}).filter(
             lambda c: _reduced_n(c) > c[1]["correction"]),
         ([(3, 4)], {"dim": (0, 1), "correction": 2})),
    Case("var_unbiased_flag", lambda L, x, **k: x.var(**k),
         _reduce(allow_none=False, extra={"unbiased": st.booleans()}).filter(
             lambda c: _reduced_n(c) > 1), ([(3, 2)], {"dim": 0, "unbiased": False})),
    Case("std_correction", lambda L, x, **k: x.std(**k),
         _reduce(extra={"correction": st.sampled_from([0, 1, 2])}).filter(
             lambda c: _reduced_n(c) > max(c[1]["correction"], 1)),
         ([(3, 4)], {"dim": -1, "correction": 0, "keepdim": True}), "distinct"),
    Case("std_unbiased_flag", lambda L, x, **k: x.std(**k),
         _reduce(allow_none=False, extra={"unbiased": st.booleans()}).filter(
             lambda c: _reduced_n(c) > 1), ([(3, 2)], {"dim": 1, "unbiased": True}),
         "distinct"),
    Case("prod_zeros", lambda L, x, **k: x.prod(**k), _reduce(multi=False),
         ([(4, 3)], {"dim": 0}), "zeros"),
    Case("norm_fro", lambda L, x, **k: x.norm(p="fro", **k),
         _reduce().filter(lambda c: not isinstance(c[1].get("dim"), tuple)
                          or len(c[1]["dim"]) <= 2), ([(2, 3)], {"dim": (0, 1)})),
    Case("norm_p_drawn", lambda L, x, **k: x.norm(**k),
         _reduce(extra={"p": st.sampled_from([0.5, 1.5, 4.0])}), ([(2, 3)], {"p": 1.5, "dim": 1}),
         "away0"),
    Case("norm_neg_inf", lambda L, x, **k: x.norm(p=float("-inf"), **k), _reduce(),
         ([(2, 3)], {"dim": 0}), "away0", second=False),
    Case("masked_fill_drawn", lambda L, x, mshape, value: x.masked_fill(L.t(_mask(mshape, 1)),
                                                                        value),
         _masked_fill_args(), ([(2, 3)], {"mshape": (1, 3), "value": 3.0}), second=False),
    Case("masked_fill_tensor_value", lambda L, x, v: x.masked_fill(L.t(_mask((x.shape[-1],))),
                                                                   v),
         _shape(min_dims=1).map(lambda s: ([s, ()], {})), ([(2, 3), ()], {}), second=False),
    Case("index_bool_drawn", lambda L, x, mshape, seed: x[L.t(_mask(mshape, seed))], _bool_mask(),
         ([(3, 2, 2)], {"mshape": (3, 2), "seed": 4}), second=False),
    Case("index_two_arrays", _multi_index_fn, _multi_index(),
         ([(2, 3, 3)], {"dims": (0, 2), "arrays": (np.array([[1], [0]]), np.array([2, -1, 2]))}),
         second=False),
    Case("pad_mode_drawn", lambda L, x, pad, mode: L.F.pad(x, pad, mode=mode), _pad_mode(),
         ([(2, 3, 3)], {"pad": (2, 1, 0, 2), "mode": "reflect"}), second=False),
    Case("h_unsqueeze", lambda L, x, dim: x.unsqueeze(dim), _unsqueeze(), ([(2, 3)], {"dim": -3}),
         second=False),
    Case("h_view", lambda L, x, shape: x.view(shape), _reshape(), ([(2, 3)], {"shape": (-1,)}),
         second=False),
    Case("h_squeeze_dims", lambda L, x, dim: x.squeeze(dim), _squeeze_dims(),
         ([(1, 2, 1, 1)], {"dim": (0, -1)}), second=False),
    # pointwise breadth (two-input maths; the torch spelling is the same name)
    Case("atan2", lambda L, a, b: L.m.atan2(a, b), BINARY, B2, ("any", "away0")),
    Case("hypot", lambda L, a, b: L.m.hypot(a, b), BINARY, B2, "away0"),
    Case("copysign", lambda L, a, b: L.m.copysign(a, b), BINARY, B2, "away0", second=False),
    Case("copysign_scalar", lambda L, x: L.m.copysign(x, -1.0), UNARY, U2, "away0",
         second=False),
    Case("fmod", lambda L, a, b: L.m.fmod(a, b), BINARY, B2, ("any", "away0"), second=False),
    Case("remainder", lambda L, a, b: L.m.remainder(a, b), BINARY, B2, ("any", "away0"),
         second=False),
    Case("fmax", lambda L, a, b: L.m.fmax(a, b), BINARY, B2, second=False),
    Case("fmin", lambda L, a, b: L.m.fmin(a, b), BINARY, B2, second=False),
    Case("logaddexp", lambda L, a, b: L.m.logaddexp(a, b), BINARY, B2),
    Case("logaddexp2", lambda L, a, b: L.m.logaddexp2(a, b), BINARY, B2),
    Case("float_power", lambda L, a, b: L.m.float_power(a, b), BINARY, B2, ("pos", "any")),
    Case("ldexp", lambda L, a, b: L.m.ldexp(a, b), BINARY, B2),
    Case("nan_to_num", lambda L, x: L.m.nan_to_num(x), UNARY, U2, second=False),
    Case("frexp", lambda L, x: L.m.frexp(x)[0], UNARY, U2, "away0", second=False),
    Case("nextafter", lambda L, a, b: L.m.nextafter(a, b), BINARY, B2, second=False),
    # reductions and products breadth: the new Op (logcumsumexp) and compositions whose
    # gradients come from their pieces (cummax's gather, quantile's sort + lerp, cov's matmul)
    Case("logcumsumexp", lambda L, x, dim: x.logcumsumexp(dim), _one_dim(),
         ([(3, 4)], {"dim": -1})),
    Case("cummax_values", lambda L, x, dim: x.cummax(dim).values, _one_dim(),
         ([(3, 4)], {"dim": 0}), "distinct", second=False),
    Case("median_dim", lambda L, x, dim: x.median(dim).values, _one_dim(),
         ([(3, 5)], {"dim": 1}), "distinct", second=False),
    Case("quantile_dim", lambda L, x, dim: x.quantile(0.3, dim), _one_dim(),
         ([(3, 5)], {"dim": 1}), "distinct", second=False),
    Case("cov", lambda L, x: L.m.cov(x), fixed((3, 5)), ([(3, 5)], {})),
    Case("renorm", lambda L, x: x.renorm(2, 0, 1.0), fixed((3, 4)), ([(3, 4)], {})),
    Case("addmm", lambda L, a, b, c: L.m.addmm(a, b, c, beta=0.5, alpha=2.0),
         fixed((2, 4), (2, 3), (3, 4)), ([(2, 4), (2, 3), (3, 4)], {})),
    Case("kron", lambda L, a, b: L.m.kron(a, b), fixed((2, 3), (3, 2)),
         ([(2, 3), (3, 2)], {})),
    Case("gradient_edge2", lambda L, x: L.m.gradient(x, edge_order=2)[0], fixed((5,)),
         ([(5,)], {}), second=False),
    # fused losses
    Case("mse_loss", lambda L, x, y, reduction: L.F.mse_loss(x, y, reduction=reduction),
         _shape().flatmap(lambda s: st.sampled_from(["mean", "sum", "none"]).map(
             lambda r: ([s, s], {"reduction": r}))), ([(2, 3), (2, 3)], {"reduction": "mean"})),
    # compositions exercising the engine (fan-out, reuse)
    Case("reuse", lambda L, x: (x * x.sin() + x).sum() * x.mean(), UNARY, U2),
    Case("softmax_mse", lambda L, x, y: ((x.softmax(-1) - y) ** 2).sum(), BINARY.filter(
        lambda c: len(c[0][0]) >= 1), ([(2, 3), (2, 3)], {})),
    # special functions: PyTorch's backward rules (first arguments held constant where
    # PyTorch has no derivative: igamma's a, zeta's x)
    Case("erf", lambda L, x: x.erf(), UNARY, U2),
    Case("erfc", lambda L, x: x.erfc(), UNARY, U2),
    Case("erfinv", lambda L, x: x.erfinv(), UNARY, U2, "unit"),
    Case("lgamma", lambda L, x: x.lgamma(), UNARY, U2, "pos"),
    Case("digamma", lambda L, x: x.digamma(), UNARY, U2, "pos"),
    Case("polygamma", lambda L, x: x.polygamma(2), UNARY, U2, "pos"),
    Case("mvlgamma", lambda L, x: (x + 1).mvlgamma(3), UNARY, U2, "pos"),
    Case("i0", lambda L, x: x.i0(), UNARY, U2),
    Case("igamma", lambda L, x: L.m.igamma(L.t(np.full(tuple(x.shape), 1.7)), x), UNARY, U2,
         "pos"),
    Case("igammac", lambda L, x: L.m.igammac(L.t(np.full(tuple(x.shape), 0.8)), x), UNARY, U2,
         "pos"),
    Case("logit", lambda L, x: x.sigmoid().logit(), UNARY, U2),
    Case("logit_eps", lambda L, x: (x * 0.5).sigmoid().logit(0.1), UNARY, U2),
    Case("xlogy", lambda L, a, b: a.xlogy(b), BINARY, B2, ("any", "pos")),
    Case("sinc", lambda L, x: x.sinc(), UNARY, U2),
    Case("erfcx", lambda L, x: L.m.special.erfcx(x), UNARY, U2),
    Case("log_ndtr", lambda L, x: L.m.special.log_ndtr(x), UNARY, U2),
    Case("ndtri", lambda L, x: L.m.special.ndtri(x.sigmoid()), UNARY, U2),
    Case("i0e", lambda L, x: L.m.special.i0e(x), UNARY, U2, "away0"),
    Case("i1", lambda L, x: L.m.special.i1(x), UNARY, U2),
    Case("i1e", lambda L, x: L.m.special.i1e(x), UNARY, U2, "away0"),
    Case("zeta", lambda L, x: L.m.special.zeta(L.t(np.full(tuple(x.shape), 2.5)), x), UNARY,
         U2, "pos"),
    Case("xlog1py", lambda L, a, b: L.m.special.xlog1py(a, b), BINARY, B2, ("any", "pos")),
    Case("entr", lambda L, x: L.m.special.entr(x), UNARY, U2, "pos"),
]


# --- shape and indexing breadth: diagonal views, unfold, scatter_reduce


@st.composite
def _diagonal(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=2))
    n = len(shape)
    d1, d2 = draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2).filter(
        lambda d: d[0] % n != d[1] % n))
    return [shape], {"offset": draw(st.integers(-2, 2)), "dim1": d1, "dim2": d2}


@st.composite
def _diag_embed(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    n = len(shape) + 1
    d1, d2 = draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2).filter(
        lambda d: d[0] % n != d[1] % n))
    return [shape], {"offset": draw(st.integers(-2, 2)), "dim1": d1, "dim2": d2}


@st.composite
def _unfold(draw: Any) -> tuple:
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    return [shape], {"dimension": d, "size": draw(st.integers(0, shape[d])),
                     "step": draw(st.integers(1, 3))}


@st.composite
def _scatter_reduce(draw: Any) -> tuple:
    """self, src (= index's shape, no larger than self outside ``dim``), an index in range."""
    shape = draw(_shape(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    ishape = tuple(draw(st.integers(1, s)) if i != d else draw(st.integers(1, 4))
                   for i, s in enumerate(shape))
    index = np.random.default_rng(draw(st.integers(0, 1000))).integers(0, shape[d], ishape)
    return [shape, ishape], {"dim": d - len(shape) * draw(st.integers(0, 1)), "index": index,
                             "include_self": draw(st.booleans())}


def _scatter_reduce_case(reduce: str) -> Callable:
    def fn(L: Any, x: Any, src: Any, dim: int, index: np.ndarray, include_self: bool) -> Any:
        return x.scatter_reduce(dim, L.t(index), src, reduce, include_self=include_self)

    return fn


_SR_EXAMPLE = ([(3, 4), (2, 4)], {"dim": 0, "index": np.array([[0, 1, 2, 0], [2, 0, 1, 0]]),
                                  "include_self": True})


@st.composite
def _scatter_reduce_drawn(draw: Any) -> tuple:
    shapes, kw = draw(_scatter_reduce())
    return shapes, dict(kw, reduce=draw(st.sampled_from(["sum", "prod", "mean", "amax",
                                                          "amin"])))


CASES += [
    Case("diagonal", lambda L, x: x.diagonal(1, -1, 0), fixed((3, 4)), ([(3, 4)], {}),
         second=False),
    Case("h_diagonal", lambda L, x, **k: x.diagonal(**k), _diagonal(),
         ([(2, 3, 4)], {"offset": -1, "dim1": 2, "dim2": 0}), second=False),
    Case("diag_embed", lambda L, x: L.m.diag_embed(x, 1), fixed((2, 3)), ([(2, 3)], {}),
         second=False),
    Case("h_diag_embed", lambda L, x, **k: L.m.diag_embed(x, **k), _diag_embed(),
         ([(2, 3)], {"offset": -2, "dim1": 0, "dim2": 2}), second=False),
    Case("unfold", lambda L, x: x.unfold(1, 3, 2), fixed((2, 7)), ([(2, 7)], {}), second=False),
    Case("h_unfold", lambda L, x, **k: x.unfold(**k), _unfold(),
         ([(3, 5)], {"dimension": -1, "size": 3, "step": 1}), second=False),
    Case("scatter_reduce_sum", _scatter_reduce_case("sum"), _scatter_reduce(), _SR_EXAMPLE,
         second=False),
    Case("scatter_reduce_mean", _scatter_reduce_case("mean"), _scatter_reduce(), _SR_EXAMPLE,
         second=False),
    Case("scatter_reduce_amax", _scatter_reduce_case("amax"), _scatter_reduce(), _SR_EXAMPLE,
         second=False),
    Case("scatter_reduce_prod", _scatter_reduce_case("prod"), _scatter_reduce(), _SR_EXAMPLE,
         domains="zeros"),
    Case("h_scatter_reduce", lambda L, x, src, reduce, **k: _scatter_reduce_case(reduce)(
        L, x, src, **k), _scatter_reduce_drawn(), (_SR_EXAMPLE[0], dict(_SR_EXAMPLE[1],
                                                                         reduce="amin"))),
]


def _reduced_n(case_draw: tuple) -> int:
    """How many elements each output of a reduction draw averages over."""
    (shape,), kw = case_draw
    dim = kw.get("dim")
    if dim is None:
        return int(np.prod(shape))
    dims = (dim,) if isinstance(dim, int) else dim
    return int(np.prod([shape[d] for d in dims]))


BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "duplicate case names"
