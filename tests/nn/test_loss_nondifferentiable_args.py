"""Loss arguments PyTorch's derivative table marks non-differentiable (soft_margin_loss's
target, the class weights of nll_loss / cross_entropy with class indices, multi_margin_loss and
binary_cross_entropy(_with_logits)): requiring grad raises PyTorch's error, word for word, while
grad mode is on; under no_grad the loss is computed. Oracle: PyTorch 2.13 itself."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X = RNG.uniform(-2, 2, (4, 5))
X3 = RNG.uniform(-2, 2, (2, 5, 3))
Y = np.array([0, 4, 2, 1])
Y3 = np.array([[0, 4, 2], [1, 1, 3]])
W = RNG.uniform(0.5, 2, 5)
P = RNG.uniform(0.1, 0.9, (4, 5))


def _t(lib, a, grad=False):
    return lib.tensor(a, requires_grad=grad)


# (name, call(lib, F, grad)): ``grad`` marks the non-differentiable argument
CASES = {
    "soft_margin_loss": lambda L, F, g: F.soft_margin_loss(_t(L, X, True), _t(L, np.sign(X), g)),
    "soft_margin_loss input plain": lambda L, F, g: F.soft_margin_loss(_t(L, X),
                                                                       _t(L, np.sign(X), g)),
    "nll_loss": lambda L, F, g: F.nll_loss(_t(L, X, True), _t(L, Y), weight=_t(L, W, g)),
    "nll_loss 3-d": lambda L, F, g: F.nll_loss(_t(L, X3, True), _t(L, Y3), weight=_t(L, W, g)),
    "cross_entropy": lambda L, F, g: F.cross_entropy(_t(L, X, True), _t(L, Y),
                                                     weight=_t(L, W, g)),
    "multi_margin_loss": lambda L, F, g: F.multi_margin_loss(_t(L, X, True), _t(L, Y),
                                                             weight=_t(L, W, g)),
    "binary_cross_entropy": lambda L, F, g: F.binary_cross_entropy(
        _t(L, P, True), _t(L, P[::-1].copy()), weight=_t(L, W, g)),
    "binary_cross_entropy_with_logits": lambda L, F, g: F.binary_cross_entropy_with_logits(
        _t(L, X, True), _t(L, P), pos_weight=_t(L, W, g)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_requires_grad_raises_pytorchs_error(case: str) -> None:
    call = CASES[case]
    with pytest.raises(RuntimeError) as theirs:
        call(torch, torch.nn.functional, True)
    with pytest.raises(RuntimeError) as ours:
        call(ag, ag.nn.functional, True)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("case", sorted(CASES))
def test_computed_under_no_grad_and_without_grad(case: str) -> None:
    call = CASES[case]
    for grad in (True, False):
        with torch.no_grad(), ag.no_grad():
            theirs = call(torch, torch.nn.functional, grad)
            ours = call(ag, ag.nn.functional, grad)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert call(ag, ag.nn.functional, False).requires_grad == \
        call(torch, torch.nn.functional, False).requires_grad
