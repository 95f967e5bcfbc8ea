"""``save`` / ``load``: checkpoints that can never execute code, and PyTorch state-dict interop.

File format: one `safetensors <https://github.com/huggingface/safetensors>`_ file.

* Every tensor / NumPy array / NumPy scalar in the object is a safetensors tensor (little-endian,
  C order; dtypes F16 F32 F64 U8 I8 I16 I32 I64 BOOL, and BF16 with ml_dtypes). Tensor names
  follow the object's path (``"fc.weight"`` for a flat state dict,
  ``"optimizer.state.0.exp_avg"`` for nested ones), so the file is an ordinary safetensors
  file for other tools.
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
cannot run code. Every file passes the bounded validator (``_checkpoint_validate``) before any
tensor byte is read, and whatever the bytes, ``load`` fails only with :class:`CheckpointError`
(see SECURITY.md). PyTorch ``.pt`` files are pickles and are refused with an explanation (convert
them in PyTorch with :func:`from_torch_state_dict`). A safetensors file written by another tool
loads as a ``{name: Tensor}`` dict.

One codec, NumPy only (``import autograd_nn`` needs nothing else): the writer streams each array
into the file, the reader reads each tensor straight into its own array (peak memory: the file
size) or, with ``load(..., mmap=True)``, maps the file copy-on-write so pages are read on first
touch. The ``safetensors`` package is not needed; the tests use it as an independent oracle.

Saving to a path replaces the file atomically (temporary file beside it, fsync, ``os.replace``,
fsync of the folder), so a crash mid-save leaves the previous file intact. It writes through
symlinks, keeps the replaced file's permission bits (and, as root, its owner), writes in place to
character devices and FIFOs as ``torch.save`` does (``/dev/null``, pipes), refuses directories,
block devices and sockets, and removes temporary files left by earlier saves of the same target
that were killed mid-write.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import mmap as _mmap
import os
import re
import secrets
import stat
import sys
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import IO, Any, Union

import numpy as np

from . import _dtype
from ._checkpoint_validate import (
    FORMAT,
    MAX_HEADER_BYTES,
    MAX_RANK,
    MAX_TENSORS,
    MAX_TREE_DEPTH,
    ST_DTYPES,
    VERSION,
    CheckpointError,
    Layout,
    bfloat16_np,
    check_tree_fits,
    header_length,
    parse_header,
    short,
)
from .nn.parameter import Parameter
from .tensor import Tensor

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so no cleanup of other saves' files either
    fcntl = None  # type: ignore[assignment]

__all__ = ["save", "load", "CheckpointError", "to_torch_state_dict", "from_torch_state_dict"]

PathOrFile = Union[str, "os.PathLike[str]", IO[bytes]]

_ST_NAMES = {np.dtype(v): k for k, v in ST_DTYPES.items()}


def _st_name(dt: np.dtype) -> str | None:
    """The safetensors dtype name of arrays of ``dt`` (any byte order), or None."""
    dt = dt.newbyteorder("=")
    name = _ST_NAMES.get(dt)
    if name is None and dt.kind == "V" and dt == bfloat16_np():
        name = "BF16"
    return name
_DTYPES_BY_NAME = {d.name: d for d in _dtype.ALL}
# a temporary file of an interrupted save is stale after this long even if it looks otherwise
_STALE_AFTER_S = 3600.0
_LITTLE_ENDIAN = sys.byteorder == "little"


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
        if _st_name(arr.dtype) is None:
            ok = ", ".join([str(np.dtype(d)) for d in ST_DTYPES.values()] + ["bfloat16"])
            raise TypeError(f"save: {_where(path)} has dtype {arr.dtype}, which cannot be saved "
                            f"(supported: {ok})")
        if arr.ndim > MAX_RANK:
            raise ValueError(f"save: {_where(path)} has {arr.ndim} dimensions; a checkpoint "
                             f"holds at most {MAX_RANK}")
        n = self.name(path)
        # (np.ascontiguousarray would turn 0-d arrays into 1-d ones)
        self.arrays[n] = arr.astype(arr.dtype.newbyteorder("<"), order="C", copy=False)
        self.memo[id(obj)] = n
        self.keep.append(obj)
        return n

    def encode(self, obj: Any, path: str, depth: int = 0) -> Any:
        """``depth``: the JSON nesting the encoding of ``obj`` starts at (lists add 1 level,
        tuples 2, dicts 3), bounded so recursion stops long before Python's limit."""
        if obj is None or isinstance(obj, (bool, str)) or type(obj) is int:
            return obj
        if depth >= MAX_TREE_DEPTH:
            raise ValueError(f"save: {_where(path)} is nested too deeply: the file's structure "
                             f"tree would exceed the limit of {MAX_TREE_DEPTH} JSON levels")
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
            return {tag: [[self.key(k, path, depth + 3), self.encode(v, _join(path, k), depth + 3)]
                          for k, v in obj.items()]}
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {"tuple": [self.encode(v, _join(path, i), depth + 2)
                              for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return [self.encode(v, _join(path, i), depth + 1) for i, v in enumerate(obj)]
        hint = ("; save its .state_dict() instead (checkpoints hold data, never classes or "
                "code)" if callable(getattr(obj, "state_dict", None)) else "")
        raise TypeError(f"save: cannot save {_where(path)} of type {type(obj).__qualname__}; "
                        f"supported: Tensor, NumPy array/scalar, dict, list, tuple, int, float, "
                        f"bool, str, None, dtype{hint}")

    def key(self, k: Any, path: str, depth: int) -> Any:
        if isinstance(k, (Tensor, np.ndarray, Mapping, list)):
            raise TypeError(f"save: dict key of type {type(k).__qualname__} in {_where(path)} "
                            f"cannot be saved")
        return self.encode(k, path, depth)


def _join(path: str, k: Any) -> str:
    return f"{path}.{k}" if path else str(k)


def _where(path: str) -> str:
    return f"the object at {path!r}" if path else "the object"


def _header_bytes(arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> tuple[bytes, list]:
    """safetensors header (8-byte little-endian length + space-padded JSON) and the array order.
    Arrays are laid out by decreasing item size so every tensor is aligned in the file. Raises
    ValueError for a header ``load`` would refuse."""
    if len(arrays) > MAX_TENSORS:
        raise ValueError(f"save: the object holds {len(arrays):,} tensors/arrays; a checkpoint "
                         f"holds at most {MAX_TENSORS:,}")
    order = sorted(arrays, key=lambda n: -arrays[n].dtype.itemsize)
    head: dict[str, Any] = {"__metadata__": metadata}
    off = 0
    for n in order:
        a = arrays[n]
        head[n] = {"dtype": _st_name(a.dtype), "shape": list(a.shape),
                   "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    hb = json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * (-(len(hb) + 8) % 8)
    if len(hb) > MAX_HEADER_BYTES:
        raise ValueError(f"save: the file header (names, shapes and the object's structure) "
                         f"would take {len(hb):,} bytes, more than the {MAX_HEADER_BYTES:,}-byte "
                         f"limit; store large collections of numbers as tensors")
    return len(hb).to_bytes(8, "little") + hb, order


def _write(fh: IO[bytes], head: bytes, order: list[str], arrays: dict[str, np.ndarray]) -> None:
    fh.write(head)
    for n in order:
        if arrays[n].nbytes:
            fh.write(arrays[n].reshape(-1).view(np.uint8).data)


def save(obj: Any, f: PathOrFile, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of tensors, NumPy arrays and
    plain numbers/strings/None) to a path or a writable binary file object.

    A path is replaced atomically (the previous file survives a crash mid-save), through
    symlinks, keeping the replaced file's permissions (a file this user may not write is
    refused); temporary files of earlier saves of the same path that were killed mid-write are
    removed. Character devices and FIFOs
    (``/dev/null``, a pipe) are written in place, as ``torch.save`` does; directories, block
    devices and sockets are refused. The pickle options of ``torch.save`` are accepted so
    PyTorch scripts run unchanged; they do nothing (nothing is pickled).

    Raises:
        TypeError: ``obj`` holds something that cannot be saved (nothing is written).
        ValueError: ``obj`` is beyond what a checkpoint holds (nesting, tensor count).
        OSError: the file cannot be written (the previous file is kept).

    Example::

        autograd_nn.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                          "epoch": 3}, "ckpt.safetensors")
    """
    enc = _Encoder()
    tree = json.dumps(enc.encode(obj, ""), separators=(",", ":"), allow_nan=False)
    check_tree_fits(tree)
    head, order = _header_bytes(enc.arrays, {"format": FORMAT, "version": VERSION, "tree": tree})

    def write(fh: IO[bytes]) -> None:
        _write(fh, head, order, enc.arrays)

    if hasattr(f, "write"):
        write(f)  # type: ignore[arg-type]
    else:
        _save_to_path(os.fspath(f), write)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- saving to a path
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_EFFECTIVE_IDS = os.access in os.supports_effective_ids


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symlink")):
        if test(mode):
            return kind
    return "not a regular file"


def _save_to_path(path: str, write: Any) -> None:
    target = os.path.realpath(path)  # through symlinks (and chains of them) to the file named
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        if stat.S_ISCHR(old.st_mode) or stat.S_ISFIFO(old.st_mode):
            with open(target, "wb") as fh:  # /dev/null, a pipe: in place, as torch.save does
                write(fh)
            return
        if stat.S_ISDIR(old.st_mode):
            raise IsADirectoryError(errno.EISDIR, f"save: {path!r} is a directory", path)
        raise OSError(errno.EINVAL, f"save: {path!r} is {_file_kind(old.st_mode)}; only regular "
                      f"files, character devices and FIFOs can be saved to", path)
    if old is not None and not os.access(target, os.W_OK, effective_ids=_EFFECTIVE_IDS):
        # a replacement would go around the file's own protection, which open() respects
        raise PermissionError(errno.EACCES, f"save: {path!r} is not writable (mode "
                                            f"{stat.filemode(old.st_mode)})", path)
    folder, base = os.path.split(target)
    _remove_stale_temps(folder, base)
    # the pid lets a later save tell a dead writer's empty file from one being created right now
    tmp = os.path.join(folder, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # replacing a file: private until its mode is copied; a new file: the umask decides
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_NOFOLLOW
                     | _O_BINARY, 0o600 if old is not None else 0o666)
    except OSError as e:  # name the file the caller asked for, and why another is involved
        raise type(e)(e.errno, f"save: cannot create the temporary file beside {path!r} that "
                               f"replacing it atomically needs ({e.strerror})", tmp) from e
    try:
        _lock(fd, blocking=True)  # held until closed: other saves leave this file alone
        with os.fdopen(fd, "wb", closefd=False) as fh:
            write(fh)
        if old is not None:
            now = os.fstat(fd)
            if (now.st_uid, now.st_gid) != (old.st_uid, old.st_gid):
                with contextlib.suppress(OSError):  # only root (or a group member) may
                    os.fchown(fd, old.st_uid, old.st_gid)
            os.fchmod(fd, stat.S_IMODE(old.st_mode))  # after chown, which clears setuid bits
        os.fsync(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    _fsync_dir(folder)  # persists the rename itself


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):  # POSIX; some file systems cannot (best effort)
        dfd = os.open(folder or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _O_CLOEXEC)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _lock(fd: int, blocking: bool) -> bool:
    """An exclusive advisory lock on ``fd``: True when taken, False when another process holds
    it or the file system cannot lock."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _remove_stale_temps(folder: str, base: str) -> None:
    """Remove temporary files that earlier saves of ``folder/base`` left when they were killed.

    Only files named as ``save`` names them (``.<base>.<pid>.<8 hex>.tmp``, or the older
    ``.<base>.<8 chars>.tmp``), owned by this user and not locked by a running save are removed,
    and of those only the ones that are certainly abandoned: a save locks its file before writing
    a byte, so an unlocked non-empty file's writer is gone; an unlocked empty one is removed when
    its writer's pid is dead, and any of them after an hour untouched."""
    if fcntl is None:
        return
    pattern = re.compile(re.escape(f".{base}.") + r"(?:(\d{1,10})\.[0-9a-f]{8}|[a-z0-9_]{8})\.tmp")
    try:
        names = [n for n in os.listdir(folder or ".") if n.startswith(f".{base}.")]
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m:
            with contextlib.suppress(OSError):  # vanished, or not ours to remove
                _remove_if_stale(os.path.join(folder, name), m.group(1))


def _remove_if_stale(path: str, pid: str | None) -> None:
    fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC | _O_NOCTTY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return
        if not _lock(fd, blocking=False):  # a save is writing it (or locks are unsupported)
            return
        abandoned = pid is not None and (st.st_size > 0 or not _pid_alive(int(pid)))
        if not abandoned and time.time() - st.st_mtime < _STALE_AFTER_S:
            return
        now = os.stat(path, follow_symlinks=False)
        if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
            os.unlink(path)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid <= 0 or os.name == "nt":
        return True  # cannot tell: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


# ----------------------------------------------------------------------------- loading
class _Source:
    """Random access to a checkpoint's bytes: ``size`` bytes from offset ``base`` of ``fh``
    (a file opened by ``load``, or the caller's binary file object); ``fd`` when the bytes are a
    regular file ``load`` opened, which ``mmap=True`` maps."""

    def __init__(self, name: str, fh: Any, base: int, size: int, fd: int | None = None) -> None:
        self.name, self.fh, self.base, self.size, self.fd = name, fh, base, size, fd

    def read(self, offset: int, n: int) -> bytes:
        self.fh.seek(self.base + offset)
        data = self.fh.read(n)
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"load: the file object must be opened in binary mode (read() "
                            f"returned {type(data).__name__})")
        return bytes(data)

    def readinto(self, offset: int, out: np.ndarray) -> None:
        """Fill ``out`` (a 1-D uint8 array) from ``offset``, with no intermediate copy."""
        self.fh.seek(self.base + offset)
        readinto = getattr(self.fh, "readinto", None)
        got = 0
        while got < out.size:
            if readinto is not None:
                k = readinto(out[got:].data)
            else:
                chunk = self.read(offset + got, out.size - got)
                k = len(chunk)
                out[got:got + k] = np.frombuffer(chunk, np.uint8)
            if not k:
                raise CheckpointError(f"load: {self.name!r} shrank while it was being read "
                                      f"({offset + got} of {offset + out.size} bytes)")
            got += k

    def arrays(self, layout: Layout, mmap: bool) -> dict[str, np.ndarray]:
        """Every tensor of ``layout``: read into its own array, or views of a copy-on-write map
        of the file (writable; the file never changes)."""
        mapped = None
        if mmap and self.fd is not None and layout.data_start < self.size:
            mapped = _mmap.mmap(self.fd, 0, access=_mmap.ACCESS_COPY)
            if len(mapped) != self.size:
                raise CheckpointError(f"load: {self.name!r} changed size while it was being read")
        out = {}
        for e in layout.entries:
            if e.end == e.begin:
                a = np.empty(e.shape, e.dtype)
            elif mapped is not None:
                a = np.frombuffer(mapped, e.dtype, (e.end - e.begin) // e.dtype.itemsize,
                                  layout.data_start + e.begin).reshape(e.shape)
            else:
                a = np.empty(e.shape, e.dtype)
                self.readinto(layout.data_start + e.begin, a.reshape(-1).view(np.uint8))
            if e.dtype.kind == "b" and a.size and a.reshape(-1).view(np.uint8).max() > 1:
                raise CheckpointError(f"load: {self.name!r}: bool tensor {e.name!r} holds byte "
                                      f"values other than 0 and 1 (corrupt file)")
            out[e.name] = a if _LITTLE_ENDIAN else a.astype(e.dtype.newbyteorder("="))
        return out


@contextlib.contextmanager
def _open(f: PathOrFile, mmap: bool) -> Iterator[_Source]:
    if hasattr(f, "read"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("load: the file object must be opened in binary mode ('rb')")
        if mmap:
            raise ValueError("load: mmap=True needs a file path, not a file object")
        yield _file_object_source(f)  # type: ignore[arg-type]
        return
    path = os.fspath(f)  # type: ignore[arg-type]
    # non-regular files are refused before open, which would block on a FIFO or act on a device
    _require_regular(os.stat(path).st_mode, path)
    fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC | _O_NOCTTY | _O_BINARY)
    try:
        st = os.fstat(fd)
        _require_regular(st.st_mode, path)  # swapped in after the first check
        with io.FileIO(fd, "rb", closefd=False) as fh:
            yield _Source(path, fh, 0, st.st_size, fd)
    finally:
        os.close(fd)


def _require_regular(mode: int, path: str) -> None:
    if not stat.S_ISREG(mode):
        raise CheckpointError(f"load: {path!r} is {_file_kind(mode)}, not a regular file; a "
                              f"checkpoint is read from a regular file (or a file object)")


def _file_object_source(f: IO[bytes]) -> _Source:
    name = str(getattr(f, "name", "<file object>"))
    seekable = getattr(f, "seekable", None)
    if seekable is not None and seekable():
        base = f.tell()
        f.seek(0, os.SEEK_END)
        return _Source(name, f, base, f.tell() - base)
    data = _read_all(f)  # a pipe or socket: its bytes are read once
    return _Source(name, io.BytesIO(data), 0, len(data))


def _read_all(f: IO[bytes]) -> bytes:
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"load: the file object must be opened in binary mode (read() returned "
                        f"{type(data).__name__})")
    return bytes(data)


class _Build:
    """A marker on the decoder's work stack: assemble ``n`` decoded values into a ``kind``."""

    __slots__ = ("kind", "n")

    def __init__(self, kind: str, n: int) -> None:
        self.kind, self.n = kind, n


class _Decoder:
    """Structure tree -> objects, iteratively (an explicit stack: no recursion limit), checking
    every node; anything unexpected is a CheckpointError naming the node."""

    def __init__(self, arrays: dict[str, np.ndarray], src: str) -> None:
        self.arrays, self.src = arrays, src
        self.memo: dict[str, Tensor] = {}

    def fail(self, why: str) -> CheckpointError:
        return CheckpointError(f"load: {self.src!r}: {why} (corrupt file)")

    def decode(self, tree: Any) -> Any:
        out: list = []  # decoded values, in order
        todo: list = [tree]  # JSON nodes to decode and _Build markers, last first
        while todo:
            t = todo.pop()
            if type(t) is _Build:
                items = out[len(out) - t.n:]
                del out[len(out) - t.n:]
                out.append(self.build(t.kind, items))
            elif t is None or isinstance(t, (bool, int, float, str)):
                out.append(t)
            elif isinstance(t, list):
                todo.append(_Build("list", len(t)))
                todo.extend(reversed(t))
            else:
                tag, v = self.tag(t)
                if tag in ("dict", "odict", "tuple"):
                    if not isinstance(v, list):
                        raise self.fail(f"a {tag!r} node holds {short(v)}, not a JSON array")
                    if tag == "tuple":
                        todo.append(_Build("tuple", len(v)))
                        todo.extend(reversed(v))
                        continue
                    if not all(isinstance(p, list) and len(p) == 2 for p in v):
                        bad = next(p for p in v if not (isinstance(p, list) and len(p) == 2))
                        raise self.fail(f"a {tag!r} node holds the entry {short(bad)}, not a "
                                        f"[key, value] pair")
                    todo.append(_Build(tag, 2 * len(v)))
                    for k, x in reversed(v):
                        todo.append(x)
                        todo.append(k)
                else:
                    out.append(self.leaf(tag, v, t))
        return out[0]

    def tag(self, t: Any) -> tuple[str, Any]:
        if isinstance(t, dict) and "tensor" in t:
            return "tensor", t["tensor"]
        if not isinstance(t, dict) or len(t) != 1:
            raise self.fail(f"malformed structure node {short(t)}")
        return next(iter(t.items()))

    def build(self, kind: str, items: list) -> Any:
        if kind == "list":
            return items
        if kind == "tuple":
            return tuple(items)
        keys = items[0::2]
        for k in keys:
            try:
                hash(k)
            except TypeError:
                raise self.fail(f"a dict key is of unhashable type {type(k).__name__}") from None
            if isinstance(k, Tensor):
                raise self.fail("a dict key is a tensor")
        pairs = zip(keys, items[1::2])
        return OrderedDict(pairs) if kind == "odict" else dict(pairs)

    def array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise self.fail(f"the structure refers to a missing tensor {short(name)}")
        return self.arrays[name]

    def leaf(self, tag: str, v: Any, node: dict) -> Any:
        if tag == "tensor":
            return self.tensor(node)
        if tag == "ndarray":
            return self.array(v)
        if tag == "npscalar":
            a = self.array(v)
            if a.ndim:
                raise self.fail(f"the NumPy scalar {v!r} has shape {list(a.shape)}")
            return a[()]
        if tag == "float":
            if v not in ("nan", "inf", "-inf"):
                raise self.fail(f"a 'float' node holds {short(v)}, not 'nan', 'inf' or '-inf'")
            return float(v)
        if tag == "dtype":
            if not isinstance(v, str) or v not in _DTYPES_BY_NAME:
                raise self.fail(f"unknown dtype {short(v)}")
            return _DTYPES_BY_NAME[v]
        raise CheckpointError(f"load: {self.src!r}: unknown structure tag {short(tag)} "
                              f"(written by a newer version?)")

    def tensor(self, node: dict) -> Tensor:
        name = node["tensor"]
        flags = {k: node.get(k, False) for k in ("requires_grad", "parameter")}
        if set(node) - {"tensor", *flags} or not all(type(x) is bool for x in flags.values()):
            raise self.fail(f"malformed tensor node {short(node)}")
        arr = self.array(name)
        if name in self.memo:
            return self.memo[name]
        if flags["requires_grad"] and arr.dtype.kind != "f":
            raise self.fail(f"tensor {name!r} of dtype {arr.dtype} is marked requires_grad; "
                            f"only floating-point tensors can require gradients")
        x = Tensor._wrap(arr)
        if flags["parameter"]:

            x = Parameter(x, requires_grad=flags["requires_grad"])
        elif flags["requires_grad"]:
            x.requires_grad_(True)
        self.memo[name] = x
        return x


def load(f: PathOrFile, map_location: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None) -> Any:
    """Load what :func:`save` wrote (or any safetensors file, as ``{name: Tensor}`` in file
    order) from a path or a readable binary file object.

    ``mmap=True`` maps the file instead of reading it: tensors are copy-on-write views (writable;
    the file never changes) whose pages are read on first touch, so loading is immediate and a
    checkpoint larger than memory can be opened. Otherwise each tensor is read straight into its
    own array (peak memory: the file size). ``map_location``/``weights_only`` are accepted for
    PyTorch compatibility: everything loads on the CPU, and loading is always weights-only safe
    (no code can run).

    Raises:
        CheckpointError: for any content that is not a valid checkpoint (truncated, corrupt,
            hostile or foreign files, PyTorch pickles included), and for paths that are not
            regular files (FIFOs, devices, directories), with the reason; see SECURITY.md.
        OSError: the path cannot be opened or read.
        TypeError / ValueError: a text-mode file object; ``mmap=True`` with a file object.
    """
    with _open(f, bool(mmap)) as src:
        n = header_length(src.read(0, 9), src.size, src.name)
        raw = src.read(8, n)
        if len(raw) != n:
            raise CheckpointError(f"load: {src.name!r} shrank while it was being read")
        layout = parse_header(raw, src.size, src.name)
        arrays = src.arrays(layout, bool(mmap))
        if src.fd is None:
            src.fh.seek(src.base + src.size)  # a file object is left after the checkpoint
    if layout.plain:  # a plain safetensors file: a state dict in file order
        return OrderedDict((e.name, Tensor._wrap(arrays[e.name])) for e in layout.entries)
    return _Decoder(arrays, src.name).decode(layout.tree)


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
    import torch  # optional: only this converter needs PyTorch

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

