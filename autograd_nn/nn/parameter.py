"""Parameter: a Tensor that a Module registers as learnable."""

from __future__ import annotations

__all__: list[str] = []
