"""Inference mode's tensors and the layout / memory-format constants, against PyTorch."""

from __future__ import annotations

import pickle

import pytest

import autograd_nn as an

torch = pytest.importorskip("torch")


def _inference_flags(lib) -> list:
    x = lib.ones(2)
    flags = [lib.is_inference_mode_enabled()]
    with lib.inference_mode():
        a, b, c = lib.ones(2), x * 2, x[0]
        flags += [lib.is_inference_mode_enabled(), lib.is_grad_enabled(), a.is_inference(),
                  b.is_inference(), c.is_inference(), a[0].is_inference(), x.is_inference()]
        with lib.inference_mode(False):
            flags += [lib.is_inference_mode_enabled(), lib.ones(1).is_inference(),
                      lib.is_grad_enabled()]
        flags.append(lib.is_inference_mode_enabled())
    flags += [lib.is_inference_mode_enabled(), (a * 2).is_inference(), lib.is_inference(a)]

    @lib.inference_mode()
    def made():
        return lib.ones(1)

    flags += [made().is_inference(), lib.is_inference_mode_enabled()]
    return flags


def test_inference_mode_and_inference_tensors_match_torch():
    assert _inference_flags(an) == _inference_flags(torch)


def test_layout_and_memory_format_constants():
    for name in ("strided", "sparse_coo", "contiguous_format", "channels_last",
                 "channels_last_3d", "preserve_format"):
        ours, theirs = getattr(an, name), getattr(torch, name)
        assert repr(ours) == repr(theirs) == f"torch.{name}"
        assert type(ours).__name__ == type(theirs).__name__
        assert pickle.loads(pickle.dumps(ours)) is ours
    assert an.ones(2).contiguous(memory_format=an.contiguous_format).shape == (2,)


def test_range_warns_as_torch():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        an.range(0, 3)
