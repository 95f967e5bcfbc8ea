"""The checkpoint validator: a bounded parser for safetensors headers and the structure tree.

Everything :func:`autograd_nn.load` reads passes through here before a single tensor byte is
touched, and every way a file can be wrong ends in :class:`CheckpointError` with the reason:

* JSON is parsed only once its nesting depth and number of containers are known to be within
  bounds (from a bracket count, or an iterative NumPy scan of quotes and brackets), so the
  recursive ``json`` parser can neither overflow the stack nor build millions of containers;
  duplicate keys and the non-JSON constants ``NaN``/``Infinity`` are refused (parsers disagree
  on them).
* A header is exactly what the safetensors format allows and nothing else: an object mapping
  tensor names to ``{"dtype", "shape", "data_offsets"}`` with non-bool, non-negative integers,
  offsets that tile the data section exactly (no overlap, gap, or trailing byte), and an optional
  ``"__metadata__"`` mapping strings to strings.
* Sizes are bounded before allocation: the header (100 MB, the safetensors library's limit),
  tensors per file, dimensions per tensor, containers in the structure tree and its depth.

The module needs only NumPy and never reads tensor data; ``serialization`` owns the reading.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ._dtype import get_bfloat16

MAX_HEADER_BYTES = 100_000_000  # the safetensors library's limit
MAX_TENSORS = 100_000
MAX_RANK = 32  # NumPy 1.x's limit (2.x allows 64): a file loads under either
MAX_TREE_DEPTH = 256  # JSON nesting of the structure tree; save refuses deeper objects
MAX_TREE_CONTAINERS = 4_000_000  # JSON arrays + objects in the structure tree
FORMAT, VERSION = "autograd_nn", "1"

ST_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "U8": np.uint8,
             "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
# torch.save's zip container, and pickle protocols 2-5
_PICKLE_PREFIXES = (b"PK\x03\x04", b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_ENTRY_KEYS = frozenset(("dtype", "shape", "data_offsets"))
_LE_DTYPES = {k: np.dtype(v).newbyteorder("<") for k, v in ST_DTYPES.items()}


def bfloat16_np() -> np.dtype | None:
    """safetensors' BF16: ml_dtypes' bfloat16 when that optional package is installed (a
    bfloat16 array exists only then), else None."""
    try:
        return np.dtype(get_bfloat16().np)
    except TypeError:  # the placeholder: ml_dtypes is absent
        return None
_CHUNK = 1 << 22
# JSON with at most this many brackets nests no deeper: parsed without the scan, safely within
# the recursion limit; the header's own depth (3) is then enforced by the entry checks
_SHALLOW = 128
_local = threading.local()


class CheckpointError(ValueError):
    """A file that is not a readable autograd_nn / safetensors checkpoint."""


class Entry(NamedTuple):
    """One tensor of the file: ``dtype`` (little-endian NumPy dtype), ``shape``, and its bytes
    ``[begin, end)`` relative to the start of the data section."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    begin: int
    end: int


@dataclass(frozen=True)
class Layout:
    """A validated header: ``data_start`` (file offset of the data section), the entries in
    file order, the ``__metadata__`` strings, and the parsed structure tree (``plain``: a
    safetensors file without one)."""

    data_start: int
    entries: list[Entry]
    metadata: dict[str, str]
    plain: bool
    tree: Any = None


def header_length(prefix: bytes, size: int, src: str) -> int:
    """The header length from the file's first (up to 9) bytes, checked against ``size``, the
    number of bytes the file holds."""
    n = int.from_bytes(prefix[:8], "little") if len(prefix) >= 8 else -1
    plausible = 2 <= n <= min(MAX_HEADER_BYTES, size - 8) and prefix[8:9] == b"{"
    # a header length can begin with byte 0x80 too, so pickles are diagnosed only on failure
    if not plausible and prefix[:4].startswith(_PICKLE_PREFIXES):
        raise CheckpointError(
            f"load: {src!r} is a pickle/zip file (a PyTorch torch.save checkpoint?). "
            f"autograd_nn.load never unpickles, because unpickling can execute arbitrary code. "
            f"Convert it in PyTorch: sd = torch.load(path, weights_only=True); "
            f"autograd_nn.save(autograd_nn.serialization.from_torch_state_dict(sd), new_path)")
    if size < 8:
        raise CheckpointError(f"load: {src!r} is truncated or not a checkpoint: {size} bytes, "
                              f"a safetensors file starts with an 8-byte header length")
    if n > MAX_HEADER_BYTES:
        raise CheckpointError(f"load: {src!r} is not a safetensors file: its header claims {n} "
                              f"bytes, more than the {MAX_HEADER_BYTES:,}-byte limit")
    if n > size - 8:
        raise CheckpointError(f"load: {src!r} is truncated or not a safetensors file: its header "
                              f"claims {n} bytes but the file holds {size} in all")
    if n < 2:
        raise CheckpointError(f"load: {src!r} is not a safetensors file: a header of {n} bytes "
                              f"cannot hold a JSON object")
    return n


def parse_header(raw: bytes, size: int, src: str) -> Layout:
    """Validate the header JSON ``raw`` (the ``n`` bytes after the length) of a file of ``size``
    bytes and the metadata / structure tree it carries."""
    if raw[:1] != b"{":
        raise CheckpointError(f"load: {src!r} is not a safetensors file: its header does not "
                              f"start with '{{'")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckpointError(f"load: {src!r} is not a safetensors file: its header is not "
                              f"valid UTF-8 ({e})") from None
    # a header nests 3 deep at most: {name: {"shape": [...]}}; 3 containers per tensor
    header = loads_bounded(raw, text, max_depth=3, max_containers=3 * MAX_TENSORS + 2,
                           what=f"load: {src!r}: the header")
    if not isinstance(header, dict):
        raise CheckpointError(f"load: {src!r} has a malformed header (expected a JSON object, "
                              f"got {_kind(header)})")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise CheckpointError(f"load: {src!r}: '__metadata__' must map strings to strings, got "
                              f"{short(metadata)}")
    if len(header) > MAX_TENSORS:
        raise CheckpointError(f"load: {src!r} lists {len(header):,} tensors, more than the "
                              f"limit of {MAX_TENSORS:,}")
    data_start = 8 + len(raw)
    entries = _entries(header, size - data_start, src)
    plain = metadata.get("format") != FORMAT and "tree" not in metadata
    return Layout(data_start, entries, metadata, plain, None if plain else _tree(metadata, src))


def _entries(header: dict, data_size: int, src: str) -> list[Entry]:
    entries = []
    for name, info in header.items():
        if type(info) is not dict or info.keys() != _ENTRY_KEYS:
            raise CheckpointError(f"load: {src!r}: malformed header entry for tensor {name!r}: "
                                  f"expected {{'dtype', 'shape', 'data_offsets'}}, got "
                                  f"{short(info)}")
        dt, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        dtype = _LE_DTYPES.get(dt) if type(dt) is str else None
        if dtype is None and dt == "BF16":
            dtype = bfloat16_np()
            if dtype is None:
                raise CheckpointError(f"load: {src!r}: tensor {name!r} is bfloat16 (BF16), which "
                                      f"needs the ml_dtypes package (pip install ml_dtypes)")
        if dtype is None:
            raise CheckpointError(f"load: {src!r}: tensor {name!r} has dtype {short(dt)}, which "
                                  f"autograd_nn does not support ({', '.join(ST_DTYPES)}, "
                                  f"BF16)")
        # type(...) is int: JSON true/false are bools, which Python counts as ints
        if not (type(shape) is list and len(shape) <= MAX_RANK
                and all(type(d) is int and d >= 0 for d in shape)):
            raise CheckpointError(f"load: {src!r}: tensor {name!r} has shape {short(shape)}; "
                                  f"a shape is a list of at most {MAX_RANK} non-negative integers")
        if not (type(offsets) is list and len(offsets) == 2
                and all(type(o) is int and o >= 0 for o in offsets)):
            raise CheckpointError(f"load: {src!r}: tensor {name!r} has data_offsets "
                                  f"{short(offsets)}; expected [begin, end], two non-negative "
                                  f"integers")
        b, e = offsets
        need = math.prod(shape) * dtype.itemsize
        if e - b != need:
            raise CheckpointError(f"load: {src!r}: tensor {name!r} of dtype {dt} and shape "
                                  f"{shape} needs {need} bytes but its offsets are [{b}, {e}]")
        if e > data_size:
            raise CheckpointError(f"load: {src!r} is truncated: tensor {name!r} ends at data byte "
                                  f"{e} but the file has only {data_size} data bytes")
        if not need and math.prod(max(d, 1) for d in shape) * dtype.itemsize >= 2 ** 63:
            raise CheckpointError(f"load: {src!r}: tensor {name!r} has shape {shape}, too large "
                                  f"for an array")
        entries.append(Entry(name, dtype, tuple(shape), b, e))
    entries.sort(key=lambda x: (x.begin, x.end))
    pos = 0
    for x in entries:  # the data section is tiled exactly, as the safetensors format requires
        if x.begin != pos:
            what = "overlaps another" if x.begin < pos else "leaves a gap before it"
            raise CheckpointError(f"load: {src!r}: the data of tensor {x.name!r} (bytes "
                                  f"[{x.begin}, {x.end})) {what}")
        pos = x.end
    if pos != data_size:
        raise CheckpointError(f"load: {src!r}: {data_size - pos} trailing bytes after the last "
                              f"tensor (corrupt file)")
    return entries


def _tree(metadata: dict[str, str], src: str) -> Any:
    """The structure tree of a file carrying either half of the autograd_nn tag (format name or
    tree), which must carry all of it: a damaged tag is an error, never a silent fallback to a
    flat dict."""
    fmt = metadata.get("format")
    if fmt != FORMAT:
        raise CheckpointError(f"load: {src!r} holds an autograd_nn structure tree but its format "
                              f"tag is {short(fmt)} instead of {FORMAT!r} (corrupt file)")
    if metadata.get("version") != VERSION:
        raise CheckpointError(f"load: {src!r} was written by autograd_nn checkpoint version "
                              f"{short(metadata.get('version'))}; this version reads {VERSION!r}")
    if "tree" not in metadata:
        raise CheckpointError(f"load: {src!r} is tagged as an autograd_nn checkpoint but has no "
                              f"structure tree (corrupt file)")
    text = metadata["tree"]
    return loads_bounded(text.encode("utf-8", "surrogatepass"), text, max_depth=MAX_TREE_DEPTH,
                         max_containers=MAX_TREE_CONTAINERS, what=f"load: {src!r}: the structure")


def nesting(raw: bytes, max_containers: int, what: str) -> int:
    """Depth of the deepest JSON container in ``raw``, found without recursion and without
    parsing: NumPy scans it in 4 MiB chunks for quotes (minus escaped ones), and for brackets
    outside strings. Raises if there are more than ``max_containers`` arrays and objects, or the
    brackets do not balance. Exact for valid JSON; for invalid JSON exact up to the first
    error, which is as far as a parser recurses."""
    depth = deepest = opens = 0
    inside = False  # the chunk starts inside a string
    carry = 0  # backslashes ending the previous chunk: they escape a quote that starts this one
    for start in range(0, len(raw), _CHUNK):
        a = np.frombuffer(raw, np.uint8, min(_CHUNK, len(raw) - start), start)
        quotes, slashes = np.flatnonzero(a == 0x22), np.flatnonzero(a == 0x5C)
        run = np.zeros(quotes.size, np.int64)  # the backslashes right before each quote
        run[quotes == 0] = carry
        trailing = 0
        if slashes.size:
            cut = np.flatnonzero(np.diff(slashes) != 1)
            first = slashes[np.concatenate(([0], cut + 1))]
            last = slashes[np.concatenate((cut, [slashes.size - 1]))]
            k = np.minimum(np.searchsorted(last, quotes - 1), last.size - 1)
            hit = last[k] == quotes - 1
            run[hit] = last[k[hit]] - first[k[hit]] + 1 + np.where(first[k[hit]] == 0, carry, 0)
            if last[-1] == a.size - 1:
                trailing = int(last[-1] - first[-1] + 1 + (carry if first[-1] == 0 else 0))
        carry = trailing
        quotes = quotes[run % 2 == 0]
        brackets = np.flatnonzero((a == 0x5B) | (a == 0x5D) | (a == 0x7B) | (a == 0x7D))
        brackets = brackets[(np.searchsorted(quotes, brackets) + inside) % 2 == 0]
        inside ^= bool(quotes.size % 2)
        if not brackets.size:
            continue
        kind = a[brackets]
        is_open = (kind == 0x5B) | (kind == 0x7B)
        opens += int(np.count_nonzero(is_open))
        if opens > max_containers:
            raise CheckpointError(f"{what} holds more than {max_containers:,} JSON "
                                  f"arrays/objects, the limit")
        levels = depth + np.cumsum(np.where(is_open, 1, -1))
        if levels.min() < 0:
            raise CheckpointError(f"{what} is not valid JSON (unbalanced brackets)")
        deepest, depth = max(deepest, int(levels.max())), int(levels[-1])
    if depth or inside:
        raise CheckpointError(f"{what} is not valid JSON (unbalanced brackets or an "
                              f"unterminated string)")
    return deepest


def loads_bounded(raw: bytes, text: str, max_depth: int, max_containers: int, what: str) -> Any:
    """``json.loads(text)`` (``raw``: its UTF-8 bytes) once its nesting and size are known to be
    within the bounds; duplicate keys and NaN/Infinity are refused."""
    depth = raw.count(b"[") + raw.count(b"{")  # brackets in strings too: a bound on the nesting
    if depth > _SHALLOW:  # else too few brackets to matter: skip the scan (small files)
        depth = nesting(raw, max_containers, what)
        if depth > max_depth:
            raise CheckpointError(f"{what} nests {depth} levels deep, more than the limit of "
                                  f"{max_depth}")
    decoder = getattr(_local, "decoder", None)
    if decoder is None:  # building one compiles its scanner: once per thread
        decoder = _local.decoder = json.JSONDecoder(object_pairs_hook=_unique_keys,
                                                    parse_constant=_no_constant)
    try:
        return decoder.decode(text)
    except RecursionError:
        raise CheckpointError(f"{what} nests {depth} levels deep, more than this thread's "
                              f"remaining recursion limit allows") from None
    except ValueError as e:  # JSONDecodeError, duplicate keys, ints past Python's digit limit
        raise CheckpointError(f"{what} is not valid JSON ({e})") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {dup!r}")
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_count(x: Any) -> bool:
    return type(x) is int and x >= 0


def _kind(x: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(x), "a number")


def short(x: Any, limit: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= limit else r[:limit] + "..."


def check_tree_fits(tree_json: str) -> None:
    """Raise ValueError when ``save`` is about to write a structure tree that ``load`` would
    refuse (too deep or too many containers), so every saved file loads."""
    try:
        depth = nesting(tree_json.encode("utf-8", "surrogatepass"), MAX_TREE_CONTAINERS,
                        "save: the object")
    except CheckpointError as e:
        raise ValueError(str(e)) from None
    if depth > MAX_TREE_DEPTH:
        raise ValueError(f"save: the object nests {depth} levels deep in the file's structure "
                         f"tree, more than the limit of {MAX_TREE_DEPTH}")

