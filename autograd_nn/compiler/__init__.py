"""``autograd_nn.compile``: trace a function (a whole training step) once, replay its kernels.

The first call of each specialization runs eagerly while the engine reports every kernel it
runs (:mod:`.tracer`); later calls replay that recording as one generated Python function over
NumPy arrays (:mod:`.codegen`): no Tensor objects, no graph nodes, no topological sort, the
same kernels in the same order, so compiled and eager results are bit-identical. Guards (the
arguments' shapes, dtypes and ``requires_grad``, Python scalar arguments, grad mode, each
called module's ``training`` flag and parameters, each captured tensor's shape) pick the
specialization; a miss retraces (at most :data:`RECOMPILE_LIMIT` times, then eager). What
cannot be replayed is a graph break: the call runs eagerly with a one-time warning naming the
line, or raises :class:`GraphBreakError` under ``fullgraph=True``. See ``docs/compile.md``.

    step = autograd_nn.compile(train_step)     # forward, loss, backward, optimizer.step()
    model = autograd_nn.compile(model)         # forward compiled (see OptimizedModule)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from ..autograd import engine
from ..nn.modules.module import Module
from .codegen import Program
from .compiled import _ALL, RECOMPILE_LIMIT, CompiledFunction, arg_meta, flatten_args
from .module import OptimizedModule
from .tracer import GraphBreakError

__all__ = ["compile", "explain", "reset", "is_compiling", "ExplainOutput", "CompiledFunction",
           "OptimizedModule", "GraphBreakError", "RECOMPILE_LIMIT"]


def compile(model: Callable | None = None, *, fullgraph: bool = False,  # noqa: A001
            dynamic: bool | None = None, backend: Any = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:
    """Compile a function or an ``nn.Module`` (PyTorch's ``torch.compile`` signature).

    Args:
        model: the function (e.g. a whole training step) or module; omitted, a decorator.
        fullgraph: raise :class:`GraphBreakError` at the first graph break instead of running the
            function eagerly.
        dynamic: accepted for compatibility; every new shape gets its own specialization (up to
            :data:`RECOMPILE_LIMIT`), so a last short batch costs one trace, not a cliff.
        mode: ``"max-autotune"`` also fuses kernels whose fusion changes floating-point
            results (BCE of a sigmoid differentiated as BCE-with-logits): NOT bit-identical to
            eager (docs/compile.md); any other value: eager's bits.
        backend, options: accepted for compatibility (there is one backend: replay).
        disable: return a wrapper that always runs eagerly.
    Returns:
        a :class:`CompiledFunction` (call it like ``model``) or an :class:`OptimizedModule`.
    """
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable)
    if isinstance(model, Module):
        return OptimizedModule(model, fullgraph=fullgraph, dynamic=dynamic, mode=mode,
                               disable=disable)
    return CompiledFunction(model, fullgraph=fullgraph, dynamic=dynamic, mode=mode,
                            disable=disable)


@dataclass
class ExplainOutput:
    """What ``explain`` found (as ``torch._dynamo.explain``'s result)."""

    graph_count: int
    graph_break_count: int
    break_reasons: list = field(default_factory=list)  # "file:line in fn: reason"
    guards: list = field(default_factory=list)
    op_count: int = 0
    backward_rule_count: int = 0
    whole_calls: int = 0
    trace_seconds: float = 0.0
    source: str = ""  # the generated replay function

    def __str__(self) -> str:
        lines = [f"Graph Count: {self.graph_count}",
                 f"Graph Break Count: {self.graph_break_count}",
                 f"Op Count: {self.op_count} forward kernels, {self.backward_rule_count} "
                 f"backward rules, {self.whole_calls} whole calls"]
        if self.break_reasons:
            lines.append("Break Reasons:")
            lines += [f"  {r}" for r in self.break_reasons]
        lines.append("Guards:")
        lines += [f"  {g}" for g in self.guards]
        return "\n".join(lines)


def explain(fn: Callable, *args: Any, **kwargs: Any) -> ExplainOutput:
    """Run ``fn(*args, **kwargs)`` once under the tracer (eagerly: its side effects happen, as
    with ``torch._dynamo.explain``) and report its graph breaks, guards and recording."""
    if isinstance(fn, CompiledFunction):
        fn = fn._fn
    elif hasattr(fn, "_orig_mod"):  # an OptimizedModule
        fn = fn._orig_mod
    cf = CompiledFunction(fn)
    tensors, key = flatten_args(args, kwargs)
    with warnings.catch_warnings():  # the breaks are the report, not warnings
        warnings.simplefilter("ignore")
        entry, _ = cf.trace(tensors, (engine.is_grad_enabled(), key), args, kwargs)
    prog = None if entry.first is None else Program(entry.first, len(tensors), entry.spec,
                                                   arg_meta=arg_meta(tensors))
    return ExplainOutput(
        graph_count=0 if prog is None else 1, graph_break_count=len(entry.breaks),
        break_reasons=[f"{where}: {reason}" for reason, where in entry.breaks],
        guards=entry.guard_lines(), op_count=prog.n_ops if prog else 0,
        backward_rule_count=prog.n_backward_rules if prog else 0,
        whole_calls=prog.n_calls if prog else 0, trace_seconds=entry.trace_s,
        source=prog.source if prog else "")



def reset() -> None:
    """Forget every compiled function's specializations (``torch.compiler.reset``)."""
    for cf in list(_ALL):
        cf.reset()


def is_compiling() -> bool:
    """Whether a compiled function is being recorded right now in this thread
    (``torch.compiler.is_compiling``)."""
    return engine.current_tracer() is not None
