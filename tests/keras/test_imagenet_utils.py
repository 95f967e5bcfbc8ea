"""``keras.applications.imagenet_utils`` against Keras 3.15's own ``preprocess_input`` and
``decode_predictions`` (its class file is the one we ship: Keras verifies its md5)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib import resources

import numpy as np
import pytest

from autograd_nn import tensor
from autograd_nn.keras.applications import imagenet_utils as ours

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

SHIPPED = resources.files("autograd_nn.keras.applications").joinpath("imagenet_class_index.json")
KERAS_MD5 = "c2c37ea517e94d9795004a39431a14cb"  # the file_hash in Keras's decode_predictions


@pytest.fixture
def keras_decode(tmp_path, monkeypatch):
    """Keras's ``decode_predictions`` reading the class file from a fresh Keras home holding our
    copy (Keras checks the md5 and would download on a mismatch, which fails offline)."""
    from keras.src.applications import imagenet_utils as kiu
    from keras.src.backend import config

    (tmp_path / "models").mkdir()
    shutil.copy(str(SHIPPED), tmp_path / "models" / "imagenet_class_index.json")
    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path))
    monkeypatch.setattr(kiu, "CLASS_INDEX", None)
    monkeypatch.setattr(kiu.file_utils, "urlretrieve", _no_download, raising=False)
    return keras.applications.mobilenet_v2.decode_predictions


def _no_download(*args, **kwargs):
    raise AssertionError("Keras tried to download the class index: the shipped copy differs")


def test_shipped_class_file_is_keras_file():
    raw = SHIPPED.read_bytes()
    assert hashlib.md5(raw).hexdigest() == KERAS_MD5
    index = json.loads(raw)
    assert sorted(map(int, index)) == list(range(1000))
    assert len({wnid for wnid, _ in index.values()}) == 1000
    # hand-checked entries: ImageNet's first and last synsets and a famous one
    assert index["0"] == ["n01440764", "tench"]
    assert index["999"] == ["n15075141", "toilet_tissue"]
    assert index["281"] == ["n02123045", "tabby"]


@pytest.mark.parametrize("top", [1, 3, 5, 1000])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_decode_predictions_matches_keras(keras_decode, top, dtype):
    rng = np.random.default_rng(top)
    preds = rng.dirichlet(np.ones(1000), size=4).astype(dtype)
    got, want = ours.decode_predictions(preds, top=top), keras_decode(preds, top=top)
    assert got == want
    assert [type(s) for _, _, s in got[0]] == [type(s) for _, _, s in want[0]]
    # a Tensor of scores decodes the same
    assert ours.decode_predictions(tensor(preds), top=top) == want


def test_decode_predictions_errors(keras_decode):
    for bad in (np.zeros(1000), np.zeros((2, 10))):
        with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
            keras_decode(bad)
        with pytest.raises(ValueError, match=r"decode_predictions: .*\(samples, 1000\)"):
            ours.decode_predictions(bad)
    with pytest.raises(ValueError, match="top must be an int >= 1"):
        ours.decode_predictions(np.zeros((1, 1000)), top=0)


SHAPES = {("channels_last", 4): (2, 5, 6, 3), ("channels_last", 3): (5, 6, 3),
          ("channels_first", 4): (2, 3, 5, 6), ("channels_first", 3): (3, 5, 6)}


@pytest.mark.parametrize("mode", ["tf", "caffe", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("ndim", [3, 4])
@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
def test_preprocess_input_matches_keras(mode, data_format, ndim, dtype):
    from keras.src.applications import imagenet_utils as kiu

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, SHAPES[data_format, ndim]).astype(dtype)
    x_ours, x_keras = x.copy(), x.copy()
    got = ours.preprocess_input(x_ours, data_format=data_format, mode=mode)
    want = kiu.preprocess_input(x_keras, data_format=data_format, mode=mode)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # Keras scales a float array in place: the caller's array ends up the same in both
    np.testing.assert_array_equal(x_ours, x_keras)
    # a Tensor (not changed in place) gives the same values
    t = tensor(x.astype("float32") if dtype == "uint8" else x)
    out = ours.preprocess_input(t, data_format=data_format, mode=mode)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6 if dtype != "float64" else 1e-12,
                               atol=1e-5 if dtype != "float64" else 1e-12)
    np.testing.assert_array_equal(t.numpy(), x.astype(t.numpy().dtype))


def test_mobilenet_v2_mode_is_tf():
    """MobileNetV2's preprocess_input (Keras) is mode 'tf': [0, 255] -> [-1, 1] (closed form)."""
    x = np.array([[[[0.0, 127.5, 255.0]]]])
    want = keras.applications.mobilenet_v2.preprocess_input(x.copy())
    np.testing.assert_array_equal(want, [[[[-1.0, 0.0, 1.0]]]])
    np.testing.assert_array_equal(ours.preprocess_input(x.copy(), mode="tf"), want)


def test_preprocess_input_errors():
    with pytest.raises(ValueError, match="mode=.*'inception'"):
        ours.preprocess_input(np.zeros((1, 2, 2, 3)), mode="inception")
    with pytest.raises(ValueError, match="data_format"):
        ours.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="NHWC")
    with pytest.raises(ValueError, match="3 colour channels"):
        ours.preprocess_input(np.zeros((1, 2, 2, 4)), mode="caffe")
