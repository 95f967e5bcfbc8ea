"""``keras.preprocessing.text`` against the oracle: the ``Tokenizer`` of keras-preprocessing 1.1.2
(what tf.keras shipped; Keras 3 dropped it), on hypothesis-drawn texts and every option."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_nn.keras.preprocessing import text as ours

kp = pytest.importorskip("keras_preprocessing.text")

# words from a small alphabet so that words repeat (ties, counts > 1), with upper case,
# punctuation from the default filters, tabs/newlines, apostrophes and a non-ASCII letter
WORD = st.text(alphabet="abcAB'é", min_size=1, max_size=3)
SEP = st.sampled_from([" ", "  ", ", ", "!", "\t", "\n", "...", "-", ",", "ab"])


@st.composite
def texts(draw, max_texts=6):
    out = []
    for _ in range(draw(st.integers(0, max_texts))):
        words = draw(st.lists(WORD, max_size=8))
        if draw(st.booleans()) and draw(st.booleans()):  # a pre-tokenized text (a list)
            out.append(words)
        else:
            seps = draw(st.lists(SEP, min_size=len(words), max_size=len(words)))
            out.append("".join(w + s for w, s in zip(words, seps)))
    return out


OPTIONS = st.fixed_dictionaries({
    "num_words": st.sampled_from([None, 0, 1, 2, 3, 5, 1000]),
    "filters": st.sampled_from([ours.DEFAULT_FILTERS, "", "a,", "!\t\n"]),
    "lower": st.booleans(),
    "split": st.sampled_from([" ", ",", "ab"]),
    "char_level": st.booleans(),
    # "a" and "<OOV>": the oov token may also be a word of the texts
    "oov_token": st.sampled_from([None, "<OOV>", "a", "ab"]),
    "document_count": st.sampled_from([0, 3]),
})


def assert_same_state(mine: ours.Tokenizer, ref) -> None:
    assert list(mine.word_counts.items()) == list(ref.word_counts.items())
    assert dict(mine.word_docs) == dict(ref.word_docs)
    assert mine.word_index == ref.word_index
    assert list(mine.word_index.items()) == list(ref.word_index.items())
    assert mine.index_word == ref.index_word
    assert dict(mine.index_docs) == dict(ref.index_docs)
    assert mine.document_count == ref.document_count


def assert_same_outputs(mine: ours.Tokenizer, ref, probe: list, seqs: list) -> None:
    assert mine.texts_to_sequences(probe) == ref.texts_to_sequences(probe)
    assert mine.sequences_to_texts(seqs) == ref.sequences_to_texts(seqs)
    if ref.num_words or ref.word_index:
        for mode in ours.MATRIX_MODES:
            if mode == "tfidf" and not ref.document_count:
                with pytest.raises(ValueError, match="tfidf"):
                    mine.texts_to_matrix(probe, mode=mode)
                continue
            got, want = mine.texts_to_matrix(probe, mode=mode), ref.texts_to_matrix(probe, mode)
            assert got.dtype == want.dtype == np.float64
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(mine.sequences_to_matrix(seqs, mode),
                                          ref.sequences_to_matrix(seqs, mode))
    else:
        with pytest.raises(ValueError, match="num_words"):
            mine.texts_to_matrix(probe)


@given(OPTIONS, texts(), texts(), texts(), st.lists(st.lists(st.integers(0, 12), max_size=6),
                                                    max_size=4))
def test_tokenizer_matches_keras_preprocessing(options, fit1, fit2, probe, seqs):
    mine, ref = ours.Tokenizer(**options), kp.Tokenizer(**options)
    if options["oov_token"] is None:
        assert_same_outputs(mine, ref, probe, seqs)  # unfitted
    else:  # unfitted, the oov token has no index: keras-preprocessing emits None, we drop words
        assert all(s == [] for s in mine.texts_to_sequences(probe))
    for fit in (fit1, fit2):  # two fits: the vocabulary grows and is renumbered
        mine.fit_on_texts(fit)
        ref.fit_on_texts(fit)
        assert_same_state(mine, ref)
        assert_same_outputs(mine, ref, fit + probe, seqs)
    # fit_on_sequences adds documents and index counts (tfidf)
    mine.fit_on_sequences(seqs)
    ref.fit_on_sequences(seqs)
    assert_same_state(mine, ref)
    assert_same_outputs(mine, ref, fit1 + probe, seqs)


@given(OPTIONS, texts(), texts())
def test_json_round_trip_both_ways(options, fit, probe):
    mine, ref = ours.Tokenizer(**options), kp.Tokenizer(**options)
    mine.fit_on_texts(fit)
    ref.fit_on_texts(fit)
    mine_json, ref_json = json.loads(mine.to_json()), json.loads(ref.to_json())
    assert mine_json["class_name"] == ref_json["class_name"] == "Tokenizer"
    decoded = {k: json.loads(v) if k in ("word_counts", "word_docs", "index_docs", "index_word",
                                         "word_index") else v
               for k, v in mine_json["config"].items()}
    want = {k: json.loads(v) if k in ("word_counts", "word_docs", "index_docs", "index_word",
                                      "word_index") else v
            for k, v in ref_json["config"].items()}
    assert decoded == want
    # ours reads Keras's JSON and Keras reads ours; both behave as the original
    for loaded in (ours.tokenizer_from_json(ref.to_json()),
                   ours.tokenizer_from_json(mine.to_json())):
        assert_same_state(loaded, ref)
        assert_same_outputs(loaded, ref, probe, [[0, 1, 2, 3]])
    back = kp.tokenizer_from_json(mine.to_json())
    assert back.texts_to_sequences(probe) == ref.texts_to_sequences(probe)
    # a loaded tokenizer keeps fitting (keras-preprocessing's own loader loses the defaultdict)
    loaded = ours.tokenizer_from_json(mine.to_json(indent=2))
    loaded.fit_on_texts(probe)
    ref.fit_on_texts(probe)
    assert_same_state(loaded, ref)


@given(st.one_of(texts(max_texts=1).filter(lambda t: t and isinstance(t[0], str))
                 .map(lambda t: t[0]), st.text(max_size=30)),
       st.sampled_from([ours.DEFAULT_FILTERS, "", "abc"]), st.booleans(),
       st.sampled_from([" ", "a", ", "]), st.integers(2, 20))
def test_word_sequence_and_hashing_match(text, filters, lower, split, n):
    kw = {"filters": filters, "lower": lower, "split": split}
    assert ours.text_to_word_sequence(text, **kw) == kp.text_to_word_sequence(text, **kw)
    assert ours.hashing_trick(text, n, "md5", **kw) == kp.hashing_trick(text, n, "md5", **kw)
    assert ours.one_hot(text, n, **kw) == kp.one_hot(text, n, **kw)  # same process: same hash
    assert ours.hashing_trick(text, n, len, **kw) == kp.hashing_trick(text, n, len, **kw)
    assert all(1 <= i < n for i in ours.hashing_trick(text, n, "md5", **kw))


def test_the_deck_slide_15_tokenizer():
    texts_ = ["I love this movie!", "This film is terrible.", "Great acting and storyline.",
              "Waste of time and money."]
    mine, ref = ours.Tokenizer(num_words=1000, oov_token="<OOV>"), kp.Tokenizer(
        num_words=1000, oov_token="<OOV>")
    mine.fit_on_texts(texts_)
    ref.fit_on_texts(texts_)
    assert_same_state(mine, ref)
    # hand-derived: "<OOV>" 1, then "this" and "and" (count 2, first seen order), then the rest
    assert list(mine.word_index)[:4] == ["<OOV>", "this", "and", "i"]
    assert mine.texts_to_sequences(["This movie is amazing!"]) == [[2, 6, 8, 1]]


def test_errors():
    t = ours.Tokenizer()
    with pytest.raises(ValueError, match="fit on some text"):
        t.texts_to_matrix(["a"])
    t.fit_on_texts(["a b"])
    with pytest.raises(ValueError, match="unknown mode 'tf-idf'"):
        t.texts_to_matrix(["a"], mode="tf-idf")
    with pytest.raises(TypeError, match="single str"):
        t.fit_on_texts("a b c")
    with pytest.raises(TypeError, match="got int"):
        t.fit_on_texts([1])
    with pytest.raises(ValueError, match="num_words"):
        ours.Tokenizer(num_words=-1)
    with pytest.raises(TypeError):
        ours.Tokenizer(nb_wordz=3)
    with pytest.raises(ValueError, match="not a Tokenizer JSON"):
        ours.tokenizer_from_json('{"config": {}}')
    with pytest.raises(ValueError, match="n must be >= 2"):
        ours.hashing_trick("a", 1)


def test_docstring_examples():
    import doctest

    from autograd_nn.keras.preprocessing import sequence

    for module in (ours, sequence):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0
