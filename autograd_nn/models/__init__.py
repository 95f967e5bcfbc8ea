"""Model definitions (MobileNetV2)."""
