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
from . import pool as PO
from . import reduction as R
from . import rnn as RN
from . import scan as C
from . import shape as S
from .common import is_tensor, to_tensor


@dataclass(frozen=True)
class Row:
    """One op: ``name`` (the torch name), its public ``function``, the ``Op`` class it applies
    (None for non-differentiable ops and compositions of other rows), alternative names
    (``aliases``, e.g. ``clip`` for ``clamp``), ``method``: a Tensor method too (True, or the
    function to install as the method when it differs), ``export``: an ``autograd_nn.*``
    function too, ``cases``: its rows in ``tests/_op_cases.py``, ``inplace``: the in-place
    method ``<name>_`` (and ``<alias>_``): True to apply ``op`` in place to the tensor
    (``autograd.inplace.apply``), or a function of its own."""

    name: str
    function: Callable | None
    op: type | None = None
    aliases: tuple = ()
    method: Any = True
    export: bool = True
    cases: tuple = ()
    inplace: Any = None

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


OPS: tuple = (
    # --- arithmetic (the operators +, -, *, /, ** are Tensor's; these are the named forms)
    Row("add", E.add, E.Add, cases=("add",), inplace=E.add_),
    Row("sub", E.sub, E.Sub, aliases=("subtract",), cases=("sub", "rsub_scalar"),
        inplace=E.sub_),
    Row("mul", E.mul, E.Mul, aliases=("multiply",), cases=("mul",), inplace=True),
    Row("div", E.div, E.Div, aliases=("divide", "true_divide"), cases=("div", "rdiv_scalar"),
        inplace=True),
    Row("pow", E.pow, E.Pow, cases=("pow", "pow_scalar", "pow_frac", "rpow"), inplace=True),
    Row("neg", E.neg, E.Neg, aliases=("negative",), cases=("neg",), inplace=True),
    Row("maximum", E.maximum, E.Maximum, cases=("maximum",)),
    Row("minimum", E.minimum, E.Minimum, cases=("minimum",)),
    Row("square", E.square),
    Row("reciprocal", E.reciprocal),
    Row("lerp", E.lerp, inplace=E.lerp_),
    # --- elementwise maths and activations
    Row("exp", E.exp, E.Exp, cases=("exp",), inplace=True),
    Row("log", E.log, E.Log, cases=("log",)),
    Row("log1p", E.log1p, E.Log1p, cases=("log1p",)),
    Row("sqrt", E.sqrt, E.Sqrt, cases=("sqrt",), inplace=True),
    Row("rsqrt", E.rsqrt, E.Rsqrt, cases=("rsqrt",)),
    Row("abs", E.abs, E.Abs, cases=("abs",), inplace=True),
    Row("sign", E.sign, E.Sign),
    Row("sin", E.sin, E.Sin, cases=("sin",)),
    Row("tan", E.tan, E.Tan, cases=("tan",), inplace=True),
    Row("asin", E.asin, E.Asin, aliases=("arcsin",), cases=("asin",), inplace=True),
    Row("acos", E.acos, E.Acos, aliases=("arccos",), cases=("acos",), inplace=True),
    Row("atan", E.atan, E.Atan, aliases=("arctan",), cases=("atan",), inplace=True),
    Row("sinh", E.sinh, E.Sinh, cases=("sinh",), inplace=True),
    Row("cosh", E.cosh, E.Cosh, cases=("cosh",), inplace=True),
    Row("asinh", E.asinh, E.Asinh, aliases=("arcsinh",), cases=("asinh",), inplace=True),
    Row("acosh", E.acosh, E.Acosh, aliases=("arccosh",), cases=("acosh",), inplace=True),
    Row("atanh", E.atanh, E.Atanh, aliases=("arctanh",), cases=("atanh",), inplace=True),
    Row("log2", E.log2, E.Log2, cases=("log2",), inplace=True),
    Row("log10", E.log10, E.Log10, cases=("log10",), inplace=True),
    Row("expm1", E.expm1, E.Expm1, cases=("expm1",), inplace=True),
    Row("exp2", E.exp2, E.Exp2, cases=("exp2",), inplace=True),
    Row("cos", E.cos, E.Cos, cases=("cos",)),
    Row("clamp", E.clamp, E.Clamp, aliases=("clip",),
        cases=("clamp", "clamp_min", "clamp_drawn", "clamp_tensor_bounds"), inplace=E.clamp_),
    Row("clamp_min", E.clamp_min, E.Clamp, export=False),
    Row("clamp_max", E.clamp_max, E.Clamp, export=False),
    Row("tanh", E.tanh, E.Tanh, cases=("tanh",), inplace=True),
    Row("sigmoid", E.sigmoid, E.Sigmoid, cases=("sigmoid",), inplace=True),
    Row("relu", E.relu, E.Relu, cases=("relu",), inplace=True),
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
    Row("eq", E.eq), Row("ne", E.ne), Row("lt", E.lt), Row("le", E.le), Row("gt", E.gt),
    Row("ge", E.ge), Row("logical_and", E.logical_and), Row("logical_or", E.logical_or),
    Row("logical_not", E.logical_not), Row("isnan", E.isnan), Row("isinf", E.isinf),
    Row("isfinite", E.isfinite), Row("equal", E.equal), Row("allclose", E.allclose),
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
    Row("unflatten", S.unflatten, S.Reshape, export=False),
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
    # --- products
    Row("matmul", I.matmul, I.MatMul, cases=("matmul",)),
    Row("mm", I.mm, I.MatMul), Row("bmm", I.bmm, I.MatMul), Row("dot", I.dot, I.MatMul),
    Row("outer", I.outer, E.Mul, method=False),
    Row("einsum", X.einsum, X.Einsum, method=False),
    # --- rounding
    Row("floor", X.floor, X.Rounding, inplace=X.floor_),
    Row("ceil", X.ceil, X.Rounding, inplace=X.ceil_),
    Row("round", X.round, X.Rounding, inplace=X.round_),
    Row("trunc", X.trunc, X.Rounding, aliases=("fix",), inplace=X.trunc_),
    Row("frac", X.frac, X.Frac, inplace=X.frac_),
    # --- in-place only: writes, fills, random fills
    Row("addcmul_", E.addcmul_, E.Add, export=False),
    Row("addcdiv_", E.addcdiv_, E.Add, export=False),
    Row("copy_", inplace.copy_, inplace.CopyFrom, export=False),
    Row("fill_", inplace.fill_, inplace.CopyFrom, export=False),
    Row("zero_", inplace.zero_, inplace.CopyFrom, export=False),
    Row("uniform_", random.uniform_, export=False),
    Row("normal_", random.normal_, export=False),
    Row("bernoulli_", random.bernoulli_, export=False),
    Row("random_", random.random_, export=False),
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
    Row("erf", None, E.Erf, method=False, export=False),
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
    Row("det", None, LA.Det, method=False, export=False),
    Row("logabsdet", None, LA.LogAbsDet, method=False, export=False),
    Row("solve", None, LA.Solve, method=False, export=False),
    Row("solve_triangular", None, LA.SolveTriangular, method=False, export=False),
    Row("cholesky_solve", None, LA.CholeskySolve, method=False, export=False),
    Row("cholesky", None, LA.Cholesky, method=False, export=False),
    Row("eigh", None, LA.Eigh, method=False, export=False),
    Row("svd", None, LA.Svd, method=False, export=False),
    Row("qr", None, LA.Qr, method=False, export=False),
    Row("lu", None, LA.Lu, method=False, export=False),
    Row("pinv", None, LA.Pinv, method=False, export=False),
    Row("safe_softmax", None, AT.SafeSoftmax, method=False, export=False),
    Row("scaled_dot_product_attention", None, AT.ScaledDotProductAttention, method=False,
        export=False),
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
        return inplace.write_out(out, result, name, args)

    return function_with_out


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
        return inplace.write_out(out, result, row.name, (input, *args))

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
    return out


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
