"""Parity samples for top-level names that are not ops (issue 12, task 2): the deprecated
``range``, device and inference queries, ``set_default_tensor_type``, ``set_printoptions``
(its samples print the same tensors in both libraries under the options set, then restore the
defaults) and the constant classes PyTorch does not let one construct."""

import numpy as np
import torch
from parity_samples import A, I, S

import autograd_nn as an

_PRINTED = [
    lambda m: m.tensor([1.12345, -2.5, 300.0]),
    lambda m: m.arange(2000.0).reshape(40, 50) / 3,
    lambda m: m.arange(24).reshape(2, 3, 4),
    lambda m: m.tensor([1e-5, 1.0]),
    lambda m: m.tensor([[1.5, 2.0]], requires_grad=True) * 2,
    lambda m: m.tensor(np.linspace(0, 1, 30)),
]


def _prints_alike(ours, theirs) -> None:
    """Under the options just set (the sample's call), every tensor of ``_PRINTED`` prints the
    same in both libraries; the defaults are restored after."""
    try:
        for make in _PRINTED:
            assert repr(make(an)) == repr(make(torch))
    finally:
        an.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert ours is None and theirs is None


def _same_bfloat16(ours, theirs) -> None:
    """bfloat16 values compared through float32 (PyTorch's bfloat16 has no NumPy form)."""
    assert str(ours.dtype) == str(theirs.dtype) == "torch.bfloat16"
    assert isinstance(ours, an.BFloat16Tensor) and not isinstance(ours, an.FloatTensor)
    np.testing.assert_array_equal(ours.float().numpy(), theirs.float().numpy())


def _restore_default_dtype(ours, theirs) -> None:
    try:
        assert an.get_default_dtype() is an.float64
        assert torch.get_default_dtype() is torch.float64
    finally:
        an.set_default_dtype(an.float32)
        torch.set_default_dtype(torch.float32)
    assert ours is None and theirs is None


SAMPLES = {
    "range": [S(1, 4), S(0, 1, 0.1), S(4, 1, -1), S(1.5, 4), S(0, 10, 3, dtype="dtype:int64"),
              S(0, 2, dtype="dtype:float64"), S(0, 3, requires_grad=True), S(start=-1, end=2),
              S(1, 4, 0, raises=True), S(4, 1, raises=True), S(5, raises=True),
              S(0, 2, dtype="dtype:bool", raises=True)],
    "get_device": [S(A(2, 3)), S(I(3)), S(3, raises=True)],
    "is_inference": [S(A(2, 3)), S(I(3))],
    "is_inference_mode_enabled": [S()],
    "set_default_tensor_type": [S("torch.FloatTensor"), S("torch.LongTensor", raises=True),
                                S("torch.DoubleTensor", check=_restore_default_dtype)],
    "set_printoptions": [S(precision=2, check=_prints_alike),
                         S(threshold=5, check=_prints_alike),
                         S(threshold=5, edgeitems=1, check=_prints_alike),
                         S(edgeitems=0, threshold=3, check=_prints_alike),
                         S(linewidth=30, check=_prints_alike),
                         S(profile="short", check=_prints_alike),
                         S(profile="full", check=_prints_alike),
                         S(profile="short", precision=6, check=_prints_alike),
                         S(sci_mode=True, check=_prints_alike),
                         S(sci_mode=False, check=_prints_alike)],
    "BFloat16Tensor": [S([1.5, -2.25, 3.0], check=_same_bfloat16), S(A(3), raises=True)],
    # classes whose instances PyTorch makes itself (torch.strided...): no public constructor
    "layout": [S(raises=True)],
    "memory_format": [S(raises=True)],
}
