"""Engine bugs found by the issue-3/5 audit, each kept as its minimal repro with PyTorch as
the oracle (all fixed: a 0-d element of a tensor is a NumPy view now)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape,index", [((3,), 0), ((2, 3), (0, 1)), ((2, 3), (1, -1))])
def test_inplace_on_single_element_view(shape, index):
    got = []
    for lib in (ag, torch):
        x = lib.ones(*shape, requires_grad=True)
        h = x * 2
        h[index] += 1
        (h * h).sum().backward()
        got.append((h.detach().numpy().copy(), x.grad.numpy().copy()))
    for a, b in zip(*got):
        np.testing.assert_array_equal(a, b)
