"""Drawing the recorded computation graph with Graphviz (:func:`draw_graph`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import numpy as np

try:
    import graphviz
except ImportError:  # the [viz] extra; summary() and the debugging tools work without it
    raise ImportError("drawing graphs needs the graphviz Python package: pip install "
                      "'autograd_nn[viz]'") from None

from .._dtype import np_kind
from ..autograd.debug import _roots, freed_error, scope_path, source_line, walk
from ..autograd.engine import Node
from ..tensor import Tensor

# Colours (fill) of the kinds of boxes; red marks non-finite values and highlighted nodes.
COLORS = {"op": "#e9ecef", "param": "#cfe2ff", "leaf": "#d0ebff", "input": "#f8f9fa",
          "output": "#c3fae8", "saved": "#ffe8cc", "module": "#fff3bf", "bad": "#ffa8a8"}


class Graph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` that also shows inline in Jupyter via ``_repr_svg_`` and
    falls back to its DOT text when the ``dot`` binary is missing."""

    def _repr_svg_(self) -> str:
        return self.pipe(format="svg", encoding="utf-8")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kw: Any) -> dict:
        try:
            return {"image/svg+xml": self._repr_svg_()}
        except graphviz.ExecutableNotFound:
            return {"text/plain": self.source}


def _shape_str(shape: tuple) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _describe(arr: Any) -> str:
    arr = np.asarray(arr)
    return f"{_shape_str(arr.shape)} {arr.dtype}"


def _nonfinite(arr: Any) -> str | None:
    """'NaN' / 'Inf' when the float array holds one, else None."""
    if not isinstance(arr, np.ndarray) or np_kind(arr.dtype) not in "fc":
        return None
    if np.isfinite(arr).all():
        return None
    return "NaN" if np.isnan(arr).any() else "Inf"


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _attr_str(params: dict | None, limit: int = 48) -> str:
    if not params:
        return ""
    s = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return s if len(s) <= limit else s[:limit - 3] + "..."


# Module paths: '' is the main tree's root, 'a.b' its modules. Modules of other trees (a loss
# module called on the model's output) get paths '~Root' and '~Root.a.b': roots of their own.
FOREIGN = "~"


def _show(p: str) -> str:
    return p[1:] if p.startswith(FOREIGN) else p


def _parent(p: str) -> str | None:
    if p == "" or (p.startswith(FOREIGN) and "." not in p):
        return None
    return p.rsplit(".", 1)[0] if "." in p else ""


def _depth(p: str) -> int:
    if p.startswith(FOREIGN):
        return p.count(".")
    return 0 if p == "" else p.count(".") + 1


def _prefixes(p: str) -> list[str]:
    """The path's ancestors and itself, root first: '', 'a', 'a.b' for 'a.b'."""
    if p == "":
        return [""]
    parts = p.split(".")
    own = [".".join(parts[:k]) for k in range(1, len(parts) + 1)]
    return own if p.startswith(FOREIGN) else [""] + own


def _numel(params: Iterable) -> tuple[int, int]:
    """(all, trainable) element counts of distinct tensors."""
    seen = {}
    for p in params:
        seen[id(p)] = p
    total = sum(int(p._data.size) for p in seen.values())
    train = sum(int(p._data.size) for p in seen.values() if p.requires_grad)
    return total, train


def draw_graph(output_or_outputs: Any, params: Any = None, *, show_saved: bool = False,
               show_grad_norm: bool = False, depth: int | None = None,
               collapse_repeats: bool = False, rankdir: str = "TB", highlight: Any = None,
               show_attrs: bool = False, show_modules: bool = True,
               graph_attr: dict | None = None, name: str = "autograd_graph") -> Graph:
    """Draw the graph recorded behind ``output_or_outputs`` as a Graphviz ``Digraph``.

    One box per op (labelled like PyTorch's ``grad_fn``: ``MulBackward0``, with output shape and
    dtype) and per tensor that matters: leaves that require grad (parameters, named), inputs
    that do not, the outputs, and on request each node's saved tensors. Edges run the way data
    flows (inputs to outputs). Ops recorded inside ``nn.Module`` calls are grouped into nested
    clusters named after module paths (``encoder.layers.0 (Linear)``).

    Args:
        output_or_outputs: a Tensor or a list of Tensors.
        params: names for tensors: a Module (its ``named_parameters()``, and module paths from
            ``named_modules()``), or a dict name -> Tensor (parameters, inputs or outputs).
            Parameters of modules met in the graph are named automatically.
        show_saved: also draw what each node saved for backward (orange, dashed edges) and
            total their memory in the graph label.
        show_grad_norm: label leaves with the norm of their ``.grad`` (after backward, which
            must then have used ``retain_graph=True`` so the graph is still alive).
        depth: draw modules deeper than ``depth`` levels as one box each (path, class,
            parameter count); 0 collapses the whole model. None draws every op.
        collapse_repeats: draw sibling modules with identical structure (same class, parameter
            count, ops and shapes, e.g. the layers of a transformer) once, as one box with a
            count ``xN``.
        rankdir: Graphviz layout direction ('TB', 'LR', 'BT', 'RL').
        highlight: Nodes to draw in red: a Node, a list of Nodes or op names
            (``'MulBackward0'``), or a :class:`~autograd_nn.autograd.GraphCheckReport`.
            Tensors holding NaN/Inf (and ops that output them) are always red.
        show_attrs: add each op's keyword arguments (``dim=1``...) to its label.
        show_modules: group ops into module clusters (default True).

    Returns:
        a :class:`Graph` (a ``graphviz.Digraph``): ``.source`` is the DOT text (no ``dot``
        binary needed); ``.render(filename, format='svg'|'png'|'pdf')`` draws it; in Jupyter it
        shows inline.

    Raises:
        RuntimeError: if part of the graph was freed by ``backward()`` without
            ``retain_graph=True`` (nothing but the output would be left to draw).
    """
    outputs = _roots(output_or_outputs)
    nodes = walk(outputs)  # raises on a freed graph
    for o in outputs:
        if o._node is not None and o._node.next is None:
            raise freed_error(o._node)

    # ---- names of tensors and module paths -------------------------------------------------
    tensor_name: dict[int, str] = {}
    paths: dict[int, str] = {}  # id(module) -> dotted path
    modules: dict[str, Any] = {}  # path -> module object
    if params is not None:
        if hasattr(params, "named_parameters"):
            for n, m in params.named_modules():
                paths.setdefault(id(m), n)
                modules.setdefault(n, m)
            items = list(params.named_parameters())
        elif isinstance(params, dict):
            items = list(params.items())
        else:
            items = list(params)
        for n, t in items:
            tensor_name.setdefault(id(t), n)

    node_paths: dict[Node, str | None] = {}
    if show_modules or depth is not None or collapse_repeats:
        _module_paths(nodes, params if hasattr(params, "named_parameters") else None, paths,
                      modules)
    named_scopes: set[int] = set()
    for node in nodes:
        p = None if node.scope is None else paths.get(id(node.scope))
        node_paths[node] = p
        if p is not None and id(node.scope) not in named_scopes:
            scope = node.scope
            named_scopes.add(id(scope))
            modules.setdefault(p, scope)
            for attr in ("_parameters", "_buffers"):  # name what modules in the graph own
                own = getattr(scope, attr, None)
                for pn, t in (own.items() if isinstance(own, dict) else ()):
                    if t is not None:
                        tensor_name.setdefault(id(t), f"{p}.{pn}" if p else pn)

    # every module path seen, with its ancestors ('' only when a root module is known)
    has_root = "" in modules
    all_paths: set[str] = set()
    for p in node_paths.values():
        if p is not None:
            all_paths.update(q for q in _prefixes(p) if q or has_root)
    root_own = set()
    for attr in ("_parameters", "_buffers"):
        own = getattr(modules.get(""), attr, None)
        root_own.update(id(t) for t in (own.values() if isinstance(own, dict) else ()))

    # ---- which modules are drawn as one box ----------------------------------------------
    collapsed: set[str] = set()
    if depth is not None:
        if depth < 0:
            raise ValueError(f"draw_graph: depth must be >= 0 or None, got {depth}")
        collapsed = {_prefixes(p)[depth] for p in all_paths if _depth(p) >= depth}
    ops_in: dict[str, Counter] = {}
    for node, p in node_paths.items():
        if p is not None:
            for q in _prefixes(p):
                ops_in.setdefault(q, Counter())[
                    (node.name(), np.shape(node.out), str(np.asarray(node.out).dtype))] += 1
    merged: dict[str, str] = {}  # member path -> representative path of its repeat group
    repeat_count: dict[str, list[str]] = {}
    if collapse_repeats:  # linear in the number of modules: one child index, prefix lookups
        child_paths: dict[str | None, list[str]] = {}
        for c in all_paths:
            child_paths.setdefault(_parent(c), []).append(c)
        for parent in sorted(all_paths, key=_depth):
            if any(q in collapsed for q in _prefixes(parent)):  # inside a collapsed box
                continue
            children = sorted(child_paths.get(parent, ()),
                              key=lambda c: [int(x) if x.isdigit() else x
                                             for x in c.split(".")])
            groups: dict[Any, list[str]] = {}
            for c in children:
                m = modules.get(c)
                sig = (type(m).__name__ if m is not None else None,
                       _numel(m.parameters())[0] if hasattr(m, "parameters") else None,
                       tuple(sorted(ops_in.get(c, Counter()).items(), key=repr)))
                groups.setdefault(sig, []).append(c)
            for members in groups.values():
                if len(members) > 1:
                    collapsed.update(members)
                    repeat_count[members[0]] = members
                    for mem in members:
                        merged[mem] = members[0]

    def box_of(p: str | None) -> str | None:
        if p is None or not collapsed:
            return None
        for q in _prefixes(p):
            if q in collapsed:
                return merged.get(q, q)
        return None

    # ---- highlight set --------------------------------------------------------------------
    hl_nodes: set[int] = set()
    hl_names: set[str] = set()
    if highlight is not None:
        items_h = highlight.bad_nodes if hasattr(highlight, "bad_nodes") else highlight
        if isinstance(items_h, (Node, str)):
            items_h = [items_h]
        for h in items_h:
            if isinstance(h, str):
                hl_names.add(h)
            else:
                hl_nodes.add(id(getattr(h, "node", h)))

    # ---- build the drawing -----------------------------------------------------------------
    attrs = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "11"}
    attrs.update(graph_attr or {})
    g = Graph(name, graph_attr=attrs,
              node_attr={"shape": "box", "style": "filled,rounded", "fontname": "Helvetica",
                         "fontsize": "10", "height": "0.3"},
              edge_attr={"arrowsize": "0.7"})
    cluster_body: dict[str, list] = {}  # module path -> [(name, label, attrs)]
    top: list = []
    edges: dict[tuple[str, str], int] = {}
    saved_edges: list[tuple[str, str]] = []
    counter = [0]

    def new_id(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def place(nid: str, label: str, path: str | None, **kw: Any) -> None:
        (cluster_body.setdefault(path, []) if path is not None and show_modules
         else top).append((nid, label, kw))

    def add_edge(a: str | None, b: str | None) -> None:
        if a is not None and b is not None and a != b:
            edges[(a, b)] = edges.get((a, b), 0) + 1

    node_id: dict[Node, str] = {}
    box_id: dict[str, str] = {}
    box_bad: set[str] = set()
    box_hl: dict[str, list] = {}
    for node in nodes:
        box = box_of(node_paths[node])
        if box is not None:
            if box not in box_id:
                box_id[box] = new_id("m")
            node_id[node] = box_id[box]
            # what would be red inside a box makes the box red
            if _nonfinite(node.out):
                box_bad.add(box)
            if id(node) in hl_nodes or node.name() in hl_names:
                box_hl.setdefault(box, []).append(node.name())
            continue
        nid = node_id[node] = new_id("n")
        out = node.out
        bad = _nonfinite(out)
        label = f"{node.name()}\\n{_describe(out)}"
        if show_attrs:
            a = _attr_str(getattr(node, "params", None))
            if a:
                label += f"\\n{a}"
        kw: dict[str, Any] = {"fillcolor": COLORS["op"]}
        tip = [_show(node_paths[node] or ""), source_line(node) or ""]
        if any(tip):
            kw["tooltip"] = " | ".join(t for t in tip if t)
        if bad:
            label += f"\\n{bad} in output"
            kw.update(fillcolor=COLORS["bad"], color="red")
        if id(node) in hl_nodes or node.name() in hl_names:
            kw.update(color="red", penwidth="3", fontcolor="red")
        place(nid, label, node_paths[node], **kw)

    # module boxes
    for box, bid in box_id.items():
        members = repeat_count.get(box, [box])
        m = modules.get(box)
        cls = type(m).__name__ if m is not None else "Module"
        n_all = _numel(m.parameters())[0] if hasattr(m, "parameters") else 0
        title = _show(box) if box else "(root)"
        if len(members) > 1:
            title = f"{_show(members[0])} ... {_show(members[-1])}"
            label = f"{title}\\n{cls} x{len(members)}\\n{n_all:,} params each"
        elif box == "":
            label = f"{cls}\\n{n_all:,} params"
        else:
            label = f"{title}\\n{cls}\\n{n_all:,} params"
        kw = {"fillcolor": COLORS["module"], "shape": "box3d", "style": "filled"}
        if box in box_bad:
            label += "\\nNaN/Inf inside"
            kw.update(fillcolor=COLORS["bad"], color="red")
        if box in box_hl:
            label += "\\nhighlighted: " + ", ".join(sorted(set(box_hl[box])))
            kw.update(color="red", penwidth="3", fontcolor="red")
        parent = _parent(box)
        place(bid, label, parent if parent in all_paths else None, **kw)

    # tensors: leaves, inputs, saved
    tensor_id: dict[int, str | None] = {}
    total_saved = 0
    saved_arrays: set[int] = set()

    def tensor_node(t: Any, kind: str) -> str | None:
        key = id(t)
        if key in tensor_id:
            return tensor_id[key]
        n = tensor_name.get(key)
        owner = None
        if n is not None and "." in n:
            owner = n.rsplit(".", 1)[0]
        elif key in root_own:
            owner = ""
        if owner is not None and owner not in all_paths:
            owner = None
        if owner is not None and box_of(owner) is not None:
            tensor_id[key] = box_id.get(box_of(owner))  # absorbed into its module's box
            return tensor_id[key]
        tid = tensor_id[key] = new_id("t")
        is_param = kind == "param" and (n is not None or type(t).__name__ == "Parameter")
        title = _show(n) if n else \
            ("parameter" if is_param else ("leaf" if kind == "param" else kind))
        label = f"{title}\\n{_describe(t._data)}"
        kw: dict[str, Any] = {"fillcolor": COLORS["param" if is_param else
                                                  ("leaf" if kind == "param" else kind)],
                              "shape": "box" if kind != "input" else "ellipse"}
        if show_grad_norm and kind == "param":
            gr = t.grad
            label += "\\ngrad: None" if gr is None else \
                f"\\ngrad norm {float(np.linalg.norm(gr._data.astype(np.float64))):.4g}"
            if gr is not None and _nonfinite(gr._data):
                label += f" ({_nonfinite(gr._data)})"
                kw.update(fillcolor=COLORS["bad"], color="red")
        bad = _nonfinite(t._data)
        if bad:
            label += f"\\n{bad} in value"
            kw.update(fillcolor=COLORS["bad"], color="red")
        place(tid, label, owner if owner is not None else None, **kw)
        return tid

    for node in nodes:
        dst = node_id[node]
        tensors = node.tensors or ()
        for i, (nxt, need) in enumerate(zip(node.next, node.needs_input_grad)):
            if need and isinstance(nxt, Node):
                add_edge(node_id[nxt], dst)
            elif need:
                add_edge(tensor_node(nxt, "param"), dst)
            else:
                t = tensors[i] if i < len(tensors) else None
                if isinstance(t, Tensor):
                    add_edge(tensor_node(t, "input"), dst)
        if show_saved and not dst.startswith("m"):
            for what, arr, i in _saved(node):
                t = tensors[i] if i is not None and i < len(tensors) else None
                tid = tensor_id.get(id(t)) if isinstance(t, Tensor) else None
                if tid is not None and tid.startswith("t"):
                    # a drawn leaf or input: no copy, just mark that backward reads it
                    saved_edges.append((tid, dst))
                    continue
                sid = new_id("s")
                key = id(arr.base if arr.base is not None else arr)
                if key not in saved_arrays:  # count shared memory once
                    saved_arrays.add(key)
                    total_saved += arr.nbytes
                kw = {"fillcolor": COLORS["saved"], "shape": "note"}
                bad = _nonfinite(arr)
                if bad:
                    kw.update(fillcolor=COLORS["bad"], color="red")
                place(sid, f"saved {what}\\n{_describe(arr)}\\n{_fmt_bytes(arr.nbytes)}",
                      node_paths[node], **kw)
                saved_edges.append((sid, dst))

    for k, o in enumerate(outputs):
        n = tensor_name.get(id(o))
        if o._node is None:
            src = tensor_node(o, "param" if o.requires_grad else "input")
            if n is None:
                continue
        else:
            src = node_id[o._node]
        oid = new_id("o")
        title = n or ("output" if len(outputs) == 1 else f"output {k}")
        label = f"{title}\\n{_describe(o._data)}"
        kw = {"fillcolor": COLORS["output"]}
        bad = _nonfinite(o._data)
        if bad:
            label += f"\\n{bad} in value"
            kw.update(fillcolor=COLORS["bad"], color="red")
        top.append((oid, label, kw))
        add_edge(src, oid)

    # ---- emit: nested clusters built deepest first (no recursion) -------------------------
    used = {p for p in cluster_body}
    for p in list(used):
        q = _parent(p)
        while q is not None and q in all_paths:
            used.add(q)
            q = _parent(q)
    kids: dict[str, list[str]] = {}  # parent -> child clusters (one pass, not per parent)
    for c in sorted(used):
        kids.setdefault(_parent(c), []).append(c)
    subs: dict[str, graphviz.Digraph] = {}
    for p in sorted(used, key=_depth, reverse=True):
        m = modules.get(p)
        cls = type(m).__name__ if m is not None else ""
        title = (f"{_show(p)} ({cls})" if cls and cls != _show(p) else _show(p)) if p \
            else (cls or "(root)")
        sub = graphviz.Digraph(name=f"cluster_{_show(p) or '__root__'}",
                               graph_attr={"label": title, "style": "rounded,dashed",
                                           "color": "#868e96", "fontsize": "10"})
        for nid, label, kw in cluster_body.get(p, ()):
            sub.node(nid, label, **kw)
        for c in kids.get(p, ()):
            sub.subgraph(subs.pop(c))
        subs[p] = sub
    for nid, label, kw in top:
        g.node(nid, label, **kw)
    for p in sorted(subs):
        g.subgraph(subs[p])
    for a, b in edges:  # one arrow per connected pair (x * x draws one arrow)
        g.edge(a, b)
    for a, b in saved_edges:
        g.edge(a, b, style="dashed", color="#e8590c", arrowhead="none", label="saved",
               fontsize="8", fontcolor="#e8590c")
    if show_saved:
        g.attr(label=f"saved for backward: {_fmt_bytes(total_saved)}", labelloc="b")
    return g


def _root_of(m: Any) -> Any:
    """The root of the module tree ``m`` hangs in (``m`` itself for a root)."""
    seen = set()
    while id(m) not in seen:
        seen.add(id(m))
        ref = getattr(m, "__dict__", {}).get("_parent_ref")
        parent = ref() if ref is not None else None
        if parent is None:
            break
        m = parent
    return m


def _module_paths(nodes: list, model: Any, paths: dict, modules: dict) -> None:
    """Fill ``paths`` (id(module) -> path) for every scope in ``nodes``. Paths of the main
    tree (``model``, else the tree owning most nodes) are its dotted names; modules of other
    trees (a loss module called after the model...) get their root's class name in front, so
    they never merge into the model's clusters."""
    per_scope = Counter(id(n.scope) for n in nodes if n.scope is not None)
    scopes = {id(n.scope): n.scope for n in nodes if n.scope is not None}
    roots: dict[int, Any] = {}
    count: Counter = Counter()
    for k, sc in scopes.items():
        r = model if k in paths else _root_of(sc)
        roots[k] = r
        count[id(r)] += per_scope[k]
    main = id(model) if model is not None else (count.most_common(1)[0][0] if count else None)
    names: dict[int, str] = {}
    for k, sc in scopes.items():
        if k in paths:
            continue
        r = roots[k]
        rel = scope_path(sc)
        if id(r) == main:
            paths[k] = rel
            continue
        if id(r) not in names:
            base = type(r).__name__
            taken = set(names.values())
            name, i = base, 1
            while name in taken:
                i += 1
                name = f"{base}_{i}"
            names[id(r)] = name
            modules.setdefault(FOREIGN + name, r)
        paths[k] = FOREIGN + names[id(r)] + (f".{rel}" if rel else "")


def _saved(node: Node) -> list[tuple[str, np.ndarray, int | None]]:
    """(description, array, input index or None) for what ``node`` keeps for its backward."""
    res = []
    info = node.__dict__.get("fn_info")
    if info is not None:  # a user Function: its ctx.save_for_backward tensors
        for k, t in enumerate(getattr(info[1], "_saved", None) or ()):
            if t is not None:
                res.append((f"tensor {k}", t._data, None))
        return res
    op = node.op
    idx = range(len(node.inputs)) if op.saved_inputs is None else op.saved_inputs
    for i in idx:
        a = node.inputs[i]
        if isinstance(a, np.ndarray) and a.ndim:
            res.append((f"input {i}", a, i))
    if op.saves_out:
        res.append(("output", node.out, None))
    for k, v in node.__dict__.items():  # masks, indices... stored by forward
        if isinstance(v, np.ndarray) and v.ndim:
            res.append((k, v, None))
    return res


GRAPH_FORMATS = ("svg", "png", "pdf", "gv", "dot")


def write_graph(graph: graphviz.Digraph, path: str | Path) -> Path:
    """Write ``graph`` to ``path`` in the format its suffix names: ``.svg``, ``.png``, ``.pdf``
    (rendered by Graphviz's ``dot`` program) or ``.gv`` / ``.dot`` (the DOT source, no program
    needed). Returns the path; raises ValueError on another suffix and RuntimeError naming the
    missing program."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"cannot write a graph as {path.name!r}: the file name must end in "
                         f"{', '.join('.' + f for f in GRAPH_FORMATS)}")
    if fmt in ("gv", "dot"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    try:
        data = graph.pipe(format=fmt)  # bytes: PNG and PDF are binary
    except graphviz.ExecutableNotFound:
        raise RuntimeError(f"rendering .{fmt} needs the Graphviz 'dot' program (apt install "
                           f"graphviz, brew install graphviz or conda install graphviz); a "
                           f".gv file name writes the DOT source without it") from None
    path.write_bytes(data)
    return path
