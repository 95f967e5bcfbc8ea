"""Special functions NumPy lacks (erf); the differentiable op is ``elementwise.Erf``."""

from __future__ import annotations

import math

import numpy as np

try:  # SciPy's vectorised erf when present; the exact math.erf otherwise
    from scipy.special import erf as _erf_impl
except ImportError:  # pragma: no cover - depends on the environment
    _erf_ufunc = np.frompyfunc(math.erf, 1, 1)

    def _erf_impl(x: np.ndarray) -> np.ndarray:
        return _erf_ufunc(x).astype(np.result_type(x, np.float32))


def erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_impl(x)).astype(x.dtype, copy=False)
