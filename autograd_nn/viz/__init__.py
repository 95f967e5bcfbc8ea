"""Computation-graph drawing (Graphviz), model summaries and gradient debugging.

:func:`summary` needs only NumPy; :func:`draw_graph`, :func:`make_dot` and :func:`write_graph`
need the graphviz package (``pip install autograd_nn[viz]``) and are imported on first use.
"""

from __future__ import annotations

from typing import Any

from .summary import ModelSummary, summary

__all__ = ["draw_graph", "make_dot", "write_graph", "Graph", "summary", "ModelSummary"]


def make_dot(var: Any, params: Any = None, show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50) -> Any:
    """torchviz's ``make_dot(var, params=dict(model.named_parameters()))``, so code written for
    torchviz draws with :func:`draw_graph` unchanged (``max_attr_chars`` is accepted and unused:
    attribute labels are already short)."""
    from .graph import draw_graph

    return draw_graph(var, params, show_attrs=show_attrs, show_saved=show_saved)


def __getattr__(name: str) -> Any:
    if name in ("draw_graph", "write_graph", "Graph", "GRAPH_FORMATS"):
        from . import graph

        return getattr(graph, name)
    raise AttributeError(f"module 'autograd_nn.viz' has no attribute {name!r}")
