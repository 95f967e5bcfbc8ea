"""nn.utils: gradient clipping, parameter vectors, and ``rnn`` (sequence packing)."""

from __future__ import annotations

from . import rnn  # noqa: F401
