"""Gradient-recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Grad mode is per thread (and per asyncio task), as in PyTorch: a switch in one thread never
changes another's, and a new thread starts with grad mode on.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from . import engine


class _GradMode:
    """Context manager and decorator that sets grad mode to ``self.mode`` while active."""

    mode = True

    def __enter__(self) -> None:
        self._prev = engine.swap_grad_mode(self.mode)

    def __exit__(self, *exc: Any) -> None:
        engine.swap_grad_mode(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = engine.swap_grad_mode(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                engine.swap_grad_mode(prev)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 - PyTorch's name
    """Ops run inside record no graph (inference, in-place parameter updates)."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Re-enable recording inside a ``no_grad`` block."""

    mode = True


class inference_mode(no_grad):  # noqa: N801
    """No graph is recorded (as ``no_grad``) and the tensors made inside are inference tensors
    (``Tensor.is_inference()``); ``inference_mode(False)`` turns both off inside."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode  # the grad mode while active
        self._inference = bool(mode)

    def __enter__(self) -> None:
        self._prev = engine.swap_grad_mode(self.mode)
        self._prev_inference = engine.swap_inference_mode(self._inference)

    def __exit__(self, *exc: Any) -> None:
        engine.swap_inference_mode(self._prev_inference)
        engine.swap_grad_mode(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        inference = self._inference

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(inference):
                return fn(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradMode):  # noqa: N801
    """``set_grad_enabled(False)``: a function call that switches the mode at once, or a
    context manager / decorator that restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = engine.swap_grad_mode(self.mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        engine.swap_grad_mode(self._prev)


is_grad_enabled = engine.is_grad_enabled
is_inference_mode_enabled = engine.is_inference_mode_enabled
