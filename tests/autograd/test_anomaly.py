"""detect_anomaly names the op, module path and source line; PyTorch names the same op."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import nn
from autograd_nn.autograd import AnomalyError, detect_anomaly, is_anomaly_enabled


class Inner(nn.Module):
    def forward(self, x):
        return x.sqrt()


class Outer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = nn.ModuleList([Inner(), Inner()])

    def forward(self, x):
        return self.block[1](self.block[0](x) - 1.0)


def _line_of(fn, text: str) -> int:
    src, start = inspect.getsourcelines(fn)
    return start + next(i for i, s in enumerate(src) if text in s)


def test_forward_log_zero_names_op_and_line():
    x = ag.tensor([1.0, 0.0, 2.0], requires_grad=True)
    with detect_anomaly():
        h = x * 2  # finite
        with pytest.raises(AnomalyError) as info:
            h.log()  # the anomaly
    e = info.value
    assert e.op == "LogBackward0" and e.module_path is None
    line = _line_of(test_forward_log_zero_names_op_and_line, "h.log()  # the anomaly")
    assert e.source.endswith(f"test_anomaly.py:{line}: h.log()  # the anomaly")
    assert re.search(r"Function 'LogBackward0' returned 1 Inf of 3 values in its forward output "
                     r"\(shape \[3\]\) \(first at index \[1\]\)", str(e))
    assert not is_anomaly_enabled()


def test_backward_sqrt_at_zero_names_op_module_and_line():
    ag.manual_seed(0)
    m = Outer()
    x = ag.tensor([[1.0, 4.0]], requires_grad=True)
    with detect_anomaly():
        y = m(x)  # block.1 computes sqrt(sqrt(1) - 1) = 0: forward is finite, backward is not
        with pytest.raises(AnomalyError) as info:
            y.sum().backward()
    e = info.value
    assert e.op == "SqrtBackward0" and e.module_path == "block.1"
    assert "in module 'block.1' (Inner)" in str(e)
    line = _line_of(Inner.forward, "return x.sqrt()")
    assert e.source.endswith(f"test_anomaly.py:{line}: return x.sqrt()")
    assert "returned 1 Inf of 2 values in its 0th output" in str(e)


def test_same_op_as_pytorch_for_nan_backward():
    torch = pytest.importorskip("torch")
    data = np.array([0.0, 4.0])

    def f(lib, x):
        return (x.sqrt() * lib.tensor([0.0, 1.0], dtype=x.dtype)).sum()  # 0 * inf: NaN grad

    tx = torch.tensor(data, requires_grad=True)
    with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError) as t_info:
        f(torch, tx).backward()
    t_op = re.search(r"Function '(\w+)' returned nan", str(t_info.value)).group(1)
    x = ag.tensor(data, requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match="returned 1 NaN of 2") as info:
        f(ag, x).backward()
    assert info.value.op == t_op == "SqrtBackward0"


def test_finite_graph_runs_and_modes_nest():
    x = ag.randn(4, requires_grad=True)

    @detect_anomaly()
    def step():
        assert is_anomaly_enabled()
        (x.tanh() * x).sum().backward()

    step()
    assert not is_anomaly_enabled() and x.grad is not None
    with ag.autograd.set_detect_anomaly(True):
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    # outside the mode a NaN passes silently, as in PyTorch
    (ag.tensor([0.0], requires_grad=True).log() * 0).sum().backward()


def test_custom_function_backward_nan_is_named():
    class SafeDiv(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=1.0)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return ag.from_numpy(g.numpy() * 0 / (x.detach().numpy() * 0))  # 0 / 0, no op

    x = ag.tensor([2.0, 3.0], requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"):
        y = SafeDiv.apply(x)  # the creating line
        with pytest.raises(AnomalyError, match=r"'SafeDivBackward' returned 2 NaN of 2") as info:
            (y * 2).sum().backward()
    line = _line_of(test_custom_function_backward_nan_is_named, "# the creating line")
    assert info.value.source.endswith(f"test_anomaly.py:{line}: y = SafeDiv.apply(x)  # the "
                                      f"creating line")
    # NaN made by an op inside a backward is pinned to that op and its line in the backward
    with detect_anomaly(), pytest.raises(AnomalyError, match="'DivBackward0' returned 2 NaN"):
        (x * 0).div(x * 0)


class _Recip(ag.autograd.Function):
    """Forward is finite everywhere; the backward divides the gradient by x (0 at x = 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0.0) + 1.0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x  # the division by zero


class _RecipLayer(nn.Module):
    def forward(self, x):
        return _Recip.apply(x)


def test_backward_that_divides_by_zero_names_function_module_and_lines():
    torch = pytest.importorskip("torch")

    class TRecip(torch.autograd.Function):  # the same Function in PyTorch: the oracle's name
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0.0) + 1.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g / x

    data, wts = np.array([0.0, 2.0]), np.array([0.0, 1.0])  # 0 / 0: NaN (PyTorch checks NaN)
    tx = torch.tensor(data, requires_grad=True)
    with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError) as t_info:
        (TRecip.apply(tx) * torch.tensor(wts)).sum().backward()
    t_op = re.search(r"Function '(\w+?)' returned", str(t_info.value)).group(1)
    assert t_op == "TRecipBackward"

    m = nn.Sequential(nn.Identity(), _RecipLayer())
    x = ag.tensor(data, requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"):
        y = m(x) * ag.tensor(wts)
        with pytest.raises(AnomalyError) as info:
            y.sum().backward()
    e = info.value
    # the Inf is pinned where it is made: the division inside _Recip's backward, and the node
    # whose backward ran it (PyTorch's name for that node) with its module and creating line
    assert e.op == "DivBackward0" and e.backward_of == "_RecipBackward" == "_" + t_op[1:]
    line = _line_of(_Recip.backward, "return g / x")
    assert e.source.endswith(f"test_anomaly.py:{line}: return g / x  # the division by zero")
    msg = str(e)
    assert "returned 1 NaN of 2 values" in msg
    assert "while computing the backward of '_RecipBackward'\n  in module '1' (_RecipLayer)" in msg
    fline = _line_of(_RecipLayer.forward, "return _Recip.apply(x)")
    assert f"test_anomaly.py:{fline}: return _Recip.apply(x)" in msg
