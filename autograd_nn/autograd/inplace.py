"""In-place writes and views: version counters, the one rule deciding whether a write is
recorded, and PyTorch's CopySlices for in-place ops on views.

A tensor's version counter ``_vc`` is ``[version, epoch of last write, *weakrefs to views]``,
shared by a base and its views. Every write bumps it (:func:`bump_version`); the engine
compares a saved tensor's epoch against the node's at backward and raises if it changed.

A write into ``t`` is *recorded* (:func:`records`) when grad mode is on and ``t`` or another
input of the op requires grad: the op then runs as a graph op on a shell holding ``t``'s old
history, and ``t`` takes the result's history (a view: the write is routed through its base,
:class:`CopySlices`, and every live view of that base is re-derived). Otherwise the op runs on
the arrays and the result is copied into ``t``'s buffer.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .. import _dtype
from .._ops import xp
from . import engine
from .engine import Op, read_inputs


def records(t: Any, *others: Any) -> bool:
    """Whether an in-place op on ``t`` (with ``others`` its other inputs) is recorded in the
    graph. The only place this is decided."""
    if not engine.is_grad_enabled():
        return False
    if t.requires_grad:
        return True
    T = engine.Tensor
    for o in others:
        if isinstance(o, T) and o.requires_grad:
            return True
    return False


def bump_version(t: Any) -> None:
    """Record a write into ``t``'s memory (and its views'): a graph that saved it raises."""
    vc = t._vc if t._vc is not None else t._new_vc()
    vc[0] += 1
    vc[1] = engine.bump_inplace_epoch()


def check_writable(t: Any, op: str) -> None:
    """PyTorch's refusals: in-place on a leaf (or a view of a leaf) requiring grad while grad
    mode is on, or on an expanded (read-only) tensor."""
    if engine.is_grad_enabled():
        if t.requires_grad and t._node is None:
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                               f"in-place operation.")
        if t._base is not None and t._base.requires_grad and t._base._node is None:
            raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being "
                               f"used in an in-place operation.")
    if not t._data.flags.writeable:
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the "
                           f"written-to tensor refers to a single memory location (an "
                           f"expanded tensor). Please clone() the tensor before performing "
                           f"the operation.")


def apply(t: Any, op: type, *others: Any, **params: Any) -> Any:
    """``t = op(t, *others, **params)`` in place (``t.mul_(y)`` is ``apply(t, Mul, y)``)."""
    if records(t, *others):
        return _apply_recorded(t, op, *others, **params)
    check_writable(t, op.__name__.lower() + "_")
    res = op.forward(engine._Scratch(), t._data, *[xp.data(o) if xp.is_graph(o) else o
                                                   for o in others], **params)
    write(t, res, op.__name__)
    return t


def _apply_recorded(t: Any, op: type, *others: Any, **params: Any) -> Any:
    check_writable(t, op.__name__.lower() + "_")
    if t._base is not None:
        return _apply_on_view(t, op, *others, **params)
    needs = (t.requires_grad,) + tuple(xp.is_graph(o) and o.requires_grad for o in others)
    # the op reads t's old value in backward: keep a copy of it
    shell = _shell(t, t._data.copy() if 0 in read_inputs(op, needs) else t._data)
    res = op.apply(shell, *others, **params)
    write(t, res._data, op.__name__)
    t._node, t.requires_grad = res._node, res.requires_grad
    if t._node is not None and op.saves_out:
        t._node.out_vc = t._vc
        t._node.epoch = engine.inplace_epoch()
    refresh_views(t)
    return t


def _apply_on_view(t: Any, op: type, *others: Any, **params: Any) -> Any:
    """In-place op on a view whose base is (or becomes) part of the graph, as PyTorch's
    CopySlices: the op runs on a copy of the view's value, the result is written into the
    base through the same view ops (rebasing the base's history), and the view is
    re-derived from the updated base."""
    chain = view_chain(t, op.__name__.lower() + "_")
    base = t._base
    tmp = replay_view(base, chain).clone()
    _apply_recorded(tmp, op, *others, **params)
    res = CopySlices.apply(_shell(base, base._data), tmp, chain=tuple(chain))
    write(base, res._data, op.__name__)
    base._node, base.requires_grad = res._node, res.requires_grad
    view = replay_view(base, chain)
    t._node, t.requires_grad = view._node, view.requires_grad
    refresh_views(base)
    return t


def _shell(t: Any, data: np.ndarray) -> Any:
    """A stand-in for ``t`` before the write: its history, holding ``data``."""
    shell = engine.Tensor._wrap(data)
    shell._node, shell.requires_grad = t._node, t.requires_grad
    return shell


def write(t: Any, res: np.ndarray, opname: str) -> None:
    """Write an op's result into ``t``'s buffer (PyTorch's in-place casting and shape rules)
    and bump its version."""
    res = np.asarray(res)
    check_result(t._data, res, opname)
    np.copyto(t._data, res, casting="unsafe")
    bump_version(t)


def check_result(dst: np.ndarray, res: np.ndarray, opname: str) -> None:
    """PyTorch's rules for writing an op's result into a tensor in place: the result must not
    broadcast it to a bigger shape, and a float result never goes into an integer tensor, nor
    an integer one into a bool tensor."""
    if res.shape != dst.shape:
        try:
            ok = np.broadcast_shapes(res.shape, dst.shape) == dst.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{opname.lower()}_: output with shape {list(dst.shape)} doesn't "
                               f"match the broadcast shape {list(res.shape)}")
    rk, dk = _dtype.np_kind(res.dtype), dst.dtype.kind
    if (rk == "f" and dk in "biu") or (rk in "iu" and dk == "b"):
        raise RuntimeError(f"{opname.lower()}_: result type {_dtype.from_numpy_dtype(res.dtype)} "
                           f"can't be cast to the desired output type "
                           f"{_dtype.from_numpy_dtype(dst.dtype)}")


def overwrite(t: Any, values: Any, what: str) -> Any:
    """``t[...] = values`` (random fills, init): checked and versioned. On a tensor in the graph
    the write is recorded as a copy of constant values, so no gradient reaches ``t``'s old
    history (it was overwritten), as PyTorch's fills."""
    check_writable(t, what)
    if records(t):
        return copy_(t, np.asarray(values))
    t._data[...] = values
    bump_version(t)
    return t


def copy_(t: Any, src: Any, non_blocking: bool = False) -> Any:
    """``t.copy_(src)``: ``src`` broadcast to ``t``'s shape and cast to its dtype."""
    if records(t, src):
        # also for a constant src: the old history must be cut (the result is src)
        src = src if xp.is_graph(src) else xp.wrap(np.asarray(src))
        return _apply_recorded(t, CopyFrom, src)
    check_writable(t, "copy_")
    s = xp.data(src)
    try:
        np.copyto(t._data, np.broadcast_to(s, t._data.shape), casting="unsafe")
    except ValueError:
        raise RuntimeError(f"copy_: the size of src {list(np.shape(s))} must be broadcastable "
                           f"to the destination's {list(t.shape)}") from None
    bump_version(t)
    return t


def fill_(t: Any, value: Any) -> Any:
    """``t.fill_(value)``: a number or a 0-d tensor (which then gets the summed gradient)."""
    return _fill(t, value, "FillBackward2")


def _fill(t: Any, value: Any, name: str) -> Any:
    """fill_ whose recorded node (for a number ``value``) is named ``name`` (PyTorch's
    fill_.Scalar, or zero_'s); a tensor value is fill_.Tensor."""
    if xp.is_graph(value):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        if records(value):
            return name_write(copy_(t, value), "FillBackward3")
        value = value.item()
    check_writable(t, "fill_")
    if records(t):
        return name_write(copy_(t, np.full(t._data.shape, value, t._data.dtype)), name)
    return overwrite(t, value, "fill_")


def zero_(t: Any) -> Any:
    """``t.fill_(0)``."""
    return _fill(t, 0, "ZeroBackward0")


def name_write(t: Any, name: str, before: Any = False) -> Any:
    """Name the node an in-place op just recorded on ``t`` after the PyTorch op it stands for
    (``fill_`` records a copy). Only for a tensor that is no view (a write into a view is a
    CopySlices of its base, in PyTorch too) and, given ``before`` (t's node before the op),
    only if the op recorded one. Returns ``t``."""
    if t._base is None and t._node is not before:
        engine.name_node(t, name)
    return t


# ---------------------------------------------------------------------------- views


def view_chain(v: Any, what: str) -> list:
    """The view ops ((op, params), ...) that derive ``v`` from its base, base side first."""
    chain = []
    while v._base is not None:
        link = getattr(v, "_view_of", None)
        if link is None:
            raise NotImplementedError(f"{what}: in-place on a view whose origin is unknown")
        src, vcls, vparams = link
        chain.append((vcls, vparams))
        v = src
    chain.reverse()
    return chain


def refresh_views(base: Any) -> None:
    """After an in-place op changed ``base`` (or a view of it), re-derive the history of its
    live views from its new one, as PyTorch regenerates a view's grad_fn: a view taken before
    the change then backpropagates through it."""
    vc = base._vc
    if vc is None or len(vc) <= 2:
        return
    live = [r for r in vc[2:] if r() is not None and r()._base is base]
    for r in live:
        v = r()
        fresh = replay_view(base, view_chain(v, "re-derive"))
        v._node, v.requires_grad = fresh._node, fresh.requires_grad
    vc[2:] = live  # (the replays' own throwaway views registered too: dropped)


def replay_view(x: Any, chain: Sequence) -> Any:
    """Apply a chain of view ops ((op, params), ...) to an array or Tensor."""
    for vcls, vparams in chain:
        x = vcls.call(x, **vparams)
    return x


class CopySlices(Op):
    """base with ``src`` written at the view of it described by ``chain`` (in-place on views)."""

    grad_fn_name = "torch::autograd::CopySlices"

    saved_inputs = ()

    @staticmethod
    def forward(ctx, base, src, chain=()):
        ctx.chain = chain
        out = base.copy()
        dst = replay_view(out, chain)
        if dst.size and not np.shares_memory(dst, out):  # (an empty view shares nothing)
            raise RuntimeError("in-place on a view: this view (a reshape that had to copy) does "
                               "not share memory with its base; use an out-of-place op")
        dst[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        need_base, need_src = ctx.needs_input_grad
        gb = gs = None
        if need_base:  # the overwritten region gets no gradient
            keep = np.ones(ctx.inputs[0].shape, dtype=bool)
            replay_view(keep, ctx.chain)[...] = False
            gb = g * xp.mask_like(keep, g)
        if need_src:
            gs = replay_view(g, ctx.chain)
        return gb, gs


class CopyFrom(Op):
    """dst.copy_(src): the result is src broadcast to dst's shape and cast to dst's dtype."""

    grad_fn_name = "torch::autograd::CopyBackwards"  # fill_ and zero_ name theirs

    saved_inputs = ()

    @staticmethod
    def forward(ctx, dst, src):
        return np.broadcast_to(src, dst.shape).astype(dst.dtype)

    @staticmethod
    def backward(ctx, g):
        return None, g


def write_out(out: Any, result: Any, op: str, inputs: Sequence[Any] = ()) -> Any:
    """``op(..., out=out)``: ``result`` written into ``out`` (resized when its shape differs,
    with PyTorch's warning if it held elements), as PyTorch's ``out=`` does; returns ``out``.
    Like PyTorch, ``out=`` does not record a graph: it refuses inputs or an ``out`` that
    require grad while grad mode is on, and a result that cannot be cast to ``out``'s dtype.
    A tuple result (values, indices ...) goes into a tuple ``out``, element by element."""
    T = engine.Tensor
    if isinstance(result, tuple) and isinstance(out, (tuple, list)):
        if len(out) != len(result):
            raise RuntimeError(f"{op}(): expected out= to hold {len(result)} tensors, got "
                               f"{len(out)}")
        written = [write_out(o, r, op, inputs) for o, r in zip(out, result)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    if not isinstance(out, T):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if engine.is_grad_enabled() and (out.requires_grad or any(
            isinstance(t, T) and t.requires_grad for t in (*inputs, result))):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad.")
    value = result._data if isinstance(result, T) else np.asarray(result)
    if not np.can_cast(value.dtype, out._data.dtype, casting="same_kind"):
        raise RuntimeError(f"{op}(): result type {_dtype.from_numpy_dtype(value.dtype)} can't "
                           f"be cast to the desired output type {out.dtype}")
    if out._data.shape != value.shape:
        if out._data.size:
            warnings.warn(f"{op}(): an output with one or more elements was resized since it "
                          f"had shape {list(out.shape)}, which does not match the required "
                          f"output shape {list(value.shape)}.", UserWarning, stacklevel=3)
        if out._base is not None:
            raise RuntimeError(f"{op}(): cannot resize out=, a view of another tensor, from "
                               f"{list(out.shape)} to {list(value.shape)}")
        out._data = np.empty(value.shape, out._data.dtype)
    out._data[...] = value
    bump_version(out)
    return out
