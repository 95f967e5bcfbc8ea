"""Top-level utilities that are not ops (``autograd_nn/_extras.py``): dtype information and
promotion queries, windows, creation helpers, sampling, predicates and runtime switches,
against PyTorch 2.13 (exact where PyTorch is exact, float32 rounding otherwise)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")
DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


def _name(d) -> str:
    return str(d).split(".")[-1]


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    a, t = ag.finfo(getattr(ag, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(a, attr) == getattr(t, attr), attr
    assert ag.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError):
        ag.finfo(ag.int64)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    a, t = ag.iinfo(getattr(ag, name)), torch.iinfo(getattr(torch, name))
    assert (a.bits, a.min, a.max, a.dtype) == (t.bits, t.min, t.max, t.dtype)
    with pytest.raises(TypeError):
        ag.iinfo(ag.float32)


def test_promote_types_and_can_cast_on_every_pair():
    for x in DTYPES:
        for y in DTYPES:
            assert _name(ag.promote_types(getattr(ag, x), getattr(ag, y))) == \
                _name(torch.promote_types(getattr(torch, x), getattr(torch, y))), (x, y)
            assert ag.can_cast(getattr(ag, x), getattr(ag, y)) == \
                torch.can_cast(getattr(torch, x), getattr(torch, y)), (x, y)


@pytest.mark.parametrize("x", DTYPES)
@pytest.mark.parametrize("other", ["int64", "float32", 2, 2.5, True])
@pytest.mark.parametrize("zero_dim", [False, True])
def test_result_type(x, other, zero_dim):
    shape = () if zero_dim else (2,)
    a, t = ag.zeros(shape, dtype=getattr(ag, x)), torch.zeros(shape, dtype=getattr(torch, x))
    if isinstance(other, str):
        ao, to = ag.zeros(2, dtype=getattr(ag, other)), torch.zeros(2, dtype=getattr(torch, other))
    else:
        ao = to = other
    assert _name(ag.result_type(a, ao)) == _name(torch.result_type(t, to))


@pytest.mark.parametrize("fn,kw", [("hann_window", {}), ("hamming_window", {}),
                                   ("hamming_window", dict(alpha=0.5, beta=0.4)),
                                   ("blackman_window", {}), ("bartlett_window", {}),
                                   ("kaiser_window", {}), ("kaiser_window", dict(beta=5.0))])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(fn, kw, n, periodic):
    for dt in ("float32", "float64"):
        a = getattr(ag, fn)(n, periodic, dtype=getattr(ag, dt), **kw)
        t = getattr(torch, fn)(n, periodic, dtype=getattr(torch, dt), **kw)
        assert _name(a.dtype) == _name(t.dtype)
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-5 if dt == "float32" else 1e-12,
                                   atol=1e-6 if dt == "float32" else 1e-14)


def test_creation_helpers():
    np.testing.assert_allclose(ag.logspace(-2, 3, 6).numpy(), torch.logspace(-2, 3, 6).numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(ag.logspace(0, 4, 5, base=2, dtype=ag.float64).numpy(),
                               torch.logspace(0, 4, 5, base=2, dtype=torch.float64).numpy())
    s, ts = ag.scalar_tensor(3), torch.scalar_tensor(3)
    assert s.shape == () and _name(s.dtype) == _name(ts.dtype) and s.item() == ts.item()
    for r, c, off in [(3, 3, 0), (4, 2, 1), (2, 5, -1)]:
        for f in ("tril_indices", "triu_indices"):
            np.testing.assert_array_equal(getattr(ag, f)(r, c, off).numpy(),
                                          getattr(torch, f)(r, c, off).numpy())
    for x in ([1.0, 2.0, 3.0], [2, 3, 5]):
        for kw in ({}, dict(N=2), dict(N=4, increasing=True)):
            a, t = ag.vander(ag.tensor(x), **kw), torch.vander(torch.tensor(x), **kw)
            assert _name(a.dtype) == _name(t.dtype)
            np.testing.assert_array_equal(a.numpy(), t.numpy())
    # d/dx sum_k (x^k)^2 over k = 0, 1, 2 is 2x + 4x^3 (PyTorch 2.13's own vander backward
    # raises an in-place error, so the oracle is the closed form)
    xs = np.array([0.5, -1.5, 2.0])
    x = ag.tensor(xs, requires_grad=True)
    ag.vander(x).pow(2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xs + 4 * xs ** 3, rtol=1e-12)
    arr = np.arange(4.0)
    shared = ag.asarray(arr)
    arr[0] = 9
    assert shared[0].item() == 9 and ag.asarray(arr, copy=True)._data is not arr
    buf = bytearray(np.arange(3, dtype=np.int32).tobytes())
    np.testing.assert_array_equal(ag.frombuffer(buf, dtype=ag.int32).numpy(),
                                  torch.frombuffer(buf, dtype=torch.int32).numpy())
    t = torch.arange(5.0)
    np.testing.assert_array_equal(ag.from_dlpack(t).numpy(), t.numpy())
    np.testing.assert_array_equal(torch.from_dlpack(ag.to_dlpack(ag.arange(3))).numpy(),
                                  [0, 1, 2])


def test_sampling_helpers():
    g = ag.Generator().manual_seed(0)
    r = ag.randint_like(ag.zeros(1000, dtype=ag.int32), 3, 7, generator=g)
    assert r.dtype is ag.int32 and set(np.unique(r.numpy())) == {3, 4, 5, 6}
    assert set(np.unique(ag.randint_like(ag.zeros(500), 2).numpy())) == {0.0, 1.0}
    lam = ag.full((20000,), 3.0)
    p = ag.poisson(lam, generator=g)
    assert p.dtype is ag.float32 and abs(p.mean().item() - 3) < 0.05 and \
        abs(p.var().item() - 3) < 0.15  # mean and variance both 3: > 5 standard errors apart
    b = ag.binomial(ag.full((20000,), 10.0), ag.full((20000,), 0.3), generator=g)
    assert abs(b.mean().item() - 3) < 0.05 and abs(b.var().item() - 2.1) < 0.1
    with pytest.raises(RuntimeError):
        ag.poisson(ag.tensor([-1.0]))


def test_predicates_and_typename():
    for dt in ("float32", "int64", "bool", "float64"):
        assert ag.typename(ag.zeros(1, dtype=getattr(ag, dt))) == \
            torch.typename(torch.zeros(1, dtype=getattr(torch, dt)))
    assert ag.typename(3) == torch.typename(3)
    assert ag.is_nonzero(ag.tensor([1.5])) is torch.is_nonzero(torch.tensor([1.5])) is True
    for bad in ([1.0, 2.0], []):
        with pytest.raises(RuntimeError, match="ambiguous"):
            ag.is_nonzero(ag.tensor(bad))
    assert ag.is_same_size(ag.zeros(2, 3), ag.ones(2, 3)) and \
        not ag.is_same_size(ag.zeros(2, 3), ag.zeros(3, 2))
    for dt in DTYPES:
        assert ag.is_signed(ag.zeros(1, dtype=getattr(ag, dt))) == \
            torch.is_signed(torch.zeros(1, dtype=getattr(torch, dt))), dt
    assert ag.is_complex(ag.zeros(1)) is False and ag.is_neg(ag.zeros(1)) is False


def test_runtime_switches():
    ag.set_num_interop_threads(2)
    assert ag.get_num_interop_threads() == 2
    ag.init_num_threads()
    ag.set_warn_always(True)
    assert ag.is_warn_always_enabled()
    ag.set_warn_always(False)
    ag.set_deterministic_debug_mode("warn")
    assert ag.get_deterministic_debug_mode() == 1
    assert ag.is_deterministic_algorithms_warn_only_enabled()
    assert ag.are_deterministic_algorithms_enabled()
    ag.set_deterministic_debug_mode(0)
    assert not ag.are_deterministic_algorithms_enabled()
    with pytest.raises(RuntimeError):
        ag.set_deterministic_debug_mode("sometimes")
    ag.set_float32_matmul_precision("high")
    assert ag.get_float32_matmul_precision() == "high"
    ag.set_float32_matmul_precision("highest")
    for lib in (ag, torch):  # an unknown precision warns and changes nothing, as PyTorch
        with pytest.warns(UserWarning, match="no effect"):
            lib.set_float32_matmul_precision("low")
        assert lib.get_float32_matmul_precision() == "highest"
    ag.set_anomaly_enabled(True, check_nan=False)
    assert ag.is_anomaly_enabled() and not ag.is_anomaly_check_nan_enabled()
    ag.set_anomaly_enabled(False)
    assert not ag.is_anomaly_enabled()
    assert _name(ag.get_autocast_dtype("cuda")) == _name(torch.get_autocast_dtype("cuda"))
    assert _name(ag.get_autocast_dtype("cpu")) == _name(torch.get_autocast_dtype("cpu"))
