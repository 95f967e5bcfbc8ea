"""The backward pass: backward()/grad() options, accumulation, errors, grad modes, hooks,
retain_grad, higher derivatives, deep graphs and freeing."""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np
import pytest

import autograd_nn as an
from autograd_nn import autograd

torch = pytest.importorskip("torch")


def both(x, **kw):
    x = np.asarray(x, dtype=np.float64)
    return an.tensor(x, requires_grad=True, **kw), torch.tensor(x, requires_grad=True, **kw)


def close(a, b, tol=1e-12):
    a = a.detach().numpy() if hasattr(a, "detach") else a
    b = b.detach().numpy() if hasattr(b, "detach") else b
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# ------------------------------------------------------------------------------ backward()


def test_backward_gradient_argument_and_accumulation():
    xs = both([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    g = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    for x, m in zip(xs, (an, torch)):
        y = x.sin() * x
        y.backward(m.tensor(g))
        y2 = (x * x).sum()
        y2.backward()  # accumulates into .grad
    close(xs[0].grad, xs[1].grad)


def test_backward_nonscalar_without_gradient_raises():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(an.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="does not require grad"):
        an.tensor([1.0]).sum().backward()


def test_second_backward_through_freed_graph_raises():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # retained: works, accumulates
    np.testing.assert_allclose(x.grad.numpy(), 2 * (np.exp([1.0, 2.0]) * [2.0, 3.0]),
                               rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    z = x * 3
    w = z.sum()
    autograd.grad(w, x)
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        autograd.grad(w, x)


def test_backward_inputs_argument():
    a, b = an.tensor([1.0], requires_grad=True), an.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_grad_of_unreached_leaf_stays_none():
    a, b = an.tensor([1.0], requires_grad=True), an.tensor([2.0], requires_grad=True)
    (a * 2).sum().backward()
    assert b.grad is None and a.grad.item() == 2.0


def test_shared_subexpression_and_diamond():
    xs = both([0.3, -1.2, 2.0])
    outs = []
    for x in xs:
        h = x.tanh()
        a, b = h * 2, h.exp()
        (a * b + h).sum().backward()
        outs.append(x.grad)
    close(*outs)


# ------------------------------------------------------------------------------ autograd.grad


def test_grad_options_match_torch():
    xs, ys = both([1.0, 2.0, 3.0]), both([0.5, -1.0, 2.0])
    res = []
    for x, y, m in ((xs[0], ys[0], an), (xs[1], ys[1], torch)):
        z = x * y.exp() + x ** 2
        go = m.tensor([1.0, -2.0, 0.5], dtype=m.float64)
        gx, gy = m.autograd.grad(z, [x, y], grad_outputs=go, retain_graph=True)
        gx2, = m.autograd.grad(z.sum(), x)
        assert x.grad is None and y.grad is None  # grad() never writes .grad
        res.append((gx, gy, gx2))
    for a, b in zip(*res):
        close(a, b)


def test_grad_allow_unused():
    x, unused = an.tensor([1.0], requires_grad=True), an.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2.0
    gx, gu = autograd.grad((x * 2).sum(), [x, unused], materialize_grads=True)
    assert gu.tolist() == [0.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * 2).sum(), an.tensor([1.0]))


def test_grad_wrt_intermediate():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h ** 2).sum()
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_array_equal(gh.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(gx.numpy(), [18.0, 36.0])


def test_create_graph_higher_order_matches_torch():
    """Third derivatives of a few ops, and grad of a grad-norm penalty."""
    fns = [lambda x: x.sin() * x ** 3, lambda x: x.tanh(), lambda x: x.sigmoid() * x.exp(),
           lambda x: (x.softmax(0) * x).log1p() if False else x.log_softmax(0) * x,
           lambda x: x.sqrt() / (1 + x)]
    for fn in fns:
        xs = both([0.3, 1.2, 2.0])
        res = []
        for x, m in zip(xs, (an, torch)):
            y = fn(x).sum()
            g1, = m.autograd.grad(y, x, create_graph=True)
            g2, = m.autograd.grad(g1.sum(), x, create_graph=True)
            g3, = m.autograd.grad(g2.sum(), x)
            res.append((g1, g2, g3))
        for a, b in zip(*res):
            close(a, b, 1e-10)
    # gradient penalty: d/dw of |dL/dx|^2
    xs, ws = both([[0.5, -1.0], [2.0, 0.3]]), both([[1.0, 0.5], [-0.5, 2.0]])
    out = []
    for x, w, m in ((xs[0], ws[0], an), (xs[1], ws[1], torch)):
        loss = ((x @ w).tanh() ** 2).sum()
        gx, = m.autograd.grad(loss, x, create_graph=True)
        (gx ** 2).sum().backward()
        out.append((w.grad, x.grad))
    for a, b in zip(*out):
        close(a, b, 1e-10)


def test_backward_create_graph_accumulates_differentiable_grad():
    x = an.tensor([1.5], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    g2, = autograd.grad(g.sum(), x)
    assert abs(g2.item() - 6 * 1.5) < 1e-6


# ---------------------------------------------------------------------------- grad modes


def test_no_grad_enable_grad_set_grad_enabled():
    x = an.tensor([1.0], requires_grad=True)
    with an.no_grad():
        y = x * 2
        assert not an.is_grad_enabled()
        with an.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad
    assert an.is_grad_enabled()

    @an.no_grad()
    def f(t):
        return t * 2

    @an.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with an.no_grad():
        assert g(x).requires_grad
    with an.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert an.is_grad_enabled()
    an.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        an.set_grad_enabled(True)
    with pytest.raises(ValueError):
        with an.no_grad():
            raise ValueError
    assert an.is_grad_enabled()  # restored after an exception


def test_detach_and_requires_grad_():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    d2 = x.detach()
    d2[0] = 5.0  # shares memory, as PyTorch
    assert x[0].item() == 5.0
    y = an.tensor([1.0]).requires_grad_()
    assert y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        (x * 2).requires_grad_(False)
    z = x * 2
    assert not z.is_leaf and z.grad_fn is not None
    assert z.grad_fn.name() == "MulBackward0"
    assert x.detach_() is x and not x.requires_grad


# --------------------------------------------------------------------------------- hooks


def test_hooks_and_retain_grad_match_torch():
    seen = {an: [], torch: []}
    grads = []
    for x, m in zip(both([1.0, -2.0, 3.0]), (an, torch)):
        h = x * 2
        h.retain_grad()
        used_twice = h.sin()
        used_twice.register_hook(lambda g, m=m: seen[m].append(g.detach().numpy().copy()))
        out = (used_twice * 3 + used_twice ** 2).sum()
        handle = x.register_hook(lambda g: g * 10)  # replaces the leaf's grad
        out.backward()
        grads.append((x.grad, h.grad))
        handle.remove()
    for a, b in zip(*grads):
        close(a, b)
    assert len(seen[an]) == len(seen[torch]) == 1  # used twice: one call, on the sum
    close(seen[an][0], seen[torch][0])


def test_removed_hook_is_not_called():
    x = an.tensor([1.0], requires_grad=True)
    calls = []
    h = x.register_hook(lambda g: calls.append(1))
    h.remove()
    (x * 2).sum().backward()
    assert calls == [] and x.grad.item() == 2.0
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        an.tensor([1.0]).register_hook(lambda g: g)


def test_hook_on_intermediate_changes_upstream():
    x = an.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 0 + 1)
    (h ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_retain_grad_errors_and_flag():
    x = an.tensor([1.0], requires_grad=True)
    h = x * 2
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad
    with pytest.raises(RuntimeError, match="retain_grad on Tensor that has requires_grad=False"):
        an.tensor([1.0]).retain_grad()


# ------------------------------------------------------------------ deep graphs and freeing


def test_chain_of_100k_ops():
    x = an.tensor([1.0], dtype=an.float64, requires_grad=True)
    y = x
    t0 = time.perf_counter()
    for _ in range(100_000):
        y = y + 1e-6
    y = y * 2
    y.sum().backward()
    elapsed = time.perf_counter() - t0
    assert x.grad.item() == 2.0
    assert abs(y.item() - 2 * (1.0 + 0.1)) < 1e-5
    assert elapsed < 20, elapsed


def test_graph_freed_after_backward():
    x = an.tensor(np.ones(1000), requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h._data)  # Exp saves its output: held by the graph
    y = (h * 2).sum()
    del h
    gc.collect()
    assert ref() is not None  # the graph still holds it
    y.backward()
    gc.collect()
    assert ref() is None  # released by backward


def test_graph_released_when_output_dropped():
    x = an.tensor(np.ones(100), requires_grad=True)
    y = (x.sin() * x).sum()
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_next_functions_structure():
    a, b = both([1.0])
    for x in (a, b):
        y = (x * 2).exp()
        nf = y.grad_fn.next_functions
        assert len(nf) == 1
        mul = nf[0][0]
        leafs = [n for n, _ in mul.next_functions if n is not None]
        assert leafs[0].name() == "AccumulateGrad" or "AccumulateGrad" in type(leafs[0]).__name__
