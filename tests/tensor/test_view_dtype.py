"""``Tensor.view(dtype)``: bit reinterpretation on views of any layout, against PyTorch 2.13
itself (shapes, dtypes, bit-exact values, its errors word for word, aliasing, no gradient)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")

BASE = np.arange(24, dtype=np.float32).reshape(4, 6) * 1.25 - 7

# (name, how to derive the viewed tensor from the base): each library applies the same steps
LAYOUTS = {
    "contiguous": lambda x: x,
    "transposed": lambda x: x.t(),
    "column slice": lambda x: x[:, 1:5],
    "odd column slice": lambda x: x[:, 1:4],
    "offset 1": lambda x: x[:, 1:3],
    "strided columns": lambda x: x[:, ::2],
    "row slice": lambda x: x[1:3],
    "odd rows stride": lambda x: x.reshape(8, 3)[:, :2],
    "scalar": lambda x: x[1, 2],
    "column": lambda x: x[:, :1],
}
DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _both(layout: str):
    return LAYOUTS[layout](torch.tensor(BASE)), LAYOUTS[layout](ag.tensor(BASE))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_matches_pytorch(layout: str, dtype: str) -> None:
    t, o = _both(layout)
    try:
        want = t.view(getattr(torch, dtype))
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as err:
            o.view(getattr(ag, dtype))
        assert str(err.value) == str(e)
        return
    got = o.view(getattr(ag, dtype))
    assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
    # the same bits: compare as unsigned bytes
    np.testing.assert_array_equal(np.ascontiguousarray(got.numpy()).view(np.uint8),
                                  np.ascontiguousarray(want.numpy()).view(np.uint8))


def test_shares_memory_and_version_with_its_source() -> None:
    x = ag.tensor(BASE.copy())
    v = x.view(ag.int32)
    v[0, 0] = 0
    assert x[0, 0].item() == 0.0  # float 0.0 has all bits zero
    tx = torch.tensor(BASE.copy())
    tv = tx.view(torch.int32)
    tv[0, 0] = 0
    assert tx[0, 0].item() == 0.0
    assert x._version == v._version == tx._version == tv._version


def test_not_differentiable() -> None:
    for dtype in ("float32", "float64", "int32"):
        x = ag.tensor(BASE, requires_grad=True)
        tx = torch.tensor(BASE, requires_grad=True)
        got, want = x.view(getattr(ag, dtype)), tx.view(getattr(torch, dtype))
        assert got.requires_grad == want.requires_grad is False
        assert got.grad_fn is None and want.grad_fn is None
