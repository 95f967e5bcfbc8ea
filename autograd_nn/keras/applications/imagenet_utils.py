"""ImageNet input scaling and prediction decoding, as ``keras.applications.imagenet_utils``.

The 1,000 class names ship with the package (``imagenet_class_index.json``, byte for byte the
file Keras downloads: md5 ``c2c37ea517e94d9795004a39431a14cb``), so nothing is downloaded.
"""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from ..._creation import as_tensor
from ...tensor import Tensor

__all__ = ["preprocess_input", "decode_predictions", "class_index", "obtain_input_shape",
           "PREPROCESS_MODES"]

PREPROCESS_MODES = ("caffe", "tf", "torch")
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
TORCH_MEAN, TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
NUM_CLASSES = 1000


@lru_cache(maxsize=1)
def class_index() -> dict[str, tuple[str, str]]:
    """``{"0": (wnid, label), ..., "999": ...}``: the ImageNet classes in model output order."""
    text = resources.files(__package__).joinpath("imagenet_class_index.json").read_text("utf-8")
    return {k: (v[0], v[1]) for k, v in json.loads(text).items()}


def obtain_input_shape(input_shape: Any, default_size: int, min_size: int,
                       require_flatten: bool, weights: Any = None) -> tuple:
    """Keras's check and default of an application's (rows, cols, channels) input shape
    (channels-last): with ImageNet weights and the classifier top the shape must be
    (default_size, default_size, 3); otherwise any rows and cols of at least ``min_size``
    (None: any size, without the top)."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        if input_shape[-1] not in {1, 3}:
            warnings.warn(f"This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {input_shape[-1]} input channels.",
                          stacklevel=3)
        default_shape = (default_size, default_size, input_shape[-1])
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(f"When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: "
                             f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        if input_shape[-1] != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(n is not None and n < min_size for n in input_shape[:2]):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    else:
        input_shape = default_shape if require_flatten else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(f"If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return tuple(input_shape)


def _channel_shape(ndim: int, data_format: str) -> tuple[int, ...]:
    """Broadcast shape of a per-channel constant for a 3-d or 4-d image batch."""
    if data_format == "channels_first":
        return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Scale a batch of images with values in ``[0, 255]`` for an ImageNet model.

    Args:
        x: ``(N, H, W, 3)`` / ``(H, W, 3)`` (channels last), or ``(N, 3, H, W)`` / ``(3, H, W)``
            with ``data_format='channels_first'``: a NumPy array, a list, or a ``Tensor``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        mode: ``'caffe'`` (RGB -> BGR, minus the ImageNet BGR mean, no scaling), ``'tf'``
            (to ``[-1, 1]``: ``x / 127.5 - 1``; MobileNetV2's), ``'torch'`` (to ``[0, 1]``,
            then minus the ImageNet mean, over the std, per channel).

    Returns:
        The scaled batch, same shape. As in Keras, a floating NumPy array is scaled in place
        (and returned); an integer array becomes a new float32 array; a ``Tensor`` gives a new
        ``Tensor`` (differentiable).
    """
    if mode not in PREPROCESS_MODES:
        raise ValueError(f"preprocess_input: expected mode to be one of `caffe`, `tf` or "
                         f"`torch`. Received: mode={mode!r}")
    if data_format is None:
        data_format = "channels_last"
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"preprocess_input: expected data_format to be one of `channels_first` "
                         f"or `channels_last`. Received: data_format={data_format!r}")
    is_tensor = isinstance(x, Tensor)
    if not is_tensor:
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32)
    ndim = len(x.shape)
    channel_axis = (0 if ndim == 3 else 1) if data_format == "channels_first" else ndim - 1
    if mode != "tf" and (ndim < 3 or x.shape[channel_axis] != 3):
        raise ValueError(f"preprocess_input: mode {mode!r} needs 3 colour channels on axis "
                         f"{channel_axis} ({data_format}); got shape {tuple(x.shape)}")
    if mode == "tf":
        if is_tensor:
            return x / 127.5 - 1.0
        x /= 127.5
        x -= 1.0
        return x
    shape = _channel_shape(ndim, data_format)
    if mode == "torch":
        mean = np.reshape(TORCH_MEAN, shape)
        std = np.reshape(TORCH_STD, shape)
        if is_tensor:
            return (x / 255.0 - as_tensor(mean, dtype=x.dtype)) / as_tensor(std, dtype=x.dtype)
        x /= 255.0
        x -= mean.astype(x.dtype)
        x /= std.astype(x.dtype)
        return x
    mean = np.reshape(CAFFE_MEAN_BGR, shape)
    flip = [slice(None)] * ndim
    flip[channel_axis] = slice(None, None, -1)
    if is_tensor:
        return x.flip(channel_axis) - as_tensor(mean, dtype=x.dtype)
    x = x[tuple(flip)]  # a view: as in Keras, the caller's float array is changed too
    x -= mean.astype(x.dtype)
    return x


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """The ``top`` classes of each row of ``(N, 1000)`` ImageNet scores.

    Returns:
        ``N`` lists of ``(wnid, label, score)`` tuples, highest score first, e.g.
        ``('n02123045', 'tabby', 0.81)``; scores keep the input's dtype.
    """
    preds = np.asarray(preds.detach().numpy() if hasattr(preds, "detach") else preds)
    if preds.ndim != 2 or preds.shape[1] != NUM_CLASSES:
        raise ValueError(f"decode_predictions: expects a batch of predictions (i.e. a 2D array of "
                         f"shape (samples, {NUM_CLASSES})). Received array with shape: "
                         f"{preds.shape}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"decode_predictions: top must be an int >= 1, got {top!r}")
    classes = class_index()
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [classes[str(i)] + (pred[i],) for i in best]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results
