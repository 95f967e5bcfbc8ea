"""Computation-graph drawing (Graphviz), model summaries and gradient debugging."""
