"""dtypes mirroring PyTorch's names, each backed by a NumPy dtype, and the promotion rules."""

from __future__ import annotations

from typing import Any

import numpy as np


class dtype:  # noqa: N801 - mirrors torch.dtype
    """A tensor element type (``autograd_nn.float32`` ...; printed as PyTorch prints it,
    ``torch.float32``, so a tutorial's output reads the same). ``np`` is the NumPy dtype."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name: str, np_dtype: Any, category: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_signed = category == 2 or self.np.kind == "i"
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"torch.{self.name}"  # printed as PyTorch prints it

    def __reduce__(self) -> str:
        return self.name


float16 = half = dtype("float16", np.float16, 2)
float32 = float = dtype("float32", np.float32, 2)  # noqa: A001 - torch.float is float32
float64 = double = dtype("float64", np.float64, 2)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = short = dtype("int16", np.int16, 1)
int32 = int = dtype("int32", np.int32, 1)  # noqa: A001 - torch.int is int32
int64 = long = dtype("int64", np.int64, 1)
bool = dtype("bool", np.bool_, 0)  # noqa: A001 - torch.bool

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NP: dict = {d.np: d for d in ALL}

_default_float = [float32]


def is_float_np(d: np.dtype) -> _b.bool:
    """Whether NumPy dtype ``d`` is a floating-point tensor dtype: kind 'f', or bfloat16
    (``ml_dtypes``' bfloat16 has kind 'V', which NumPy's own kind checks take for non-float).
    The one predicate every dtype decision and float-only check uses."""
    return d.kind == "f" or (d.kind == "V" and d.name == "bfloat16")


def np_kind(d: np.dtype) -> str:
    """``d.kind``, with bfloat16 counted as 'f' (see ``is_float_np``): for checks against a set
    of kinds (``"biu"``, ``"biuf"``)."""
    return "f" if is_float_np(d) else d.kind


def get_default_dtype() -> dtype:
    """The dtype Python floats become (float32 unless changed)."""
    return _default_float[0]


def set_default_dtype(d: Any) -> None:
    """Set the dtype Python floats become; float32 or float64 (or float16)."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {d}")
    _default_float[0] = d


def from_numpy_dtype(np_dtype: Any) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        d = np.dtype(np_dtype)
        if d in _FROM_NP:
            return _FROM_NP[d]
        if is_float_np(d):  # ml_dtypes' bfloat16 before autograd_nn.bfloat16 was first used
            return get_bfloat16()
        raise TypeError(f"NumPy dtype {d} has no autograd_nn equivalent (supported: "
                        f"{', '.join(x.name for x in ALL)})") from None


def to_dtype(d: Any) -> dtype:
    """Accept an autograd_nn dtype, a NumPy dtype/type, a Python type or a dtype name."""
    if type(d) is dtype:
        return d
    if d is builtins_float:
        return get_default_dtype()
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if isinstance(d, str):
        d = d.replace("torch.", "").replace("autograd_nn.", "")
        aliases = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                   "int": "int32", "short": "int16"}
        d = aliases.get(d, d)
    if hasattr(d, "dtype") and not isinstance(d, type):
        d = d.dtype
    return from_numpy_dtype(np.dtype(d))


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


def np_result_type(arrays_and_dims: list) -> np.dtype:
    """PyTorch promotion for tensor operands given as (np.dtype, is_zero_dim) pairs.

    Dimensioned tensors dominate zero-dim ones of the same or lower category; across
    categories (bool < integer < floating) the higher category wins.
    """
    dim_cat = -1
    dim_types = []
    zero_types = []
    for dt, zero in arrays_and_dims:
        (zero_types if zero else dim_types).append(dt)
    result = None
    if dim_types:
        result = _promote_same_priority(dim_types)
        dim_cat = _FROM_NP[result]._category
    if zero_types:
        z = _promote_same_priority(zero_types)
        zc = _FROM_NP[z]._category
        if result is None:
            return z
        if zc > dim_cat:
            return z
    return result


def _promote_same_priority(types: list) -> np.dtype:
    res = types[0]
    for t in types[1:]:
        if t == res:
            continue
        ca, cb = _FROM_NP[res]._category, _FROM_NP[t]._category
        if ca != cb:
            res = res if ca > cb else t
        else:
            res = np.promote_types(res, t)
    return res


_DEFAULT_OF_CATEGORY = {0: np.dtype(np.bool_), 1: np.dtype(np.int64)}


def promote(*operands: Any, floating: _b.bool = False, wide_ints: _b.bool = False) -> np.dtype:
    """The result dtype of an op on ``operands``, PyTorch's rule, written once for every op.

    Operands are NumPy arrays (a tensor's ``_data``; 0-d arrays are zero-dim tensors), Python or
    NumPy scalars ("weak": they only raise the category) or None (ignored). Three tiers, highest
    first: dimensioned tensors, zero-dim tensors, scalars; a lower tier changes the result only
    when its category (bool < integer < floating) is higher, and scalars then give that
    category's default (int64, or the default float dtype). ``floating``: a bool or integer
    result becomes the default float dtype (true division, exp of an int...); ``wide_ints``: a
    bool or integer result becomes int64 (sum, cumsum, cumprod).
    """
    dims: list = []
    zeros: list = []
    scat = -1
    for x in operands:
        if type(x) is np.ndarray:
            (dims if x.ndim else zeros).append(x.dtype)
        elif x is None:
            continue
        else:
            if isinstance(x, np.generic):
                x = x.item()
            if isinstance(x, _b.bool):
                scat = max(scat, 0)
            elif isinstance(x, _b.int):
                scat = max(scat, 1)
            elif isinstance(x, _b.float):
                scat = 2
            else:
                raise TypeError(f"promote: unsupported operand type {type(x).__name__} (expected "
                                f"an array or a Python number)")
    if dims or zeros:
        res = np_result_type([(d, False) for d in dims] + [(z, True) for z in zeros])
        if scat > _FROM_NP[res]._category:
            res = get_default_dtype().np if scat == 2 else _DEFAULT_OF_CATEGORY[scat]
    elif scat >= 0:
        res = get_default_dtype().np if scat == 2 else _DEFAULT_OF_CATEGORY[scat]
    else:
        raise TypeError("promote: no operand to take a dtype from")
    if not is_float_np(res):
        if floating:
            return get_default_dtype().np
        if wide_ints:
            return _DEFAULT_OF_CATEGORY[1]
    return res


def scalar_dtype(value: Any, other: np.dtype) -> np.dtype:
    """dtype a Python scalar takes when combined with a tensor of dtype ``other``."""
    cat = _FROM_NP[other]._category
    if isinstance(value, _b.bool):
        return other
    if isinstance(value, _b.int):
        return other if cat >= 1 else np.dtype(np.int64)
    if isinstance(value, _b.float):
        return other if cat == 2 else get_default_dtype().np
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


_bfloat16: list = []  # built once (dtypes compare by identity)


def get_bfloat16() -> Any:
    """``bfloat16`` backed by ``ml_dtypes`` (a dtype object computations accept as NumPy
    does); without ``ml_dtypes`` a placeholder whose use raises, naming the extra. Built on
    first use (``autograd_nn.bfloat16``), once."""
    if not _bfloat16:
        try:
            import ml_dtypes  # optional extra: `import autograd_nn` needs only NumPy
        except ImportError:
            _bfloat16.append(_MissingDtype("bfloat16", "ml_dtypes"))
        else:
            bf16 = dtype("bfloat16", ml_dtypes.bfloat16, 2)
            _FROM_NP.setdefault(bf16.np, bf16)  # tensors holding ml_dtypes' bfloat16 report it
            _bfloat16.append(_FROM_NP[bf16.np])
    return _bfloat16[0]


class _MissingDtype:
    """A dtype name that exists (so ``torch.bfloat16`` imports) but needs an optional package
    before any tensor can have it."""

    is_floating_point = True
    is_complex = False
    is_signed = True

    def __init__(self, name: str, package: str) -> None:
        self.name = name
        self._package = package

    @property
    def np(self) -> Any:
        raise TypeError(f"autograd_nn.{self.name} needs the {self._package} package "
                        f"(pip install {self._package}) to compute in {self.name}")

    def __repr__(self) -> str:
        return f"autograd_nn.{self.name}"
