"""Special functions NumPy lacks (erf), with their gradients."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.engine import Op

try:  # SciPy's vectorised erf when present; the exact math.erf otherwise
    from scipy.special import erf as _erf_impl
except ImportError:  # pragma: no cover - depends on the environment
    _erf_ufunc = np.frompyfunc(math.erf, 1, 1)

    def _erf_impl(x: np.ndarray) -> np.ndarray:
        return _erf_ufunc(x).astype(np.result_type(x, np.float32))


def erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_impl(x)).astype(x.dtype, copy=False)


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        from .elementwise import Exp

        x = ctx.inputs[0]
        return g * Exp.call(-(x * x)) * (2 / math.sqrt(math.pi))
