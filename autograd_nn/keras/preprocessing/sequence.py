"""Sequence preprocessing: Keras's ``pad_sequences``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences: Sequence[Any], maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0
                  ) -> np.ndarray:
    """Pad (or cut) each sequence to one length and stack them, as ``keras.utils.pad_sequences``.

    Args:
        sequences: ``N`` sequences (lists or arrays; each element a scalar or an array of one
            common shape ``S``).
        maxlen: the output length ``T``; default: the longest sequence.
        dtype: output dtype (``object`` or a string dtype for strings).
        padding: ``'pre'`` (default) or ``'post'``: where the ``value`` fill goes.
        truncating: ``'pre'`` (default) or ``'post'``: cut longer sequences at the front or the
            end.
        value: the fill value.

    Returns:
        ``(N, T) + S`` NumPy array of ``dtype``.

    >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
    array([[0, 1],
           [2, 3],
           [5, 6]], dtype=int32)
    """
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: Padding type "{padding}" not understood; expected '
                         f'"pre" or "post"')
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: Truncating type "{truncating}" not understood; '
                         f'expected "pre" or "post"')
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: `sequences` must be a list of sequences, got "
                         f"{type(sequences).__name__}")
    lengths = []
    sample_shape: tuple[int, ...] = ()
    found_sample = False
    for i, s in enumerate(sequences):
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError(f"pad_sequences: `sequences` must be a list of iterables; item {i} "
                             f"is not: {s!r}") from None
        # the element shape comes from the first non-empty sequence
        if not found_sample and len(s):
            sample_shape = np.asarray(s).shape[1:]
            found_sample = True
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences: got no sequences and no maxlen: the output length "
                             "is undefined")
        maxlen = max(lengths)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be None or an int >= 0, got {maxlen!r}")
    is_str_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_str_dtype:
        raise ValueError(f"pad_sequences: `dtype` {dtype} is not compatible with `value`'s type: "
                         f"{type(value)}; use dtype=object for variable-length strings")
    try:
        out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    except OverflowError as e:
        raise OverflowError(f"pad_sequences: the value {value!r} does not fit dtype {dtype}: "
                            f"{e}") from None
    if maxlen == 0:
        return out
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        try:
            kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        except OverflowError as e:
            raise OverflowError(f"pad_sequences: sequence {i} has a value that does not fit "
                                f"dtype {dtype}: {e}") from None
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: Shape of sample {kept.shape[1:]} of sequence at "
                             f"position {i} is different from expected shape {sample_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
