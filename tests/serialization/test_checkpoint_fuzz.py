"""Fuzzing the loader over every hostile family of issue 11: each file either loads or raises
CheckpointError, within a per-file timeout (``_ckpt_files.outcome``). About 17,000 files per run:
every truncation and about 11,800 single-byte changes of valid checkpoints (exhaustive, so every
header byte is hit) plus hypothesis-drawn headers, entries, layouts, trees, nesting, metadata,
length fields and multi-byte mutations. Where a file loads, the safetensors package (the format's
reference implementation) is the oracle: it must read the same tensors, bit for bit. The JSON
nesting pre-scan is checked against a character-by-character reference.

``make fuzz`` runs the same families with AUTOGRAD_NN_FUZZ_SCALE=50 and then atheris
(tests/serialization/fuzz_load.py)."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from _ckpt_files import entry, outcome, raw_file, valid_files, with_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_nn import _checkpoint_validate as V
from autograd_nn import serialization as S
from autograd_nn.serialization import CheckpointError

SCALE = int(os.environ.get("AUTOGRAD_NN_FUZZ_SCALE", "1"))
FLIPS = 4  # changed bytes tried at each position of each seed


def fuzz_settings(n: int):
    return settings(max_examples=n * SCALE, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def seeds() -> list[bytes]:
    return valid_files()


def reference_arrays(data: bytes) -> dict[str, np.ndarray] | None:
    """Our reader's tensors for ``data`` (None if the header is refused)."""
    try:
        with S._open(io.BytesIO(data), False) as src:
            n = V.header_length(src.read(0, 9), src.size, src.name)
            return src.arrays(V.parse_header(src.read(8, n), src.size, src.name), False)
    except CheckpointError:
        return None


def agrees_with_safetensors(data: bytes) -> None:
    """A file whose header and data we accept is one the reference implementation reads,
    with the same tensors."""
    sn = pytest.importorskip("safetensors.numpy")
    ours = reference_arrays(data)
    if ours is None:
        return
    theirs = sn.load(data)
    assert sorted(theirs) == sorted(ours)
    for k, a in ours.items():
        assert a.dtype == theirs[k].dtype and a.shape == theirs[k].shape
        assert a.tobytes() == theirs[k].tobytes(), k


def check(data: bytes) -> str:
    result = outcome(data)
    if result == "ok":
        agrees_with_safetensors(data)
    return result


# ----------------------------------------------------------------------------- exhaustive
def test_every_truncation_is_refused(seeds, tmp_path):
    count = 0
    for i, data in enumerate(seeds):
        for cut in range(len(data)):
            assert outcome(data[:cut]) == "refused", (i, cut)
            count += 1
        for cut in (0, 7, 8, len(data) // 2, len(data) - 1):  # from disk too, mapped or read
            assert outcome(data[:cut], tmp_path / "t.st", mmap=cut % 2 == 0) == "refused"
            count += 1
    assert count == sum(map(len, seeds)) + 5 * len(seeds) >= 2_900


def test_every_single_byte_change(seeds):
    structural = b'"[]{},:\\0-'
    count, loaded = 0, 0
    for data in seeds:
        for pos, b in enumerate(data):
            for new in (b ^ 0x01, b ^ 0x80, structural[pos % len(structural)], 0x20)[:FLIPS]:
                if new != b:
                    loaded += check(data[:pos] + bytes([new]) + data[pos + 1:]) == "ok"
                    count += 1
    assert count >= 11_000
    assert 0 < loaded < count  # changes in tensor data and strings load; structure breaks


# ----------------------------------------------------------------------------- hypothesis
json_leaves = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6))
json_values = st.recursive(json_leaves, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=5), kids, max_size=4)),
    max_leaves=8)
nasty = st.one_of(st.integers(-3, 40), st.sampled_from([2.5, "16", True, False, None, 2 ** 63,
                                                         2 ** 64, -2 ** 63, 1e308, [], {}, [2],
                                                         "F32", {"a": 1}, [[0]], -0.0, 1e-300]))
names = st.text(min_size=0, max_size=6)


@fuzz_settings(300)
@given(header=st.dictionaries(names, json_values, max_size=3), data=st.binary(max_size=32))
def test_fuzz_arbitrary_headers(header, data):
    check(raw_file(header, data))


@fuzz_settings(400)
@given(entries=st.dictionaries(names, st.builds(
    entry, st.one_of(st.sampled_from(list(V.ST_DTYPES) + ["BF16", "F8_E4M3", "f32"]), nasty),
    st.one_of(st.lists(nasty, max_size=3), nasty), st.one_of(st.lists(nasty, max_size=3), nasty)),
    max_size=3), data=st.binary(max_size=48))
def test_fuzz_bad_shapes_dtypes_and_offsets(entries, data):
    check(raw_file(entries, data))


@st.composite
def layouts(draw):
    """Tensors with plausible entries whose offsets overlap, leave gaps, run past the end."""
    n = draw(st.integers(1, 4))
    header, data_len = {}, draw(st.integers(0, 64))
    for i in range(n):
        dt = draw(st.sampled_from(list(V.ST_DTYPES)))
        shape = draw(st.lists(st.integers(0, 4), max_size=3))
        size = int(np.prod(shape)) * np.dtype(V.ST_DTYPES[dt]).itemsize
        begin = draw(st.integers(0, 70))
        end = begin + size + draw(st.sampled_from([0, 0, 0, 1, -1]))
        header[f"t{i}"] = entry(dt, shape, (begin, max(end, 0)))
    if draw(st.booleans()):  # sometimes exactly tiled, so some files load
        off = 0
        for e in header.values():
            size = e["data_offsets"][1] - e["data_offsets"][0]
            e["data_offsets"] = [off, off + max(size, 0)]
            off += max(size, 0)
        data_len = off + draw(st.sampled_from([0, 0, 0, 1]))
    return raw_file(header, draw(st.binary(min_size=data_len, max_size=data_len)))


@fuzz_settings(300)
@given(data=layouts())
def test_fuzz_overlapping_and_out_of_range_offsets(data):
    check(data)


TAGS = ["dict", "odict", "tuple", "tensor", "ndarray", "npscalar", "float", "dtype",
        "requires_grad", "parameter", "list"]
tree_values = st.recursive(
    st.one_of(json_leaves, st.sampled_from(["w", "i", "b", "nan", "inf", "float32", "z"])),
    lambda kids: st.one_of(st.lists(kids, max_size=3),
                           st.dictionaries(st.sampled_from(TAGS), kids, min_size=1, max_size=2)),
    max_leaves=10)
TENSORS = {"w": np.arange(4, dtype=np.float32), "i": np.arange(2), "b": np.array([True])}


@fuzz_settings(400)
@given(tree=tree_values)
def test_fuzz_malformed_trees(tree):
    check(with_tree(tree, TENSORS))


@fuzz_settings(100)
@given(depth=st.integers(1, 5000), where=st.sampled_from(["header", "tree", "metadata"]),
       opener=st.sampled_from(["[", '{"a":', '{"tuple":', '{"dict":[[1,']))
def test_fuzz_deep_nesting(depth, where, opener):
    closer = {"[": "]", '{"a":': "}", '{"tuple":': "}", '{"dict":[[1,': "]]}"}[opener]
    body = opener * depth + ("[]" if opener != "[" else "") + closer * depth
    if where == "tree":
        result = check(with_tree(body, TENSORS))
        if V.nesting(body.encode(), 10 ** 9, "") > V.MAX_TREE_DEPTH:
            assert result == "refused"
    else:
        key = "__metadata__" if where == "metadata" else "x"
        assert check(raw_file(f'{{"{key}":{body}}}'.encode())) == "refused"


@fuzz_settings(200)
@given(meta=st.one_of(json_values, st.dictionaries(
    st.sampled_from(["format", "version", "tree", "other"]),
    st.one_of(st.sampled_from(["autograd_nn", "autograd_nm", "1", "2", "pt", "", "[]", "null",
                               '{"tensor":"w"}', '{"dict":[]}']), json_values), max_size=4)))
def test_fuzz_metadata_and_format_tags(meta):
    header = {"__metadata__": meta, "w": entry("F32", (4,), (0, 16))}
    result = check(raw_file(header, TENSORS["w"].tobytes()))
    is_ours = isinstance(meta, dict) and (meta.get("format") == "autograd_nn" or "tree" in meta)
    if is_ours and (meta.get("format") != "autograd_nn" or meta.get("version") != "1"):
        assert result == "refused"  # a damaged tag is never silently a flat dict


@fuzz_settings(200)
@given(length=st.one_of(st.integers(0, 2 ** 64 - 1), st.integers(0, 600)),
       body=st.binary(max_size=600))
def test_fuzz_header_length_field(length, body):
    check(length.to_bytes(8, "little") + body)


@fuzz_settings(400)
@given(which=st.integers(0, 3), edits=st.lists(st.tuples(
    st.sampled_from(["set", "insert", "delete", "splice"]), st.integers(0, 2000),
    st.binary(min_size=1, max_size=8)), min_size=1, max_size=6))
def test_fuzz_random_mutations(seeds, which, edits):
    data = bytearray(seeds[which])
    for op, pos, chunk in edits:
        pos %= len(data) + 1
        if op == "set":
            data[pos:pos + len(chunk)] = chunk
        elif op == "insert":
            data[pos:pos] = chunk
        elif op == "delete":
            del data[pos:pos + len(chunk)]
        else:  # a piece of another seed
            other = seeds[(which + 1) % len(seeds)]
            data[pos:] = other[pos % len(other):]
    check(bytes(data))


# ----------------------------------------------------------------------------- the pre-scan
def reference_nesting(raw: bytes) -> tuple[int, int] | None:
    """(deepest, containers) by walking byte by byte: a quote preceded by an even run of
    backslashes opens or closes a string, brackets outside strings nest; None when the brackets
    do not balance or a string is left open."""
    depth = deepest = opens = run = 0
    inside = False
    for c in raw:
        if c == 0x22 and run % 2 == 0:
            inside = not inside
        elif not inside and c in b"[{":
            depth, opens = depth + 1, opens + 1
            deepest = max(deepest, depth)
        elif not inside and c in b"]}":
            depth -= 1
            if depth < 0:
                return None
        run = run + 1 if c == 0x5C else 0
    return None if depth or inside else (deepest, opens)


def nesting_or_none(raw: bytes) -> int | None:
    try:
        return V.nesting(raw, 10 ** 9, "x")
    except CheckpointError:
        return None


@settings(max_examples=150 * SCALE, deadline=None, database=None)
@given(raw=st.one_of(st.binary(max_size=64).map(lambda b: bytes(b"[]{}\"\\ a"[x % 8] for x in b)),
                     json_values.map(lambda v: json.dumps(v).encode())),
       chunk=st.sampled_from([1, 2, 3, 5, 8, 1 << 22]))
def test_nesting_prescan_matches_a_byte_by_byte_walk(raw, chunk):
    old = V._CHUNK
    V._CHUNK = chunk  # small chunks: quotes, escapes and brackets across chunk boundaries
    try:
        ref = reference_nesting(raw)
        assert nesting_or_none(raw) == (None if ref is None else ref[0])
    finally:
        V._CHUNK = old


@settings(max_examples=100 * SCALE, deadline=None, database=None)
@given(value=json_values)
def test_nesting_of_json_is_its_depth(value):
    def depth(v):  # the oracle: the parsed value's nesting
        kids = list(v.values()) if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if kids is None else 1 + max(map(depth, kids), default=0)

    text = json.dumps(value, ensure_ascii=False)
    assert V.nesting(text.encode(), 10 ** 9, "x") == depth(value)
