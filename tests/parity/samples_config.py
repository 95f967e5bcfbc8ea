"""Parity samples for configuration, state and construction names (grad modes, RNG state,
threads, determinism, dtypes and their limits, devices, legacy tensor types, serialization,
DLPack) and the op-like names left without samples. Where results cannot be equal (a random
seed, an RNG state's bytes, a context-manager object), ``check=`` compares what is comparable:
types, fields, and round trips run in both libraries, restoring the global state they
change."""

from __future__ import annotations

import io

import numpy as np
import torch
from parity_samples import A, B, I, S, V

import autograd_nn as ag

SAMPLES: dict = {}
LIBS = (ag, torch)


def _shape_dtype(ours, theirs) -> None:
    """Uninitialised memory: the shape and dtype must match."""
    assert tuple(ours.shape) == tuple(theirs.shape), (tuple(ours.shape), tuple(theirs.shape))
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)


def _same_type_name(ours, theirs) -> None:
    assert type(ours).__name__ == type(theirs).__name__, (type(ours), type(theirs))


def _both_int(ours, theirs) -> None:
    assert type(ours) is int and type(theirs) is int, (ours, theirs)


def _both_positive_int(ours, theirs) -> None:
    _both_int(ours, theirs)
    assert ours >= 1 and theirs >= 1


# --- legacy tensor types, Tensor, Size
for _n, _vals in (("FloatTensor", [1.5, -2.0]), ("DoubleTensor", [1.5, -2.0]),
                  ("HalfTensor", [1.5, -2.0]), ("LongTensor", [1, -2]), ("IntTensor", [1, -2]),
                  ("ShortTensor", [1, -2]), ("CharTensor", [1, -2]), ("ByteTensor", [1, 2]),
                  ("BoolTensor", [1, 0, 2])):
    SAMPLES[_n] = [S(_vals), S([_vals, _vals]), S(2, 3, check=_shape_dtype),
                   S((4,), check=_shape_dtype) if _n != "HalfTensor" else S(0, check=_shape_dtype),
                   S([[1], [2, 3]], raises=True)]
def _sized(ours, theirs) -> None:
    """Tensor() is empty (0,); Tensor(Size) takes the Size as sizes, not values."""
    _shape_dtype(ours, theirs)
    _shape_dtype(ag.Tensor(ag.Size([2, 3])), torch.Tensor(torch.Size([2, 3])))


SAMPLES["Tensor"] = [S([1.0, 2.0]), S([[1, 2], [3, 4]]), S(2, 3, check=_shape_dtype),
                     S(check=_sized), S([[1], [2, 3]], raises=True)]
SAMPLES["Size"] = [S([2, 3]), S((4,)), S(()), S([2.5], raises=True)]


# --- creation without values, NumPy and buffers, DLPack
SAMPLES["empty"] = [S(2, 3, check=_shape_dtype), S((4,), dtype="dtype:int64", check=_shape_dtype),
                    S(size=(2, 1), check=_shape_dtype), S(0, check=_shape_dtype)]
SAMPLES["empty_like"] = [S(A(2, 3), check=_shape_dtype), S(I(3), check=_shape_dtype),
                         S(A(2), dtype="dtype:int32", check=_shape_dtype)]
SAMPLES["from_numpy"] = [S(np.arange(6.0).reshape(2, 3)), S(np.array([1, 2], np.int32)),
                         S(np.array([True, False])), S(np.full((2, 2), 1.5, np.float32)),
                         S([1, 2], raises=True)]
SAMPLES["frombuffer"] = [
    S(bytearray(np.arange(4, dtype=np.float32).tobytes()), dtype="dtype:float32"),
    S(bytearray(np.arange(4, dtype=np.float32).tobytes()), dtype="dtype:float32", count=2,
      offset=4),
    S(bytearray(b"abcd"), dtype="dtype:int16"), S(bytearray(b"abc"), dtype="dtype:int16",
                                                   raises=True)]
SAMPLES["from_dlpack"] = [S(np.arange(3.0)), S(np.arange(6, dtype=np.int32).reshape(2, 3))]


def _dlpack_round_trip(ours, theirs) -> None:
    """A capsule each: either library reads the other's."""
    assert type(ours).__name__ == type(theirs).__name__ == "PyCapsule"
    x = np.arange(5.0)
    for mine, other in ((ag, torch), (torch, ag)):
        back = other.from_dlpack(mine.to_dlpack(mine.tensor(x)))
        np.testing.assert_array_equal(back.numpy(), x)


SAMPLES["to_dlpack"] = [S(A(3, grad=False), check=_dlpack_round_trip)]


# --- dtypes and their limits, devices
_FINFO = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution")


def _fields(names: tuple):
    def check(ours, theirs) -> None:
        for f in names:
            assert getattr(ours, f) == getattr(theirs, f), (f, getattr(ours, f),
                                                             getattr(theirs, f))
        assert str(ours.dtype) == str(theirs.dtype)
    return check


SAMPLES["finfo"] = [S(check=_fields(_FINFO))] + [
    S(f"dtype:{d}", check=_fields(_FINFO)) for d in ("float16", "float32", "float64")] + [
    S("dtype:int64", raises=True)]
SAMPLES["iinfo"] = [S(f"dtype:{d}", check=_fields(("bits", "max", "min")))
                    for d in ("uint8", "int8", "int16", "int32", "int64")] + [
    S("dtype:float32", raises=True), S("dtype:bool", raises=True)]
SAMPLES["dtype"] = [S(raises=True)]  # not constructible: only the library's own dtypes


def _device(ours, theirs) -> None:
    assert (str(ours), ours.type, ours.index) == (str(theirs), theirs.type, theirs.index)
    assert ours == ag.device("cpu") and theirs == torch.device("cpu")


SAMPLES["device"] = [S("cpu", check=_device), S(raises=True)]
SAMPLES["get_default_device"] = [S(check=_device)]
SAMPLES["set_default_device"] = [S("cpu")]


# --- grad modes
def _grad_mode(inside: bool):
    """A grad-mode context manager: the mode inside, as a decorator too, restored after."""
    def check(ours, theirs) -> None:
        for lib, cm in ((ag, ours), (torch, theirs)):
            before = lib.is_grad_enabled()
            with cm:
                assert lib.is_grad_enabled() is inside, (lib.__name__, type(cm).__name__)
                y = lib.ones(2, requires_grad=True) * 2
                assert y.requires_grad is inside
            assert lib.is_grad_enabled() is before
    return check


def _decorates(name: str, inside: bool):
    def check(ours, theirs) -> None:
        for lib in LIBS:
            mode = getattr(lib, name)()(lib.is_grad_enabled)  # as a decorator
            assert mode() is inside, (lib.__name__, name)
    return check


for _n, _inside in (("no_grad", False), ("enable_grad", True), ("inference_mode", False)):
    SAMPLES[_n] = [S(check=_grad_mode(_inside)), S(check=_decorates(_n, _inside))]
SAMPLES["inference_mode"] += [S(False, check=_grad_mode(True))]
SAMPLES["set_grad_enabled"] = [S(True, check=_grad_mode(True))]


def _set_grad_enabled_as_function(ours, theirs) -> None:
    for lib in LIBS:
        try:
            lib.set_grad_enabled(False)
            assert lib.is_grad_enabled() is False
        finally:
            lib.set_grad_enabled(True)
        assert lib.is_grad_enabled() is True


SAMPLES["set_grad_enabled"] += [S(True, check=_set_grad_enabled_as_function)]


# --- anomaly mode, warnings, determinism, matmul precision (round trips, restored)
def _round_trip(getter: str, setter: str, values: tuple):
    def check(ours, theirs) -> None:
        for lib in LIBS:
            before = getattr(lib, getter)()
            try:
                for v in values:
                    getattr(lib, setter)(v)
                    assert getattr(lib, getter)() == v, (lib.__name__, setter, v)
            finally:
                getattr(lib, setter)(before)
    return check


SAMPLES["is_anomaly_enabled"] = [S()]
SAMPLES["is_anomaly_check_nan_enabled"] = [S()]
SAMPLES["set_anomaly_enabled"] = [
    S(False, check=_round_trip("is_anomaly_enabled", "set_anomaly_enabled", (True, False)))]
SAMPLES["is_warn_always_enabled"] = [S()]
SAMPLES["set_warn_always"] = [
    S(False, check=_round_trip("is_warn_always_enabled", "set_warn_always", (True, False)))]
SAMPLES["are_deterministic_algorithms_enabled"] = [S()]
SAMPLES["is_deterministic_algorithms_warn_only_enabled"] = [S()]
SAMPLES["get_deterministic_debug_mode"] = [S()]
SAMPLES["use_deterministic_algorithms"] = [
    S(False, check=_round_trip("are_deterministic_algorithms_enabled",
                               "use_deterministic_algorithms", (True, False)))]
SAMPLES["set_deterministic_debug_mode"] = [
    S(0, check=_round_trip("get_deterministic_debug_mode", "set_deterministic_debug_mode",
                           (1, 2, 0))),
    S("default"), S(5, raises=True), S("bogus", raises=True)]
SAMPLES["get_float32_matmul_precision"] = [S()]
SAMPLES["set_float32_matmul_precision"] = [
    S("highest", check=_round_trip("get_float32_matmul_precision",
                                   "set_float32_matmul_precision", ("high", "medium", "highest")))]


def _default_dtype_round_trip(ours, theirs) -> None:
    for lib in LIBS:
        try:
            lib.set_default_dtype(lib.float64)
            assert lib.get_default_dtype() == lib.float64
            assert lib.tensor(1.5).dtype == lib.float64 and lib.ones(2).dtype == lib.float64
        finally:
            lib.set_default_dtype(lib.float32)
        assert lib.tensor(1.5).dtype == lib.float32


SAMPLES["set_default_dtype"] = [S("dtype:float32", check=_default_dtype_round_trip),
                                S("dtype:int64", raises=True)]


# --- autocast
def _autocast(ours, theirs) -> None:
    for lib, cm in ((ag, ours), (torch, theirs)):
        assert lib.is_autocast_enabled("cpu") is False
        with cm:
            assert lib.is_autocast_enabled("cpu") is True
            assert str(lib.get_autocast_dtype("cpu")) == "torch.bfloat16"
        assert lib.is_autocast_enabled("cpu") is False


SAMPLES["autocast"] = [S("cpu", check=_autocast), S("cpu", enabled=False, check=_same_type_name)]
SAMPLES["is_autocast_enabled"] = [S(), S("cpu")]
SAMPLES["get_autocast_dtype"] = [S("cpu")]


# --- threads (set to the value PyTorch has now: nothing changes)
_THREADS = torch.get_num_threads()
SAMPLES["get_num_threads"] = [S(check=_both_positive_int)]
SAMPLES["get_num_interop_threads"] = [S(check=_both_positive_int)]
SAMPLES["init_num_threads"] = [S()]


def _threads(ours, theirs) -> None:
    for lib in LIBS:
        assert lib.get_num_threads() == _THREADS, lib.__name__


SAMPLES["set_num_threads"] = [S(_THREADS, check=_threads), S(0, raises=True)]
# (PyTorch refuses any call once parallel work has started: only the refusals compare)
SAMPLES["set_num_interop_threads"] = [S(0, raises=True), S(-2, raises=True)]


# --- random state and generators
def _seeded(ours, theirs) -> None:
    """manual_seed returns the generator, and seeding again repeats the draws."""
    _same_type_name(ours, theirs)
    for lib, g in ((ag, ours), (torch, theirs)):
        assert g.initial_seed() == lib.initial_seed() == 3
        a = lib.rand(4)
        lib.manual_seed(3)
        np.testing.assert_array_equal(lib.rand(4).numpy(), a.numpy())


def _seed(ours, theirs) -> None:
    _both_int(ours, theirs)
    assert ours == ag.initial_seed() and theirs == torch.initial_seed()


def _rng_state(ours, theirs) -> None:
    """A 1-D uint8 tensor (its size is the library's own), that set_rng_state restores."""
    for lib, state in ((ag, ours), (torch, theirs)):
        assert state.dtype == lib.uint8 and state.ndim == 1, (state.dtype, state.shape)
        a = lib.rand(5)
        lib.set_rng_state(state)
        np.testing.assert_array_equal(lib.rand(5).numpy(), a.numpy())


def _generator(ours, theirs) -> None:
    _same_type_name(ours, theirs)
    for lib, g in ((ag, ours), (torch, theirs)):
        assert g.manual_seed(5) is g and g.initial_seed() == 5
        state = g.get_state()
        assert state.dtype == lib.uint8
        a = lib.rand(3, generator=g)
        assert g.set_state(state) is g
        np.testing.assert_array_equal(lib.rand(3, generator=g).numpy(), a.numpy())
        assert isinstance(g.seed(), int)


SAMPLES["manual_seed"] = [S(3, check=_seeded)]
SAMPLES["seed"] = [S(check=_seed)]
SAMPLES["initial_seed"] = [S(check=_both_int)]
SAMPLES["get_rng_state"] = [S(check=_rng_state)]
SAMPLES["set_rng_state"] = [S(V(np.zeros(10, np.uint8)), raises=True), S(A(3), raises=True)]
SAMPLES["Generator"] = [S(check=_generator), S("cpu", check=_generator)]


# --- mixed precision
_SCALER = ("get_scale", "is_enabled", "get_growth_factor", "get_backoff_factor",
           "get_growth_interval")


def _scaler(ours, theirs) -> None:
    for m in _SCALER:
        assert getattr(ours, m)() == getattr(theirs, m)(), m


SAMPLES["GradScaler"] = [S("cpu", check=_scaler),
                         S("cpu", init_scale=128.0, growth_factor=3.0, backoff_factor=0.25,
                           growth_interval=10, check=_scaler),
                         S("cpu", enabled=False, check=lambda o, t: o.is_enabled() is
                           t.is_enabled() is False)]


# --- errors
def _linalg_error(ours, theirs) -> None:
    assert isinstance(ours, RuntimeError) and isinstance(theirs, RuntimeError)
    assert str(ours) == str(theirs)


SAMPLES["linalg.LinAlgError"] = [S("singular", check=_linalg_error)]


# --- serialization: each library reads back what it wrote (the formats differ by design:
# autograd_nn writes safetensors and never unpickles)
def _save_load(ours, theirs) -> None:
    assert ours is None and theirs is None
    back = []
    for lib in LIBS:
        buf = io.BytesIO()
        obj = {"w": lib.tensor(np.arange(6.0).reshape(2, 3)), "n": 3,
               "i": lib.tensor([1, 2], dtype=lib.int32), "t": (1.5, "x")}
        lib.save(obj, buf)
        buf.seek(0)
        back.append(lib.load(buf))
    o, t = back
    assert set(o) == set(t) and o["n"] == t["n"] == 3 and tuple(o["t"]) == tuple(t["t"])
    for k in ("w", "i"):
        assert str(o[k].dtype) == str(t[k].dtype)
        np.testing.assert_array_equal(o[k].numpy(), t[k].numpy())


SAMPLES["save"] = [S(A(2, 3, grad=False), io.BytesIO(), check=_save_load)]
SAMPLES["load"] = [S("/nonexistent-dir/checkpoint.pt", raises=True)]


# --- Tensor methods of autograd itself
def _handle(ours, theirs) -> None:
    assert callable(ours.remove) and callable(theirs.remove)


SAMPLES["Tensor.backward"] = [S(A(3, 4), V(np.ones((3, 4)))), S(A(3, 4), raises=True),
                              S(A(3, grad=False), V(np.ones(3)), raises=True),
                              S(A(3), V(np.ones(4)), raises=True)]
SAMPLES["Tensor.register_hook"] = [S(A(3), lambda g: g * 2, check=_handle),
                                   S(A(3, grad=False), lambda g: g, raises=True)]
SAMPLES["Tensor.retain_grad"] = [S(A(3)), S(A(3, grad=False), raises=True)]


# --- predicates
SAMPLES["is_complex"] = [S(A(3)), S(I(3)), S(B(2))]
SAMPLES["is_neg"] = [S(A(3)), S(I(3))]
SAMPLES["is_nonzero"] = [S(V([1.5])), S(V([0.0])), S(V(np.zeros((1, 1)))), S(V(np.array(True))),
                         S(A(3), raises=True), S(V(np.zeros(0)), raises=True)]
SAMPLES["is_same_size"] = [S(A(2, 3), A(2, 3)), S(A(2, 3), A(3, 2)), S(A(2, 3), I(2, 3))]
SAMPLES["is_signed"] = [S(A(3)), S(I(3)), S(V(np.array([1], np.uint8))), S(B(2)),
                        S(V(np.array([1], np.int8)))]


# --- ops
SAMPLES["scatter_add"] = [S(A(3, 4), 1, I(3, 2, low=0, high=4), A(3, 2)),
                          S(A(3, 4), 0, I(2, 4, low=0, high=3), A(2, 4)),
                          S(I(3, 4), 1, I(3, 4, low=0, high=4), I(3, 4)),
                          S(A(3, 4), 1, I(3, 2, low=0, high=4), A(3, 1), raises=True),
                          S(A(3, 4), 1, I(3, 2, low=4, high=6), A(3, 2), raises=True)]
SAMPLES["histogramdd"] = [S(A(10, 2, grad=False), bins=3),
                          S(A(8, 2, grad=False), bins=[2, 3], range=[-2.0, 2.0, -2.0, 2.0]),
                          S(A(8, 2, grad=False), bins=2, density=True,
                            weight=A(8, domain="pos", grad=False)),
                          S(A(6, 3, grad=False), bins=[V(np.array([-2.0, 0.0, 2.0]))] * 3)]
_WELL = np.array([[3.0, 1.0, -0.5], [0.4, 2.5, 0.3], [-0.2, 0.6, 1.8]])
_LU = torch.linalg.lu_factor(torch.tensor(np.stack([_WELL, _WELL.T[::-1].copy()])))
SAMPLES["lu_unpack"] = [S(V(_LU.LU[0].numpy(), grad=True), V(_LU.pivots[0].numpy())),
                        S(V(_LU.LU.numpy()), V(_LU.pivots.numpy())),
                        S(V(_LU.LU[0].numpy()), V(_LU.pivots[0].numpy()), unpack_data=False),
                        S(V(_LU.LU[0].numpy()), V(_LU.pivots[0].numpy()), unpack_pivots=False)]
for _n in ("exp2", "expit", "expm1"):
    SAMPLES["special." + _n] = [S(A(3, 4)), S(A(5, dtype="float32"), rtol=1e-5, atol=1e-6),
                                S(I(4, low=-2, high=3), rtol=1e-6)]
SAMPLES["special.log1p"] = [S(A(3, 4, domain="pos")), S(A(5, dtype="float32", domain="pos"),
                                                        rtol=1e-5, atol=1e-6),
                            S(I(4, low=0, high=4), rtol=1e-6)]
SAMPLES["special.round"] = [S(A(3, 4)), S(A(3, 4), decimals=1), S(I(4), raises=True),
                            S(B(3), raises=True)]
for _n in ("softmax", "log_softmax"):
    SAMPLES["special." + _n] = [S(A(3, 4), 1), S(A(2, 3, 4), dim=0),
                                S(A(3, 4), -1, dtype="dtype:float32", rtol=1e-6)]
SAMPLES["special.logsumexp"] = [S(A(3, 4), 1), S(A(3, 4), (0, 1), keepdim=True),
                                S(A(2, 3, 4), -1)]
SAMPLES["nn.functional.multi_head_attention_forward"] = [
    S(A(3, 2, 4), A(3, 2, 4), A(3, 2, 4), 4, 2, A(12, 4), A(12), None, None, False, 0.0,
      A(4, 4), A(4), training=False),
    S(A(3, 2, 4), A(5, 2, 4), A(5, 2, 4), 4, 2, A(12, 4), A(12), None, None, False, 0.0,
      A(4, 4), A(4), training=False, need_weights=False),
    S(A(3, 2, 4), A(3, 2, 4), A(3, 2, 4), 4, 2, A(12, 4), A(12), None, None, False, 0.0,
      A(4, 4), A(4), training=False, average_attn_weights=False,
      attn_mask=V(np.triu(np.full((3, 3), -np.inf), 1)))]
