"""Model definitions (MobileNetV2)."""

from .mobilenetv2 import *  # noqa: F403
from .mobilenetv2 import __all__  # noqa: F401
