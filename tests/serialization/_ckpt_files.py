"""Builders of valid and hostile checkpoint bytes for the loader tests and the fuzzers, and the
one-error-type check they all apply (with a per-file timeout)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import signal
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

import autograd_nn as ag
from autograd_nn.serialization import CheckpointError

FILE_TIMEOUT_S = 5.0  # a file that takes longer to load or refuse is a hang: the test fails


def raw_file(header: Any, data: bytes = b"", length: int | None = None, pad: bool = True) -> bytes:
    """A safetensors-shaped file: 8-byte little-endian header length, the header (a JSON value,
    or bytes as given), then ``data``. ``length`` overrides the header length field."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    if pad:
        head += b" " * (-len(head) % 8)
    n = len(head) if length is None else length
    return (n % 2 ** 64).to_bytes(8, "little") + head + data


def entry(dtype: Any = "F32", shape: Any = (2,), offsets: Any = (0, 8)) -> dict:
    return {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
            "data_offsets": list(offsets) if isinstance(offsets, tuple) else offsets}


def with_tree(tree: Any, tensors: dict | None = None, meta: dict | None = None) -> bytes:
    """An autograd_nn-tagged file with the structure ``tree`` (a JSON value, or a JSON string
    as given) and ``tensors`` ({name: ndarray}, laid out in order)."""
    tensors = tensors or {}
    md = {"format": "autograd_nn", "version": "1",
          "tree": tree if isinstance(tree, str) else json.dumps(tree)}
    md.update(meta or {})
    header: dict = {"__metadata__": md}
    data, off = b"", 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        header[name] = {"dtype": {"float32": "F32", "float64": "F64", "int64": "I64",
                                  "bool": "BOOL", "uint8": "U8"}[a.dtype.name],
                        "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        data += a.tobytes()
        off += a.nbytes
    return raw_file(header, data)


def saved(obj: Any) -> bytes:
    buf = io.BytesIO()
    ag.save(obj, buf)
    return buf.getvalue()


def valid_files() -> list[bytes]:
    """Small valid checkpoints covering every node kind and dtype (the seeds that the byte-level
    fuzzers damage)."""
    lin = ag.nn.Linear(3, 2)
    opt = ag.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    lin(ag.ones(1, 3)).sum().backward()
    opt.step()
    shared = ag.tensor([1.5, -2.0])
    return [
        saved({"model": lin.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}),
        saved(OrderedDict(w=ag.nn.Parameter(ag.ones(2, 2)), g=ag.zeros(3, requires_grad=True),
                          b=ag.tensor([True, False]), i=ag.tensor([7], dtype=ag.int64),
                          h=ag.zeros((), dtype=ag.float16), e=ag.zeros(0, 2))),
        saved({(1, "k"): [math.inf, -0.0, math.nan, None, True, 2 ** 70, "s\u00e9"],
               2.5: (shared, shared), "dt": ag.int16, "np": (np.float32(1.25), np.arange(3))}),
        raw_file({"__metadata__": {"format": "pt"}, "a": entry("I64", (2,), (0, 16)),
                  "b": entry("U8", (3,), (16, 19))}, bytes(range(19))),
    ]


class FileTimeoutError(Exception):
    """Raised inside ``load`` when one file takes longer than FILE_TIMEOUT_S."""


@contextlib.contextmanager
def deadline(seconds: float = FILE_TIMEOUT_S):
    """Interrupt the block after ``seconds`` (SIGALRM; only in the main thread, elsewhere the
    caller's own timing is the check)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise FileTimeoutError(f"a single file took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def outcome(data: bytes, path=None, mmap: bool = False) -> str:
    """Load ``data`` (from memory, or from ``path`` after writing it there): "ok" or "refused"
    (CheckpointError). Any other exception, or a timeout, escapes to fail the test, with the
    file's bytes in the message to reproduce it."""
    try:
        with deadline():
            if path is None:
                ag.load(io.BytesIO(data))
            else:
                path.write_bytes(data)
                ag.load(path, mmap=mmap)
    except CheckpointError:
        return "refused"
    except Exception as e:
        raise AssertionError(f"load raised {type(e).__name__}: {e} for the {len(data)}-byte "
                             f"file {data[:400]!r}{'...' if len(data) > 400 else ''}") from e
    return "ok"
