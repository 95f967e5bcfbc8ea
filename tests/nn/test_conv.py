"""Conv ops: forward and gradients vs PyTorch, finite differences, double backward, errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_helpers import compare_with_torch, torch_one_thread  # noqa: F401

import autograd_nn as A
import autograd_nn.nn.functional as F
from autograd_nn.autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# (input shape, weight shape, kwargs): strides, paddings incl. 'same'/'valid' and asymmetric
# 'same' (even kernel), dilation, groups incl. depthwise and depthwise with multiplier.
CONV_CASES = [
    ((2, 4, 7, 8), (6, 4, 3, 2), dict(stride=2, padding=1, dilation=(1, 2))),
    ((2, 4, 7, 8), (6, 2, 3, 3), dict(stride=(1, 2), padding=(2, 0), groups=2)),
    ((2, 4, 7, 8), (4, 1, 3, 3), dict(stride=2, padding=1, groups=4)),
    ((2, 4, 7, 8), (8, 1, 3, 3), dict(padding="same", groups=4)),
    ((2, 4, 6, 6), (5, 4, 4, 2), dict(padding="same", dilation=(1, 2))),
    ((2, 4, 6, 6), (5, 4, 3, 3), dict(padding="valid")),
    ((1, 1, 5, 5), (1, 1, 5, 5), {}),
    ((3, 6, 7), (4, 6, 3), dict(stride=2, padding=2)),  # 1-D
    ((2, 4, 9), (4, 2, 4), dict(padding="same", dilation=2, groups=2)),
    ((4, 9), (3, 4, 2), dict(stride=3)),  # unbatched 1-D
    ((2, 4, 5, 6, 5), (4, 2, 2, 3, 2), dict(stride=2, groups=2)),  # 3-D
]


def _fn(nd, transpose=False):
    if transpose:
        return [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][nd - 1], \
            [TF.conv_transpose1d, TF.conv_transpose2d, TF.conv_transpose3d][nd - 1]
    return [F.conv1d, F.conv2d, F.conv3d][nd - 1], [TF.conv1d, TF.conv2d, TF.conv3d][nd - 1]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("xs,ws,kw", CONV_CASES)
def test_conv_matches_torch(xs, ws, kw, dtype, rng):
    ours, theirs = _fn(len(ws) - 2)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    compare_with_torch(lambda x, w, b: ours(x, w, b, **kw), lambda x, w, b: theirs(x, w, b, **kw),
                       [x, w, b], dtype)


def test_conv_without_bias(rng):
    x, w = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    compare_with_torch(lambda x, w: F.conv2d(x, w, padding=1),
                       lambda x, w: TF.conv2d(x, w, padding=1), [x, w])


TRANSPOSE_CASES = [
    ((2, 4, 4, 5), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((2, 4, 4, 5), (4, 1, 3, 3), dict(stride=(2, 3), padding=(0, 1), dilation=2,
                                      output_padding=(1, 0), groups=4)),
    ((2, 4, 4, 5), (4, 3, 2, 2), dict(stride=2)),
    ((2, 4, 5), (4, 6, 3), dict(stride=3, padding=1, output_padding=2)),
    ((1, 2, 3, 3, 2), (2, 2, 2, 2, 2), dict(stride=2, padding=1)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("xs,ws,kw", TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(xs, ws, kw, dtype, rng):
    ours, theirs = _fn(len(ws) - 2, transpose=True)
    b = rng.standard_normal(ws[1] * kw.get("groups", 1))
    compare_with_torch(lambda x, w, b: ours(x, w, b, **kw), lambda x, w, b: theirs(x, w, b, **kw),
                       [rng.standard_normal(xs), rng.standard_normal(ws), b], dtype)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1, groups=2), dict(dilation=2, groups=4),
                                dict(padding="same")])
def test_conv_gradcheck_and_gradgradcheck(kw, rng):
    w_in = 1 if kw.get("groups") == 4 else 4 // kw.get("groups", 1)
    x = A.tensor(rng.standard_normal((2, 4, 5, 5)), requires_grad=True)
    w = A.tensor(rng.standard_normal((4, w_in, 3, 3)), requires_grad=True)
    b = A.tensor(rng.standard_normal(4), requires_grad=True)
    f = lambda x, w, b: F.conv2d(x, w, b, **kw)  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_conv1d_and_transpose1d_gradcheck(rng):
    x = A.tensor(rng.standard_normal((2, 4, 7)), requires_grad=True)
    w = A.tensor(rng.standard_normal((6, 2, 3)), requires_grad=True)
    b = A.tensor(rng.standard_normal(6), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=2, groups=2),
                     (x, w, b))
    wt = A.tensor(rng.standard_normal((4, 3, 3)), requires_grad=True)
    assert gradcheck(lambda x, w: F.conv_transpose1d(x, w, stride=2, padding=1,
                                                     output_padding=1), (x, wt))


def test_conv_transpose_gradgradcheck(rng):
    x = A.tensor(rng.standard_normal((2, 4, 3, 4)), requires_grad=True)
    w = A.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    f = lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)  # noqa: E731
    assert gradcheck(f, (x, w))
    assert gradgradcheck(f, (x, w))


def test_conv_double_backward_matches_torch(rng):
    """Gradient penalty: d/dw of ||d loss/dx||^2 through conv, against PyTorch."""
    x0, w0 = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    res = []
    for lib in (A, torch):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        conv = F.conv2d if lib is A else TF.conv2d
        y = conv(x, w, stride=2, padding=1)
        (gx,) = lib.autograd.grad((y * y).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
        res.append((w.grad.numpy(), x.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10, atol=1e-10)


def test_conv_float32_default_and_dtype_preserved(rng):
    x = A.randn(1, 2, 5, 5)
    w = A.randn(3, 2, 3, 3)
    assert F.conv2d(x, w).dtype == A.float32
    assert F.conv2d(x.double(), w.double()).dtype == A.float64


def test_conv_errors(rng):
    x, w = A.randn(1, 4, 5, 5), A.randn(6, 4, 3, 3)
    with pytest.raises(RuntimeError, match=r"conv2d: Expected 3D \(unbatched\) or 4D"):
        F.conv2d(A.randn(5, 5), w)
    with pytest.raises(RuntimeError, match=r"conv2d: Given groups=1, weight of size \[6, 3, 3, 3\]"
                                           r".*to have 3 channels, but got 4"):
        F.conv2d(x, A.randn(6, 3, 3, 3))
    with pytest.raises(ValueError, match="conv2d: groups=3 must .* divide"):
        F.conv2d(x, w, groups=3)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        F.conv2d(x, w, padding="full")
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(x, A.randn(6, 4, 7, 7))
    with pytest.raises(RuntimeError, match=r"Input type \(float64\) and weight type \(float32\)"):
        F.conv2d(x.double(), w)
    with pytest.raises(ValueError, match=r"conv2d: expected stride to be a single int or a tuple"):
        F.conv2d(x, w, stride=(1, 2, 3))
    with pytest.raises(ValueError, match=r"conv_transpose2d: output padding \(2, 2\) must be "
                                         r"smaller than either stride"):
        F.conv_transpose2d(x, A.randn(4, 2, 3, 3), stride=2, output_padding=2)
