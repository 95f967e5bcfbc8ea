"""Computation-graph drawing (Graphviz), model summaries and gradient debugging."""

from __future__ import annotations

from typing import Any

from .graph import Graph, draw_graph
from .summary import ModelSummary, summary

__all__ = ["draw_graph", "make_dot", "Graph", "summary", "ModelSummary"]


def make_dot(var: Any, params: Any = None, show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50) -> Graph:
    """torchviz's ``make_dot(var, params=dict(model.named_parameters()))``, so code written for
    torchviz draws with :func:`draw_graph` unchanged (``max_attr_chars`` is accepted and unused:
    attribute labels are already short)."""
    return draw_graph(var, params, show_attrs=show_attrs, show_saved=show_saved)
