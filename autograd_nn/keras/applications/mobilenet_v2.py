"""``keras.applications.MobileNetV2`` with Keras's layer layout and names.

The functional graph is Keras's (``Conv1``, ``bn_Conv1``, ``block_N_expand`` /
``_depthwise`` / ``_project``, ``block_N_pad`` zero-padding before the stride-2 depthwise
convolutions, ``block_N_add``, ``Conv_1``, ``predictions``): 3,538,984 parameters at
224x224x3 with the 1000-class top, and ``get_weights`` in Keras's order, so Keras's ImageNet
weights load as they are.

Pretrained weights cannot be downloaded here. ``weights='imagenet'`` reads a converted file
``mobilenet_v2_{alpha}_{rows}[_no_top].weights.h5`` from ``$AUTOGRAD_NN_KERAS_WEIGHTS`` (a
folder; default ``~/.keras/autograd_nn``); on a machine with Keras and internet access make it
with ``python -m autograd_nn.keras.applications.mobilenet_v2 --convert [--alpha A] [--rows R]
[--no-top] [--out DIR]``, which saves Keras's weights in autograd_nn's safe format.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Any, Sequence

from ...models.mobilenetv2 import make_divisible  # the same rounding as torchvision's
from .. import layers
from ..models import Functional
from . import imagenet_utils
from .imagenet_utils import decode_predictions

__all__ = ["MobileNetV2", "preprocess_input", "decode_predictions", "weights_path",
           "convert_keras_weights"]


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale images with values in [0, 255] to [-1, 1] (``x / 127.5 - 1``), MobileNetV2's
    input range (``imagenet_utils.preprocess_input`` with ``mode='tf'``)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def _correct_pad(shape: Sequence[int | None], kernel_size: int) -> tuple:
    """Zero padding before a stride-2 'valid' 3x3 convolution (Keras's ``correct_pad``)."""
    h, w = shape[1], shape[2]
    adjust = (1, 1) if h is None else (1 - h % 2, 1 - w % 2)
    c = kernel_size // 2
    return ((c - adjust[0], c), (c - adjust[1], c))


def _inverted_res_block(inputs: Any, expansion: int, stride: int, alpha: float, filters: int,
                        block_id: int) -> Any:
    in_channels = inputs.shape[-1]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                      name=f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=_correct_pad(x.shape, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


_IMAGENET_SIZES = (96, 128, 160, 192, 224)  # the input sizes Keras has ImageNet weights for
_BLOCKS = [  # (filters, stride, expansion) for blocks 0..16
    (16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
    (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6),
    (160, 1, 6), (160, 1, 6), (320, 1, 6),
]


def weights_path(alpha: float = 1.0, rows: int = 224, include_top: bool = True) -> str:
    """Where ``weights='imagenet'`` looks for the converted ImageNet weights."""
    folder = os.environ.get("AUTOGRAD_NN_KERAS_WEIGHTS") or os.path.join(
        os.path.expanduser("~"), ".keras", "autograd_nn")
    top = "" if include_top else "_no_top"
    return os.path.join(folder, f"mobilenet_v2_{float(alpha)}_{rows}{top}.weights.h5")


def MobileNetV2(input_shape: Sequence[int] | None = None, alpha: float = 1.0,  # noqa: N802
                include_top: bool = True, weights: str | None = "imagenet",
                input_tensor: Any = None, pooling: str | None = None, classes: int = 1000,
                classifier_activation: Any = "softmax", name: str | None = None) -> Functional:
    """MobileNetV2 on (N, rows, cols, 3) images scaled to [-1, 1].

    Args:
        input_shape: (rows, cols, channels), rows and cols at least 32; default (224, 224, 3)
            with the top, (None, None, 3) (any size) without. With ImageNet weights and the
            top it must be (s, s, 3) for s in 96, 128, 160, 192, 224; without the top other
            sizes load the 224 weights (with a warning), as Keras.
        alpha: width multiplier (0.35, 0.5, 0.75, 1.0, 1.3, 1.4 for ImageNet weights).
        include_top: keep the pooling + ``classes``-way Dense classifier.
        weights: None (random init), 'imagenet' (a local converted file, see the module
            docstring) or the path of a ``.weights.h5`` file written by ``save_weights``.
        pooling: without the top, 'avg' or 'max' global pooling (None: the 4-D features).
        classes, classifier_activation: the classifier's size and activation.
    """
    if not (weights in ("imagenet", None) or (isinstance(weights, str)
                                              and os.path.exists(weights))):
        raise ValueError(f"The `weights` argument should be either `None` (random "
                         f"initialization), `imagenet` (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded. Received `weights={weights}`")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f'If using `weights="imagenet"` with `include_top` as true, `classes` '
                         f"should be 1000. Received `classes={classes}`")
    # Keras's input shape rules (imagenet_utils.obtain_input_shape), then the weights' size
    shape = input_shape if input_shape is not None else (
        tuple(input_tensor.shape[1:]) if input_tensor is not None else None)
    square = shape is not None and shape[0] == shape[1] and shape[0] in _IMAGENET_SIZES
    input_shape = imagenet_utils.obtain_input_shape(
        None if input_shape is None else tuple(input_shape),
        default_size=shape[0] if square else 224, min_size=32, require_flatten=include_top,
        weights=weights)
    rows = input_shape[0]
    if weights == "imagenet":
        if alpha not in (0.35, 0.5, 0.75, 1.0, 1.3, 1.4):
            raise ValueError(f"If imagenet weights are being loaded, alpha must be one of "
                             f"`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received "
                             f"`alpha={alpha}`")
        if rows != input_shape[1] or rows not in _IMAGENET_SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                          "[96, 128, 160, 192, 224]. Weights for input shape (224, 224) will "
                          "be loaded as the default.", stacklevel=2)
    img_input = layers.Input(shape=input_shape) if input_tensor is None else input_tensor
    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(img_input, x, name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    if weights == "imagenet":
        path = weights_path(alpha, rows, include_top)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"MobileNetV2(weights='imagenet'): no converted weights at {path} (they cannot "
                f"be downloaded here); make them on a machine with Keras: python -m "
                f"autograd_nn.keras.applications.mobilenet_v2 --convert --alpha {alpha} "
                f"--rows {rows}{'' if include_top else ' --no-top'}, then copy the file there "
                f"(or set AUTOGRAD_NN_KERAS_WEIGHTS), or pass weights=None")
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
    return model


def convert_keras_weights(keras_model: Any, path: str, alpha: float = 1.0, rows: int = 224,
                          include_top: bool = True) -> str:
    """Save a real Keras MobileNetV2's weights (``keras_model.get_weights()``) into our
    ``.weights.h5`` (safe format) at ``path``; returns the path."""
    model = MobileNetV2(input_shape=(rows, rows, 3), alpha=alpha, include_top=include_top,
                        weights=None)
    model.set_weights(keras_model.get_weights())
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    model.save_weights(path)
    return path


def _main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograd_nn.keras.applications.mobilenet_v2",
                                description="Convert Keras's ImageNet MobileNetV2 weights.")
    p.add_argument("--convert", action="store_true", required=True)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--rows", type=int, default=224)
    p.add_argument("--no-top", action="store_true")
    p.add_argument("--out", default=None, help="output folder (default: where weights="
                   "'imagenet' looks)")
    args = p.parse_args(argv)
    try:
        import keras as real_keras  # optional: the real Keras, only for this conversion
    except ImportError:
        print("error: the conversion needs Keras 3 (pip install keras) and internet access",
              file=sys.stderr)
        return 1
    include_top = not args.no_top
    path = weights_path(args.alpha, args.rows, include_top)
    if args.out:
        path = os.path.join(args.out, os.path.basename(path))
    try:  # Keras downloads the weights: no network, a bad size, a full disk... one line each
        ref = real_keras.applications.MobileNetV2(input_shape=(args.rows, args.rows, 3),
                                                  alpha=args.alpha, include_top=include_top,
                                                  weights="imagenet")
        print(convert_keras_weights(ref, path, args.alpha, args.rows, include_top))
    except Exception as e:
        print(f"error: cannot convert Keras's MobileNetV2 ImageNet weights: "
              f"{' '.join(str(e).split())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main())
