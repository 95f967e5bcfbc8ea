"""Dataset readers: MNIST IDX (checked against the README's label counts and an independent
parse with struct), rt-polarity (line counts), and the vocabulary/encoding helper (hand-derived)."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import data_dir

from autograd_nn import datasets as D

MNIST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # data README


def _mnist_dir() -> Path:
    d = data_dir() / "mnist-test"
    if not (d / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST data absent at {d} (set AUTOGRAD_NN_DATA)")
    return d


def _rt_dir() -> Path:
    d = data_dir() / "rt-polarity"
    if not (d / "rt-polarity.pos").is_file():
        pytest.skip(f"rt-polarity data absent at {d} (set AUTOGRAD_NN_DATA)")
    return d


def test_load_mnist_real():
    d = _mnist_dir()
    images, labels = D.load_mnist(d.parent)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == MNIST_COUNTS
    # independent parse of the first image: skip the 16-byte header with struct
    raw = gzip.open(d / "t10k-images-idx3-ubyte.gz").read()
    assert struct.unpack(">IIII", raw[:16]) == (2051, 10000, 28, 28)
    assert images[0].tobytes() == raw[16:16 + 784]
    assert images[-1].tobytes() == raw[-784:]
    # passing the mnist-test folder itself works too
    assert np.array_equal(D.load_mnist(d)[1], labels)


def test_load_mnist_env_var(monkeypatch, tmp_path):
    d = _mnist_dir()
    monkeypatch.setenv("AUTOGRAD_NN_DATA", str(d.parent))
    assert D.load_mnist()[0].shape == (10000, 28, 28)
    monkeypatch.delenv("AUTOGRAD_NN_DATA")
    # then ../shared/data from the working directory
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(d.parent)
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    assert D.load_mnist()[0].shape == (10000, 28, 28)
    monkeypatch.chdir(tmp_path)  # no ../shared/data from here
    with pytest.raises(FileNotFoundError, match="AUTOGRAD_NN_DATA.*shared/data does not exist"):
        D.load_mnist()
    with pytest.raises(FileNotFoundError, match="data folder .*nowhere does not exist"):
        D.load_mnist(tmp_path / "nowhere")


def test_mnist_split():
    d = _mnist_dir()
    xtr, ytr, xte, yte = D.mnist_split(d.parent)
    images, labels = D.load_mnist(d.parent)
    assert xtr.shape == (8000, 1, 28, 28) and xte.shape == (2000, 1, 28, 28)
    assert str(xtr.dtype) == "torch.float32" and str(ytr.dtype) == "torch.int64"
    assert np.array_equal(ytr.numpy(), labels[:8000]) and np.array_equal(yte.numpy(),
                                                                         labels[8000:])
    expect = (images[8000:].astype(np.float64) / 255 - 0.1307) / 0.3081
    np.testing.assert_allclose(xte.numpy()[:, 0], expect, rtol=1e-5, atol=1e-5)
    flat = D.mnist_split(d.parent, flatten=True, normalize=False)
    assert flat[0].shape == (8000, 784)
    np.testing.assert_array_equal(flat[0].numpy()[5], images[5].reshape(-1) / np.float32(255))
    with pytest.raises(ValueError, match="n_train"):
        D.mnist_split(d.parent, n_train=10000)


def _write_idx(path: Path, magic: int, arr: np.ndarray, extra: bytes = b"",
               dims: tuple | None = None) -> None:
    dims = arr.shape if dims is None else dims
    head = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in dims)
    with gzip.open(path, "wb") as f:
        f.write(head + arr.astype(np.uint8).tobytes() + extra)


def test_load_mnist_synthetic_and_errors(tmp_path):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (5, 28, 28)).astype(np.uint8)
    lab = np.array([3, 1, 4, 1, 5])
    d = tmp_path / "mnist-test"
    d.mkdir()
    ip, lp = d / "t10k-images-idx3-ubyte.gz", d / "t10k-labels-idx1-ubyte.gz"
    _write_idx(ip, 2051, img)
    _write_idx(lp, 2049, lab)
    got_i, got_l = D.load_mnist(tmp_path)
    assert np.array_equal(got_i, img) and got_l.tolist() == [3, 1, 4, 1, 5]

    _write_idx(lp, 2051, lab)  # wrong magic
    with pytest.raises(ValueError, match=r"t10k-labels.*magic number 2051, expected 2049"):
        D.load_mnist(tmp_path)
    _write_idx(lp, 2049, lab[:4])  # count mismatch between files
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        D.load_mnist(tmp_path)
    _write_idx(lp, 2049, lab)
    _write_idx(ip, 2051, img[:4], dims=(5, 28, 28))  # header says more than the data holds
    with pytest.raises(ValueError, match=r"t10k-images.*declares shape \(5, 28, 28\)"):
        D.load_mnist(tmp_path)
    ip.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="cannot read .*t10k-images"):
        D.load_mnist(tmp_path)
    ip.unlink()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        D.load_mnist(tmp_path)


def test_load_rt_polarity():
    d = _rt_dir()
    sentences, labels = D.load_rt_polarity(d.parent)
    assert len(sentences) == 10662 and labels.dtype == np.int64
    assert labels.tolist() == [1] * 5331 + [0] * 5331
    # the last negative line, read independently
    last = d.joinpath("rt-polarity.neg").read_bytes().rstrip(b"\n").split(b"\n")[-1]
    assert sentences[-1] == last.decode("latin-1").strip()
    assert all(isinstance(s, str) and s for s in sentences)
    digest = hashlib.sha256("\n".join(sentences[:5331]).encode("latin-1")).hexdigest()
    raw = d.joinpath("rt-polarity.pos").read_bytes().decode("latin-1").split("\n")
    assert digest == hashlib.sha256("\n".join(s.strip() for s in raw if s.strip())
                                    .encode("latin-1")).hexdigest()


def test_vocab_and_encode():
    docs = [["b", "a", "c"], ["a", "b"], ["a", "d"]]
    v = D.build_vocab(docs)
    # a:3, b:2, then c and d (1 each, alphabetical)
    assert v == {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3, "c": 4, "d": 5}
    assert D.build_vocab(docs, min_freq=2) == {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3}
    assert D.build_vocab(docs, max_size=3) == {"<pad>": 0, "<unk>": 1, "a": 2}
    assert D.encode(["a", "zzz", "d"], v, 5).tolist() == [2, 1, 5, 0, 0]
    assert D.encode(["a", "b", "c", "d"], v, 2).tolist() == [2, 3]
    ids, lengths = D.encode_batch([["a"], ["b", "c", "d", "a"], []], v, 3)
    assert ids.tolist() == [[2, 0, 0], [3, 4, 5], [0, 0, 0]] and lengths.tolist() == [1, 3, 0]
    assert D.tokenize("The Rock  is\tgreat .") == ["the", "rock", "is", "great", "."]
    with pytest.raises(ValueError, match="max_size must be >= 2"):
        D.build_vocab(docs, max_size=1)
    with pytest.raises(ValueError, match="max_len must be >= 1"):
        D.encode(["a"], v, 0)
