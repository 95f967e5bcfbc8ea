"""Parity samples for the special functions (``torch.special`` and their torch-level names):
values over every approximation branch of PyTorch's kernels (the Cephes/Chebyshev intervals are
split at |x| = 2, 5, 8, 50...), edge values (0, -0, poles, +-inf, NaN), float32 and integer inputs,
and gradients where PyTorch defines them."""

import numpy as np
from parity_samples import A, I, S, V

F32 = {"rtol": 2e-6, "atol": 1e-30}  # PyTorch computes float32 in float32: a few ulp apart
# oscillating functions near their zeros: PyTorch's float32 arithmetic (sin/cos of a float32
# argument) is off by ~1e-7 absolute there; ours rounds the float64 value
F32_ABS = {"rtol": 2e-6, "atol": 1e-6}

# wide ranges that cross each kernel's branch points, plus the edges
WIDE = V(np.array([-60.0, -27.0, -20.0, -8.5, -8.0, -5.5, -5.0, -2.1, -1.0, -0.5, -1e-6, -0.0,
                   0.0, 1e-6, 0.3, 1.0, 2.0, 2.1, 4.9, 5.0, 5.1, 7.9, 8.0, 8.1, 9.5, 30.0, 49.9,
                   50.5, 100.0, 700.0, 1e8, np.inf, -np.inf, np.nan]))
POS = V(np.array([1e-300, 1e-8, 0.01, 0.5, 1.0, 1.5, 2.0, 2.5, 4.9, 5.0, 5.1, 7.9, 8.0, 8.1,
                  20.0, 99.0, 700.0, np.inf, 0.0, -0.0, -1.0, np.nan]))
GAMMA = V(np.array([-3.5, -2.0, -1.5, -1.0, -0.5, -0.0, 0.0, 1e-8, 0.5, 1.0, 2.0, 3.5, 9.9,
                    10.0, 10.1, 25.0, 171.5, 1e18, np.inf, -np.inf, np.nan]))
PROB = V(np.array([0.0, 1e-300, 1e-20, 1e-10, 0.01, 0.1, 0.135, 0.14, 0.5, 0.86, 0.865, 0.9,
                   0.999, 1.0, -0.1, 1.1, np.nan]))
UNIT = V(np.array([-1.0, -0.99, -0.7, -0.69, -0.3, -0.0, 0.0, 0.2, 0.7, 0.71, 0.95, 1.0, 1.5,
                   -2.0, np.nan]))


def _f32(v):
    return V(np.asarray(v.array, dtype=np.float32))


# float32 arguments where sin(x - pi/4) is well-conditioned (not 1e8: its float32 argument
# reduction differs from any float64 one)
WIDE32 = V(np.array([-27.0, -8.5, -5.0, -2.1, -1.0, -1e-6, 0.0, 0.3, 2.0, 4.9, 5.1, 8.1, 30.0,
                     np.inf, -np.inf, np.nan], dtype=np.float32))


def unary(*, grad_domain="any", finite=WIDE, extra=()):
    """Samples of a one-input special function: grad on a drawn tensor, the edge table in
    float64 and float32, an int tensor (promoted to the default float)."""
    return [S(A(3, 4, domain=grad_domain)), S(finite), S(_f32(finite), **F32),
            S(I(5, low=-3, high=4), **F32), *extra]


BESSEL_NOGRAD = [S(WIDE), S(WIDE32, **F32_ABS), S(I(5, low=-3, high=4), **F32_ABS),
                 S(A(3, 4))]
POLY_X = V(np.array([-2.0, -1.0, -0.999, -0.5, -1e-20, 0.0, 1e-20, 0.25, 0.5, 0.75, 0.999, 1.0,
                     1.5, 3.0]))  # (at NaN PyTorch returns an uninitialized value: UB)
POLY_N = V(np.array([[-1.0], [0.0], [1.0], [2.0], [3.0], [5.0], [7.0], [9.0], [12.0],
                     [np.nan]]))


def poly():
    return [S(POLY_X, POLY_N), S(POLY_X, 4), S(A(3, 4), I(3, 4, low=0, high=12)),
            S(_f32(POLY_X), 6, **F32_ABS), S(I(5, low=-2, high=3), 3, **F32_ABS)]


def _ints(n):
    return V(np.arange(n, dtype=np.int64))


SAMPLES = {
    # torch-level (function, Tensor method, in-place method)
    "erf": unary(),
    "erfc": unary(),
    "erfinv": unary(grad_domain="unit", finite=UNIT),
    "lgamma": unary(grad_domain="pos", finite=GAMMA),
    "digamma": unary(grad_domain="pos", finite=GAMMA),
    "i0": unary(),
    "sinc": [S(A(3, 4)), S(WIDE), S(WIDE32, **F32_ABS), S(I(5, low=-3, high=4), **F32_ABS),
             S(V(np.array([0.0, 1e-4, -1e-4, 1.0, 2.5])))],
    "polygamma": [S(1, A(3, 4, domain="pos")), S(2, A(3, 4, domain="pos")),
                  S(0, A(3, 4, domain="pos")), S(3, GAMMA), S(1, GAMMA),
                  S(4, _f32(POS), **F32), S(2, I(4, low=1, high=5), **F32),
                  S(-1, A(3), raises=True)],
    "mvlgamma": [S(A(3, 4, domain="pos"), 1), S(V(np.array([2.5, 3.0, 10.0])), 3),
                 S(A(2, 3, domain="pos"), 0, raises=True)],
    "igamma": [S(A(3, 4, domain="pos", grad=False), A(3, 4, domain="pos")),
               S(V(np.array([0.0, 0.0, 1.0, 1.0, 2.0, np.inf, np.inf, 30.0, 250.0, 0.5, 5.0,
                             -1.0])),
                 V(np.array([0.0, 1.0, 0.0, np.inf, 0.3, 1.0, np.inf, 31.0, 255.0, 0.45, 0.7,
                             1.0]))),
               S(V(np.array([0.5, 3.0, 150.0], dtype=np.float32)),
                 V(np.array([2.0, 1.0, 140.0], dtype=np.float32)), **F32),
               S(I(3, low=1, high=4), I(3, low=1, high=4), raises=True)],
    "igammac": [S(A(3, 4, domain="pos", grad=False), A(4, domain="pos")),
                S(V(np.array([0.0, 1.0, 2.0, np.inf, 0.2, 3.0, 1.0])),
                  V(np.array([1.0, 0.0, 1.5, 2.0, 0.4, 2.0, 0.55])))],
    "logit": [S(A(3, 4, domain="unit")), S(UNIT), S(A(3, 4, domain="unit"), eps=0.2),
              S(UNIT, 0.1), S(I(4, low=0, high=2), **F32), S(_f32(UNIT), eps=1e-3, **F32)],
    "xlogy": [S(A(3, 4), A(3, 4, domain="pos")), S(A(3, 4), A(4, domain="pos")),
              S(A(3), 2.0), S(V(np.array([0.0, 0.0, 1.0, 2.0, 0.0])),
                              V(np.array([0.0, np.nan, 0.0, -1.0, -1.0]))),
              S(I(3, low=0, high=3), I(3, low=1, high=4), **F32)],
    "Tensor.polygamma": [S(A(3, 4, domain="pos"), 2)],
    "Tensor.polygamma_": [S(A(3, 4, domain="pos"), 1)],
    "erf_": [S(A(3, 4))], "erfc_": [S(A(3, 4))], "i0_": [S(A(3, 4))],
    "sinc_": [S(A(3, 4))], "logit_": [S(A(3, 4, domain="unit"))],
    "xlogy_": [S(A(3, 4), A(3, 4, domain="pos"))],
    # torch.special
    "special.erf": [S(A(3, 4))], "special.erfc": [S(A(3, 4))],
    "special.erfinv": [S(A(3, 4, domain="unit"))],
    "special.erfcx": unary(),
    "special.log_ndtr": unary(),
    "special.ndtr": unary(),
    "special.ndtri": unary(grad_domain="unit", finite=PROB),
    "special.digamma": [S(A(3, 4, domain="pos"))], "special.psi": [S(A(3, 4, domain="pos"))],
    "special.gammaln": [S(A(3, 4, domain="pos"))],
    "special.polygamma": [S(2, A(3, 4, domain="pos"))],
    "special.multigammaln": [S(A(3, 4, domain="pos"), 2), S(V(np.array([1.5, 4.0])), 4)],
    "special.gammainc": [S(A(3, 4, domain="pos", grad=False), A(3, 4, domain="pos"))],
    "special.gammaincc": [S(A(3, 4, domain="pos", grad=False), A(3, 4, domain="pos"))],
    "special.i0": [S(A(3, 4))],
    "special.i0e": unary(),
    "special.i1": unary(extra=(S(V(np.array([0.0, 1e-20, -1e-20]), grad=True)),)),
    "special.i1e": unary(extra=(S(V(np.array([0.0, 1e-20, -1e-20]), grad=True)),)),
    "special.zeta": [S(A(3, 4, domain="pos", grad=False), A(3, 4, domain="pos")),
                     S(V(np.array([1.0, 0.5, 2.0, 2.0, 3.0, 4.0, 2.5, 20.0, 1.5])),
                       V(np.array([1.0, 1.0, 0.0, -1.0, -1.5, 0.3, 1e3, 1.0, 5.0]))),
                     S(3.0, A(4, domain="pos")), S(I(3, low=2, high=5), 1, **F32),
                     S(_f32(V(np.array([2.0, 3.0, 4.5]))), 2.0, **F32)],
    "special.xlog1py": [S(A(3, 4), A(3, 4, domain="pos")),
                        S(V(np.array([0.0, 0.0, 1.0, 2.0])), V(np.array([-1.0, np.nan, -1.0,
                                                                          -2.0])))],
    "special.entr": unary(extra=(S(V(np.array([0.0, -1.0, 1.0, np.inf, np.nan]))),)),
    "special.sinc": [S(A(3, 4))], "special.logit": [S(A(3, 4, domain="unit"), eps=0.1)],
    "special.xlogy": [S(A(3, 4), A(3, 4, domain="pos"))],
    "special.airy_ai": [S(V(np.concatenate([WIDE.array, [-2.09, -2.08, 2.09, 2.08, 8.32, 8.33,
                                                          103.0, 104.0, -15.0]]))),
                        S(V(np.array([-8.0, -2.5, -1.0, 0.0, 1.0, 2.5, 9.0, 110.0, np.nan],
                                     dtype=np.float32)), **F32_ABS),
                        S(I(5, low=-3, high=4), **F32_ABS), S(A(3, 4))],
    "special.bessel_j0": BESSEL_NOGRAD, "special.bessel_j1": BESSEL_NOGRAD,
    "special.bessel_y0": [S(POS), S(_f32(POS), **F32_ABS), S(I(4, low=0, high=4), **F32_ABS),
                          S(A(3, 4))],
    "special.bessel_y1": [S(POS), S(_f32(POS), **F32_ABS), S(I(4, low=0, high=4), **F32_ABS),
                          S(A(3, 4))],
    "special.modified_bessel_i0": BESSEL_NOGRAD, "special.modified_bessel_i1": BESSEL_NOGRAD,
    "special.modified_bessel_k0": [S(POS), S(_f32(POS), **F32), S(A(3, 4))],
    "special.modified_bessel_k1": [S(POS), S(_f32(POS), **F32), S(A(3, 4))],
    "special.scaled_modified_bessel_k0": [S(POS), S(_f32(POS), **F32), S(A(3, 4))],
    "special.scaled_modified_bessel_k1": [S(POS), S(_f32(POS), **F32), S(A(3, 4))],
    "special.spherical_bessel_j0": BESSEL_NOGRAD,
    **{f"special.{n}": poly() for n in (
        "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
        "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
        "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
        "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
        "laguerre_polynomial_l", "legendre_polynomial_p")},
}
