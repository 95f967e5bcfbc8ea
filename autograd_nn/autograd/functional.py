"""Higher-level derivatives, as ``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import grad


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _prep(inputs: Any, create_graph: bool) -> tuple:
    xs = _tuple(inputs)
    out = []
    for x in xs:
        t = x.detach() if not create_graph else (x if x.requires_grad else x.detach())
        if not t.requires_grad:
            t = t.clone().detach() if t is x else t
            t.requires_grad_(True)
        out.append(t)
    return tuple(out)


def _zeros_like(t: Any) -> Any:
    from ..tensor import Tensor

    return Tensor._wrap(np.zeros(t._data.shape, dtype=t._data.dtype))


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T J): the vector-Jacobian product."""
    is_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, create_graph)
    outs = func(*xs)
    out_t = _tuple(outs)
    vs = list(_tuple(v)) if v is not None else [None] * len(out_t)
    gs = grad(list(out_t), list(xs), vs, create_graph=create_graph, allow_unused=True)
    gs = tuple(g if g is not None else _zeros_like(x) for g, x in zip(gs, xs))
    outs = outs if create_graph else (tuple(o.detach() for o in out_t) if isinstance(
        outs, tuple) else outs.detach())
    return outs, (gs if is_tuple else gs[0])


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick."""
    from ..tensor import Tensor

    is_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, True)
    outs = func(*xs)
    out_t = _tuple(outs)
    if v is None:
        if any(x.numel() != 1 for x in xs):
            raise RuntimeError("jvp: v can only be None if the input to the user-provided "
                               "function is a single element Tensor")
        v = tuple(Tensor._wrap(np.ones(x._data.shape, x._data.dtype)) for x in xs)
    vs = _tuple(v)
    us = [Tensor._wrap(np.zeros(o._data.shape, o._data.dtype), requires_grad=True)
          for o in out_t]
    gs = grad(list(out_t), list(xs), us, create_graph=True, allow_unused=True)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
    if not pairs:
        jv = tuple(_zeros_like(o) for o in out_t)
    else:
        jv = grad([g for g, _ in pairs], us, [vv for _, vv in pairs],
                  create_graph=create_graph, allow_unused=True)
        jv = tuple(j if j is not None else _zeros_like(o) for j, o in zip(jv, out_t))
    if not create_graph:
        jv = tuple(j.detach() for j in jv)
        out_t = tuple(o.detach() for o in out_t)
    outs = out_t if isinstance(outs, tuple) else out_t[0]
    _ = is_tuple
    return outs, (jv if isinstance(outs, tuple) else jv[0])


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian: shape out.shape + in.shape (nested tuples for several outputs/inputs)."""
    from .._functions import stack
    from ..tensor import Tensor

    is_in_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, create_graph)
    outs = func(*xs)
    is_out_tuple = isinstance(outs, tuple)
    out_t = _tuple(outs)
    result = []
    for out in out_t:
        rows = [[] for _ in xs]
        flat_n = out.numel()
        for k in range(flat_n):
            g = np.zeros(flat_n, dtype=out._data.dtype)
            g[k] = 1
            gs = grad(out, list(xs), Tensor._wrap(g.reshape(out._data.shape)), retain_graph=True,
                      create_graph=create_graph, allow_unused=True)
            for j, (gj, x) in enumerate(zip(gs, xs)):
                rows[j].append(gj if gj is not None else _zeros_like(x))
        per_in = []
        for j, x in enumerate(xs):
            if flat_n:
                J = stack(rows[j]).reshape(tuple(out.shape) + tuple(x.shape))
            else:
                J = Tensor._wrap(np.zeros(tuple(out.shape) + tuple(x.shape), x._data.dtype))
            per_in.append(J if create_graph else J.detach())
        result.append(tuple(per_in) if is_in_tuple else per_in[0])
    return tuple(result) if is_out_tuple else result[0]


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    is_tuple = isinstance(inputs, (list, tuple))

    def grad_fn(*xs: Any) -> Any:
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError(f"hessian: the function given to hessian should return a single "
                               f"element Tensor, got shape {list(out.shape)}")
        gs = grad(out, list(xs), create_graph=True, allow_unused=True)
        gs = tuple(g if g is not None else (x * 0) for g, x in zip(gs, xs))
        return gs if is_tuple else gs[0]

    return jacobian(grad_fn, inputs, create_graph=create_graph)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T H)."""
    is_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, True)
    out = func(*xs)
    gs = grad(out, list(xs), create_graph=True, allow_unused=True)
    vs = _tuple(v)
    pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
    res = grad([g for g, _ in pairs], list(xs), [vv for _, vv in pairs],
               create_graph=create_graph, allow_unused=True)
    res = tuple(r if r is not None else _zeros_like(x) for r, x in zip(res, xs))
    if not create_graph:
        res = tuple(r.detach() for r in res)
        out = out.detach()
    return out, (res if is_tuple else res[0])


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), H v); the Hessian is symmetric, so this equals v^T H."""
    return vhp(func, inputs, v, create_graph, strict)
