"""``torch.distributed`` for scripts that import it on a single CPU: there is no distributed
backend, so :func:`is_available` and :func:`is_initialized` are False (the guards such scripts
test), and every collective or process-group function raises one ``NotImplementedError``
naming itself."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["is_available", "is_initialized", "is_torchelastic_launched", "ReduceOp",
           "init_process_group", "destroy_process_group", "get_rank", "get_world_size",
           "barrier", "all_reduce", "reduce", "broadcast", "all_gather", "gather", "scatter",
           "reduce_scatter", "all_to_all", "send", "recv", "new_group", "get_backend"]


def is_available() -> bool:
    """False: autograd_nn has no distributed backend."""
    return False


def is_initialized() -> bool:
    """False: no process group can be initialised."""
    return False


def is_torchelastic_launched() -> bool:
    return False


class ReduceOp(Enum):
    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    AVG = "avg"


def _unavailable(name: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"torch.distributed.{name}: distributed training is not "
                                  f"supported by autograd_nn (single process, CPU only; "
                                  f"torch.distributed.is_available() is False)")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Raises NotImplementedError: no distributed backend ({name})."
    return fn


for _name in __all__[4:]:
    globals()[_name] = _unavailable(_name)
del _name
