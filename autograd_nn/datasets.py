"""Readers for the project's real datasets (MNIST test set in IDX gz, rt-polarity sentences) and a
small text helper (vocabulary + padded encoding).

Data location: the ``root`` argument, else ``$AUTOGRAD_NN_DATA`` (the folder holding
``mnist-test/`` and ``rt-polarity/``), else ``../shared/data`` from the working directory.
Nothing is downloaded.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .tensor import Tensor

__all__ = ["data_root", "load_mnist", "mnist_split", "load_rt_polarity", "tokenize",
           "build_vocab", "encode", "encode_batch", "PAD", "UNK", "MNIST_MEAN", "MNIST_STD"]

PAD, UNK = 0, 1  # reserved ids of the text helper
PAD_TOKEN, UNK_TOKEN = "<pad>", "<unk>"
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # torchvision's MNIST normalisation constants

_IDX_MAGIC = {2051: 3, 2049: 1}  # images: (N, rows, cols); labels: (N,)


DATA_ENV = "AUTOGRAD_NN_DATA"
FALLBACK_DATA = Path("..") / "shared" / "data"  # relative to the working directory


def data_root() -> Path:
    """The default data folder: ``$AUTOGRAD_NN_DATA``, else ``../shared/data`` (from the working
    directory) when it exists; otherwise FileNotFoundError saying where it looked."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    if FALLBACK_DATA.is_dir():
        return FALLBACK_DATA.resolve()
    raise FileNotFoundError(
        f"no data folder: pass root= (--data-dir on the command line) or set {DATA_ENV} to the "
        f"folder holding mnist-test/ and rt-polarity/ ({FALLBACK_DATA} does not exist either)")


def _root(root: str | os.PathLike | None, sub: str) -> Path:
    """``root/sub`` if ``root`` already is not ``sub`` itself; root from :func:`data_root` if
    None."""
    p = Path(root) if root is not None else data_root()
    if not p.is_dir():
        raise FileNotFoundError(f"data folder {p} does not exist (it should hold '{sub}/')")
    return p if p.name == sub or not (p / sub).is_dir() else p / sub


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """One IDX file (gzip or raw): big-endian magic, one uint32 per dimension, then uint8 data."""
    if not path.is_file():
        raise FileNotFoundError(f"load_mnist: missing file {path}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"load_mnist: cannot read {path}: {e}") from None
    ndim = _IDX_MAGIC[magic]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise ValueError(f"load_mnist: {path} is truncated: {len(raw)} bytes, an IDX header "
                         f"needs {head}")
    got = int.from_bytes(raw[:4], "big")
    if got != magic:
        raise ValueError(f"load_mnist: {path} has IDX magic number {got}, expected {magic} "
                         f"({'images' if magic == 2051 else 'labels'})")
    dims = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, 4))
    n = int(np.prod(dims))
    if len(raw) - head != n:
        raise ValueError(f"load_mnist: {path} holds {len(raw) - head} data bytes, but its header "
                         f"declares shape {dims} = {n} bytes")
    return np.frombuffer(raw, np.uint8, n, head).reshape(dims)


def load_mnist(root: str | os.PathLike | None = None, split: str = "t10k"
               ) -> tuple[np.ndarray, np.ndarray]:
    """Read MNIST IDX files ``{split}-images-idx3-ubyte(.gz)`` and ``{split}-labels-idx1-ubyte``.

    Args:
        root: the ``mnist-test`` folder or its parent; default ``$AUTOGRAD_NN_DATA``.
        split: file prefix (the shared data has only ``t10k``, the 10,000-image test set).

    Returns:
        ``(images, labels)``: uint8 ``(N, 28, 28)`` and int64 ``(N,)`` NumPy arrays.
    """
    d = _root(root, "mnist-test")

    def find(stem: str) -> Path:
        for name in (f"{stem}.gz", stem):
            if (d / name).is_file():
                return d / name
        return d / f"{stem}.gz"  # reported as missing

    images = _read_idx(find(f"{split}-images-idx3-ubyte"), 2051)
    labels = _read_idx(find(f"{split}-labels-idx1-ubyte"), 2049)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"load_mnist: {len(images)} images but {len(labels)} labels in {d}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"load_mnist: labels in {d} must be digits 0..9, found {labels.max()}")
    return images.copy(), labels.astype(np.int64)


def mnist_split(root: str | os.PathLike | None = None, n_train: int = 8000, *,
                flatten: bool = False, normalize: bool = True
                ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The project's MNIST split: the first ``n_train`` (8,000) test-set images for training,
    the rest (2,000) held out.

    Images are float32 in [0, 1], then standardised with torchvision's constants
    ``(x - 0.1307) / 0.3081`` when ``normalize``.

    Returns:
        ``(x_train, y_train, x_test, y_test)``: images ``(N, 1, 28, 28)`` (or ``(N, 784)`` with
        ``flatten=True``) float32 Tensors, labels int64 ``(N,)`` Tensors.
    """
    images, labels = load_mnist(root)
    if not 0 < n_train < len(images):
        raise ValueError(f"mnist_split: n_train must be in 1..{len(images) - 1}, got {n_train}")
    x = images.astype(np.float32) / np.float32(255.0)
    if normalize:
        x = (x - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
    x = x.reshape(len(x), -1) if flatten else x[:, None]
    return (Tensor._wrap(x[:n_train]), Tensor._wrap(labels[:n_train]),
            Tensor._wrap(x[n_train:]), Tensor._wrap(labels[n_train:]))


def load_rt_polarity(root: str | os.PathLike | None = None) -> tuple[list[str], np.ndarray]:
    """Sentence polarity v1.0 (Pang and Lee 2005): 5,331 positive then 5,331 negative snippets.

    Returns:
        ``(sentences, labels)``: stripped Latin-1 decoded lines and int64 labels (1 positive,
        0 negative), positives first; shuffle before splitting.
    """
    d = _root(root, "rt-polarity")
    sentences: list[str] = []
    labels: list[int] = []
    for name, lab in (("rt-polarity.pos", 1), ("rt-polarity.neg", 0)):
        p = d / name
        if not p.is_file():
            raise FileNotFoundError(f"load_rt_polarity: missing file {p}")
        # split on "\n" only: str.splitlines would also break at Latin-1 \x85 and \x0c
        lines = [s.strip() for s in p.read_bytes().decode("latin-1").split("\n")]
        lines = [s for s in lines if s]
        sentences += lines
        labels += [lab] * len(lines)
    return sentences, np.asarray(labels, dtype=np.int64)


def tokenize(text: str) -> list[str]:
    """Lower-cased whitespace tokens (rt-polarity is already tokenised)."""
    return text.lower().split()


def build_vocab(token_lists: Iterable[Sequence[str]], max_size: int | None = None,
                min_freq: int = 1) -> dict[str, int]:
    """A token -> id map with ``<pad>`` = 0 and ``<unk>`` = 1, then tokens by descending
    frequency (ties alphabetical, so the result is deterministic).

    Args:
        token_lists: an iterable of token sequences.
        max_size: the largest vocabulary size, the two special tokens included (None: no limit).
        min_freq: tokens seen fewer times are left out (they encode as ``<unk>``).
    """
    if max_size is not None and max_size < 2:
        raise ValueError(f"build_vocab: max_size must be >= 2 (room for <pad> and <unk>), "
                         f"got {max_size}")
    if min_freq < 1:
        raise ValueError(f"build_vocab: min_freq must be >= 1, got {min_freq}")
    counts = Counter(t for toks in token_lists for t in toks)
    for special in (PAD_TOKEN, UNK_TOKEN):
        counts.pop(special, None)
    ranked = sorted((t for t, c in counts.items() if c >= min_freq),
                    key=lambda t: (-counts[t], t))
    if max_size is not None:
        ranked = ranked[:max_size - 2]
    vocab = {PAD_TOKEN: PAD, UNK_TOKEN: UNK}
    vocab.update((t, i) for i, t in enumerate(ranked, start=2))
    return vocab


def encode(tokens: Sequence[str], vocab: dict[str, int], max_len: int) -> np.ndarray:
    """Token ids ``(max_len,)`` int64: unknown tokens -> 1, truncated or right-padded with 0."""
    if max_len < 1:
        raise ValueError(f"encode: max_len must be >= 1, got {max_len}")
    out = np.zeros(max_len, dtype=np.int64)
    ids = [vocab.get(t, UNK) for t in tokens[:max_len]]
    out[:len(ids)] = ids
    return out


def encode_batch(token_lists: Sequence[Sequence[str]], vocab: dict[str, int], max_len: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Encode many sequences: ids ``(N, max_len)`` int64 and lengths ``(N,)`` int64 (the number
    of real tokens after truncation, for packing)."""
    if max_len < 1:
        raise ValueError(f"encode_batch: max_len must be >= 1, got {max_len}")
    ids = np.zeros((len(token_lists), max_len), dtype=np.int64)
    lengths = np.zeros(len(token_lists), dtype=np.int64)
    for i, toks in enumerate(token_lists):
        row = [vocab.get(t, UNK) for t in toks[:max_len]]
        ids[i, :len(row)] = row
        lengths[i] = len(row)
    return ids, lengths
