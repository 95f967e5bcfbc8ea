"""``python -m autograd_nn.demo``: a few epochs reach an accuracy above a baseline computed here on
the same held-out split (a nearest-class-mean classifier, about 0.90 on these digits), and the
printed training loss falls."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn import demo

pytest.importorskip("sklearn")


def nearest_centroid_baseline(seed: int = 0) -> float:
    data = demo.load_digits()
    train, test = ag.utils.data.random_split(data, [0.8, 0.2],
                                             generator=ag.Generator().manual_seed(seed))
    x, y = (t.numpy() for t in data.tensors)
    tr, te = np.asarray(train.indices), np.asarray(test.indices)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(y)
    means = np.stack([x[tr][y[tr] == c].mean(0) for c in range(10)])
    pred = ((x[te][:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    return float((pred == y[te]).mean())


def test_demo_beats_baseline(capsys):
    baseline = nearest_centroid_baseline()
    assert 0.85 < baseline < 0.95  # the baseline itself is sane
    acc = demo.main(epochs=6, progress=False, log_every=1)
    out = capsys.readouterr().out
    losses = [float(v) for v in re.findall(r"train loss ([0-9.]+)", out)]
    assert len(losses) == 6 and losses[-1] < losses[0] / 4
    assert f"final held-out accuracy {acc:.3f}" in out
    assert acc > baseline + 0.05 and acc >= 0.95, (acc, baseline)


def test_demo_progress_bar(capsys):
    pytest.importorskip("tqdm")
    demo.main(epochs=1, progress=True)
    captured = capsys.readouterr()
    assert "training" in captured.err and "held-out accuracy" in captured.out + captured.err
