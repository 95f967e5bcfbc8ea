"""nn.functional.interpolate / nn.Upsample: forward and backward against PyTorch (every mode,
size and scale_factor, align_corners, recompute_scale_factor), finite differences to second
order, hand-computed values, and the error messages."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as A
from autograd_nn import nn
from autograd_nn.autograd import gradcheck, gradgradcheck
from autograd_nn.nn import functional as F

torch = pytest.importorskip("torch")

LINEAR = {3: "linear", 4: "bilinear", 5: "trilinear"}
SIZES = {3: (7,), 4: (5, 7), 5: (3, 4, 5)}


def _cases():
    out = []
    for nd in (3, 4, 5):
        sp = len(SIZES[nd])
        modes = ("nearest", "nearest-exact", LINEAR[nd]) + (("area",) if nd < 5 else ()) + \
            (("bicubic",) if nd == 4 else ())
        for mode in modes:
            acs = (None, True, False) if mode in (LINEAR[nd], "bicubic") else (None,)
            kws = [{"size": (11, 3, 6)[:sp]}, {"size": (2, 9, 4)[:sp]}]
            if mode != "area":
                kws += [{"scale_factor": 1.7}, {"scale_factor": 0.6}, {"scale_factor": 2},
                        {"scale_factor": 1.7, "recompute_scale_factor": True},
                        {"scale_factor": tuple([2.5, 0.5, 1.0][:sp])}]
            out += [(nd, mode, ac, kw) for ac in acs for kw in kws]
    return out


@pytest.mark.parametrize("dt,tol", [(np.float32, 1e-5), (np.float64, 1e-10)])
def test_forward_backward_match_torch(dt, tol):
    rng = np.random.default_rng(0)
    worst = 0.0
    for nd, mode, ac, kw in _cases():
        x = rng.standard_normal((2, 3) + SIZES[nd]).astype(dt)
        xt = torch.tensor(x, requires_grad=True)
        yt = torch.nn.functional.interpolate(xt, mode=mode, align_corners=ac, **kw)
        xa = A.tensor(x, requires_grad=True)
        ya = F.interpolate(xa, mode=mode, align_corners=ac, **kw)
        case = f"{nd}D {mode} align_corners={ac} {kw}"
        assert ya.shape == tuple(yt.shape), case
        assert ya.dtype == getattr(A, np.dtype(dt).name), case
        g = rng.standard_normal(tuple(yt.shape)).astype(dt)
        yt.backward(torch.tensor(g))
        ya.backward(A.tensor(g))
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol,
                                   err_msg=case)
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=case)
        worst = max(worst, float(np.abs(ya.detach().numpy() - yt.detach().numpy()).max()))
    assert worst < tol


@pytest.mark.parametrize("dt,tol", [(np.float32, 1e-5), (np.float64, 1e-10)])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("ac", [None, True])
@pytest.mark.parametrize("kw", [{"size": (3, 4)}, {"size": (11, 13)}, {"size": (7, 2)},
                                {"scale_factor": 0.3},
                                {"scale_factor": 0.45, "recompute_scale_factor": True},
                                {"scale_factor": (2.5, 0.4)}])
def test_antialias_matches_torch(dt, tol, mode, ac, kw):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 10)).astype(dt)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.interpolate(xt, mode=mode, align_corners=ac, antialias=True, **kw)
    xa = A.tensor(x, requires_grad=True)
    ya = F.interpolate(xa, mode=mode, align_corners=ac, antialias=True, **kw)
    g = rng.standard_normal(tuple(yt.shape)).astype(dt)
    yt.backward(torch.tensor(g))
    ya.backward(A.tensor(g))
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_antialias_hand_values():
    # shrinking 4 -> 2 (s = 2): output i's triangle of half-width 2 centred at 2 i + 1 weighs
    # inputs 2i-1 .. 2i+2 by 1/4, 3/4, 3/4, 1/4 (in-range ones, renormalised)
    x = A.tensor([[[[0.0, 1.0, 2.0, 4.0]]]])
    y = F.interpolate(x, size=(1, 2), mode="bilinear", antialias=True).numpy()[0, 0, 0]
    np.testing.assert_allclose(y, [(0.75 * 0 + 0.75 * 1 + 0.25 * 2) / 1.75,
                                   (0.25 * 1 + 0.75 * 2 + 0.75 * 4) / 1.75], atol=1e-6)


def test_nearest_integer_input_matches_torch():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.uint8).reshape(2, 3, 4, 5)
    got = F.interpolate(A.tensor(x), size=(7, 3)).numpy()
    want = torch.nn.functional.interpolate(torch.tensor(x), size=(7, 3)).numpy()
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, want)


def test_hand_values():
    x = A.tensor([[[0.0, 1.0, 3.0]]])  # (1, 1, 3)
    # align_corners=False, 3 -> 5: src = (d + 0.5) * 3/5 - 0.5 = -0.2 (clamped to 0), 0.4, 1.0,
    # 1.6, 2.2 (the last index clamps: 3.0)
    y = F.interpolate(x, size=5, mode="linear")
    np.testing.assert_allclose(y.numpy()[0, 0], [0.0, 0.4, 1.0, 1.0 + 0.6 * 2, 3.0], atol=1e-6)
    # align_corners=True, 3 -> 5: src = d * 2/4 = 0, 0.5, 1, 1.5, 2
    y = F.interpolate(x, size=5, mode="linear", align_corners=True)
    np.testing.assert_allclose(y.numpy()[0, 0], [0.0, 0.5, 1.0, 2.0, 3.0], atol=1e-6)
    # nearest 3 -> 5: floor(d * 3/5) = 0, 0, 1, 1, 2; nearest-exact: floor((d + .5) 3/5) = 0, 0,
    # 1, 2, 2
    np.testing.assert_array_equal(F.interpolate(x, size=5).numpy()[0, 0], [0, 0, 1, 1, 3])
    np.testing.assert_array_equal(F.interpolate(x, size=5, mode="nearest-exact").numpy()[0, 0],
                                  [0, 0, 1, 3, 3])
    # bicubic (A = -0.75) at fraction 1/2 weighs four taps by -3/32, 19/32, 19/32, -3/32;
    # align_corners 4 -> 7 puts output 3 at src 1.5
    y = F.interpolate(A.tensor([[[[0.0, 1.0, 2.0, 4.0]]]]), size=(1, 7), mode="bicubic",
                      align_corners=True)
    assert abs(y.numpy()[0, 0, 0, 3] - (19 / 32 * 3 - 3 / 32 * 4)) < 1e-6
    # bilinear 2x2 -> 3x3 with align_corners: the centre is the mean of the four corners
    y = F.interpolate(A.tensor([[[[1.0, 2.0], [3.0, 8.0]]]]), size=3, mode="bilinear",
                      align_corners=True)
    assert abs(y.numpy()[0, 0, 1, 1] - 3.5) < 1e-6


@pytest.mark.parametrize("mode,ac,kw", [
    ("bilinear", False, {"size": (4, 6)}),
    ("bilinear", True, {"size": (2, 5)}),
    ("bilinear", None, {"scale_factor": 0.7}),
    ("nearest", None, {"scale_factor": 1.5}),
    ("nearest-exact", None, {"size": (2, 4)}),
    ("bilinear", None, {"size": (2, 3), "antialias": True}),
    ("bicubic", False, {"size": (5, 3)}),
    ("bicubic", None, {"size": (2, 3), "antialias": True}),
])
def test_gradcheck_first_and_second_order(mode, ac, kw):
    rng = np.random.default_rng(1)
    x = A.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)

    def f(t):
        return F.interpolate(t, mode=mode, align_corners=ac, **kw)

    assert gradcheck(f, (x,))
    # second order: the gradient of a non-linear function of the interpolant
    assert gradgradcheck(lambda t: f(t) ** 2, (x,))


def test_identity_size_is_a_copy_not_an_alias():
    x = A.tensor(np.ones((1, 1, 2, 2), np.float32))
    y = F.interpolate(x, size=(2, 2), mode="bilinear")
    y[0, 0, 0, 0] = 5.0
    assert x.numpy()[0, 0, 0, 0] == 1.0


def test_upsample_modules_match_torch():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    pairs = [
        (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
        (nn.Upsample(size=(3, 7), mode="bilinear"),
         torch.nn.Upsample(size=(3, 7), mode="bilinear")),
        (nn.Upsample(scale_factor=(1.5, 2.0), mode="bilinear", align_corners=True),
         torch.nn.Upsample(scale_factor=(1.5, 2.0), mode="bilinear", align_corners=True)),
        (nn.UpsamplingNearest2d(size=6), torch.nn.UpsamplingNearest2d(size=6)),
        (nn.UpsamplingBilinear2d(scale_factor=3), torch.nn.UpsamplingBilinear2d(scale_factor=3)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        np.testing.assert_allclose(ours(A.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=repr(ours))
        assert list(ours.parameters()) == []


@pytest.mark.parametrize("shape,kw,exc,msg", [
    ((1, 1, 4, 4), {"size": 2, "scale_factor": 2}, ValueError, "only one of size or scale"),
    ((1, 1, 4, 4), {}, ValueError, "either size or scale_factor"),
    ((1, 1, 4, 4), {"size": (2, 2, 2)}, ValueError,
     r"same number of spatial dimensions.*\[4, 4\].*\[2, 2, 2\]"),
    ((1, 1, 4, 4), {"size": 2, "mode": "linear"}, NotImplementedError,
     "Got 4D input, but linear mode needs 3D input"),
    ((1, 1, 4, 4), {"size": 2, "align_corners": True}, ValueError,
     "align_corners option can only be set with the interpolating modes"),
    ((1, 1, 4, 4), {"size": 2, "mode": "lanczos"}, NotImplementedError,
     "mode 'lanczos' is not supported; expected one of nearest, .*bicubic"),
    ((1, 1, 4), {"size": 2, "mode": "bicubic"}, NotImplementedError,
     "Got 3D input, but bicubic mode needs 4D input"),
    ((4, 4), {"size": 2}, NotImplementedError, r"Only 3D, 4D and 5D input.*got 2D"),
    ((1, 1, 4, 4), {"size": 0}, ValueError, r"greater than 0.*\[4, 4\].*\[0, 0\]"),
    ((1, 1, 4), {"size": 2, "mode": "linear", "antialias": True}, ValueError,
     r"Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D "
     r"tensor.*\[1, 1, 4\]"),
])
def test_errors(shape, kw, exc, msg):
    with pytest.raises(exc, match=msg):
        F.interpolate(A.zeros(*shape), **kw)


def test_linear_mode_rejects_integer_input():
    with pytest.raises(RuntimeError, match="bilinear mode needs a floating-point input.*int64"):
        F.interpolate(A.zeros(1, 1, 2, 2, dtype=A.int64), size=3, mode="bilinear")


def test_deprecated_aliases_match_torch():
    x = np.random.default_rng(4).standard_normal((1, 2, 3, 4)).astype(np.float32)
    tf = torch.nn.functional
    with pytest.warns(UserWarning):  # PyTorch deprecates these; ours are silent aliases
        want = [tf.upsample(torch.tensor(x), scale_factor=2, mode="bilinear"),
                tf.upsample_nearest(torch.tensor(x), size=(5, 7)),
                tf.upsample_bilinear(torch.tensor(x), scale_factor=2)]
    got = [F.upsample(A.tensor(x), scale_factor=2, mode="bilinear"),
           F.upsample_nearest(A.tensor(x), size=(5, 7)),
           F.upsample_bilinear(A.tensor(x), scale_factor=2)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode,aa", [("bilinear", False), ("bilinear", True),
                                     ("bicubic", False), ("bicubic", True),
                                     ("nearest", False)])
def test_inf_stays_local_like_torch(mode, aa):
    x = np.ones((1, 1, 6, 6), np.float32)
    x[0, 0, 1, 1] = np.inf  # only outputs whose taps include it may be inf; none NaN
    got = F.interpolate(A.tensor(x), size=(4, 5), mode=mode, antialias=aa).numpy()
    want = torch.nn.functional.interpolate(torch.tensor(x), size=(4, 5), mode=mode,
                                           antialias=aa).numpy()
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-5, atol=1e-6)
