"""``torch.cuda.amp``: the CUDA spellings of :mod:`autograd_nn.amp` (no CUDA here, so an
enabled ``autocast`` or ``GradScaler`` warns and disables itself, as PyTorch's without a GPU)."""

from __future__ import annotations

from typing import Any

from .. import amp as _amp
from ..amp import custom_bwd, custom_fwd

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


class autocast(_amp.autocast):  # noqa: N801 - mirrors torch.cuda.amp.autocast
    """``torch.cuda.amp.autocast(enabled, dtype, cache_enabled)``: ``autocast("cuda", ...)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cuda.amp.GradScaler(...)``: ``amp.GradScaler("cuda", ...)``."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
