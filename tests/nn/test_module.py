"""nn.Module API, containers and Linear, checked against PyTorch."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd_nn as at
from autograd_nn import nn
from autograd_nn.nn.modules.module import module_path

torch = pytest.importorskip("torch")


def _copy_params(src: torch.nn.Module, dst: nn.Module) -> None:
    """Copy torch module weights into ours (same names)."""
    sd = {k: at.tensor(v.detach().numpy().copy()) for k, v in src.state_dict().items()}
    dst.load_state_dict(sd)


def test_linear_matches_torch_forward_and_grads_float64():
    tm = torch.nn.Linear(5, 3).double()
    m = nn.Linear(5, 3).double()
    _copy_params(tm, m)
    x = np.random.default_rng(0).standard_normal((4, 2, 5))
    tx = torch.tensor(x, requires_grad=True)
    ax = at.tensor(x, requires_grad=True)
    ty, ay = tm(tx), m(ax)
    np.testing.assert_allclose(ay.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    (ty ** 2).sum().backward()
    (ay ** 2).sum().backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(m.bias.grad.numpy(), tm.bias.grad.numpy(), rtol=1e-10)


def test_registration_order_state_dict_and_repr_match_torch():
    def build(lib):
        return lib.nn.Sequential(OrderedDict([
            ("fc", lib.nn.Linear(4, 3)),
            ("blocks", lib.nn.ModuleList([lib.nn.Linear(3, 3) for _ in range(2)])),
            ("out", lib.nn.Linear(3, 1, bias=False)),
        ]))

    tm, m = build(torch), build(at)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in m.named_modules()] == [n for n, _ in tm.named_modules()]
    assert module_path(m.blocks[1]) == "blocks.1"
    assert module_path(m) == ""


def test_load_state_dict_errors_and_round_trip():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    np.testing.assert_array_equal(b.weight.detach().numpy(), a.weight.detach().numpy())
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: .*\[2, 3\].*\[4, 3\]"):
        nn.Linear(3, 4).load_state_dict(a.state_dict())
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        nn.Linear(3, 2).load_state_dict({"weight": a.weight.detach()})
    c = copy.deepcopy(a)
    assert c.weight is not a.weight and isinstance(c.weight, nn.Parameter)
    np.testing.assert_array_equal(c.weight.detach().numpy(), a.weight.detach().numpy())


# ------------------------------------------------------------------------ module behaviours
def _net(lib):
    """The same architecture built with either library."""
    n = lib.nn

    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("steps", lib.zeros(1, dtype=lib.int64))
            self.scale = n.Parameter(lib.ones(3))
            self.register_buffer("cache", lib.zeros(3), persistent=False)
            self.fc = n.Linear(3, 3)
            self.act = n.GELU(approximate="tanh")

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.embed = n.Linear(4, 3)
            self.blocks = n.ModuleList([Block() for _ in range(3)])
            self.heads = n.ModuleDict({"cls": n.Linear(3, 2), "reg": n.Sequential(
                n.Linear(3, 3), n.ReLU(), n.Dropout(0.1), n.Linear(3, 1, bias=False))})
            self.extra = n.ParameterList([n.Parameter(lib.zeros(2, 3))])
            self.shared = self.embed  # the same module twice: deduplicated

        def forward(self, x):
            h = self.embed(x)
            for b in self.blocks:
                h = b(h)
            return self.heads["cls"](h), self.heads["reg"](h)

    return Net()


def test_nested_structure_matches_torch():
    m, tm = _net(at), _net(torch)
    assert repr(m) == repr(tm)
    for meth in ("named_parameters", "named_buffers", "named_modules"):
        assert [k for k, _ in getattr(m, meth)()] == [k for k, _ in getattr(tm, meth)()], meth
    assert [k for k, _ in m.named_parameters(remove_duplicate=False)] == \
        [k for k, _ in tm.named_parameters(remove_duplicate=False)]
    assert [k for k, _ in m.named_parameters(prefix="p", recurse=False)] == \
        [k for k, _ in tm.named_parameters(prefix="p", recurse=False)]
    assert [k for k, _ in m.named_children()] == [k for k, _ in tm.named_children()]
    assert list(m.state_dict()) == list(tm.state_dict())  # non-persistent buffer left out
    assert len(list(m.parameters())) == len(list(tm.parameters()))
    assert len(list(m.modules())) == len(list(tm.modules()))
    visited, tvisited = [], []
    m.apply(lambda mod: visited.append(type(mod).__name__))
    tm.apply(lambda mod: tvisited.append(type(mod).__name__))
    assert visited == tvisited
    assert module_path(m.heads["reg"][3]) == "heads.reg.3"
    assert module_path(m.blocks[2].act) == "blocks.2.act"


def test_forward_equal_to_torch_after_state_dict_transfer():
    m, tm = _net(at).double(), _net(torch).double()
    m.load_state_dict({k: at.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    m.eval()
    tm.eval()
    x = np.random.default_rng(1).standard_normal((5, 4))
    for a, t in zip(m(at.tensor(x)), tm(torch.tensor(x))):
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10)


def test_state_dict_values_detached_and_sharing_memory():
    m = _net(at)
    sd = m.state_dict()
    w = sd["embed.weight"]
    assert not w.requires_grad and w.grad_fn is None and type(w) is at.Tensor
    w.numpy()[0, 0] = 42.0  # same memory as the parameter, as in PyTorch
    assert m.embed.weight.detach().numpy()[0, 0] == 42.0
    kv = m.state_dict(keep_vars=True)
    assert kv["embed.weight"] is m.embed.weight


def test_load_state_dict_non_strict_and_messages():
    m = _net(at)
    sd = m.state_dict()
    del sd["embed.bias"]
    sd["bogus.weight"] = at.zeros(1)
    res = m.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["embed.bias"] and res.unexpected_keys == ["bogus.weight"]
    with pytest.raises(RuntimeError) as ei:
        m.load_state_dict(sd)
    msg = str(ei.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "embed.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "bogus.weight".' in msg
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_and_casts():
    m = nn.Linear(3, 2)
    w = m.weight
    src = {"weight": at.ones(2, 3, dtype=at.float64), "bias": at.zeros(2, dtype=at.float64)}
    m.load_state_dict(src)
    assert m.weight is w and m.weight.dtype == at.float32
    assert (m.weight.detach().numpy() == 1).all()
    src["weight"].numpy()[0, 0] = 5.0  # a copy, not an alias
    assert m.weight.detach().numpy()[0, 0] == 1.0
    m.load_state_dict({"weight": at.full((2, 3), 3.0), "bias": at.zeros(2)}, assign=True)
    assert m.weight is not w and isinstance(m.weight, nn.Parameter)


def test_hooks_order_modify_and_remove():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    h3 = m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    y = m(at.randn(3, 2))
    assert calls == ["pre", "first", "post"]
    np.testing.assert_allclose(y.detach().numpy(), (m.bias.detach().numpy() + 1)[None].repeat(3, 0),
                               rtol=1e-6)
    for h in (h1, h2, h3):
        h.remove()
    x = at.randn(3, 2)
    np.testing.assert_allclose(m(x).detach().numpy(), AF_linear(x, m).detach().numpy())
    assert len(calls) == 3
    seen = {}

    def kw_hook(mod, args, kwargs):
        seen.update(kwargs)
        return args, kwargs

    m.register_forward_pre_hook(kw_hook, with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.setdefault("out", out),
                            with_kwargs=True)
    out = m(x)
    assert seen["out"] is out


def AF_linear(x, m):  # noqa: N802 - helper
    return nn.functional.linear(x, m.weight, m.bias)


def test_scope_is_the_running_module():
    from autograd_nn.autograd import engine

    m = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    y = m(at.randn(4, 2, requires_grad=True))
    assert y.grad_fn.scope is m[1]
    assert y.grad_fn.next_functions[0][0].scope is m[0]
    assert engine.current_scope() is None  # restored after the call, also on error
    bad = nn.Linear(3, 3)
    with pytest.raises(RuntimeError):
        bad(at.randn(2, 2))
    assert engine.current_scope() is None


def test_train_eval_zero_grad_requires_grad():
    m, tm = _net(at), _net(torch)
    m.eval()
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train("yes")
    out = m(at.randn(2, 4))
    (out[0].sum() + out[1].sum()).backward()
    assert m.embed.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert (m.embed.weight.grad.numpy() == 0).all()
    m.zero_grad()
    assert m.embed.weight.grad is None
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    del tm


def test_to_dtype_keeps_identity_and_integer_buffers():
    m = _net(at)
    w = m.embed.weight
    out = m.to(at.float64)
    assert out is m and m.embed.weight is w and w.dtype == at.float64
    assert m.blocks[0].steps.dtype == at.int64 and m.blocks[0].cache.dtype == at.float64
    assert m.float().embed.weight.dtype == at.float32
    assert m.to("cpu") is m and m.to(at.device("cpu"), dtype=at.float64) is m
    assert m.embed.weight.dtype == at.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        m.to(at.int32)


def test_registration_errors_and_attribute_protocol():
    m = nn.Module()
    m.w = nn.Parameter(at.zeros(2))
    with pytest.raises(TypeError, match="cannot assign 'torch.Tensor' as parameter 'w'"):
        m.w = at.zeros(2)
    m.w = None
    assert "w" in m._parameters and m.w is None
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_buffer("training", at.zeros(1))
    with pytest.raises(KeyError, match='contain ".", got: a.b'):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="cannot assign 'torch.Tensor' object to parameter"):
        m.register_parameter("q", at.zeros(1))
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter"):
        m.register_parameter("q", _non_leaf_parameter())
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        _ = m.nope
    m.sub = nn.Linear(1, 1)
    assert "sub" in dir(m) and "w" in dir(m)
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(AttributeError, match="cannot assign module before Module.__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.x = nn.Linear(1, 1)
        Bad()
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def _non_leaf_parameter():
    p = nn.Parameter(at.zeros(1))
    q = p * 2
    q.__class__ = nn.Parameter  # a Parameter-typed tensor with history
    return q


def test_parameter_semantics_and_repr():
    data = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    p, tp = nn.Parameter(at.tensor(data)), torch.nn.Parameter(torch.tensor(data))
    assert repr(p) == repr(tp)
    assert p.requires_grad and p.is_leaf and isinstance(p, at.Tensor)
    assert type(p * 2) is at.Tensor
    assert nn.Parameter().shape == (0,)
    assert not nn.Parameter(at.zeros(2), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        nn.Parameter(at.zeros(2, dtype=at.int64))
    t = at.zeros(3)
    q = nn.Parameter(t)
    q.detach().numpy()[0] = 1.0
    assert t.numpy()[0] == 1.0  # shares memory with its data


def test_containers_behave_like_torch():
    def ops(lib):
        n = lib.nn
        s = n.Sequential(n.Linear(2, 2), n.ReLU())
        s.append(n.Tanh())
        s.insert(1, n.Sigmoid())
        s.extend([n.Identity()])
        del s[0]
        sl = s[1:3]
        ml = n.ModuleList([n.ReLU()])
        ml += [n.Tanh(), n.Tanh()]
        ml.insert(0, n.Sigmoid())
        ml.append(n.ReLU())
        popped = ml.pop(1)
        md = n.ModuleDict({"b": n.ReLU(), "a": n.Tanh()})
        md["c"] = n.Sigmoid()
        md.pop("b")
        pl = n.ParameterList([n.Parameter(lib.zeros(2)), lib.ones(3)])
        pl.append(n.Parameter(lib.zeros(1)))
        pd = n.ParameterDict({"y": n.Parameter(lib.zeros(2)), "x": lib.ones(1)})
        pd["z"] = n.Parameter(lib.zeros(3))
        return [repr(s), repr(sl), len(s), repr(s[-1]), repr(ml), repr(popped), len(ml),
                repr(md), list(md.keys()), repr(pl), [k for k, _ in pl.named_parameters()],
                [k for k, _ in pd.named_parameters()], list(pd.keys()), len(pd),
                [type(p).__name__ for p in pl]]

    ours = [str(o).replace("autograd_nn.", "torch.") for o in ops(at)]
    theirs = [str(o) for o in ops(torch)]
    assert ours == theirs


def test_sequential_forward_ordereddict_and_errors():
    s = nn.Sequential(OrderedDict([("a", nn.Linear(3, 4)), ("act", nn.ReLU())]))
    x = at.randn(2, 3)
    np.testing.assert_allclose(s(x).detach().numpy(),
                               s.act(s.a(x)).detach().numpy())
    assert s[0] is s.a and s[-1] is s.act
    with pytest.raises(IndexError, match="index 2 is out of range"):
        s[2]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        nn.ParameterList()(x)


def test_deepcopy_and_pickle_round_trip():
    import pickle

    inner = nn.Sequential(nn.Linear(4, 3), nn.GELU())
    m = nn.Sequential(OrderedDict([("enc", inner), ("mid", nn.Sequential(nn.Linear(3, 4))),
                                   ("again", inner)]))
    m.register_buffer("count", at.zeros(1, dtype=at.int64))
    for c in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert c.enc[0].weight is not m.enc[0].weight
        assert c.again is c.enc  # sharing preserved
        assert isinstance(c.enc[0].weight, nn.Parameter) and c.enc[0].weight.requires_grad
        for (k, a), (_, b) in zip(c.state_dict().items(), m.state_dict().items()):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
        assert module_path(c.mid[0]) == "mid.0"
        x = at.randn(2, 4)
        np.testing.assert_allclose(c(x).detach().numpy(), m(x).detach().numpy())
    sub = copy.deepcopy(m.mid)
    assert module_path(sub[0]) == "0"  # a copied subtree is its own root


# ------------------------------------------------------------------------------ audit gaps
def _custom_repr_net(lib):
    class Leaf(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.nn.Linear(2, 2)
            self.k = 3

        def extra_repr(self):
            return f"k={self.k},\nsecond line"

    class Top(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = Leaf()
            self.l = lib.nn.ModuleList([Leaf(), lib.nn.ReLU()])
            self.bn = lib.nn.BatchNorm1d(3)

        def extra_repr(self):
            return "top"

    return Top()


def test_multiline_extra_repr_children_buffers_like_torch():
    m, tm = _custom_repr_net(at), _custom_repr_net(torch)
    assert repr(m) == repr(tm)
    assert [type(c).__name__ for c in m.children()] == [type(c).__name__ for c in tm.children()]
    assert [(k, tuple(b.shape)) for k, b in m.named_buffers()] == \
        [(k, tuple(b.shape)) for k, b in tm.named_buffers()]
    assert list(m.state_dict(prefix="p.")) == list(tm.state_dict(prefix="p."))
    assert m.get_submodule("l.0.a") is m.l[0].a and m.get_parameter("l.0.a.bias") is m.l[0].a.bias
    for net in (m, tm):
        net.register_buffer("none_buf", None)  # registered, but absent from the state dict
        assert "none_buf" not in net.state_dict() and net.none_buf is None
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential()) == "Sequential()"


def test_to_dtype_converts_grads_and_keeps_integer_buffers_like_torch():
    m, tm = _custom_repr_net(at), _custom_repr_net(torch)
    m.m.a(at.randn(4, 2)).sum().backward()
    tm.m.a(torch.randn(4, 2)).sum().backward()
    m.double()
    tm.double()
    assert m.m.a.weight.grad.dtype == at.float64 and tm.m.a.weight.grad.dtype == torch.float64
    for (k, v), (_, tv) in zip(m.state_dict().items(), tm.state_dict().items(), strict=True):
        assert str(v.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], k
    m.float()
    assert m.m.a.weight.grad.dtype == at.float32 and m.bn.num_batches_tracked.dtype == at.int64


def test_size_mismatch_raises_even_when_not_strict():
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with shape "
                                           r"torch.Size\(\[2, 3\]\) from checkpoint, the "
                                           r"shape in current model is torch.Size\(\[4, 3\]"):
        nn.Linear(3, 4).load_state_dict(nn.Linear(3, 2).state_dict(), strict=False)


def test_state_dict_without_num_batches_tracked_loads_like_torch():
    """A plain dict (no version metadata: a safetensors file, an older checkpoint) without
    BatchNorm's num_batches_tracked loads strictly in PyTorch: the buffer keeps its value."""
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))

    m, tm = build(at), build(torch)
    tm.train()(torch.randn(4, 3))  # num_batches_tracked = 1, running stats move
    m.train()(at.randn(4, 3))
    src = {k: v.detach().numpy().copy() for k, v in tm.state_dict().items()
           if not k.endswith("num_batches_tracked")}
    res_t = tm.load_state_dict({k: torch.tensor(v) for k, v in src.items()})
    res_a = m.load_state_dict({k: at.tensor(v) for k, v in src.items()})
    assert res_a.missing_keys == res_t.missing_keys == []
    assert m[1].num_batches_tracked.item() == tm[1].num_batches_tracked.item() == 1
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k].numpy(), v.numpy(), err_msg=k)
