"""``save`` / ``load``: checkpoints that can never execute code, and PyTorch state-dict interop.

File format: one `safetensors <https://github.com/huggingface/safetensors>`_ file.

* Every tensor / NumPy array / NumPy scalar in the object is a safetensors tensor (little-endian,
  C order; dtypes F16 F32 F64 U8 I8 I16 I32 I64 BOOL). Tensor names follow the object's path
  (``"fc.weight"`` for a flat state dict, ``"optimizer.state.0.exp_avg"`` for nested ones), so the
  file is an ordinary safetensors file for other tools.
* The structure lives in the header's ``__metadata__`` (string values, as the format requires):
  ``{"format": "autograd_nn", "version": "1", "tree": <JSON>}``. In the tree, ``null``, ``true``,
  ``false``, numbers, strings and JSON arrays (Python lists) stand for themselves, and every JSON
  object is a one-key tag: ``{"dict": [[key, value], ...]}`` (keys of any type, order kept),
  ``{"odict": ...}`` (OrderedDict), ``{"tuple": [...]}``, ``{"float": "nan" | "inf" | "-inf"}``,
  ``{"dtype": "float32"}``, ``{"tensor": name, "requires_grad": bool, "parameter": bool}``,
  ``{"ndarray": name}``, ``{"npscalar": name}``. Floats are written with Python's shortest
  round-trip repr, so int/float/bool/None/str come back exactly; a tensor object that appears
  twice is stored once and comes back as one object.

Loading parses JSON and raw bytes only: nothing is unpickled or evaluated, so a crafted file
cannot run code. PyTorch ``.pt`` files are pickles and are refused with an explanation (convert
them in PyTorch with :func:`from_torch_state_dict`). A safetensors file written by another tool
loads as a ``{name: Tensor}`` dict.

The ``safetensors`` package is used when installed; otherwise a NumPy reader/writer of the same
format (``import autograd_nn`` needs only NumPy). Saving to a path is atomic: the bytes go to a
temporary file in the same folder, are fsync-ed, then ``os.replace`` d over the target, so a crash
mid-save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import struct
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any, Union

import numpy as np

from . import _dtype
from .nn.parameter import Parameter
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "to_torch_state_dict", "from_torch_state_dict"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]

FORMAT, VERSION = "autograd_nn", "1"
_ST_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "U8": np.uint8,
              "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
_ST_NAMES = {np.dtype(v): k for k, v in _ST_DTYPES.items()}
_MAX_HEADER = 100_000_000  # the safetensors library's limit
# torch.save's zip container, and pickle protocols 2-5
_PICKLE_PREFIXES = (b"PK\x03\x04", b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")

# "lib" uses the safetensors package when importable; "numpy" forces the built-in codec
backend = "lib"


class CheckpointError(ValueError):
    """A file that is not a readable autograd_nn / safetensors checkpoint."""


# ----------------------------------------------------------------------------- encoding
class _Encoder:
    """Object tree -> (JSON-able tree, {name: ndarray}) with path-based unique tensor names."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.memo: dict[int, str] = {}  # id(tensor) -> name, so shared tensors are stored once
        self.keep: list = []  # keeps memoised objects alive while ids are in use

    def name(self, path: str) -> str:
        base = path or "tensor"
        name, k = base, 1
        while name in self.arrays:
            k += 1
            name = f"{base}#{k}"
        return name

    def array(self, obj: Any, arr: np.ndarray, path: str) -> str:
        if id(obj) in self.memo:
            return self.memo[id(obj)]
        if arr.dtype.newbyteorder("=") not in _ST_NAMES:
            ok = ", ".join(str(np.dtype(d)) for d in _ST_DTYPES.values())
            raise TypeError(f"save: {_where(path)} has dtype {arr.dtype}, which cannot be saved "
                            f"(supported: {ok})")
        n = self.name(path)
        # (np.ascontiguousarray would turn 0-d arrays into 1-d ones)
        self.arrays[n] = arr.astype(arr.dtype.newbyteorder("<"), order="C", copy=False)
        self.memo[id(obj)] = n
        self.keep.append(obj)
        return n

    def encode(self, obj: Any, path: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)) or type(obj) is int:
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            return {"tensor": self.array(obj, obj._data, path), "requires_grad": obj.requires_grad,
                    "parameter": type(obj).__name__ == "Parameter"}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self.array(obj, obj, path)}
        if isinstance(obj, np.generic):
            return {"npscalar": self.array(obj, np.asarray(obj), path)}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, Mapping):
            tag = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {tag: [[self.key(k, path), self.encode(v, _join(path, k))]
                          for k, v in obj.items()]}
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {"tuple": [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]
        hint = ("; save its .state_dict() instead (checkpoints hold data, never classes or "
                "code)" if callable(getattr(obj, "state_dict", None)) else "")
        raise TypeError(f"save: cannot save {_where(path)} of type {type(obj).__qualname__}; "
                        f"supported: Tensor, NumPy array/scalar, dict, list, tuple, int, float, "
                        f"bool, str, None, dtype{hint}")

    def key(self, k: Any, path: str) -> Any:
        if isinstance(k, (Tensor, np.ndarray, Mapping, list)):
            raise TypeError(f"save: dict key of type {type(k).__qualname__} in {_where(path)} "
                            f"cannot be saved")
        return self.encode(k, path)


def _join(path: str, k: Any) -> str:
    return f"{path}.{k}" if path else str(k)


def _where(path: str) -> str:
    return f"the object at {path!r}" if path else "the object"


def _header_bytes(arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> tuple[bytes, list]:
    """safetensors header (8-byte little-endian length + space-padded JSON) and the array order.
    Arrays are laid out by decreasing item size so every tensor is aligned in the file."""
    order = sorted(arrays, key=lambda n: -arrays[n].dtype.itemsize)
    head: dict[str, Any] = {"__metadata__": metadata}
    off = 0
    for n in order:
        a = arrays[n]
        head[n] = {"dtype": _ST_NAMES[a.dtype.newbyteorder("=")], "shape": list(a.shape),
                   "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    hb = json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * (-(len(hb) + 8) % 8)
    return struct.pack("<Q", len(hb)) + hb, order


def _write(fh: IO[bytes], arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    st = _safetensors()
    if st is not None:
        fh.write(st.save(arrays, metadata=metadata))
        return
    head, order = _header_bytes(arrays, metadata)
    fh.write(head)
    for n in order:
        if arrays[n].nbytes:
            fh.write(arrays[n].data.cast("B") if arrays[n].ndim else arrays[n].tobytes())


def _safetensors() -> Any:
    if backend != "lib":
        return None
    try:
        import safetensors.numpy as st
    except ImportError:
        return None
    return st


def save(obj: Any, f: PathOrFile, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of tensors, NumPy arrays and
    plain numbers/strings/None) to a path (atomically) or a writable binary file object.

    The pickle options of ``torch.save`` are accepted so PyTorch scripts run unchanged; they do
    nothing (nothing is pickled).

    Example::

        autograd_nn.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                          "epoch": 3}, "ckpt.safetensors")
    """
    enc = _Encoder()
    tree = enc.encode(obj, "")
    metadata = {"format": FORMAT, "version": VERSION,
                "tree": json.dumps(tree, separators=(",", ":"), allow_nan=False)}
    if hasattr(f, "write"):
        _write(f, enc.arrays, metadata)  # type: ignore[arg-type]
        return
    path = os.fspath(f)  # type: ignore[arg-type]
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write(fh, enc.arrays, metadata)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # persist the rename itself (POSIX; best effort)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------- decoding
def _read_all(f: PathOrFile) -> tuple[bytearray, str]:
    if hasattr(f, "read"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("load: the file object must be opened in binary mode ('rb')")
        data = f.read()  # type: ignore[union-attr]
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"load: the file object must be opened in binary mode (read() "
                            f"returned {type(data).__name__})")
        return bytearray(data), getattr(f, "name", "<file object>")
    path = os.fspath(f)  # type: ignore[arg-type]
    with open(path, "rb") as fh:
        buf = bytearray(os.fstat(fh.fileno()).st_size)
        n = fh.readinto(buf)
    return buf[:n] if n != len(buf) else buf, path


def _parse_header(buf: bytearray, src: str) -> tuple[dict, int]:
    """Validate the safetensors layout; return (header, offset of the data section)."""
    n = struct.unpack("<Q", bytes(buf[:8]))[0] if len(buf) >= 8 else -1
    plausible = 0 < n <= min(_MAX_HEADER, len(buf) - 8) and buf[8:9] == b"{"
    # a header length can begin with byte 0x80 too, so pickles are diagnosed only on failure
    if not plausible and bytes(buf[:4]).startswith(_PICKLE_PREFIXES):
        raise CheckpointError(
            f"load: {src!r} is a pickle/zip file (a PyTorch torch.save checkpoint?). "
            f"autograd_nn.load never unpickles, because unpickling can execute arbitrary code. "
            f"Convert it in PyTorch: sd = torch.load(path, weights_only=True); "
            f"autograd_nn.save(autograd_nn.serialization.from_torch_state_dict(sd), new_path)")
    if len(buf) < 8:
        raise CheckpointError(f"load: {src!r} is truncated or not a checkpoint: {len(buf)} bytes, "
                              f"a safetensors file starts with an 8-byte header length")
    if n > _MAX_HEADER or n > len(buf) - 8:
        raise CheckpointError(f"load: {src!r} is truncated or not a safetensors file: its header "
                              f"claims {n} bytes but the file holds {len(buf)} in all")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"load: {src!r} is not a safetensors file: its header is not "
                              f"valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"load: {src!r} has a malformed header (expected a JSON object)")
    start = 8 + n
    size = len(buf) - start
    spans = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dt, shape, (b, e) = info["dtype"], info["shape"], info["data_offsets"]
            shape = tuple(int(s) for s in shape)
            b, e = int(b), int(e)
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(f"load: {src!r}: malformed header entry for tensor "
                                  f"{name!r}: {info!r}") from None
        if dt not in _ST_DTYPES:
            raise CheckpointError(f"load: {src!r}: tensor {name!r} has dtype {dt}, which "
                                  f"autograd_nn does not support ({', '.join(_ST_DTYPES)})")
        need = math.prod(shape) * np.dtype(_ST_DTYPES[dt]).itemsize
        if min(shape, default=0) < 0 or b < 0 or e - b != need:
            raise CheckpointError(f"load: {src!r}: tensor {name!r} of dtype {dt} and shape "
                                  f"{list(shape)} needs {need} bytes but its offsets are "
                                  f"[{b}, {e}]")
        if e > size:
            raise CheckpointError(f"load: {src!r} is truncated: tensor {name!r} ends at data byte "
                                  f"{e} but the file has only {size} data bytes")
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise CheckpointError(f"load: {src!r}: tensor data overlaps or has gaps at byte {b}")
        pos = e
    if pos != size:
        raise CheckpointError(f"load: {src!r}: {size - pos} trailing bytes after the last tensor "
                              f"(corrupt file)")
    return header, start


def _arrays(buf: bytearray, header: dict, start: int) -> dict[str, np.ndarray]:
    st = _safetensors()
    if st is not None:
        return dict(st.load(bytes(buf)))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = np.dtype(_ST_DTYPES[info["dtype"]]).newbyteorder("<")
        b, e = info["data_offsets"]
        a = np.frombuffer(buf, dtype=dt, count=(e - b) // dt.itemsize, offset=start + b)
        out[name] = a.reshape(info["shape"]).astype(dt.newbyteorder("="), copy=False)
    return out


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], src: str) -> None:
        self.arrays, self.src = arrays, src
        self.memo: dict[str, Any] = {}

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise CheckpointError(f"load: {self.src!r}: the structure refers to a missing tensor "
                                  f"{name!r} (corrupt file)")
        return self.arrays[name]

    def decode(self, t: Any) -> Any:
        if t is None or isinstance(t, (bool, int, float, str)):
            return t
        if isinstance(t, list):
            return [self.decode(v) for v in t]
        if not isinstance(t, dict) or len(t) == 0:
            raise CheckpointError(f"load: {self.src!r}: malformed structure node {t!r}")
        if "tensor" in t:
            name = t["tensor"]
            if name not in self.memo:
                x = Tensor._wrap(self.array(name))
                if t.get("parameter"):
                    x = Parameter(x, requires_grad=bool(t.get("requires_grad")))
                elif t.get("requires_grad"):
                    x.requires_grad_(True)
                self.memo[name] = x
            return self.memo[name]
        (tag, v), = t.items()
        if tag == "ndarray":
            return self.array(v)
        if tag == "npscalar":
            return self.array(v)[()]
        if tag in ("dict", "odict"):
            pairs = [(_hashable(self.decode(k)), self.decode(x)) for k, x in v]
            return OrderedDict(pairs) if tag == "odict" else dict(pairs)
        if tag == "tuple":
            return tuple(self.decode(x) for x in v)
        if tag == "float":
            return float(v)
        if tag == "dtype":
            return _dtype.to_dtype(v)
        raise CheckpointError(f"load: {self.src!r}: unknown structure tag {tag!r} (written by a "
                              f"newer version?)")


def _hashable(k: Any) -> Any:
    return tuple(_hashable(x) for x in k) if isinstance(k, list) else k


def load(f: PathOrFile, map_location: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None) -> Any:
    """Load what :func:`save` wrote (or any safetensors file, as ``{name: Tensor}``).

    ``map_location``/``weights_only``/``mmap`` are accepted for PyTorch compatibility: everything
    loads on the CPU, and loading is always weights-only safe (no code can run).

    Raises:
        CheckpointError: truncated, corrupt or foreign files (PyTorch pickles included).
    """
    buf, src = _read_all(f)
    header, start = _parse_header(buf, src)
    meta = header.get("__metadata__") or {}
    if meta.get("format") == FORMAT and meta.get("version") != VERSION:
        raise CheckpointError(f"load: {src!r} was written by autograd_nn checkpoint version "
                              f"{meta.get('version')!r}; this version reads {VERSION!r}")
    arrays = _arrays(buf, header, start)
    if meta.get("format") != FORMAT:  # a plain safetensors file: a state dict in file order
        names = sorted((n for n in header if n != "__metadata__"),
                       key=lambda n: header[n]["data_offsets"])
        return OrderedDict((n, Tensor._wrap(arrays[n])) for n in names)
    try:
        tree = json.loads(meta["tree"])
    except (KeyError, TypeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"load: {src!r}: corrupt structure metadata ({e})") from None
    return _Decoder(arrays, src).decode(tree)


# ----------------------------------------------------------------------------- interop
def _convert(obj: Any, leaf: Any, is_leaf: Any) -> Any:
    if is_leaf(obj):
        return leaf(obj)
    if isinstance(obj, Mapping):
        items = [(k, _convert(v, leaf, is_leaf)) for k, v in obj.items()]
        return OrderedDict(items) if isinstance(obj, OrderedDict) else dict(items)
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_convert(v, leaf, is_leaf) for v in obj)
    if isinstance(obj, list):
        return [_convert(v, leaf, is_leaf) for v in obj]
    return obj


def to_torch_state_dict(sd: Any) -> Any:
    """Copy an autograd_nn state dict (or a Module's, or any nesting of dicts/lists/tuples) into
    one of ``torch.Tensor`` s, names and dtypes kept: ``torch_model.load_state_dict(
    to_torch_state_dict(model.state_dict()))``. Needs PyTorch."""
    import torch

    if hasattr(sd, "state_dict") and callable(sd.state_dict):
        sd = sd.state_dict()
    return _convert(sd, lambda t: torch.from_numpy(np.array(t._data, copy=True)),
                    lambda x: isinstance(x, Tensor))


def from_torch_state_dict(sd: Any) -> Any:
    """Copy a PyTorch state dict (or a ``torch.nn.Module``'s, or any nesting of
    dicts/lists/tuples holding ``torch.Tensor`` s) into autograd_nn Tensors, names and dtypes
    kept: ``model.load_state_dict(from_torch_state_dict(torch_model.state_dict()))``."""
    if hasattr(sd, "state_dict") and callable(sd.state_dict):
        sd = sd.state_dict()

    def leaf(t: Any) -> Tensor:
        arr = t.detach().cpu()
        name = str(arr.dtype).replace("torch.", "")
        if not hasattr(_dtype, name) or not isinstance(getattr(_dtype, name), _dtype.dtype):
            raise TypeError(f"from_torch_state_dict: a tensor of shape {list(arr.shape)} has "
                            f"dtype {arr.dtype}, which autograd_nn does not support; convert it "
                            f"in PyTorch first (e.g. .float())")
        return Tensor._wrap(np.array(arr.numpy(), copy=True))

    return _convert(sd, leaf, lambda x: type(x).__module__.startswith("torch") and
                    hasattr(x, "detach") and hasattr(x, "numpy"))

