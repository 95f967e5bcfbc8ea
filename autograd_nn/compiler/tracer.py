"""Recording a compiled function's first call: which kernels ran, on which arrays, in which order.

The function runs eagerly (so the first call's results are eager's) while the engine reports to
a :class:`Tracer` (``engine.set_tracer``): every ``Op.apply`` (the op class, its parameters,
its input arrays, the array it produced and whether a graph node was recorded), and every
backward pass (the seed gradients, each node's rule call with how its results were routed, and
how each leaf's total reached ``.grad``). Each array is classified by where it comes from:

- ``("v", n)``: produced by the ``n``-th recorded op (a temporary of the replay);
- ``("arg", k)``: the data of the ``k``-th Tensor among the function's arguments;
- ``("p", t)``: the data of a Tensor that outlives the call (parameters, buffers, data held in a
  closure): read from ``t._data`` at replay, so in-place updates and rebinding are seen;
- ``("grad", leaf)``: the ``.grad`` of a leaf (read from ``leaf.grad`` at replay);
- ``("c", value)``: anything else (Python numbers, constant arrays), baked in.

Calls that only update state the replay reads back (``Optimizer.step``/``zero_grad``,
``Module.zero_grad``, ``clip_grad_norm_``/``clip_grad_value_``, ``LRScheduler.step``) are
recorded as whole calls and re-run at replay: they read ``lr``, momentum buffers and step
counts when they run, never baked in. What cannot be replayed (a Python value read from a
tensor, an in-place write outside those calls, random draws outside the ops, backward through
a graph made before the call) is a *graph break*: the call finishes eagerly and the function
stays eager for these guards.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..autograd import engine
from ..nn import utils as nn_utils
from ..nn._functional import dropout, loss, normalization, pooling, sparse
from ..nn.modules import normalization as norm_modules
from ..nn.modules.module import Module
from ..nn.utils import clip_grad
from ..optim import lr_scheduler
from ..optim.optimizer import Optimizer
from ..random import default_generator
from ..tensor import Tensor

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class GraphBreakError(Exception):
    """Raised by ``fullgraph=True`` where the function cannot be captured as one graph (as
    ``torch._dynamo.exc.Unsupported``)."""


def user_frame(depth: int = 2) -> str:
    """'file:line' of the innermost caller outside autograd_nn (where the user's code broke)."""
    f = sys._getframe(depth)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return "<unknown>"
    return f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}"


@dataclass
class OpEvent:
    """One ``Op.apply``: ``out = cls.forward(ctx, *inputs, **params)``."""

    cls: type
    inputs: list  # sources (see the module docstring)
    params: dict  # name -> value, arrays inside replaced by sources ("src", source)
    slot: int  # this op's output is ("v", slot)
    node: Any  # the recorded graph Node, or None (no backward through this op)
    meta: tuple = ()  # (shape, dtype, layout) of the output array (the replay's buffers)


@dataclass
class BackwardEvent:
    """One backward pass: seeds, the rules run in order, the leaves' accumulation."""

    seeds: list = field(default_factory=list)  # (target, source); target ("n", slot)|("l", leaf)
    # (slot, gin_is_tuple, [(j, fit, target, (shape, dtype) of the rule's result j)])
    steps: list = field(default_factory=list)
    leaves: list = field(default_factory=list)  # (leaf, adopted)


@dataclass
class CallEvent:
    """A whole call re-run at replay (an optimizer step, zero_grad, clipping...)."""

    fn: Callable
    args: tuple
    kwargs: dict
    result_slot: int | None  # its Tensor result becomes ("v", slot)


@dataclass
class HelperEvent:
    """A pure NumPy helper of the functional layer that computes an op's constant operand from
    tensor data outside the ops (the class-index losses' coefficient array from the target):
    re-run at replay on the current arrays. Array results become ("v", slot) values; other
    results must come out the same at replay."""

    fn: Callable
    args: list  # parameters as in OpEvent.params; ("tensor", t): a Tensor it writes in place
    results: list  # per result: ("v", slot) or ("c", value)


class Tracer:
    """Records one eager run of a function (see the module docstring)."""

    def __init__(self, fullgraph: bool) -> None:
        self.fullgraph = fullgraph
        self.thread = threading.get_ident()
        self.events: list = []
        self.slots: dict[int, int] = {}  # id(array) -> slot
        self.keep: list = []  # arrays and nodes kept alive so that their ids stay unique
        self.n_slots = 0
        self.arg_ids: dict[int, int] = {}  # id(arg Tensor) -> its position among the args
        self.arg_arrays: dict[int, int] = {}  # id(arg Tensor's array) -> its position
        self.node_slot: dict[int, int] = {}  # id(Node) -> slot of the op that made it
        self.leaves: dict[int, Any] = {}  # id(leaf) -> leaf: tensors whose .grad we may read
        self.modules: dict[int, Any] = {}  # id(module) -> every module called
        self.persistent: dict[int, Any] = {}  # id(tensor) -> tensor read as ("p", t)
        self.written: dict[int, Any] = {}  # id(tensor) -> tensor a recorded helper updates
        self.breaks: list[tuple[str, str]] = []  # (reason, where)
        self.suspended = 0
        self.inplace_inside = 0  # in-place writes recorded (not those of whole calls)
        self.rng_mark = rng_state()  # the generator's state after the last recorded draw
        self.rng_outside = False  # whether something else drew from it
        self._bw: BackwardEvent | None = None

    # ---------------------------------------------------------------------- bookkeeping
    def active(self) -> bool:
        return not self.suspended and threading.get_ident() == self.thread

    def inplace_write(self) -> None:
        """An in-place op ran (engine.bump_inplace_epoch): a graph break if it ran here, in the
        recorded function (other threads' writes and whole calls' are not its own)."""
        if self.active():
            self.inplace_inside += 1

    def graph_break(self, reason: str, where: str | None = None) -> None:
        where = where or user_frame(3)
        if self.fullgraph:
            raise GraphBreakError(f"torch.compile(fullgraph=True): graph break at {where}: "
                                  f"{reason}")
        self.breaks.append((reason, where))

    def grad_assigned(self, t: Any) -> None:
        """``t.grad = ...`` ran while recording. Inside a recorded whole call (``zero_grad``)
        the replay repeats it by calling it again; anywhere else (``p.grad = None`` by hand, or
        a ``zero_grad`` bound before compiling, which escapes the class-level wrappers) the
        replay could not, and would accumulate where eager starts afresh: a graph break."""
        if self.active():
            self.graph_break("`.grad` assigned outside a call the compiler records "
                             "(`p.grad = None` by hand, or a `zero_grad` bound before compiling): "
                             "call optimizer.zero_grad() / module.zero_grad() inside the function")

    def new_slot(self, array: np.ndarray) -> int:
        n = self.n_slots
        self.n_slots += 1
        self.slots[id(array)] = n
        self.keep.append(array)
        return n

    def source_of_tensor(self, t: Any) -> tuple:
        arr = t._data
        n = self.slots.get(id(arr))
        if n is not None:
            return ("v", n)
        k = self.arg_ids.get(id(t))
        if k is not None:
            return ("arg", k)
        for leaf in self.leaves.values():
            if leaf.grad is t:
                return ("grad", leaf)
        self.persistent[id(t)] = t
        return ("p", t)

    def source_of(self, x: Any) -> tuple:
        if isinstance(x, Tensor):
            return self.source_of_tensor(x)
        if type(x) is np.ndarray:
            n = self.slots.get(id(x))
            if n is not None:
                return ("v", n)
            k = self.arg_arrays.get(id(x))
            if k is not None:
                return ("arg", k)
        return ("c", x)

    def _param(self, value: Any) -> Any:
        """A keyword parameter of an op, arrays in it resolved to sources."""
        if type(value) is np.ndarray and id(value) in self.slots:
            return ("src", ("v", self.slots[id(value)]))
        if type(value) is np.ndarray and id(value) in self.arg_arrays:
            return ("src", ("arg", self.arg_arrays[id(value)]))
        if isinstance(value, Tensor):
            return ("src", self.source_of_tensor(value))
        if type(value) is tuple and any(type(v) in (np.ndarray, tuple) or isinstance(v, Tensor)
                                        for v in value):
            return ("tuple", [self._param(v) for v in value])
        return ("c", value)

    # ------------------------------------------------------------------------ engine hooks
    def op(self, cls: type, inputs: tuple, arrays: tuple, params: dict, ctx: Any,
           t: Any) -> None:
        if not self.active():
            return
        srcs = [self.source_of(x) for x in inputs]
        kw = {k: self._param(v) for k, v in params.items()}  # (before the output's slot)
        node = ctx if ctx.op is not None else None
        slot = self.new_slot(t._data)
        for k, v in params.items():
            if type(v) is list:  # side outputs the forward appended (Normalize's stats): values
                kw[k] = ("out", [self.new_slot(a) if type(a) is np.ndarray else
                                 self._side_output_break(cls) for a in v])
        if node is not None:
            self.node_slot[id(node)] = slot
            self.keep.append(node)
        self.events.append(OpEvent(cls, srcs, kw, slot, node, meta(t._data)))
        scope = engine.current_scope()
        if scope is not None:
            self.modules[id(scope)] = scope

    def backward_begin(self, p: Any, start: list, inputs: Any, accumulate: bool) -> None:
        if not self.active():
            return
        if p.as_tensor or not accumulate or inputs is not None:
            self.graph_break("autograd.grad, backward(inputs=...) or create_graph=True")
            self._bw = None
            return
        bw = BackwardEvent()
        for node, g in p.node_grads.items():
            slot = self.node_slot.get(id(node))
            if slot is None:
                self.graph_break("backward through a graph built before the compiled call")
                self._bw = None
                return
            bw.seeds.append((("n", slot), self.source_of(g)))
        for leaf, g in p.leaf_grads.values():
            bw.seeds.append((("l", leaf), self.source_of(g)))
            self.leaves[id(leaf)] = leaf
        self._bw = bw
        self.events.append(bw)

    def backward_node(self, node: Any, g: Any, gin: Any) -> None:
        bw = self._bw
        if bw is None or not self.active():
            return
        if node.pre_hooks or node.retained is not None:
            self.graph_break("hooks or retain_grad on a tensor inside the compiled function")
        is_tuple = type(gin) is tuple
        routes = []
        for j, (gi, nxt, need, ref) in enumerate(zip(gin if is_tuple else (gin,), node.next,
                                                     node.needs_input_grad, node.inputs)):
            if gi is None or not need:
                continue
            fit = gi.shape != ref.shape or gi.dtype != ref.dtype
            if isinstance(nxt, engine.Node):
                slot = self.node_slot.get(id(nxt))
                if slot is None:
                    self.graph_break("backward through a graph built before the compiled call")
                    return
                routes.append((j, fit, ("n", slot), meta(gi)))
            else:
                self.leaves[id(nxt)] = nxt
                routes.append((j, fit, ("l", nxt), meta(gi)))
        bw.steps.append((self.node_slot[id(node)], is_tuple, routes))

    def backward_end(self, p: Any) -> None:
        bw = self._bw
        if bw is None or not self.active():
            return
        for leaf, g in p.leaf_grads.values():
            if leaf._hooks:
                self.graph_break("a gradient hook on a leaf tensor")
            if self.arg_ids.get(id(leaf)) is None:
                self.persistent[id(leaf)] = leaf
            bw.leaves.append((leaf, leaf.grad is not None and leaf.grad._data is g))
        self._bw = None

    def _side_output_break(self, cls: type) -> int:
        self.graph_break(f"{cls.__name__} gave a side output that is not an array")
        return -1

    def helper(self, fn: Callable, args: tuple, writes: bool = False) -> Any:
        """Run a NumPy helper and record it with its array arguments resolved to sources.
        ``writes``: it updates its Tensor arguments in place (BatchNorm's running statistics),
        which must outlive the call: passed as the Tensors themselves at replay."""
        if writes:
            params = []
            for a in args:
                if isinstance(a, Tensor):
                    if self.source_of_tensor(a)[0] != "p":
                        self.graph_break(f"{fn.__name__} takes a tensor computed inside the "
                                         f"compiled function")
                    self.written[id(a)] = a
                    params.append(("tensor", a))
                else:
                    params.append(self._param(a))
        else:
            params = [self._param(a) for a in args]
        res = fn(*args)
        results = []
        for r in (res if type(res) is tuple else (res,)):
            if type(r) is np.ndarray:
                results.append(("v", self.new_slot(r)))
            else:
                results.append(("c", r))
        self.events.append(HelperEvent(fn, params, results))
        return res

    # ------------------------------------------------------------------- whole calls
    def call(self, fn: Callable, args: tuple, kwargs: dict) -> Any:
        """Run ``fn`` (an optimizer step, zero_grad, clipping...) untraced and record it."""
        args = tuple(list(a) if _is_iterator(a) else a for a in args)
        for a in (*args, *kwargs.values()):
            for t in (a if isinstance(a, (list, tuple)) else (a,)):
                if isinstance(t, Tensor) and id(t._data) in self.slots:
                    self.graph_break(f"{_qualname(fn)} called on a tensor computed inside")
        self.suspended += 1
        try:
            res = fn(*args, **kwargs)
        finally:
            self.suspended -= 1
        slot = None
        if isinstance(res, Tensor):
            slot = self.new_slot(res._data)
        elif res is not None:
            self.graph_break(f"{_qualname(fn)} returned {type(res).__name__}")
        self.events.append(CallEvent(fn, args, dict(kwargs), slot))
        return res


def meta(a: Any) -> tuple:
    """(shape, dtype, layout) of an array: layout "C" or "F" (contiguous that way) or None. A
    buffer standing for it must have its layout too: a matmul or a reduction may sum in another
    order over another layout."""
    f = a.flags
    return (a.shape, a.dtype, "C" if f.c_contiguous else "F" if f.f_contiguous else None)


def _is_iterator(a: Any) -> bool:
    return hasattr(a, "__next__") and not isinstance(a, (Tensor, np.ndarray))


def _qualname(fn: Callable) -> str:
    return getattr(fn, "__qualname__", repr(fn))


# ----------------------------------------------------------------------------------------
# While a tracer records, a few methods are wrapped (class attributes, restored afterwards;
# eager code pays nothing): the Tensor conversions that hand a value to Python are graph
# breaks, the state-updating calls are recorded whole, and every module called is noted (its
# `training` flag and parameters are guards).
# ----------------------------------------------------------------------------------------
_BREAKS = {
    "item": "Tensor.item() reads a value into Python",
    "tolist": "Tensor.tolist() reads values into Python",
    "numpy": "Tensor.numpy() hands the array to NumPy code",
    "__array__": "a tensor converted to a NumPy array",
    "__bool__": "bool(tensor): Python control flow on a tensor's value",
    "__float__": "float(tensor) reads a value into Python",
    "__int__": "int(tensor) reads a value into Python",
    "__index__": "a tensor used as a Python index",
    "__repr__": "printing a tensor reads its values",
    "__format__": "formatting a tensor reads its values",
}


def _break_wrapper(tracer: Tracer, orig: Callable, reason: str) -> Callable:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if tracer.active():
            tracer.graph_break(reason, user_frame(2))
        return orig(*args, **kwargs)
    return wrapped


def _call_wrapper(tracer: Tracer, orig: Callable) -> Callable:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if tracer.active():
            return tracer.call(orig, args, kwargs)
        return orig(*args, **kwargs)
    return wrapped


def _helper_wrapper(tracer: Tracer, orig: Callable, draws: bool,
                    writes: bool = False) -> Callable:
    def wrapped(*args: Any) -> Any:
        if not tracer.active():
            return orig(*args)
        if not draws:
            return tracer.helper(orig, args, writes)
        # a helper drawing from the global generator: replayed, it draws in eager order; any
        # draw between such helpers is one the replay would not make
        if rng_state() != tracer.rng_mark:
            tracer.rng_outside = True
        res = tracer.helper(orig, args)
        tracer.rng_mark = rng_state()
        return res
    return wrapped


def rng_state() -> tuple:
    """The global generator's identity and state (to see whether anything drew from it)."""
    return id(default_generator.rng), default_generator.rng.bit_generator.state


def _helpers() -> list:
    """(module, name, draws random numbers) of the NumPy helpers recorded as HelperEvents."""
    return [(loss, "_class_coef", False), (pooling, "max_pool_regular", False),
            (dropout, "_dropout_scale", True), (sparse, "_grad_scale", False)]


def _writing_helpers() -> list:
    """(module, name) of the helpers recorded as HelperEvents that take Tensors outliving the
    call (buffers) and update or read them (train-mode BatchNorm: its batch count and running
    statistics, from the batch statistics ``Normalize`` gives as side outputs; InstanceNorm's
    running statistics; eval-mode BatchNorm's operands from them): re-run at replay, so the
    buffers, their version counters and ``num_batches_tracked`` move as in eager, and the
    values read are the current ones (no value guard on them: compiled.Entry)."""
    return [(normalization, "count_batch"), (normalization, "update_running_stats"),
            (normalization, "update_instance_running_stats"),
            (normalization, "running_stats_operands")]


_NORM_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def helper_only_buffers(m: Any) -> tuple:
    """Names of module ``m``'s buffers that its forward reads and writes only through the
    helpers above (BatchNorm's and InstanceNorm's own forward, not a subclass's override):
    the replay reads them when it runs, so their values need no guard."""
    f = type(m).forward
    if f is norm_modules._BatchNorm.forward or f is norm_modules._InstanceNorm.forward:
        return _NORM_BUFFERS
    return ()


def _module_call_wrapper(tracer: Tracer, orig: Callable) -> Callable:
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if tracer.active():
            tracer.modules[id(self)] = self
            if self._forward_hooks or self._forward_pre_hooks:
                tracer.graph_break(f"forward hooks on {type(self).__name__}")
        return orig(self, *args, **kwargs)
    return wrapped


def _whole_calls() -> list:
    """(owner, attribute name) of every call recorded whole."""
    out: list = [(Optimizer, "zero_grad"), (Module, "zero_grad")]
    todo = [Optimizer, lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau]
    while todo:
        cls = todo.pop()
        if "step" in cls.__dict__:
            out.append((cls, "step"))
        todo.extend(cls.__subclasses__())
    for mod in (clip_grad, nn_utils):
        out += [(mod, "clip_grad_norm_"), (mod, "clip_grad_value_"), (mod, "clip_grad_norm")]
    return out


class TracerBusyError(Exception):
    """Another thread is recording: this call cannot record now (it runs eagerly)."""


# One recording at a time in the process: the wrappers are installed on shared classes, and
# a second thread's recording would install its own over them and restore the first's.
_RECORDING = threading.Lock()


class Patched:
    """Context manager installing the wrappers above and the engine tracer. Raises
    TracerBusyError, having done nothing, while another thread records."""

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer
        self.saved: list = []

    def _set(self, owner: Any, name: str, value: Any) -> None:
        self.saved.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    def __enter__(self) -> Tracer:
        tr = self.tracer
        if engine.current_tracer() is not None:
            raise RuntimeError("autograd_nn.compile: a compiled function called while another "
                               "one is being traced (nested compile is not supported)")
        if not _RECORDING.acquire(blocking=False):  # not waiting: it may be waiting for us
            raise TracerBusyError
        try:
            for name, reason in _BREAKS.items():
                self._set(Tensor, name, _break_wrapper(tr, getattr(Tensor, name), reason))
            for owner, name in _whole_calls():
                self._set(owner, name, _call_wrapper(tr, owner.__dict__[name]))
            for owner, name, draws in _helpers():
                self._set(owner, name, _helper_wrapper(tr, owner.__dict__[name], draws))
            for owner, name in _writing_helpers():
                self._set(owner, name, _helper_wrapper(tr, owner.__dict__[name], False, True))
            self._set(Module, "__call__", _module_call_wrapper(tr, Module.__call__))
        except BaseException:
            self._restore()
            _RECORDING.release()
            raise
        engine.set_tracer(tr)
        return tr

    def _restore(self) -> None:
        for owner, name, value in reversed(self.saved):
            setattr(owner, name, value)
        self.saved.clear()

    def __exit__(self, *exc: Any) -> None:
        engine.set_tracer(None)
        self._restore()
        _RECORDING.release()
