"""Computation-graph drawing (Graphviz), model summaries and gradient debugging.

:func:`summary` needs only NumPy; :func:`draw_graph`, :func:`make_dot` and :func:`write_graph`
need the graphviz package (``pip install autograd_nn[viz]``) and are imported on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from .summary import ModelSummary, summary

__all__ = ["draw_graph", "make_dot", "write_graph", "draw_model_graph", "Graph", "summary",
           "ModelSummary"]


def _graph() -> Any:
    """The drawing module, imported on first use: it needs the graphviz package (an optional
    extra; ImportError naming it otherwise), which `import autograd_nn.viz` must not."""
    from . import graph

    return graph


def make_dot(var: Any, params: Any = None, show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50) -> Any:
    """torchviz's ``make_dot(var, params=dict(model.named_parameters()))``, so code written for
    torchviz draws with :func:`draw_graph` unchanged (``max_attr_chars`` is accepted and unused:
    attribute labels are already short)."""
    return _graph().draw_graph(var, params, show_attrs=show_attrs, show_saved=show_saved)


def draw_model_graph(model: Any, inputs: Sequence[Any], path: str | Path, *,
                     depth: int | None = None, fallback_to_source: bool = True) -> Path:
    """Draw the graph of ``model(*inputs)`` (one forward pass, train mode) to ``path``
    (``.svg`` / ``.png`` / ``.pdf`` / ``.gv``). With ``fallback_to_source``, a missing Graphviz
    ``dot`` program writes the DOT source next to it (``.gv``) instead of failing."""
    graph = _graph()
    model.train()
    drawn = graph.draw_graph(model(*inputs), model, depth=depth)
    try:
        return graph.write_graph(drawn, path)
    except RuntimeError:
        if not fallback_to_source:
            raise
        return graph.write_graph(drawn, Path(path).with_suffix(".gv"))


def __getattr__(name: str) -> Any:
    if name in ("draw_graph", "write_graph", "Graph", "GRAPH_FORMATS"):
        return getattr(_graph(), name)
    raise AttributeError(f"module 'autograd_nn.viz' has no attribute {name!r}")
