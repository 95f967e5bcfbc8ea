"""save/load: bitwise round trips (our files read by the safetensors package's own reader as the
oracle, and its files read by ours), exact Python scalars, structure, errors on
truncated/foreign/malicious files. Hostile-file fuzzing: test_checkpoint_fuzz.py; where and how
save writes: test_checkpoint_save.py."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import struct
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn.serialization import CheckpointError

DTYPES = [np.float16, np.float32, np.float64, np.uint8, np.int8, np.int16, np.int32, np.int64,
          np.bool_]


def _arr(dt, shape, rng):
    if dt is np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
    a = rng.standard_normal(shape).astype(dt)
    a.reshape(-1)[:4] = [np.nan, np.inf, -0.0, -np.inf][:a.size]  # specials survive bitwise
    return a


def _bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def roundtrip(obj, tmp_path: Path):
    p = tmp_path / "x.safetensors"
    ag.save(obj, p)
    return ag.load(p)


@pytest.mark.parametrize("dt", DTYPES, ids=[np.dtype(d).name for d in DTYPES])
def test_tensor_roundtrip_bitwise(dt, tmp_path, rng):
    tensors = {f"t{i}": ag.from_numpy(_arr(dt, shape, rng))
               for i, shape in enumerate([(), (0,), (7,), (3, 5), (2, 0, 4), (2, 3, 4)])}
    tensors["noncontig"] = ag.from_numpy(_arr(dt, (4, 6), rng)).T  # transposed view
    back = roundtrip(tensors, tmp_path)
    assert list(back) == list(tensors)
    for k, t in tensors.items():
        assert _bits_equal(back[k].numpy(), t.numpy().copy(order="C")), k
        assert back[k].dtype == t.dtype
    back["t3"][0, 0] = 1  # loaded tensors are writable
    assert back["t3"].numpy()[0, 0] == 1


def test_python_values_exact(tmp_path):
    obj = {
        "ints": [0, -1, 2 ** 80, -(2 ** 70)],
        "floats": [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -0.0, math.pi, 1.0],
        "specials": [math.inf, -math.inf, math.nan],
        "bools": (True, False),
        "none": None,
        "str": "h\u00e9llo \u2713 \"quoted\" \\ \n",
        "empty": ([], (), {}, ""),
        1: "int key", 2.5: "float key", (1, "a"): "tuple key", None: "none key",
        "boolkeys": {True: "t", 0: "zero"},
        "od": OrderedDict([("b", 1), ("a", 2)]),
        "dtype": ag.float64,
        "np": (np.float32(1.25), np.int64(-3), np.bool_(True), np.arange(3, dtype=np.int16)),
    }
    back = roundtrip(obj, tmp_path)
    assert list(back) == list(obj)
    assert back["ints"] == obj["ints"] and all(type(i) is int for i in back["ints"])
    for a, b in zip(back["floats"], obj["floats"]):
        assert type(a) is float and a == b and math.copysign(1, a) == math.copysign(1, b)
    assert back["specials"][:2] == [math.inf, -math.inf] and math.isnan(back["specials"][2])
    assert back["bools"] == (True, False) and type(back["bools"][0]) is bool
    assert back["none"] is None and back["str"] == obj["str"]
    assert back["empty"] == ([], (), {}, "") and type(back["empty"]) is tuple
    assert back[1] == "int key" and back[2.5] == "float key" and back[(1, "a")] == "tuple key"
    assert back[None] == "none key"
    assert [type(k) for k in back["boolkeys"]] == [bool, int]
    assert type(back["od"]) is OrderedDict and list(back["od"].items()) == [("b", 1), ("a", 2)]
    assert back["dtype"] is ag.float64
    f, i, b, arr = back["np"]
    assert type(f) is np.float32 and f == 1.25 and type(i) is np.int64 and i == -3
    assert type(b) is np.bool_ and b and isinstance(arr, np.ndarray) and arr.dtype == np.int16


def test_checkpoint_model_optimizer_scheduler(tmp_path):
    nn, optim = ag.nn, ag.optim
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    x = ag.randn(5, 4)
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).sum().backward()
        opt.step()
        sched.step()
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(), "epoch": 3}
    back = roundtrip(ckpt, tmp_path)
    assert back["epoch"] == 3 and back["scheduler"] == sched.state_dict()
    # restore into fresh objects: the next step is bitwise identical to continuing
    model2 = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    opt2 = optim.Adam(model2.parameters(), lr=1e-2)
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    model2.load_state_dict(back["model"])
    opt2.load_state_dict(back["optimizer"])
    sched2.load_state_dict(back["scheduler"])
    for m, o, s in ((model, opt, sched), (model2, opt2, sched2)):
        o.zero_grad()
        m(x).pow(2).sum().backward()
        o.step()
        s.step()
    for (k, a), (_, b) in zip(model.state_dict().items(), model2.state_dict().items()):
        assert _bits_equal(a.numpy(), b.numpy()), k
    assert opt.param_groups[0]["lr"] == opt2.param_groups[0]["lr"]


def test_identity_grad_flags_and_parameters(tmp_path):
    w = ag.randn(2, 2)
    p = ag.nn.Parameter(ag.randn(3))
    g = ag.randn(2, requires_grad=True)
    back = roundtrip({"a": w, "b": [w, p], "g": g}, tmp_path)
    assert back["a"] is back["b"][0]  # one tensor object stays one object
    assert isinstance(back["b"][1], ag.nn.Parameter) and back["b"][1].requires_grad
    assert back["g"].requires_grad and back["g"].is_leaf and not back["a"].requires_grad


def test_file_objects_and_paths(tmp_path):
    obj = {"w": ag.randn(3), "n": 1}
    buf = io.BytesIO()
    ag.save(obj, buf)
    buf.seek(0)
    assert _bits_equal(ag.load(buf)["w"].numpy(), obj["w"].numpy())
    ag.save(obj, str(tmp_path / "s.st"))
    assert ag.load(str(tmp_path / "s.st"))["n"] == 1
    with open(tmp_path / "f.st", "wb") as f:
        ag.save(obj, f)
    with open(tmp_path / "f.st", "rb") as f:
        assert ag.load(f)["n"] == 1
    with open(tmp_path / "f.st") as f, pytest.raises(TypeError, match="binary mode"):
        ag.load(f)


def test_files_agree_with_the_safetensors_library(tmp_path, rng):
    """The safetensors package (the format's reference implementation) reads our files bitwise,
    and we read its files, with and without metadata."""
    st = pytest.importorskip("safetensors")
    from safetensors.numpy import save_file
    obj = OrderedDict((np.dtype(dt).name, ag.from_numpy(_arr(dt, (3, 2), rng))) for dt in DTYPES)
    obj["nested"] = {"x": ag.randn(2), "k": [1, 2.5], "empty": ag.zeros(0, 3)}
    ag.save(obj, tmp_path / "n.st")
    with st.safe_open(str(tmp_path / "n.st"), framework="np") as f:
        assert f.metadata()["format"] == "autograd_nn"
        assert json.loads(f.metadata()["tree"])["odict"][0][0] == "float16"
        for k in list(obj)[:-1]:
            assert _bits_equal(f.get_tensor(k), obj[k].numpy())
        assert _bits_equal(f.get_tensor("nested.x"), obj["nested"]["x"].numpy())
        assert f.get_tensor("nested.empty").shape == (0, 3)
    # plain safetensors files from the library load as {name: Tensor} in file order
    arrays = {"b": np.ones((2,), np.float32), "a": np.arange(3, dtype=np.int64),
              "z": np.zeros((0, 2), np.float16), "s": np.array(True)}
    for meta in (None, {"format": "pt"}):
        save_file(arrays, str(tmp_path / "plain.st"), metadata=meta)
        for mmap in (False, True):
            plain = ag.load(tmp_path / "plain.st", mmap=mmap)
            assert sorted(plain) == sorted(arrays)
            for k, a in arrays.items():
                assert _bits_equal(plain[k].numpy(), a), k


def test_name_collisions_stay_distinct(tmp_path):
    obj = {"a.b": ag.tensor([1.0]), "a": {"b": ag.tensor([2.0])}}
    back = roundtrip(obj, tmp_path)
    assert back["a.b"].item() == 1.0 and back["a"]["b"].item() == 2.0


def _valid_bytes() -> bytes:
    buf = io.BytesIO()
    ag.save({"w": ag.arange(10, dtype=ag.float32), "n": 3}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0, 5, 8, 20, -1, -13])
def test_truncated_files_rejected(tmp_path, cut):
    data = _valid_bytes()
    (tmp_path / "t.st").write_bytes(data[:cut])
    with pytest.raises(CheckpointError, match="truncated"):
        ag.load(tmp_path / "t.st")


def test_foreign_and_corrupt_files(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"hello, this is just some text file")
    with pytest.raises(CheckpointError, match="not a safetensors file: its header claims"):
        ag.load(p)
    head = b'{"w": [1, 2'
    p.write_bytes(struct.pack("<Q", len(head)) + head)
    with pytest.raises(CheckpointError, match="not valid JSON"):
        ag.load(p)
    head = json.dumps({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode()
    p.write_bytes(struct.pack("<Q", len(head)) + head + b"\0" * 8)
    with pytest.raises(CheckpointError, match=r"'w' of dtype F32 and shape \[3\] needs 12 bytes"):
        ag.load(p)
    head = json.dumps({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}).encode()
    p.write_bytes(struct.pack("<Q", len(head)) + head + b"\0" * 1)
    with pytest.raises(CheckpointError, match="dtype 'F8_E4M3', which autograd_nn does not"):
        ag.load(p)
    data = _valid_bytes() + b"extra"
    p.write_bytes(data)
    with pytest.raises(CheckpointError, match="5 trailing bytes"):
        ag.load(p)


def _with_tree(tree) -> bytes:
    meta = {"format": "autograd_nn", "version": "1", "tree": json.dumps(tree)}
    head = json.dumps({"__metadata__": meta}).encode()
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head


class _Payload:
    """Unpickling this would create a marker file: the test proves it never happens."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_no_code_execution(tmp_path):
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"w": _Payload(str(marker))}))
    assert pickle.loads(evil.read_bytes()) and marker.exists()  # the payload is live ...
    marker.unlink()
    with pytest.raises(CheckpointError, match="never unpickles"):
        ag.load(evil)
    assert not marker.exists()  # ... and load did not run it
    # a pickle hidden after a valid-looking length prefix is not JSON: rejected, not run
    evil.write_bytes(struct.pack("<Q", 40) + pickle.dumps(_Payload(str(marker)))[:40])
    with pytest.raises(CheckpointError):
        ag.load(evil)
    assert not marker.exists()
    # unknown tags in the structure are refused rather than interpreted
    evil.write_bytes(_with_tree({"__reduce__": ["os.system", "touch x"]}))
    with pytest.raises(CheckpointError, match="unknown structure tag '__reduce__'"):
        ag.load(evil)
    evil.write_bytes(_with_tree({"tensor": "nope"}))
    with pytest.raises(CheckpointError, match="missing tensor 'nope'"):
        ag.load(evil)


def test_header_length_that_looks_like_a_pickle_opcode(tmp_path):
    """A header of 0x280 bytes starts the file with 80 02, pickle protocol 2's opening bytes;
    found by the random round-trip test below (two floats 1.0000000000000002e+16)."""
    tree = (1.0000000000000002e+16, 1.0000000000000002e+16)
    buf = io.BytesIO()
    ag.save(tree, buf)
    assert buf.getvalue()[:1] == b"\x80"
    buf.seek(0)
    assert ag.load(buf) == tree
    meta = json.dumps({"__metadata__": {"pad": ""}})
    head = meta.replace('"pad": ""', '"pad": "' + "x" * (0x280 - len(meta)) + '"').encode()
    assert len(head) == 0x280
    (tmp_path / "p.st").write_bytes(struct.pack("<Q", len(head)) + head)
    assert (tmp_path / "p.st").read_bytes()[:2] == b"\x80\x02"
    assert dict(ag.load(tmp_path / "p.st")) == {}


def test_real_torch_file_explains(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match=r"PyTorch torch\.save.*from_torch_state_dict"):
        ag.load(tmp_path / "m.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="never unpickles"):
        ag.load(tmp_path / "legacy.pt")


def test_unsupported_objects_fail_before_writing(tmp_path):
    p = tmp_path / "x.st"
    with pytest.raises(TypeError, match=r"cannot save the object at 'cfg\.fn' of type function"):
        ag.save({"cfg": {"fn": lambda: 0}}, p)
    with pytest.raises(TypeError, match="dtype object"):
        ag.save({"a": np.array([object()])}, p)
    with pytest.raises(TypeError, match="dict key of type Tensor"):
        ag.save({ag.tensor(1): 1}, p)
    with pytest.raises(TypeError, match=r"type Linear; .*save its \.state_dict\(\) instead"):
        ag.save(ag.nn.Linear(2, 2), p)
    assert not p.exists() and os.listdir(tmp_path) == []


def _trees():
    from hypothesis import strategies as st

    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2 ** 100), max_value=2 ** 100),
        st.floats(allow_nan=False), st.text(max_size=8),
        st.builds(lambda a: ag.from_numpy(np.asarray(a, dtype=np.float32)),
                  st.lists(st.floats(width=32, allow_nan=False), max_size=4)))
    keys = st.one_of(st.text(max_size=4), st.integers(-5, 5))
    return st.recursive(leaves, lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.tuples(kids, kids),
        st.dictionaries(keys, kids, max_size=3)), max_leaves=12)


def _same_tree(a, b) -> bool:
    if isinstance(b, ag.Tensor):
        return isinstance(a, ag.Tensor) and _bits_equal(a.numpy(), b.numpy())
    if type(a) is not type(b):
        return False
    if isinstance(b, dict):
        return list(a) == list(b) and all(_same_tree(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_tree(x, y) for x, y in zip(a, b))
    if isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def test_random_trees_roundtrip():
    from hypothesis import given

    @given(_trees())
    def check(tree):
        buf = io.BytesIO()
        ag.save(tree, buf)
        buf.seek(0)
        assert _same_tree(ag.load(buf), tree)

    check()


def test_works_without_the_safetensors_package(tmp_path, monkeypatch):
    """save/load need only NumPy: with ``safetensors`` unimportable both work."""
    import sys

    monkeypatch.setitem(sys.modules, "safetensors", None)  # makes the import raise ImportError
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    obj = {"w": ag.randn(3, 2), "k": (1, "x")}
    back = roundtrip(obj, tmp_path)
    assert _bits_equal(back["w"].numpy(), obj["w"].numpy()) and back["k"] == (1, "x")


class _Warm:
    """A callable object: LambdaLR keeps its __dict__ in the state dict (a plain function: None)."""

    def __init__(self, n):
        self.n = n

    def __call__(self, e):
        return min(1.0, (e + 1) / self.n)


_SCHEDS = {
    "LambdaLR-fn": lambda ls, o: ls.LambdaLR(o, lambda e: 0.9 ** e),
    "LambdaLR-obj": lambda ls, o: ls.LambdaLR(o, _Warm(6)),
    "OneCycleLR": lambda ls, o: ls.OneCycleLR(o, 0.5, total_steps=12, three_phase=True),
    "ReduceLROnPlateau": lambda ls, o: ls.ReduceLROnPlateau(o, patience=0, cooldown=1),
    "SequentialLR": lambda ls, o: ls.SequentialLR(o, [ls.LinearLR(o), ls.ExponentialLR(o, 0.9)],
                                                  [3]),
    "ChainedScheduler": lambda ls, o: ls.ChainedScheduler([ls.LinearLR(o),
                                                           ls.ExponentialLR(o, 0.9)]),
    "CosineAnnealingLR": lambda ls, o: ls.CosineAnnealingLR(o, 5, eta_min=0.01),
    "MultiStepLR": lambda ls, o: ls.MultiStepLR(o, [2, 4, 4], gamma=0.5),
}


@pytest.mark.parametrize("name", list(_SCHEDS))
def test_every_scheduler_checkpoints_through_save_load(name, tmp_path):
    """optimizer + scheduler state through ag.save / ag.load (JSON + tensors, no pickle) into
    fresh objects: the resumed schedule and parameters equal the uninterrupted run's."""
    ls = ag.optim.lr_scheduler

    def build():
        p = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        o = ag.optim.SGD([p], lr=0.1, momentum=0.9)
        return p, o, _SCHEDS[name](ls, o)

    def step(p, o, s, t):
        p.grad = p.detach() * 2 + 1
        o.step()
        s.step(float(t % 3)) if name == "ReduceLROnPlateau" else s.step()
        return s.get_last_lr()[0], p.detach().numpy().copy()

    ref = build()
    want = [step(*ref, t) for t in range(10)]
    run = build()
    got = [step(*run, t) for t in range(4)]
    ag.save({"optimizer": run[1].state_dict(), "scheduler": run[2].state_dict()},
            tmp_path / "ck.st")
    back = ag.load(tmp_path / "ck.st")
    p2, o2, s2 = build()
    with ag.no_grad():
        p2.copy_(run[0])
    o2.load_state_dict(back["optimizer"])
    s2.load_state_dict(back["scheduler"])
    got += [step(p2, o2, s2, t) for t in range(4, 10)]
    for t, ((lr_a, p_a), (lr_b, p_b)) in enumerate(zip(got, want)):
        assert lr_a == lr_b, t
        assert _bits_equal(p_a, p_b), t
    assert len({lr for lr, _ in want}) >= 2


def test_bfloat16_round_trip_and_safetensors_interop_with_torch(tmp_path, monkeypatch):
    """BF16 entries: ours save and load bit-exactly; a file torch's safetensors writes loads
    to torch's values and ours loads in torch; without ml_dtypes, one CheckpointError."""
    pytest.importorskip("ml_dtypes")
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    from autograd_nn import _checkpoint_validate

    rng = np.random.default_rng(0)
    vals = rng.standard_normal((3, 5)).astype(np.float32)
    theirs = torch.from_numpy(vals).to(torch.bfloat16)
    model = ag.nn.Linear(4, 2).bfloat16()
    ours = {"w": ag.from_numpy(theirs.float().numpy()).to(ag.bfloat16), "model": model.state_dict()}
    path = tmp_path / "bf16.safetensors"
    ag.save(ours, path)
    back = ag.load(path)
    assert back["w"].dtype == ag.bfloat16 and back["model"]["weight"].dtype == ag.bfloat16
    assert back["w"].numpy().tobytes() == theirs.view(torch.int16).numpy().tobytes()
    assert st_torch.load_file(str(path))["w"].equal(theirs)  # the file, read by torch
    st_torch.save_file({"t": theirs}, str(tmp_path / "torch.safetensors"))
    loaded = ag.load(tmp_path / "torch.safetensors")["t"]
    assert loaded.dtype == ag.bfloat16
    np.testing.assert_array_equal(loaded.float().numpy(), theirs.float().numpy())
    monkeypatch.setattr(_checkpoint_validate, "bfloat16_np", lambda: None)
    with pytest.raises(CheckpointError, match="ml_dtypes"):
        ag.load(path)
