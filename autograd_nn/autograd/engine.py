"""The autograd engine: graph nodes, the op protocol, and the backward pass.

Every differentiable op is an :class:`Op` subclass with two static methods side by side::

    class Exp(Op):
        saves_out = True                       # backward reads ctx.out

        @staticmethod
        def forward(ctx, x):                   # NumPy arrays in, NumPy array out
            return np.exp(x)

        @staticmethod
        def backward(ctx, g):                  # gradient of the output in, one per input out
            return g * ctx.out

``ctx`` is the graph :class:`Node`. ``forward`` may store non-differentiable extras on it
(masks, indices, options). In ``backward``, ``ctx.inputs`` and ``ctx.out`` are NumPy arrays in a
plain backward and :class:`Tensor` objects under ``create_graph=True``; the same rule, written with
operators and the dispatching helpers of :mod:`autograd_nn._ops.xp`, therefore builds a
differentiable graph of its own when asked, which is what makes higher-order gradients work for
every op. Gradients are reduced to each input's shape (broadcasting) and cast to its dtype here,
in one place, so rules never do it.

This module knows no op by name: it only walks nodes.
"""

from __future__ import annotations

import itertools
import threading
from contextvars import ContextVar
from heapq import heapify, heappop, heappush
from typing import Any, Callable, Iterable, Sequence
from weakref import ref as _weakref

import numpy as np

from .allocator import Allocator

# Engine state, per thread as in PyTorch (and, being ContextVars, per asyncio task): a new
# thread starts with grad mode on, anomaly mode off and no module scope. Hot paths call the
# bound ``get`` methods; only the functions below change the state.
_grad_mode: ContextVar[bool] = ContextVar("autograd_nn.grad_mode", default=True)
_anomaly_mode: ContextVar[bool] = ContextVar("autograd_nn.anomaly_mode", default=False)
_inference_mode: ContextVar[bool] = ContextVar("autograd_nn.inference_mode", default=False)
# The innermost running Module (nn.Module.__call__ enters it), tagged on nodes as `scope`.
_module_scope: ContextVar[Any] = ContextVar("autograd_nn.module_scope", default=None)
_grad_get = _grad_mode.get
_anomaly_get = _anomaly_mode.get
_scope_get = _module_scope.get
# True once anomaly mode was ever switched on in any thread: until then the per-op check
# costs one global read, not a ContextVar lookup.
_anomaly_ever = False
# The same for inference mode: until first entered, tensors skip the inference-tensor mark.
_inference_ever = False

# Bumped by every in-place op (process-wide, under a lock: tensors may be shared across
# threads); nodes remember its value at creation, so backward only checks saved tensors'
# versions when some in-place op happened after the node was made.
_inplace_epoch = 0
_epoch_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether ops record a graph in this thread (``no_grad`` turns it off)."""
    return _grad_get()


def swap_grad_mode(mode: bool) -> bool:
    """Set this thread's grad mode; returns the previous one, for restoring."""
    prev = _grad_get()
    _grad_mode.set(mode)
    return prev


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread."""
    return _anomaly_get()


def swap_anomaly_mode(mode: bool) -> bool:
    """Set this thread's anomaly mode; returns the previous one, for restoring."""
    global _anomaly_ever
    if mode:
        _anomaly_ever = True
    prev = _anomaly_get()
    _anomaly_mode.set(mode)
    return prev


def is_inference_mode_enabled() -> bool:
    """Whether inference mode is on in this thread (``torch.inference_mode``)."""
    return _inference_mode.get()


def swap_inference_mode(mode: bool) -> bool:
    """Set this thread's inference mode; returns the previous one, for restoring."""
    global _inference_ever
    if mode:
        _inference_ever = True
    prev = _inference_mode.get()
    _inference_mode.set(mode)
    return prev


def mark_inference(t: Any) -> None:
    """Mark ``t`` an inference tensor if it is made in inference mode (``is_inference()``);
    one global read until inference mode is first used."""
    if _inference_ever and _inference_mode.get():
        t._inference = True


def current_scope() -> Any:
    """The innermost ``nn.Module`` running in this thread, or None."""
    return _scope_get()


# Enter a module scope: ``token = enter_scope(module)`` ... ``exit_scope(token)``.
enter_scope = _module_scope.set
exit_scope = _module_scope.reset


def inplace_epoch() -> int:
    """The current in-place epoch (see :func:`bump_inplace_epoch`)."""
    return _inplace_epoch


def bump_inplace_epoch() -> int:
    """Record that an in-place op happens now; returns the new epoch."""
    global _inplace_epoch
    with _epoch_lock:
        _inplace_epoch += 1
        epoch = _inplace_epoch
    if (tracer := _tracer) is not None:  # a compiled function recording (counts its thread's)
        tracer.inplace_write()
    return epoch


# The Tensor class. The engine sits below it and never imports it: ``tensor.py`` hands the
# class over with register_tensor_type once it is defined (Op.apply makes its outputs with it).
Tensor: Any = None


def register_tensor_type(cls: type) -> None:
    """The hook by which ``autograd_nn.tensor`` gives the engine (and the op modules, which
    read ``engine.Tensor``) the Tensor class: called once, when the class is defined."""
    global Tensor
    Tensor = cls

_ndarray = np.ndarray
_asarray = np.asarray
# Node creation order, counting down: backward pops the newest node first from a min-heap.
_next_seq = itertools.count(0, -1).__next__


class Node:
    """One recorded op application: the ``grad_fn`` of the tensor it produced.

    ``next`` holds, per input, the producing Node, the leaf Tensor to accumulate into, or the
    input itself when it needs no gradient (``needs_input_grad`` is then False).
    """

    __slots__ = (
        "op", "inputs", "tensors", "out", "next", "needs_input_grad", "epoch", "out_vc",
        "pre_hooks", "retained", "scope", "trace", "params", "seq", "label", "fits",
        "__dict__",
        "__weakref__",
    )

    def __init__(self) -> None:
        self.op = None
        self.seq = _next_seq()

    # --- PyTorch-compatible introspection -------------------------------------------------
    def name(self) -> str:
        """PyTorch's name for this node (``MulBackward0``): the one its public function gave
        it (``label``, set by :func:`name_node`), else its op's (:meth:`Op.node_name`)."""
        label = getattr(self, "label", None)  # unset slot: the common case, no label
        if label is not None:
            return label
        return self.op.node_name(self) if self.op is not None else "Node"

    @property
    def next_functions(self) -> tuple:
        """((node_or_None, 0), ...) as in PyTorch; a leaf appears as an AccumulateGrad node."""
        res = []
        pairs = list(zip(self.next or (), self.needs_input_grad or ()))
        order = self.op.next_order(self) if self.op is not None and pairs else None
        for nxt, need in (pairs if order is None else [pairs[i] for i in order]):
            if not need:
                res.append((None, 0))
            elif isinstance(nxt, Node):
                res.append((typed(nxt), 0))
            else:
                res.append((AccumulateGrad(nxt), 0))
        return tuple(res)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """Hook run on the gradient flowing into this node's output: ``hook(grad) -> grad|None``."""
        if self.pre_hooks is None:
            self.pre_hooks = {}
        return RemovableHandle(self.pre_hooks, hook)

    register_prehook = register_hook

    def __repr__(self) -> str:
        return f"<{_type_name(self.name())} object at {hex(id(self))}>"


def _type_name(name: str) -> str:
    """PyTorch's class name for a node name: ``torch::autograd::CopySlices`` -> CopySlices."""
    return name.rpartition("::")[2]


def name_node(t: Any, name: str) -> Any:
    """``t`` with its ``grad_fn`` named ``name`` (if it has one): for a public function whose Op
    serves several PyTorch functions (``Reshape``: view, squeeze, unsqueeze...) or whose node
    stands for a composition PyTorch records under another name. Returns ``t``."""
    node = t._node
    if node is not None:
        node.label = name
    return t


# One Node subclass per PyTorch node name, made on first use, so that ``type(t.grad_fn)
# .__name__`` reads ``MulBackward0`` as in PyTorch (graph printers such as torchviz read it).
_named_types: dict = {}


def typed(node: Any) -> Any:
    """``node`` as an instance of the Node subclass named after it (what ``Tensor.grad_fn`` and
    ``next_functions`` hand out). The class is set on first access, not in ``Op.apply``: the
    name is computed only for the nodes someone looks at. The subclasses add no slots (the
    layout is Node's), so the engine treats them as Nodes (``isinstance``)."""
    if type(node) is Node:
        name = node.name()
        cls = _named_types.get(name)
        if cls is None:
            cls = _named_types[name] = type(_type_name(name), (Node,), {"__slots__": ()})
        node.__class__ = cls
    return node


class AccumulateGrad:
    """Stand-in shown by ``next_functions`` for a leaf tensor (PyTorch's AccumulateGrad)."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's name(); its type is AccumulateGrad

    next_functions: tuple = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class RemovableHandle:
    """Handle returned by every ``register_*hook`` call (tensors, nodes, modules, optimizers):
    adds ``hook`` to ``registry`` (a dict keyed by handle id); ``remove()`` takes it out."""

    _ids = itertools.count(1)  # next() on a count is atomic: unique ids across threads

    def __init__(self, registry: dict, hook: Any) -> None:
        self.id = next(RemovableHandle._ids)
        self._registry = registry
        registry[self.id] = hook

    def remove(self) -> None:
        self._registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


# Instance creation without an __init__ call (apply sets every slot that is read later).
_new_node = _new_tensor = object.__new__


class _Scratch:
    """Throwaway ctx for running an op's forward on plain arrays (inside a plain backward)."""

    __slots__ = ("__dict__",)


class Op:
    """Base class of every differentiable op. Subclasses define ``forward`` and ``backward``."""

    # Inputs whose value backward reads (checked for in-place modification); None = all.
    saved_inputs: tuple | None = None
    # Finer, optional: per input j, the inputs read to compute j's gradient (x * c reads only c
    # when c needs no gradient, so x may change in place afterwards, as in PyTorch).
    grad_reads: tuple | None = None
    # Whether backward reads ctx.out (checked for in-place modification too).
    saves_out = False
    # Output shares memory with input 0 (a view): shares its version counter.
    is_view = False
    # Output is never differentiable (comparisons, argmax...).
    differentiable = True
    # PyTorch's name for this op's grad_fn (``"MulBackward0"``). None: ``<class>Backward``,
    # PyTorch's rule for a user Function. An op whose PyTorch name depends on the call (an
    # overload: a dim given or not, a scalar or a tensor operand) overrides ``node_name``.
    grad_fn_name: str | None = None

    @classmethod
    def node_name(cls, node: Node) -> str:
        """PyTorch's name for ``node``, a recorded application of this op (its ``params``,
        ``tensors`` and ``inputs`` tell the overload)."""
        return cls.grad_fn_name or cls.__name__ + "Backward"

    @classmethod
    def next_order(cls, node: Node) -> tuple | None:
        """The order in which PyTorch's node lists this op's inputs in ``next_functions``, as
        indices into ours (None: ours). Addmm's is (bias, input, weight)."""
        return None

    # Elementwise, and backward's gradients have the shape and dtype of the incoming gradient
    # whenever the inputs have the output's (Add, Mul, Tanh...): engine.apply1/apply2 then mark
    # the node ``fits`` and backward skips the per-gradient shape and dtype check (~1,600
    # instructions per gradient, a sixth of a small op's Python).
    elementwise = False

    @staticmethod
    def forward(ctx: Any, *arrays: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run forward on Tensors (or constants) and, if needed, record a Node."""
        # The per-op Python cost of every forward: one- and two-input ops (nearly all) take
        # unrolled paths that build tuples, not lists in a loop.
        n = len(inputs)
        if n == 2:
            a, b = inputs
            if isinstance(a, Tensor):
                xa = a._data
                ra = a.requires_grad
            else:  # a constant: ndarray or Python scalar, passed to forward as it is
                xa = a
                ra = False
            if isinstance(b, Tensor):
                xb = b._data
                rb = b.requires_grad
            else:
                xb = b
                rb = False
            arrays: tuple = (xa, xb)
            any_need = ra or rb
        elif n == 1:
            a = inputs[0]
            if isinstance(a, Tensor):
                arrays = (a._data,)
                any_need = ra = a.requires_grad
            else:
                arrays = (a,)
                any_need = ra = False
        else:
            arrays = tuple([t._data if isinstance(t, Tensor) else t for t in inputs])
            needs = tuple([isinstance(t, Tensor) and t.requires_grad for t in inputs])
            any_need = True in needs
        ctx = _new_node(Node)
        if params:
            out = cls.forward(ctx, *arrays, **params)
        elif n == 2:  # a direct call: no argument tuple or keyword dict to build
            out = cls.forward(ctx, xa, xb)
        else:
            out = cls.forward(ctx, *arrays)
        if type(out) is not _ndarray:
            out = _asarray(out)
        if _anomaly_ever and _anomaly_get():
            _anomaly_checks[0](cls, ctx, out, arrays)
        t = _new_tensor(Tensor)
        t._data = out
        t._grad = None
        t._hooks = None
        if cls.is_view:
            src = inputs[0]
            t._vc = src._vc if src._vc is not None else src._new_vc()
            t._base = src if src._base is None else src._base
            t._view_of = (src, cls, params)  # how to re-derive it (in-place on views)
        else:
            t._vc = None
            t._base = None
        if any_need and cls.differentiable and _grad_get():
            if n == 2:
                nxt: tuple = ((a._node or a) if ra else a, (b._node or b) if rb else b)
                needs = (ra, rb)
            elif n == 1:
                nxt = ((a._node or a),)
                needs = (True,)
            else:
                nxt = tuple([(x._node or x) if r else x for x, r in zip(inputs, needs)])
            # fill_node(ctx, cls, arrays, inputs, out, nxt, needs, params), inlined: the call
            # measured +5% on a small one- or two-input op
            ctx.op = cls
            ctx.inputs = arrays
            ctx.tensors = inputs
            ctx.out = out
            ctx.next = nxt
            ctx.needs_input_grad = needs
            ctx.seq = _next_seq()
            ctx.epoch = _inplace_epoch
            ctx.out_vc = None
            ctx.pre_hooks = None
            ctx.retained = None
            ctx.scope = _scope_get()
            ctx.params = params
            ctx.fits = False
            if cls.saves_out:
                ctx.out_vc = t._vc if t._vc is not None else t._new_vc()
            t._node = ctx
            t.requires_grad = True
            if cls.is_view and t._base._node is not None:
                # a view of a graph tensor: re-derived if its base later changes in place
                _register_view(t._vc, t)
        else:
            ctx.op = None
            t._node = None
            t.requires_grad = False
            if _inference_ever and _inference_mode.get():  # (inference mode disables grad)
                t._inference = True
        if (tracer := _tracer) is not None:  # (read once: another thread may unset it)
            tracer.op(cls, inputs, arrays, params, ctx, t)
        return t

    @classmethod
    def call(cls, *args: Any, **params: Any) -> Any:
        """Backend-generic call used inside backward rules: NumPy in, NumPy out; any Tensor
        argument makes it a recorded (differentiable) application instead."""
        for a in args:
            if isinstance(a, Tensor):
                return cls.apply(*args, **params)
        return cls.forward(_Scratch(), *args, **params)


# The fast paths of the arithmetic operators and of one-input functions (tanh, exp, ...): an
# op that is differentiable and not a view, applied to Tensors or constants with no keyword
# parameters, which is most ops of a training step. They do what Op.apply does for such an op
# (the same node, the same tracer and anomaly calls) without its argument tuple and keyword
# dict, its input-count dispatch and its class-attribute reads, which together cost about as
# much as the rest of a small op's Python (callgrind: ~2,500 instructions of ~10,000 per op).
# Callers check ``plain(op)`` once (when the function is made) or know their op is plain.
_NO_PARAMS: dict = {}  # the params of a node made here (shared; never written to)
_NEEDS1 = (True,)


def plain(op: type) -> bool:
    """Whether ``op`` may go through :func:`apply1` / :func:`apply2`."""
    return op.differentiable and not op.is_view


def apply2(cls: type, a: Any, b: Any) -> Any:
    """``cls.apply(a, b)`` for a :func:`plain` two-input op: Tensors or Python numbers; two
    Tensors are of one dtype (the operators promote first)."""
    if isinstance(a, Tensor):
        xa = a._data
        ra = a.requires_grad
    else:
        xa = a
        ra = False
    if isinstance(b, Tensor):
        xb = b._data
        rb = b.requires_grad
    else:
        xb = b
        rb = False
    ctx = _new_node(Node)
    out = cls.forward(ctx, xa, xb)
    if type(out) is not _ndarray:
        out = _asarray(out)
    if _anomaly_ever and _anomaly_get():
        _anomaly_checks[0](cls, ctx, out, (xa, xb))
    t = _new_tensor(Tensor)
    t._data = out
    t._grad = None
    t._hooks = None
    t._vc = None
    t._base = None
    if (ra or rb) and _grad_get():
        # fill_node(ctx, cls, (xa, xb), (a, b), out, next, (ra, rb), {}), inlined
        ctx.op = cls
        ctx.inputs = (xa, xb)
        ctx.tensors = (a, b)
        ctx.out = out
        ctx.next = ((a._node or a) if ra else a, (b._node or b) if rb else b)
        ctx.needs_input_grad = (ra, rb)
        ctx.seq = _next_seq()
        ctx.epoch = _inplace_epoch
        ctx.out_vc = t._vc = [0, 0] if cls.saves_out else None  # Tensor._new_vc's counter
        ctx.pre_hooks = None
        ctx.retained = None
        ctx.scope = _scope_get()
        ctx.params = _NO_PARAMS
        # the inputs have the output's shape and dtype: a number, or arrays of one shape
        # (and one dtype, which the callers guarantee)
        ctx.fits = cls.elementwise and (type(xa) is not _ndarray or type(xb) is not _ndarray
                                        or xa.shape == xb.shape)
        t._node = ctx
        t.requires_grad = True
    else:
        ctx.op = None
        t._node = None
        t.requires_grad = False
        if _inference_ever and _inference_mode.get():  # (inference mode disables grad)
            t._inference = True
    if (tracer := _tracer) is not None:
        tracer.op(cls, (a, b), (xa, xb), _NO_PARAMS, ctx, t)
    return t


def apply1(cls: type, a: Any) -> Any:
    """``cls.apply(a)`` for a :func:`plain` one-input op, ``a`` a Tensor."""
    xa = a._data
    ctx = _new_node(Node)
    out = cls.forward(ctx, xa)
    if type(out) is not _ndarray:
        out = _asarray(out)
    if _anomaly_ever and _anomaly_get():
        _anomaly_checks[0](cls, ctx, out, (xa,))
    t = _new_tensor(Tensor)
    t._data = out
    t._grad = None
    t._hooks = None
    t._vc = None
    t._base = None
    if a.requires_grad and _grad_get():
        # fill_node(ctx, cls, (xa,), (a,), out, next, (True,), {}), inlined
        ctx.op = cls
        ctx.inputs = (xa,)
        ctx.tensors = (a,)
        ctx.out = out
        ctx.next = (a._node or a,)
        ctx.needs_input_grad = _NEEDS1
        ctx.seq = _next_seq()
        ctx.epoch = _inplace_epoch
        ctx.out_vc = t._vc = [0, 0] if cls.saves_out else None  # Tensor._new_vc's counter
        ctx.pre_hooks = None
        ctx.retained = None
        ctx.scope = _scope_get()
        ctx.params = _NO_PARAMS
        ctx.fits = cls.elementwise
        t._node = ctx
        t.requires_grad = True
    else:
        ctx.op = None
        t._node = None
        t.requires_grad = False
        if _inference_ever and _inference_mode.get():  # (inference mode disables grad)
            t._inference = True
    if (tracer := _tracer) is not None:
        tracer.op(cls, (a,), (xa,), _NO_PARAMS, ctx, t)
    return t


def fill_node(node: Node, op: type, arrays: tuple, tensors: Sequence, out: np.ndarray,
              nxt: tuple, needs: tuple, params: dict | None) -> None:
    """Record ``node`` as the ``grad_fn`` of ``out``: ``op`` (its ``backward`` runs) applied to
    ``tensors`` (Tensors or constants; their ``arrays``), linked by ``nxt`` (per input: its
    node, the leaf Tensor, or the input itself where ``needs`` is False). The one place a
    node's fields are set: custom ``autograd.Function``s record here, and Op.apply, apply1
    and apply2 have this body inlined (keep them alike)."""
    node.op = op
    node.inputs = arrays
    node.tensors = tensors
    node.out = out
    node.next = nxt
    node.needs_input_grad = needs
    node.seq = _next_seq()
    node.epoch = _inplace_epoch
    node.out_vc = None
    node.pre_hooks = None
    node.retained = None
    node.scope = _scope_get()
    node.params = params  # forward's keyword args (re-run by autograd.debug.check_graph)
    node.fits = False  # backward checks each gradient's shape and dtype


def _register_view(vc: list, t: Any) -> None:
    """Add view ``t`` to its version counter ``[version, epoch, *weakrefs]``; dead entries are
    dropped whenever the list reaches a power of two (amortised O(1), bounded for a long-lived
    base viewed every step)."""
    vc.append(_weakref(t))
    n = len(vc)
    if n & (n - 1) == 0 and n >= 16:
        vc[2:] = [r for r in vc[2:] if r() is not None]


# The compiler's tracer (autograd_nn/compiler): None except while a compiled function's first
# call is being recorded. When set, Op.apply reports every application (``op``), and
# run_backward its pass (``backward_begin`` / ``backward_node`` after each rule / ``backward_end``),
# so the compiler can replay the same kernels without Tensors or Nodes. Unset, it costs one
# global read per op and per backward node. One thread records at a time (the compiler's lock);
# the tracer ignores reports from other threads (``Tracer.active``), and for them
# current_tracer() is None: to every other thread the recording is invisible.
_tracer: Any = None


def set_tracer(tracer: Any) -> Any:
    """Install the compiler's tracer (None removes it); returns the previous one."""
    global _tracer
    prev, _tracer = _tracer, tracer
    return prev


def current_tracer() -> Any:
    """The compiler's tracer while a compiled function records in this thread, else None."""
    tracer = _tracer
    return tracer if tracer is not None and tracer.thread == threading.get_ident() else None


# Anomaly mode's checks: (forward(cls, ctx, out, arrays), backward(node, grads)). They live in
# autograd/anomaly.py, above the engine, which registers them when it is imported.
_anomaly_checks: Any = None


def register_anomaly_checks(forward: Callable, backward: Callable) -> None:
    """The hook by which ``autograd.anomaly`` gives the engine its per-op checks."""
    global _anomaly_checks
    _anomaly_checks = (forward, backward)


# --------------------------------------------------------------------------------------------
# Gradient plumbing shared by every op
# --------------------------------------------------------------------------------------------

def sum_to(g: Any, shape: tuple) -> Any:
    """Reduce a broadcast gradient back to ``shape`` (NumPy array, or a Tensor: recorded)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if type(g) is _ndarray or not isinstance(g, Tensor):
        g = _asarray(g)
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        return g.reshape(shape) if lead or g.shape != shape else g
    if axes:
        g = g.sum(axes, True)
    return g.reshape(shape) if g.shape != shape else g


def _fit(g: Any, ref: np.ndarray) -> Any:
    """Gradient ``g`` for an input whose forward value was ``ref``: same shape, same dtype."""
    if g.shape != ref.shape:
        g = sum_to(g, ref.shape)
    if g.dtype != ref.dtype:
        if type(g) is _ndarray:
            g = g.astype(ref.dtype)
        elif not isinstance(g, Tensor):
            g = _asarray(g, dtype=ref.dtype)
        else:
            g = g.to(Tensor._dtype_of(ref.dtype))
    return g


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a + b


class _GraphCtx:
    """ctx for a rule run under create_graph: tensor inputs and the output are Tensors (so the
    rule records a graph); constant inputs stay the numbers or arrays the plain backward sees
    (wrapping them would compute ``g * 0.9`` in float64 and cast back: other values than the
    plain backward's, and a third more nodes). The rest is the Node's."""

    __slots__ = ("_node", "inputs", "out", "needs_input_grad")

    def __init__(self, node: Node, out_tensor: Any) -> None:
        self._node = node
        self.needs_input_grad = node.needs_input_grad
        self.inputs = node.tensors
        self.out = out_tensor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)


def read_inputs(op: type, needs: Sequence[bool]) -> Any:
    """Indices of the inputs ``op``'s backward reads when the inputs in ``needs`` want grads."""
    if op.grad_reads is not None:
        return {i for j, need in enumerate(needs) if need for i in op.grad_reads[j]}
    return range(len(needs)) if op.saved_inputs is None else op.saved_inputs


def _check_versions(node: Node) -> None:
    idx = read_inputs(node.op, node.needs_input_grad)
    for i in idx:
        t = node.tensors[i]
        if isinstance(t, Tensor) and t._vc is not None and t._vc[1] > node.epoch:
            _raise_modified(node, f"input {i}", t.shape, t._vc[0])
    if node.out_vc is not None and node.out_vc[1] > node.epoch:
        _raise_modified(node, "its output", node.out.shape, node.out_vc[0])
    for t in getattr(node, "guarded", ()):
        if t._vc is not None and t._vc[1] > node.epoch:
            _raise_modified(node, f"its {t.dtype} index/mask", t.shape, t._vc[0])


def guard(out: Any, *sources: Any) -> Any:
    """``out`` (an op's result), whose backward reads the data of the Tensors among
    ``sources`` (an index or mask handed to the Op as a constant array, sharing their memory):
    its backward raises, as PyTorch's does for a saved tensor, if one of them is changed in
    place before it runs, instead of reading the new values. Returns ``out``."""
    node = out._node
    if node is not None:
        kept = [s for s in sources if isinstance(s, Tensor)]
        if kept:
            node.guarded = (*getattr(node, "guarded", ()), *kept)
    return out


def _raise_modified(node: Node, which: str, shape: tuple, version: int) -> None:
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {which} of {node.name()} (shape {list(shape)}) is at version {version}, "
        f"newer than when {node.name()} saved it. Use an out-of-place op (e.g. x = x + 1 instead "
        f"of x += 1), or .clone() the tensor before modifying it.")


def _freed(node: Node) -> None:
    raise RuntimeError(
        f"Trying to backward through the graph a second time (or directly access saved tensors "
        f"after they have already been freed): {node.name()} was freed by an earlier backward. "
        f"Specify retain_graph=True on the first backward() or autograd.grad() call if you need "
        f"to backward through the graph a second time.")


def _run_hooks(hooks: dict, g: Any, as_tensor: bool) -> Any:
    for hook in list(hooks.values()):
        arg = g if as_tensor else Tensor._wrap(g)
        res = hook(arg)
        if res is not None:
            if not isinstance(res, Tensor):
                raise TypeError(f"a gradient hook must return a Tensor or None, got {type(res)}")
            if res.shape != arg.shape:
                raise RuntimeError(f"hook changed the gradient's shape from {list(arg.shape)} to "
                                   f"{list(res.shape)}")
            g = res if as_tensor else res._data
    return g


# The engine's memory (leaf-gradient adoption, pooled scratch arrays): see allocator.py.
allocator = Allocator()


def walk(starts: Iterable[Node], freed: Callable[[Node], Any] | None = None) -> list[Node]:
    """Every node reachable from ``starts`` along edges that carry a gradient, in the order
    backward runs them (newest first: each node before the nodes of its inputs). The one
    graph walk: backward under ``create_graph``, ``debug.walk`` / ``explain`` /
    ``check_graph`` and the graph drawing use it. Iterative (any depth). A node freed by an
    earlier backward raises (``freed(node)`` builds the error; default: backward's)."""
    seen = set(starts)
    stack = list(seen)
    while stack:
        node = stack.pop()
        if node.next is None:
            if freed is not None:
                raise freed(node)
            _freed(node)
        for nxt, need in zip(node.next, node.needs_input_grad):
            if need and isinstance(nxt, Node) and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return sorted(seen, key=_seq_of)


def _seq_of(node: Node) -> int:
    return node.seq


class _Pass:
    """The state of one backward pass: gradients waiting at nodes and at leaves, the heap of
    nodes to run, and what the caller asked for."""

    __slots__ = ("as_tensor", "retain_graph", "node_grads", "leaf_grads", "heap", "capture",
                 "out_tensors", "seeds_fit")

    def __init__(self, create_graph: bool, retain_graph: bool) -> None:
        self.as_tensor = create_graph
        self.retain_graph = retain_graph
        self.node_grads: dict[Node, Any] = {}
        self.leaf_grads: dict[int, list] = {}  # id(leaf) -> [leaf, grad]
        self.heap: list = []
        self.capture: dict[Node, Any] = {}  # autograd.grad w.r.t. non-leaf tensors
        self.out_tensors: dict[Node, Any] = {}  # ctx.out as a Tensor, under create_graph
        # every root's gradient has the root's dtype (the shape is checked before): a node
        # marked ``fits`` may then skip the check of what its rule returns
        self.seeds_fit = True


def run_backward(roots: Sequence[Any], grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None,
                 accumulate: bool = True) -> list | None:
    """Backpropagate ``grads`` from ``roots``.

    With ``accumulate``, leaf gradients are added into ``.grad`` (``Tensor.backward``); with
    ``inputs`` and not ``accumulate``, the gradients w.r.t. ``inputs`` are returned instead
    (``autograd.grad``), and ``.grad`` is never written.
    """
    p = _Pass(create_graph, retain_graph)
    start = _seed(p, roots, grads)
    tracer = _tracer
    if tracer is not None:
        tracer.backward_begin(p, start, inputs, accumulate)
    for t in inputs or ():
        if t._node is not None:
            p.capture[t._node] = None
    if create_graph:
        _find_outputs(p, roots, start)
    prev_mode = swap_grad_mode(create_graph)
    try:
        _propagate(p, start)
    finally:
        _grad_mode.set(prev_mode)
    if not accumulate:
        return _collect(p, inputs or ())
    _accumulate(p, inputs)
    if tracer is not None:
        tracer.backward_end(p)
    return None


def _seed(p: _Pass, roots: Sequence[Any], grads: Sequence[Any]) -> list:
    """Put each root's incoming gradient at its node (or leaf); returns the start nodes."""
    start = []
    for root, g in zip(roots, grads):
        if not root.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn")
        if not p.as_tensor and isinstance(g, Tensor):
            g = g._data
        elif p.as_tensor and not isinstance(g, Tensor):
            g = Tensor._wrap(g)
        if (g._data if isinstance(g, Tensor) else g).dtype != root._data.dtype:
            p.seeds_fit = False
        node = root._node
        if node is None:  # root is a leaf
            entry = p.leaf_grads.get(id(root))
            p.leaf_grads[id(root)] = [root, g if entry is None else entry[1] + g]
            continue
        if node.next is None:
            _freed(node)
        if node not in p.node_grads:
            start.append(node)
            p.node_grads[node] = g
        else:
            p.node_grads[node] = p.node_grads[node] + g
    return start


def _find_outputs(p: _Pass, roots: Sequence[Any], start: list) -> None:
    """Under create_graph, rules read ``ctx.out`` as a Tensor: map each node to the tensor
    it produced (a root, or an input recorded by a later node)."""
    for r in roots:
        if r._node is not None:
            p.out_tensors[r._node] = r
    for node in walk(start):
        for t, nxt, need in zip(node.tensors, node.next, node.needs_input_grad):
            if need and isinstance(nxt, Node):
                p.out_tensors.setdefault(nxt, t)


def _propagate(p: _Pass, start: list) -> None:
    """Run every node a gradient reaches, newest first, and route what each returns.

    Nodes run in a heap on their creation sequence number (which counts down): every node is
    created after the nodes of its inputs, so when one is popped, every node that can add to
    its gradient has already run -- a topological order with no dependency-counting pass. A
    node no gradient reaches is never run. Each returned gradient is reduced to its input's
    shape and dtype (``_fit``, the one place broadcasting is undone) and added to the node
    that made the input (scheduling it when first reached) or to the leaf's total. (The
    routing stays inline: this loop is the per-op cost of every backward.)
    """
    heap, node_grads, leaf_grads = p.heap, p.node_grads, p.leaf_grads
    heap.extend((n.seq, n) for n in start)
    heapify(heap)
    check = _anomaly_checks[1] if _anomaly_ever and _anomaly_get() else None
    as_tensor, free, capture, seeds_fit = p.as_tensor, not p.retain_graph, p.capture, p.seeds_fit
    pop_grad, get_grad, get_leaf = node_grads.pop, node_grads.get, leaf_grads.get
    while heap:
        node = heappop(heap)[1]
        g = pop_grad(node)
        nexts = node.next
        if nexts is None:
            _freed(node)
        fits = seeds_fit and node.fits
        if node.pre_hooks or node.retained is not None or capture:
            g = _observe(p, node, g)
            fits = False  # a hook may return another dtype
        if node.epoch < _inplace_epoch:
            _check_versions(node)
        ctx = _GraphCtx(node, p.out_tensors.get(node)) if as_tensor else node
        gin = node.op.backward(ctx, g)
        if check is not None:
            check(node, gin)
        if (tracer := _tracer) is not None:
            tracer.backward_node(node, g, gin)
        refs = node.inputs
        if free:
            node.next = node.inputs = node.tensors = node.out = None
        if type(gin) is tuple:
            routes: Any = zip(gin, nexts, node.needs_input_grad, refs)
        else:  # a one-input op's gradient: one route, without zip's four iterators
            routes = ((gin, nexts[0], node.needs_input_grad[0], refs[0]),)
        for gi, nxt, need, ref in routes:
            if gi is None or not need:
                continue
            if not fits and (gi.shape != ref.shape
                             or (gi.dtype is not ref.dtype and gi.dtype != ref.dtype)):
                gi = _fit(gi, ref)
            if isinstance(nxt, Node):
                prev = get_grad(nxt)
                if prev is None:
                    node_grads[nxt] = gi
                    heappush(heap, (nxt.seq, nxt))
                else:
                    node_grads[nxt] = prev + gi
            else:
                entry = get_leaf(id(nxt))
                if entry is None:
                    leaf_grads[id(nxt)] = [nxt, gi]
                else:
                    entry[1] = entry[1] + gi


def _observe(p: _Pass, node: Node, g: Any) -> Any:
    """What sees a node's gradient before its rule runs: hooks (which may replace it),
    ``retain_grad`` and ``autograd.grad``'s capture of non-leaf inputs."""
    if node.pre_hooks:
        g = _run_hooks(node.pre_hooks, g, p.as_tensor)
    if node.retained is not None:
        t = node.retained()
        if t is not None:
            gt = g if p.as_tensor else Tensor._wrap(np.array(g, copy=True))
            t._grad = gt if t._grad is None else t._grad + gt
    if node in p.capture:
        p.capture[node] = g
    return g


def _collect(p: _Pass, inputs: Sequence[Any]) -> list:
    """``autograd.grad``'s result: the gradient of each of ``inputs`` (None if unreached)."""
    result = []
    for t in inputs:
        if t._node is not None:
            g = p.capture.get(t._node)
        else:
            entry = p.leaf_grads.get(id(t))
            g = None if entry is None else entry[1]
            if g is not None and t._hooks:
                g = _run_hooks(t._hooks, g, p.as_tensor)
        if g is not None and not p.as_tensor:
            g = Tensor._wrap(np.array(g, copy=True) if type(g) is not _ndarray else g)
        result.append(g)
    return result


def _accumulate(p: _Pass, inputs: Sequence[Any] | None) -> None:
    """Add each leaf's total gradient into its ``.grad`` (in place once it exists)."""
    for leaf, g in p.leaf_grads.values():
        if inputs is not None and not any(leaf is t for t in inputs):
            continue
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g, p.as_tensor)
        if p.as_tensor:
            leaf._grad = g if leaf._grad is None else leaf._grad + g
        elif leaf._grad is None:
            # Own the memory: never alias an array the graph or the user still holds; a
            # fresh array only this pass references is adopted without a copy.
            if not leaf._hooks and g.dtype == leaf._data.dtype and allocator.owned(g):
                leaf._grad = Tensor._wrap(g)
            else:
                leaf._grad = Tensor._wrap(np.array(g, dtype=leaf._data.dtype, copy=True))
        else:
            np.add(leaf._grad._data, g, out=leaf._grad._data)  # in place, as PyTorch
