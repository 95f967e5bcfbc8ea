"""``torch.nn.parallel``: :class:`DataParallel` runs the wrapped module as it is (PyTorch does
the same when no GPU is visible), :class:`DistributedDataParallel` needs a process group,
which autograd_nn cannot create, and raises."""

from __future__ import annotations

from typing import Any, Sequence

from ..modules.module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps ``module`` as ``self.module`` (so state-dict keys gain the ``module.`` prefix, as
    PyTorch's) and forwards to it: on the CPU there are no devices to split the batch over.

    Args:
        module: the module to wrap.
        device_ids, output_device, dim: accepted for compatibility; ``device_ids`` becomes
            ``[]`` as in PyTorch without GPUs.
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0,
                  module_kwargs: dict | None = None) -> Any:
    """The functional form: ``module(*inputs, **module_kwargs)`` on the CPU."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))


class DistributedDataParallel(Module):
    """Raises ``NotImplementedError``: it needs ``torch.distributed``, which autograd_nn does not
    have (the class exists so ``isinstance`` checks and imports work)."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("torch.nn.parallel.DistributedDataParallel: distributed "
                                  "training is not supported by autograd_nn (no process group; "
                                  "torch.distributed.is_available() is False)")
