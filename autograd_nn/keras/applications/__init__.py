"""Keras applications (pretrained-model architectures)."""
