"""dtype inference and promotion against PyTorch: the same expression in both libraries must
give the same dtype (and values)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")


def _name(dt) -> str:
    return str(dt).split(".")[-1]


def _check(ours, theirs):
    assert _name(ours.dtype) == _name(theirs.dtype), (ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    if ours.dtype.is_floating_point:  # libm differences of an ulp are not promotion bugs
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=0)
    else:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# (id, expression over a module ``m``): run with m=autograd_nn and m=torch
EXPRESSIONS = [
    ("py_float", lambda m: m.tensor(1.5)),
    ("py_float_list", lambda m: m.tensor([1.0, 2.5])),
    ("py_int", lambda m: m.tensor([1, 2])),
    ("py_bool", lambda m: m.tensor([True, False])),
    ("mixed_list", lambda m: m.tensor([1, 2.5])),
    ("f64_array", lambda m: m.tensor(np.array([1.0, 2.0]))),
    ("f32_array", lambda m: m.tensor(np.array([1.0, 2.0], dtype=np.float32))),
    ("i32_array", lambda m: m.tensor(np.array([1, 2], dtype=np.int32))),
    ("np_scalar_f64", lambda m: m.tensor(np.float64(2.5))),
    ("explicit_dtype", lambda m: m.tensor([1, 2], dtype=m.float64)),
    ("int_plus_float_scalar", lambda m: m.tensor([1, 2]) + 1.5),
    ("int_times_int_scalar", lambda m: m.tensor([1, 2]) * 3),
    ("bool_plus_int", lambda m: m.tensor([True, False]) + 1),
    ("bool_plus_bool_tensor", lambda m: m.tensor([True, False]) + m.tensor([True, True])),
    ("f32_plus_f64", lambda m: m.tensor([1.0]) + m.tensor(np.array([2.0]))),
    ("f32_plus_f64_0dim", lambda m: m.tensor([1.0]) + m.tensor(np.float64(2.0))),
    ("f64_0dim_plus_f32", lambda m: m.tensor(np.float64(2.0)) + m.tensor([1.0])),
    ("i64_plus_f64_0dim", lambda m: m.tensor([1, 2]) + m.tensor(np.float64(0.5))),
    ("i32_plus_i64_0dim", lambda m: m.tensor(np.array([1], np.int32)) + m.tensor(5)),
    ("i32_plus_i64", lambda m: m.tensor(np.array([1], np.int32)) + m.tensor([5])),
    ("f32_plus_int_tensor", lambda m: m.tensor([1.5]) + m.tensor([2])),
    ("int_truediv", lambda m: m.tensor([3, -7]) / m.tensor([2, 2])),
    ("int_truediv_scalar", lambda m: m.tensor([3, -7]) / 2),
    ("scalar_rtruediv_int", lambda m: 2 / m.tensor([3, -7])),
    ("floordiv_signs", lambda m: m.tensor([7, -7, 7, -7]) // m.tensor([2, 2, -2, -2])),
    ("mod_signs", lambda m: m.tensor([7, -7, 7, -7]) % m.tensor([3, 3, -3, -3])),
    ("floordiv_float", lambda m: m.tensor([7.5, -7.5]) // 2),
    ("mod_float", lambda m: m.tensor([7.5, -7.5]) % -2),
    ("int_pow_int", lambda m: m.tensor([2, 3]) ** 2),
    ("int_pow_float", lambda m: m.tensor([4, 9]) ** 0.5),
    ("rpow_int", lambda m: 2 ** m.tensor([1, 3])),
    ("int_sum", lambda m: m.tensor(np.array([1, 2], np.int32)).sum()),
    ("bool_sum", lambda m: m.tensor([True, True, False]).sum()),
    ("f64_mean", lambda m: m.tensor(np.array([1.0, 2.0])).mean()),
    ("int_exp", lambda m: m.tensor([0, 1]).exp()),
    ("int_sqrt", lambda m: m.tensor([4, 9]).sqrt()),
    ("int_abs", lambda m: m.tensor([-4, 9]).abs()),
    ("int_neg", lambda m: -m.tensor([4, 9])),
    ("compare", lambda m: m.tensor([1.0, 2.0]) > 1),
    ("where_mixed", lambda m: m.where(m.tensor([True, False]), m.tensor([1, 2]), 0.5)),
    ("where_scalar_branch", lambda m: m.where(m.tensor([True, False]), m.tensor([1.5, 2.0]),
                                              0)),
    ("cat_mixed", lambda m: m.cat([m.tensor([1]), m.tensor([2.5])])),
    ("clamp_int_float", lambda m: m.tensor([1, 5]).clamp(max=2.5)),
    ("maximum_mixed", lambda m: m.maximum(m.tensor([1, 5]), m.tensor([2.5, 0.0]))),
    ("matmul_f64", lambda m: m.tensor(np.eye(2)) @ m.tensor(np.ones(2))),
    ("argmax_dtype", lambda m: m.tensor([1.0, 3.0]).argmax()),
    ("to_double", lambda m: m.tensor([1, 2]).double()),
    ("to_long", lambda m: m.tensor([1.7, -2.7]).long()),
    ("to_int", lambda m: m.tensor([1.7, -2.7]).int()),
    ("to_bool", lambda m: m.tensor([1.7, 0.0]).bool()),
    ("float_from_int", lambda m: m.tensor([1, 2]).float()),
    ("div_floor", lambda m: m.tensor([7, -7]).div(2, rounding_mode="floor")),
    ("div_trunc", lambda m: m.tensor([7, -7]).div(2, rounding_mode="trunc")),
    ("div_trunc_float", lambda m: m.tensor([7.5, -7.5]).div(2, rounding_mode="trunc")),
    ("div_trunc_int_signs", lambda m: m.tensor([7, -7, 6, -6]).div(m.tensor([2, 2, -4, 4]),
                                                                    rounding_mode="trunc")),
    ("int_floordiv_float", lambda m: m.tensor([7, -7]) // 2.5),
    ("int_mod_float", lambda m: m.tensor([7, -7]) % 2.5),
    ("rmod_float", lambda m: 7.5 % m.tensor([2, -3])),
    ("rfloordiv_int", lambda m: 7 // m.tensor([2, -3])),
    ("i32_mod_i64", lambda m: m.tensor(np.array([7, -7], np.int32)) % m.tensor([3])),
    ("float_mod_zero", lambda m: m.tensor([7.0, -1.0]) % m.tensor([0.0, 0.0])),
    ("div_trunc_int_float", lambda m: m.tensor([7, -7]).div(2.5, rounding_mode="trunc")),
    ("div_floor_int_float", lambda m: m.tensor([7, -7]).div(2.5, rounding_mode="floor")),
    ("int_logsumexp", lambda m: m.tensor([1, 2]).logsumexp(0)),
    ("bool_times_float", lambda m: m.tensor([True, False]) * 1.5),
    ("max_binary_mixed", lambda m: m.tensor([1, 5]).max(m.tensor([2.5, 0.0]))),
    ("where_two_scalars", lambda m: m.where(m.tensor([True, False]), 1.0, 0.0)),
    ("cat_bool_int", lambda m: m.cat([m.tensor([True]), m.tensor([2])])),
    ("int_square", lambda m: m.tensor([2, 3]).square()),
    ("int_reciprocal", lambda m: m.tensor([2, 4]).reciprocal()),
]


@pytest.mark.parametrize("expr", [e for _, e in EXPRESSIONS], ids=[n for n, _ in EXPRESSIONS])
def test_dtype_matches_torch(expr):
    _check(expr(an), expr(torch))


def test_default_dtype_switch():
    try:
        an.set_default_dtype(an.float64)
        torch.set_default_dtype(torch.float64)
        for expr in (lambda m: m.tensor([1.5]), lambda m: m.tensor([1, 2]) / 2,
                     lambda m: m.zeros(2), lambda m: m.arange(0.0, 1.0, 0.5)):
            _check(expr(an), expr(torch))
    finally:
        an.set_default_dtype(an.float32)
        torch.set_default_dtype(torch.float32)
    assert an.get_default_dtype() == an.float32


@pytest.mark.parametrize("expr", [lambda m: m.tensor([2]) // 0,
                                  lambda m: m.tensor([2]) % m.tensor([0]),
                                  lambda m: m.tensor([7]).div(0, rounding_mode="trunc")])
def test_integer_division_by_zero_raises(expr):
    for m in (an, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            expr(m)


def test_int_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        an.tensor([1, 2], requires_grad=True)


def test_inplace_float_into_int_raises():
    x = an.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(1.5)
    x.add_(2)
    np.testing.assert_array_equal(x.numpy(), [3, 4])
    assert x.dtype == an.int64


def test_grad_dtype_follows_input_under_promotion():
    """float32 leaf combined with a float64 tensor: the leaf's gradient stays float32."""
    for m in (an, torch):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor(np.array([3.0, 4.0]), requires_grad=True)
        (a * b).sum().backward()
        assert _name(a.grad.dtype) == "float32" and _name(b.grad.dtype) == "float64"


# the full table: every pair of dtypes (and Python scalars) through the binary operators
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "floordiv": lambda a, b: a // b,
          "mod": lambda a, b: a % b, "lt": lambda a, b: a < b, "eq": lambda a, b: a == b,
          "maximum": lambda a, b: a.maximum(b) if not isinstance(b, (int, float)) else a}
SCALARS = {"py_int": 3, "py_float": 1.5, "py_bool": True}


def _operand(m, kind, shape):
    """A [2, shape] tensor of ``kind`` (the [2, 1] one has no zeros), or a Python scalar."""
    if kind in SCALARS:
        return SCALARS[kind]
    return m.tensor(np.array([[1, 2, 0], [3, 1, 2]])[:, :shape].astype(kind))


def _bool_only_torch_rejects(name, a, b):
    """pow/floor-div/mod of two bools: torch raises NotImplementedError (see report)."""
    return a == "bool" and b in ("bool", "py_bool") and name in ("pow", "floordiv", "mod")


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_promotion_table_matches_torch(name):
    """Result dtype and values of tensor (op) tensor-or-scalar for every dtype pair,
    broadcasting [2, 3] with [2, 1] (no zero divisors), or the same error, as PyTorch."""
    fn = BINARY[name]
    for a, b in [(x, y) for x in DTYPES for y in DTYPES + list(SCALARS)]:
        if _bool_only_torch_rejects(name, a, b):
            continue
        try:
            theirs = fn(_operand(torch, a, 3), _operand(torch, b, 1))
        except RuntimeError as e:  # e.g. `-` with a bool operand: the same error
            with pytest.raises(RuntimeError, match=str(e)[:34].replace("(", r"\(")):
                fn(_operand(an, a, 3), _operand(an, b, 1))
            continue
        ours = fn(_operand(an, a, 3), _operand(an, b, 1))
        assert _name(ours.dtype) == _name(theirs.dtype), (name, a, b)
        np.testing.assert_allclose(ours.numpy().astype(np.float64),
                                   theirs.numpy().astype(np.float64), rtol=1e-3,
                                   err_msg=f"{name} {a} {b}")


def test_bool_subtraction_raises_like_torch():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with"):
        an.tensor([True]) - an.tensor([1.5])


@pytest.mark.parametrize("name", ["pow", "floordiv", "mod"])
def test_bool_pow_floordiv_mod_raise_like_torch(name):
    """torch has no bool kernels for **, // and %: NotImplementedError, here too."""
    with pytest.raises(NotImplementedError):
        BINARY[name](torch.tensor([True, False]), torch.tensor([True, True]))
    with pytest.raises(NotImplementedError):
        BINARY[name](an.tensor([True, False]), an.tensor([True, True]))
