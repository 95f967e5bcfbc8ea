"""The op table: every op once, with its public function, its Tensor method names, whether it
is exported as ``autograd_nn.<name>``, and the cases of ``tests/_op_cases.py`` that check it.

``Tensor``'s named methods, the ``autograd_nn.*`` functions and the op-coverage test are all
generated from :data:`OPS` (as PyTorch's ``derivatives.yaml`` or HIPS autograd's ``defvjp``
list). Adding an op is one class and one row::

    # _ops/elementwise.py                           # _ops/table.py
    class Cube(Op):                                 Row("cube", E.cube, E.Cube,
        @staticmethod                                   cases=("cube",)),
        def forward(ctx, x):
            return x ** 3
        @staticmethod
        def backward(ctx, g):
            return g * 3 * ctx.inputs[0] ** 2

    def cube(input):                                # the public function, right under it
        return Cube.apply(input)

A row's function takes the tensor first, so it *is* the method (``x.cube()`` calls
``cube(x)``); the exported ``autograd_nn.cube`` also accepts array-likes. Rows whose function
does not take a tensor first (``cat``, ``einsum``) set ``method=False``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from .. import random
from ..autograd import inplace
from ..autograd.grad_mode import no_grad
from . import attention as AT
from . import conv as CV
from . import elementwise as E
from . import embedding as EM
from . import extra as X
from . import indexing as I
from . import linalg as LA
from . import linear as LI
from . import loss as LO
from . import norm as NO
from . import pointwise as P
from . import pool as PO
from . import reduction as R
from . import rnn as RN
from . import scan as C
from . import shape as S
from . import special as SP
from .common import is_tensor, to_tensor


@dataclass(frozen=True)
class Row:
    """One op: ``name`` (the torch name), its public ``function``, the ``Op`` class it applies
    (None for non-differentiable ops and compositions of other rows), alternative names
    (``aliases``, e.g. ``clip`` for ``clamp``), ``method``: a Tensor method too (True, or the
    function to install as the method when it differs), ``export``: an ``autograd_nn.*``
    function too, ``cases``: its rows in ``tests/_op_cases.py``, ``inplace``: the in-place
    method ``<name>_`` (and ``<alias>_``): True to apply ``op`` in place to the tensor
    (``autograd.inplace.apply``), or a function of its own; ``export_inplace``: also export
    the in-place form as ``autograd_nn.<name>_`` (``torch.exp_(x)``): True for every name of
    the row, or a tuple of those names that PyTorch exports."""

    name: str
    function: Callable | None
    op: type | None = None
    aliases: tuple = ()
    method: Any = True
    export: bool = True
    cases: tuple = ()
    inplace: Any = None
    export_inplace: Any = False

    @property
    def names(self) -> tuple:
        return (self.name,) + self.aliases


def _method_call(name: str) -> Callable:
    """The function form of a Tensor method that lives in the Tensor class (detach, numel...)."""
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Function form of ``Tensor.{name}``."
    return fn


def _late(module: str, name: str) -> Callable:
    """``autograd_nn.<module>.<name>``, looked up at its first call: the torch-level functions
    of linalg, _search and _creation build on ``tensor.py``, which installs this table while
    it loads (importing them here would be a cycle)."""
    def fn(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(f"autograd_nn.{module}"), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``autograd_nn.{name}`` (see its documentation)."
    return fn


OPS: tuple = (
    # --- arithmetic (the operators +, -, *, /, ** are Tensor's; these are the named forms)
    Row("add", E.add, E.Add, cases=("add",), inplace=E.add_),
    Row("sub", E.sub, E.Sub, aliases=("subtract",), cases=("sub", "rsub_scalar"),
        inplace=E.sub_),
    Row("mul", E.mul, E.Mul, aliases=("multiply",), cases=("mul",), inplace=True),
    Row("div", E.div, E.Div, aliases=("divide", "true_divide"), cases=("div", "rdiv_scalar"),
        inplace=P.div_),
    Row("pow", E.pow, E.Pow, cases=("pow", "pow_scalar", "pow_frac", "rpow"), inplace=True),
    Row("neg", E.neg, E.Neg, aliases=("negative",), cases=("neg",), inplace=True,
        export_inplace=True),
    Row("maximum", E.maximum, E.Maximum, cases=("maximum",)),
    Row("minimum", E.minimum, E.Minimum, cases=("minimum",)),
    Row("square", E.square, inplace=P.inplace_from(E.square, "square"),
        export_inplace=True),
    Row("reciprocal", E.reciprocal, inplace=P.inplace_from(E.reciprocal, "reciprocal"),
        export_inplace=True),
    Row("lerp", E.lerp, inplace=E.lerp_),
    # --- elementwise maths and activations
    Row("exp", E.exp, E.Exp, cases=("exp",), inplace=True, export_inplace=True),
    Row("log", E.log, E.Log, cases=("log",), inplace=True, export_inplace=True),
    Row("log1p", E.log1p, E.Log1p, cases=("log1p",), inplace=True, export_inplace=True),
    Row("sqrt", E.sqrt, E.Sqrt, cases=("sqrt",), inplace=True, export_inplace=True),
    Row("rsqrt", E.rsqrt, E.Rsqrt, cases=("rsqrt",), inplace=True, export_inplace=True),
    Row("abs", E.abs, E.Abs, aliases=("absolute",), cases=("abs",), inplace=True,
        export_inplace=("abs",)),
    Row("sign", E.sign, E.Sign, inplace=P.inplace_from(P.sgn, "sign")),
    Row("sin", E.sin, E.Sin, cases=("sin",), inplace=True, export_inplace=True),
    Row("tan", E.tan, E.Tan, cases=("tan",), inplace=True,
        export_inplace=True),
    Row("asin", E.asin, E.Asin, aliases=("arcsin",), cases=("asin",), inplace=True,
        export_inplace=True),
    Row("acos", E.acos, E.Acos, aliases=("arccos",), cases=("acos",), inplace=True,
        export_inplace=True),
    Row("atan", E.atan, E.Atan, aliases=("arctan",), cases=("atan",), inplace=True,
        export_inplace=True),
    Row("sinh", E.sinh, E.Sinh, cases=("sinh",), inplace=True,
        export_inplace=True),
    Row("cosh", E.cosh, E.Cosh, cases=("cosh",), inplace=True,
        export_inplace=True),
    Row("asinh", E.asinh, E.Asinh, aliases=("arcsinh",), cases=("asinh",), inplace=True,
        export_inplace=True),
    Row("acosh", E.acosh, E.Acosh, aliases=("arccosh",), cases=("acosh",), inplace=True,
        export_inplace=True),
    Row("atanh", E.atanh, E.Atanh, aliases=("arctanh",), cases=("atanh",), inplace=True,
        export_inplace=True),
    Row("log2", E.log2, E.Log2, cases=("log2",), inplace=True,
        export_inplace=True),
    Row("log10", E.log10, E.Log10, cases=("log10",), inplace=True,
        export_inplace=True),
    Row("expm1", E.expm1, E.Expm1, cases=("expm1",), inplace=True,
        export_inplace=True),
    Row("exp2", E.exp2, E.Exp2, cases=("exp2",), inplace=True,
        export_inplace=True),
    Row("cos", E.cos, E.Cos, cases=("cos",), inplace=True, export_inplace=True),
    Row("clamp", E.clamp, E.Clamp, aliases=("clip",),
        cases=("clamp", "clamp_min", "clamp_drawn", "clamp_tensor_bounds"), inplace=E.clamp_,
        export_inplace=True),
    Row("clamp_min", E.clamp_min, E.Clamp, inplace=P.clamp_min_, export_inplace=True),
    Row("clamp_max", E.clamp_max, E.Clamp, inplace=P.clamp_max_, export_inplace=True),
    Row("tanh", E.tanh, E.Tanh, cases=("tanh",), inplace=True, export_inplace=True),
    Row("sigmoid", E.sigmoid, E.Sigmoid, cases=("sigmoid",), inplace=True,
        export_inplace=True),
    Row("relu", E.relu, E.Relu, cases=("relu",), inplace=True, export_inplace=True),
    Row("leaky_relu", E.leaky_relu, E.LeakyRelu, export=False,
        cases=("leaky_relu", "leaky_relu_drawn")),
    Row("elu", E.elu, E.Elu, export=False, cases=("elu", "elu_drawn")),
    Row("gelu", E.gelu, E.Gelu, export=False, cases=("gelu", "gelu_tanh", "gelu_drawn")),
    Row("softplus", E.softplus, E.Softplus, export=False,
        cases=("softplus", "softplus_beta", "softplus_drawn")),
    Row("silu", E.silu, E.Silu, export=False, cases=("silu",)),
    Row("where", E.where, E.Where, method=E.where_method,
        cases=("where", "where_bcast3", "where_scalar")),
    Row("masked_fill", E.masked_fill, E.Where,
        cases=("masked_fill", "masked_fill_drawn", "masked_fill_tensor_value"),
        inplace=E.masked_fill_),
    Row("tril", E.tril, E.Where),
    Row("triu", E.triu, E.Where),
    Row("clone", E.clone, E.Clone),
    Row("contiguous", E.contiguous, E.Clone, export=False),
    # --- comparisons and tests (never differentiable)
    Row("eq", E.eq, inplace=P.inplace_from(E.eq, "eq")),
    Row("ne", E.ne, aliases=("not_equal",), inplace=P.inplace_from(E.ne, "ne")),
    Row("lt", E.lt, aliases=("less",), inplace=P.inplace_from(E.lt, "lt")),
    Row("le", E.le, aliases=("less_equal",), inplace=P.inplace_from(E.le, "le")),
    Row("gt", E.gt, aliases=("greater",), inplace=P.inplace_from(E.gt, "gt")),
    Row("ge", E.ge, aliases=("greater_equal",), inplace=P.inplace_from(E.ge, "ge")),
    Row("logical_and", E.logical_and, inplace=P.inplace_from(E.logical_and, "logical_and")),
    Row("logical_or", E.logical_or, inplace=P.inplace_from(E.logical_or, "logical_or")),
    Row("logical_not", E.logical_not, inplace=P.inplace_from(E.logical_not, "logical_not")),
    Row("isnan", E.isnan), Row("isinf", E.isinf),
    Row("isfinite", E.isfinite), Row("equal", E.equal), Row("allclose", E.allclose),
    # --- pointwise breadth
    Row("atan2", P.atan2, P.Atan2, aliases=("arctan2",), cases=("atan2",),
        inplace=P.inplace_from(P.atan2, "atan2")),
    Row("hypot", P.hypot, P.Hypot, cases=("hypot",), inplace=P.inplace_from(P.hypot, "hypot")),
    Row("copysign", P.copysign, P.Copysign, cases=("copysign", "copysign_scalar"),
        inplace=P.inplace_from(P.copysign, "copysign")),
    Row("fmod", P.fmod, P.Fmod, cases=("fmod",), inplace=P.inplace_from(P.fmod, "fmod")),
    Row("remainder", P.remainder, P.Remainder, cases=("remainder",),
        inplace=P.inplace_from(P.remainder, "remainder")),
    Row("fmax", P.fmax, P.Fmax, cases=("fmax",)),
    Row("fmin", P.fmin, P.Fmin, cases=("fmin",)),
    Row("logaddexp", P.logaddexp, P.Logaddexp, cases=("logaddexp",)),
    Row("logaddexp2", P.logaddexp2, P.Logaddexp, cases=("logaddexp2",)),
    Row("float_power", P.float_power, E.Pow, cases=("float_power",), inplace=P.float_power_),
    Row("ldexp", P.ldexp, E.Exp2, cases=("ldexp",), inplace=P.inplace_from(P.ldexp, "ldexp"),
        export_inplace=True),
    Row("deg2rad", P.deg2rad, E.Mul, inplace=P.inplace_from(P.deg2rad, "deg2rad"),
        export_inplace=True),
    Row("rad2deg", P.rad2deg, E.Mul, inplace=P.inplace_from(P.rad2deg, "rad2deg"),
        export_inplace=True),
    Row("nan_to_num", P.nan_to_num, P.NanToNum, cases=("nan_to_num",),
        inplace=P.inplace_from(P.nan_to_num, "nan_to_num"), export_inplace=True),
    Row("frexp", P.frexp, P.Frexp, cases=("frexp",)),
    Row("angle", P.angle, P.Angle),
    Row("sgn", P.sgn, E.Sign, inplace=P.inplace_from(P.sgn, "sgn")),
    Row("positive", P.positive), Row("real", P.real, method=False),
    Row("resolve_neg", P.resolve_neg),
    Row("floor_divide", P.floor_divide, P.NoDerivative,
        inplace=P.inplace_from(P.floor_divide, "floor_divide")),
    Row("heaviside", P.heaviside, P.NoDerivative,
        inplace=P.inplace_from(P.heaviside, "heaviside")),
    Row("nextafter", P.nextafter, P.Nextafter, cases=("nextafter",),
        inplace=P.inplace_from(P.nextafter, "nextafter")),
    Row("bitwise_and", P.bitwise_and, inplace=P.inplace_from(P.bitwise_and, "bitwise_and")),
    Row("bitwise_or", P.bitwise_or, inplace=P.inplace_from(P.bitwise_or, "bitwise_or")),
    Row("bitwise_xor", P.bitwise_xor, inplace=P.inplace_from(P.bitwise_xor, "bitwise_xor")),
    Row("bitwise_not", P.bitwise_not, inplace=P.inplace_from(P.bitwise_not, "bitwise_not")),
    Row("bitwise_left_shift", P.bitwise_left_shift,
        inplace=P.inplace_from(P.bitwise_left_shift, "bitwise_left_shift")),
    Row("bitwise_right_shift", P.bitwise_right_shift,
        inplace=P.inplace_from(P.bitwise_right_shift, "bitwise_right_shift")),
    Row("gcd", P.gcd, inplace=P.inplace_from(P.gcd, "gcd"), export_inplace=True),
    Row("lcm", P.lcm, inplace=P.inplace_from(P.lcm, "lcm"), export_inplace=True),
    Row("logical_xor", P.logical_xor, inplace=P.inplace_from(P.logical_xor, "logical_xor")),
    Row("isclose", P.isclose), Row("isin", P.isin, method=False),
    Row("isneginf", P.isneginf), Row("isposinf", P.isposinf), Row("isreal", P.isreal),
    Row("signbit", P.signbit),
    Row("is_complex", P.is_complex), Row("is_neg", P.is_neg), Row("is_nonzero", P.is_nonzero),
    Row("is_same_size", P.is_same_size), Row("is_signed", P.is_signed),
    Row("addcmul", P.addcmul, E.Mul, inplace=E.addcmul_),
    Row("addcdiv", P.addcdiv, E.Div, inplace=E.addcdiv_),
    # --- reductions
    Row("sum", R.sum, R.Sum, cases=("sum",)),
    Row("mean", R.mean, R.Mean, cases=("mean",)),
    Row("var", R.var, R.Var, cases=("var", "var_unbiased", "var_correction",
                                     "var_unbiased_flag")),
    Row("std", R.std, R.Std, cases=("std", "std_biased", "std_correction", "std_unbiased_flag")),
    Row("amax", R.amax, R.Amax, cases=("amax",)),
    Row("amin", R.amin, R.Amin, cases=("amin",)),
    Row("max", R.max, R.Amax, cases=("max_all", "max_dim")),
    Row("min", R.min, R.Amin, cases=("min_all", "min_dim")),
    Row("argmax", R.argmax), Row("argmin", R.argmin), Row("any", R.any), Row("all", R.all),
    Row("logsumexp", R.logsumexp, R.Logsumexp, cases=("logsumexp",)),
    Row("prod", R.prod, R.Prod, cases=("prod", "prod_zeros")),
    Row("norm", R.norm, R.Norm, cases=("norm1", "norm2", "norm3", "norm_inf", "norm_neg_inf",
                                       "norm_fro", "norm_p_drawn")),
    Row("softmax", R.softmax, R.Softmax, cases=("softmax", "softmax_mse")),
    Row("log_softmax", R.log_softmax, R.LogSoftmax, cases=("log_softmax",)),
    Row("cumsum", C.cumsum, C.Cumsum),
    Row("cumprod", X.cumprod, X.Cumprod),
    # --- shape
    Row("reshape", S.reshape, S.Reshape, cases=("reshape", "h_reshape")),
    Row("view", S.view, S.Reshape, export=False, cases=("view", "h_view")),
    Row("reshape_as", S.reshape_as, S.Reshape, aliases=("view_as",), export=False),
    Row("flatten", S.flatten, S.Reshape, cases=("flatten", "h_flatten")),
    Row("unflatten", S.unflatten, S.Reshape),
    Row("squeeze", S.squeeze, S.Reshape,
        cases=("squeeze", "squeeze_all", "h_squeeze", "h_squeeze_dims")),
    Row("unsqueeze", S.unsqueeze, S.Reshape, cases=("unsqueeze", "h_unsqueeze")),
    Row("transpose", S.transpose, S.Transpose, aliases=("swapaxes", "swapdims"),
        cases=("transpose", "T", "h_transpose")),
    Row("t", S.t, S.Transpose),
    Row("permute", S.permute, S.Permute, cases=("permute", "h_permute")),
    Row("expand", S.expand, S.ExpandTo, export=False, cases=("expand", "h_expand")),
    Row("expand_as", S.expand_as, S.ExpandTo, export=False),
    Row("broadcast_to", S.broadcast_to, S.ExpandTo),
    Row("broadcast_tensors", S.broadcast_tensors, S.ExpandTo, method=False),
    Row("broadcast_shapes", S.broadcast_shapes, method=False),
    Row("repeat", S.repeat, S.Repeat, cases=("repeat", "h_repeat")),
    Row("flip", S.flip, S.Flip),
    Row("cat", S.cat, S.Cat, aliases=("concat", "concatenate"), method=False,
        cases=("cat", "cat_neg", "h_cat")),
    Row("stack", S.stack, S.Stack, method=False, cases=("stack", "h_stack")),
    Row("split", S.split, S.ViewGetItem, cases=("split", "split_sizes", "h_split")),
    Row("chunk", S.chunk, S.ViewGetItem, cases=("chunk", "h_chunk")),
    Row("unbind", S.unbind, S.ViewGetItem),
    Row("narrow", S.narrow, S.ViewGetItem), Row("select", S.select, S.ViewGetItem),
    Row("pad", S.pad, S.Pad, method=False,
        cases=("pad", "pad_value_2d", "pad_negative", "pad_reflect", "h_pad", "pad_mode_drawn")),
    # --- indexing, gather/scatter, sorting
    Row("gather", I.gather, I.Gather, cases=("gather", "h_gather")),
    Row("scatter_add", I.scatter_add, I.ScatterAdd),
    Row("index_select", I.index_select, I.GetItem, cases=("index_select", "h_index_select")),
    Row("take_along_dim", I.take_along_dim, I.Gather),
    Row("one_hot", I.one_hot, method=False),
    Row("sort", I.sort, I.Gather), Row("argsort", I.argsort), Row("topk", I.topk, I.Gather),
    # --- shape and indexing breadth
    Row("diagonal", S.diagonal, S.Diagonal, cases=("diagonal", "h_diagonal")),
    Row("diag_embed", S.diag_embed, S.DiagonalInto, cases=("diag_embed", "h_diag_embed")),
    Row("diag", S.diag, S.DiagonalInto), Row("diagflat", S.diagflat, S.DiagonalInto),
    Row("diagonal_scatter", I.diagonal_scatter), Row("select_scatter", I.select_scatter),
    Row("slice_scatter", I.slice_scatter),
    Row("tensor_split", S.tensor_split), Row("hsplit", S.hsplit), Row("vsplit", S.vsplit),
    Row("dsplit", S.dsplit), Row("split_with_sizes", S.split_with_sizes),
    Row("unsafe_chunk", S.chunk), Row("unsafe_split", S.unsafe_split),
    Row("unsafe_split_with_sizes", S.split_with_sizes),
    Row("hstack", S.hstack, method=False),
    Row("vstack", S.vstack, aliases=("row_stack",), method=False),
    Row("dstack", S.dstack, method=False), Row("column_stack", S.column_stack, method=False),
    Row("fliplr", S.fliplr), Row("flipud", S.flipud), Row("rot90", S.rot90),
    Row("roll", S.roll), Row("movedim", S.movedim, aliases=("moveaxis",)),
    Row("ravel", S.ravel), Row("tile", S.tile),
    Row("unfold", S.unfold, S.Unfold, export=False, cases=("unfold", "h_unfold")),
    Row("unfold_into", None, S.UnfoldInto, method=False, export=False),
    Row("narrow_copy", S.narrow_copy), Row("sum_to_size", S.sum_to_size, export=False),
    Row("take", I.take), Row("put", I.put, inplace=I.put_),
    Row("index_add", I.index_add, inplace=I.index_add_),
    Row("index_copy", I.index_copy, inplace=I.index_copy_),
    Row("index_fill", I.index_fill, inplace=I.index_fill_),
    Row("index_put", I.index_put), Row("index_put_", I.index_put_),
    Row("index_reduce", I.index_reduce, inplace=I.index_reduce_),
    Row("masked_scatter", I.masked_scatter, inplace=I.masked_scatter_),
    Row("masked_select", I.masked_select),
    Row("nonzero", I.nonzero), Row("nonzero_static", I.nonzero_static),
    Row("argwhere", I.argwhere),
    Row("scatter", I.scatter, inplace=I.scatter_),
    Row("scatter_add_", I.scatter_add_, export=False),
    Row("scatter_reduce", I.scatter_reduce, I.ScatterReduce, inplace=I.scatter_reduce_,
        cases=("scatter_reduce_sum", "scatter_reduce_prod", "scatter_reduce_mean",
               "scatter_reduce_amax", "h_scatter_reduce")),
    Row("repeat_interleave", I.repeat_interleave, method=I.repeat_interleave_method),
    Row("combinations", I.combinations, method=False),
    Row("fill", I.fill, method=False), Row("detach_", S.detach_, method=False),
    Row("unsqueeze_", S.unsqueeze_, export=False), Row("squeeze_", S.squeeze_, export=False),
    Row("transpose_", S.transpose_, aliases=("swapaxes_", "swapdims_"), export=False),
    Row("t_", S.t_, export=False),
    Row("tril_", I.tril_, export=False), Row("triu_", I.triu_, export=False),
    Row("resize_", S.resize_, export=False), Row("resize_as_", S.resize_as_),
    Row("resize", S.resize, export=False), Row("resize_as", S.resize_as, export=False),
    Row("fill_diagonal_", I.fill_diagonal_, export=False),
    Row("type_as", S.type_as, export=False), Row("new", S.new, export=False),
    Row("byte", S.byte, export=False), Row("char", S.char, export=False),
    Row("short", S.short, export=False), Row("bfloat16", S.bfloat16, export=False),
    Row("ndimension", S.ndimension, export=False),
    # --- products
    Row("matmul", I.matmul, I.MatMul, cases=("matmul",)),
    Row("mm", I.mm, I.MatMul), Row("bmm", I.bmm, I.MatMul), Row("dot", I.dot, I.MatMul),
    Row("outer", I.outer, E.Mul),
    Row("einsum", X.einsum, X.Einsum, method=False),
    # --- reductions and products breadth
    # (compositions of the rows above, so no Op of their own, but logcumsumexp)
    Row("aminmax", R.aminmax), Row("count_nonzero", R.count_nonzero),
    Row("nansum", R.nansum), Row("nanmean", R.nanmean),
    Row("std_mean", R.std_mean, method=False),
    Row("var_mean", R.var_mean, method=False),
    Row("trace", R.trace), Row("dist", R.dist),
    Row("renorm", R.renorm, inplace=R.renorm_),
    Row("median", R.median, cases=("median_dim",)), Row("nanmedian", R.nanmedian),
    Row("kthvalue", R.kthvalue), Row("mode", R.mode),
    Row("msort", R.msort), Row("quantile", R.quantile, cases=("quantile_dim",)),
    Row("nanquantile", R.nanquantile),
    Row("cov", R.cov), Row("corrcoef", R.corrcoef),
    Row("cumsum_", C.cumsum_, export=False),
    Row("cumprod_", X.cumprod_, export=False),
    Row("cummax", C.cummax, cases=("cummax_values",)), Row("cummin", C.cummin),
    Row("logcumsumexp", C.logcumsumexp, C.Logcumsumexp, cases=("logcumsumexp",)),
    Row("diff", C.diff), Row("gradient", C.gradient, method=False),
    Row("trapezoid", C.trapezoid, method=False),
    Row("trapz", C.trapz, method=False),
    Row("cumulative_trapezoid", C.cumulative_trapezoid, method=False),
    Row("addmm", LA.addmm, inplace=LA.addmm_),
    Row("addmv", LA.addmv, inplace=LA.addmv_),
    Row("addr", LA.addr, inplace=LA.addr_),
    Row("baddbmm", LA.baddbmm, inplace=LA.baddbmm_),
    Row("addbmm", LA.addbmm, inplace=LA.addbmm_),
    Row("ger", LA.ger), Row("inner", LA.inner), Row("mv", LA.mv),
    Row("vdot", LA.vdot), Row("kron", LA.kron),
    Row("adjoint", LA.adjoint),
    # Tensor methods of the torch-level functions of _linalg_top, _search and _creation
    # (already exported by autograd_nn/__init__.py)
    *[Row(n, _late("_linalg_top", n), export=False) for n in (
        "cross", "cholesky_inverse", "inverse", "logdet", "slogdet", "lu_solve", "matrix_exp",
        "matrix_power", "pinverse", "triangular_solve", "geqrf", "orgqr", "ormqr")],
    *[Row(n, _late("_search", n), export=False) for n in (
        "histc", "histogram", "bincount", "unique", "unique_consecutive")],
    Row("bernoulli", _late("_creation", "bernoulli"), export=False),
    Row("multinomial", _late("_creation", "multinomial"), export=False),
    Row("cauchy_", random.cauchy_, export=False),
    Row("exponential_", random.exponential_, export=False),
    Row("geometric_", random.geometric_, export=False),
    Row("log_normal_", random.log_normal_, export=False),
    # --- rounding
    Row("floor", X.floor, X.Rounding, inplace=X.floor_, export_inplace=True),
    Row("ceil", X.ceil, X.Rounding, inplace=X.ceil_, export_inplace=True),
    Row("round", X.round, X.Rounding, inplace=X.round_, export_inplace=True),
    Row("trunc", X.trunc, X.Rounding, aliases=("fix",), inplace=X.trunc_,
        export_inplace=True),
    Row("frac", X.frac, X.Frac, inplace=X.frac_, export_inplace=True),
    # --- special functions (torch-level names, then torch.special-only ones)
    Row("erf", SP.erf, E.Erf, cases=("erf",), inplace=True, export_inplace=True),
    Row("erfc", SP.erfc, SP.Erfc, cases=("erfc",), inplace=True, export_inplace=True),
    Row("erfinv", SP.erfinv, SP.Erfinv, cases=("erfinv",), inplace=True),
    Row("lgamma", SP.lgamma, SP.Lgamma, cases=("lgamma",), inplace=True),
    Row("digamma", SP.digamma, SP.Digamma, cases=("digamma",), inplace=True),
    Row("polygamma", SP.polygamma, SP.Polygamma, method=SP.polygamma_method,
        cases=("polygamma",), inplace=SP.polygamma_),
    Row("mvlgamma", SP.mvlgamma, cases=("mvlgamma",), inplace=SP.mvlgamma_),
    Row("i0", SP.i0, SP.I0, cases=("i0",), inplace=True, export_inplace=True),
    Row("igamma", SP.igamma, SP.Igamma, cases=("igamma",), inplace=SP.igamma_),
    Row("igammac", SP.igammac, SP.Igamma, cases=("igammac",), inplace=SP.igammac_),
    Row("logit", SP.logit, SP.Logit, cases=("logit", "logit_eps"), inplace=SP.logit_,
        export_inplace=True),
    Row("xlogy", SP.xlogy, SP.Xlogy, cases=("xlogy",), inplace=SP.xlogy_,
        export_inplace=True),
    Row("sinc", SP.sinc, SP.Sinc, cases=("sinc",), inplace=True, export_inplace=True),
    Row("erfcx", SP.erfcx, SP.Erfcx, method=False, export=False, cases=("erfcx",)),
    Row("log_ndtr", SP.log_ndtr, SP.LogNdtr, method=False, export=False, cases=("log_ndtr",)),
    Row("ndtri", SP.ndtri, SP.Ndtri, method=False, export=False, cases=("ndtri",)),
    Row("ndtr", SP.ndtr, method=False, export=False),
    Row("i0e", SP.i0e, SP.I0e, method=False, export=False, cases=("i0e",)),
    Row("i1", SP.i1, SP.I1, method=False, export=False, cases=("i1",)),
    Row("i1e", SP.i1e, SP.I1e, method=False, export=False, cases=("i1e",)),
    Row("zeta", SP.zeta, SP.Zeta, method=False, export=False, cases=("zeta",)),
    Row("xlog1py", SP.xlog1py, SP.Xlogy, method=False, export=False, cases=("xlog1py",)),
    Row("entr", SP.entr, SP.Entr, method=False, export=False, cases=("entr",)),
    Row("airy_ai", SP.airy_ai, method=False, export=False),
    Row("bessel_j0", SP.bessel_j0, method=False, export=False),
    Row("bessel_j1", SP.bessel_j1, method=False, export=False),
    Row("bessel_y0", SP.bessel_y0, method=False, export=False),
    Row("bessel_y1", SP.bessel_y1, method=False, export=False),
    Row("modified_bessel_i0", SP.modified_bessel_i0, method=False, export=False),
    Row("modified_bessel_i1", SP.modified_bessel_i1, method=False, export=False),
    Row("modified_bessel_k0", SP.modified_bessel_k0, method=False, export=False),
    Row("modified_bessel_k1", SP.modified_bessel_k1, method=False, export=False),
    Row("scaled_modified_bessel_k0", SP.scaled_modified_bessel_k0, method=False, export=False),
    Row("scaled_modified_bessel_k1", SP.scaled_modified_bessel_k1, method=False, export=False),
    Row("spherical_bessel_j0", SP.spherical_bessel_j0, method=False, export=False),
    Row("chebyshev_polynomial_t", SP.chebyshev_polynomial_t, method=False, export=False),
    Row("chebyshev_polynomial_u", SP.chebyshev_polynomial_u, method=False, export=False),
    Row("chebyshev_polynomial_v", SP.chebyshev_polynomial_v, method=False, export=False),
    Row("chebyshev_polynomial_w", SP.chebyshev_polynomial_w, method=False, export=False),
    Row("shifted_chebyshev_polynomial_t", SP.shifted_chebyshev_polynomial_t, method=False,
        export=False),
    Row("shifted_chebyshev_polynomial_u", SP.shifted_chebyshev_polynomial_u, method=False,
        export=False),
    Row("shifted_chebyshev_polynomial_v", SP.shifted_chebyshev_polynomial_v, method=False,
        export=False),
    Row("shifted_chebyshev_polynomial_w", SP.shifted_chebyshev_polynomial_w, method=False,
        export=False),
    Row("hermite_polynomial_h", SP.hermite_polynomial_h, method=False, export=False),
    Row("hermite_polynomial_he", SP.hermite_polynomial_he, method=False, export=False),
    Row("laguerre_polynomial_l", SP.laguerre_polynomial_l, method=False, export=False),
    Row("legendre_polynomial_p", SP.legendre_polynomial_p, method=False, export=False),
    # --- in-place only: writes, fills, random fills
    Row("copy_", inplace.copy_, inplace.CopyFrom, export=False),
    Row("fill_", inplace.fill_, inplace.CopyFrom),
    Row("zero_", inplace.zero_, inplace.CopyFrom),
    Row("uniform_", random.uniform_, export=False),
    Row("normal_", random.normal_, export=False),
    Row("bernoulli_", random.bernoulli_, export=False),
    Row("random_", random.random_, export=False),
    # --- nn ops at the torch level: the ones that are Tensor methods too; the others
    # (torch.conv2d, torch.dropout...) are nn.functional's, exported by autograd_nn/_nn_top.py
    Row("hardshrink", E.hardshrink, E.Where),
    Row("prelu", E.prelu, E.Where),
    Row("ctc_loss", None, LO.CtcLoss, method=False, export=False),  # nn.functional.ctc_loss
    Row("cross_map_lrn2d", None, NO.CrossMapLrn, method=False, export=False),  # nn.CrossMapLRN2d
    # --- function forms of Tensor's own methods, and helpers
    Row("numel", _method_call("numel"), method=False),
    Row("detach", _method_call("detach"), method=False),
    Row("is_floating_point", _method_call("is_floating_point"), method=False),
    Row("is_tensor", is_tensor, method=False),
    # --- ops with no function here: conversions and operators of Tensor, adjoints used only
    # inside backward rules, and the nn ops (their functions are in nn.functional, which
    # builds on this layer)
    Row("to", None, E.Cast, method=False, export=False),
    Row("__setitem__", None, I.IndexPut, method=False, export=False),
    Row("sum_to", None, S.SumTo, method=False, export=False),
    Row("index_add_into", None, S.IndexAddInto, method=False, export=False),
    Row("conv", None, CV.Conv, method=False, export=False),
    Row("conv_transpose", None, CV.ConvTranspose, method=False, export=False),
    Row("conv_weight_grad", None, CV.ConvWeightGrad, method=False, export=False),
    Row("linear", None, LI.Linear, method=False, export=False),
    Row("embedding", None, EM.EmbeddingLookup, method=False, export=False),
    Row("embedding_dense_grad", None, EM.EmbeddingDenseGrad, method=False, export=False),
    Row("cross_entropy", None, LO.CrossEntropy, method=False, export=False),
    Row("nll_loss", None, LO.WeightedNll, method=False, export=False),
    Row("binary_cross_entropy", None, LO.BinaryCrossEntropy, method=False, export=False),
    # --- grad_fn names (issue 12): mse_loss as PyTorch's one node
    Row("mse_loss", None, LO.MseLoss, method=False, export=False, cases=("mse_loss",)),
    Row("normalize", None, NO.Normalize, method=False, export=False),
    Row("pool_gather", None, PO.PoolGather, method=False, export=False),
    Row("pool_scatter", None, PO.PoolScatter, method=False, export=False),
    Row("recurrent_scan", None, RN.RecurrentScan, method=False, export=False),
    # linear algebra (functions in linalg.py / _linalg_top.py) and attention (nn.functional)
    Row("inv", None, LA.Inv, method=False, export=False),
    Row("det", _late("_linalg_top", "det"), LA.Det, export=False),
    Row("logabsdet", None, LA.LogAbsDet, method=False, export=False),
    Row("solve", None, LA.Solve, method=False, export=False),
    Row("solve_triangular", None, LA.SolveTriangular, method=False, export=False),
    Row("cholesky_solve", _late("_linalg_top", "cholesky_solve"), LA.CholeskySolve, export=False),
    Row("cholesky", _late("_linalg_top", "cholesky"), LA.Cholesky, export=False),
    Row("eigh", None, LA.Eigh, method=False, export=False),
    Row("svd", _late("_linalg_top", "svd"), LA.Svd, export=False),
    Row("qr", _late("_linalg_top", "qr"), LA.Qr, export=False),
    Row("lu", _late("_linalg_top", "lu"), LA.Lu, export=False),
    Row("pinv", None, LA.Pinv, method=False, export=False),
    Row("safe_softmax", None, AT.SafeSoftmax, method=False, export=False),
    Row("scaled_dot_product_attention", None, AT.ScaledDotProductAttention, method=False,
        export=False),
    # --- parity2: recorded outputs without a gradient (slogdet's sign, qr(mode='r'), ...)
    Row("no_grad_output", None, LA.NoGradOutput, method=False, export=False),
)


_NUMPY_KEYWORDS = (("axis", "dim"), ("keepdims", "keepdim"))  # PyTorch accepts NumPy's names


def _numpy_keywords(fn: Callable) -> Callable:
    """``fn`` accepting ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``, as PyTorch's
    functions and methods do; only functions with those parameters are wrapped, and the wrapper
    looks at the keywords only when some are given (the positional hot path pays one check)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    pairs = tuple((np_name, name) for np_name, name in _NUMPY_KEYWORDS if name in params)
    if not pairs:
        return fn

    @functools.wraps(fn)
    def accepting_numpy_keywords(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for np_name, name in pairs:
                if np_name in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {name}= and its alias "
                                        f"{np_name}=")
                    kwargs[name] = kwargs.pop(np_name)
        return fn(*args, **kwargs)

    return accepting_numpy_keywords


def _with_out(fn: Callable, name: str) -> Callable:
    """``fn`` taking PyTorch's ``out=`` (the result written into a given tensor)."""
    @functools.wraps(fn)
    def function_with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        with no_grad():
            result = fn(*args, **kwargs)
        return _write_out(out, result, name, args)

    return function_with_out


def _write_out(out: Any, result: Any, name: str, inputs: tuple) -> Any:
    """``result`` written into ``out``: one tensor, or a tuple of tensors for a function with
    several results (``frexp(x, out=(mantissa, exponent))``), returned as the same tuple type."""
    if isinstance(out, (tuple, list)) and isinstance(result, tuple):
        if len(out) != len(result):
            raise RuntimeError(f"{name}(): expected out= to hold {len(result)} tensors, got "
                               f"{len(out)}")
        written = [inplace.write_out(o, r, name, inputs) for o, r in zip(out, result)]
        return type(result)(*written)
    return inplace.write_out(out, result, name, inputs)


def _function_form(row: Row) -> Callable:
    """``autograd_nn.<name>``: the row's function (taking ``out=`` as PyTorch's functions do),
    first converting an array-like input."""
    if row.method is not True:  # not tensor-first (cat), or a method of its own (where)
        return _with_out(_numpy_keywords(row.function), row.name)
    fn = _numpy_keywords(row.function)

    def function(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(to_tensor(input), *args, **kwargs)
        with no_grad():
            result = fn(to_tensor(input), *args, **kwargs)
        return _write_out(out, result, row.name, (input, *args))

    function.__name__ = function.__qualname__ = row.name
    function.__doc__ = fn.__doc__
    function.__wrapped__ = fn
    return function


def functions() -> dict:
    """name -> ``autograd_nn.*`` function, for every exported row (aliases included)."""
    out = {}
    for row in OPS:
        if row.export and row.function is not None:
            f = _function_form(row)
            out.update(dict.fromkeys(row.names, f))
        if row.export_inplace:
            names = row.names if row.export_inplace is True else row.export_inplace
            fn_ = _inplace_method(row) if row.inplace is True else row.inplace
            out.update({n + "_": _inplace_function(fn_, n + "_") for n in names})
    return out


def _inplace_function(method: Callable, name: str) -> Callable:
    """``autograd_nn.<name>_(input, ...)``: the in-place method as a function (``torch.exp_``),
    which takes only a tensor to write into."""
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_tensor(input):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


def install_methods(tensor_cls: type) -> None:
    """Add every row's method (and aliases) to ``tensor_cls``; called once by ``tensor.py``.
    A name the class defines itself (an operator, a property) is never overwritten."""
    for row in OPS:
        if not row.method or row.function is None:
            continue
        fn = _numpy_keywords(row.function if row.method is True else row.method)
        methods = dict.fromkeys(row.names, fn)
        if row.inplace is not None:
            fn_ = _inplace_method(row) if row.inplace is True else row.inplace
            methods.update(dict.fromkeys([n + "_" for n in row.names], fn_))
        for name, f in methods.items():
            if name in vars(tensor_cls):
                raise RuntimeError(f"op table: Tensor.{name} is defined twice (in the class "
                                   f"and by row {row.name!r})")
            setattr(tensor_cls, name, f)


def _inplace_method(row: Row) -> Callable:
    """``x.<name>_(*others)``: ``row.op`` applied in place (``autograd.inplace.apply``)."""
    op = row.op

    def method(input: Any, *others: Any) -> Any:
        return inplace.apply(input, op, *others)

    method.__name__ = method.__qualname__ = row.name + "_"
    method.__doc__ = f"In-place ``{row.name}``."
    return method
