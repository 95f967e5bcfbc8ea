"""Image loading and conversion, as ``keras.utils.load_img`` / ``img_to_array`` /
``array_to_img`` / ``save_img``. Needs Pillow: ``pip install autograd_nn[image]``.

Arrays are ``(height, width, channels)`` (``data_format='channels_last'``, the default) or
``(channels, height, width)``; images are ``PIL.Image.Image``.
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Any

import numpy as np

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "INTERPOLATIONS"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
COLOR_MODES = ("grayscale", "rgb", "rgba")


def _pil(fn: str) -> Any:
    """``PIL.Image``, or an ImportError naming the extra."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{fn} needs Pillow: pip install 'autograd_nn[image]'") from None
    return Image


def _data_format(fn: str, data_format: str | None) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{fn}: data_format must be 'channels_last' or 'channels_first', got "
                         f"{data_format!r}")
    return data_format


def load_img(path: str | os.PathLike | bytes | io.BytesIO, grayscale: bool = False,
             color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Read an image file into a ``PIL.Image`` (fully loaded; the file is closed).

    Args:
        path: a file path or an ``io.BytesIO``.
        grayscale: deprecated (tf.keras 2): same as ``color_mode='grayscale'``.
        color_mode: ``'rgb'`` (default), ``'rgba'`` or ``'grayscale'`` (8-bit ``L``; 16/32-bit
            grayscale images keep their mode).
        target_size: ``(height, width)`` to resize to; ``None`` keeps the size.
        interpolation: Pillow filter for the resize: one of :data:`INTERPOLATIONS`.
        keep_aspect_ratio: crop the largest centred box of the target aspect ratio first.
    """
    image = _pil("load_img")
    if grayscale:
        warnings.warn("load_img: grayscale is deprecated, use color_mode='grayscale'",
                      DeprecationWarning, stacklevel=2)
        color_mode = "grayscale"
    if color_mode not in COLOR_MODES:
        raise ValueError(f'load_img: color_mode must be "grayscale", "rgb", or "rgba", got '
                         f'{color_mode!r}')
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "rb") as f:  # read whole: no file handle is left open
            data = f.read()
        try:
            img = image.open(io.BytesIO(data))
        except image.UnidentifiedImageError:
            raise ValueError(f"load_img: {os.fsdecode(path)} is not an image file Pillow can "
                             f"read") from None
    else:
        raise TypeError(f"load_img: path should be path-like or io.BytesIO, not "
                        f"{type(path).__name__}")
    wanted = {"grayscale": ("L", "I;16", "I"), "rgba": ("RGBA",), "rgb": ("RGB",)}[color_mode]
    if img.mode not in wanted:
        img = img.convert(wanted[0])
    if target_size is not None:
        if len(target_size) != 2:
            raise ValueError(f"load_img: target_size must be (height, width), got {target_size}")
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            if interpolation not in INTERPOLATIONS:
                raise ValueError(f"load_img: invalid interpolation method {interpolation!r}; "
                                 f"supported: {', '.join(INTERPOLATIONS)}")
            resample = getattr(image.Resampling, interpolation.upper())
            box = None
            if keep_aspect_ratio:
                width, height = img.size
                tw, th = width_height
                crop_h = min(height, (width * th) // tw)
                crop_w = min(width, (height * tw) // th)
                top, left = (height - crop_h) // 2, (width - crop_w) // 2
                box = (left, top, left + crop_w, top + crop_h)
            img = img.resize(width_height, resample, box=box)
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """A ``PIL.Image`` (or anything ``np.asarray`` takes) as a 3-d array: ``(H, W, C)``, or
    ``(C, H, W)`` with ``data_format='channels_first'``; grayscale gets ``C = 1``. ``dtype``
    defaults to float32."""
    data_format = _data_format("img_to_array", data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x[None] if data_format == "channels_first" else x[..., None]
    else:
        raise ValueError(f"img_to_array: unsupported image shape {x.shape}; expected (H, W) or "
                         f"(H, W, C)")
    return x


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True,
                 dtype: Any = None) -> Any:
    """A 3-d array (``(H, W, C)`` or ``(C, H, W)``, ``C`` in 1, 3, 4) as a ``PIL.Image``
    (``L`` or, above 255, 32-bit ``I``; ``RGB``; ``RGBA``). ``scale``: stretch the values to
    ``[0, 255]`` first (min to 0, max to 255); without it values are cast to uint8."""
    data_format = _data_format("array_to_img", data_format)
    image = _pil("array_to_img")
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected image array to have rank 3 (single image), got "
                         f"an array of shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"array_to_img: unsupported channel number {channels}; expected 1, 3 or 4 "
                     f"(array shape {x.shape}, data_format {data_format!r})")


def save_img(path: str | os.PathLike | Any, x: Any, data_format: str | None = None,
             file_format: str | None = None, scale: bool = True, **kwargs: Any) -> None:
    """Write the 3-d array ``x`` as an image file (format from the suffix, or ``file_format``,
    which a file object needs). RGBA is converted to RGB for JPEG. ``kwargs`` go to
    ``PIL.Image.save``."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("save_img: the JPEG format does not support RGBA images, converting to "
                      "RGB", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
