"""``autograd_nn.compile(module)``: an ``OptimizedModule`` wrapping the original one."""

from __future__ import annotations

from typing import Any

from ..autograd import engine
from ..nn.modules.module import Module
from .compiled import CompiledFunction


class OptimizedModule(Module):
    """What ``compile(module)`` returns (as PyTorch's): the original module is ``_orig_mod``
    (so ``state_dict`` keys carry the ``_orig_mod.`` prefix, as in PyTorch) and calls go
    through a compiled forward.

    A forward that records no graph (``no_grad`` inference, or nothing requires grad) replays
    its recording; a forward whose output will be differentiated outside runs eagerly, so
    ``loss.backward()``, hooks and ``create_graph`` behave exactly as in eager. To compile the
    backward too, compile the whole training step.
    """

    def __init__(self, mod: Module, **options: Any) -> None:
        super().__init__()
        self._orig_mod = mod
        self._compiled = CompiledFunction(mod.__call__, **options)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if engine.is_grad_enabled() and _needs_graph(self._orig_mod, args, kwargs):
            return self._orig_mod(*args, **kwargs)
        return self._compiled(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)


def _needs_graph(mod: Module, args: tuple, kwargs: dict) -> bool:
    for p in mod.parameters():
        if p.requires_grad:
            return True
    from ..tensor import Tensor

    return any(isinstance(a, Tensor) and a.requires_grad for a in (*args, *kwargs.values()))
