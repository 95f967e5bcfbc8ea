"""Pooling: forward, indices and gradients vs PyTorch; finite differences; errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_helpers import compare_with_torch, torch_one_thread  # noqa: F401

import autograd_nn as A
import autograd_nn.nn.functional as F
from autograd_nn.autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [
    ("max_pool2d", (2, 3, 7, 8), (2,), {}),
    ("max_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool2d", (2, 3, 7, 8), ((3, 2), (2, 1), (1, 1)), dict(dilation=(2, 1),
                                                                return_indices=True)),
    ("max_pool2d", (2, 3, 8, 8), (3, 3, 1), dict(ceil_mode=True)),
    ("max_pool2d", (2, 3, 9, 8), (3, 2, 1), dict(dilation=2, ceil_mode=True,
                                                 return_indices=True)),
    ("max_pool2d", (3, 6, 6), (2, 1), {}),  # unbatched, overlapping windows
    ("max_pool1d", (2, 3, 9), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool1d", (3, 9), (2,), {}),
    ("max_pool3d", (1, 2, 5, 4, 5), (2,), dict(return_indices=True)),
    ("avg_pool2d", (2, 3, 7, 8), (2,), {}),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 8), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 8, 8), (3, 3, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 8), ((3, 2), (2, 1), (1, 1)), dict(divisor_override=3)),
    ("avg_pool2d", (2, 1, 7, 8), (3,), {}),  # one channel: the non-depthwise conv path
    ("avg_pool1d", (2, 3, 9), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool3d", (1, 2, 5, 4, 5), (2, 2, 1), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 8), ((3, 5),), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 8), (1,), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 8), ((None, 3),), {}),
    ("adaptive_avg_pool2d", (2, 3, 4, 4), ((8, 6),), {}),  # upsampling windows overlap
    ("adaptive_avg_pool1d", (2, 3, 7), (4,), {}),
    ("adaptive_max_pool2d", (2, 3, 7, 8), ((3, 5),), dict(return_indices=True)),
    ("adaptive_max_pool2d", (2, 3, 4, 4), (6,), {}),
    ("adaptive_max_pool1d", (2, 3, 7), (4,), dict(return_indices=True)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,shape,args,kw", CASES)
def test_pool_matches_torch(name, shape, args, kw, dtype, rng):
    compare_with_torch(lambda x: getattr(F, name)(x, *args, **kw),
                       lambda x: getattr(TF, name)(x, *args, **kw), [rng.standard_normal(shape)],
                       dtype)


def test_max_pool_ties_pick_first_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1:3, 1:3] = 1.0  # every 3x3 window holds several maxima
    compare_with_torch(lambda x: F.max_pool2d(x, 3, 1, return_indices=True),
                       lambda x: TF.max_pool2d(x, 3, 1, return_indices=True), [x])


def test_max_pool_int_input_and_indices_dtype():
    x = A.arange(16).reshape(1, 1, 4, 4)
    y, i = F.max_pool2d(x, 2, return_indices=True)
    assert y.dtype == A.int64 and i.dtype == A.int64
    assert y.tolist() == [[[[5, 7], [13, 15]]]]  # hand-derived
    assert i.tolist() == [[[[5, 7], [13, 15]]]]


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
    lambda x: F.max_pool2d(x, 2, 2, 1, dilation=2, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: F.adaptive_max_pool2d(x, (2, 3)),
])
def test_pool_gradcheck(fn, rng):
    x = A.tensor(rng.standard_normal((2, 2, 5, 6)), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_pool_errors():
    x = A.randn(1, 2, 5, 5)
    with pytest.raises(ValueError, match=r"max_pool2d: pad should be at most half"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match=r"max_pool2d: Expected 3D or 4D input"):
        F.max_pool2d(A.randn(5, 5), 2)
    with pytest.raises(RuntimeError, match=r"the calculated output size is too small"):
        F.max_pool2d(x, 7)
    with pytest.raises(ValueError, match=r"avg_pool2d: divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be 2 positive"):
        F.adaptive_avg_pool2d(x, (0, 2))
    with pytest.raises(RuntimeError, match=r"avg_pool2d: expected a floating point input"):
        F.avg_pool2d(A.ones(1, 1, 4, 4, dtype=A.int64), 2)
