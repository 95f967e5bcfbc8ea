"""``autograd_nn.compile(module)``: an ``OptimizedModule`` wrapping the original one."""

from __future__ import annotations

from typing import Any

from ..nn.modules.module import Module
from .compiled import CompiledFunction


class OptimizedModule(Module):
    """What ``compile(module)`` returns (as PyTorch's): the original module is ``_orig_mod``
    (``state_dict`` keys carry the ``_orig_mod.`` prefix, as in PyTorch) and calls go through
    the compiled forward. Under ``no_grad`` it replays the forward's kernels; with grad on, its
    output is one graph node whose backward replays the recorded backward rules (see
    :mod:`autograd_nn.compiler.aot`), so ``loss.backward()`` outside behaves as eager, bit for
    bit. Attributes not found here are looked up on the original module.
    """

    def __init__(self, mod: Module, **options: Any) -> None:
        super().__init__()
        self._orig_mod = mod
        self._compiled = CompiledFunction(mod.__call__, aot=True, **options)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._compiled(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)
