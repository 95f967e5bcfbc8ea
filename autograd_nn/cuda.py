"""``torch.cuda`` for scripts that choose their device: there is no GPU backend, so
``torch.device("cuda" if torch.cuda.is_available() else "cpu")`` picks the CPU."""

from __future__ import annotations

from typing import Any

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize",
           "empty_cache", "is_bf16_supported"]


def is_available() -> bool:
    """False: autograd_nn computes with NumPy on the CPU."""
    return False


def device_count() -> int:
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Accepted (and ignored, as PyTorch does without a GPU); seed the CPU generator with
    ``autograd_nn.manual_seed``."""


def manual_seed_all(seed: int) -> None:
    """See :func:`manual_seed`."""


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: every op has finished when it returns."""


def empty_cache() -> None:
    """No device cache to free."""
