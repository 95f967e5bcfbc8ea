"""Compat-harness hook, the one helper the corpus programs import besides torch.

PyTorch's and autograd_nn's random generators differ, so a program passes each random draw that
its printed numbers depend on (initial weights, sampled data, sampled tokens) through
``sync``. Under the test harness the PyTorch run records those values (``COMPAT_SYNC=record``)
and the autograd_nn run replays them (``COMPAT_SYNC=replay``), so both start from the same
numbers; run by hand (no ``COMPAT_SYNC``), ``sync`` returns its argument unchanged.
"""

from __future__ import annotations

import atexit
import os

import numpy as np

_MODE = os.environ.get("COMPAT_SYNC")
_FILE = os.environ.get("COMPAT_SYNC_FILE", "")
_store: dict = dict(np.load(_FILE)) if _MODE == "replay" else {}
_count = [0]


def _save() -> None:
    np.savez(_FILE, **_store)


if _MODE == "record":
    atexit.register(_save)


def sync(obj, name: str | None = None):
    """Return ``obj`` (a tensor or an nn.Module) as PyTorch's run had it."""
    import torch

    key = name or f"v{_count[0]}"
    _count[0] += 1
    if _MODE is None:
        return obj
    if isinstance(obj, torch.nn.Module):
        sd = obj.state_dict()
        if _MODE == "record":
            for k, v in sd.items():
                _store[f"{key}/{k}"] = v.detach().numpy().copy()
        else:
            obj.load_state_dict({k: torch.tensor(_store[f"{key}/{k}"]) for k in sd})
        return obj
    if _MODE == "record":
        _store[key] = obj.detach().numpy().copy()
        return obj
    t = torch.tensor(_store[key])
    return t.requires_grad_(True) if obj.requires_grad else t
