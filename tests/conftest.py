"""Shared test fixtures and helpers."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import settings

# The Keras oracle of autograd_nn.keras runs on its PyTorch backend (set before keras loads).
os.environ.setdefault("KERAS_BACKEND", "torch")

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The shared datasets folder: $AUTOGRAD_NN_DATA or ../shared/data next to the repo."""
    return Path(os.environ.get("AUTOGRAD_NN_DATA", ROOT.parent / "shared" / "data"))


def load_script(path: Path, name: str | None = None) -> ModuleType:
    """Import a script (an example, a deck lesson) as a module, by path."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def data_or_skip(marker: str) -> Path:
    """The data folder, or skip the test (with the reason) when ``marker`` (a file under it,
    e.g. ``mnist-test/t10k-images-idx3-ubyte.gz``) is absent."""
    root = data_dir()
    if not (root / marker).is_file():
        pytest.skip(f"{marker} not found under {root} (set AUTOGRAD_NN_DATA)")
    return root


MNIST = "mnist-test/t10k-images-idx3-ubyte.gz"
RT_POLARITY = "rt-polarity/rt-polarity.pos"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def kref():
    """The reference Keras 3 on the torch backend (skips when Keras or PyTorch is absent)."""
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip(f"the Keras oracle must run on the torch backend, got "
                    f"{keras.backend.backend()}")
    return keras
