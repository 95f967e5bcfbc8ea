"""``keras.preprocessing.image`` against Keras 3.15's ``keras.utils`` image functions, on images
generated with Pillow in every mode and format."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from autograd_nn.keras.preprocessing import image as ours

Image = pytest.importorskip("PIL.Image")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def make_image(path, mode: str, size=(13, 9), seed: int = 0):
    """A random ``mode`` image of ``size`` (width, height) written to ``path``."""
    rng = np.random.default_rng(seed)
    w, h = size
    if mode == "I;16":
        img = Image.fromarray(rng.integers(0, 65535, (h, w), dtype=np.uint16))
    elif mode == "I":
        img = Image.fromarray(rng.integers(0, 70000, (h, w)).astype(np.int32))
    elif mode == "P":
        img = Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).convert(
            "P", palette=Image.Palette.ADAPTIVE, colors=16)
    else:
        bands = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
        arr = rng.integers(0, 256, (h, w, bands), dtype=np.uint8)
        img = Image.fromarray(arr[..., 0] if bands == 1 else arr)  # mode from the shape
    assert img.mode == mode
    img.save(path)
    return path


FILES = [("RGB", "png"), ("RGBA", "png"), ("L", "png"), ("LA", "png"), ("P", "png"),
         ("I;16", "png"), ("I", "tiff"), ("RGB", "jpg"), ("L", "bmp")]


# (target_size, interpolation, keep_aspect_ratio): same size, up, down, crops, every filter
RESIZES = [(None, "nearest", False), ((9, 13), "bilinear", False), ((5, 7), "nearest", False),
           ((20, 6), "bilinear", True), ((8, 8), "bicubic", True), ((4, 11), "lanczos", False),
           ((7, 3), "box", True), ((6, 6), "hamming", False)]


@pytest.mark.parametrize("mode, ext", FILES)
@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
def test_load_img_matches_keras(tmp_path, mode, ext, color_mode):
    path = make_image(tmp_path / f"img.{ext}", mode)
    for target_size, interpolation, keep in RESIZES:
        kw = {"color_mode": color_mode, "target_size": target_size,
              "interpolation": interpolation, "keep_aspect_ratio": keep}
        for src in (path, str(path), io.BytesIO(path.read_bytes())):
            got = ours.load_img(src, **kw)
            want = keras.utils.load_img(io.BytesIO(path.read_bytes()) if isinstance(
                src, io.BytesIO) else src, **kw)
            assert got.mode == want.mode and got.size == want.size
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
            for data_format in ("channels_last", "channels_first"):
                for dtype in (None, "float64", "uint8"):
                    a = ours.img_to_array(got, data_format=data_format, dtype=dtype)
                    b = keras.utils.img_to_array(want, data_format=data_format, dtype=dtype)
                    assert a.dtype == b.dtype and a.shape == b.shape
                    np.testing.assert_array_equal(a, b)


def test_deck_slide_14_calls(tmp_path):
    """``image.load_img(path, target_size=(224, 224))`` then ``img_to_array``: (224, 224, 3)
    float32, the pixels Keras reads."""
    path = make_image(tmp_path / "photo.jpg", "RGB", size=(320, 240))
    x = ours.img_to_array(ours.load_img(path, target_size=(224, 224)))
    assert x.shape == (224, 224, 3) and x.dtype == np.float32
    want = keras.utils.img_to_array(keras.utils.load_img(path, target_size=(224, 224)))
    np.testing.assert_array_equal(x, want)


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_and_save_img_match_keras(tmp_path, channels, data_format, scale):
    rng = np.random.default_rng(channels)
    for arr in (rng.uniform(-3, 5, (6, 7, channels)), rng.uniform(0, 255, (6, 7, channels)),
                rng.integers(0, 1000, (6, 7, channels)).astype(np.float64),  # > 255: mode I
                np.full((6, 7, channels), 4.0)):  # constant: max - min == 0
        if data_format == "channels_first":
            arr = arr.transpose(2, 0, 1)
        for dtype in (None, "float64"):
            got = ours.array_to_img(arr, data_format=data_format, scale=scale, dtype=dtype)
            want = keras.utils.array_to_img(arr, data_format=data_format, scale=scale,
                                            dtype=dtype)
            assert got.mode == want.mode and got.size == want.size
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        before = arr.copy()
        kw = {"data_format": data_format, "scale": scale}
        if want.mode == "I":  # 32-bit grayscale: TIFF holds it, PNG cannot (both raise)
            exts = ("tiff",)
            for save in (ours.save_img, keras.utils.save_img):
                with pytest.raises(OSError, match="cannot write mode I"):
                    save(tmp_path / "c.png", arr, **kw)
        else:
            exts = ("png", "jpg") if channels == 4 else ("png", "bmp", "jpg")
        for ext in exts:
            mine, theirs = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
            if channels == 4 and ext == "jpg":
                with pytest.warns(UserWarning, match="RGBA"):
                    ours.save_img(mine, arr, **kw)
                with pytest.warns(UserWarning, match="RGBA"):
                    keras.utils.save_img(theirs, arr, **kw)
            else:
                ours.save_img(mine, arr, **kw)
                keras.utils.save_img(theirs, arr, **kw)
            np.testing.assert_array_equal(np.asarray(Image.open(mine)),
                                          np.asarray(Image.open(theirs)))
        np.testing.assert_array_equal(arr, before)  # the caller's array is not changed
    buf = io.BytesIO()
    ours.save_img(buf, np.zeros((2, 2, 3)), file_format="png")
    assert Image.open(io.BytesIO(buf.getvalue())).size == (2, 2)


def test_errors(tmp_path):
    path = make_image(tmp_path / "a.png", "RGB")
    with pytest.raises(ValueError, match="color_mode"):
        ours.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match="invalid interpolation method 'linear'"):
        ours.load_img(path, target_size=(3, 3), interpolation="linear")
    with pytest.raises(TypeError, match="path-like or io.BytesIO"):
        ours.load_img(3)
    with pytest.raises(FileNotFoundError):
        ours.load_img(tmp_path / "missing.png")
    (tmp_path / "not.png").write_text("hello")
    with pytest.raises(ValueError, match="not an image file"):
        ours.load_img(tmp_path / "not.png")
    with pytest.raises(ValueError, match="rank 3"):
        ours.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="unsupported channel number 2"):
        ours.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="unsupported image shape"):
        ours.img_to_array(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="data_format"):
        ours.img_to_array(np.zeros((2, 2)), data_format="NHWC")
    with pytest.warns(DeprecationWarning, match="grayscale"):
        assert ours.load_img(path, grayscale=True).mode == "L"


def test_missing_pillow_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'autograd_nn\[image\]'"):
        ours.load_img("x.png")
