"""``pad_sequences`` against ``keras.utils.pad_sequences`` (Keras 3.15, torch backend) on
hypothesis-drawn sequences, every option."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_nn.keras.preprocessing.sequence import pad_sequences

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

DTYPES = ["int32", "int64", "float32", "float64", "uint8", object]


@st.composite
def sequences(draw):
    sample_shape = draw(st.sampled_from([(), (), (2,), (1, 3)]))
    n = draw(st.integers(0, 6))
    out = []
    for _ in range(n):
        length = draw(st.integers(0, 7))
        values = draw(st.lists(st.integers(-5, 300), min_size=length * int(np.prod(sample_shape)),
                               max_size=length * int(np.prod(sample_shape))))
        arr = np.array(values, dtype=np.int64).reshape((length,) + sample_shape)
        if draw(st.booleans()) and draw(st.booleans()) and arr.size:
            arr = arr + 0.25  # float sequences: cast (truncated) to an int dtype
        kind = draw(st.sampled_from(["list", "array", "tuple"]))
        out.append(arr if kind == "array" else arr.tolist() if kind == "list"
                   else tuple(arr.tolist()))
    return out


@given(sequences(), st.one_of(st.none(), st.integers(1, 9)), st.sampled_from(DTYPES),
       st.sampled_from(["pre", "post"]), st.sampled_from(["pre", "post"]),
       st.sampled_from([0.0, -1, 7, 0.5]))
def test_pad_sequences_matches_keras(seqs, maxlen, dtype, padding, truncating, value):
    kw = {"maxlen": maxlen, "dtype": dtype, "padding": padding, "truncating": truncating,
          "value": value}
    try:
        want = keras.utils.pad_sequences(seqs, **kw)
    except (ValueError, OverflowError) as e:  # out-of-range ints: numpy's OverflowError
        with pytest.raises(type(e), match="pad_sequences"):
            pad_sequences(seqs, **kw)
        return
    got = pad_sequences(seqs, **kw)
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_defaults_pad_and_truncate_at_the_front():
    seqs = [[1], [2, 3], [4, 5, 6]]
    got = pad_sequences(seqs, maxlen=2)
    # hand-derived: the front is padded and the front is cut
    np.testing.assert_array_equal(got, [[0, 1], [2, 3], [5, 6]])
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, keras.utils.pad_sequences(seqs, maxlen=2))


def test_strings_with_object_dtype():
    seqs = [["a", "b"], ["c"], []]
    for padding in ("pre", "post"):
        kw = {"dtype": object, "value": "<pad>", "padding": padding}
        np.testing.assert_array_equal(pad_sequences(seqs, **kw),
                                      keras.utils.pad_sequences(seqs, **kw))


@pytest.mark.parametrize("bad, match", [
    ({"padding": "middle"}, 'Padding type "middle"'),
    ({"truncating": "end"}, 'Truncating type "end"'),
    ({"value": "x"}, "not compatible with `value`"),
    ({"maxlen": -1}, "maxlen must be None or an int >= 0"),
])
def test_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences([[1, 2], [3]], **bad)
    if "maxlen" not in bad:
        with pytest.raises(ValueError):
            keras.utils.pad_sequences([[1, 2], [3]], **bad)


def test_error_cases_keras_also_rejects():
    for seqs in ([[1, 2], 3], [[[1, 2]], [[1, 2, 3]]]):
        with pytest.raises(ValueError):
            keras.utils.pad_sequences(seqs)
        with pytest.raises(ValueError, match="pad_sequences"):
            pad_sequences(seqs)
    with pytest.raises(ValueError, match="no sequences and no maxlen"):
        pad_sequences([])
    assert pad_sequences([], maxlen=3).shape == (0, 3)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
