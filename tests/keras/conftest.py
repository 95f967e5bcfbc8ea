"""Keras 3 on its PyTorch backend is the oracle of ``autograd_nn.keras``."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def kref():
    """The reference Keras (skips when Keras 3 / PyTorch are not installed)."""
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip(f"the Keras oracle must run on the torch backend, got "
                    f"{keras.backend.backend()}")
    return keras


@pytest.fixture
def rng():
    return np.random.default_rng(0)
