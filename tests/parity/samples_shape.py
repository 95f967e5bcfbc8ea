"""Parity samples for the shape, indexing and scatter family (diagonals, splits, stacks, flips,
rolls, unfold, the scatter/index_* ops, masks, nonzero, in-place shape methods)."""

import numpy as np
from parity_samples import A, B, I, S, V


def _shape_dtype(ours, theirs):
    """For results with uninitialised values in PyTorch (Tensor.new with sizes)."""
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)


def _as_float32(ours, theirs):
    """bfloat16 results compared through float32 (PyTorch's bfloat16 has no NumPy form)."""
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.float().numpy(), theirs.float().numpy())


IX = V(np.array([0, 2, 0]))  # a 1-D index with a repeat
IXU = V(np.array([2, 0]))  # without repeats
SIX = V(np.array([[0, 1, 2, 0], [2, 0, 1, 1]]))  # a scatter index for (3, 4) along 0

SAMPLES = {
    # diagonals
    "diagonal": [
        S(A(3, 4)),
        S(A(3, 4), 1),
        S(A(4, 3), -2),
        S(A(2, 3, 4), 0, -1, 0),
        S(A(2, 3, 4), offset=1, dim1=2, dim2=1),
        S(I(3, 3)),
        S(A(3, 4), 0, 1, 1, raises=True),
        S(A(3), raises=True),
    ],
    "diag_embed": [
        S(A(3)),
        S(A(2, 3), 1),
        S(A(2, 3), -1, 0, 2),
        S(I(2, 2)),
        S(A(2, 3), 0, 1, -2, raises=True),
    ],
    "diag": [S(A(3)), S(A(3), 2), S(A(3, 4)), S(A(3, 4), -1), S(I(4)), S(A(2, 2, 2), raises=True)],
    "diagflat": [S(A(2, 2)), S(A(3), -1), S(I(3), 1)],
    "diagonal_scatter": [
        S(A(3, 4), A(3)),
        S(A(3, 4), A(2), 2),
        S(A(2, 3, 3), A(3, 2), -1, 1, 0),
        S(A(3, 4), A(2), raises=True),
    ],
    "select_scatter": [
        S(A(3, 4), A(4), 0, 1),
        S(A(3, 4), A(3), -1, -1),
        S(I(2, 3), I(3), 0, 0),
        S(A(3, 4), A(1), 0, 0, raises=True),
    ],
    "slice_scatter": [
        S(A(4, 3), A(2, 3), 0, 1, 3),
        S(A(3, 5), A(3, 2), 1, 0, 4, 2),
        S(A(4, 3), A(4, 3)),
        S(A(4, 3), A(3, 3), raises=True),
    ],
    # splits
    "tensor_split": [
        S(A(7, 2), 3),
        S(A(2, 7), [1, 4], 1),
        S(A(5), [2, 9]),
        S(A(4, 3), -1, raises=True),
        S(A(6), V(np.array(4))),
        S(A(6), V(np.array([1, 3]))),
        S(A(4), 0, raises=True),
    ],
    "hsplit": [S(A(3, 4), 2), S(A(4), [1, 3]), S(A(3, 5), 2, raises=True)],
    "vsplit": [S(A(4, 3), 2), S(A(4, 3), [1]), S(A(4), 2, raises=True)],
    "dsplit": [S(A(2, 2, 4), 2), S(A(2, 2, 4), [3]), S(A(2, 4), 2, raises=True)],
    "split_with_sizes": [
        S(A(5, 2), [2, 3]),
        S(A(2, 5), [1, 1, 3], -1),
        S(A(5), [2, 2], raises=True),
    ],
    "unsafe_chunk": [S(A(5, 2), 2), S(A(2, 6), 4, 1), S(A(3), 0, raises=True)],
    "unsafe_split": [S(A(5, 2), 2), S(A(2, 6), 4, -1), S(A(2, 6), [2, 4], -1, raises=True)],
    "unsafe_split_with_sizes": [S(A(5, 2), [4, 1]), S(A(5), [4, 2], raises=True)],
    # stacks
    "hstack": [
        S([A(2), A(3)]),
        S([A(2, 1), A(2, 3)]),
        S([V(np.array(1.0)), A(2)]),
        S([I(2), A(2)]),
        S([A(2, 1), A(3, 1)], raises=True),
    ],
    "vstack": [S([A(3), A(3)]), S([A(1, 3), A(2, 3)]), S([A(3), A(2)], raises=True)],
    "row_stack": [S([A(3), A(2, 3)])],
    "dstack": [S([A(3), A(3)]), S([A(2, 3), A(2, 3, 2)])],
    "column_stack": [
        S([A(3), A(3, 2)]),
        S([V(np.array(1.0)), V(np.array(2.0))]),
        S([A(3), A(2)], raises=True),
    ],
    # flips, rotations, rolls, moves
    "fliplr": [S(A(2, 3)), S(I(2, 3, 2)), S(A(3), raises=True)],
    "flipud": [S(A(3)), S(A(2, 3)), S(V(np.array(1.0)), raises=True)],
    "rot90": [
        S(A(2, 3)),
        S(A(2, 3), 2),
        S(A(2, 3), -1),
        S(A(2, 3, 4), 1, [2, 0]),
        S(A(2, 3), 4),
        S(A(2, 3), 1, [0, 0], raises=True),
        S(A(3), raises=True),
    ],
    "roll": [
        S(A(3, 4), 1),
        S(A(3, 4), -2, 1),
        S(A(3, 4), (1, 5), (0, -1)),
        S(I(5), 7, 0),
        S(A(3, 4), (1, 2), 0, raises=True),
    ],
    "movedim": [
        S(A(2, 3, 4), 0, -1),
        S(A(2, 3, 4), (0, 1), (2, 0)),
        S(A(2, 3), 1, 1),
        S(A(2, 3), (0, 1), 0, raises=True),
    ],
    "moveaxis": [S(A(2, 3, 4), -1, 0)],
    "ravel": [S(A(2, 3)), S(V(np.array(2.0))), S(I(2, 2))],
    "tile": [S(A(2, 3), (2,)), S(A(2), (2, 3)), S(A(2, 3), (1, 2, 1)), S(I(2), (3,))],
    "Tensor.unfold": [
        S(A(7), 0, 2, 1),
        S(A(3, 7), 1, 3, 2),
        S(A(4, 3), -2, 4, 1),
        S(A(3), 0, 4, 1, raises=True),
        S(A(3), 0, 1, 0, raises=True),
    ],
    "narrow_copy": [S(A(4, 3), 0, 1, 2), S(A(4, 3), -1, 0, 2), S(A(4), 0, 3, 2, raises=True)],
    "Tensor.sum_to_size": [
        S(A(3, 4), 1, 4),
        S(A(2, 3, 4), 3, 1),
        S(A(3, 4), (3, 4)),
        S(A(3, 2), 3, raises=True),
    ],
    # gather-like selection
    "take": [
        S(A(3, 4), V(np.array([[0, 11], [-1, 5]]))),
        S(I(3), V(np.array([2, 2]))),
        S(A(3, 4), V(np.array([12])), raises=True),
    ],
    "masked_select": [
        S(A(3, 4), B(3, 4)),
        S(A(3, 4), B(4)),
        S(A(4), B(3, 4)),
        S(A(3), V(np.array([1, 0, 1])), raises=True),
    ],
    "nonzero": [
        S(V(np.array([[0, 1.5], [2, 0]]))),
        S(I(3, 4, low=-1, high=2)),
        S(I(3, 4, low=-1, high=2), as_tuple=True),
        S(B(5)),
        S(V(np.array(3.0))),
    ],
    "argwhere": [S(I(2, 3, low=0, high=2)), S(V(np.array([0.0, 1.0])))],
    "nonzero_static": [
        S(V(np.array([0, 1, 1, 0])), size=3),
        S(I(3, 3, low=0, high=2), size=2),
        S(V(np.array([[0, 2]])), size=3, fill_value=7),
    ],
    "repeat_interleave": [
        S(A(3), 2),
        S(A(2, 3), V(np.array([1, 0, 2])), 1),
        S(A(2, 3), 2, 0, output_size=4),
        S(A(2, 3), 3),
        S(V(np.array([2, 0, 1]))),
        S(A(2, 3), V(np.array([1, 2])), 0),
        S(A(2, 3), V(np.array([1, 2])), 1, raises=True),
    ],
    "combinations": [
        S(A(4)),
        S(A(4), 3),
        S(A(3), 2, with_replacement=True),
        S(A(2), 3),
        S(I(3), 1),
        S(A(2, 2), raises=True),
    ],
    # the scatter family
    "scatter": [
        S(A(3, 4), 0, V(np.array([[2, 0]], dtype=np.int32)), A(1, 2)),
        S(A(3, 4), 0, V(np.array([[2, 0]], dtype=np.int16)), 1.0, raises=True),
        S(A(3, 4), 0, SIX, A(2, 4)),
        S(A(3, 4), 1, V(np.array([[3, 0], [1, 2]])), A(2, 3), grad=False),
        S(A(3, 4), 1, V(np.array([[3, 0], [1, 2]])), A(2, 2)),
        S(A(3, 4), -1, V(np.array([[3], [0], [1]])), 2.5),
        S(I(3, 4), 0, SIX, I(2, 4)),
        S(A(3, 4), 0, SIX, A(2, 4), reduce="add", grad=False),
        S(A(3, 4), 0, SIX, A(2, 4, grad=False), reduce="multiply", grad=False),
        S(A(3, 4), 0, SIX, 2.0, reduce="add", grad=False),
        S(A(3, 4), 0, SIX, A(2, 4, dtype="float32"), raises=True),
        S(A(3, 4), 0, V(np.array([[3, 0]])), A(1, 2), raises=True),
        S(A(3, 4), 0, V(np.array([[0.0, 1.0]])), A(1, 2), raises=True),
    ],
    "Tensor.scatter_": [
        S(V(np.zeros(10)), 0, V(np.array(3)), value=1),
        S(V(np.array(2.0)), 0, V(np.array(0)), A(1, grad=False)),
        S(A(3, 4), 1, V(np.array([[1, 3], [0, 0]])), value=-1.0),
        S(A(3, 4), 0, SIX, A(2, 4)),
        S(A(3, 4), 0, SIX, A(2, 4, grad=False), reduce="multiply", grad=False),
        S(I(3, 4), 0, SIX, value=7, reduce="add"),
    ],
    "Tensor.scatter_add_": [S(A(3, 4), 0, SIX, A(2, 4)), S(I(3, 4), 0, SIX, I(2, 5))],
    "scatter_reduce": [
        S(A(3, 4), 0, SIX, A(2, 4), reduce) for reduce in ("sum", "prod", "mean", "amax", "amin")
    ]
    + [
        S(A(3, 4), 0, SIX, A(2, 4), reduce, include_self=False)
        for reduce in ("sum", "prod", "mean", "amax", "amin")
    ]
    + [
        S(I(3, 4), 0, SIX, I(2, 4), "mean"),
        S(I(3, 4), 1, SIX, I(2, 4), "amin", include_self=False),
        S(
            V(np.array([0.0, 2.0, 3.0]), grad=True),
            0,
            V(np.array([0, 0, 1, 2])),
            V(np.array([1.5, 0.0, 0.0, 2.0]), grad=True),
            "prod",
        ),
        S(A(3, 4), 0, SIX, A(2, 4), "median", raises=True),
        S(A(3, 4), 0, SIX, A(2, 4, dtype="float32"), "sum", raises=True),
    ],
    "index_add": [
        S(A(3, 2), 0, V(np.array([-1])), A(1, 2), raises=True),
        S(A(3, 2), 0, V(np.array([1, 0], dtype=np.int32)), A(2, 2)),
        S(A(3, 2), 0, V(np.array([1], dtype=np.int16)), A(1, 2), raises=True),
        S(A(3, 4), 0, IX, A(3, 4)),
        S(A(3, 4), -1, IXU, A(3, 2), alpha=2.0),
        S(I(3, 2), 0, IX, I(3, 2)),
        S(A(3, 4), 0, IX, A(3, 3), raises=True),
        S(A(3, 4), 0, IX, A(3, 4, dtype="float32"), raises=True),
        S(A(3, 4), 0, V(np.array([3])), A(1, 4), raises=True),
    ],
    "index_copy": [
        S(A(3, 2), 0, V(np.array([-1])), A(1, 2), raises=True),
        S(A(3, 4), 0, IXU, A(2, 4)),
        S(A(3, 4), 1, V(np.array([3, -1 + 1])), A(3, 2)),
        S(I(3, 2), 0, IXU, I(2, 2)),
        S(A(3, 4), 0, IXU, A(3, 4), raises=True),
    ],
    "index_fill": [
        S(A(3, 4), 0, IX, -2.0),
        S(A(3, 4), 1, V(np.array([-1, 0])), 1.5),
        S(I(3, 4), 1, IXU, 3),
        S(A(3, 4), 0, IXU, A(2), raises=True),
    ],
    "index_put": [
        S(A(3, 4), (IXU,), A(4)),
        S(A(3, 4), (IX, V(np.array([1, 2, 3]))), A(3), accumulate=True),
        S(A(3, 4), (B(3, 4),), V(np.array(2.5))),
        S(I(3, 4), (IX,), I(4), accumulate=True),
        S(A(3, 4), (IXU,), A(4, dtype="float32"), raises=True),
    ],
    "index_put_": [
        S(A(3, 4), (IXU, V(np.array([0, 3]))), A(2)),
        S(A(3, 4), (IX,), A(3, 4), accumulate=True),
    ],
    "index_reduce": [
        S(A(3, 4), 0, IX, A(3, 4), reduce) for reduce in ("prod", "mean", "amax", "amin")
    ]
    + [
        S(A(3, 4), 1, IXU, A(3, 2), "amax", include_self=False),
        S(I(3, 2), 0, IX, I(3, 2), "mean"),
        S(A(3, 4), 0, IX, A(3, 4), "sum", raises=True),
        S(A(3, 2), 0, V(np.array([-1])), A(1, 2), "amax", raises=True),
    ],
    "put": [
        S(A(3, 4), V(np.array([0, -1, 5])), A(3)),
        S(A(3, 4), V(np.array([[1, 1]])), A(2), accumulate=True),
        S(I(2, 2), V(np.array([3])), I(1)),
        S(A(3, 4), V(np.array([12])), A(1), raises=True),
        S(A(3, 4), V(np.array([1])), A(1, dtype="float32"), raises=True),
    ],
    "masked_scatter": [
        S(A(3, 4), B(3, 4), A(12)),
        S(A(3, 4), B(4), A(4, 4)),
        S(I(2, 3), B(2, 3), I(6)),
        S(A(3, 4), V(np.ones((3, 4), bool)), A(5), raises=True),
        S(A(3, 4), B(3, 4), A(12, dtype="float32"), raises=True),
    ],
    "fill": [
        S(A(3, 4), 2.5),
        S(I(3), 2),
        S(A(2, 2), V(np.array(1.5), grad=True)),
        S(A(2), A(2), raises=True),
    ],
    "detach_": [S(A(3))],
    # in-place shape methods and helpers
    "Tensor.unsqueeze_": [S(A(3, 4), 0), S(A(3, 4), -1), S(A(3), 2, raises=True)],
    "Tensor.squeeze_": [S(A(3, 1, 4, 1)), S(A(3, 1, 4), 1), S(A(1, 2, 1), (0, -1))],
    "Tensor.transpose_": [S(A(2, 3, 4), 0, 2), S(A(2, 3), -1, 0), S(A(2, 3), 0, 2, raises=True)],
    "Tensor.swapaxes_": [S(A(2, 3), 0, 1)],
    "Tensor.swapdims_": [S(A(2, 3, 4), 1, -1)],
    "Tensor.t_": [S(A(2, 3)), S(A(3)), S(A(2, 2, 2), raises=True)],
    "Tensor.tril_": [S(A(3, 4)), S(A(2, 3, 3), -1), S(I(3, 3), 1)],
    "Tensor.triu_": [S(A(3, 4)), S(A(2, 3, 3), 1)],
    "Tensor.resize_": [S(A(3, 4, grad=False), 2, 6), S(A(3, 4, grad=False), (2, 2)), S(I(2, 3), 6)],
    "resize_as_": [S(A(3, 4, grad=False), A(12, grad=False)), S(I(2, 3), I(3, 1))],
    "Tensor.resize": [S(A(3, 4), 4, 3), S(A(3, 4), 2, 2, raises=True)],
    "Tensor.resize_as": [S(A(3, 4), A(2, 6, grad=False))],
    "Tensor.fill_diagonal_": [
        S(A(3, 4), 2.0),
        S(A(5, 2), -1.0, wrap=True),
        S(A(5, 2), 3.0),
        S(A(3, 3, 3), 0.5),
        S(I(3, 3), 4),
        S(A(3), 1.0, raises=True),
        S(A(2, 3, 3), 1.0, raises=True),
    ],
    "Tensor.type_as": [S(A(3), I(2)), S(I(3), A(2, dtype="float32"))],
    "Tensor.new": [
        S(A(3), 2, 3, check=_shape_dtype),
        S(I(3), [1, 2]),
        S(A(2), (1.5, 2.0)),
        S(A(2), check=_shape_dtype),
    ],
    "Tensor.byte": [S(I(3, low=0, high=200))],
    "Tensor.char": [S(I(3, low=-100, high=100))],
    "Tensor.short": [S(A(3, domain="int"))],
    "Tensor.bfloat16": [S(V(np.array([1.0, 0.5, -2.0])), check=_as_float32)],
    "unflatten": [S(A(2, 6), -1, (2, -1)), S(A(6), 0, [3, 2]), S(A(2, 6), 1, (4, 2), raises=True)],
    "Tensor.ndimension": [S(A(2, 3)), S(V(np.array(1.0)))],
}
