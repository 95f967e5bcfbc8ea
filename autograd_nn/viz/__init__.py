"""Computation-graph drawing (Graphviz), model summaries and gradient debugging."""

from .graph import Graph, draw_graph
from .summary import ModelSummary, summary

__all__ = ["draw_graph", "Graph", "summary", "ModelSummary"]
