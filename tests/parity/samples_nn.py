"""Parity samples for the nn ops: the ones PyTorch has at the top level (``torch.conv2d``,
``torch.dropout(input, p, train)``, losses with an int ``reduction``...) and the newer
``nn.functional`` names (grid_sample, ctc_loss, max_unpool...)."""

import numpy as np
from parity_samples import A, I, S, V

_PM1 = V(np.array([1.0, -1.0, 1.0, -1.0]))  # +-1 targets of the embedding/ranking losses
_ONES = V(np.ones((40, 50)))
_ONES3 = V(np.ones((20, 30, 4)))


def _same_value_set(ours, theirs):
    """Random masks differ between the libraries: the same shape, dtype and set of values
    (with 2,000 draws both 'kept' and 'dropped' values occur in each)."""
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)
    a, b = np.unique(ours.detach().numpy()), np.unique(theirs.detach().numpy())
    np.testing.assert_allclose(a, b, rtol=1e-12)


def _channels_constant(ours, theirs):
    """Feature dropout: the value set of PyTorch's, and one draw per (N, C) channel."""
    _same_value_set(ours, theirs)
    a = ours.detach().numpy()
    assert (a == a[..., :1]).all(), "feature dropout: a channel got more than one draw"


def _dropouts(p: float, check=_same_value_set, x=_ONES):
    return [S(A(3, 4), p, False), S(A(3, 4), 0.0, True), S(x, p, True, check=check, grad=False),
            S(A(3, 4), 1.5, True, raises=True)]


def _cell(gates: int, lstm: bool = False):
    hx = [A(3, 5), A(3, 5)] if lstm else A(3, 5)
    g = gates * 5
    return [S(A(3, 4), hx, A(g, 4), A(g, 5), A(g), A(g)),
            S(A(3, 4), hx, A(g, 4), A(g, 5)),
            S(A(3, 4), hx, A(g, 3), A(g, 5), raises=True)]


SAMPLES = {
    # --- activations
    "celu": [S(A(3, 4)), S(A(3, 4), 0.5)],
    "celu_": [S(A(3, 4)), S(A(3, 4), 2.0)],
    "selu": [S(A(3, 4))],
    "selu_": [S(A(3, 4))],
    "rrelu": [S(A(3, 4)), S(A(3, 4), 0.1, 0.3), S(A(3, 4), 0.2, 0.4, False)],
    "rrelu_": [S(A(3, 4)), S(A(3, 4), 0.1, 0.3)],
    "threshold": [S(A(3, 4), 0.5, -1.0), S(A(3, 4), -0.2, 3.0)],
    "threshold_": [S(A(3, 4), 0.5, -1.0)],
    "hardshrink": [S(A(3, 4)), S(A(3, 4), 1.0), S(A(5), lambd=0.2)],
    "prelu": [S(A(2, 3, 4), A(3)), S(A(2, 3, 4), A(1)), S(A(2, 3, 4), A(4), raises=True)],
    # --- dropout (train positional and required)
    "dropout": _dropouts(0.5),
    "dropout_": _dropouts(0.3),
    "alpha_dropout": _dropouts(0.5),
    "alpha_dropout_": _dropouts(0.4),
    "feature_dropout": _dropouts(0.5, _channels_constant, _ONES3) + [
        S(A(4), 0.5, True, raises=True)],
    "feature_dropout_": _dropouts(0.5, _channels_constant, _ONES3),
    "feature_alpha_dropout": _dropouts(0.5, _channels_constant, _ONES3),
    "feature_alpha_dropout_": _dropouts(0.5, _channels_constant, _ONES3),
    # --- normalisation (ATen's argument order)
    "batch_norm": [
        S(A(4, 3, 5), A(3), A(3), V(np.zeros(3)), V(np.ones(3)), True, 0.1, 1e-5, False),
        S(A(4, 3, 5), A(3), A(3), A(3, grad=False), A(3, domain="pos", grad=False), False,
          0.1, 1e-5, False),
        S(A(4, 3), None, None, None, None, True, 0.1, 1e-3, True),
        S(A(4, 3, 5), A(2), None, None, None, True, 0.1, 1e-5, False, raises=True)],
    "instance_norm": [
        S(A(2, 3, 5), A(3), A(3), None, None, True, 0.1, 1e-5, False),
        S(A(2, 3, 4, 4), None, None, V(np.zeros(3)), V(np.ones(3)), True, 0.2, 1e-5, False)],
    "layer_norm": [S(A(2, 3, 4), [4], A(4), A(4)), S(A(2, 3, 4), (3, 4)),
                   S(A(2, 3, 4), [4], A(4), None, 1e-3, False),
                   S(A(2, 3, 4), [3], raises=True)],
    "group_norm": [S(A(2, 6, 4), 3, A(6), A(6)), S(A(2, 6, 4, 2), 2, eps=1e-3),
                   S(A(2, 6, 4), 4, raises=True)],
    "rms_norm": [S(A(2, 3, 4), [4], A(4)), S(A(2, 3, 4), [3, 4], None, 1e-3),
                 S(A(2, 3, 4), [3], raises=True)],
    # --- convolution
    "conv1d": [S(A(2, 3, 8), A(4, 3, 3), A(4)), S(A(2, 4, 9), A(4, 2, 2), None, 2, 1, 2, 2),
               S(A(2, 3, 8), A(4, 3, 3), padding="same"), S(A(2, 3, 8), A(4, 2, 3),
                                                            raises=True)],
    "conv2d": [S(A(2, 3, 6, 5), A(4, 3, 3, 2), A(4)),
               S(A(1, 4, 7, 7), A(2, 2, 3, 3), None, (2, 1), 1, 1, 2)],
    "conv3d": [S(A(1, 2, 4, 5, 4), A(3, 2, 2, 3, 2), A(3), 1, (1, 0, 1))],
    "conv_transpose1d": [S(A(2, 3, 5), A(3, 4, 3), A(4)),
                         S(A(2, 4, 5), A(4, 1, 3), None, 2, 1, 1, 2)],
    "conv_transpose2d": [S(A(1, 3, 4, 3), A(3, 2, 3, 2), A(2), 2, 1, 1)],
    "conv_transpose3d": [S(A(1, 2, 3, 3, 2), A(2, 2, 2, 2, 2), A(2), 1, 0, 0, 1, 2)],
    # --- pooling
    "avg_pool1d": [S(A(2, 3, 8), 3), S(A(2, 3, 8), 3, 2, 1, True, False)],
    "adaptive_avg_pool1d": [S(A(2, 3, 7), 3), S(A(3, 8), 4),
                            S(A(2, 3, 4, 5), 2, raises=True)],
    "adaptive_max_pool1d": [S(A(2, 3, 7), 3), S(A(3, 8), 4)],
    "max_pool1d": [S(A(2, 3, 8), 2), S(A(2, 3, 9), 3, 2, 1, 1, True), S(A(3, 8), [2], [])],
    "max_pool1d_with_indices": [S(A(2, 3, 8), 2), S(A(2, 3, 9), 3, 2, 1, 2, True)],
    "max_pool2d": [S(A(2, 3, 6, 5), 2), S(A(1, 2, 7, 6), (3, 2), (2, 1), 1, 1, True)],
    "max_pool3d": [S(A(1, 2, 4, 5, 4), 2), S(A(1, 2, 5, 5, 5), 3, 2, 1)],
    # --- shuffles, linear, sparse
    "pixel_shuffle": [S(A(1, 8, 2, 3), 2), S(A(1, 7, 2, 3), 2, raises=True)],
    "pixel_unshuffle": [S(A(1, 2, 4, 6), 2)],
    "channel_shuffle": [S(A(2, 6, 3), 3), S(A(2, 6, 2, 2), 2)],
    "bilinear": [S(A(4, 3), A(4, 5), A(2, 3, 5), A(2)), S(A(4, 3), A(4, 5), A(2, 3, 5))],
    "embedding": [S(A(5, 3), I(2, 4, high=5)), S(A(5, 3), I(6, high=5), 2),
                  S(A(5, 3), I(6, high=5), -1, True)],
    # --- losses (reduction: 0 none, 1 mean, 2 sum)
    "binary_cross_entropy_with_logits": [
        S(A(3, 4), A(3, 4, domain="unit", grad=False)),
        S(A(3, 4), A(3, 4, domain="pos"), A(4, grad=False), A(4, domain="pos", grad=False), 1),
        S(A(3, 4), A(3, 4, domain="pos"), A(4), raises=True),
        S(A(3, 4), A(3, 4, domain="pos"), None, A(4), raises=True),
        S(A(3, 4), A(3, 4, domain="pos"), reduction=2),
        S(A(3, 4), A(3, 4), reduction=3)],
    "cosine_embedding_loss": [S(A(4, 5), A(4, 5), _PM1), S(A(4, 5), A(4, 5), _PM1, 0.3, 1)],
    "hinge_embedding_loss": [S(A(4), _PM1), S(A(4), _PM1, 0.5, 2)],
    "margin_ranking_loss": [S(A(4), A(4), _PM1), S(A(4), A(4), _PM1, 0.2, 1)],
    "kl_div": [S(A(3, 4), A(3, 4, domain="pos")), S(A(3, 4), A(3, 4, domain="pos"), 1),
               S(A(3, 4), A(3, 4), 2, log_target=True)],
    "poisson_nll_loss": [S(A(3, 4), A(3, 4, domain="pos"), True, False, 1e-8, 1),
                         S(A(3, 4, domain="pos"), A(3, 4, domain="pos"), False, True, 1e-8, 0),
                         S(A(3, 4), V(np.array([0.0, 1.0, 3.0, 5.0])), True, True, 1e-8, 2)],
    "triplet_margin_loss": [S(A(4, 5), A(4, 5), A(4, 5)),
                            S(A(4, 5), A(4, 5), A(4, 5), 0.5, 1, 1e-6, True, 1)],
    # --- recurrent cells
    "lstm_cell": _cell(4, lstm=True),
    "gru_cell": _cell(3),
    "rnn_tanh_cell": _cell(1),
    "rnn_relu_cell": _cell(1),
    # --- nn.functional names new here
    "nn.functional.celu_": [S(A(3, 4)), S(A(3, 4), 0.5)],
    "nn.functional.selu_": [S(A(3, 4))],
}

def _unpool_samples(nd: int):
    """max_unpoolNd of values with indices as a 2-wide, stride-2 max pool gives them: each a
    random position inside its own window (exact values, V, so both libraries scatter alike)."""
    rng = np.random.default_rng(nd)
    pooled = (3, 2, 2)[:nd]
    vals_shape = (2, 3) + pooled
    full = tuple(2 * n for n in pooled)
    strides = np.cumprod((1,) + full[::-1])[::-1][1:]
    idx = np.zeros(vals_shape, np.int64)
    for d in range(nd):
        pos = 2 * np.arange(pooled[d]).reshape([-1 if e == d else 1 for e in range(nd)])
        idx += (pos + rng.integers(0, 2, vals_shape)) * int(strides[d])
    return [S(A(*vals_shape), V(idx), 2),
            S(A(*vals_shape), V(idx), 2, 2, 0, tuple(n + 1 for n in full)),
            S(A(*vals_shape), V(idx), 2, output_size=tuple(n + 5 for n in full), raises=True),
            S(A(*vals_shape), V(idx + 100), 2, raises=True),
            S(A(*vals_shape[1:]), V(idx[0]), 2)]


SAMPLES.update({
    "nn.functional.adaptive_avg_pool3d": [S(A(2, 3, 5, 4, 6), (2, 3, 4)),
                                          S(A(3, 4, 4, 4), 2),
                                          S(A(1, 2, 5, 4, 6), (None, 2, 5))],
    "nn.functional.adaptive_max_pool3d": [S(A(2, 3, 5, 4, 6), (2, 3, 4)),
                                          S(A(3, 4, 4, 4), 2, True)],
    "nn.functional.adaptive_max_pool3d_with_indices": [S(A(2, 3, 5, 4, 6), (2, 3, 4))],
    "nn.functional.max_unpool1d": _unpool_samples(1),
    "nn.functional.max_unpool2d": _unpool_samples(2),
    "nn.functional.max_unpool3d": _unpool_samples(3),
})

_T2 = I(2, 3, low=1, high=4)  # two padded targets over classes 1..3 (0 is the blank)
SAMPLES.update({
    "nn.functional.ctc_loss": [
        S(A(6, 2, 4), _T2, [6, 5], [3, 2]),
        S(A(6, 2, 4), _T2, V(np.array([6, 4])), V(np.array([3, 0])), reduction="none"),
        S(A(6, 2, 4), _T2, (6, 5), (2, 3), 0, "sum"),
        S(A(6, 2, 4), I(5, low=1, high=4), [6, 5], [3, 2]),
        S(A(6, 2, 4), I(2, 3, low=0, high=3), [6, 5], [3, 2], blank=3),
        S(A(6, 4), I(3, low=1, high=4), [6], [3]),
        S(A(6, 2, 4), V(np.array([[1, 1, 1], [2, 2, 0]])), [2, 5], [3, 2], reduction="none"),
        S(A(6, 2, 4), V(np.array([[1, 1, 1], [2, 2, 0]])), [2, 5], [3, 2], zero_infinity=True),
        S(A(6, 2, 4), _T2, [7, 5], [3, 2], raises=True),
        S(A(6, 2, 4), _T2, [6, 5], [4, 2], raises=True)],
    "ctc_loss": [S(A(6, 2, 4), _T2, (6, 5), (3, 2)),
                 S(A(6, 2, 4), _T2, V(np.array([6, 5])), V(np.array([3, 2])), 0, 1),
                 S(A(6, 2, 4), _T2, (6, 5), (3, 2), 0, 2, True)],
})


def _grid_samples():
    out = []
    for x, g in ((A(2, 3, 4, 5), A(2, 3, 4, 2)), (A(1, 2, 3, 4, 5), A(1, 2, 3, 2, 3))):
        for mode in ("bilinear", "nearest"):
            for pad in ("zeros", "border", "reflection"):
                for ac in (False, True):
                    out.append(S(x, g, mode, pad, ac))
    for pad in ("zeros", "border", "reflection"):
        for ac in (False, True):
            out.append(S(A(2, 3, 4, 5), A(2, 3, 4, 2), "bicubic", pad, ac))
    return out + [S(A(2, 3, 4, 5), A(2, 3, 4, 2, domain="unit")),
                  S(A(1, 2, 3, 4, 5), A(1, 2, 3, 2, 3), "bicubic", align_corners=False,
                    raises=True),
                  S(A(2, 3, 4, 5), A(2, 3, 4, 3), align_corners=False, raises=True),
                  S(A(2, 3, 4, 5), A(2, 3, 4, 2), "area", align_corners=False, raises=True),
                  S(A(2, 3, 4, 5), A(2, 3, 4, 2), padding_mode="wrap", align_corners=False,
                    raises=True),
                  S(A(2, 3, 4, 5), A(2, 3, 4, 2, dtype="float32"), align_corners=False,
                    raises=True)]


SAMPLES.update({
    "nn.functional.affine_grid": [S(A(2, 2, 3), (2, 3, 4, 5), False),
                                  S(A(2, 2, 3), [2, 1, 3, 1], True),
                                  S(A(1, 3, 4), (1, 2, 3, 4, 2), align_corners=False),
                                  S(A(1, 3, 4), (1, 2, 3, 4, 2), align_corners=True),
                                  S(A(2, 2, 3), (2, 3, 4), False, raises=True),
                                  S(A(2, 2, 3), (3, 3, 4, 5), False, raises=True),
                                  S(A(2, 2, 4), (2, 3, 4, 5), False, raises=True)],
    "nn.functional.grid_sample": _grid_samples(),
})

SAMPLES.update({
    "nn.functional.linear_cross_entropy": [
        S(A(4, 3), A(5, 3), I(4, high=5)),
        S(A(4, 3), A(5, 3), I(4, high=5), linear_bias=A(5), weight=A(5, domain="pos",
                                                                     grad=False),
          reduction="sum", label_smoothing=0.1),
        S(A(3), A(5, 3), I(high=5), reduction="none"),
        S(A(4, 3), A(5, 2, 3), I(4, 2, high=5), linear_bias=A(5, 2)),
        S(A(4, 3), A(5, 3), V(np.array([0, 1, -100, 4])), reduction="none"),
        S(A(4, 3), A(5, 3), V(np.array([0, 1, 2, 4])), ignore_index=2),
        S(A(4, 3), A(5, 3), A(4, 5, domain="pos", grad=False)),
        S(A(4, 3), A(5, 3), A(4, 5, domain="pos", grad=False), ignore_index=1, raises=True),
        S(A(4, 3), A(5, 2), I(4, high=5), raises=True),
        S(A(3), A(5, 2, 3), I(2, high=5), raises=True)],
})


def _fractional(nd: int):
    """Fixed window starts (exact _random_samples in [0, 1)), one random-start sample."""
    x, planes, k2, o2 = ((A(2, 3, 7, 6), (2, 3), (3, 2), (4, 3)) if nd == 2 else
                         (A(2, 2, 6, 5, 7), (2, 2), (3, 2, 2), (3, 3, 4)))
    unit = V(np.random.default_rng(nd).uniform(0, 1, planes + (nd,)))
    out = [S(x, 2, 3, _random_samples=unit), S(x, k2, o2, _random_samples=unit),
           S(x, 2, None, (0.5,) * nd, _random_samples=unit),
           S(x, 2, 4 if nd == 2 else 3, _random_samples=unit, return_indices=True),
           S(x, 2, None, 0.5, _random_samples=unit, raises=nd == 2),
           S(x, 2, 5 if nd == 2 else 4, _random_samples=unit, raises=nd == 3),
           S(x, 3, 6, _random_samples=unit, raises=True),
           S(x, 2, raises=True),
           S(x, 2, 3, check=_frac_shape, grad=False)]
    if nd == 2:
        out.append(S(A(3, 7, 6), 2, 3, _random_samples=V(unit.array[:1])))
    return out


def _frac_shape(ours, theirs):
    """Random window starts: the same shape and dtype, and every value one of the input's."""
    o = ours[0] if isinstance(ours, tuple) else ours
    t = theirs[0] if isinstance(theirs, tuple) else theirs
    assert tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)


SAMPLES.update({
    "nn.functional.fractional_max_pool2d": _fractional(2),
    "nn.functional.fractional_max_pool2d_with_indices": _fractional(2)[:2],
    "nn.functional.fractional_max_pool3d": _fractional(3),
    "nn.functional.fractional_max_pool3d_with_indices": _fractional(3)[:2],
})


def _rnn_params(gates: int, layers: int, dirs: int, F: int, H: int, bias: bool, P: int = 0):
    """ATen's flat weight list: per layer and direction w_ih, w_hh[, b_ih, b_hh][, w_hr]."""
    out = []
    for layer in range(layers):
        f = F if layer == 0 else (P or H) * dirs
        for _ in range(dirs):
            out += [A(gates * H, f), A(gates * H, P or H)]
            out += [A(gates * H), A(gates * H)] if bias else []
            out += [A(P, H)] if P else []
    return out


def _seq(gates: int, lstm: bool = False):
    def hx(layers, dirs, B, H, P=0):
        h = A(layers * dirs, B, P or H, domain="unit")
        return [h, A(layers * dirs, B, H, domain="unit")] if lstm else h
    out = [S(A(5, 2, 3), hx(1, 1, 2, 4), _rnn_params(gates, 1, 1, 3, 4, True), True, 1, 0.0,
             False, False, False),
           S(A(2, 5, 3), hx(2, 2, 2, 4), _rnn_params(gates, 2, 2, 3, 4, False), False, 2, 0.0,
             True, True, True),
           S(A(5, 2, 3), hx(1, 1, 2, 4), _rnn_params(gates, 1, 1, 3, 4, True)[:3], True, 1,
             0.0, False, False, False, raises=True)]
    if lstm:  # projections: h is P wide
        out.append(S(A(4, 2, 3), hx(2, 1, 2, 4, P=2), _rnn_params(4, 2, 1, 3, 4, True, P=2),
                     True, 2, 0.0, False, False, False))
    return out


SAMPLES.update({"lstm": _seq(4, lstm=True), "gru": _seq(3), "rnn_tanh": _seq(1),
                "rnn_relu": _seq(1)})

_BAG_IDX = V(np.array([0, 1, 2, 3, 5, 4, 2]))
_BAG_OFF = V(np.array([0, 2, 2, 5]))
SAMPLES.update({
    "embedding_bag": [
        S(A(6, 3), _BAG_IDX, _BAG_OFF),
        S(A(6, 3), _BAG_IDX, _BAG_OFF, False, 1),
        S(A(6, 3), _BAG_IDX, _BAG_OFF, False, 2),
        S(A(6, 3), _BAG_IDX, _BAG_OFF, False, 2, False, None, True),
        S(A(6, 3), _BAG_IDX, _BAG_OFF, False, 1, False, None, False, 2),
        S(A(6, 3), _BAG_IDX, _BAG_OFF, False, 0, False, A(7), False),
        S(A(6, 3, dtype="float32"), _BAG_IDX, _BAG_OFF, rtol=1e-6, atol=1e-6),
        S(A(6, 3, dtype="float32"), _BAG_IDX, _BAG_OFF, False, 0, False, None, False, 1,
          rtol=1e-6, atol=1e-6),
        S(A(6, 3), _BAG_IDX, V(np.array([0, 2, 9])), False, 0, False, None, True,
          raises=True)],
    "nn.functional.embedding_bag": [
        S(_BAG_IDX, A(6, 3), _BAG_OFF, include_last_offset=True, mode="max"),
        S(_BAG_IDX, A(6, 3), _BAG_OFF, include_last_offset=True, mode="mean")],
})
