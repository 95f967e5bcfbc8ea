"""The vectorised erf/erfc kernels (fdlibm's algorithm in NumPy) against libm's, element by
element through ``math.erf`` / ``math.erfc`` (the functions PyTorch's CPU kernels call)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_nn._ops import special_math as M

EDGES = [0.0, -0.0, 0.84375, -0.84375, 1.25, -1.25, 1 / 0.35, -1 / 0.35, 6.0, -6.0, 27.9, 28.0,
         -28.0, 1e-300, 2.0 ** -28, 2.0 ** -57, 5.9999, 0.25, 0.2499999, 40.0, -40.0]


def _grid() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([rng.uniform(-7, 7, 20000), rng.uniform(-30, 30, 5000),
                           rng.normal(0, 1e-3, 2000), np.array(EDGES)])


@pytest.mark.parametrize("ours,libm,max_ulp", [(M.erf, math.erf, 1), (M.erfc, math.erfc, 4)])
def test_within_a_few_ulp_of_libm(ours, libm, max_ulp):
    x = _grid()
    ref = np.array([libm(v) for v in x])
    got = ours(x)
    ulp = np.abs(got - ref) / np.spacing(np.abs(ref) + 1e-300)
    assert ulp.max() <= max_ulp, (x[ulp.argmax()], got[ulp.argmax()], ref[ulp.argmax()])
    assert (got == ref).mean() > 0.9  # mostly bit-equal: the same algorithm as glibc's


def test_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
    np.testing.assert_array_equal(M.erf(x), [np.nan, 1.0, -1.0, 0.0, -0.0])
    assert math.copysign(1.0, M.erf(np.array([-0.0]))[0]) == -1.0
    np.testing.assert_array_equal(M.erfc(x), [np.nan, 0.0, 2.0, 1.0, 1.0])
