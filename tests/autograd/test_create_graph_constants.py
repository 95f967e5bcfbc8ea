"""Under create_graph, a rule sees its constant inputs as the plain backward does (numbers and
arrays, not float64 Tensors): the same values, and no cast nodes in the gradient's graph."""

from __future__ import annotations

import numpy as np

import autograd_nn as an
from autograd_nn.autograd import engine


def _chain(n: int):
    x = an.tensor(0.5, requires_grad=True)
    h = x
    for _ in range(n):
        h = (h * 0.9).tanh()
    return x, h


def test_create_graph_gradient_equals_plain_backward_bitwise():
    x, h = _chain(50)
    (plain,) = an.autograd.grad(h, x, retain_graph=True)
    (graph,) = an.autograd.grad(h, x, create_graph=True)
    assert graph.dtype == plain.dtype == an.float32
    assert np.array_equal(graph.detach().numpy(), plain.numpy())


def test_gradient_graph_has_the_rules_nodes_only():
    # Hand count from the rules: tanh's g * (1 - y * y) records 3 nodes, mul's g * 0.9 one, and
    # the gradient also reaches the forward graph's 2 nodes per step (through y): 6 per step,
    # no Cast (a float64-wrapped 0.9 added casts to and from float64).
    n = 30
    x, h = _chain(n)
    (g,) = an.autograd.grad(h, x, create_graph=True)
    names = [node.name() for node in engine.walk([g.grad_fn])]
    assert not any(name.startswith("Cast") for name in names), sorted(set(names))
    assert len(names) <= 6 * n + 2, len(names)


def test_create_graph_memory_per_op():
    """Issue 11: create_graph=True through 1,000,000 ops took 3.2 GB. Measured with tracemalloc
    (Python objects and NumPy arrays alike) over a 4,000-op chain: the forward graph plus the
    gradient's graph held 2,978 B per forward op while constants were wrapped as float64
    Tensors, 2,000 B since (RSS at 1,000,000 ops: 2.05 GiB). The budget leaves 15% for other
    Python/NumPy versions and fails at the old size."""
    import gc
    import tracemalloc

    n = 2000
    gc.collect()
    tracemalloc.start()
    try:
        x, h = _chain(n)
        (g,) = an.autograd.grad(h, x, create_graph=True)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert g.requires_grad
    assert held / (2 * n) < 2300, held / (2 * n)
