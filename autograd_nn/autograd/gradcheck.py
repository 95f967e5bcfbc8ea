"""Numerical gradient checks: compare autograd with central finite differences in float64."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .._dtype import np_kind
from . import engine, grad


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree (raised when ``raise_exception``)."""


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _diff_inputs(inputs: tuple) -> list:
    Tensor = engine.Tensor

    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _float_outputs(outs: Any) -> list:
    """The outputs gradcheck compares: floating-point tensors (integer ones, e.g. argmax
    indices, are not differentiable and are skipped, as in PyTorch)."""
    Tensor = engine.Tensor

    return [o for o in _tuple(outs) if isinstance(o, Tensor) and np_kind(o._data.dtype) in "fc"]


def _eval(func: Callable, inputs: tuple) -> list:
    # recording on: func may itself differentiate (gradgradcheck)
    return [o._data.astype(np.float64) for o in _float_outputs(func(*inputs))]


def numerical_jacobian(func: Callable, inputs: tuple, eps: float = 1e-6) -> list:
    """J[i][o] of shape (inputs[i].numel(), outputs[o].numel()), by central differences."""
    jac = []
    for i in _diff_inputs(inputs):
        x = inputs[i]._data
        n = x.size
        cols = None
        # perturb x itself, element by element in C order (x.reshape(-1) of a non-contiguous
        # input would be a copy, and the perturbation would never reach func)
        for k, at in enumerate(np.ndindex(x.shape)):
            orig = x[at].copy()
            x[at] = orig + eps
            plus = _eval(func, inputs)
            x[at] = orig - eps
            minus = _eval(func, inputs)
            x[at] = orig
            if cols is None:
                cols = [np.zeros((n, p.size)) for p in plus]
            for o, (p, m) in enumerate(zip(plus, minus)):
                cols[o][k] = ((p - m) / (2 * eps)).reshape(-1)
        jac.append(cols or [])
    return jac


def analytical_jacobian(func: Callable, inputs: tuple, create_graph: bool = False) -> list:
    """J[i][o] from reverse mode: one backward per output element."""
    Tensor = engine.Tensor

    outs = _float_outputs(func(*inputs))
    idx = _diff_inputs(inputs)
    jac = [[np.zeros((inputs[i].numel(), o.numel())) for o in outs] for i in idx]
    for o_i, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for k in range(out.numel()):
            g = np.zeros(out._data.size, dtype=out._data.dtype)
            g[k] = 1
            gs = grad(out, [inputs[i] for i in idx], Tensor._wrap(g.reshape(out._data.shape)),
                      retain_graph=True, allow_unused=True)
            for j, gj in enumerate(gs):
                if gj is not None:
                    jac[j][o_i][:, k] = gj._data.reshape(-1)
    return jac


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, fast_mode: bool = False,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              masked: Any = None) -> bool:
    """True when autograd's gradients of ``func(*inputs)`` match central differences.

    Inputs that require grad should be float64. On a mismatch it raises (or returns False) with a
    message naming the input and output indices and the worst element. ``fast_mode`` compares
    one random projection ``u^T J v`` instead of the full Jacobian.
    """
    inputs = _tuple(inputs)
    if not _diff_inputs(inputs):  # nothing to check would make any function "pass"
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in _diff_inputs(inputs):
        if inputs[i]._data.dtype != np.float64:

            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64; the check "
                          f"will likely fail from rounding", stacklevel=2)
    if fast_mode:
        return _fast_gradcheck(func, inputs, eps, atol, rtol, raise_exception)
    num = numerical_jacobian(func, inputs, eps)
    ana = analytical_jacobian(func, inputs)
    idx = _diff_inputs(inputs)
    for j, i in enumerate(idx):
        for o, (a, n) in enumerate(zip(ana[j], num[j])):
            err = np.abs(a - n)
            tol = atol + rtol * np.abs(n)
            if not (err <= tol).all():
                flat = int(np.argmax(err - tol))
                k, m = np.unravel_index(flat, a.shape)
                shape = inputs[i].shape
                elem = np.unravel_index(k, shape) if len(shape) else ()
                msg = (f"Jacobian mismatch for output {o} with respect to input {i},\n"
                       f"worst at input element {tuple(int(e) for e in elem)} -> output element "
                       f"{int(m)}: analytical {a[k, m]:.10g} vs numerical {n[k, m]:.10g} "
                       f"(abs err {err[k, m]:.3g}, allowed {tol[k, m]:.3g})\n"
                       f"numerical:{n}\nanalytical:{a}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _fast_gradcheck(func: Callable, inputs: tuple, eps: float, atol: float, rtol: float,
                    raise_exception: bool) -> bool:
    Tensor = engine.Tensor

    rng = np.random.default_rng(0)
    idx = _diff_inputs(inputs)
    outs = _float_outputs(func(*inputs))
    for o_i, out in enumerate(outs):
        u = rng.standard_normal(out._data.shape)
        for i in idx:
            x = inputs[i]._data
            v = rng.standard_normal(x.shape)
            orig = x.copy()
            x[...] = orig + eps * v
            plus = _eval(func, inputs)[o_i]
            x[...] = orig - eps * v
            minus = _eval(func, inputs)[o_i]
            x[...] = orig
            numerical = float(((plus - minus) / (2 * eps) * u).sum())
            g, = grad(out, [inputs[i]], Tensor._wrap(u.astype(out._data.dtype)),
                      retain_graph=True, allow_unused=True) if out.requires_grad else (None,)
            analytical = 0.0 if g is None else float((g._data * v).sum())
            if abs(analytical - numerical) > atol + rtol * abs(numerical):
                msg = (f"Jacobian mismatch for output {o_i} with respect to input {i} (fast mode,"
                       f" projection u^T J v): analytical {analytical:.10g} vs numerical "
                       f"{numerical:.10g}")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Sequence[Any] | None = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  fast_mode: bool = False, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, masked: bool = False) -> bool:
    """gradcheck of the gradients: checks second derivatives (through create_graph)."""
    Tensor = engine.Tensor

    inputs = _tuple(inputs)
    outs = [o for o in _tuple(func(*inputs)) if isinstance(o, Tensor)]
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = [Tensor._wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype),
                                     requires_grad=True) for o in outs]
    grad_outputs = list(_tuple(grad_outputs))
    idx = _diff_inputs(inputs)
    n_in = len(inputs)

    def first_grads(*args: Any) -> tuple:
        xs, gos = args[:n_in], args[n_in:]
        os_ = [o for o in _tuple(func(*xs)) if isinstance(o, Tensor)]
        diff = [xs[i] for i in idx]
        gs = grad(os_, diff, list(gos), create_graph=True, allow_unused=True)
        return tuple(g if g is not None else (d * 0).sum() * 0 for g, d in zip(gs, diff))

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, fast_mode=fast_mode)
