"""A compiled forward that is one graph node: its backward is the recorded backward tape.

``compile(module)`` records the module's forward like any function, but its output keeps a
graph: the replay applies one Op, :class:`CompiledGraph`, whose inputs are the argument
tensors and the parameters the forward differentiates, whose forward is the generated forward
code (returning the output array and the ctxs the backward reads), and whose backward runs the
recorded nodes' rules newest first -- the order the engine's heap runs them -- routing each
result as the engine routes it (``_fit`` to the input's shape, summed into the gradient waiting
at the next node). The engine then routes the returned gradients to the parameters' ``.grad``
and to the inputs' history, so ``loss.backward()`` outside, gradient hooks on inputs, outputs
and parameters, ``retain_graph`` and ``autograd.grad`` behave as in eager (the AOTAutograd
idea). Under ``create_graph=True`` the backward recomputes the forward eagerly and
differentiates it (a differentiable graph, as eager builds).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import engine, grad
from ..autograd.engine import Op
from ..autograd.grad_mode import set_grad_enabled
from ..tensor import Tensor
from .codegen import Program
from .tracer import OpEvent


class CompiledGraph(Op):
    """The compiled forward as one op (see the module docstring); ``plan`` is an AOTProgram."""
    grad_fn_name = "CompiledFunctionBackward"

    @staticmethod
    def forward(ctx: Any, *arrays: Any, plan: Any = None) -> np.ndarray:
        out, ctx.saved = plan.forward(arrays)
        ctx.plan = plan
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if isinstance(g, Tensor):  # create_graph: differentiate an eager recomputation
            return ctx.plan.eager_backward(ctx, g)
        return ctx.plan.backward(ctx.saved, g)


class AOTProgram:
    """The forward and backward of a compiled module call, built from its recording."""

    def __init__(self, events: list, args: list, out_slot: int, fn: Any) -> None:
        self.fn = fn
        ops = [ev for ev in events if type(ev) is OpEvent]
        nodes = sorted((ev for ev in ops if ev.node is not None), key=lambda ev: ev.node.seq)
        slot_of = {id(ev.node): ev.slot for ev in nodes}
        # the op's inputs: every argument tensor, then the outside tensors gradients reach
        self.ext: list = []
        ext_index: dict[int, int] = {}
        for k, t in enumerate(args):
            ext_index[id(t)] = k
        routes: list = []
        for ev in nodes:
            node = ev.node
            r = []
            for j, (nxt, need, t) in enumerate(zip(node.next, node.needs_input_grad,
                                                   node.tensors)):
                if not need:
                    continue
                if isinstance(nxt, engine.Node) and id(nxt) in slot_of:
                    r.append((j, f"g{slot_of[id(nxt)]}"))
                    continue
                k = ext_index.get(id(t))
                if k is None:
                    k = ext_index[id(t)] = len(args) + len(self.ext)
                    self.ext.append(t)
                r.append((j, f"x{k}"))
            routes.append((ev, r))
        self.n_inputs = len(args) + len(self.ext)
        saved = [f"c{ev.slot}" for ev in nodes]
        self.prog = Program(events, len(args), None,
                            returns=f"v{out_slot}, ({''.join(c + ', ' for c in saved)})")
        self.forward = self.prog.run
        self.buffers = self.prog.buffers  # none: the ctxs outlive the call (codegen.Program)
        self.source = self.prog.source + self._backward_source(nodes, routes, out_slot, saved)
        exec(compile(self.source, "<autograd_nn.compile replay>", "exec"), self.prog.ns)
        self.backward = self.prog.ns["backward"]

    def _backward_source(self, nodes: list, routes: list, out_slot: int, saved: list) -> str:
        const = self.prog.const
        lines = ["def backward(C, g):", f"    ({''.join(c + ', ' for c in saved)}) = C"]
        grads = sorted({f"g{ev.slot}" for ev in nodes} - {f"g{out_slot}"})
        accs = [f"x{k}" for k in range(self.n_inputs)]
        lines.append(f"    {' = '.join([*grads, *accs, 'None'])}")
        lines.append(f"    g{out_slot} = g")
        for ev, r in routes:
            bwd = const(ev.cls.backward, f"{ev.cls.__name__}_backward_")
            n = ev.slot
            lines += [f"    if g{n} is not None:",
                      f"        gin = {bwd}(c{n}, g{n})",
                      "        if type(gin) is not tuple: gin = (gin,)"]
            for j, target in r:
                ref = f"c{n}.inputs[{j}]"
                lines += [f"        x = gin[{j}]",
                          "        if x is not None:",
                          f"            if x.shape != {ref}.shape or x.dtype != {ref}.dtype: "
                          f"x = _fit(x, {ref})",
                          f"            {target} = x if {target} is None else {target} + x"]
        lines.append(f"    return ({''.join(a + ', ' for a in accs)})")
        return "\n".join(lines) + "\n"

    def run(self, tensors: list) -> Any:
        return CompiledGraph.apply(*tensors, *self.ext, plan=self)

    def eager_backward(self, ctx: Any, g: Any) -> tuple:
        """Under create_graph: run the module eagerly on the same inputs and differentiate
        (the result is a graph of its own, as eager's double backward)."""
        tensors = ctx.tensors
        with set_grad_enabled(True):
            out = self.fn(*tensors[:self.n_inputs - len(self.ext)])
        wrt = [t for t, need in zip(tensors, ctx.needs_input_grad) if need]
        gs = iter(grad(out, wrt, g, create_graph=True, allow_unused=True))
        return tuple(next(gs) if need else None for need in ctx.needs_input_grad)
