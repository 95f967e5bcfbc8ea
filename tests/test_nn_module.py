"""nn.Module API, containers and Linear, checked against PyTorch."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd_nn as at
from autograd_nn import nn
from autograd_nn.nn.modules.module import module_path

torch = pytest.importorskip("torch")


def _copy_params(src: torch.nn.Module, dst: nn.Module) -> None:
    """Copy torch module weights into ours (same names)."""
    sd = {k: at.tensor(v.detach().numpy().copy()) for k, v in src.state_dict().items()}
    dst.load_state_dict(sd)


def test_linear_matches_torch_forward_and_grads_float64():
    tm = torch.nn.Linear(5, 3).double()
    m = nn.Linear(5, 3).double()
    _copy_params(tm, m)
    x = np.random.default_rng(0).standard_normal((4, 2, 5))
    tx = torch.tensor(x, requires_grad=True)
    ax = at.tensor(x, requires_grad=True)
    ty, ay = tm(tx), m(ax)
    np.testing.assert_allclose(ay.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    (ty ** 2).sum().backward()
    (ay ** 2).sum().backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(m.bias.grad.numpy(), tm.bias.grad.numpy(), rtol=1e-10)


def test_registration_order_state_dict_and_repr_match_torch():
    def build(lib):
        return lib.nn.Sequential(OrderedDict([
            ("fc", lib.nn.Linear(4, 3)),
            ("blocks", lib.nn.ModuleList([lib.nn.Linear(3, 3) for _ in range(2)])),
            ("out", lib.nn.Linear(3, 1, bias=False)),
        ]))

    tm, m = build(torch), build(at)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in m.named_modules()] == [n for n, _ in tm.named_modules()]
    assert module_path(m.blocks[1]) == "blocks.1"
    assert module_path(m) == ""


def test_load_state_dict_errors_and_round_trip():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    np.testing.assert_array_equal(b.weight.detach().numpy(), a.weight.detach().numpy())
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: .*\[2, 3\].*\[4, 3\]"):
        nn.Linear(3, 4).load_state_dict(a.state_dict())
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        nn.Linear(3, 2).load_state_dict({"weight": a.weight.detach()})
    c = copy.deepcopy(a)
    assert c.weight is not a.weight and isinstance(c.weight, nn.Parameter)
    np.testing.assert_array_equal(c.weight.detach().numpy(), a.weight.detach().numpy())
