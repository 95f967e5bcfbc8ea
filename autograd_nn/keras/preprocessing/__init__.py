"""Keras's text, sequence and image preprocessing utilities (``keras.preprocessing``).

``text`` (``Tokenizer``), ``sequence`` (``pad_sequences``) need only NumPy; ``image`` needs
Pillow (``pip install autograd_nn[image]``), imported when an image function is called.
"""

from . import image, sequence, text

__all__ = ["image", "sequence", "text"]
