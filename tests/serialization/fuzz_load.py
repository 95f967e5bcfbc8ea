"""Coverage-guided fuzzing of ``autograd_nn.load`` with atheris (libFuzzer): ``make fuzz``.

Every input is loaded from memory; anything but a result or CheckpointError is a crash that
libFuzzer reports with the input saved (``crash-*``), and so is an input that takes longer than
``-timeout`` seconds. The corpus folder is seeded with valid checkpoints of every node kind and
dtype, and hostile examples of each family; only the loader's modules are instrumented.

    python tests/serialization/fuzz_load.py -max_total_time=600 -timeout=5 CORPUS_DIR
"""

from __future__ import annotations

import io
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import autograd_nn  # noqa: E402, F401  (the engine is imported uninstrumented: only the loader)

with atheris.instrument_imports(include=["autograd_nn.serialization",
                                         "autograd_nn._checkpoint_validate"]):
    from autograd_nn import _checkpoint_validate  # noqa: F401
    from autograd_nn.serialization import CheckpointError, load

# after the instrumented imports: this module imports the loader too
from _ckpt_files import entry, raw_file, valid_files, with_tree  # noqa: E402


def seed_corpus(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    hostile = [
        raw_file(b'{"a":' + b"[" * 600 + b"]" * 600 + b"}"),
        with_tree("[" * 600 + "]" * 600),
        with_tree({"dict": [[1]]}),
        raw_file({"w": entry("F32", [2.5], (0, 8))}, bytes(8)),
        raw_file({"w": entry("F32", ["16"], (0, 8))}, bytes(8)),
        raw_file({"w": entry("F32", [True, 2], (0, 8))}, bytes(8)),
        raw_file({"a": entry("F32", (2,), (0, 8)), "b": entry("F32", (2,), (4, 12))}, bytes(12)),
        raw_file({"__metadata__": {"format": "autograd_nm", "version": "1", "tree": "[]"}}),
        raw_file({"__metadata__": {"k": 1}}),
    ]
    for i, data in enumerate(valid_files() + hostile):
        with open(os.path.join(folder, f"seed-{i:02d}"), "wb") as f:
            f.write(data)


def test_one_input(data: bytes) -> None:
    try:
        load(io.BytesIO(data))
    except CheckpointError:
        pass


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    if folders and not (os.path.isdir(folders[0]) and os.listdir(folders[0])):
        seed_corpus(folders[0])  # a new corpus starts from the seeds
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
