"""Parity samples for ``Tensor``'s own methods: conversions, sizes, views, writes, fills."""

import numpy as np
from parity_samples import A, B, I, S, V


def _filled_within(lo, hi):
    def check(ours, theirs):
        assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)
        a = ours.detach().numpy()
        assert ((a >= lo) & (a < hi)).all(), a
    return check


SAMPLES = {
    "Tensor.bool": [S(A(3, domain="int")), S(I(3))],
    "Tensor.double": [S(A(3, dtype="float32")), S(I(3))],
    "Tensor.float": [S(A(3)), S(B(3))],
    "Tensor.half": [S(A(3), rtol=1e-3)],
    "Tensor.int": [S(A(3, domain="int")), S(A(4))],
    "Tensor.long": [S(A(3)), S(B(3))],
    "Tensor.item": [S(V(2.5)), S(V(np.array([3]))), S(A(2), raises=True)],
    "Tensor.tolist": [S(A(2, 3)), S(I(3)), S(V(1.5)), S(B(2))],
    "Tensor.size": [S(A(2, 3)), S(A(2, 3), 1), S(A(2, 3), -1), S(A(2), 2, raises=True)],
    "Tensor.dim": [S(A(2, 3)), S(V(1.0))],
    "Tensor.nelement": [S(A(2, 3))],
    "Tensor.element_size": [S(A(2)), S(A(2, dtype="float32")), S(I(2)), S(B(2))],
    "Tensor.stride": [S(A(2, 3)), S(A(2, 3, 4), 1)],
    "Tensor.is_contiguous": [S(A(2, 3))],
    "Tensor.contiguous": [S(A(2, 3))],
    "Tensor.cpu": [S(A(2, 3))],
    "Tensor.get_device": [S(A(2))],
    "Tensor.numpy": [S(A(2, 3, grad=False)), S(I(3)), S(A(2), raises=True)],
    "Tensor.expand": [S(A(3, 1), 3, 4), S(A(3, 1), (2, 3, 4)), S(A(3, 1), -1, 2),
                      S(A(3, 2), 3, 4, raises=True)],
    "Tensor.expand_as": [S(A(3, 1), A(2, 3, 4, grad=False))],
    "Tensor.view": [S(A(3, 4), 2, 6), S(A(3, 4), (-1,)), S(A(3, 4), 5, 2, raises=True),
                    S(A(3, 4), "dtype:int64"), S(A(3, 4), "dtype:int32"),
                    S(A(3, 4), "dtype:uint8"), S(A(3, 4, dtype="float32"), "dtype:float64"),
                    S(A(3, 4, dtype="float32"), "dtype:int16"), S(I(2, 3), "dtype:float64"),
                    S(I(2, 4, dtype="int32"), "dtype:int64"), S(B(2, 4), "dtype:uint8"),
                    S(A(3, 3, dtype="float32"), "dtype:float64", raises=True),
                    S(V(np.float32(1.5)), "dtype:int16", raises=True),
                    S(V(np.float32(1.5)), "dtype:int32")],
    "Tensor.view_as": [S(A(3, 4), A(6, 2, grad=False))],
    "Tensor.reshape_as": [S(A(3, 4), A(2, 6, grad=False))],
    "Tensor.repeat": [S(A(2, 3), 2, 1), S(A(3), (2, 2)), S(A(2, 3), 2, raises=True)],
    "Tensor.new_zeros": [S(A(2), (2, 3)), S(I(2), 3)],
    "Tensor.new_ones": [S(A(2), (2, 3)), S(I(2), 3, dtype="dtype:float64")],
    "Tensor.new_full": [S(A(2), (2, 3), 1.5), S(I(2), (2,), 7)],
    "Tensor.new_tensor": [S(A(2), [1.0, 2.0]), S(I(2), [1, 2])],
    "Tensor.new_empty": [S(A(2), (2, 3), check=lambda o, t: (tuple(o.shape), str(o.dtype)) ==
                           (tuple(t.shape), str(t.dtype)) or (_ for _ in ()).throw(
                               AssertionError((o.shape, o.dtype))))],
    "Tensor.to": [S(A(3), "dtype:float32"), S(I(3), dtype="dtype:float64"), S(A(3), "cpu"),
                  S(A(3), A(2, dtype="float32", grad=False))],
    "Tensor.type": [S(A(3)), S(A(3), "dtype:float32"), S(I(3), "dtype:float64"),
                    S(I(3), "torch.DoubleTensor"), S(A(3), "dtype:IntTensor"),
                    S(A(3), "torch.Foo", raises=True)],
    "Tensor.copy_": [S(A(3, 4), A(4)), S(A(3), I(3)), S(A(3), A(4), raises=True)],
    "Tensor.fill_": [S(A(3, 4), 1.5), S(I(3), 2), S(A(3), V(2.0))],
    "Tensor.zero_": [S(A(3, 4)), S(I(3))],
    "Tensor.uniform_": [S(A(3, 4), check=_filled_within(0, 1)),
                        S(A(3, 4), -2.0, -1.0, check=_filled_within(-2, -1))],
    "Tensor.random_": [S(A(3, 4), 5, check=_filled_within(0, 5)),
                       S(I(3, 4), 2, 4, check=_filled_within(2, 4))],
    "Tensor.bernoulli_": [S(A(3, 4), 0.5, check=_filled_within(0, 2))],
    "Tensor.addcmul_": [S(A(3, 4), A(4), A(3, 1), value=0.5), S(A(3), A(3), A(3))],
    "Tensor.addcdiv_": [S(A(3, 4), A(4), A(3, 1, domain="away0"), value=2.0),
                        S(A(3), A(3), A(3, domain="away0"))],
    "Tensor.mul_": [S(A(3, 4), A(4)), S(A(3), 2.5), S(I(3), A(3), raises=True)],
    "Tensor.div_": [S(A(3, 4), A(4, domain="away0")), S(A(3), 2.0), S(I(3), 2, raises=True)],
    "Tensor.requires_grad_": [S(A(3, grad=False)), S(A(3, grad=False), False),
                              S(I(3), raises=True)],
}
