"""Special functions NumPy lacks (erf); the differentiable op is ``elementwise.Erf``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _math_erf(x: np.ndarray) -> np.ndarray:
    return _erf_ufunc(x).astype(np.result_type(x, np.float32))


_erf_impl: list = []  # SciPy's vectorised erf when present, else the exact math.erf


def _find_erf() -> Any:
    try:  # optional extra, looked up on first use: `import autograd_nn` needs only NumPy
        from scipy.special import erf as scipy_erf
    except ImportError:  # pragma: no cover - depends on the environment
        return _math_erf
    return scipy_erf


def erf(x: np.ndarray) -> np.ndarray:
    if not _erf_impl:
        _erf_impl.append(_find_erf())
    return np.asarray(_erf_impl[0](x)).astype(x.dtype, copy=False)
