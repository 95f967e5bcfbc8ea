"""Parity samples for the torch-level ops that predate the sample tables: maths, comparisons,
reductions, shapes, products, creation and configuration."""

import numpy as np
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


_PENDING = {"sign", "square"}  # sampled in samples_pointwise.py
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
SAMPLES["div"] = [S(A(3, 4), A(4, domain="away0")), S(A(3), 2.5), S(I(2, 3), I(3, low=1, high=4)),
                  S(A(3, 4), A(4, domain="away0"), rounding_mode="floor"),
                  S(A(3, 4), A(4, domain="away0"), rounding_mode="trunc"),
                  S(A(2, 3), -0.7, rounding_mode="floor"),
                  S(A(3, dtype="float32"), A(3, domain="away0"), rounding_mode="trunc"),
                  S(I(2, 3, low=-9, high=9), I(3, low=1, high=4), rounding_mode="floor"),
                  S(I(2, 3, low=-9, high=9), -2, rounding_mode="trunc"),
                  S(I(3, low=-9, high=9), 2.5, rounding_mode="floor"),
                  S(I(3), V(np.array([1, 0, 2])), rounding_mode="floor", raises=True),
                  S(A(3), A(3), rounding_mode="round", raises=True)]
SAMPLES["pow"] = [S(A(3, 4, domain="pos"), A(4)), S(A(3), 3), S(A(3, domain="pos"), 0.5),
                  S(2.0, A(3)), S(I(3, low=0, high=4), 2), S(I(3), -1, raises=True)]
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    SAMPLES[_n] = [S(A(3, 4, domain="int"), A(4, domain="int")), S(A(3), 0.5),
                   S(I(3, 4), I(4)), S(I(3), A(3, domain="int")), S(B(3), B(3)),
                   S(A(3), A(2), raises=True)]
for _n in ("logical_and", "logical_or"):
    SAMPLES[_n] = [S(B(3, 4), B(4)), S(A(3, 4, domain="int", grad=False), I(3, 4, low=0, high=2)),
                   S(I(3), B(3)), S(B(3), B(2), raises=True)]
SAMPLES["logical_not"] = [S(B(3, 4)), S(A(3, domain="int", grad=False)), S(I(4, low=0, high=2))]
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

# --- reductions
_RED = [S(A(3, 4)), S(A(3, 4), 1), S(A(2, 3, 4), dim=(0, 2), keepdim=True), S(A(3, 4), -1, True)]
for _n in ("sum", "mean"):
    SAMPLES[_n] = list(_RED) + [S(I(3, 4), dtype="dtype:float64")]
SAMPLES["sum"] += [S(I(3, 4), 0), S(B(3, 4))]
SAMPLES["mean"] += [S(I(3, 4), raises=True)]
SAMPLES["prod"] = [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), -1, keepdim=True), S(I(3, 4), 0)]
for _n in ("amax", "amin"):
    SAMPLES[_n] = [S(A(3, 4)), S(A(3, 4), 1), S(A(2, 3, 4), dim=(0, 2), keepdim=True),
                   S(I(3, 4), -1), S(A(3, 4, domain="int"), 0)]
for _n in ("max", "min"):
    SAMPLES[_n] = [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), -1, True), S(I(3, 4), 0),
                   S(A(3, 4), A(4)), S(A(2, 0), raises=True)]
for _n in ("argmax", "argmin"):
    SAMPLES[_n] = [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), dim=0, keepdim=True), S(I(3, 4), 1)]
for _n in ("all", "any"):
    SAMPLES[_n] = [S(B(3, 4)), S(B(3, 4), 1), S(B(3, 4), dim=0, keepdim=True),
                   S(A(3, 4, domain="int")), S(I(3, 4), 1)]
for _n in ("std", "var"):
    SAMPLES[_n] = [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), dim=0, correction=0),
                   S(A(3, 4), 1, unbiased=False, keepdim=True), S(A(2, 3, 4), dim=(0, 2)),
                   S(I(3), raises=True)]
SAMPLES["logsumexp"] = [S(A(3, 4), 1), S(A(3, 4), dim=(0, 1)), S(A(3, 4), -1, keepdim=True),
                        S(I(3, 4), 1)]
SAMPLES["norm"] = [S(A(3, 4)), S(A(3, 4), 1), S(A(3, 4), p=1, dim=0), S(A(3, 4), p="fro"),
                   S(A(3, 4), p=float("inf"), dim=1, keepdim=True), S(A(3, 4), p=3)]
for _n in ("softmax", "log_softmax"):
    SAMPLES[_n] = [S(A(3, 4), 1), S(A(3, 4), dim=0), S(A(2, 3, 4), 1),
                   S(A(3, 4), -1, dtype="dtype:float32", rtol=1e-6)]

# --- shapes and views
SAMPLES["reshape"] = [S(A(3, 4), (2, 6)), S(A(3, 4), (-1,)), S(A(2, 3, 4), (4, -1, 2)),
                      S(A(3, 4), (5, 2), raises=True)]
SAMPLES["flatten"] = [S(A(2, 3, 4)), S(A(2, 3, 4), 1), S(A(2, 3, 4), 0, 1), S(A(3), 0, -1)]
SAMPLES["squeeze"] = [S(A(1, 3, 1)), S(A(1, 3, 1), 0), S(A(1, 3, 1), (0, 2)), S(A(3, 1), -1)]
SAMPLES["unsqueeze"] = [S(A(3, 4), 0), S(A(3, 4), -1), S(A(3), 1), S(A(3), 3, raises=True)]
SAMPLES["permute"] = [S(A(2, 3, 4), (2, 0, 1)), S(A(2, 3, 4), (-1, 0, 1)),
                      S(A(2, 3), (0, 0), raises=True)]
for _n in ("transpose", "swapaxes", "swapdims"):
    SAMPLES[_n] = [S(A(2, 3, 4), 0, 2), S(A(3, 4), -1, 0), S(A(3), 0, 0)]
SAMPLES["t"] = [S(A(3, 4)), S(A(3)), S(A(2, 3, 4), raises=True)]
SAMPLES["flip"] = [S(A(3, 4), (0,)), S(A(2, 3, 4), (0, 2)), S(A(3, 4), [-1])]
SAMPLES["broadcast_to"] = [S(A(3, 1), (2, 3, 4)), S(A(4), (3, -1)), S(A(3), (4,), raises=True)]
SAMPLES["narrow"] = [S(A(5, 4), 0, 1, 3), S(A(5, 4), -1, 2, 2), S(A(5, 4), 0, 4, 3, raises=True)]
SAMPLES["select"] = [S(A(5, 4), 0, 1), S(A(5, 4), -1, -2), S(A(5, 4), 0, 7, raises=True)]
SAMPLES["index_select"] = [S(A(5, 4), 0, I(3, low=0, high=5)), S(A(5, 4), 1, I(6, low=0, high=4)),
                           S(A(5, 4), 0, I(2, low=5, high=7), raises=True)]
SAMPLES["take_along_dim"] = [S(A(3, 4), I(3, 2, low=0, high=4), 1),
                             S(A(3, 4), I(2, 4, low=0, high=3), dim=0)]
SAMPLES["chunk"] = [S(A(7, 4), 3), S(A(7, 4), 2, 1), S(A(6), 6)]
SAMPLES["split"] = [S(A(7, 4), 3), S(A(7, 4), [2, 5]), S(A(7, 4), 2, dim=1),
                    S(A(7, 4), [2, 2], raises=True)]
SAMPLES["unbind"] = [S(A(3, 4)), S(A(3, 4), 1), S(A(2, 3, 4), -1)]
SAMPLES["cat"] = [S([A(2, 3), A(4, 3)]), S([A(2, 3), A(2, 1)], 1), S((A(2, 3), I(1, 3))),
                  S([A(2, 3), A(2, 4)], raises=True)]
SAMPLES["concat"] = [S([A(2, 3), A(4, 3)]), S([A(2, 3), A(2, 1)], dim=1)]
SAMPLES["concatenate"] = [S([A(2, 3), A(4, 3)]), S([A(2, 3), A(2, 1)], axis=1)]
SAMPLES["stack"] = [S([A(2, 3), A(2, 3)]), S([A(2, 3), A(2, 3)], 2), S([A(3), A(3)], dim=-1),
                    S([A(2, 3), A(3, 2)], raises=True)]
SAMPLES["tril"] = [S(A(4, 5)), S(A(4, 5), 1), S(A(2, 3, 3), -1), S(I(3, 3))]
SAMPLES["triu"] = [S(A(4, 5)), S(A(4, 5), -1), S(A(2, 3, 3), 2), S(A(3), raises=True)]
SAMPLES["clone"] = [S(A(3, 4)), S(I(3))]
SAMPLES["detach"] = [S(A(3, 4))]
SAMPLES["broadcast_tensors"] = [S(A(3, 1), A(4)), S(A(2, 1, 3), I(4, 1), A(3))]
SAMPLES["broadcast_shapes"] = [S((3, 1), (4,)), S((2, 1, 3), (4, 1), (3,)),
                               S((3,), (4,), raises=True)]
SAMPLES["atleast_1d"] = [S(V(1.5)), S(A(3)), S(A(2, 3))]
SAMPLES["atleast_2d"] = [S(V(1.5)), S(A(3)), S(A(2, 3, 4))]
SAMPLES["atleast_3d"] = [S(V(1.5)), S(A(3)), S(A(2, 3))]

# --- products
SAMPLES["matmul"] = [S(A(3, 4), A(4, 2)), S(A(4), A(4)), S(A(2, 3, 4), A(4)),
                     S(A(4), A(2, 4, 3)), S(A(2, 1, 3, 4), A(5, 4, 2)),
                     S(A(3, 4), A(3, 4), raises=True)]
SAMPLES["mm"] = [S(A(3, 4), A(4, 2)), S(A(3, 4), A(4), raises=True)]
SAMPLES["bmm"] = [S(A(2, 3, 4), A(2, 4, 5)), S(A(2, 3, 4), A(3, 4, 5), raises=True)]
SAMPLES["dot"] = [S(A(4), A(4)), S(I(3), I(3)), S(A(4), A(3), raises=True)]
SAMPLES["tensordot"] = [S(A(3, 4, 5), A(4, 5, 2)), S(A(3, 4), A(4, 3), dims=1),
                        S(A(3, 4, 5), A(5, 3), dims=([0, 2], [1, 0]))]
SAMPLES["einsum"] = [S("ij,jk->ik", A(3, 4), A(4, 2)), S("bij,bjk->bik", A(2, 3, 4), A(2, 4, 5)),
                     S("ii->i", A(3, 3)), S("i,j->ij", A(3), A(2)), S("ij->", A(3, 4)),
                     S("...ij,...jk", A(2, 3, 4), A(4, 2))]
SAMPLES["cdist"] = [S(A(3, 4), A(5, 4)), S(A(2, 3, 4), A(2, 5, 4), p=1.0)]
SAMPLES["cosine_similarity"] = [S(A(3, 4), A(3, 4)), S(A(3, 4), A(4), dim=0)]
SAMPLES["pairwise_distance"] = [S(A(3, 4), A(3, 4)), S(A(3, 4), A(4), p=1.0, keepdim=True)]
SAMPLES["pdist"] = [S(A(4, 3)), S(A(5, 2), p=1.0)]
SAMPLES["block_diag"] = [S(A(2, 3), A(1, 2)), S(A(2, 2), I(1, 1), A(3))]
SAMPLES["cartesian_prod"] = [S(A(3), A(2)), S(I(2), I(3), I(2))]
SAMPLES["chain_matmul"] = [S(A(3, 4), A(4, 2), A(2, 5))]
SAMPLES["meshgrid"] = [S(A(3), A(2), indexing="ij"), S(A(3), A(2), indexing="xy")]
# PyTorch's own vander backward fails (it writes in place into a saved tensor): values only
SAMPLES["vander"] = [S(A(4), grad=False), S(A(3), N=5, grad=False),
                     S(A(3), N=3, increasing=True, grad=False)]

# --- creation
SAMPLES["arange"] = [S(5), S(1, 4), S(0.0, 1.0, 0.25), S(1, 10, 3, dtype="dtype:float64"),
                     S(5, 1, -2), S(0, 5, 0, raises=True)]
SAMPLES["linspace"] = [S(0.0, 1.0, 5), S(-2, 2, 4, dtype="dtype:float64"), S(1, 1, 1)]
SAMPLES["logspace"] = [S(0.0, 2.0, 5), S(0, 3, 4, base=2.0), S(-1, 1, 3, dtype="dtype:float64")]
for _n in ("zeros", "ones"):
    SAMPLES[_n] = [S(2, 3), S((2, 3)), S([4]), S(2, dtype="dtype:int64"), S(()),
                   S(size=(2, 3)), S(2, size=(2,), raises=True)]
SAMPLES["full"] = [S((2, 3), 1.5), S((2,), 7), S((2,), True), S([3], 2.0, dtype="dtype:float64")]
SAMPLES["eye"] = [S(3), S(2, 4), S(3, dtype="dtype:int64")]
for _n in ("zeros_like", "ones_like"):
    SAMPLES[_n] = [S(A(2, 3)), S(I(3)), S(A(2), dtype="dtype:int64")]
SAMPLES["full_like"] = [S(A(2, 3), 2.5), S(I(3), 4), S(A(2), 1, dtype="dtype:int64")]
SAMPLES["tensor"] = [S([[1.0, 2.0], [3.0, 4.0]]), S([1, 2, 3]), S(True),
                     S([1.5, 2], dtype="dtype:float64"), S([[1, 2], [3]], raises=True)]
SAMPLES["as_tensor"] = [S([1.0, 2.0]), S([1, 2], dtype="dtype:float64"), S(V([1.5, 2.5]))]
SAMPLES["asarray"] = [S([1.0, 2.0]), S([[1, 2]]), S(V([1.5, 2.5]), dtype="dtype:float32")]
SAMPLES["scalar_tensor"] = [S(1.5), S(2, dtype="dtype:int64")]
SAMPLES["tril_indices"] = [S(3, 3), S(4, 3, 1), S(3, 4, -1)]
SAMPLES["triu_indices"] = [S(3, 3), S(4, 3, 1), S(3, 4, -1)]
SAMPLES["unravel_index"] = [S(I(4, low=0, high=12), (3, 4)), S(7, (2, 5), raises=True)]
for _n in ("hann_window", "hamming_window", "blackman_window", "bartlett_window"):
    SAMPLES[_n] = [S(8), S(5, periodic=False), S(1), S(6, dtype="dtype:float64")]
SAMPLES["kaiser_window"] = [S(8), S(5, periodic=False, beta=8.0), S(6, dtype="dtype:float64")]

# --- searching, counting, sorting
SAMPLES["searchsorted"] = [S(V([1.0, 3.0, 5.0, 7.0]), V([0.0, 3.0, 6.0, 9.0])),
                           S(V([1.0, 3.0, 5.0]), V([3.0, 5.0]), right=True),
                           S(V([[1, 3, 5], [2, 4, 6]]), V([[3], [5]]), side="right")]
SAMPLES["bucketize"] = [S(V([0.0, 3.0, 6.0, 9.0]), V([1.0, 3.0, 5.0, 7.0])),
                        S(V([3, 5]), V([1, 3, 5]), right=True)]
SAMPLES["topk"] = [S(A(3, 5), 2), S(A(3, 5), 3, dim=0, largest=False), S(A(5), 1, sorted=True),
                   S(A(5), 6, raises=True)]
SAMPLES["argsort"] = [S(A(3, 5)), S(A(3, 5), dim=0, descending=True), S(I(6, low=0, high=3),
                                                                           stable=True)]

# --- predicates, dtypes and configuration
SAMPLES["numel"] = [S(A(3, 4)), S(V(1.0))]
SAMPLES["is_tensor"] = [S(A(3)), S([1.0])]
SAMPLES["is_floating_point"] = [S(A(3)), S(I(3))]
SAMPLES["result_type"] = [S(A(3), I(3)), S(I(3), 2.5), S(I(3, dtype="int32"), I(3)),
                          S(B(2), 1)]
SAMPLES["promote_types"] = [S("dtype:int64", "dtype:float32"), S("dtype:bool", "dtype:int32"),
                            S("dtype:float16", "dtype:float64")]
SAMPLES["can_cast"] = [S("dtype:float32", "dtype:int64"), S("dtype:int64", "dtype:float32"),
                       S("dtype:bool", "dtype:int32")]
SAMPLES["get_default_dtype"] = [S()]
SAMPLES["is_grad_enabled"] = [S()]
SAMPLES["typename"] = [S(A(3)), S(I(3))]


def _same_shape_and_dtype(ours, theirs) -> None:
    """Random draws: PyTorch's generator is not ours, so shape and dtype must match."""
    assert tuple(ours.shape) == tuple(theirs.shape), (tuple(ours.shape), tuple(theirs.shape))
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)


def _drawn(check=None):
    def both(ours, theirs):
        _same_shape_and_dtype(ours, theirs)
        if check is not None:
            check(ours.numpy())
    return both


def _within(lo, hi):
    return _drawn(lambda a: None if ((a >= lo) & (a < hi)).all() else
                  (_ for _ in ()).throw(AssertionError(f"draws outside [{lo}, {hi})")))


SAMPLES["rand"] = [S(2, 3, check=_within(0, 1)), S(size=(2, 3), check=_within(0, 1)),
                   S((4,), dtype="dtype:float64", check=_within(0, 1))]
SAMPLES["randn"] = [S(2, 3, check=_drawn()), S(size=[4, 1], check=_drawn()),
                    S((4,), dtype="dtype:float64", check=_drawn())]
SAMPLES["randint"] = [S(5, (3, 4), check=_within(0, 5)), S(2, 9, (6,), check=_within(2, 9))]
SAMPLES["randperm"] = [S(6, check=_drawn(lambda a: np.testing.assert_array_equal(
    np.sort(a), np.arange(6))))]
SAMPLES["rand_like"] = [S(A(2, 3, grad=False), check=_within(0, 1))]
SAMPLES["randn_like"] = [S(A(2, 3, grad=False), check=_drawn())]
SAMPLES["randint_like"] = [S(A(2, 3, grad=False), 4, check=_within(0, 4))]
SAMPLES["normal"] = [S(A(3, 4, grad=False), 1.0, check=_drawn()),
                     S(A(3, 4, dtype="float32", grad=False), V(np.ones(4)), check=_drawn()),
                     S(0.0, A(3, domain="pos", grad=False), check=_drawn()),
                     S(1.0, 2.0, (2, 3), check=_drawn())]
SAMPLES["bernoulli"] = [S(V(np.full((3, 4), 0.5)), check=_within(0, 2))]
SAMPLES["multinomial"] = [S(V([0.2, 0.3, 0.5]), 4, replacement=True, check=_within(0, 3)),
                          S(V([[0.5, 0.5, 0.0], [0.1, 0.1, 0.8]]), 2, check=_within(0, 3))]
SAMPLES["poisson"] = [S(V(np.full((3, 4), 2.0)), check=_within(0, 1e9))]
SAMPLES["binomial"] = [S(V(np.full((3,), 10.0)), V(np.full((3,), 0.5)), check=_within(0, 11))]
