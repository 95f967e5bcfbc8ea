"""``torch.cuda`` for scripts that choose their device: there is no GPU backend, so
``torch.device("cuda" if torch.cuda.is_available() else "cpu")`` picks the CPU."""

from __future__ import annotations

from typing import Any

from . import amp

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize",
           "empty_cache", "is_bf16_supported", "is_initialized", "current_device", "amp",
           "max_memory_allocated", "memory_allocated", "reset_peak_memory_stats", "get_device_name"]


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


def is_initialized() -> bool:
    return False


def _no_gpu(what: str) -> NotImplementedError:
    return NotImplementedError(f"torch.cuda.{what}: autograd_nn has no CUDA backend "
                               f"(torch.cuda.is_available() is False); compute on the CPU")


def current_device() -> int:
    """Raises, as PyTorch does without a GPU."""
    raise _no_gpu("current_device")


def get_device_name(device: Any = None) -> str:
    raise _no_gpu("get_device_name")


def set_device(device: Any) -> None:
    raise _no_gpu("set_device")


def memory_allocated(device: Any = None) -> int:
    """0: no device memory is ever allocated."""
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def reset_peak_memory_stats(device: Any = None) -> None:
    """Nothing to reset."""
