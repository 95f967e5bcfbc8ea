"""Exception types shared across the package."""

from __future__ import annotations


class IndexOutOfRangeError(IndexError, RuntimeError):
    """An index outside a dimension. PyTorch raises IndexError for some ops and RuntimeError for
    others (``index_select`` on 1-D vs N-D input); this is both, so either ``except`` catches."""
