"""The Tensor: a NumPy array plus what autograd needs to differentiate through it.

The class holds properties, conversions and the operators; every named op method
(``x.sum()``, ``x.reshape()``, ``x.clamp()`` ...) is installed from the op table
(``_ops/table.py``), which also generates the ``autograd_nn.*`` functions.
"""

from __future__ import annotations

import builtins
import weakref
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from . import _dtype
from ._dtype import dtype as DType
from ._dtype import is_float_np
from ._ops import elementwise as E
from ._ops import indexing as I
from ._ops import pointwise as P
from ._ops import shape as S
from ._ops import table
from ._ops.common import as_tensor_like, shape_arg, to_array, values_indices  # noqa: F401
from ._repr import tensor_repr
from .autograd import backward as _backward
from .autograd import engine
from .autograd.engine import Node, RemovableHandle, typed

_ndarray = np.ndarray
# the operators' hot path, bound once (a global lookup each instead of two)
_binary, _Add, _Sub, _Mul, _Div, _Pow = E.binary, E.Add, E.Sub, E.Mul, E.Div, E.Pow
_apply2 = engine.apply2


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


def device(spec: Any, index: int | None = None) -> _Device:
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

    __slots__ = ("_data", "_grad", "requires_grad", "_node", "_vc", "_base", "_hooks",
                 "_view_of", "_inference", "__weakref__")  # _inference: set only when True
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy operators defer to ours: ndarray * Tensor -> Tensor

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        d = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
        if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
            data = args[0]
            arr = data._data.astype(d) if isinstance(data, Tensor) else np.array(data, dtype=d)
        else:  # sizes (ints or one Size); none: an empty (0,) tensor, as torch.Tensor()
            sizes = args[0] if len(args) == 1 and isinstance(args[0], Size) else args
            arr = np.empty(tuple(int(a) for a in sizes) if args else (0,), dtype=d)
        self._data = arr
        self._grad = None
        self._node = None
        self._vc = None
        self._base = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _wrap(arr: Any, requires_grad: bool = False, cls: type | None = None,
              vc: list | None = None) -> Tensor:
        """A leaf Tensor (of class ``cls``: Parameter, Buffer...) around ``arr`` (no copy),
        sharing version counter ``vc`` if given."""
        t = object.__new__(cls or Tensor)
        t._data = arr if type(arr) is _ndarray else np.asarray(arr)
        t._grad = None
        t.requires_grad = requires_grad
        t._node = None
        t._vc = vc
        t._base = None
        t._hooks = None
        if engine._inference_ever:  # one read until inference mode is first entered
            engine.mark_inference(t)
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
        return _tuple_new(Size, self._data.shape)  # (ints already: no per-item check)

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
        """The node that made this tensor (None for a leaf), named as PyTorch names it:
        ``name()``, ``repr`` and ``type(...).__name__`` read ``MulBackward0``."""
        node = self._node
        return typed(node) if node is not None else None

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (same shape and dtype), or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:  # PyTorch's checks: a wrong gradient is refused, not kept
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and "
                                   f"the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype "
                                   f"'{value.dtype}' to a tensor with dtype '{self.dtype}'. "
                                   f"Please ensure that the gradient and the tensor have the "
                                   f"same dtype")
        tracer = engine.current_tracer()
        if tracer is not None:  # a compiled function recording: it must be able to repeat this
            tracer.grad_assigned(self)
        self._grad = value

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
        return is_float_np(self._data.dtype)

    def is_floating_point(self) -> bool:
        return is_float_np(self._data.dtype)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return _tuple_new(Size, self._data.shape)
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
        """The CUDA device index, -1 for a CPU tensor (every tensor here)."""
        return -1

    def is_inference(self) -> bool:
        """Whether this is an inference tensor: made in ``inference_mode`` (a view: its base)."""
        t = self if self._base is None else self._base
        return getattr(t, "_inference", False)  # the slot is set only when True

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
        """NumPy's view of the data: shared by ``np.asarray(t)`` (as PyTorch's), a copy for
        ``np.array(t)`` (NumPy 2 passes ``copy=True`` and trusts the result not to alias)."""
        a = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return a.copy() if copy and a is self._data else a

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

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """The legacy type name (``'torch.FloatTensor'``) without an argument; else this tensor
        cast to ``dtype``: a dtype, a legacy tensor type or its name (``'torch.IntTensor'``)."""
        if dtype is None:
            return f"torch.{_CATEGORY_NAME.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str):
            name = dtype.removeprefix("torch.")
            by_name = {v: k for k, v in _CATEGORY_NAME.items()}
            if name not in by_name:
                raise ValueError(f"invalid type: {dtype!r}")
            dtype = getattr(_dtype, by_name[name])
        else:
            dtype = getattr(dtype, "dtype", dtype)  # a legacy type (torch.DoubleTensor)
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
        """A new leaf holding a copy of ``data`` (this tensor's dtype unless ``dtype``)."""
        t = Tensor._wrap(np.array(to_array(data, dtype or self.dtype), copy=True))
        return t.requires_grad_(True) if requires_grad else t

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """A new leaf of ``size`` filled with ``fill_value`` (this tensor's dtype by default)."""
        d = _dtype.to_dtype(dtype or self.dtype).np
        t = Tensor._wrap(np.full(shape_arg((size,)), fill_value, dtype=d))
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(self, *size: Any, **kw: Any) -> Tensor:
        return self.new_full(shape_arg(size), 0, **kw)

    new_empty = new_zeros

    def new_ones(self, *size: Any, **kw: Any) -> Tensor:
        return self.new_full(shape_arg(size), 1, **kw)

    # --------------------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not is_float_np(self._data.dtype):
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
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs)

    # ------------------------------------------------------------------------- operators
    # The arithmetic operators' fast path: a tensor of the same dtype (no promotion, no bool
    # check to make) goes straight to the Op (engine.apply2); anything else, and a ValueError
    # (shapes that do not broadcast), goes through binary, which promotes and words the errors.
    def __add__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and self._data.dtype is other._data.dtype:
            try:
                return engine.apply2(_Add, self, other)
            except ValueError:
                pass
        return _binary(_Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_Add, self, other, True)

    def __sub__(self, other: Any) -> Tensor:
        if (isinstance(other, Tensor) and (d := self._data.dtype) is other._data.dtype
                and d.kind != "b"):
            try:
                return engine.apply2(_Sub, self, other)
            except ValueError:
                pass
        E.no_bool_sub(self, other)
        return _binary(_Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        E.no_bool_sub(self, other)
        return _binary(_Sub, self, other, True)

    def __mul__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and self._data.dtype is other._data.dtype:
            try:
                return engine.apply2(_Mul, self, other)
            except ValueError:
                pass
        return _binary(_Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_Mul, self, other, True)

    def __truediv__(self, other: Any) -> Tensor:
        if (isinstance(other, Tensor) and (d := self._data.dtype) is other._data.dtype
                and d.kind == "f"):
            try:
                return _apply2(_Div, self, other)
            except ValueError:
                pass
        return _binary(_Div, self, other, False, True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_Div, self, other, True, True)

    def __pow__(self, other: Any) -> Tensor:
        E.no_bool_kernel(self, other, "pow")
        return _binary(_Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        E.no_bool_kernel(self, other, "pow")
        return _binary(_Pow, self, other, True)

    def __matmul__(self, other: Any) -> Tensor:
        return I.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return I.matmul(as_tensor_like(other, self), self)

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

    # // and a number % tensor have no derivative in PyTorch (recorded; backward raises);
    # tensor % other is remainder, differentiable
    def __floordiv__(self, other: Any) -> Tensor:
        return P.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        E.no_bool_kernel(self, other, "div_floor_cpu")
        out = E.rounding_divide(self, other, np.floor_divide, True)
        return P.recorded("floor_divide", out._data, self)

    def __mod__(self, other: Any) -> Tensor:
        E.no_bool_kernel(self, other, "remainder_cpu")
        return P.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        E.no_bool_kernel(self, other, "remainder_cpu")
        return P.recorded("remainder", E.rounding_divide(self, other, np.mod, True)._data, self)

    # comparisons and logic: never differentiable
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return E.compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return E.compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return E.compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return E.compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return E.compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return E.compare(np.greater_equal, self, other)

    def __and__(self, other: Any) -> Tensor:
        return E.compare(np.bitwise_and, self, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return E.compare(np.bitwise_or, self, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return E.compare(np.bitwise_xor, self, other)

    __rxor__ = __xor__

    def __invert__(self) -> Tensor:
        return Tensor._wrap(np.invert(self._data))

    def __getitem__(self, idx: Any) -> Tensor:
        return I.getitem(self, idx)


    def __setitem__(self, idx: Any, value: Any) -> None:
        I.setitem(self, idx, value)

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


_tuple_new = tuple.__new__


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as PyTorch's ``torch.Size``."""

    def __new__(cls, sizes: Any = ()) -> Size:
        sizes = tuple(sizes)
        for i, s in enumerate(sizes):
            if not isinstance(s, (int, np.integer)):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')")
        return super().__new__(cls, sizes)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self)) if self else 1


_CATEGORY_NAME = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                  "int32": "IntTensor", "bool": "BoolTensor", "float16": "HalfTensor",
                  "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor"}


def typename(x: Any, legacy: bool = False) -> str:
    """``x``'s type for error messages, as ``torch.typename``: a Tensor as ``torch.Tensor``
    (its class, as PyTorch prints it), or with ``legacy`` as ``torch.FloatTensor`` (the
    optimizer's wording, as PyTorch's); other objects as ``module.Class``."""
    if isinstance(x, Tensor):
        if legacy:
            return "torch." + _CATEGORY_NAME.get(x.dtype.name, "Tensor")
        return "torch." + type(x).__name__
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._wrap(data, requires_grad)


# The engine (Op.apply) makes its outputs as Tensors and the op modules read the class from it;
# the op table adds the named methods (x.sum(), x.reshape(), x.add_() ...).


engine.register_tensor_type(Tensor)
table.install_methods(Tensor)
