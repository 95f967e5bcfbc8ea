"""Weight initialisation (``nn.init``), matching PyTorch's distributions."""

from __future__ import annotations
