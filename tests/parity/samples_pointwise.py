"""Parity samples for the pointwise family: two-input maths (atan2, hypot, copysign, fmod,
remainder, fmax, logaddexp, float_power, ldexp...), bitwise and integer ops, number tests
(isclose, isin, signbit...), comparison aliases, the tensor predicates and the in-place forms
(``Tensor.<name>_`` and PyTorch's exported ``torch.<name>_`` functions)."""

import numpy as np
from parity_samples import A, B, I, S, V

INF, NAN = float("inf"), float("nan")
SPECIAL = V(np.array([0.0, -0.0, 1.5, -2.5, INF, -INF, NAN]))
U8 = V(np.array([0, 7, 200], dtype=np.uint8))  # (with -1: PyTorch wraps the number to 255)


def f32(*shape, **kw):
    return A(*shape, dtype="float32", **kw)


def binary_float(other_domain="any"):
    """Broadcasting float64 pairs (gradients), float32 with float64, int with float, and an
    in-place variant that must refuse to broadcast its tensor."""
    return [S(A(3, 4), A(3, 4, domain=other_domain)), S(A(2, 3), A(3, domain=other_domain)),
            S(f32(3), A(2, 3, domain=other_domain)),
            S(I(2, 3, low=-3, high=4), A(3, domain=other_domain))]


SAMPLES = {
    # --- two-input maths (differentiable)
    "atan2": [*binary_float(), S(I(3, low=-3, high=3), I(3, low=-3, high=3)),
              S(V(np.array([0.0, 0.0, -0.0, 1.0])), V(np.array([0.0, -1.0, 1.0, 0.0]))),
              S(A(3), 2.0, raises=True)],
    "arctan2": [S(A(2, 3), A(3)), S(B(3), B(3))],
    "hypot": [*binary_float()[:3], S(I(3), I(3), raises=True), S(A(3), 2.0, raises=True),
              S(A(3), A(3), out=A(3))],
    "copysign": [*binary_float(), S(A(2, 3), -1.0), S(A(3), 2), S(B(3), B(3)),
                 S(SPECIAL, V(np.array([-1.0, 1.0, -0.0, 0.0, -1.0, 1.0, -1.0]))),
                 S(A(3, domain="away0"), A(3), out=A(3))],
    "fmod": [S(A(3, 4), A(3, 4, domain="away0")), S(A(2, 3), A(3, domain="away0")),
             S(A(2, 3), 0.7), S(I(2, 3, low=-9, high=9), 4), S(I(3, low=-9, high=9), 2.5),
             S(I(3, low=-9, high=9), I(3, low=1, high=4)), S(I(3), 0, raises=True),
             S(B(3), B(3), raises=True), S(A(3), 0.0, grad=False)],
    "remainder": [S(A(3, 4), A(3, 4, domain="away0")), S(A(2, 3), A(3, domain="away0")),
                  S(A(2, 3), -0.7), S(I(2, 3, low=-9, high=9), -4),
                  S(I(3, low=-9, high=9), I(3, low=1, high=4)), S(5, I(3, low=1, high=4)),
                  S(I(3), 0, raises=True), S(B(3), B(3), raises=True), S(U8, -1),
                  S(f32(3), I(3, low=1, high=3), out=f32(3))],
    "fmax": [S(A(3, 4), A(3, 4)), S(A(2, 3), A(3)),
             S(V(np.array([1.0, NAN, 2.0, NAN])), V(np.array([NAN, 1.0, 2.0, NAN]))),
             S(I(3), f32(3)), S(B(3), B(3)), S(A(3), 1.0, raises=True)],
    "fmin": [S(A(3, 4), A(3, 4)), S(A(2, 3), A(3)),
             S(V(np.array([1.0, NAN, 2.0, NAN])), V(np.array([NAN, 1.0, 2.0, NAN]))),
             S(I(3), I(3)), S(A(3), 1.0, raises=True)],
    "logaddexp": [S(A(3, 4), A(3, 4)), S(A(2, 3), A(3)), S(f32(3), A(3)),
                  S(V(np.array([INF, -INF, 1.0])), V(np.array([1.0, -INF, -INF])), grad=False),
                  S(I(3), I(3), raises=True), S(A(3), 1.0, raises=True)],
    "logaddexp2": [S(A(3, 4), A(3, 4)), S(A(2, 3), A(3)), S(f32(3), f32(2, 3), rtol=1e-6),
                   S(B(3), B(3), raises=True)],
    "float_power": [S(A(3, 4, domain="pos"), A(3, 4)), S(A(2, 3, domain="pos"), A(3)),
                    S(A(3), 2), S(f32(3), 2.5, grad=False), S(I(3, low=1, high=4), -1),
                    S(2, I(3)), S(B(3), B(3)), S(f32(2, 3), f32(3))],
    # (PyTorch's gradient for an integer negative exponent is 0: 2 ** -k in integers; not copied)
    "ldexp": [S(A(3, 4), A(3, 4)), S(A(2, 3), I(3, low=0, high=3)), S(I(3), I(3)),
              S(f32(3), A(3)), S(A(3), 2, raises=True), S(A(3), B(3), raises=True)],
    "ldexp_": [S(A(3), A(3)), S(A(3), A(2, 3), raises=True)],
    "deg2rad": [S(A(3, 4)), S(I(3, low=-180, high=180)), S(B(3)), S(f32(2))],
    "deg2rad_": [S(A(3))],
    "rad2deg": [S(A(3, 4)), S(I(3, low=-4, high=4)), S(f32(2), out=f32(2))],
    "rad2deg_": [S(A(3))],
    "nan_to_num": [S(SPECIAL), S(SPECIAL, nan=1.5, posinf=9.0, neginf=-9.0), S(A(3, 4)),
                   S(V(np.array([NAN, INF, -INF], dtype=np.float32))), S(I(3)), S(B(3)),
                   S(V(np.array([NAN, INF, 2.0])), posinf=3.0)],
    "nan_to_num_": [S(SPECIAL, nan=2.0)],
    "frexp": [S(A(3, 4)), S(SPECIAL), S(f32(3)), S(I(3), raises=True),
              S(A(3), out=(A(3), V(np.zeros(3, dtype=np.int32))))],
    "angle": [S(SPECIAL), S(A(3, 4)), S(I(3, low=-2, high=2)), S(B(2))],
    "sgn": [S(A(3, 4, grad=False)), S(I(3, low=-2, high=2)), S(B(3)), S(SPECIAL)],
    "positive": [S(A(3, 4)), S(I(3)), S(B(3), raises=True)],
    "real": [S(A(3)), S(I(3))],
    "resolve_neg": [S(A(3)), S(I(3))],
    "clamp_min": [S(A(3, 4), 0.3), S(I(3), 1.5), S(A(2, 3), A(3)), S(I(3), 2)],
    "clamp_max": [S(A(3, 4), 0.3), S(I(3), 2), S(A(2, 3), A(3)), S(B(2), 0)],
    "clamp_min_": [S(A(3, 4), -0.5), S(A(3), A(3))],
    "clamp_max_": [S(A(3, 4), -0.5), S(A(3), A(3))],
    "addcmul": [S(A(3, 4), A(3, 4), A(3, 4)), S(A(3), A(2, 1), A(3), value=0.5),
                S(I(3), I(3), I(3), value=2), S(I(3), I(3), I(3), value=0.5),
                S(f32(3), A(3), f32(3), value=-1.5), S(A(2, 3), A(3), A(3), out=A(2, 3)),
                S(A(3, 4), A(3, 4), A(4)), S(I(3, 4), I(3, 4), I(4), value=2),
                S(A(3), A(2, 3), A(3), value=-1.0)],
    "addcdiv": [S(A(3, 4), A(3, 4), A(3, 4, domain="away0")),
                S(A(3), A(2, 1), A(3, domain="away0"), value=0.5),
                S(A(3), I(3), I(3, low=1, high=3), raises=True),
                # (PyTorch's own backward fails with an integer tensor2: no grad there)
                S(A(3), A(3, grad=False), I(3, low=1, high=3), value=2),
                S(I(3), A(3), A(3, domain="pos")),
                S(A(3, 4), A(3, 1), A(4, domain="away0"), value=0.5),
                S(A(3, 4), I(3, 4), I(4, low=1, high=4), raises=True)],
    "zero_": [S(A(3, 4)), S(I(3)), S(I(2, 3))],
    "fill_": [S(A(3, 4), 2.5), S(I(3), 2), S(A(3), V(np.array(1.5), grad=True)),
              S(A(3, 4), -1.0)],
    # --- PyTorch defines no derivative (its backward raises: inputs without grad here)
    "floor_divide": [S(A(3, 4, grad=False), A(3, 4, domain="away0", grad=False)),
                     S(I(2, 3, low=-9, high=9), 4), S(I(3, low=-9, high=9), -2.5),
                     S(2, I(3, low=1, high=4)), S(I(3), 0, raises=True),
                     S(B(3), B(3), raises=True), S(B(3), True, raises=True), S(U8, -1)],
    "heaviside": [S(A(3, 4, domain="int", grad=False), A(3, 4, grad=False)),
                  S(V(np.array([0.0, -0.0, NAN, -1.0, 2.0])), V(np.array([0.5]))),
                  S(I(3, low=-2, high=2), I(3)), S(B(4), B(4)),
                  S(A(3, grad=False), f32(3, grad=False), raises=True),
                  S(A(3, grad=False), 0.5, raises=True)],
    "nextafter": [S(A(3, 4), A(3, 4)), S(f32(3), A(2, 3)),
                  S(V(np.array([0.0, 1.0])), V(np.array([1.0, 0.0]))),
                  S(I(3), I(3), raises=True), S(A(3), 1.0, raises=True)],
    # --- bitwise and integer
    "bitwise_and": [S(I(3, 4, low=-8, high=8), I(3, 4, low=-8, high=8)),
                    S(I(2, 3, low=0, high=16), 6), S(B(3), B(3)), S(B(3), True),
                    S(V(np.array([3, 5], dtype=np.int32)), I(2, low=0, high=9)),
                    S(3, I(3, low=0, high=9)), S(A(3), A(3), raises=True),
                    S(I(3), 1.5, raises=True), S(I(2, 3), I(3), out=I(2, 3)), S(U8, -1)],
    "bitwise_or": [S(I(3, 4, low=-8, high=8), I(4, low=-8, high=8)), S(B(3), B(3)),
                   S(I(3), 2), S(A(3), 1, raises=True)],
    "bitwise_xor": [S(I(3, 4, low=-8, high=8), I(4, low=-8, high=8)), S(B(3), B(3)),
                    S(I(3), 2), S(A(3), 1, raises=True)],
    "bitwise_not": [S(I(3, 4, low=-8, high=8)), S(B(3)),
                    S(V(np.array([0, 7, 255], dtype=np.uint8))), S(A(3), raises=True)],
    "bitwise_left_shift": [S(I(3, 4, low=-8, high=8), I(3, 4, low=0, high=5)),
                           S(I(3, low=-8, high=8), V(np.array([-1, 63, 64]))),
                           S(I(3), 2), S(3, I(3)), S(B(3), B(3), raises=True),
                           S(A(3), 1, raises=True)],
    "bitwise_right_shift": [S(I(3, 4, low=-64, high=64), I(3, 4, low=0, high=5)),
                            S(V(np.array([-8, 8, -1])), V(np.array([-1, 70, 3]))),
                            S(V(np.array([200, 7], dtype=np.uint8)),
                              V(np.array([9, 1], dtype=np.uint8))),
                            S(A(3), 1, raises=True)],
    "gcd": [S(I(3, 4, low=-20, high=20), I(3, 4, low=-20, high=20)),
            S(I(2, 3, low=0, high=30), I(3, low=0, high=30)), S(A(3), A(3), raises=True),
            S(I(3), 6, raises=True)],
    "gcd_": [S(I(3, low=-20, high=20), I(3, low=1, high=20))],
    "lcm": [S(I(3, 4, low=-20, high=20), I(3, 4, low=-20, high=20)),
            S(V(np.array([4, 0], dtype=np.int32)), I(2, low=1, high=9)),
            S(B(3), B(3), raises=True)],
    "lcm_": [S(I(3, low=-20, high=20), I(3, low=1, high=20))],
    # (float inputs without grad: PyTorch's in-place logical ops leave the old history, an
    # identity gradient; here the result's gradient is 0, as for eq_)
    "logical_xor": [S(A(3, 4, domain="int", grad=False), I(3, 4, low=0, high=2)), S(B(2, 3), B(3)),
                    S(I(3), 1, raises=True)],
    # --- comparison aliases (function, method and in-place method)
    "greater": [S(A(3, 4), A(3, 4)), S(I(3), 2), S(A(2, 3), A(3))],
    "greater_equal": [S(A(3, 4), A(4)), S(I(3), 2.5)],
    "less": [S(A(3, 4), A(4)), S(I(3), 2)],
    "less_equal": [S(A(3, 4), A(4)), S(I(3), 2)],
    "not_equal": [S(A(3, 4, domain="int"), A(4, domain="int")), S(B(3), True)],
    "absolute": [S(A(3, 4, domain="away0")), S(I(3, low=-3, high=3)), S(B(3), raises=True)],
    "sign": [S(B(3)), S(SPECIAL), S(I(3, low=-2, high=2))],
    # --- number tests
    "isclose": [S(A(3, 4), A(3, 4)), S(SPECIAL, SPECIAL), S(SPECIAL, SPECIAL, equal_nan=True),
                S(A(3), A(2, 3), rtol=0.5, atol=0.1), S(I(3), I(3)),
                S(f32(3), A(3), raises=True), S(A(3), 1.0, raises=True)],
    "isin": [S(I(3, 4, low=0, high=9), I(5, low=0, high=9)),
             S(I(3, 4, low=0, high=9), I(5, low=0, high=9), invert=True),
             S(A(3, domain="int"), I(4, low=-4, high=4)), S(I(3), 3), S(3, I(4)),
             S(I(2, 3), I(2, 2), assume_unique=False), S(B(3), B(2), raises=True)],
    "isneginf": [S(SPECIAL), S(I(3)), S(f32(2))],
    "isposinf": [S(SPECIAL), S(I(3)), S(B(2))],
    "isreal": [S(SPECIAL), S(I(3)), S(B(2))],
    "signbit": [S(SPECIAL), S(I(3, low=-2, high=2)), S(B(2)), S(A(3, 4))],
    # --- tensor predicates (methods; their torch.* functions predate this table)
    "Tensor.is_complex": [S(A(3)), S(I(3))],
    "Tensor.is_neg": [S(A(3))],
    "Tensor.is_nonzero": [S(V(np.array([2.0]))), S(V(np.array([0]))), S(A(3), raises=True),
                          S(V(np.zeros((0,))), raises=True)],
    "Tensor.is_same_size": [S(A(3, 4), A(3, 4)), S(A(3, 4), A(4, 3))],
    "Tensor.is_signed": [S(A(3)), S(I(3)), S(B(3)), S(V(np.array([1], dtype=np.uint8)))],
    # --- in-place methods of existing ops
    "Tensor.eq_": [S(A(3, 4, domain="int"), A(4, domain="int")), S(I(3), 2),
                   S(A(3), A(2, 3), raises=True)],
    "Tensor.ne_": [S(A(3, 4, domain="int"), 1.0), S(B(3), B(3))],
    "Tensor.lt_": [S(A(3, 4), A(4)), S(I(3), 2)],
    "Tensor.le_": [S(A(3, 4), A(4))],
    "Tensor.gt_": [S(A(3, 4), 0.0)],
    "Tensor.ge_": [S(A(3, 4), 0.0), S(I(3), 2)],
    "Tensor.logical_and_": [S(A(3, 4, domain="int", grad=False), I(4, low=0, high=2)),
                            S(B(3), B(3))],
    "Tensor.logical_or_": [S(I(3, low=0, high=2), B(3))],
    "Tensor.logical_not_": [S(A(3, 4, domain="int", grad=False)), S(B(3))],
    "Tensor.sign_": [S(A(3, 4)), S(B(3)), S(I(3, low=-2, high=2))],
    "Tensor.sin_": [S(A(3, 4)), S(I(3), raises=True)],
    "Tensor.cos_": [S(A(3, 4))],
    "Tensor.log_": [S(A(3, 4, domain="pos"))],
    "Tensor.log1p_": [S(A(3, 4, domain="pos"))],
    "Tensor.reciprocal_": [S(A(3, 4, domain="away0")), S(I(3, low=1, high=4), raises=True)],
    "Tensor.rsqrt_": [S(A(3, 4, domain="pos"))],
    "Tensor.square_": [S(A(3, 4)), S(I(3)), S(B(3), raises=True)],
    "square": [S(B(3)), S(I(3)), S(A(2, 3))],
    "Tensor.float_power_": [S(A(3, domain="pos"), A(3)), S(f32(3), 2, raises=True),
                            S(A(3, domain="pos"), 2)],
}

# PyTorch's exported in-place functions (torch.exp_(x)...): each writes into its tensor
_UNARY_INPLACE = {
    "pos": ("acosh_", "arccosh_", "log_", "log10_", "log1p_", "log2_", "rsqrt_", "sqrt_"),
    "unit": ("acos_", "arccos_", "asin_", "arcsin_", "atanh_", "arctanh_"),
    "away0": ("abs_", "reciprocal_"),
    "any": ("asinh_", "arcsinh_", "atan_", "arctan_", "ceil_", "cos_", "cosh_", "exp2_", "exp_",
            "expm1_", "fix_", "floor_", "frac_", "neg_", "negative_", "relu_", "round_",
            "sigmoid_", "sin_", "sinh_", "square_", "tan_", "tanh_", "trunc_"),
}
for _domain, _names in _UNARY_INPLACE.items():
    for _name in _names:
        SAMPLES[_name] = [S(A(3, 4, domain=_domain))]
SAMPLES["acosh_"] = SAMPLES["arccosh_"] = [S(V(np.array([1.5, 2.0, 3.0])))]
for _name in ("asinh_", "arcsinh_", "atanh_", "arctanh_"):  # PyTorch: no in-place derivative
    SAMPLES[_name] = [S(A(3, 4, domain="unit", grad=False))]
SAMPLES["clamp_"] = [S(A(3, 4), -0.5, 0.5), S(A(3), min=0.0)]
SAMPLES["clip_"] = [S(A(3, 4), max=0.5)]
SAMPLES["exp_"].append(S(I(3), raises=True))
SAMPLES["abs_"].append(S([1.0, 2.0], raises=True))
