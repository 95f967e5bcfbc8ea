"""Comparing two recordings of the same specialization.

An op's operand computed with NumPy outside the ops (a mask ``x._data > 0``, a loss's
coefficients from the target) is recorded as a constant, which is right only if it does not
depend on the data. The second call of a specialization is therefore traced too and compared
with the first: the same kernels on the same sources, and constants equal. A constant that
changed is data: the function stays eager (a graph break naming the op), never silently wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tracer import BackwardEvent, CallEvent, HelperEvent, OpEvent


def same_value(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is np.ndarray:
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if a is b:
        return True
    if type(a) is float:  # nan equals nan here: the same constant
        return a == b or (a != a and b != b)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 -- an object without a usable ==: compare identity only
        return False


def _same_source(s1: tuple, s2: tuple) -> bool:
    if s1[0] != s2[0]:
        return False
    if s1[0] == "p":  # the same tensor, or a constant wrapped afresh each call (x * array)
        a, b = s1[1], s2[1]
        return a is b or (not a.requires_grad and not b.requires_grad
                          and same_value(a._data, b._data))
    if s1[0] == "grad":
        return s1[1] is s2[1]
    if s1[0] in ("c", "tuple"):
        return same_value(_plain(s1), _plain(s2))
    return s1[1] == s2[1]


def _plain(p: Any) -> Any:
    """A source or parameter with nested sources as comparable plain values."""
    if type(p) is tuple and len(p) == 2 and p[0] in ("c",):
        return p[1]
    if type(p) is tuple and len(p) == 2 and p[0] == "tuple":
        return tuple(("t",) + (_plain(x),) for x in p[1])
    if type(p) is tuple and len(p) == 2 and p[0] == "tensor":  # the same Tensor (identity)
        return ("tensor", id(p[1]))
    if type(p) is tuple and len(p) == 2 and p[0] == "src":
        s = p[1]
        return ("src", s[0], id(s[1]) if s[0] in ("p", "grad") else _plain(s) if s[0] == "c"
                else s[1])
    return p


def _same_param(p1: Any, p2: Any) -> bool:
    return same_value(_plain(p1), _plain(p2))


def _same_steps(s1: list, s2: list) -> bool:
    """The same rules routed to the same targets (leaves compared by identity: an argument
    leaf is a new tensor each call, and Tensor == is elementwise)."""
    if len(s1) != len(s2):
        return False
    for (n1, t1, r1), (n2, t2, r2) in zip(s1, s2):
        if n1 != n2 or t1 != t2 or len(r1) != len(r2):
            return False
        for (j1, f1, g1, m1), (j2, f2, g2, m2) in zip(r1, r2):
            if j1 != j2 or f1 != f2 or m1 != m2 or g1[0] != g2[0] or not (
                    g1[1] is g2[1] if g1[0] == "l" else g1[1] == g2[1]):
                return False
    return True


def difference(evs1: list, evs2: list) -> str | None:
    """Why two recordings differ (a description naming the op), or None if they agree."""
    if len(evs1) != len(evs2):
        return f"the calls ran {len(evs1)} and {len(evs2)} recorded steps"
    for i, (a, b) in enumerate(zip(evs1, evs2)):
        if type(a) is not type(b):
            return f"step {i} is {type(a).__name__} once and {type(b).__name__} once"
        if type(a) is OpEvent:
            name = f"op {i} ({a.cls.__name__})"
            if a.cls is not b.cls or a.slot != b.slot or (a.node is None) != (b.node is None):
                return f"{name}: another op ran"
            if len(a.inputs) != len(b.inputs) or not all(
                    _same_source(x, y) for x, y in zip(a.inputs, b.inputs)):
                return f"{name}: an operand computed with NumPy outside the ops changed"
            if a.params.keys() != b.params.keys() or not all(
                    _same_param(a.params[k], b.params[k]) for k in a.params):
                return f"{name}: a parameter computed outside the ops changed"
            if a.node is not None and a.node.needs_input_grad != b.node.needs_input_grad:
                return f"{name}: requires_grad of an operand changed"
        elif type(a) is BackwardEvent:
            if not _same_steps(a.steps, b.steps) or len(a.leaves) != len(b.leaves) or any(
                    x[0] is not y[0] for x, y in zip(a.leaves, b.leaves)) or len(a.seeds) != len(
                    b.seeds) or any(x[0] != y[0] or not _same_source(x[1], y[1])
                                    for x, y in zip(a.seeds, b.seeds)):
                return f"backward pass at step {i} routed its gradients differently"
        elif type(a) is HelperEvent:
            if a.fn is not b.fn or not same_value(a.results, b.results):
                return f"helper {a.fn.__name__} at step {i} took another branch"
            if not all(_same_param(x, y) for x, y in zip(a.args, b.args)):
                return f"helper {a.fn.__name__} at step {i}: an argument computed outside changed"
        elif type(a) is CallEvent:
            if a.fn is not b.fn or not same_value(list(a.args), list(b.args)) or not same_value(
                    a.kwargs, b.kwargs) or a.result_slot != b.result_slot:
                return f"call {getattr(a.fn, '__qualname__', a.fn)} at step {i} changed"
    return None


def merge_adoption(evs1: list, evs2: list) -> None:
    """A leaf gradient adopted without a copy in either call is a fresh array in both (the
    same kernels made it): let the replay adopt it whenever ``.grad`` is None."""
    for a, b in zip(evs1, evs2):
        if type(a) is BackwardEvent:
            b.leaves = [(leaf, x or y) for (leaf, x), (_, y) in zip(a.leaves, b.leaves)]
