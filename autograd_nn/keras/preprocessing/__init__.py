"""Keras's text, sequence and image preprocessing utilities."""
