"""Lazy modules against PyTorch 2.13: the class they become, their repr, state-dict keys and
shapes after the first input, forward equality given the same weights; construction draws no
random numbers, materialised parameters are initialised exactly as the eager module's (same
draws), and an optimizer created before the first forward trains them."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")
R = np.random.default_rng(0)

CASES = [
    ("LazyLinear", (3,), {}, (4, 5)),
    ("LazyLinear", (2,), dict(bias=False), (2, 3, 6)),
    ("LazyConv1d", (4, 3), {}, (2, 3, 8)),
    ("LazyConv2d", (4, 3), dict(stride=2, padding=1), (2, 2, 7, 7)),
    ("LazyConv2d", (4, 3), dict(groups=2, bias=False), (1, 6, 5, 5)),
    ("LazyConv3d", (2, 2), {}, (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), dict(groups=2), (1, 6, 5)),
    ("LazyConvTranspose2d", (3, 3), dict(stride=2, output_padding=1), (2, 2, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm2d", (), dict(momentum=0.2), (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), dict(affine=False), (2, 2, 3, 3, 3)),
    ("LazyInstanceNorm1d", (), dict(affine=True, track_running_stats=True), (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {}, (2, 3, 4, 4)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES)
def test_lazy_module_becomes_the_eager_one_like_torch(name, args, kwargs, shape):
    state = ag.random.get_rng_state()
    m = getattr(ag.nn, name)(*args, **kwargs)
    assert ag.random.get_rng_state().equal(state)  # construction draws nothing
    tm = getattr(torch.nn, name)(*args, **kwargs)
    if "Norm" not in name:
        assert repr(m) == repr(tm)
    assert m.has_uninitialized_params() == tm.has_uninitialized_params()
    x = R.standard_normal(shape)
    out = m(ag.tensor(x, dtype=ag.float32))
    tout = tm(torch.tensor(x, dtype=torch.float32))
    assert type(m).__name__ == type(tm).__name__ and not hasattr(m, "_lazy_hook")
    sd, tsd = m.state_dict(), tm.state_dict()
    assert list(sd) == list(tsd)
    assert [tuple(v.shape) for v in sd.values()] == [tuple(v.shape) for v in tsd.values()]
    assert tuple(out.shape) == tuple(tout.shape)
    if "Norm" not in name:
        assert repr(m) == repr(tm)
    m2 = getattr(ag.nn, name)(*args, **kwargs)
    m2(ag.tensor(x, dtype=ag.float32))
    m2.load_state_dict({k: ag.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tm.train()
    np.testing.assert_allclose(m2(ag.tensor(x, dtype=ag.float32)).detach().numpy(),
                               tm(torch.tensor(x, dtype=torch.float32)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_materialised_init_equals_the_eager_modules():
    x = ag.randn(2, 5)
    ag.manual_seed(3)
    lazy = ag.nn.LazyLinear(3)
    lazy(x)
    ag.manual_seed(3)
    eager = ag.nn.Linear(5, 3)
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), eager.weight.detach().numpy())
    np.testing.assert_array_equal(lazy.bias.detach().numpy(), eager.bias.detach().numpy())
    x = ag.randn(1, 2, 6, 6)
    ag.manual_seed(4)
    lazy = ag.nn.LazyConv2d(3, 3)
    lazy(x)
    ag.manual_seed(4)
    eager = ag.nn.Conv2d(2, 3, 3)
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), eager.weight.detach().numpy())


def test_optimizer_created_before_the_first_forward_trains_the_parameters():
    m = ag.nn.Sequential(ag.nn.LazyLinear(4), ag.nn.Tanh(), ag.nn.LazyLinear(1))
    opt = ag.optim.SGD(m.parameters(), lr=0.1)
    x, y = ag.randn(8, 3), ag.randn(8, 1)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert [type(p).__name__ for p in m.parameters()] == ["Parameter"] * 4


def test_uninitialized_parameter_and_errors():
    p = ag.nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and isinstance(p, ag.nn.Parameter)
    p.materialize((2, 3))
    assert type(p) is ag.nn.Parameter and tuple(p.shape) == (2, 3)
    b = ag.nn.UninitializedBuffer()
    b.materialize((4,))
    assert type(b) is ag.Tensor and tuple(b.shape) == (4,)
    m = ag.nn.LazyConv2d(4, 3, groups=2)
    with pytest.raises(ValueError, match="divisible by groups"):
        m(ag.randn(1, 3, 5, 5))
