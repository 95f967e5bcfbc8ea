"""``autograd_nn.nn.attention``: the backend selection API of torch.nn.attention.

There is one attention implementation here (``F.scaled_dot_product_attention``, a fused NumPy
op), so ``sdpa_kernel`` only checks its argument and selects nothing; code written for
PyTorch's CUDA kernels (``with sdpa_kernel(SDPBackend.FLASH_ATTENTION): ...``) runs unchanged.
"""

from __future__ import annotations

import contextlib
import enum
from typing import Any, Iterator

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """PyTorch's scaled-dot-product-attention backends (names and values)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextlib.contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[None]:
    """Context manager accepting one SDPBackend or a list of them (as torch's); the NumPy
    implementation serves every backend."""
    items = backends if isinstance(backends, (list, tuple, set)) else [backends]
    for b in items:
        if not isinstance(b, SDPBackend):
            raise AssertionError(f"Backend must be an instance of SDPBackend, got {b!r}")
    yield
