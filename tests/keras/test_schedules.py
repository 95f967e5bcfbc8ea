"""Learning-rate schedules against Keras 3 itself (the oracle): values per step, with and
without ``staircase``, and the config."""

from __future__ import annotations

import os

import pytest

from autograd_nn.keras import schedules as ours

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("name", ["ExponentialDecay", "InverseTimeDecay"])
@pytest.mark.parametrize("staircase", [False, True])
def test_step_decays_match_keras(name, staircase):
    a = getattr(ours, name)(0.1, 10, 0.5, staircase)
    b = getattr(keras.optimizers.schedules, name)(0.1, 10, 0.5, staircase)
    for step in range(0, 50, 7):
        assert a(step) == pytest.approx(float(b(step)), rel=1e-6)  # Keras computes in float32
    assert a.get_config() == b.get_config()
    assert type(ours.deserialize(ours.serialize(a))) is type(a)
