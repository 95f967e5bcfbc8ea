"""The op table (``autograd_nn/_ops/table.py``) is what Tensor's methods, the ``autograd_nn.*``
functions and the op coverage are generated from: every row's names exist where it says, every
Op class of the op modules has a row, its test cases exist (and run over drawn shapes), and a
generated method and function compute what PyTorch computes."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest
from _op_cases import BY_NAME

import autograd_nn as ag
import autograd_nn._ops as ops_pkg
from autograd_nn._ops import table
from autograd_nn.autograd.engine import Op

ROWS = {r.name: r for r in table.OPS}


def test_row_names_are_unique():
    names = [n for r in table.OPS for n in r.names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(ROWS))
def test_row_is_installed_where_it_says(name):
    row = ROWS[name]
    if row.function is None:
        return
    for n in row.names:
        if row.method:
            assert callable(getattr(ag.Tensor, n)), f"Tensor.{n}"
        if row.export:
            assert callable(getattr(ag, n)), f"autograd_nn.{n}"
        if row.inplace is not None:
            assert callable(getattr(ag.Tensor, n + "_")), f"Tensor.{n}_"
    for case in row.cases:
        assert case in BY_NAME, f"{name}: no case {case!r} in tests/_op_cases.py"
    if row.cases:
        assert any(BY_NAME[c].drawn for c in row.cases), f"{name}: only fixed shapes"


def test_every_op_class_has_a_row():
    listed = {r.op for r in table.OPS}
    missing = []
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        mod = importlib.import_module(f"autograd_nn._ops.{info.name}")
        for v in vars(mod).values():
            if isinstance(v, type) and issubclass(v, Op) and v.__module__ == mod.__name__ \
                    and v not in listed:
                missing.append(f"{info.name}.{v.__name__}")
    assert not missing, f"Op classes without a row in _ops/table.py: {missing}"


def test_generated_method_function_and_inplace_match_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).uniform(-2, 2, (3, 4))
    x, t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours = (x.clamp(-1, 1) * ag.exp(x)).sum(1).softmax(0)
    ref = (t.clamp(-1, 1) * torch.exp(t)).sum(1).softmax(0)
    ours.backward(ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64))
    ref.backward(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    h, th = x.detach().clone(), t.detach().clone()
    h.mul_(2).tanh_().clip_(-0.5, 0.9).fix_()
    th.mul_(2).tanh_().clip_(-0.5, 0.9).fix_()
    np.testing.assert_array_equal(h.numpy(), th.numpy())
