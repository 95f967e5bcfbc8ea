"""Bad input gets a clear error naming the op, the shapes/dtypes and what was expected."""

from __future__ import annotations

import pytest

import autograd_nn as an

E = [
    ("add_broadcast", lambda: an.ones(2, 3) + an.ones(4), RuntimeError,
     r"add: The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton "
     r"dimension 1 \(shapes \[2, 3\], \[4\]\)"),
    ("rsub_broadcast", lambda: an.ones(2) - an.ones(2, 3, 1).transpose(1, 2), RuntimeError,
     r"sub: The size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ("where_broadcast", lambda: an.where(an.ones(2, dtype=an.bool), an.ones(3), an.ones(3)),
     RuntimeError, r"where: The size of tensor a \(2\) must match.*\[2\], \[3\], \[3\]"),
    ("matmul_inner", lambda: an.ones(2, 3) @ an.ones(2, 3), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    ("matmul_batch", lambda: an.ones(2, 2, 3) @ an.ones(3, 3, 4), RuntimeError,
     r"matmul: The size of tensor a \(2\) must match the size of tensor b \(3\)"),
    ("matmul_0d", lambda: an.ones(2) @ an.tensor(1.0), RuntimeError,
     r"at least 1D, but they are 1D and 0D"),
    ("cat_sizes", lambda: an.cat([an.ones(2, 3), an.ones(2, 4)]), RuntimeError,
     r"cat\(\): Sizes of tensors must match except in dimension 0. Expected size \[2, 3\] but "
     r"got size \[2, 4\] for tensor number 1"),
    ("cat_not_list", lambda: an.cat(an.ones(2)), TypeError, r"cat\(\): argument 'tensors'"),
    ("stack_sizes", lambda: an.stack([an.ones(2, 3), an.ones(3)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3\]"),
    ("reshape", lambda: an.ones(2, 3).reshape(4, 2), RuntimeError,
     r"reshape: shape '\[4, 2\]' is invalid for input of size 6"),
    ("reshape_two_infer", lambda: an.ones(6).reshape(-1, -1), RuntimeError,
     r"only one dimension can be inferred"),
    ("dim_range", lambda: an.ones(2, 3).sum(2), IndexError,
     r"sum: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    ("softmax_dim", lambda: an.ones(2, 3).softmax(-3), IndexError, r"softmax: Dimension out"),
    ("permute_repeat", lambda: an.ones(2, 3).permute(0, 0), RuntimeError,
     r"permute: dim \[0, 0\] appears multiple times"),
    ("permute_len", lambda: an.ones(2, 3).permute(0), RuntimeError,
     r"input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
    ("expand", lambda: an.ones(2, 3).expand(4, 3), RuntimeError,
     r"expand: the expanded size of the tensor \(4\) must match the existing size \(2\) at "
     r"non-singleton dimension 0"),
    ("index_oob", lambda: an.ones(2, 3)[2], IndexError,
     r"index 2 is out of bounds for dimension 0 with size 2"),
    ("index_too_many", lambda: an.ones(2, 3)[0, 0, 0], IndexError,
     r"too many indices for tensor of dimension 2"),
    ("index_float", lambda: an.ones(2, 3)[an.tensor([0.0])], IndexError,
     r"tensors used as indices must be long, int, byte or bool tensors, got "
     r"autograd_nn.float32"),
    ("gather_ndim", lambda: an.ones(2, 3).gather(1, an.tensor([0, 1])), RuntimeError,
     r"gather\(\): Index tensor must have the same number of dimensions as input tensor"),
    ("gather_oob", lambda: an.ones(2, 3).gather(1, an.tensor([[0, 5]])), RuntimeError,
     r"gather\(\): index 5 is out of bounds for dimension 1 with size 3"),
    ("gather_float_index", lambda: an.ones(2, 3).gather(1, an.tensor([[0.0]])), RuntimeError,
     r"gather\(\): Expected dtype int64 for index"),
    ("masked_fill_mask", lambda: an.ones(2).masked_fill(an.ones(2), 1.0), RuntimeError,
     r"masked_fill only supports boolean masks, but got mask with dtype autograd_nn.float32"),
    ("where_cond", lambda: an.where(an.ones(2), an.ones(2), an.ones(2)), RuntimeError,
     r"where expected condition to be a boolean tensor"),
    ("split_sizes", lambda: an.ones(5).split([2, 2]), RuntimeError,
     r"split_sizes to sum exactly to 5"),
    ("chunk0", lambda: an.ones(3).chunk(0), RuntimeError, r"chunk expects `chunks` to be greater"),
    ("repeat_dims", lambda: an.ones(2, 3).repeat(2), RuntimeError,
     r"Number of dimensions of repeat dims can not be smaller"),
    ("max_empty", lambda: an.ones(0).max(), RuntimeError,
     r"Expected reduction dim to be specified for input.numel\(\) == 0"),
    ("mean_int", lambda: an.ones(2, dtype=an.int64).mean(), RuntimeError,
     r"mean\(\): could not infer output dtype.*Got: autograd_nn.int64"),
    ("norm_int", lambda: an.tensor([1, 2]).norm(), RuntimeError,
     r"vector_norm: Expected a floating point tensor as input. Got autograd_nn.int64"),
    ("one_hot_negative", lambda: an.one_hot(an.tensor([-1])), RuntimeError,
     r"Class values must be non-negative"),
    ("one_hot_too_large", lambda: an.one_hot(an.tensor([3]), 2), RuntimeError,
     r"smaller than num_classes \(2\), got 3"),
    ("pad_odd", lambda: an.pad(an.ones(2), (1,)), RuntimeError, r"divisible by 2"),
    ("clamp_none", lambda: an.ones(2).clamp(), RuntimeError, r"At least one of 'min' or 'max'"),
    ("item_many", lambda: an.ones(2).item(), RuntimeError,
     r"a Tensor with 2 elements cannot be converted to Scalar"),
    ("mm_dims", lambda: an.ones(2).mm(an.ones(2, 2)), RuntimeError,
     r"mm: expected 2-D tensors, got 1-D and 2-D"),
    ("div_mode", lambda: an.ones(2).div(2, rounding_mode="round"), ValueError,
     r"rounding_mode to be one of None, 'trunc', or 'floor'"),
    ("requires_grad_int", lambda: an.ones(2, dtype=an.int64).requires_grad_(), RuntimeError,
     r"only Tensors of floating point dtype can require gradients, got autograd_nn.int64"),
    ("bad_device", lambda: an.ones(2).to("cuda:0"), RuntimeError, r"only the 'cpu' device"),
]


@pytest.mark.parametrize("fn, exc, msg", [e[1:] for e in E], ids=[e[0] for e in E])
def test_error_message(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()
