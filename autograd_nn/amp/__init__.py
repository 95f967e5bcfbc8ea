"""``torch.amp``: automatic mixed precision. autograd_nn computes on the CPU in each tensor's
own dtype, so :class:`autocast` changes no dtype (as PyTorch's with ``enabled=False``), and
:class:`GradScaler` implements PyTorch's loss scaling: a no-op pass-through when disabled (the
CUDA default here, as in PyTorch without a GPU), the full scale / unscale / skip-on-inf /
grow-or-back-off cycle when enabled on the CPU."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd", "is_autocast_available"]

_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "meta")


def is_autocast_available(device_type: str) -> bool:
    """Whether ``autocast`` accepts ``device_type`` (it changes no dtype here on any)."""
    return device_type in _DEVICE_TYPES


class autocast:  # noqa: N801 - mirrors torch.amp.autocast
    """Context manager and decorator marking a mixed-precision region.

    Args:
        device_type: ``"cpu"`` or ``"cuda"`` (no CUDA here: disabled with PyTorch's warning).
        dtype: the lower-precision dtype PyTorch would cast eligible ops to (recorded only).
        enabled: whether the region is active.
        cache_enabled: accepted for compatibility.

    Ops inside the region compute in their inputs' dtypes: the outputs equal what PyTorch gives
    with ``enabled=False`` (a float32 model stays float32).
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        self._cache_enabled = cache_enabled
        if self._enabled and device_type != "cpu":
            warnings.warn(f"User provided device_type of '{device_type}', but "
                          f"{device_type.upper()} is not available. Disabling", stacklevel=2)
            self._enabled = False

    def __enter__(self) -> autocast:
        _state.append(self._enabled)
        return self

    def __exit__(self, *exc: Any) -> bool:
        _state.pop()
        return False

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)

        return wrapper


_state: list = []


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an enabled ``autocast`` region is active (it casts nothing here)."""
    return bool(_state) and _state[-1]


def custom_fwd(fwd: Callable | None = None, *, device_type: str = "cuda",
               cast_inputs: Any = None) -> Callable:
    """Decorator for a custom Function's forward: a pass-through (no autocast casts here)."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd: Callable | None = None, *, device_type: str = "cuda") -> Callable:
    """Decorator for a custom Function's backward: a pass-through."""
    if bwd is None:
        return lambda f: f
    return bwd


_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """Loss scaling for mixed-precision training, as ``torch.amp.GradScaler``.

    Args:
        device: ``"cuda"`` (the default, as PyTorch's: there is no CUDA here, so an enabled
            scaler warns and disables itself, as PyTorch's does without a GPU) or ``"cpu"``.
        init_scale, growth_factor, backoff_factor, growth_interval: PyTorch's schedule: the
            scale is multiplied by ``backoff_factor`` after a step whose gradients had an inf or
            NaN (the step is skipped), and by ``growth_factor`` after ``growth_interval``
            finite steps in a row.
        enabled: when False every method is a pass-through: ``scale(loss)`` returns ``loss``,
            ``step(opt)`` calls ``opt.step()``, ``update()`` does nothing, ``state_dict()`` is
            ``{}``.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = bool(enabled)
        if self._enabled and device != "cpu":
            warnings.warn(f"torch.{device}.amp.GradScaler is enabled, but {device.upper()} is "
                          f"not available.  Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if not backoff_factor < 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._init_scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    def _opt_state(self, optimizer: Any) -> dict:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": 0})

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor or nested lists/tuples of them) times the current scale."""
        if not self._enabled:
            return outputs
        def apply(x: Any) -> Any:
            if isinstance(x, Tensor):
                return x * self._scale
            if isinstance(x, Iterable):
                mapped = [apply(v) for v in x]
                return type(x)(mapped) if isinstance(x, (list, tuple)) else iter(mapped)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale (in place) and record whether any is
        inf or NaN."""
        if not self._enabled:
            return
        st = self._opt_state(optimizer)
        if st["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if st["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv, found = 1.0 / self._scale, 0
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                if not np.isfinite(g).all():
                    found = 1
                g *= np.asarray(inv, dtype=g.dtype)
        st["found_inf"] = found
        st["stage"] = _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step()`` unless the (unscaled) gradients hold an inf or NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        st = self._opt_state(optimizer)
        if st["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if st["stage"] == _READY:
            self.unscale_(optimizer)
        st["stage"] = _STEPPED
        if st["found_inf"]:
            return None
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | Any = None) -> None:
        """Adjust the scale for the next iteration (PyTorch's growth / back-off rule)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if hasattr(new_scale, "item") else new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values()
                     if s["stage"] != _READY]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale *= self._growth_factor
                    self._growth_tracker = 0
        self._per_optimizer.clear()

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict:
        """PyTorch's keys when enabled; ``{}`` when disabled."""
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])

    def _check_inf_per_device(self, optimizer: Any) -> dict:
        return {"cpu": self._opt_state(optimizer)["found_inf"]}


