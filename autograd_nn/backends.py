"""``torch.backends`` flags that reproducibility boilerplate sets
(``torch.backends.cudnn.deterministic = True``, ``torch.backends.mps.is_available()``): there
is no cuDNN or MPS backend, so the flags are plain attributes and the checks return False."""

from __future__ import annotations

from types import SimpleNamespace

__all__ = ["cudnn", "mps", "cuda"]


def _false(*args: object, **kwargs: object) -> bool:
    return False


cudnn = SimpleNamespace(deterministic=False, benchmark=False, enabled=True, allow_tf32=True,
                        is_available=_false, version=lambda: None)
mps = SimpleNamespace(is_available=_false, is_built=_false)
cuda = SimpleNamespace(is_built=_false, matmul=SimpleNamespace(allow_tf32=False))
