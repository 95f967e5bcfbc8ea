"""The engine's memory: one allocator for the arrays the backward pass and the ops reuse.

Two jobs, both about not paying for fresh memory when an array can be reused:

- *Adoption*: a gradient array that nothing but the backward pass references (a fresh
  result, not a view, not held by the graph or the user) becomes a leaf's ``.grad`` as it is,
  without a copy (:meth:`Allocator.owned`, decided by reference count).
- *Pooling*: large scratch and saved arrays of a given shape and dtype (the recurrent scan's
  activations and backward temporaries) are handed back when their owner is done
  (:meth:`Allocator.release`, or a :class:`Saved` list freed with its graph node) and taken
  again by the next call of the same shape (:meth:`Allocator.take`), as in a training loop.
  Every fresh megabyte costs page faults (the allocator returns large blocks to the kernel),
  which on the reference machine cost more than the arithmetic on it (W5: ~1,400 faults, ~5 ms
  of a 15 ms step). At most 2 arrays per (shape, dtype) and ``max_bytes`` in all are kept,
  least recently released dropped first.

``autograd.engine.allocator`` is the one instance; a compiler that plans buffers can own them
the same way.
"""

from __future__ import annotations

from collections import OrderedDict
from sys import getrefcount
from typing import Any, Iterable

import numpy as np


class Allocator:
    """Array reuse for the engine and the ops (see the module docstring)."""

    def __init__(self, max_bytes: int = 32 << 20) -> None:
        self.max_bytes = max_bytes
        self._free: OrderedDict = OrderedDict()  # (shape, dtype) -> released arrays
        self._bytes = 0
        self._owned_refs = self._calibrate()

    # ------------------------------------------------------------------------ adoption
    def owned(self, a: Any) -> bool:
        """Whether ``a`` is a base ndarray referenced only by one container entry and the
        caller's loop variable (``for _, a in d.values()``): safe to hand out without a copy."""
        return type(a) is np.ndarray and a.base is None and getrefcount(a) <= self._owned_refs

    def _refs(self, a: Any) -> int:  # the same frame shape as owned()
        return getrefcount(a)

    def _calibrate(self) -> int:
        """The count :meth:`owned` sees for an array held as above (it differs between Python
        versions, so it is measured)."""
        entries = {0: [None, np.empty(1)]}
        for _, a in entries.values():
            return self._refs(a)
        raise AssertionError

    # ------------------------------------------------------------------------- pooling
    def take(self, shape: tuple, dtype: Any) -> np.ndarray:
        """An uninitialised array: a released one of this shape and dtype if any, else new."""
        stack = self._free.get((shape, np.dtype(dtype)))
        if stack:
            try:
                a = stack.pop()
            except IndexError:  # emptied meanwhile by another thread
                return np.empty(shape, dtype)
            self._bytes -= a.nbytes
            return a
        return np.empty(shape, dtype)

    def release(self, arrays: Iterable[np.ndarray]) -> None:
        """Hand arrays that nothing else references back for reuse by :meth:`take`."""
        for a in arrays:
            if a.nbytes > self.max_bytes // 4:
                continue
            key = (a.shape, a.dtype)
            stack = self._free.setdefault(key, [])
            if len(stack) < 2:
                stack.append(a)
                self._bytes += a.nbytes
            self._free.move_to_end(key)
        while self._bytes > self.max_bytes and self._free:
            _, old = self._free.popitem(last=False)
            self._bytes -= sum(x.nbytes for x in old)

    def saved(self, arrays: Iterable[np.ndarray]) -> Saved:
        """A list of arrays released back to this allocator when it is garbage collected
        (an op's saved activations, held by its graph node only)."""
        return Saved(self, arrays)


class Saved(list):
    """Arrays an op saved for its backward, released for reuse when the node is freed."""

    def __init__(self, allocator: Allocator, arrays: Iterable[np.ndarray]) -> None:
        super().__init__(arrays)
        self._allocator = allocator

    def __del__(self) -> None:
        try:
            self._allocator.release(self)
        except Exception:  # noqa: BLE001 -- interpreter shutdown: module globals may be gone
            pass
