"""The Tensor: a NumPy array plus what autograd needs to differentiate through it."""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import _dtype
from ._dtype import dtype as DType
from ._ops import elementwise as E
from ._ops import indexing as I
from ._ops import reduction as R
from ._ops import shape as S
from ._ops import xp
from .autograd import engine
from .autograd.engine import Node, Op, RemovableHandle

_ndarray = np.ndarray
_Scalar = (int, float, bool)

values_indices = namedtuple("values_indices", ["values", "indices"])


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


class _Device:
    """The only device there is: the CPU."""

    type = "cpu"
    index = None

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: Any) -> bool:
        return str(other) in ("cpu", "device(type='cpu')") or isinstance(other, _Device)

    def __hash__(self) -> int:
        return hash("cpu")


CPU = _Device()


def device(spec: Any = "cpu", index: int | None = None) -> _Device:
    """``autograd_nn.device('cpu')``: the CPU; any other device is refused clearly."""
    if str(spec).split(":")[0] != "cpu":
        raise RuntimeError(f"device: autograd_nn runs on NumPy and has only the 'cpu' device, "
                           f"got {spec!r}")
    return CPU


class Tensor:
    """An n-dimensional array that records the ops applied to it for automatic differentiation.

    ``Tensor(data)`` makes a float32 tensor from data (as ``torch.Tensor``); ``Tensor(2, 3)`` an
    uninitialised 2x3 one. Prefer :func:`autograd_nn.tensor`, which infers the dtype.
    """

    __slots__ = ("_data", "grad", "requires_grad", "_node", "_vc", "_base", "_hooks",
                 "_view_of", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy operators defer to ours: ndarray * Tensor -> Tensor

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = args[0]
            arr = data._data.astype(d) if isinstance(data, Tensor) else np.array(data, dtype=d)
        else:
            arr = np.empty(tuple(int(a) for a in args), dtype=d)
        self._data = arr
        self.grad = None
        self._node = None
        self._vc = None
        self._base = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _wrap(arr: Any, requires_grad: bool = False) -> Tensor:
        """A leaf Tensor around ``arr`` (no copy)."""
        t = Tensor.__new__(Tensor)
        t._data = arr if type(arr) is _ndarray else np.asarray(arr)
        t.grad = None
        t.requires_grad = requires_grad
        t._node = None
        t._vc = None
        t._base = None
        t._hooks = None
        return t

    @staticmethod
    def _dtype_of(np_dtype: Any) -> DType:
        return _dtype.from_numpy_dtype(np_dtype)

    def _new_vc(self) -> list:
        self._vc = [0, 0]  # [version, epoch of last in-place write]
        return self._vc

    # ------------------------------------------------------------------------- properties
    @property
    def data(self) -> Tensor:
        """This tensor's values, detached from the graph (shares memory)."""
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = arr

    @property
    def shape(self) -> tuple:
        return Size(self._data.shape)

    @property
    def dtype(self) -> DType:
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> _Device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        return self._node

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def is_floating_point_type(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[S.norm_dim(dim, self.ndim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[dim]

    def is_contiguous(self) -> bool:
        return builtins.bool(self._data.flags.c_contiguous)

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def get_device(self) -> int:
        return -1

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    # ------------------------------------------------------------------------- conversion
    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to "
                               f"Scalar")
        return self._data.reshape(()).item()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying NumPy array (shared memory)."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous "
                               f"(shape {list(self.shape)})")
        return builtins.bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._repr import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild, (self._data, self.requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment")
        new = type(self).__new__(type(self))
        Tensor.__init__(new, np.array(self._data, copy=True))
        new._data = self._data.copy()
        new.requires_grad = self.requires_grad
        if self.grad is not None:
            new.grad = self.grad.clone()
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------------------ dtype / copy
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``."""
        dt = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, Tensor):
                dt = a.dtype
            elif isinstance(a, (DType, type, np.dtype)):
                dt = a
            elif isinstance(a, (str, _Device)):
                device(a)
            elif a is not None:
                dt = a
        if "device" in kwargs and kwargs["device"] is not None:
            device(kwargs["device"])
        if dt is None:
            return self.clone() if copy else self
        npd = _dtype.to_dtype(dt).np
        if npd == self._data.dtype:
            return self.clone() if copy else self
        return E.Cast.apply(self, dtype=npd)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return f"autograd_nn.{_CATEGORY_NAME.get(self.dtype.name, self.dtype.name)}"
        return self.to(dtype)

    def float(self) -> Tensor:
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        return self.to(_dtype.float16)

    def long(self) -> Tensor:
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        return self.to(_dtype.int32)

    def bool(self) -> Tensor:
        return self.to(_dtype.bool)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *a: Any, **k: Any) -> Tensor:
        raise RuntimeError("autograd_nn runs on NumPy: there is no CUDA device")

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return E.Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        if self._data.flags.c_contiguous:
            return self
        return E.Clone.apply(self)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's memory and version counter, with no history."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc if self._vc is not None else self._new_vc()
        return t

    def detach_(self) -> Tensor:
        self._node = None
        self.requires_grad = False
        return self

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        from ._creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, **kw)

    def new_ones(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        from ._creation import ones

        return ones(*size, dtype=dtype or self.dtype, **kw)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, **kw: Any) -> Tensor:
        from ._creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, **kw)

    def new_empty(self, *size: Any, dtype: Any = None, **kw: Any) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, **kw)

    # --------------------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, "
                               f"got {self.dtype}")
        if not requires_grad and self._node is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        self.requires_grad = builtins.bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._node is not None:
            import weakref

            self._node.retained = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._node is not None and self._node.retained is not None

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is not None:
            return self._node.register_hook(hook)
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` (same shape as self) is required unless self has one element.
        """
        from .autograd import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs)

    # ------------------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        return _binary(E.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(E.Add, self, other, True)

    def __sub__(self, other: Any) -> Tensor:
        if self._data.dtype.kind == "b" or _is_bool(other):
            _bool_sub_error()
        return _binary(E.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        if self._data.dtype.kind == "b" or _is_bool(other):
            _bool_sub_error()
        return _binary(E.Sub, self, other, True)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(E.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(E.Mul, self, other, True)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(E.Div, self, other, False, True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(E.Div, self, other, True, True)

    def __pow__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "pow")
        return _binary(E.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "pow")
        return _binary(E.Pow, self, other, True)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(as_tensor_like(other, self), self)

    def __neg__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return E.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return E.Abs.apply(self)

    def __floordiv__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "div_floor_cpu")
        return self._promoted_nograd(other, np.floor_divide)

    def __rfloordiv__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "div_floor_cpu")
        return self._promoted_nograd(other, np.floor_divide, True)

    def __mod__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "remainder_cpu")
        return self._promoted_nograd(other, np.mod)

    def __rmod__(self, other: Any) -> Tensor:
        _no_bool_kernel(self, other, "remainder_cpu")
        return self._promoted_nograd(other, np.mod, True)

    def _promoted_nograd(self, other: Any, fn: Callable, reverse: bool = False) -> Tensor:
        """``//``, ``%`` and rounding division: PyTorch's type promotion (int64 // 2.5 is
        float32, not NumPy's float64) and its error for integer division by zero."""
        a = self._data
        if isinstance(other, np.generic):
            other = other.item()
        if isinstance(other, Tensor):
            b = other._data
            t = _dtype.np_result_type([(a.dtype, a.ndim == 0), (b.dtype, b.ndim == 0)])
        elif isinstance(other, (int, float)):
            b = other
            t = _dtype.scalar_dtype(other, a.dtype)
        else:
            from ._creation import tensor

            return self._promoted_nograd(tensor(other), fn, reverse)
        a = a.astype(t, copy=False)
        b = np.asarray(b, dtype=t)
        if t.kind in "iub" and not (a if reverse else b).all():
            raise RuntimeError(f"ZeroDivisionError: integer {fn.__name__} by zero")
        with np.errstate(divide="ignore", invalid="ignore"):  # float x // 0: inf/nan, as torch
            r = fn(b, a) if reverse else fn(a, b)
        return Tensor._wrap(np.asarray(r, dtype=t))

    # comparisons and logic: never differentiable
    def _nograd_binary(self, other: Any, fn: Callable, reverse: bool = False) -> Tensor:
        a, b = self._data, _operand_data(other, self)
        return Tensor._wrap(np.asarray(fn(b, a) if reverse else fn(a, b)))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._nograd_binary(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._nograd_binary(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.greater_equal)

    def __and__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.bitwise_and)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.bitwise_or)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.bitwise_xor)

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        return Tensor._wrap(np.invert(self._data))

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.logical_and)

    def logical_or(self, other: Any) -> Tensor:
        return self._nograd_binary(other, np.logical_or)

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self._data))

    def equal(self, other: Tensor) -> bool:
        return self.shape == other.shape and builtins.bool((self._data == other._data).all())

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return builtins.bool(np.allclose(self._data, _operand_data(other, self), rtol, atol,
                                         equal_nan))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Tensor._wrap(np.asarray(np.any(self._data, axis=dim, keepdims=keepdim)))

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Tensor._wrap(np.asarray(np.all(self._data, axis=dim, keepdims=keepdim)))

    def sign(self) -> Tensor:
        return E.Sign.apply(self)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _arg_reduce(self, dim, keepdim, np.argmax)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _arg_reduce(self, dim, keepdim, np.argmin)

    # named elementwise methods (add/sub with alpha, as PyTorch)
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self - (other * alpha if alpha != 1 else other)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self._promoted_nograd(other, np.floor_divide)
        if rounding_mode != "trunc":
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found {rounding_mode!r}")
        return self._promoted_nograd(other, _trunc_divide)

    divide = div
    true_divide = div

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def matmul(self, other: Tensor) -> Tensor:
        return matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        if self.ndim != 2 or other.ndim != 2:
            raise RuntimeError(f"mm: expected 2-D tensors, got {self.ndim}-D and {other.ndim}-D")
        return matmul(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        if self.ndim != 3 or other.ndim != 3:
            raise RuntimeError(f"bmm: expected 3-D tensors, got {self.ndim}-D and {other.ndim}-D")
        return matmul(self, other)

    def dot(self, other: Tensor) -> Tensor:
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot: 1D tensors expected, but got {self.ndim}D and "
                               f"{other.ndim}D tensors")
        return matmul(self, other)

    def maximum(self, other: Tensor) -> Tensor:
        return _binary(E.Maximum, self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return _binary(E.Minimum, self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit values to [min, max]; either bound may be None, a number or a tensor."""
        if min is None and max is None:
            raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = out.maximum(as_tensor_like(min, self))
            if max is not None:
                out = out.minimum(as_tensor_like(max, self))
            return out
        x = self
        if self._data.dtype.kind != "f" and any(isinstance(v, float) for v in (min, max)):
            x = self.to(_dtype.get_default_dtype())
        return E.Clamp.apply(x, min=min, max=max)

    clip = clamp

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return self.clamp(max=max)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return E.LeakyRelu.apply(self, negative_slope=negative_slope)

    def elu(self, alpha: float = 1.0) -> Tensor:
        return E.Elu.apply(self, alpha=alpha)

    def gelu(self, approximate: str = "none") -> Tensor:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return E.Gelu.apply(self, approximate=approximate)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        return E.Softplus.apply(self, beta=beta, threshold=threshold)

    def square(self) -> Tensor:
        return self * self

    def reciprocal(self) -> Tensor:
        return 1.0 / self

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return self + (end - self) * weight

    # ------------------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "bui" and dtype is None:
            x = x.to(_dtype.int64)
        return R.Sum.apply(x, dim=S.reduce_dims(dim, x.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: {x.dtype}")
        return R.Mean.apply(x, dim=S.reduce_dims(dim, x.ndim, "mean"), keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Variance over ``dim``; unbiased (correction=1) by default, as PyTorch."""
        return self._spread(R.Var, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Standard deviation over ``dim`` (gradient 0 where it is 0, as PyTorch)."""
        return self._spread(R.Std, dim, unbiased, keepdim, correction)

    def _spread(self, op: type, dim: Any, unbiased: Any, keepdim: bool, correction: Any
                ) -> Tensor:
        if isinstance(dim, builtins.bool) and unbiased is None:  # var(False): old positional
            dim, unbiased = None, dim
        corr = correction if correction is not None else (
            1 if unbiased is None or unbiased else 0)
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"std and var only support floating point and complex dtypes, "
                               f"got {self.dtype}")
        return op.apply(self, dim=S.reduce_dims(dim, self.ndim, op.__name__.lower()),
                        correction=corr, keepdim=keepdim)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> tuple:
        """(values, indices) sorted along ``dim``; the values are differentiable."""
        from ._functions import sort

        return sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False) -> Tensor:
        from ._functions import argsort

        return argsort(self, dim, descending)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> tuple:
        """(values, indices) of the ``k`` largest (smallest) along ``dim``."""
        from ._functions import topk

        return topk(self, k, dim, largest, sorted)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """max over all elements, ``max(dim)`` -> (values, indices), or ``max(other)``."""
        return _max_min(self, dim, keepdim, R.Amax, np.argmax, E.Maximum)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _max_min(self, dim, keepdim, R.Amin, np.argmin, E.Minimum)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        dims = S.reduce_dims(dim, self.ndim, "amax")
        return R.Amax.apply(self, dim=dims, keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        dims = S.reduce_dims(dim, self.ndim, "amin")
        return R.Amin.apply(self, dim=dims, keepdim=keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        if self._data.dtype.kind != "f":  # integers are reduced in the default float dtype
            return self.to(_dtype.get_default_dtype()).logsumexp(dim, keepdim)
        return R.Logsumexp.apply(self, dim=S.norm_dims(dim, self.ndim, "logsumexp"),
                                 keepdim=keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
             ) -> Tensor:
        x = self if dtype is None else self.to(dtype)
        return R.Prod.apply(x, dim=S.norm_dims(dim, x.ndim, "prod"), keepdim=keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
             ) -> Tensor:
        """Vector p-norm (``'fro'`` = 2) over ``dim`` or all elements."""
        if isinstance(p, str) and p != "fro":
            raise RuntimeError(f"norm: order p={p!r} is not supported"
                               f"{' (the nuclear norm needs an SVD)' if p == 'nuc' else ''}; "
                               f"expected a number, inf, -inf or 'fro'")
        p = 2.0 if p in ("fro", None) else float(p)
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point tensor as input. "
                               f"Got {x.dtype}")
        return R.Norm.apply(x, p=p, dim=S.reduce_dims(dim, x.ndim, "norm"), keepdim=keepdim)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        x = _float_input(self, dtype, "softmax")
        return R.Softmax.apply(x, dim=S.norm_dim(dim, x.ndim, "softmax"))

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        x = _float_input(self, dtype, "log_softmax")
        return R.LogSoftmax.apply(x, dim=S.norm_dim(dim, x.ndim, "log_softmax"))

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        from ._ops.scan import Cumsum

        x = self if dtype is None else self.to(dtype)
        return Cumsum.apply(x, dim=S.norm_dim(dim, x.ndim, "cumsum"))

    def cumprod(self, dim: int, dtype: Any = None) -> Tensor:
        """Running product along ``dim`` (same shape; integer/bool input gives int64). The
        gradient is exact with zeros in the input and differentiable again."""
        from ._ops.extra import Cumprod

        x = self if dtype is None else self.to(dtype)
        if x.ndim == 0:
            S.norm_dim(dim, 1, "cumprod")
            return Cumprod.apply(x.reshape(1), dim=0).reshape(())
        return Cumprod.apply(x, dim=S.norm_dim(dim, x.ndim, "cumprod"))

    def _rounding(self, mode: str, decimals: int = 0, inplace: bool = False) -> Tensor:
        from ._ops.extra import Frac, Rounding

        kind = self._data.dtype.kind
        name = mode + ("_" if inplace else "")
        if kind == "b" or (kind != "f" and (mode == "frac" or decimals)):
            raise NotImplementedError(f"{name}(): not implemented for {self.dtype} input"
                                      f"{' with decimals' if decimals else ''} (expected a "
                                      f"floating point tensor)")
        if kind != "f":  # integers are already whole: torch returns them unchanged (a copy)
            return self if inplace else self.clone()
        op, params = (Frac, {}) if mode == "frac" else (Rounding, {"mode": mode,
                                                                   "decimals": int(decimals)})
        return self._inplace(op, **params) if inplace else op.apply(self, **params)

    def floor_(self) -> Tensor:
        return self._rounding("floor", inplace=True)

    def ceil_(self) -> Tensor:
        return self._rounding("ceil", inplace=True)

    def trunc_(self) -> Tensor:
        return self._rounding("trunc", inplace=True)

    fix_ = trunc_

    def round_(self, decimals: int = 0) -> Tensor:
        return self._rounding("round", decimals, inplace=True)

    def frac_(self) -> Tensor:
        return self._rounding("frac", inplace=True)

    def floor(self) -> Tensor:
        """Largest integer <= x, elementwise (gradient 0; integer input returned as is)."""
        return self._rounding("floor")

    def ceil(self) -> Tensor:
        """Smallest integer >= x, elementwise (gradient 0; integer input returned as is)."""
        return self._rounding("ceil")

    def trunc(self) -> Tensor:
        """x rounded toward zero, elementwise (gradient 0; integer input returned as is)."""
        return self._rounding("trunc")

    fix = trunc

    def round(self, decimals: int = 0) -> Tensor:
        """x rounded to ``decimals`` places, halves to even as torch (2.5 -> 2, -0.5 -> -0);
        negative ``decimals`` round to tens, hundreds... Gradient 0."""
        return self._rounding("round", decimals)

    def frac(self) -> Tensor:
        """x - trunc(x) (keeps x's sign); gradient 1."""
        return self._rounding("frac")

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """``torch.take_along_dim(self, indices, dim)``."""
        from ._functions import take_along_dim

        return take_along_dim(self, indices, dim)

    # ----------------------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        target = _infer_shape(_shape_arg(shape), self._data.size, "reshape")
        return S.Reshape.apply(self, shape=target)

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (DType, type, np.dtype, str)):
            raise NotImplementedError("view(dtype) is not supported; use .to(dtype)")
        target = _infer_shape(_shape_arg(shape), self._data.size, "view")
        if not _viewable(self._data, target):
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one "
                f"dimension spans across two contiguous subspaces): a view of shape "
                f"{list(self.shape)} as {list(target)} needs a copy. Use .reshape(...) instead.")
        return S.Reshape.apply(self, shape=target)

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s = S.norm_dim(start_dim, self.ndim, "flatten")
        e = S.norm_dim(end_dim, self.ndim, "flatten")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shp = self._data.shape
        return self.reshape(shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        d = S.norm_dim(dim, self.ndim, "unflatten")
        shp = self._data.shape
        sizes = _infer_shape(tuple(sizes), shp[d], "unflatten")
        return self.reshape(shp[:d] + tuple(sizes) + shp[d + 1:])

    def squeeze(self, dim: Any = None) -> Tensor:
        shp = self._data.shape
        if dim is None:
            new = tuple(s for s in shp if s != 1)
        else:
            dims = S.norm_dims(dim, self.ndim, "squeeze") if self.ndim else ()
            new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
        return self.reshape(new) if new != shp else S.Reshape.apply(self, shape=shp)

    def unsqueeze(self, dim: int) -> Tensor:
        d = S.norm_dim(dim, self.ndim + 1, "unsqueeze")
        shp = self._data.shape
        return S.Reshape.apply(self, shape=shp[:d] + (1,) + shp[d:])

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        n = self.ndim
        return S.Transpose.apply(self, dim0=S.norm_dim(dim0, n, "transpose"),
                                 dim1=S.norm_dim(dim1, n, "transpose"))

    swapaxes = transpose
    swapdims = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D")
        return self.transpose(0, 1) if self.ndim == 2 else self

    def permute(self, *dims: Any) -> Tensor:
        dims = _shape_arg(dims)
        n = self.ndim
        if len(dims) != n:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                               f"does not match the length of the desired ordering of dimensions "
                               f"i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}")
        S.norm_dims(dims, n, "permute")  # validates range and repeats
        return S.Permute.apply(self, dims=tuple(S.norm_dim(d, n, "permute") for d in dims))

    def expand(self, *sizes: Any) -> Tensor:
        sizes = _shape_arg(sizes)
        shp = self._data.shape
        if len(sizes) < len(shp):
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                               f"greater or equal to the number of dimensions in the tensor "
                               f"({len(shp)})")
        lead = len(sizes) - len(shp)
        target = []
        for i, s in enumerate(sizes):
            old = shp[i - lead] if i >= lead else 1
            if s == -1:
                if i < lead:
                    raise RuntimeError("expand: -1 is not allowed in a leading, non-existing "
                                       "dimension")
                s = old
            elif old != 1 and old != s:
                raise RuntimeError(f"expand: the expanded size of the tensor ({s}) must match the "
                                   f"existing size ({old}) at non-singleton dimension {i}. "
                                   f"Target sizes: {list(sizes)}. Tensor sizes: {list(shp)}")
            target.append(s)
        return S.ExpandTo.apply(self, shape=tuple(target))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return self.expand(*shape)

    def repeat(self, *sizes: Any) -> Tensor:
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                               "number of dimensions of tensor")
        return S.Repeat.apply(self, reps=tuple(sizes))

    def flip(self, *dims: Any) -> Tensor:
        dims = _shape_arg(dims)
        return S.Flip.apply(self, dims=tuple(S.norm_dim(d, self.ndim, "flip") for d in dims))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        from ._functions import split

        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        from ._functions import chunk

        return chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        d = S.norm_dim(dim, self.ndim, "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        d = S.norm_dim(dim, self.ndim, "narrow")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def gather(self, dim: int, index: Tensor) -> Tensor:
        from ._functions import gather

        return gather(self, dim, index)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        from ._functions import scatter_add

        return scatter_add(self, dim, index, src)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        from ._functions import index_select

        return index_select(self, dim, index)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        from ._functions import masked_fill

        return masked_fill(self, mask, value)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        from ._functions import where

        return where(condition, self, other)

    def tril(self, diagonal: int = 0) -> Tensor:
        mask = np.tril(np.ones(self._data.shape[-2:], dtype=bool), diagonal)
        return E.Where.apply(mask, self, np.zeros((), self._data.dtype))

    def triu(self, diagonal: int = 0) -> Tensor:
        mask = np.triu(np.ones(self._data.shape[-2:], dtype=bool), diagonal)
        return E.Where.apply(mask, self, np.zeros((), self._data.dtype))

    # ------------------------------------------------------------------------- indexing
    def __getitem__(self, idx: Any) -> Tensor:
        idx = _norm_index(idx, self, probe=False)
        if I.is_basic_index(idx):
            return _ViewGetItem.apply(self, idx=idx)
        split = _ints_first(idx)
        if split is not None:
            return self[split[0]][split[1]]
        try:  # index arrays are checked by the indexing itself (nothing is written)
            return I.GetItem.apply(self, idx=idx)
        except IndexError as e:
            raise _index_error(idx, self, e) from None

    def __setitem__(self, idx: Any, value: Any) -> None:
        idx = _norm_index(idx, self)
        split = _ints_first(idx)
        if split is not None:  # write through the view the ints select
            self[split[0]][split[1]] = value
            return
        if isinstance(value, Tensor):
            vt = value
        else:
            vt = None
        needs_graph = engine._grad_enabled and (
            self.requires_grad or (vt is not None and vt.requires_grad))
        if needs_graph:
            self._inplace_apply(I.IndexPut, value if vt is not None else
                                np.asarray(value, dtype=self._data.dtype), idx=idx)
            return
        self._check_writable("__setitem__")
        val = vt._data if vt is not None else value
        if vt is not None and vt._data.dtype.kind == "f" and self._data.dtype.kind in "biu":
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{self.dtype} for the destination and {vt.dtype} for the source.")
        try:
            self._data[idx] = val
        except (ValueError, IndexError) as e:
            raise type(e)(f"__setitem__: cannot assign a value of shape "
                          f"{list(np.shape(val))} into tensor of shape {list(self.shape)} at "
                          f"index {idx!r}: {e}") from None
        self._bump_version()

    # ------------------------------------------------------------------------- in-place
    def _bump_version(self) -> None:
        vc = self._vc if self._vc is not None else self._new_vc()
        engine._inplace_epoch += 1
        vc[0] += 1
        vc[1] = engine._inplace_epoch

    def _check_writable(self, op: str) -> None:
        if engine._grad_enabled and self.requires_grad and self._node is None:
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                               f"in-place operation.")
        if engine._grad_enabled and self._base is not None and self._base.requires_grad and \
                self._base._node is None:
            raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being "
                               f"used in an in-place operation.")
        if not self._data.flags.writeable:
            raise RuntimeError(f"{op}: unsupported operation: more than one element of the "
                               f"written-to tensor refers to a single memory location (an "
                               f"expanded tensor). Please clone() the tensor before performing "
                               f"the operation.")

    def _inplace_apply(self, op: type, *others: Any, **params: Any) -> Tensor:
        """Apply ``op(self, *others)`` and write the result into self, keeping the graph right."""
        self._check_writable(op.__name__.lower() + "_")
        if self._base is not None and (self.requires_grad or any(
                isinstance(o, Tensor) and o.requires_grad for o in others)):
            return self._inplace_on_view(op, *others, **params)
        shell = Tensor._wrap(self._data)
        needs = (self.requires_grad,) + tuple(isinstance(o, Tensor) and o.requires_grad
                                              for o in others)
        if 0 in engine.read_inputs(op, needs):
            shell._data = self._data.copy()  # backward reads the old value
        shell._node = self._node
        shell.requires_grad = self.requires_grad
        res = op.apply(shell, *others, **params)
        _write_result(self, res._data, op.__name__)
        self._node = res._node
        self.requires_grad = res.requires_grad
        if self._node is not None and op.saves_out:
            self._node.out_vc = self._vc
            self._node.epoch = engine._inplace_epoch
        _refresh_views(self)
        return self

    def _inplace_on_view(self, op: type, *others: Any, **params: Any) -> Tensor:
        """In-place op on a view whose base is (or becomes) part of the graph, as PyTorch's
        CopySlices: the op runs on a copy of the view's value, the result is written into the
        base through the same view ops (rebasing the base's history), and the view is
        re-derived from the updated base."""
        chain = _view_chain(self, op.__name__.lower() + "_")
        base = self._base
        tmp = E.Clone.apply(_replay_view(base, chain))
        tmp._inplace_apply(op, *others, **params)
        shell = Tensor._wrap(base._data)
        shell._node = base._node
        shell.requires_grad = base.requires_grad
        res = _CopySlices.apply(shell, tmp, chain=tuple(chain))
        _write_result(base, res._data, op.__name__)
        base._node = res._node
        base.requires_grad = res.requires_grad
        view = _replay_view(base, chain)
        self._node = view._node
        self.requires_grad = view.requires_grad
        _refresh_views(base)
        return self

    def _inplace(self, op: type, *others: Any, **params: Any) -> Tensor:
        if engine._grad_enabled and (self.requires_grad or any(
                isinstance(o, Tensor) and o.requires_grad for o in others)):
            return self._inplace_apply(op, *others, **params)
        self._check_writable(op.__name__.lower() + "_")
        res = op.forward(engine._Scratch(), self._data,
                         *[o._data if isinstance(o, Tensor) else o for o in others], **params)
        _write_result(self, res, op.__name__)
        return self

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if not engine._grad_enabled or not (self.requires_grad or getattr(
                other, "requires_grad", False)):
            self._check_writable("add_")
            o = other._data if isinstance(other, Tensor) else other
            _write_result(self, self._data + (o * alpha if alpha != 1 else o), "add_")
            return self
        return self._inplace(E.Add, other * alpha if alpha != 1 else other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self.add_(other, alpha=-alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(E.Mul, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(E.Div, other)

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(E.Pow, exponent)

    def neg_(self) -> Tensor:
        return self._inplace(E.Neg)

    def exp_(self) -> Tensor:
        return self._inplace(E.Exp)

    def sqrt_(self) -> Tensor:
        return self._inplace(E.Sqrt)

    def relu_(self) -> Tensor:
        return self._inplace(E.Relu)

    def sigmoid_(self) -> Tensor:
        return self._inplace(E.Sigmoid)

    def tanh_(self) -> Tensor:
        return self._inplace(E.Tanh)

    def abs_(self) -> Tensor:
        return self._inplace(E.Abs)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("clamp_: At least one of 'min' or 'max' must not be None")
        return self._inplace(E.Clamp, min=min, max=max)

    clip_ = clamp_

    def addcmul_(self, t1: Any, t2: Any, *, value: Any = 1) -> Tensor:
        return self.add_(t1 * t2 * value if value != 1 else t1 * t2)

    def addcdiv_(self, t1: Any, t2: Any, *, value: Any = 1) -> Tensor:
        return self.add_(t1 / t2 * value if value != 1 else t1 / t2)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self.add_((end - self) * weight)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        self[mask] = value
        return self

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            if engine._grad_enabled and value.requires_grad:  # value gets the summed gradient
                return self.copy_(value)
            value = value.item()
        self._check_writable("fill_")
        if engine._grad_enabled and self.requires_grad:
            return self.copy_(np.full(self._data.shape, value, self._data.dtype))
        self._data[...] = value
        self._bump_version()
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        """Copy ``src`` (broadcast to self's shape, cast to self's dtype) into self."""
        if engine._grad_enabled and (self.requires_grad or (isinstance(src, Tensor) and
                                                            src.requires_grad)):
            # also for a constant src: the old history must be cut (the result is src)
            src = src if isinstance(src, Tensor) else Tensor._wrap(np.asarray(src))
            return self._inplace_apply(_CopyFrom, src)
        self._check_writable("copy_")
        s = src._data if isinstance(src, Tensor) else np.asarray(src)
        try:
            np.copyto(self._data, np.broadcast_to(s, self._data.shape), casting="unsafe")
        except ValueError:
            raise RuntimeError(f"copy_: the size of src {list(np.shape(s))} must be broadcastable "
                               f"to the destination's {list(self.shape)}") from None
        self._bump_version()
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from .random import _gen

        return self._fill_random(_gen(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from .random import _gen

        return self._fill_random(_gen(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Tensor:
        from .random import _gen

        return self._fill_random(_gen(generator).random(self._data.shape) < p)

    def random_(self, low: int = 0, high: int | None = None, generator: Any = None) -> Tensor:
        from .random import _gen

        if high is None:
            low, high = 0, low
        return self._fill_random(_gen(generator).integers(low, high, self._data.shape))

    def _fill_random(self, values: np.ndarray) -> Tensor:
        self._check_writable("random fill")
        self._data[...] = values
        self._bump_version()
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's ``torch.Size``."""

    def __repr__(self) -> str:
        return f"autograd_nn.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self)) if self else 1


_CATEGORY_NAME = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                  "int32": "IntTensor", "bool": "BoolTensor", "float16": "HalfTensor",
                  "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor"}


def typename(x: Any, legacy: bool = False) -> str:
    """``x``'s type for error messages, as ``torch.typename``: a Tensor as
    ``autograd_nn.Tensor`` (its class), or with ``legacy`` as ``torch.FloatTensor`` (the
    optimizer's wording, as PyTorch's); other objects as ``module.Class``."""
    if isinstance(x, Tensor):
        if legacy:
            return "torch." + _CATEGORY_NAME.get(x.dtype.name, "Tensor")
        return "autograd_nn." + type(x).__name__
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._wrap(data, requires_grad)


class _ViewGetItem(I.GetItem):
    """Basic (view) indexing: shares memory and the version counter with its source."""

    is_view = True

    @staticmethod
    def forward(ctx, x, idx=None):
        ctx.idx = idx
        # an index of ints only would give a NumPy scalar (a copy); a trailing Ellipsis keeps
        # the element a 0-d view, so in-place ops on it reach the base (h[0] += 1)
        return x[idx + (Ellipsis,)] if Ellipsis not in idx else x[idx]


def _view_chain(v: Tensor, what: str) -> list:
    """The view ops ((op, params), ...) that derive ``v`` from its base, base side first."""
    chain = []
    while v._base is not None:
        link = getattr(v, "_view_of", None)
        if link is None:
            raise NotImplementedError(f"{what}: in-place on a view whose origin is unknown")
        src, vcls, vparams = link
        chain.append((vcls, vparams))
        v = src
    chain.reverse()
    return chain


def _refresh_views(base: Tensor) -> None:
    """After an in-place op changed ``base`` (or a view of it), re-derive the history of its
    live views from its new one, as PyTorch regenerates a view's grad_fn: a view taken before
    the change then backpropagates through it. Views register in their shared version counter
    (engine.Op.apply) only when their base is part of a graph."""
    vc = base._vc
    if vc is None or len(vc) <= 2:
        return
    live = [r for r in vc[2:] if r() is not None and r()._base is base]
    for r in live:
        v = r()
        fresh = _replay_view(base, _view_chain(v, "re-derive"))
        v._node, v.requires_grad = fresh._node, fresh.requires_grad
    vc[2:] = live  # (the replays' own throwaway views registered too: dropped)


def _replay_view(x: Any, chain: Sequence) -> Any:
    """Apply a chain of view ops ((op, params), ...) to an array or Tensor."""
    for vcls, vparams in chain:
        x = vcls.call(x, **vparams)
    return x


class _CopySlices(Op):
    """base with ``src`` written at the view of it described by ``chain`` (in-place on views)."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, base, src, chain=()):
        ctx.chain = chain
        out = base.copy()
        dst = _replay_view(out, chain)
        if dst.size and not np.shares_memory(dst, out):  # (an empty view shares nothing)
            raise RuntimeError("in-place on a view: this view (a reshape that had to copy) does "
                               "not share memory with its base; use an out-of-place op")
        dst[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        need_base, need_src = ctx.needs_input_grad
        gb = gs = None
        if need_base:  # the overwritten region gets no gradient
            keep = np.ones(ctx.inputs[0].shape, dtype=bool)
            _replay_view(keep, ctx.chain)[...] = False
            gb = g * xp.mask_like(keep, g)
        if need_src:
            gs = _replay_view(g, ctx.chain)
        return gb, gs


class _CopyFrom(Op):
    """dst.copy_(src): the result is src broadcast to dst's shape and cast to dst's dtype."""

    saved_inputs = ()

    @staticmethod
    def forward(ctx, dst, src):
        return np.broadcast_to(src, dst.shape).astype(dst.dtype)

    @staticmethod
    def backward(ctx, g):
        return None, g


def _write_result(t: Tensor, res: np.ndarray, opname: str) -> None:
    """Write an op's result into ``t``'s buffer (PyTorch's in-place casting and shape rules)."""
    dst = t._data
    res = np.asarray(res)
    if res.shape != dst.shape:
        try:
            np.broadcast_shapes(res.shape, dst.shape)
            ok = np.broadcast_shapes(res.shape, dst.shape) == dst.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{opname.lower()}_: output with shape {list(dst.shape)} doesn't "
                               f"match the broadcast shape {list(res.shape)}")
    rk, dk = res.dtype.kind, dst.dtype.kind
    if (rk == "f" and dk in "biu") or (rk in "iu" and dk == "b"):
        raise RuntimeError(f"{opname.lower()}_: result type {_dtype.from_numpy_dtype(res.dtype)} "
                           f"can't be cast to the desired output type "
                           f"{_dtype.from_numpy_dtype(dst.dtype)}")
    np.copyto(dst, res, casting="unsafe")
    t._bump_version()


# ---------------------------------------------------------------------------- helpers


def _shape_arg(shape: tuple) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int, op: str) -> tuple:
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}: invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _operand_data(other: Any, like: Tensor) -> Any:
    if isinstance(other, Tensor):
        return other._data
    if isinstance(other, np.generic):
        return other.item()
    return other


def as_tensor_like(x: Any, like: Tensor) -> Tensor:
    """x as a Tensor, Python numbers taking ``like``'s dtype where PyTorch would."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (int, float, bool, np.generic)):
        v = x.item() if isinstance(x, np.generic) else x
        return Tensor._wrap(np.asarray(v, dtype=_dtype.scalar_dtype(v, like._data.dtype)))
    from ._creation import tensor

    return tensor(x)


def _binary(op: type, a: Tensor, b: Any, reverse: bool = False, true_div: bool = False
            ) -> Tensor:
    """Apply a binary op with PyTorch's type promotion; ``reverse`` computes op(b, a)."""
    da = a._data.dtype
    if isinstance(b, Tensor):
        db = b._data.dtype
        if da is not db and da != db:
            target = _dtype.np_result_type([(da, a._data.ndim == 0), (db, b._data.ndim == 0)])
            if da != target:
                a = E.Cast.apply(a, dtype=target)
            if db != target:
                b = E.Cast.apply(b, dtype=target)
            da = target
    elif type(b) is float or type(b) is int or type(b) is builtins.bool:
        if da.kind != "f":
            target = _dtype.scalar_dtype(b, da)
            if target != da:
                a = E.Cast.apply(a, dtype=target)
                da = target
    elif isinstance(b, np.generic):
        return _binary(op, a, b.item(), reverse, true_div)
    elif isinstance(b, (np.ndarray, list, tuple)):
        from ._creation import tensor

        return _binary(op, a, tensor(b), reverse, true_div)
    else:
        return NotImplemented
    if true_div and da.kind != "f":
        fd = _dtype.get_default_dtype().np
        a = E.Cast.apply(a, dtype=fd)
        if isinstance(b, Tensor):
            b = E.Cast.apply(b, dtype=fd)
    try:
        return op.apply(b, a) if reverse else op.apply(a, b)
    except ValueError as e:
        x, y = (b, a) if reverse else (a, b)
        if op is E.Pow and "negative integer powers" in str(e):
            raise RuntimeError("Integers to negative integer powers are not allowed.") from None
        if op is I.MatMul:
            raise broadcast_error("matmul", x.shape[:-2], y.shape[:-2]) from None
        raise broadcast_error(op.__name__.lower(), x.shape, getattr(y, "shape", ())) from None


def _is_bool(x: Any) -> bool:
    return type(x) is builtins.bool or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def _no_bool_kernel(a: Tensor, b: Any, kernel: str) -> None:
    """PyTorch has no bool-by-bool-tensor kernel for **, // and %."""
    if a._data.dtype.kind == "b" and isinstance(b, Tensor) and b._data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _bool_sub_error() -> None:
    raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                       "you are trying to invert a mask, use the `~` or `logical_not()` operator "
                       "instead.")


def _float_input(x: Tensor, dtype: Any, op: str) -> Tensor:
    """``x`` cast to ``dtype`` if given; an error unless it is floating point (as PyTorch)."""
    x = x if dtype is None else x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}(): expected a floating point input, got {x.dtype} (pass a "
                           f"floating dtype= or call .float() first)")
    return x


def _viewable(a: np.ndarray, shape: tuple) -> bool:
    """Whether ``a`` can be reshaped to ``shape`` without a copy (PyTorch's view rule)."""
    try:
        np.reshape(a, shape, copy=False)
    except ValueError:
        return False
    except TypeError:  # NumPy < 2.1: no copy= argument; setting .shape refuses a copy
        v = a.view()
        try:
            v.shape = shape
        except AttributeError:
            return False
    return True


def _trunc_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iub":  # exact for integers: floor toward zero without floats
        q = np.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    return np.trunc(a / b)


def broadcast_error(opname: str, *shapes: tuple) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast (naming the first bad dimension)."""
    n = max(len(s) for s in shapes)
    for d in range(1, n + 1):
        sizes = [s[-d] for s in shapes if len(s) >= d]
        big = [z for z in sizes if z != 1]
        if len(set(big)) > 1:
            a_sz, b_sz = big[0], next(z for z in big if z != big[0])
            return RuntimeError(
                f"{opname}: The size of tensor a ({a_sz}) must match the size of tensor b "
                f"({b_sz}) at non-singleton dimension {n - d} (shapes "
                f"{', '.join(str(list(s)) for s in shapes)})")
    return RuntimeError(f"{opname}: shapes {', '.join(str(list(s)) for s in shapes)} cannot be "
                        f"broadcast together")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics (1-D, 2-D, batched broadcasting)."""
    if not isinstance(b, Tensor):
        b = as_tensor_like(b, a)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if b.ndim > 1 else b._data.shape[0]
    if ka != kb:
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied "
                           f"({_shape_str(a.shape)} and {_shape_str(b.shape)})")
    if a._data.dtype != b._data.dtype:  # PyTorch does not promote in matmul
        raise RuntimeError(f"matmul: expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype} != {b.dtype}")
    return _binary(I.MatMul, a, b)


def _shape_str(s: tuple) -> str:
    if len(s) == 1:
        return f"{s[0]}"
    return "x".join(str(d) for d in s)


def _arg_reduce(x: Tensor, dim: Any, keepdim: bool, fn: Callable) -> Tensor:
    if dim is None:
        if x._data.size == 0:
            raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
        r = fn(x._data)
        return Tensor._wrap(np.asarray(r, dtype=np.int64).reshape((1,) * x.ndim if keepdim
                                                                   else ()))
    d = S.norm_dim(dim, x.ndim, fn.__name__)
    return Tensor._wrap(np.asarray(fn(x._data, axis=d, keepdims=keepdim), dtype=np.int64))


def _max_min(x: Tensor, dim: Any, keepdim: bool, whole: type, argfn: Callable, pair: type
             ) -> Any:
    if isinstance(dim, Tensor):
        return _binary(pair, x, dim)
    if dim is None:
        return whole.apply(x, dim=None, keepdim=False)
    d = S.norm_dim(dim, x.ndim, argfn.__name__[3:])
    if x._data.shape and x._data.shape[d] == 0:
        raise IndexError(f"{argfn.__name__[3:]}(): Expected reduction dim {d} to have non-zero "
                         f"size.")
    idx = np.expand_dims(argfn(x._data, axis=d), d) if x.ndim else np.zeros((), np.int64)
    if x.ndim == 0:
        return values_indices(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    values = I.Gather.apply(x, idx, dim=d)
    if not keepdim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, d)
    return values_indices(values, Tensor._wrap(idx.astype(np.int64)))


_ONE_BYTE = np.zeros(1, np.bool_)


def _shape_probe(shape: tuple) -> np.ndarray:
    """An array of ``shape`` backed by one byte (all strides 0): indexing it validates an index
    against the shape at the cost of the result's size, not the tensor's."""
    return np.ndarray(shape, np.bool_, _ONE_BYTE, 0, (0,) * len(shape))


def _norm_index(idx: Any, x: Tensor, probe: bool = True) -> tuple:
    """Normalise an index: tuple form, Tensors and lists as NumPy arrays, with clear errors."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            i = i._data
            if i.dtype.kind == "f":
                raise IndexError(f"tensors used as indices must be long, int, byte or bool "
                                 f"tensors, got {_dtype.from_numpy_dtype(i.dtype)}")
            if i.ndim == 0 and i.dtype.kind in "iu":
                i = int(i)
        elif isinstance(i, list):
            i = np.asarray(i)
            if i.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool")
        elif isinstance(i, (float, np.floating)):
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(i).__name__})")
        elif isinstance(i, builtins.bool):
            i = np.asarray(i)
        out.append(i)
    idx = tuple(out)
    if not I.is_basic_index(idx) and any(i is Ellipsis for i in idx):
        # an Ellipsis that spans no dim must not separate index arrays (PyTorch: adjacent)
        used = sum(i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else
                   i is not None and i is not Ellipsis for i in idx)
        if used == x.ndim:
            idx = tuple(i for i in idx if i is not Ellipsis)
    try:  # validate here so a bad index names the tensor, not a NumPy internal
        if I.is_basic_index(idx):
            _check_basic(idx, x._data.shape)
        elif probe:
            _shape_probe(x._data.shape)[idx]
    except IndexError as e:
        raise _index_error(idx, x, e) from None
    return idx


def _index_error(idx: tuple, x: Tensor, e: Exception) -> IndexError:
    return IndexError(f"index {_idx_repr(idx)} is invalid for a tensor of shape "
                      f"{list(x.shape)}: {e}")


def _ints_first(idx: tuple) -> tuple | None:
    """PyTorch applies the integers of an index as selects before any index array, so the
    arrays left are what decides where the indexed dims go (NumPy instead counts an int as one
    more index array: ``x[0, :, [0, 1]]`` is (4, 2) in PyTorch, (2, 4) in NumPy for x of
    shape (3, 4, 5)). For an index mixing ints and arrays: (basic part, rest); else None."""
    if I.is_basic_index(idx) or not any(
            isinstance(i, (int, np.integer)) and not isinstance(i, builtins.bool) for i in idx):
        return None
    basic, rest = [], []
    for i in idx:
        if isinstance(i, np.ndarray):  # an index array: kept for the second step
            basic += [slice(None)] * (i.ndim if i.dtype == np.bool_ else 1)
            rest.append(i)
        elif i is Ellipsis:
            basic.append(i)
            rest.append(i)
        else:  # int (dim dropped now), slice (applied now), None (its new dim)
            basic.append(i)
            if not isinstance(i, (int, np.integer)):
                rest.append(slice(None))
    return tuple(basic), tuple(rest)


def _check_basic(idx: tuple, shape: tuple) -> None:
    dim = 0
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - n_real
        elif i is None:
            continue
        else:
            if isinstance(i, (int, np.integer)) and not -shape[dim] <= i < shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size "
                                 f"{shape[dim]}")
            dim += 1


def _idx_repr(idx: tuple) -> str:
    def one(i: Any) -> str:
        if isinstance(i, np.ndarray):
            return f"array(shape={list(i.shape)}, dtype={i.dtype})"
        return repr(i)

    return "(" + ", ".join(one(i) for i in idx) + ")"


def _unary_method(op: type, name: str, doc: str) -> Callable:
    def method(self: Tensor) -> Tensor:
        return op.apply(self)

    method.__name__ = name
    method.__doc__ = doc
    return method


def _float_unary_method(op: type, name: str, doc: str) -> Callable:
    """Unary math that PyTorch computes in floating point even for integer input."""

    def method(self: Tensor) -> Tensor:
        x = self if self._data.dtype.kind == "f" else self.to(_dtype.get_default_dtype())
        return op.apply(x)

    method.__name__ = name
    method.__doc__ = doc
    return method


for _name, _op, _doc in [
    ("neg", E.Neg, "-x"), ("negative", E.Neg, "-x"), ("abs", E.Abs, "|x|; gradient 0 at 0"),
    ("relu", E.Relu, "max(x, 0)"),
]:
    setattr(Tensor, _name, _unary_method(_op, _name, _doc))

for _name, _op, _doc in [
    ("exp", E.Exp, "e^x"), ("log", E.Log, "natural log"), ("log1p", E.Log1p, "log(1 + x)"),
    ("sqrt", E.Sqrt, "square root"), ("rsqrt", E.Rsqrt, "1 / sqrt(x)"),
    ("sin", E.Sin, "sine"), ("cos", E.Cos, "cosine"), ("tanh", E.Tanh, "hyperbolic tangent"),
    ("sigmoid", E.Sigmoid, "1 / (1 + e^-x), stable at any x"), ("silu", E.Silu, "x * sigmoid(x)"),
]:
    setattr(Tensor, _name, _float_unary_method(_op, _name, _doc))

engine.Tensor = Tensor
