"""MobileNetV2: parameter count, torchvision key names / shapes, and numerical equality with the
same network written in plain torch.nn (our state dict loaded into it)."""

from __future__ import annotations

import numpy as np
import pytest
from test_conv_helpers import torch_one_thread  # noqa: F401

import autograd_nn as A
from autograd_nn.models import MobileNetV2, make_divisible

torch = pytest.importorskip("torch")
tnn = torch.nn


def test_parameter_count_width_1():
    m = MobileNetV2()
    assert sum(p.numel() for p in m.parameters()) == 3_504_872  # torchvision's figure
    assert len(m.state_dict()) == 314


def test_make_divisible_hand_values():
    assert make_divisible(32 * 0.35, 8) == 16  # 11.2 -> 8 would lose > 10%, so 16
    assert make_divisible(16 * 0.5, 8) == 8
    assert make_divisible(24 * 0.75, 8) == 24  # 18 -> 16 loses > 10%
    assert make_divisible(96 * 1.4, 8) == 136


def expected_shapes(width: float, num_classes: int) -> dict:
    """Key -> shape, derived by hand from the MobileNetV2 paper's table (t, c, n, s) with
    torchvision's rounding, naming and BatchNorm buffers."""
    out: dict = {}

    def bn(prefix, c):
        out.update({f"{prefix}.weight": (c,), f"{prefix}.bias": (c,),
                    f"{prefix}.running_mean": (c,), f"{prefix}.running_var": (c,),
                    f"{prefix}.num_batches_tracked": ()})

    cin = make_divisible(32 * width, 8)
    out["features.0.0.weight"] = (cin, 3, 3, 3)
    bn("features.0.1", cin)
    idx = 1
    for t, c, n, _ in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        cout = make_divisible(c * width, 8)
        for _ in range(n):
            p, hid, j = f"features.{idx}.conv", cin * t, 0
            if t != 1:
                out[f"{p}.0.0.weight"] = (hid, cin, 1, 1)
                bn(f"{p}.0.1", hid)
                j = 1
            out[f"{p}.{j}.0.weight"] = (hid, 1, 3, 3)  # depthwise
            bn(f"{p}.{j}.1", hid)
            out[f"{p}.{j + 1}.weight"] = (cout, hid, 1, 1)
            bn(f"{p}.{j + 2}", cout)
            cin, idx = cout, idx + 1
    last = make_divisible(1280 * max(1.0, width), 8)
    out[f"features.{idx}.0.weight"] = (last, cin, 1, 1)
    bn(f"features.{idx}.1", last)
    out["classifier.1.weight"] = (num_classes, last)
    out["classifier.1.bias"] = (num_classes,)
    return out


@pytest.mark.parametrize("width,classes", [(1.0, 1000), (0.35, 10), (1.4, 7)])
def test_state_dict_keys_and_shapes(width, classes):
    sd = MobileNetV2(num_classes=classes, width_mult=width).state_dict()
    exp = expected_shapes(width, classes)
    assert list(sd) == list(exp)  # same keys, same order
    assert {k: tuple(v.shape) for k, v in sd.items()} == exp
    assert sd["features.0.1.num_batches_tracked"].dtype == A.int64
    if width == 1.0:  # spot checks against torchvision's published layer shapes
        assert exp["features.1.conv.0.0.weight"] == (32, 1, 3, 3)
        assert exp["features.1.conv.1.weight"] == (16, 32, 1, 1)
        assert exp["features.2.conv.0.0.weight"] == (96, 16, 1, 1)
        assert exp["features.17.conv.2.weight"] == (320, 960, 1, 1)
        assert exp["features.18.0.weight"] == (1280, 320, 1, 1)


def test_init_matches_torchvision_scheme():
    A.manual_seed(0)
    m = MobileNetV2(num_classes=10, width_mult=0.5)
    w = m.features[18][0].weight.detach().numpy()  # 1x1 conv, fan_out = 1280
    assert abs(w.std() - np.sqrt(2 / 1280)) < 0.05 * np.sqrt(2 / 1280)
    assert abs(m.classifier[1].weight.detach().numpy().std() - 0.01) < 0.001
    assert np.all(m.classifier[1].bias.detach().numpy() == 0)
    bn = m.features[0][1]
    assert np.all(bn.weight.detach().numpy() == 1) and np.all(bn.bias.detach().numpy() == 0)


# ------------------------------------------------------------------- the same net in torch.nn
def _torch_cna(cin, cout, k=3, s=1, groups=1):
    return tnn.Sequential(tnn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
                          tnn.BatchNorm2d(cout), tnn.ReLU6(inplace=True))


class _TorchIR(tnn.Module):
    def __init__(self, inp, oup, stride, t):
        super().__init__()
        hid = int(round(inp * t))
        self.res = stride == 1 and inp == oup
        layers = [_torch_cna(inp, hid, 1)] if t != 1 else []
        layers += [_torch_cna(hid, hid, 3, stride, hid), tnn.Conv2d(hid, oup, 1, 1, 0, bias=False),
                   tnn.BatchNorm2d(oup)]
        self.conv = tnn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class _TorchMobileNetV2(tnn.Module):
    def __init__(self, num_classes, width, dropout):
        super().__init__()
        cin = make_divisible(32 * width, 8)
        last = make_divisible(1280 * max(1.0, width), 8)
        feats = [_torch_cna(3, cin, 3, 2)]
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            cout = make_divisible(c * width, 8)
            for i in range(n):
                feats.append(_TorchIR(cin, cout, s if i == 0 else 1, t))
                cin = cout
        feats.append(_torch_cna(cin, last, 1))
        self.features = tnn.Sequential(*feats)
        self.classifier = tnn.Sequential(tnn.Dropout(dropout), tnn.Linear(last, num_classes))

    def forward(self, x):
        x = tnn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


def _pair(width, dropout=0.2):
    A.manual_seed(1)
    ours = MobileNetV2(num_classes=10, width_mult=width, dropout=dropout).double()
    theirs = _TorchMobileNetV2(10, width, dropout).double()
    res = theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in
                                  ours.state_dict().items()})
    assert not res.missing_keys and not res.unexpected_keys
    return ours, theirs


@pytest.mark.parametrize("width", [0.35, 0.5])
def test_eval_output_matches_torch(width, rng):
    ours, theirs = _pair(width)
    with torch.no_grad():  # non-trivial running stats so eval-mode BN matters
        for m in theirs.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.running_mean.copy_(torch.tensor(rng.standard_normal(m.num_features) * 0.1))
                m.running_var.copy_(torch.tensor(rng.uniform(0.5, 1.5, m.num_features)))
    ours.load_state_dict({k: A.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((1, 3, 64, 64))
    ya = ours(A.tensor(x)).detach().numpy()
    yt = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ya, yt, rtol=1e-10, atol=1e-12)


def test_train_step_gradients_and_running_stats_match_torch(rng):
    ours, theirs = _pair(0.35, dropout=0.0)
    x = rng.standard_normal((2, 3, 32, 32))
    ya, yt = ours(A.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-10)
    gy = rng.standard_normal(tuple(yt.shape))
    ya.backward(A.tensor(gy))
    yt.backward(torch.tensor(gy))
    for (k, pa), (_, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(pa.grad.numpy(), pt.grad.numpy(), rtol=1e-8, atol=1e-10,
                                   err_msg=k)
    for (k, a), t in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
