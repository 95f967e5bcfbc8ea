"""autograd.Function: ctx.save_for_backward, saved_tensors, needs_input_grad, apply with one
and several outputs, non-tensor arguments, mark_non_differentiable, and double backward."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as an
from autograd_nn import autograd
from autograd_nn.autograd import gradcheck

torch = pytest.importorskip("torch")


def make_functions(m):
    """The same user Functions written against ``m`` (autograd_nn or torch)."""

    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class MulAdd(m.autograd.Function):
        """(a * b + c, scale) with a non-tensor argument and needs_input_grad."""

        @staticmethod
        def forward(ctx, a, b, scale, c):
            ctx.save_for_backward(a, b)
            ctx.scale = scale
            ctx.flags = tuple(ctx.needs_input_grad)
            return (a * b + c) * scale

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = g * b * ctx.scale if ctx.needs_input_grad[0] else None
            gb = g * a * ctx.scale if ctx.needs_input_grad[1] else None
            gc = g * ctx.scale if ctx.needs_input_grad[3] else None
            return ga, gb, None, gc

    class SinCos(m.autograd.Function):
        """Two outputs."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    class ArgmaxPair(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax(-1)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            ctx.shape = x.shape
            return x.amax(-1), idx

        @staticmethod
        def backward(ctx, g, _gi):
            (idx,) = ctx.saved_tensors
            out = m.zeros(ctx.shape, dtype=g.dtype)
            out[m.arange(ctx.shape[0]), idx] = g
            return out

    return Cube, MulAdd, SinCos, ArgmaxPair


def _both(x):
    x = np.asarray(x, dtype=np.float64)
    return an.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def test_single_output_matches_torch_and_double_backward():
    res = []
    for x, m in zip(_both([0.5, -1.5, 2.0]), (an, torch)):
        Cube = make_functions(m)[0]
        y = Cube.apply(x)
        assert y.grad_fn is not None and y.requires_grad
        g, = m.autograd.grad(y.sum(), x, create_graph=True)
        g2, = m.autograd.grad(g.sum(), x)  # backward written with differentiable ops
        res.append((y, g, g2))
    for a, b in zip(*res):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)


def test_multiple_inputs_nontensor_args_needs_input_grad():
    res = []
    for m in (an, torch):
        a = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        b = m.tensor([3.0, -1.0], dtype=m.float64)  # no grad
        c = m.tensor([0.5, 0.5], dtype=m.float64, requires_grad=True)
        MulAdd = make_functions(m)[1]
        y = MulAdd.apply(a * 1.0, b, 2.5, c)
        y.sum().backward()
        res.append((y.detach().numpy(), a.grad.numpy(), c.grad.numpy()))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y, rtol=1e-12)
    # needs_input_grad as PyTorch: one flag per forward argument
    a = an.tensor([1.0], requires_grad=True)
    ctxs = []

    class Spy(autograd.Function):
        @staticmethod
        def forward(ctx, p, q, k):
            ctxs.append(ctx)
            return p * q * k

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    Spy.apply(a, an.tensor([2.0]), 3)
    assert tuple(ctxs[0].needs_input_grad) == (True, False, False)


def test_two_outputs_and_used_one():
    for which in (0, 1, 2):
        res = []
        for x, m in zip(_both([0.3, 1.1]), (an, torch)):
            SinCos = make_functions(m)[2]
            s, c = SinCos.apply(x)
            loss = {0: s.sum(), 1: (c * 2).sum(), 2: (s * c).sum()}[which]
            loss.backward()
            res.append(x.grad.numpy())
        np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


def test_non_differentiable_output():
    res = []
    for x, m in zip(_both([[0.1, 0.9, 0.3], [2.0, -1.0, 0.5]]), (an, torch)):
        ArgmaxPair = make_functions(m)[3]
        v, i = ArgmaxPair.apply(x)
        assert not i.requires_grad
        (v * 3).sum().backward()
        res.append((i.numpy(), x.grad.numpy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1])


def test_function_gradcheck():
    Cube, MulAdd, SinCos, _ = make_functions(an)
    x = an.tensor(np.random.default_rng(0).standard_normal(4), requires_grad=True)
    y = an.tensor(np.random.default_rng(1).standard_normal(4), requires_grad=True)
    assert gradcheck(Cube.apply, [x])
    assert gradcheck(lambda p, q: MulAdd.apply(p, q, 0.7, p), [x, y])
    assert gradcheck(SinCos.apply, [x])


def test_no_grad_inputs_give_plain_output():
    Cube = make_functions(an)[0]
    y = Cube.apply(an.tensor([2.0]))
    assert not y.requires_grad and y.grad_fn is None and y.item() == 8.0
    with an.no_grad():
        assert not Cube.apply(an.tensor([2.0], requires_grad=True)).requires_grad


def test_none_gradient_into_shared_intermediate():
    """A Function returning None for a non-leaf input that also feeds another path: the
    other path's gradient must still reach the leaf."""

    class Drop(autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 1.0 + b

        @staticmethod
        def backward(ctx, g):
            return None, g

    x = an.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = Drop.apply(h, an.tensor([1.0, 1.0], requires_grad=True)) + h.exp()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([3.0, 6.0]), rtol=1e-6)


def test_saved_tensor_modified_in_place_raises():
    Cube = make_functions(an)[0]
    x = an.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_wrong_number_or_shape_of_grads_raises():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return an.ones(5)

    with pytest.raises(RuntimeError, match="BadBackward returned an invalid gradient at index 0"):
        Bad.apply(an.tensor([1.0, 2.0], requires_grad=True)).sum().backward()


def make_more(m):
    """Functions exercising the rest of ctx's API, written against ``m``."""

    class TwoOutNoMaterialize(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):  # the unused output's gradient arrives as None
            assert g2 is None
            return g1 * 2

    class TwoOutMaterialize(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):  # ... or as zeros by default
            assert g2 is not None and not g2.detach().numpy().any()
            return g1 * 2 + g2 * 3

    class DoubleInPlace(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class WithPlainOutput(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale=2.0):
            ctx.scale = scale
            return x * scale, 5

        @staticmethod
        def backward(ctx, g, _none):
            return g * ctx.scale, None

    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 7

    return TwoOutNoMaterialize, TwoOutMaterialize, DoubleInPlace, WithPlainOutput, Identity


def test_ctx_api_matches_torch():
    """set_materialize_grads, mark_dirty, a non-tensor output beside a tensor one, keyword
    arguments, a forward returning its input: gradients as PyTorch."""
    res = []
    for x, m in zip(_both([1.0, -2.0]), (an, torch)):
        no_mat, mat, dirty, plain, ident = make_more(m)
        w = m.tensor([1.0, 0.5], dtype=m.float64)
        ys = [no_mat.apply(x)[0], mat.apply(x)[0], dirty.apply(x * 1.0),
              plain.apply(x, scale=3.0)[0], ident.apply(x)]
        assert all(y is not x for y in ys) and plain.apply(x, scale=3.0)[1] == 5
        res.append([m.autograd.grad((y * w).sum(), x)[0].numpy() for y in ys])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_mark_dirty_on_leaf_raises_like_torch():
    for x, m in zip(_both([1.0, 2.0]), (an, torch)):
        dirty = make_more(m)[2]
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used "
                                               "in an in-place operation"):
            dirty.apply(x)


def test_grad_fn_name_tensor_hook_and_one_node_op_per_function():
    """The grad_fn is named "<Function>Backward" as in PyTorch, a hook on the output sees and
    replaces its gradient; every call of one Function records nodes of the same engine op
    (made once, when the class is defined)."""
    res = []
    for x, m in zip(_both([0.5, -1.5, 2.0]), (an, torch)):
        Cube = make_functions(m)[0]
        y = Cube.apply(x)
        seen = []
        y.register_hook(lambda g, seen=seen: seen.append(g.detach().clone()) or g * 2)
        y.sum().backward()
        res.append((y.grad_fn.name(), seen[0].numpy(), x.grad.numpy()))
    assert res[0][0] == res[1][0] == "CubeBackward"
    for a, b in zip(res[0][1:], res[1][1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    Cube, _, SinCos, _ = make_functions(an)
    x = an.tensor([1.0], requires_grad=True)
    assert Cube.apply(x).grad_fn.op is Cube.apply(x).grad_fn.op
    s, c = SinCos.apply(x)
    assert s.grad_fn.op is c.grad_fn.op is not Cube.apply(x).grad_fn.op
    assert s.grad_fn.name() == "SinCosBackward"
