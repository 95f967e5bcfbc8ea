"""Gradient debugging on a recorded graph: find the op whose backward is wrong, explain a pass.

* :func:`check_graph` re-runs every node's forward in float64 on the inputs it recorded and
  compares its backward rule with central differences *locally* (node by node), so a wrong
  gradient is pinned to the op (and module, and source line) that computes it, not just
  reported for the whole function as :func:`gradcheck` does.
* :func:`explain` prints a backward pass step by step (local derivatives and the gradient each
  node passes on), for teaching and for small graphs.
* :func:`walk` is the iterative graph traversal both use (and ``autograd_nn.viz``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from .._dtype import is_float_np, np_kind
from .._ops import xp
from . import engine
from .engine import Node
from .function import FunctionCtx
from .grad_mode import no_grad

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------------- traversal

def _roots(outputs: Any) -> list:
    Tensor = engine.Tensor

    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"expected a Tensor (or a list of Tensors) as output {i}, "
                            f"got {type(o).__name__}")
    return outs


def freed_error(node: Node) -> RuntimeError:
    return RuntimeError(
        f"the graph behind {node.name()} was freed by an earlier backward(), so it can no longer "
        f"be walked. Call backward(retain_graph=True) (or inspect the graph before backward) to "
        f"keep it.")


def walk(outputs: Any) -> list[Node]:
    """Every Node reachable from ``outputs`` (Tensors), each after all nodes that consume it
    (the order backward visits them): the engine's graph walk. Raises if part of the graph
    was freed by a backward without ``retain_graph=True``."""
    return engine.walk([o._node for o in _roots(outputs) if o._node is not None], freed_error)


def node_path(node: Any, paths: dict | None = None) -> str | None:
    """Dotted module path of the Module that was running when ``node`` was recorded
    (``''`` for a root module), or None outside any module."""
    scope = getattr(node, "scope", None)
    if scope is None:
        return None
    if paths is not None and id(scope) in paths:
        return paths[id(scope)]
    return scope_path(scope)


# nn.modules.module registers its module_path here when it is imported (nn sits above autograd).
_module_path: Callable[[Any], str] | None = None


def register_module_path(fn: Callable[[Any], str]) -> None:
    """The hook by which ``nn`` lets reports name a module by its dotted path in its tree."""
    global _module_path
    _module_path = fn


def scope_path(scope: Any) -> str:
    """Dotted path of a Module in its tree ('' for a root)."""
    try:
        return _module_path(scope)
    except Exception:  # an object that is not one of our Modules: name its class
        return type(scope).__name__


def describe_scope(node: Any) -> str:
    """'module encoder.layers.0 (Linear)' for messages; '' outside any module."""
    scope = getattr(node, "scope", None)
    if scope is None:
        return ""
    path = node_path(node)
    return f"module '{path}' ({type(scope).__name__})" if path else \
        f"module {type(scope).__name__} (the root)"


def user_frame(trace: Any) -> Any:
    """The innermost stack frame outside the autograd_nn package (the user's line)."""
    if not trace:
        return None
    user = [f for f in trace if not os.path.abspath(f.filename).startswith(_PKG_DIR + os.sep)]
    return (user or list(trace))[-1]


def source_line(node: Any) -> str | None:
    frame = user_frame(getattr(node, "trace", None))
    if frame is None:
        return None
    return f"{frame.filename}:{frame.lineno}: {(frame.line or '').strip()}"


def _shape(x: Any) -> tuple:
    return tuple(np.shape(x))


# ------------------------------------------------------------------------- local node replay

class _Replay:
    """A node's forward and backward as float64 functions of its differentiable inputs."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.fn_info = node.__dict__.get("fn_info")
        base = node.inputs
        # float inputs in float64; integer indices, masks and Python constants stay as they are
        self.args = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) and
                     np_kind(a.dtype) in "fc" else a for a in base]
        self.diff = [i for i, (need, a) in enumerate(zip(node.needs_input_grad, base))
                     if need and isinstance(a, np.ndarray) and is_float_np(a.dtype)]
        # a keyword argument that *is* the output array is a cached result (max-pool passes
        # its gathered values): recompute it instead of returning the cache
        params = getattr(node, "params", None) or {}
        self.params = {k: (None if v is node.out else v) for k, v in params.items()}

    def forward(self, args: list) -> tuple[np.ndarray, Any]:
        """(output as float64 array, the ctx that forward filled)."""
        node = self.node
        if self.fn_info is None:
            ctx = Node()
            out = node.op.forward(ctx, *args, **self.params)
            return np.asarray(out), ctx
        Tensor = engine.Tensor

        cls, _, _, which, _ = self.fn_info
        call_args, kwargs = node.__dict__.get("fn_args", (None, {}))
        if call_args is None:
            raise RuntimeError("this Function node did not record its arguments")
        call_args = list(call_args)
        for pos, a in zip(node.tensor_positions, args):
            call_args[pos] = Tensor._wrap(a)
        uctx = FunctionCtx()
        uctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad
                                      for a in call_args)
        with no_grad():
            out = cls.forward(uctx, *call_args, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        return np.asarray(outs[which]._data), uctx

    def backward(self, args: list, v: np.ndarray) -> list:
        """Vector-Jacobian products for the differentiable inputs, float64."""
        node = self.node
        out, fctx = self.forward(args)
        ctx = Node()
        ctx.__dict__.update(fctx.__dict__ if self.fn_info is None else node.__dict__)
        ctx.op = node.op
        ctx.inputs = args
        ctx.out = out
        ctx.next = node.next
        ctx.needs_input_grad = node.needs_input_grad
        ctx.scope = node.scope
        ctx.params = self.params
        if self.fn_info is not None:
            Tensor = engine.Tensor

            cls, _, n_out, which, shapes = self.fn_info
            ctx.fn_info = (cls, fctx, n_out, which, shapes)
            ctx.tensors = [Tensor._wrap(a) for a in args if isinstance(a, np.ndarray)]
        else:
            ctx.tensors = node.tensors
        with no_grad():
            gin = node.op.backward(ctx, v.astype(out.dtype) if is_float_np(out.dtype) else v)
        if type(gin) is not tuple:
            gin = (gin,)
        res = []
        for i in self.diff:
            g = gin[i] if i < len(gin) else None
            if g is None:
                res.append(np.zeros(args[i].shape))
                continue
            g = xp.data(g)
            if g.shape != args[i].shape:
                g = engine.sum_to(g, args[i].shape)
            res.append(np.asarray(g, dtype=np.float64))
        return res


@dataclass
class NodeCheck:
    """The local gradient check of one (node, input) pair."""

    node: Any
    op: str
    path: str | None
    input_index: int
    input_shape: tuple
    output_shape: tuple
    ok: bool
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    worst_index: tuple | None = None
    analytical: float | None = None
    numerical: float | None = None
    checked_elements: int = 0
    skipped_elements: int = 0  # at kinks (one-sided slopes disagree): no derivative to check
    source: str | None = None
    error: str | None = None

    def __str__(self) -> str:
        where = f" in {self.path!r}" if self.path else ""
        head = (f"{self.op}{where}: gradient for input {self.input_index} "
                f"(shape {list(self.input_shape)} -> output {list(self.output_shape)})")
        if self.error:
            body = f" could not be checked: {self.error}"
        else:
            body = (f" {'OK' if self.ok else 'WRONG'}: worst element {list(self.worst_index or ())}"
                    f" analytical {self.analytical:.6g} vs numerical {self.numerical:.6g} "
                    f"(abs err {self.max_abs_err:.3g}, rel err {self.max_rel_err:.3g}; "
                    f"{self.checked_elements} elements checked"
                    + (f", {self.skipped_elements} at kinks skipped" if self.skipped_elements
                       else "") + ")")
        src = f"\n    created at {self.source}" if self.source else ""
        return head + body + src


@dataclass
class GraphCheckReport:
    """Result of :func:`check_graph`: ``.bad`` lists the wrong local gradients (empty when all
    agree), ``.checks`` every (node, input) checked, ``.skipped`` (node, reason) pairs."""

    checks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    n_nodes: int = 0

    @property
    def bad(self) -> list:
        return [c for c in self.checks if not c.ok]

    @property
    def bad_nodes(self) -> list:
        """The distinct Nodes with a wrong gradient (for ``viz.draw_graph(highlight=...)``)."""
        return list({id(c.node): c.node for c in self.bad}.values())

    @property
    def ok(self) -> bool:
        return not self.bad

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"check_graph: {self.n_nodes} nodes, {len(self.checks)} local gradients "
                 f"checked, {len(self.bad)} wrong, {len(self.skipped)} nodes skipped"]
        for c in self.bad:
            lines.append("  " + str(c))
        for node, why in self.skipped:
            lines.append(f"  skipped {node.name()}: {why}")
        return "\n".join(lines)

    __repr__ = __str__


def _defined_factor(rep: _Replay, i: int) -> np.ndarray | None:
    """Where PyTorch *defines* a gradient to differ from the derivative of the forward, the
    per-element factor the rule applies to the true derivative of input ``i`` (None: none).

    Embedding lookups: row ``padding_idx`` gets no gradient and ``scale_grad_by_freq`` divides
    each row's by its count (both folded into the node's per-index ``scale``)."""
    node = rep.node
    if getattr(node.op, "__name__", "") == "EmbeddingLookup" and i == 0:
        scale = rep.params.get("scale")
        if scale is None:
            return None
        weight, idx = rep.args[0], np.asarray(rep.args[1])
        rows = np.ones(weight.shape[0])
        rows[idx.reshape(-1)] = np.asarray(scale, dtype=np.float64).reshape(-1)  # per row
        return np.broadcast_to(rows[:, None], weight.shape)
    return None


def _check_node(rep: _Replay, eps: float, atol: float, rtol: float, max_elements: int,
                rng: np.random.Generator) -> list[NodeCheck]:
    node = rep.node
    args = list(rep.args)
    out0, _ = rep.forward(args)
    if not is_float_np(out0.dtype):
        return []
    out0 = out0.astype(np.float64, copy=True)
    again, _ = rep.forward(args)
    if not np.array_equal(np.asarray(again, dtype=np.float64), out0, equal_nan=True):
        raise _SkipError("forward is not deterministic (random op?)")
    if np.asarray(again).dtype != np.float64:
        raise _SkipError(f"forward computes in {np.asarray(again).dtype}, too coarse for "
                         f"finite differences")
    v = rng.standard_normal(out0.shape)
    pole = not np.isfinite(out0).all()
    if pole:  # output entries at +-inf / NaN have no measurable derivative: leave them out
        v = np.where(np.isfinite(out0), v, 0.0)
    analytic = rep.backward(args, v)
    results = []
    for k, i in enumerate(rep.diff):
        x = args[i] = args[i].copy()
        flat = x.reshape(-1)
        n = flat.size
        idx = np.arange(n) if n <= max_elements else np.sort(
            rng.choice(n, size=max_elements, replace=False))
        a_all = analytic[k].reshape(-1)
        factor = _defined_factor(rep, i)
        f_all = None if factor is None else factor.reshape(-1)
        worst = (-np.inf, 0, 0.0, 0.0, 0.0)
        max_abs = max_rel = 0.0
        skipped = 0
        for e in idx:
            orig = flat[e]
            flat[e] = orig + eps
            fp = np.array(rep.forward(args)[0], dtype=np.float64)  # a copy: views alias x
            flat[e] = orig - eps
            fm = np.array(rep.forward(args)[0], dtype=np.float64)
            flat[e] = orig
            # differences before the dot with v: outputs x_e does not touch cancel exactly
            num = float((_diff(fp, fm) * v).sum()) / (2 * eps)
            if f_all is not None:  # compare with the gradient as PyTorch defines it
                num *= float(f_all[e])
            right = float((_diff(fp, out0) * v).sum()) / eps
            left = float((_diff(out0, fm) * v).sum()) / eps
            kink = abs(right - left) > 10 * (atol + rtol * abs(num)) + 1e3 * eps
            ana = float(a_all[e])
            if kink or not np.isfinite(num) or not np.isfinite(orig) or \
                    (pole and not np.isfinite(ana)):
                # a kink (relu at 0, ties of max) or a pole (log at 0): no derivative to compare
                skipped += 1
                continue
            err = abs(ana - num) if np.isfinite(ana) else np.inf
            excess = err - (atol + rtol * abs(num))
            max_abs = max(max_abs, err)
            max_rel = max(max_rel, err / max(abs(num), 1e-12) if err else 0.0)
            if excess > worst[0]:
                worst = (excess, int(e), ana, num, err)
        checked = len(idx) - skipped
        results.append(NodeCheck(
            node=node, op=node.name(), path=node_path(node), input_index=i,
            input_shape=x.shape, output_shape=out0.shape, ok=worst[0] <= 0,
            max_abs_err=max_abs, max_rel_err=max_rel,
            worst_index=tuple(int(j) for j in np.unravel_index(worst[1], x.shape)) if checked
            else None,
            analytical=worst[2], numerical=worst[3], checked_elements=checked,
            skipped_elements=skipped, source=source_line(node)))
    return results


def _diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a - b with equal entries exactly 0 (so an untouched -inf output gives no NaN)."""
    return np.where(a == b, 0.0, a - b)


class _SkipError(Exception):
    pass


def check_graph(output: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                max_elements: int = 64, seed: int = 0,
                ops: Callable[[Node], bool] | None = None) -> GraphCheckReport:
    """Check every node's backward in the graph of ``output`` against central differences.

    Each node's forward is re-run in float64 on the inputs it recorded; with a random upstream
    gradient ``v`` (shape of the node's output) the rule's vector-Jacobian product is compared,
    element by element, with the central difference of ``(v * f(x)).sum()``. Inputs larger than
    ``max_elements`` are checked on a random subset of elements. Elements at kinks (one-sided
    slopes disagree: relu at 0, ties of max) are skipped, as are random ops.

    Args:
        output: a Tensor (or list of Tensors) whose graph is still alive (not freed by a
            ``backward()`` without ``retain_graph=True``).
        eps, atol, rtol: finite-difference step and tolerances (|a - n| <= atol + rtol |n|).
        ops: optional predicate choosing which nodes to check.

    Returns:
        a :class:`GraphCheckReport`; ``report.bad`` lists each wrong local gradient with its op,
        module path, shapes, worst element and relative error; ``str(report)`` reads well.
    """
    nodes = walk(output)
    report = GraphCheckReport(n_nodes=len(nodes))
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for node in nodes:
            if ops is not None and not ops(node):
                continue
            try:
                rep = _Replay(node)
                if not rep.diff:
                    continue
                report.checks.extend(_check_node(rep, eps, atol, rtol, max_elements, rng))
            except _SkipError as why:
                report.skipped.append((node, str(why)))
            except Exception as exc:  # a rule that crashes is a broken rule: report it
                report.checks.append(NodeCheck(
                    node=node, op=node.name(), path=node_path(node), input_index=-1,
                    input_shape=(), output_shape=_shape(node.out), ok=False,
                    source=source_line(node), error=f"{type(exc).__name__}: {exc}"))
    return report


# -------------------------------------------------------------------------------- explain

def _fmt(a: Any, limit: int) -> str:
    a = np.asarray(a)
    if a.size > limit:
        return f"<{list(a.shape)} array, norm {float(np.linalg.norm(a.astype(np.float64))):.4g}>"
    return np.array2string(a, precision=4, suppress_small=True, separator=", ").replace("\n", "")


def _tensor_name(t: Any, names: dict) -> str:
    n = names.get(id(t))
    return f"'{n}'" if n else f"leaf {list(t.shape)}"


def explain(output: Any, names: dict | Iterable | None = None, *, max_elements: int = 16,
            gradient: Any = None) -> str:
    """A step-by-step text of the backward pass of ``output`` (small graphs; for teaching).

    For each node, in the order backward runs it: the upstream gradient it receives, its local
    derivative (the Jacobian of its output w.r.t. each input, shown as elementwise factors when
    the op is elementwise) and the gradient it passes on; then the total gradient each leaf
    accumulates, which equals what ``output.backward()`` stores in ``.grad``. ``names`` maps
    names to tensors (a dict or a Module's ``named_parameters()``). The graph is not freed.
    """
    Tensor = engine.Tensor

    roots = _roots(output)
    if len(roots) != 1:
        raise ValueError("explain: pass one output tensor")
    root = roots[0]
    if isinstance(names, dict):
        items = names.items()
    elif names is None:
        items = ()
    else:
        items = list(names.named_parameters()) if hasattr(names, "named_parameters") else names
    name_of = {id(t): n for n, t in items}
    if root._node is None:
        return f"{_tensor_name(root, name_of)} is a leaf: its gradient is the seed itself."
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError("explain: output must be a scalar or pass gradient=")
        g0 = np.ones(root._data.shape, dtype=root._data.dtype)
    else:
        g0 = np.asarray(gradient._data if isinstance(gradient, Tensor) else gradient)
    nodes = walk(root)
    label = {n: f"[{k + 1}] {n.name()}" for k, n in enumerate(nodes)}
    lines = [f"Backward pass of {nodes[0].name()} output {list(root.shape)} "
             f"({len(nodes)} nodes), seeded with d out/d out = {_fmt(g0, max_elements)}"]
    grads: dict = {nodes[0]: g0}
    leaf: dict = {}
    with no_grad():
        for node in nodes:
            g = grads.pop(node)
            where = node_path(node)
            lines.append(f"{label[node]}" + (f" in {where!r}" if where else "") +
                         f": output {list(np.shape(node.out))}, upstream gradient "
                         f"{_fmt(g, max_elements)}")
            gin = node.op.backward(node, g)
            if type(gin) is not tuple:
                gin = (gin,)
            for i, (gi, nxt, need, ref) in enumerate(zip(gin, node.next, node.needs_input_grad,
                                                         node.inputs)):
                if gi is None or not need:
                    continue
                gi = np.asarray(engine._fit(np.asarray(gi), np.asarray(ref)))
                to = label[nxt] if isinstance(nxt, Node) else _tensor_name(nxt, name_of)
                lines.append(f"    input {i} ({to}): local derivative "
                             f"{_local(node, i, g, gi, max_elements)}; passes gradient "
                             f"{_fmt(gi, max_elements)}")
                if isinstance(nxt, Node):
                    grads[nxt] = gi if nxt not in grads else grads[nxt] + gi
                else:
                    e = leaf.get(id(nxt))
                    leaf[id(nxt)] = [nxt, gi] if e is None else [nxt, e[1] + gi]
    lines.append("Leaf gradients (what backward() accumulates into .grad):")
    for t, g in leaf.values():
        lines.append(f"    {_tensor_name(t, name_of)}: {_fmt(g, max_elements)}")
    return "\n".join(lines)


def _local(node: Node, i: int, g: np.ndarray, gi: np.ndarray, limit: int) -> str:
    """The local derivative d out / d input_i, computed from the rule with unit seeds."""
    out = np.asarray(node.out)
    ref = np.asarray(node.inputs[i])
    if out.size * ref.size > limit * limit and out.size > 1:
        return "(too large to show)"
    cols = []
    for k in range(out.size):
        e = np.zeros(out.shape, dtype=out.dtype)
        e.flat[k] = 1
        r = node.op.backward(node, e)
        r = r[i] if type(r) is tuple else r
        r = np.zeros(ref.shape) if r is None else np.asarray(engine._fit(np.asarray(r), ref))
        cols.append(np.asarray(r, dtype=np.float64).reshape(-1))
    jac = np.stack(cols)  # (out elements, input elements)
    if out.shape == ref.shape and out.size > 1 and \
            np.count_nonzero(jac - np.diag(np.diag(jac))) == 0:
        return "elementwise " + _fmt(np.diag(jac).reshape(out.shape), limit)
    if jac.size == 1:
        return _fmt(jac.reshape(()), limit)
    return "Jacobian " + _fmt(jac, limit)


__all__ = ["check_graph", "explain", "walk", "GraphCheckReport", "NodeCheck"]

