"""Name-by-name parity with PyTorch, generated from the sample tables ``samples_*.py`` beside this
file (the format is in ``parity_samples.py``). Each sample runs as PyTorch's function, and, where
PyTorch has them, as its ``Tensor`` method and in-place method, comparing values, dtypes, written
tensors, gradients and errors. The oracle is PyTorch 2.13 itself.

A ratchet keeps the table growing with the API: every PyTorch name that exists here must have a
sample here, a case in ``tests/_op_cases.py`` or an entry in ``unsampled_baseline.txt`` (the
names that existed before this table did; remove them as they gain samples, never add).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd_nn as ag

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from parity_samples import SPECS, S, rng_for  # noqa: E402

torch = pytest.importorskip("torch")


def _load_samples() -> dict[str, list[S]]:
    merged: dict[str, list[S]] = {}
    for path in sorted(HERE.glob("samples_*.py")):
        spec = importlib.util.spec_from_file_location(f"parity_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, samples in mod.SAMPLES.items():
            if name in merged:
                raise RuntimeError(f"{name!r} has samples in two files ({path.name})")
            merged[name] = list(samples)
    return merged


SAMPLES = _load_samples()
IDS = [(name, i) for name, samples in SAMPLES.items() for i in range(len(samples))]


# ---------------------------------------------------------------- resolving names, both sides

def _resolve(root: Any, root_name: str, dotted: str) -> Any:
    obj = root
    parts = dotted.split(".")
    for k, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join([root_name, *parts[:k + 1]]))
            except ImportError:
                raise AttributeError(f"{root_name}.{dotted} does not exist") from None
    return obj


class Lib:
    """One library seen the same way: its root module, its Tensor type, tensor construction."""

    def __init__(self, mod: Any, name: str) -> None:
        self.mod, self.name, self.Tensor = mod, name, mod.Tensor

    def tensor(self, values: np.ndarray, grad: bool) -> Any:
        t = self.mod.tensor(values)
        if grad:
            t.requires_grad_(True)
        return t

    def fn(self, dotted: str) -> Any:
        return _resolve(self.mod, self.name, dotted)


OURS, THEIRS = Lib(ag, "autograd_nn"), Lib(torch, "torch")


def _materialize(spec: Any, rng: np.random.Generator) -> Any:
    """Specs -> ("array", values, grad) leaves, the same for both libraries."""
    if isinstance(spec, SPECS):
        values = spec.values(rng)
        grad = bool(spec.grad) and values.dtype.kind == "f"
        return ("array", values, grad)
    if isinstance(spec, list):
        return [_materialize(s, rng) for s in spec]
    if isinstance(spec, tuple):
        return tuple(_materialize(s, rng) for s in spec)
    if isinstance(spec, dict):
        return {k: _materialize(v, rng) for k, v in spec.items()}
    return spec


def _without_grad(mat: Any) -> Any:
    if isinstance(mat, tuple) and len(mat) == 3 and mat[0] == "array":
        return ("array", mat[1], False)
    if isinstance(mat, (list, tuple)):
        return type(mat)(_without_grad(m) for m in mat)
    if isinstance(mat, dict):
        return {k: _without_grad(v) for k, v in mat.items()}
    return mat


def _build(lib: Lib, mat: Any, leaves: list) -> Any:
    if isinstance(mat, tuple) and len(mat) == 3 and mat[0] == "array":
        t = lib.tensor(mat[1], mat[2])
        if mat[2]:
            leaves.append(t)
        return t
    if isinstance(mat, list):
        return [_build(lib, m, leaves) for m in mat]
    if isinstance(mat, tuple):
        return tuple(_build(lib, m, leaves) for m in mat)
    if isinstance(mat, dict):
        return {k: _build(lib, v, leaves) for k, v in mat.items()}
    if isinstance(mat, str) and mat.startswith("dtype:"):
        return getattr(lib.mod, mat[len("dtype:"):])
    return mat


# -------------------------------------------------------------------------- comparing results

def _compare(ours: Any, theirs: Any, where: str, s: S) -> None:
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor), f"{where}: got {type(ours).__name__}, not a Tensor"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{where}: shape {tuple(ours.shape)} != PyTorch's {tuple(theirs.shape)}"
        assert str(ours.dtype) == str(theirs.dtype), \
            f"{where}: dtype {ours.dtype} != PyTorch's {theirs.dtype}"
        a, b = ours.detach().numpy(), theirs.detach().numpy()
        if b.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=s.rtol, atol=s.atol, equal_nan=True,
                                       err_msg=where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(theirs, (tuple, list)) and not isinstance(theirs, torch.Size):
        assert isinstance(ours, (tuple, list)), f"{where}: got {type(ours).__name__}"
        assert len(ours) == len(theirs), f"{where}: {len(ours)} results, PyTorch {len(theirs)}"
        fields = getattr(type(theirs), "_fields", None) or _structseq_fields(theirs)
        for k, (o, t) in enumerate(zip(ours, theirs)):
            if fields:
                assert getattr(ours, fields[k], None) is o, f"{where}: no field .{fields[k]}"
            _compare(o, t, f"{where}[{k}]", s)
    elif isinstance(theirs, torch.dtype):
        assert str(ours) == str(theirs), f"{where}: {ours} != {theirs}"
    elif isinstance(theirs, float):
        assert isinstance(ours, float), f"{where}: {type(ours).__name__}, PyTorch float"
        np.testing.assert_allclose(ours, theirs, rtol=s.rtol, atol=s.atol, err_msg=where)
    else:
        assert type(ours) is type(theirs) or isinstance(theirs, torch.Size), \
            f"{where}: {type(ours).__name__}, PyTorch {type(theirs).__name__}"
        assert ours == theirs, f"{where}: {ours!r} != PyTorch's {theirs!r}"


def _structseq_fields(value: Any) -> tuple | None:
    """A torch.return_types value's field names, in order."""
    if type(value).__module__ != "torch.return_types":
        return None
    return type(value).__match_args__


def _float_tensors(value: Any, lib: Lib) -> list:
    if isinstance(value, lib.Tensor):
        return [value] if value.dtype.is_floating_point else []
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _float_tensors(v, lib)]
    return []


# ------------------------------------------------------------------------------------ running

def _run(lib: Lib, variant: str, name: str, s: S, mat_args: Any, mat_kwargs: Any,
         mat_out: Any) -> tuple:
    leaves: list = []
    args = _build(lib, mat_args, leaves)
    kwargs = _build(lib, mat_kwargs, leaves)
    written = None
    if variant == "inplace" or name.endswith("_"):
        args = (args[0].clone(),) + tuple(args[1:])  # a leaf that needs grad refuses writes
        written = args[0]
    if mat_out is not None:
        out_leaves: list = []
        kwargs["out"] = written = _build(lib, mat_out, out_leaves)
    if variant == "function":
        result = lib.fn(name)(*args, **kwargs)
    else:
        method = name.rsplit(".", 1)[-1] + ("_" if variant == "inplace" else "")
        result = getattr(args[0], method)(*args[1:], **kwargs)
    return result, written, leaves


def _variants(name: str, s: S, first: Any) -> list[str]:
    out = ["function" if not name.startswith("Tensor.") else "method"]
    if name.startswith("Tensor.") or s.out is not None or "." in name:
        return out
    if not (isinstance(first, tuple) and len(first) == 3 and first[0] == "array"):
        return out
    if hasattr(torch.Tensor, name):
        out.append("method")
    if hasattr(torch.Tensor, name + "_") and not name.endswith("_"):
        out.append("inplace")
    return out


@pytest.mark.parametrize("name,index", IDS, ids=[f"{n}-{i}" for n, i in IDS])
def test_matches_pytorch(name: str, index: int) -> None:
    s = SAMPLES[name][index]
    rng = rng_for(name, index)
    mat_args, mat_kwargs = _materialize(s.args, rng), _materialize(s.kwargs, rng)
    mat_out = _materialize(s.out, rng) if s.out is not None else None
    if mat_out is not None:  # out= never takes part in autograd (PyTorch refuses)
        mat_out = _without_grad(mat_out)
        mat_args, mat_kwargs = _without_grad(mat_args), _without_grad(mat_kwargs)
    first = mat_args[0] if mat_args else None
    for variant in _variants(name, s, first):
        where = f"{name} ({variant}, sample {index})"
        try:
            theirs, t_written, t_leaves = _run(THEIRS, variant, name, s, mat_args, mat_kwargs,
                                               mat_out)
        except Exception as e:  # noqa: BLE001 (any error PyTorch raises, we must raise)
            if variant == "function" and not s.raises:
                raise
            with pytest.raises(Exception):  # noqa: B017,PT011
                _run(OURS, variant, name, s, mat_args, mat_kwargs, mat_out)
            assert s.raises or variant != "function", f"{where}: PyTorch raised {e!r}"
            continue
        assert not s.raises, f"{where}: PyTorch did not raise; fix the sample"
        ours, o_written, o_leaves = _run(OURS, variant, name, s, mat_args, mat_kwargs, mat_out)
        if s.check is not None:
            s.check(ours, theirs)
        else:
            _compare(ours, theirs, where, s)
        if t_written is not None:  # a random result (check) is checked the same way
            if s.check is not None:
                s.check(o_written, t_written)
            else:
                _compare(o_written, t_written, f"{where}: the written tensor", s)
            if variant == "inplace" or name.endswith("_"):
                assert ours is o_written, f"{where}: an in-place method returns its tensor"
        if s.grad and t_leaves and mat_out is None:
            _compare_grads(ours, theirs, o_leaves, t_leaves, rng, where, s)


def _compare_grads(ours: Any, theirs: Any, o_leaves: list, t_leaves: list,
                   rng: np.random.Generator, where: str, s: S) -> None:
    t_outs, o_outs = _float_tensors(theirs, THEIRS), _float_tensors(ours, OURS)
    assert len(t_outs) == len(o_outs), where
    pairs = []
    for o, t in zip(o_outs, t_outs):
        assert o.requires_grad == t.requires_grad, \
            f"{where}: requires_grad {o.requires_grad}, PyTorch {t.requires_grad}"
        if t.requires_grad:
            pairs.append((o, t, rng.uniform(-1, 1, tuple(t.shape))))
    if not pairs:
        return
    t_loss = sum((t * torch.tensor(w, dtype=t.dtype)).sum() for _, t, w in pairs)
    o_loss = sum((o * ag.tensor(w, dtype=o.dtype)).sum() for o, _, w in pairs)
    t_grads = torch.autograd.grad(t_loss, t_leaves, allow_unused=True)
    o_grads = ag.autograd.grad(o_loss, o_leaves, allow_unused=True)
    for k, (og, tg) in enumerate(zip(o_grads, t_grads)):
        tg = np.zeros(tuple(t_leaves[k].shape)) if tg is None else tg.numpy()
        og = np.zeros(tuple(o_leaves[k].shape)) if og is None else og.numpy()
        np.testing.assert_allclose(og, tg, rtol=max(s.rtol, 1e-6), atol=max(s.atol, 1e-8),
                                   err_msg=f"{where}: gradient of input {k}")


# ------------------------------------------------------------------------------------ ratchet

RATCHET_NAMESPACES = {"torch": "", "torch.Tensor": "Tensor.", "torch.special": "special.",
                      "torch.nn.functional": "nn.functional.", "torch.linalg": "linalg.",
                      "torch.fft": "fft."}
BASELINE = HERE / "unsampled_baseline.txt"


def sampled_names() -> set[str]:
    """Every key with samples, plus the method and in-place forms its samples also run."""
    names = set(SAMPLES)
    for name, samples in SAMPLES.items():
        for s in samples:
            mat = _materialize(s.args[:1], rng_for(name, 0))
            for v in _variants(name, s, mat[0] if mat else None):
                if v == "method" and not name.startswith("Tensor."):
                    names.add("Tensor." + name)
                elif v == "inplace":
                    names.add("Tensor." + name + "_")
    return names


def unsampled_present() -> set[str]:
    """PyTorch names present here with no sample (``tools/api_coverage.py`` decides
    presence)."""
    sys.path.insert(0, str(HERE.parents[1] / "tools"))
    import api_coverage

    have = sampled_names()
    out = set()
    for row in api_coverage.measure():
        prefix = RATCHET_NAMESPACES.get(row.namespace)
        if prefix is None:
            continue
        out |= {prefix + n for n in row.present if prefix + n not in have}
    return out


def test_every_new_name_has_samples() -> None:
    baseline = set(BASELINE.read_text().split())
    new = sorted(unsampled_present() - baseline)
    assert not new, (f"{len(new)} PyTorch names exist here without parity samples: add them "
                     f"to a tests/parity/samples_*.py table: {new}")


def test_every_sampled_name_exists_in_pytorch() -> None:
    for name in SAMPLES:
        THEIRS.fn(name)  # raises AttributeError naming it


if __name__ == "__main__":  # python tests/parity/test_api_parity.py: rewrite the baseline
    BASELINE.write_text("\n".join(sorted(unsampled_present())) + "\n")
