"""Lazy modules: ``LazyLinear(out_features)``, ``LazyConv2d(out_channels, k)``,
``LazyBatchNorm1d()``... infer their input size (``in_features``, ``in_channels``,
``num_features``) from the first input, then allocate and initialise their parameters exactly
as the eager module would and turn into it (``type(m)`` becomes ``Linear``, ``Conv2d``...), as
PyTorch's. Until then their parameters are :class:`UninitializedParameter` (an optimizer may
already hold them: materialising fills the same objects). Construction draws no random
numbers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ... import _dtype, random
from ...autograd import no_grad
from ...tensor import Tensor
from ..parameter import Parameter
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .module import Module
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)

__all__ = ["UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
           "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]


def _np_dtype(dtype: Any) -> np.dtype:
    return (_dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()).np


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet; ``materialize(shape)`` allocates it in place
    and makes it a plain :class:`Parameter`."""

    __slots__ = ()

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return super().__new__(cls, Tensor._wrap(np.empty((0,), _np_dtype(dtype))),
                               requires_grad)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # everything happens in __new__

    def __deepcopy__(self, memo: dict) -> UninitializedParameter:
        return type(self)(self.requires_grad, dtype=_dtype.from_numpy_dtype(self._data.dtype))

    def materialize(self, shape: tuple, device: Any = None, dtype: Any = None) -> None:
        self._data = np.empty(tuple(shape), self._data.dtype if dtype is None
                              else _np_dtype(dtype))
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (see :class:`UninitializedParameter`)."""

    __slots__ = ()

    def __new__(cls, requires_grad: bool = False, device: Any = None,
                dtype: Any = None) -> UninitializedBuffer:
        t = Tensor._wrap(np.empty((0,), _np_dtype(dtype)))
        t.__class__ = cls
        return t

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def materialize(self, shape: tuple, device: Any = None, dtype: Any = None) -> None:
        self._data = np.empty(tuple(shape), self._data.dtype if dtype is None
                              else _np_dtype(dtype))
        self.__class__ = Tensor

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


def _is_uninit(t: Any) -> bool:
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))


class LazyModuleMixin:
    """Runs ``initialize_parameters(*input)`` before the first forward, then becomes
    ``cls_to_become``."""

    cls_to_become: type | None = None

    def _lazy_setup(self, base: type, args: tuple, kwargs: dict, params: tuple,
                    buffers: tuple = ()) -> None:
        # the eager constructor with a zero input size, without its warnings or random draws
        state = random.get_rng_state()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base.__init__(self, *args, **kwargs)
        random.set_rng_state(state)
        dtype = kwargs.get("dtype")
        for name in params:
            if getattr(self, name) is not None:
                setattr(self, name, UninitializedParameter(dtype=dtype))
        for name in buffers:
            if getattr(self, name) is not None:
                self.register_buffer(name, UninitializedBuffer(dtype=dtype))
        self._lazy_hook = self.register_forward_pre_hook(LazyModuleMixin._infer_parameters)

    def has_uninitialized_params(self) -> bool:
        return any(_is_uninit(t) for t in list(self.parameters()) + list(self.buffers()))

    @staticmethod
    def _infer_parameters(module: Any, args: tuple) -> None:
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
        module._lazy_hook.remove()
        del module._lazy_hook
        module.__class__ = module.cls_to_become

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params():
            self.cls_to_become.reset_parameters(self)  # type: ignore[union-attr]


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dimension of the first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        self._lazy_setup(Linear, (0, out_features, bias), dict(device=device, dtype=dtype),
                         ("weight", "bias"))

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = int(input.shape[-1])
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                Linear.reset_parameters(self)


class _LazyConv(LazyModuleMixin):
    _base: type = Conv2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        self._lazy_setup(self._base, (0, out_channels, kernel_size, stride, padding, dilation,
                                      groups, bias, padding_mode),
                         dict(device=device, dtype=dtype), ("weight", "bias"))

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        nd = self._base._nd
        batched = input.dim() == nd + 2
        c = int(input.shape[1] if batched else input.shape[0])
        if c % self.groups:
            raise ValueError(f"{self._base.__name__}: in_channels ({c}) must be divisible by "
                             f"groups ({self.groups})")
        with no_grad():
            self.in_channels = c
            shape = ((c, self.out_channels // self.groups) if self.transposed
                     else (self.out_channels, c // self.groups)) + tuple(self.kernel_size)
            self.weight.materialize(shape)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self._base.reset_parameters(self)


class _LazyConvTranspose(_LazyConv):
    _base: type = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        self._lazy_setup(self._base, (0, out_channels, kernel_size, stride, padding,
                                      output_padding, groups, bias, dilation, padding_mode),
                         dict(device=device, dtype=dtype), ("weight", "bias"))


def _lazy_conv(name: str, base: type, parent: type) -> type:
    return type(name, (parent, base), {"_base": base, "cls_to_become": base,
                                       "__doc__": f"``{base.__name__}`` whose ``in_channels`` "
                                                  f"comes from the first input."})


LazyConv1d = _lazy_conv("LazyConv1d", Conv1d, _LazyConv)
LazyConv2d = _lazy_conv("LazyConv2d", Conv2d, _LazyConv)
LazyConv3d = _lazy_conv("LazyConv3d", Conv3d, _LazyConv)
LazyConvTranspose1d = _lazy_conv("LazyConvTranspose1d", ConvTranspose1d, _LazyConvTranspose)
LazyConvTranspose2d = _lazy_conv("LazyConvTranspose2d", ConvTranspose2d, _LazyConvTranspose)
LazyConvTranspose3d = _lazy_conv("LazyConvTranspose3d", ConvTranspose3d, _LazyConvTranspose)


class _LazyNorm(LazyModuleMixin):
    # PyTorch's lazy norms default to affine and tracked statistics, instance norms included
    _base: type = BatchNorm1d
    _defaults = dict(affine=True, track_running_stats=True)

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool | None = None,
                 track_running_stats: bool | None = None, device: Any = None,
                 dtype: Any = None) -> None:
        affine = self._defaults["affine"] if affine is None else affine
        track = self._defaults["track_running_stats"] if track_running_stats is None \
            else track_running_stats
        self._lazy_setup(self._base, (0, eps, momentum, affine, track),
                         dict(device=device, dtype=dtype), ("weight", "bias"),
                         ("running_mean", "running_var"))

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        unbatched = input.dim() == min(self._base._ndims) and issubclass(
            self._base, (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d))
        self.num_features = int(input.shape[0] if unbatched else input.shape[1])
        with no_grad():
            for name in ("weight", "bias", "running_mean", "running_var"):
                t = getattr(self, name, None)
                if _is_uninit(t):
                    t.materialize((self.num_features,))
            self._base.reset_parameters(self)


def _lazy_norm(name: str, base: type, affine: bool, track: bool) -> type:
    return type(name, (_LazyNorm, base), {
        "_base": base, "cls_to_become": base,
        "_defaults": dict(affine=affine, track_running_stats=track),
        "__doc__": f"``{base.__name__}`` whose ``num_features`` comes from the first input."})


LazyBatchNorm1d = _lazy_norm("LazyBatchNorm1d", BatchNorm1d, True, True)
LazyBatchNorm2d = _lazy_norm("LazyBatchNorm2d", BatchNorm2d, True, True)
LazyBatchNorm3d = _lazy_norm("LazyBatchNorm3d", BatchNorm3d, True, True)
LazyInstanceNorm1d = _lazy_norm("LazyInstanceNorm1d", InstanceNorm1d, True, True)
LazyInstanceNorm2d = _lazy_norm("LazyInstanceNorm2d", InstanceNorm2d, True, True)
LazyInstanceNorm3d = _lazy_norm("LazyInstanceNorm3d", InstanceNorm3d, True, True)

del Module
