"""Parity samples for the torch-level ops that predate the sample tables: maths, comparisons,
reductions, shapes, products, creation and configuration."""

from parity_samples import A, B, I, S, V

_UNARY_ANY = ["asinh", "atan", "arcsinh", "arctan", "ceil", "cos", "cosh", "exp", "exp2",
              "expm1", "fix", "floor", "frac", "neg", "negative", "relu", "round", "sigmoid",
              "sign", "sin", "sinh", "square", "tan", "tanh", "trunc"]
_UNARY_POS = ["log", "log10", "log1p", "log2", "rsqrt", "sqrt", "reciprocal"]
_UNARY_UNIT = ["acos", "arccos", "asin", "arcsin", "atanh", "arctanh"]


def _unary(domain: str) -> list:
    return [S(A(3, 4, domain=domain)), S(A(5, dtype="float32", domain=domain), rtol=1e-5,
                                          atol=1e-6),
            S(I(4, low=1, high=4), rtol=1e-6)]  # ints compute in float32: libm ulps


# TODO(lead): their in-place methods (cos_, sin_...) arrive with the pointwise branch
_PENDING = {"cos", "sign", "sin", "square", "log", "log1p", "rsqrt", "reciprocal"}
_UNARY_ANY = [n for n in _UNARY_ANY if n not in _PENDING]
_UNARY_POS = [n for n in _UNARY_POS if n not in _PENDING]

SAMPLES: dict = {}
SAMPLES.update({n: _unary("any") for n in _UNARY_ANY})
SAMPLES.update({n: _unary("pos") for n in _UNARY_POS})
SAMPLES.update({n: _unary("unit") for n in _UNARY_UNIT})
SAMPLES["frac"][2] = S(I(4), raises=True)  # "frac_cpu" not implemented for 'Long'
SAMPLES.update({n: [S(V([1.5, 2.0, 3.25], grad=True)),
                    S(A(4, dtype="float32", domain="away0"), rtol=1e-5, atol=1e-6)]
                for n in ("acosh", "arccosh")})

# --- binary arithmetic and comparisons (broadcasting, scalars, mixed dtypes)
_BIN = [S(A(3, 4), A(4)), S(A(2, 1, 3), A(4, 1)), S(A(3), 2.5),
        S(I(3, 4), A(4, dtype="float32"), rtol=1e-6), S(I(2, 3), I(3))]
SAMPLES.update({n: list(_BIN) for n in ("add", "sub", "subtract", "multiply")})
for _n in ("maximum", "minimum"):  # PyTorch takes no Python scalar here
    SAMPLES[_n] = [s for s in _BIN if s.args[1] != 2.5] + [S(A(3), 2.5, raises=True)]
SAMPLES["add"] += [S(A(3, 4), A(3, 4), alpha=2.0), S(I(3), I(3), alpha=3)]
SAMPLES["sub"] += [S(A(3, 4), A(4), alpha=0.5), S(B(3), B(3), raises=True)]
for _n in ("divide", "true_divide"):
    SAMPLES[_n] = [S(A(3, 4), A(4, domain="away0")), S(A(3), 2.5),
                   S(I(2, 3, low=-4, high=5), I(3, low=1, high=4), rtol=1e-6)]
# TODO(lead): div(rounding_mode=) samples once div_ takes it and the float result takes grad
SAMPLES["pow"] = [S(A(3, 4, domain="pos"), A(4)), S(A(3), 3), S(A(3, domain="pos"), 0.5),
                  S(2.0, A(3)), S(I(3, low=0, high=4), 2), S(I(3), -1, raises=True)]
for _n in ():  # TODO(lead): ("eq", "ne", "lt", "le", "gt", "ge") once eq_... exist
    SAMPLES[_n] = [S(A(3, 4, domain="int"), A(4, domain="int")), S(A(3), 0.5),
                   S(I(3, 4), I(4)), S(I(3), A(3, domain="int"))]
# TODO(lead): logical_and/or/not once logical_and_... exist
for _n in ("isfinite", "isinf", "isnan"):
    SAMPLES[_n] = [S(V([1.0, float("inf"), -float("inf"), float("nan"), 0.0])), S(I(3))]
SAMPLES["equal"] = [S(A(3), A(3)), S(V([1.0, 2.0]), V([1.0, 2.0])), S(I(3), I(2))]
SAMPLES["allclose"] = [S(V([1.0, 2.0]), V([1.0, 2.0 + 1e-9])), S(A(3), A(3)),
                       S(V([1.0, float("nan")]), V([1.0, float("nan")]), equal_nan=True)]
SAMPLES["clamp"] = [S(A(3, 4), -0.5, 0.5), S(A(3, 4), min=0.1), S(A(3, 4), max=-0.2),
                    S(A(3, 4), A(4), A(3, 1)), S(I(5, low=-5, high=5), -2, 3),
                    S(A(3), raises=True)]
SAMPLES["clip"] = [S(A(3, 4), -0.5, 0.5), S(I(5, low=-5, high=5), min=0)]
SAMPLES["where"] = [S(B(3, 4), A(3, 4), A(4)), S(B(3), A(3), 0.0), S(B(2, 3), I(3), I(2, 1)),
                    S(B(3), 1.0, 2.0)]
SAMPLES["masked_fill"] = [S(A(3, 4), B(4), 0.5), S(A(3, 4), B(3, 4), -float("inf"), grad=False),
                          S(I(3), B(3), 7), S(A(4), B(3, 4), 1.5), S(A(3), B(2), 0.0, raises=True),
                          S(A(3), I(3), 0.0, raises=True)]
