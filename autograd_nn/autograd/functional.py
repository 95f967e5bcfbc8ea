"""Higher-level derivatives, as ``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._ops.shape import stack
from . import engine, grad


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
    Tensor = engine.Tensor

    return Tensor._wrap(np.zeros(t._data.shape, dtype=t._data.dtype))


def _grad(outputs: tuple, inputs: Any, grad_outputs: Any = None, create_graph: bool = False,
          retain_graph: Any = None) -> tuple:
    """autograd.grad over the outputs that require grad (as torch's ``_autograd_grad``): an
    output that does not depend on the inputs contributes nothing instead of raising; Nones
    where no output reaches an input."""
    gos = (None,) * len(outputs) if grad_outputs is None else tuple(grad_outputs)
    pairs = [(o, g) for o, g in zip(outputs, gos) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return tuple(grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                      retain_graph=retain_graph, create_graph=create_graph, allow_unused=True))


def _check_requires_grad(ts: Any, kind: str, strict: bool) -> None:
    """strict mode: every output (or gradient) must depend on the inputs, torch's messages."""
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if t.requires_grad:
            continue
        if kind == "jacobian":
            raise RuntimeError(
                f"While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                f"allowed in strict mode. You should ensure that your function is twice "
                f"differentiable and that the jacobian depends on the inputs (this would be "
                f"violated by a linear function for example).")
        if kind == "grad_inputs":
            raise RuntimeError(f"The gradient with respect to input {i} is independent of the "
                               f"inputs of the user-provided function. This is not allowed in "
                               f"strict mode.")
        raise RuntimeError(f"Output {i} of the user-provided function does not require "
                           f"gradients. The outputs must be computed in a differentiable manner "
                           f"from the input when running in strict mode.")


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}.",
}


def _fill_in_zeros(gs: tuple, refs: tuple, strict: bool, create_graph: bool,
                   stage: str) -> tuple:
    """Zeros for the Nones (no dependence), or torch's strict-mode errors."""
    out = []
    for i, (g, ref) in enumerate(zip(gs, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i)
                                   + " This is not allowed in strict mode.")
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        out.append(g)
    return tuple(out)


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T J): the vector-Jacobian product."""
    is_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, create_graph)
    outs = func(*xs)
    out_t = _tuple(outs)
    _check_requires_grad(out_t, "outputs", strict)
    vs = list(_tuple(v)) if v is not None else [None] * len(out_t)
    gs = _grad(out_t, xs, vs, create_graph=create_graph)
    gs = _fill_in_zeros(gs, xs, strict, create_graph, "back")
    outs = outs if create_graph else (tuple(o.detach() for o in out_t) if isinstance(
        outs, tuple) else outs.detach())
    return outs, (gs if is_tuple else gs[0])


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick."""
    Tensor = engine.Tensor

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
    _check_requires_grad(out_t, "outputs", strict)
    us = [Tensor._wrap(np.zeros(o._data.shape, o._data.dtype), requires_grad=True)
          for o in out_t]
    gs = _grad(out_t, xs, us, create_graph=True)
    _check_requires_grad(gs, "grad_inputs", strict)
    jv = _grad(gs, us, vs, create_graph=create_graph)
    jv = _fill_in_zeros(jv, out_t, strict, create_graph, "back_trick")
    if not create_graph:
        jv = tuple(j.detach() for j in jv)
        out_t = tuple(o.detach() for o in out_t)
    outs = out_t if isinstance(outs, tuple) else out_t[0]
    _ = is_tuple
    return outs, (jv if isinstance(outs, tuple) else jv[0])


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian: shape out.shape + in.shape (nested tuples for several outputs/inputs)."""
    Tensor = engine.Tensor

    is_in_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, create_graph)
    outs = func(*xs)
    is_out_tuple = isinstance(outs, tuple)
    out_t = _tuple(outs)
    _check_requires_grad(out_t, "outputs", strict)
    if strict and vectorize:
        raise RuntimeError("autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    result = []
    for i, out in enumerate(out_t):
        rows = [[] for _ in xs]
        flat_n = out.numel()
        for k in range(flat_n):
            g = np.zeros(flat_n, dtype=out._data.dtype)
            g[k] = 1
            gs = _grad((out,), xs, (Tensor._wrap(g.reshape(out._data.shape)),),
                       retain_graph=True, create_graph=create_graph)
            for j, (gj, x) in enumerate(zip(gs, xs)):
                if gj is None and strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
                if gj is not None and strict and create_graph and not gj.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in "
                                       f"strict mode when create_graph=True.")
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
        _check_requires_grad(_tuple(out), "outputs", strict)
        if isinstance(out, tuple) or out.numel() != 1:
            raise RuntimeError(f"hessian: the function given to hessian should return a single "
                               f"element Tensor, got shape "
                               f"{[list(o.shape) for o in _tuple(out)]}")
        gs = _grad((out,), xs, create_graph=True)
        _check_requires_grad(gs, "jacobian", strict)
        gs = _fill_in_zeros(gs, xs, False, False, "back")
        return gs if is_tuple else gs[0]

    return jacobian(grad_fn, inputs, create_graph=create_graph, strict=strict)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T H)."""
    is_tuple = isinstance(inputs, (list, tuple))
    xs = _prep(inputs, True)
    out = func(*xs)
    _check_requires_grad(_tuple(out), "outputs", strict)
    if isinstance(out, tuple) or out.numel() != 1:
        raise RuntimeError("The Tensor returned by the function given to hvp/vhp should contain "
                           "a single element")
    gs = _grad((out,), xs, create_graph=True)
    _check_requires_grad(gs, "jacobian", strict)
    vs = _tuple(v)
    res = _grad(gs, xs, vs, create_graph=create_graph)
    res = _fill_in_zeros(res, xs, strict, create_graph, "double_back")
    if not create_graph:
        res = tuple(r.detach() for r in res)
        out = out.detach()
    return out, (res if is_tuple else res[0])


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), H v); the Hessian is symmetric, so this equals v^T H."""
    return vhp(func, inputs, v, create_graph, strict)
