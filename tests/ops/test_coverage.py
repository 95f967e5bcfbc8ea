"""Issue 2's test bar, op by op: every op the issue lists maps to cases of ``_op_cases.CASES``,
and each case runs through ``test_gradcheck`` (float64 central differences over hypothesis-drawn
shapes), ``test_gradgradcheck`` (second order, where not identically zero; otherwise
``test_gradgradcheck_linear_ops`` checks the backward's dependence on the incoming gradient) and
``test_matches_torch`` / ``test_matches_torch_drawn`` (forward and backward against PyTorch).
This file checks that the mapping is complete; ``python tests/ops/test_coverage.py`` prints it as
a table. Non-differentiable ops, in-place ops and error messages are listed with the tests that
cover them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: _op_cases
from _op_cases import BY_NAME  # noqa: E402

# op named in the issue -> the cases that exercise it
ISSUE_OPS: dict = {
    "+": ["add"], "-": ["sub", "rsub_scalar"], "*": ["mul"], "/": ["div", "rdiv_scalar"],
    "**": ["pow", "pow_scalar", "pow_frac", "rpow"], "@ (1-D, 2-D, batched, 1-D@N-D, N-D@1-D)":
        ["matmul"],
    "neg": ["neg"], "exp": ["exp"], "log": ["log"], "log1p": ["log1p"], "sqrt": ["sqrt"],
    "rsqrt": ["rsqrt"], "abs": ["abs"],
    "clamp": ["clamp", "clamp_min", "clamp_drawn", "clamp_tensor_bounds"],
    "maximum": ["maximum"], "minimum": ["minimum"],
    "where": ["where", "where_bcast3", "where_scalar"], "sin": ["sin"], "cos": ["cos"],
    "tanh": ["tanh"], "sigmoid": ["sigmoid"], "relu": ["relu"],
    "leaky_relu": ["leaky_relu", "leaky_relu_drawn"], "elu": ["elu", "elu_drawn"],
    "gelu (none, tanh)": ["gelu", "gelu_tanh", "gelu_drawn"], "silu": ["silu"],
    "softplus (beta, threshold)": ["softplus", "softplus_beta", "softplus_drawn"],
    "sum": ["sum"], "mean": ["mean"],
    "var (correction, unbiased, dim, keepdim)": ["var", "var_unbiased", "var_correction",
                                                 "var_unbiased_flag"],
    "std (correction, unbiased, dim, keepdim)": ["std", "std_biased", "std_correction",
                                                 "std_unbiased_flag"],
    "max (whole, dim -> values)": ["max_all", "max_dim"],
    "min (whole, dim -> values)": ["min_all", "min_dim"],
    "amax": ["amax"], "amin": ["amin"], "logsumexp": ["logsumexp"],
    "prod (zeros included)": ["prod", "prod_zeros"],
    "norm (p = 1, 2, 3, inf, -inf, fro, 0.5/1.5/4, dim)": ["norm1", "norm2", "norm3",
                                                           "norm_inf", "norm_neg_inf",
                                                           "norm_fro", "norm_p_drawn"],
    "reshape": ["reshape", "h_reshape"], "view": ["view", "h_view"],
    "flatten": ["flatten", "h_flatten"],
    "squeeze": ["squeeze", "squeeze_all", "h_squeeze", "h_squeeze_dims"],
    "unsqueeze": ["unsqueeze", "h_unsqueeze"], "transpose": ["transpose", "T", "h_transpose"],
    "permute": ["permute", "h_permute"], "expand": ["expand", "h_expand"],
    "repeat": ["repeat", "h_repeat"], "cat": ["cat", "cat_neg", "h_cat"],
    "stack": ["stack", "h_stack"], "split": ["split", "split_sizes", "h_split"],
    "chunk": ["chunk", "h_chunk"],
    "indexing: ints, slices, None, Ellipsis": ["index_int", "index_slices",
                                               "index_none_ellipsis", "index_neg_step",
                                               "h_basic_index"],
    "indexing: boolean masks": ["index_bool", "index_bool_row", "index_bool_drawn",
                                "h_advanced_index"],
    "indexing: integer arrays (repeats accumulate)": ["index_int_array_repeats",
                                                      "index_list_pair", "index_mixed",
                                                      "h_advanced_index", "index_two_arrays"],
    "gather": ["gather", "h_gather"], "index_select": ["index_select", "h_index_select"],
    "masked_fill": ["masked_fill", "masked_fill_drawn", "masked_fill_tensor_value"],
    "pad (constant, reflect, replicate, circular)": ["pad", "pad_value_2d", "pad_negative",
                                                     "pad_reflect", "h_pad", "pad_mode_drawn"],
    "softmax": ["softmax", "softmax_mse"], "log_softmax": ["log_softmax"],
}

EDGE, GRADCHECK = "ops/test_stability_and_edge_cases.py", "ops/test_every_op_gradcheck.py"
VS_TORCH, INPLACE = "ops/test_every_op_vs_torch.py", "tensor/test_inplace_and_views.py"

# what covers the rest of the bar (file::test)
OTHER = {
    "softmax / log_softmax / logsumexp at logits of 1e4 and -inf (vs torch, f32 and f64)":
        EDGE + "::test_large_logits_match_torch, test_masked_minus_inf_logits_"
        "match_torch, ops/test_every_op_gradcheck.py::test_softmax_stable_at_large_logits",
    "third derivatives (create_graph twice), 27 ops":
        EDGE + "::test_third_derivative (gradgradcheck of the gradient + torch)",
    "prod with zeros: value, gradient, Hessian-vector product":
        EDGE + "::test_prod_with_zeros_matches_torch_to_second_order, "
        + GRADCHECK + "::test_prod_with_zeros (hand-derived)",
    "comparisons (tensor and scalar operands, broadcasting)":
        EDGE + "::test_comparisons_drawn_match_torch",
    "argmax, argmin, max/min(dim) indices (ties: first)":
        EDGE + "::test_arg_reductions_drawn_match_torch, "
        + VS_TORCH + "::test_max_min_dim_indices_match_torch",
    "sign (zeros; zero gradient)": EDGE + "::test_sign_drawn_matches_torch",
    "one_hot": EDGE + "::test_one_hot_drawn_matches_torch",
    "ties and kinks (abs/relu/clamp at 0, max ties share the gradient)":
        VS_TORCH + "::test_ties_share_gradient_like_torch, test_kinks_match_torch",
    "in-place add_ mul_ sub_ zero_ fill_ copy_ clamp_ __setitem__ (values + gradients)":
        INPLACE + "::test_inplace_on_non_leaf_matches_torch, "
        "test_inplace_on_view_matches_torch, "
        + EDGE + "::test_inplace_broadcast_drawn_matches_torch",
    "random programs of ops, views and in-place ops vs torch (loss, gradient, error verdict)":
        "ops/test_random_inplace_programs.py::test_random_inplace_programs_match_torch",
    "version counter: modifying a saved tensor raises at backward":
        INPLACE + "::test_modifying_saved_tensor_raises_at_backward (+4 more)",
    "in-place on a leaf requiring grad raises outside no_grad":
        INPLACE + "::test_inplace_on_leaf_requiring_grad_raises",
    "torch.* / F.* function spellings of the ops (61 forms, keyword arguments)":
        EDGE + "::test_function_forms_match_torch",
    "indexing: drawn mixes of ints, slices, None, Ellipsis, int arrays (0-d to 2-D), bool masks;"
    " getitem, gradient and setitem": EDGE + "::test_mixed_indexing_drawn_matches_torch",
    "dtype promotion: 9 dtypes x (9 dtypes + Python int/float/bool) x 10 binary ops":
        "ops/test_dtype_promotion.py::test_binary_promotion_table_matches_torch",
    "autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp; strict mode errors)":
        "autograd/test_functional.py",
    "backward of a non-scalar without gradient; second backward through a freed graph":
        "autograd/test_engine.py::test_backward_nonscalar_without_gradient_raises, "
        "test_second_backward_through_freed_graph_raises",
    "gradcheck failure message (input/output index, worst element)":
        "autograd/test_gradcheck.py::test_wrong_backward_fails_naming_input_output_and_element",
    "error messages (broadcast, matmul, cat/stack, dims, indexing, pad, dtype ...)":
        "tensor/test_error_messages.py::test_error_message (70 cases)",
}


def _row(op: str, names: list) -> tuple:
    cases = [BY_NAME[n] for n in names]
    drawn = [c.name for c in cases if c.drawn]
    second = [c.name for c in cases if c.second]
    return (op, "yes" if drawn else "fixed shapes only",
            "yes" if second else "identically 0 (grad-output part checked)", "yes")


@pytest.mark.parametrize("op", sorted(ISSUE_OPS))
def test_issue_op_is_covered(op):
    names = ISSUE_OPS[op]
    missing = [n for n in names if n not in BY_NAME]
    assert not missing, f"{op}: no such case(s) {missing}"
    # at least one case over hypothesis-drawn shapes/arguments
    assert any(BY_NAME[n].drawn for n in names), f"{op}: only fixed shapes"


def test_nonlinear_ops_have_second_order():
    linear = {"+", "-", "neg", "abs", "clamp", "maximum", "minimum", "where", "relu",
              "leaky_relu", "sum", "mean", "max (whole, dim -> values)",
              "min (whole, dim -> values)", "amax", "amin"}
    for op, names in ISSUE_OPS.items():
        shape_op = all(n in BY_NAME and not BY_NAME[n].second for n in names)
        if op in linear or shape_op:
            continue
        assert any(BY_NAME[n].second for n in names), f"{op}: no second-order check"


def table() -> str:
    lines = ["| op | gradcheck f64, drawn shapes | gradgradcheck | vs torch (fwd+bwd) |",
             "|---|---|---|---|"]
    lines += ["| " + " | ".join(_row(op, names)) + " |" for op, names in ISSUE_OPS.items()]
    lines += ["", "| also | tests |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in OTHER.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
