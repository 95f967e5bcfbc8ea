"""Text tokenization: Keras's ``Tokenizer`` and the word-sequence helpers.

Keras 3 no longer ships ``keras.preprocessing.text``; this module follows the ``Tokenizer`` of
``keras-preprocessing`` 1.1.2 (what ``tf.keras.preprocessing.text`` was), including its indexing
rules: index 0 is reserved, the out-of-vocabulary token (if any) is index 1, the other words are
numbered by decreasing count (ties in first-seen order), and ``num_words`` keeps only indices
``< num_words`` when converting (the vocabulary itself keeps every word).
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from hashlib import md5
from typing import Any

import numpy as np

__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "one_hot",
           "hashing_trick"]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text: str, filters: str = DEFAULT_FILTERS, lower: bool = True,
                          split: str = " ") -> list[str]:
    """Split ``text`` into words: lower-case it (if ``lower``), replace every character of
    ``filters`` by ``split``, split on ``split`` and drop empty pieces.

    >>> text_to_word_sequence("Hello, world!")
    ['hello', 'world']
    """
    if not isinstance(text, str):
        raise TypeError(f"text_to_word_sequence: expected a str, got {type(text).__name__}")
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def hashing_trick(text: str, n: int, hash_function: Callable[[str], int] | str | None = None,
                  filters: str = DEFAULT_FILTERS, lower: bool = True,
                  split: str = " ") -> list[int]:
    """Word indices in ``[1, n - 1]`` from a hash of each word (0 stays reserved; collisions are
    possible). ``hash_function``: Python's ``hash`` (default; salted per process, so not stable
    across runs), ``'md5'`` (stable) or any ``str -> int`` function."""
    if n < 2:
        raise ValueError(f"hashing_trick: n must be >= 2 (index 0 is reserved), got {n}")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(w: str) -> int:
            return int(md5(w.encode()).hexdigest(), 16)
    elif not callable(hash_function):
        raise ValueError(f"hashing_trick: hash_function must be None, 'md5' or a callable, got "
                         f"{hash_function!r}")
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [hash_function(w) % (n - 1) + 1 for w in words]


def one_hot(text: str, n: int, filters: str = DEFAULT_FILTERS, lower: bool = True,
            split: str = " ") -> list[int]:
    """:func:`hashing_trick` with Python's ``hash``: word indices in ``[1, n - 1]``."""
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


def _check_texts(fn: str, texts: Any) -> None:
    if isinstance(texts, str):
        raise TypeError(f"Tokenizer.{fn}: expected a list of texts, got a single str "
                        f"(wrap it in a list: [{texts[:20]!r}...])")


class Tokenizer:
    """Turn texts into sequences of word indices or into document-term matrices.

    Args:
        num_words: keep only the ``num_words - 1`` most frequent words when converting
            (``None`` or 0: all). The vocabulary (``word_index``) always holds every word.
        filters: characters removed from the texts (default: punctuation, tab, newline; not ``'``).
        lower: lower-case the texts.
        split: word separator.
        char_level: every character is a token (``filters`` and ``split`` are not applied).
        oov_token: if given, it gets index 1 and replaces out-of-vocabulary words (and words
            beyond ``num_words``) in ``texts_to_sequences``; otherwise those words are dropped.
        document_count: the number of documents already seen (used by ``tfidf``).

    A text may also be a list of tokens (then only ``lower`` applies). After fitting:
    ``word_counts`` (word -> count, first-seen order), ``word_docs`` (word -> number of documents
    containing it), ``word_index`` / ``index_word``, ``index_docs`` (index -> documents),
    ``document_count``.

    >>> t = Tokenizer(num_words=1000, oov_token="<OOV>")
    >>> t.fit_on_texts(["I love this movie!", "This film is terrible."])
    >>> t.texts_to_sequences(["this movie is amazing"])
    [[2, 5, 7, 1]]
    """

    def __init__(self, num_words: int | None = None, filters: str = DEFAULT_FILTERS,
                 lower: bool = True, split: str = " ", char_level: bool = False,
                 oov_token: str | None = None, document_count: int = 0) -> None:
        if num_words is not None and (not isinstance(num_words, (int, np.integer))
                                      or isinstance(num_words, bool) or num_words < 0):
            raise ValueError(f"Tokenizer: num_words must be None or an int >= 0, got "
                             f"{num_words!r}")
        self.word_counts: OrderedDict[str, int] = OrderedDict()
        self.word_docs: defaultdict[str, int] = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs: defaultdict[int, int] = defaultdict(int)
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}

    def _tokens(self, text: str | Sequence[str]) -> Sequence[str]:
        """The tokens of one text (a list is already tokens; char level: the characters)."""
        if isinstance(text, list):
            return [t.lower() for t in text] if self.lower else text
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer: a text must be a str or a list of str tokens, got "
                            f"{type(text).__name__}")
        if self.char_level:
            return text.lower() if self.lower else text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts: Iterable[str | list[str]]) -> None:
        """Update the vocabulary with ``texts`` (strings, or lists of tokens; a generator is
        fine) and renumber ``word_index``."""
        _check_texts("fit_on_texts", texts)
        for text in texts:
            self.document_count += 1
            seq = self._tokens(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1
        # stable sort: equal counts keep their first-seen order
        by_count = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocab = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in by_count]
        # as keras-preprocessing: if the oov token is also a word, the word's index wins
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences: Sequence[Sequence[int]]) -> None:
        """Count documents per index from already-encoded ``sequences`` (for
        :meth:`sequences_to_matrix` in ``tfidf`` mode without :meth:`fit_on_texts`)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[int(i)] += 1

    def texts_to_sequences_generator(self, texts: Iterable[str | list[str]]):
        """Yield the index sequence of each text (see :meth:`texts_to_sequences`)."""
        _check_texts("texts_to_sequences", texts)
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            out = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is None or (num_words and i >= num_words):
                    if oov is not None:
                        out.append(oov)
                else:
                    out.append(i)
            yield out

    def texts_to_sequences(self, texts: Iterable[str | list[str]]) -> list[list[int]]:
        """Each text as a list of word indices: unknown words (and indices ``>= num_words``)
        become the oov index, or are dropped without ``oov_token``."""
        return list(self.texts_to_sequences_generator(texts))

    def sequences_to_texts_generator(self, sequences: Iterable[Sequence[int]]):
        """Yield each sequence as a space-joined string (see :meth:`sequences_to_texts`)."""
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is None or (num_words and i >= num_words):
                    if oov is not None:
                        words.append(self.index_word[oov])
                    elif word is None and self.oov_token is not None:
                        raise KeyError(f"Tokenizer.sequences_to_texts: index {i} is unknown "
                                       f"and the oov token {self.oov_token!r} has no index")
                else:
                    words.append(word)
            yield " ".join(words)

    def sequences_to_texts(self, sequences: Iterable[Sequence[int]]) -> list[str]:
        """The inverse of :meth:`texts_to_sequences`: unknown indices (and ``>= num_words``)
        become the oov token, or are dropped without one."""
        return list(self.sequences_to_texts_generator(sequences))

    def texts_to_matrix(self, texts: Iterable[str | list[str]], mode: str = "binary"
                        ) -> np.ndarray:
        """``(len(texts), num_words)`` float64 document-term matrix; see
        :meth:`sequences_to_matrix`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences: Sequence[Sequence[int]], mode: str = "binary"
                            ) -> np.ndarray:
        """``(len(sequences), num_words)`` float64 matrix; indices ``>= num_words`` are ignored.

        Modes: ``binary`` (1 where the index occurs), ``count``, ``freq`` (count / sequence
        length), ``tfidf`` (``(1 + log count) * log(1 + documents / (1 + documents with the
        index))``). Without ``num_words`` the width is ``len(word_index) + 1``.
        """
        if mode not in MATRIX_MODES:
            raise ValueError(f"Tokenizer.sequences_to_matrix: unknown mode {mode!r}; expected "
                             f"one of {', '.join(MATRIX_MODES)}")
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError("Tokenizer.sequences_to_matrix: specify a dimension (`num_words` "
                             "argument), or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer.sequences_to_matrix: fit the Tokenizer on some data "
                             "before using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if not len(seq):
                continue
            idx, counts = np.unique(np.asarray(seq, dtype=np.int64), return_counts=True)
            keep = idx < num_words
            idx, counts = idx[keep], counts[keep].astype(np.float64)
            if mode == "count":
                x[row, idx] = counts
            elif mode == "freq":
                x[row, idx] = counts / len(seq)
            elif mode == "binary":
                x[row, idx] = 1.0
            else:
                docs = np.array([self.index_docs.get(int(j), 0) for j in idx], dtype=np.float64)
                x[row, idx] = (1.0 + np.log(counts)) * np.log(
                    1.0 + self.document_count / (1.0 + docs))
        return x

    def get_config(self) -> dict[str, Any]:
        """The configuration, with the vocabularies as JSON strings (keras-preprocessing's
        layout, so either library reads the other's :meth:`to_json`)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs: Any) -> str:
        """``{"class_name": "Tokenizer", "config": get_config()}`` as JSON (``kwargs`` go to
        ``json.dumps``); read back with :func:`tokenizer_from_json`."""
        return json.dumps({"class_name": "Tokenizer", "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """A :class:`Tokenizer` from :meth:`Tokenizer.to_json` (ours or keras-preprocessing's)."""
    try:
        config = dict(json.loads(json_string)["config"])
        word_counts = json.loads(config.pop("word_counts"))
        word_docs = json.loads(config.pop("word_docs"))
        index_docs = json.loads(config.pop("index_docs"))
        index_word = json.loads(config.pop("index_word"))
        word_index = json.loads(config.pop("word_index"))
    except (TypeError, KeyError, ValueError) as e:
        raise ValueError(f"tokenizer_from_json: not a Tokenizer JSON configuration ({e!r})"
                         ) from None
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(word_counts)
    tokenizer.word_docs = defaultdict(int, word_docs)
    # JSON turned the integer keys into strings
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
