"""``keras.applications``: model architectures in Keras's layout (``MobileNetV2``)."""

from . import imagenet_utils, mobilenet_v2
from .mobilenet_v2 import MobileNetV2

__all__ = ["MobileNetV2", "mobilenet_v2", "imagenet_utils"]
