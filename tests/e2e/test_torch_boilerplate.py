"""The device and reproducibility boilerplate at the top of PyTorch scripts runs unchanged and
answers as PyTorch does on a machine without a GPU (the oracle: torch's own CPU build here)."""

from __future__ import annotations

import pytest

import autograd_nn

torch = pytest.importorskip("torch")


def boilerplate(lib) -> list:
    lib.manual_seed(0)
    lib.cuda.manual_seed_all(0)
    lib.backends.cudnn.deterministic = True
    lib.backends.cudnn.benchmark = False
    lib.use_deterministic_algorithms(True)
    dev = lib.device("cuda" if lib.cuda.is_available() else
                     "mps" if lib.backends.mps.is_available() else "cpu")
    m = lib.nn.Linear(2, 3).to(dev)
    y = m(lib.randn(4, 2, device=dev))
    lib.cuda.empty_cache()
    out = [str(dev), tuple(y.shape), lib.cuda.device_count(), lib.backends.cudnn.deterministic,
           lib.are_deterministic_algorithms_enabled()]
    lib.use_deterministic_algorithms(False)
    return out + [lib.are_deterministic_algorithms_enabled()]


def test_device_and_determinism_boilerplate_like_torch_on_cpu():
    if torch.cuda.is_available() or torch.backends.mps.is_available():
        pytest.skip("the oracle is PyTorch on a machine without a GPU")
    assert boilerplate(autograd_nn) == boilerplate(torch)
