"""``torch.accelerator``: the device-agnostic accelerator queries. autograd_nn has none (it
computes with NumPy on the CPU), so scripts choosing ``"cuda"`` / ``"mps"`` / ``"cpu"`` with
them pick the CPU."""

from __future__ import annotations

from typing import Any

__all__ = ["is_available", "current_accelerator", "device_count", "synchronize",
           "current_device_index", "set_device_index"]


def is_available() -> bool:
    """False: there is no accelerator."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None, as PyTorch returns when no accelerator is present."""
    return None


def device_count() -> int:
    return 0


def synchronize(device: Any = None) -> None:
    """Nothing to wait for."""


def current_device_index() -> int:
    raise NotImplementedError("torch.accelerator.current_device_index: autograd_nn has no "
                              "accelerator (torch.accelerator.is_available() is False)")


def set_device_index(device: Any) -> None:
    raise NotImplementedError("torch.accelerator.set_device_index: autograd_nn has no "
                              "accelerator (torch.accelerator.is_available() is False)")
