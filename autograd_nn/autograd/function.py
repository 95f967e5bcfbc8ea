"""User-defined differentiable functions: ``class F(autograd.Function)`` with a ``ctx``."""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from .._dtype import is_float_np
from . import engine
from .engine import Node, Op, fill_node


class FunctionCtx:
    """The ``ctx`` of a user Function: save tensors in forward, read them back in backward."""

    def __init__(self) -> None:
        self._saved: tuple = ()
        self._saved_versions: tuple = ()
        self.needs_input_grad: tuple = ()
        self.non_differentiable: set = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        self._saved = tensors
        self._saved_versions = tuple(t._version if t is not None else 0 for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:
            raise RuntimeError("Trying to backward through the graph a second time (or directly "
                               "access saved tensors after they have already been freed).")
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: saved tensor {i} (shape {list(t.shape)}) is at "
                    f"version {t._version}; expected version {v} instead.")
        return self._saved

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self.non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Any) -> None:
        self.dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


def _expandable(shape: tuple, to: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``to`` (so a gradient of shape ``to`` sums back to it)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], to[::-1]))


class _FunctionOp(Op):
    """Engine adapter: runs the user's backward for one output of a user Function."""

    saved_inputs = ()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        Tensor = engine.Tensor

        node = ctx._node if hasattr(ctx, "_node") else ctx
        fn, uctx, n_out, which, out_shapes = node.fn_info
        plain = not isinstance(g, Tensor)
        gt = Tensor._wrap(g) if plain else g
        if n_out == 1:
            grads_out = (gt,)
        else:
            grads_out = tuple(gt if i == which else
                              (Tensor._wrap(np.zeros(s, dtype=gt._data.dtype))
                               if uctx.materialize_grads else None)
                              for i, s in enumerate(out_shapes))
        res = fn.backward(uctx, *grads_out)
        if not isinstance(res, tuple):
            res = (res,)
        pos = node.tensor_positions
        if len(res) < max(pos, default=-1) + 1:
            raise RuntimeError(f"function {fn.__name__}Backward returned an incorrect number of "
                               f"gradients (expected at least {max(pos) + 1}, got {len(res)})")
        grads = []
        for p, t in zip(pos, node.tensors):
            r = res[p]
            if r is None:
                grads.append(None)
                continue
            if not isinstance(r, Tensor):
                r = Tensor._wrap(np.asarray(r))
            if r.shape != t.shape and not _expandable(t.shape, r.shape):
                raise RuntimeError(
                    f"Function {fn.__name__}Backward returned an invalid gradient at index "
                    f"{p} - got {list(r.shape)} but expected shape compatible with "
                    f"{list(t.shape)}")
            grads.append(r._data if plain else r)
        return tuple(grads)


class Function:
    """Base class for custom ops: define ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    as static methods and call ``MyFunction.apply(*args)``.

    ``forward`` runs with recording off and returns a Tensor or a tuple of Tensors; ``backward``
    gets one gradient per output and returns one per forward argument (None where there is none).
    """

    # The engine op of this Function's nodes (a _FunctionOp named after the Function, so the
    # grad_fn is "<Name>Backward"): made once per subclass, when it is defined.
    _node_op: type = _FunctionOp

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._node_op = type(cls.__name__, (_FunctionOp,), {"__module__": cls.__module__,
                                                      "__qualname__": cls.__qualname__})

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grads)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        Tensor = engine.Tensor

        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        prev = engine.swap_grad_mode(False)
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            engine.swap_grad_mode(prev)
        outs = out if isinstance(out, tuple) else (out,)
        if prev and any(t.is_leaf and t.requires_grad for t in getattr(ctx, "dirty", ())):
            raise RuntimeError(f"{cls.__name__}: a leaf Variable that requires grad has been "
                               f"used in an in-place operation.")
        if not (prev and True in ctx.needs_input_grad):
            return out
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ts = tuple(args[i] for i in positions)
        arrays = tuple(t._data for t in ts)
        needs = tuple(t.requires_grad for t in ts)
        nxt = tuple((t._node or t) if r else t for t, r in zip(ts, needs))
        shapes = tuple(o.shape if isinstance(o, Tensor) else () for o in outs)
        trace = traceback.extract_stack()[:-1] if engine.is_anomaly_enabled() else None
        new_outs = []
        for which, o in enumerate(outs):
            if not isinstance(o, Tensor) or id(o) in ctx.non_differentiable or \
                    not is_float_np(o._data.dtype):
                new_outs.append(o)
                continue
            if any(o is t for t in ts):  # forward returned an input: give it a fresh identity
                o = Tensor._wrap(o._data)
            node = Node()
            fill_node(node, cls._node_op, arrays, ts, o._data, nxt, needs, None)
            node.fn_info = (cls, ctx, len(outs), which, shapes)
            node.fn_args = (args, kwargs)  # to re-run forward (autograd.debug.check_graph)
            node.tensor_positions = positions
            if trace is not None:  # where it was created, for AnomalyError messages
                node.trace = trace
            o._node = node
            o.requires_grad = True
            new_outs.append(o)
        return tuple(new_outs) if isinstance(out, tuple) else new_outs[0]


def once_differentiable(fn: Any) -> Any:
    return fn
