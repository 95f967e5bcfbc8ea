"""The non-core compatibility surface a CPU training script touches: ``cuda`` / ``amp`` /
``distributed`` / ``nn.parallel`` / ``backends`` stand-ins, the profiler, ``torch.functional``,
legacy typed constructors, ``set_default_device``, ``bfloat16``, lazy samplers. Oracle: PyTorch
2.13 on the CPU (which has no GPU either), or hand-derived values."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import autograd_nn as ag

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


# --- cuda / amp ------------------------------------------------------------------------------

def test_cuda_queries_match_torch_without_gpu():
    assert ag.cuda.is_available() is torch.cuda.is_available() is False
    assert ag.cuda.device_count() == torch.cuda.device_count() == 0
    ag.cuda.manual_seed(0), ag.cuda.manual_seed_all(0), ag.cuda.synchronize()
    ag.cuda.empty_cache()
    with pytest.raises(NotImplementedError, match="current_device"):
        ag.cuda.current_device()


def _train(lib, scaler, init, steps=4, make_inf_at=None):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    model.load_state_dict({k: lib.tensor(v) for k, v in init.items()})
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    scales = []
    for i in range(steps):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        if i == make_inf_at:
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return {k: _np(v) for k, v in model.state_dict().items()}, scales, scaler.state_dict()


def _init():
    torch.manual_seed(1)
    return {k: v.numpy().copy() for k, v in torch.nn.Linear(3, 2).state_dict().items()}


def test_disabled_grad_scaler_is_a_pass_through_like_torch():
    init = _init()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _train(ag, ag.cuda.amp.GradScaler(), init)
        ref = _train(torch, torch.amp.GradScaler("cuda"), init)
    for k in ref[0]:
        np.testing.assert_allclose(ours[0][k], ref[0][k], rtol=1e-6, atol=1e-7)
    assert ours[1] == ref[1] == [1.0] * 4
    assert ours[2] == ref[2] == {}
    with pytest.warns(UserWarning, match="not available"):
        assert not ag.cuda.amp.GradScaler().is_enabled()
    loss = ag.tensor(2.0)
    assert ag.amp.GradScaler(enabled=False).scale(loss) is loss


def test_enabled_cpu_grad_scaler_scales_skips_infs_and_backs_off_like_torch():
    init = _init()
    kw = dict(init_scale=8.0, growth_interval=2)
    ours = _train(ag, ag.amp.GradScaler("cpu", **kw), init, steps=6, make_inf_at=2)
    ref = _train(torch, torch.amp.GradScaler("cpu", **kw), init, steps=6, make_inf_at=2)
    for k in ref[0]:
        np.testing.assert_allclose(ours[0][k], ref[0][k], rtol=1e-6, atol=1e-7)
    assert ours[1] == ref[1]  # 16, 16->... grows every 2 finite steps, halves at the inf
    assert ours[2] == {k: (v.item() if hasattr(v, "item") else v) for k, v in ref[2].items()}
    s = ag.amp.GradScaler("cpu")
    with pytest.raises(RuntimeError, match="empty"):
        s.load_state_dict({})


def test_autocast_changes_nothing_and_decorates():
    x = ag.randn(4, 3)
    lin = ag.nn.Linear(3, 2)
    with ag.autocast("cpu", enabled=False):
        y = lin(x)
    assert y.dtype is ag.float32
    np.testing.assert_array_equal(_np(y), _np(lin(x)))
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with ag.amp.autocast("cuda"):
            assert not ag.is_autocast_enabled()
    with pytest.warns(UserWarning):
        with ag.cuda.amp.autocast():
            pass

    @ag.autocast("cpu", dtype=ag.float16)
    def f(a):
        return lin(a)

    np.testing.assert_array_equal(_np(f(x)), _np(lin(x)))
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu0'"):
        ag.autocast("tpu0")


# --- distributed / parallel / backends -------------------------------------------------------

def test_distributed_unavailable_and_raises_naming_the_function():
    assert ag.distributed.is_available() is False and ag.distributed.is_initialized() is False
    for name in ("init_process_group", "all_reduce", "get_rank", "barrier"):
        with pytest.raises(NotImplementedError, match=f"torch.distributed.{name}"):
            getattr(ag.distributed, name)()
    with pytest.raises(NotImplementedError, match="DistributedDataParallel"):
        ag.nn.parallel.DistributedDataParallel(ag.nn.Linear(2, 2))


def test_data_parallel_is_a_pass_through_with_torch_state_dict_keys():
    torch.manual_seed(0)
    tm = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh()))
    am = ag.nn.DataParallel(ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.Tanh()))
    sd = tm.state_dict()
    assert list(am.state_dict()) == list(sd)
    am.load_state_dict({k: ag.tensor(v.numpy()) for k, v in sd.items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(am(ag.tensor(x))), _np(tm(torch.tensor(x))), rtol=1e-6)
    assert am.device_ids == tm.device_ids == []


def test_backends_flags():
    assert ag.backends.mps.is_available() is torch.backends.mps.is_available() is False
    ag.backends.cudnn.deterministic = True
    assert ag.backends.cudnn.deterministic


# --- profiler --------------------------------------------------------------------------------

def test_profiler_records_ops_and_labelled_ranges():
    x = ag.randn(8, 8)
    with ag.autograd.profiler.profile() as prof:
        for _ in range(3):
            with ag.autograd.profiler.record_function("block"):
                y = (x @ x).relu()
    avgs = {e.key: e for e in prof.key_averages()}
    assert avgs["block"].count == 3
    ops = [k for k in avgs if k != "block"]
    assert ops and all(avgs[k].count % 3 == 0 for k in ops)  # each op once per block
    blk = avgs["block"]
    assert blk.self_cpu_time_total <= blk.cpu_time_total
    assert sum(avgs[k].cpu_time_total for k in ops) <= blk.cpu_time_total + 1e-6
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=2)
    assert "block" in table and "# of Calls" in table and "Self CPU time total" in table
    assert len([ln for ln in table.splitlines() if ln.strip().endswith("3")]) == 2
    # ops run after the profiler closed are not timed (forwards restored)
    (x @ x).relu()
    assert len(prof.function_events) == sum(a.count for a in avgs.values())
    with ag.profiler.profile(activities=[ag.profiler.ProfilerActivity.CPU]) as p2:
        with ag.profiler.record_function("r"):
            _ = y * 2
    assert "r" in {e.key for e in p2.key_averages()}


# --- torch.functional ------------------------------------------------------------------------

def test_functional_module_matches_torch():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(3), rng.standard_normal(2)
    for idx in ("ij", "xy"):
        for o, r in zip(ag.functional.meshgrid(ag.tensor(a), ag.tensor(b), indexing=idx),
                        torch.functional.meshgrid(torch.tensor(a), torch.tensor(b),
                                                  indexing=idx)):
            np.testing.assert_array_equal(_np(o), r.numpy())
    np.testing.assert_array_equal(_np(ag.cartesian_prod(ag.tensor(a), ag.tensor(b))),
                                  torch.cartesian_prod(torch.tensor(a), torch.tensor(b)).numpy())
    blocks = [rng.standard_normal((2, 2)), rng.standard_normal(3), np.array(5.0)]
    out = ag.block_diag(*[ag.tensor(x, requires_grad=True) for x in blocks])
    np.testing.assert_array_equal(_np(out), torch.block_diag(*map(torch.tensor, blocks)))
    x, y = rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 3, 5))
    for dims in ([[1, 2], [1, 0]], 0, ([2], [0])):
        xa, ya = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
        xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        o, r = ag.tensordot(xa, ya, dims=dims), torch.tensordot(xt, yt, dims=dims)
        np.testing.assert_allclose(_np(o), r.detach().numpy(), rtol=1e-12)
        o.sum().backward(), r.sum().backward()
        np.testing.assert_allclose(_np(xa.grad), xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_np(ag.tensordot(ag.ones(2, 3), ag.ones(3, 2), 1)),
                               torch.tensordot(torch.ones(2, 3), torch.ones(3, 2), 1).numpy())
    for f in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for shape in ((), (3,), (2, 3), (2, 3, 4)):
            assert tuple(getattr(ag, f)(ag.zeros(shape)).shape) == \
                tuple(getattr(torch, f)(torch.zeros(shape)).shape)
    for o, r in zip(ag.unravel_index(ag.tensor([0, 7, -1]), (3, 4)),
                    torch.unravel_index(torch.tensor([0, 7, -1]), (3, 4))):
        np.testing.assert_array_equal(_np(o), r.numpy())
    ms = [rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 1))]
    np.testing.assert_allclose(_np(ag.chain_matmul(*map(ag.tensor, ms))),
                               torch.linalg.multi_dot(list(map(torch.tensor, ms))).numpy())
    s = ag.functional.split(ag.arange(5), 2)
    assert [len(p) for p in s] == [len(p) for p in torch.functional.split(torch.arange(5), 2)]
    with pytest.raises(RuntimeError, match="contracted dimensions"):
        ag.tensordot(ag.ones(2, 3), ag.ones(2, 3), dims=1)


# --- legacy constructors, default device, bfloat16 -------------------------------------------

@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "BoolTensor", "ByteTensor", "HalfTensor", "ShortTensor",
                                  "CharTensor"])
def test_legacy_constructors_like_torch(name):
    A, T = getattr(ag, name), getattr(torch, name)
    data = [1.7, 0.0, 2.0]
    o, r = A(data), T(data)
    assert str(o.dtype).split(".")[1] == str(r.dtype).split(".")[1]
    np.testing.assert_array_equal(_np(o), r.numpy())
    assert tuple(A(2, 3).shape) == tuple(T(2, 3).shape) == (2, 3)
    assert tuple(A().shape) == tuple(T().shape) == (0,)
    assert tuple(A(ag.Size([4])).shape) == (4,)
    assert isinstance(o, A) and isinstance(o, ag.Tensor)
    other = "LongTensor" if name != "LongTensor" else "FloatTensor"
    assert not isinstance(o, getattr(ag, other)) and not isinstance(r, getattr(torch, other))
    with pytest.raises(TypeError):
        A(ag.zeros(2, dtype=ag.int64 if name != "LongTensor" else ag.float32))


def test_type_conversion_with_a_legacy_class():
    assert ag.zeros(2).type(ag.LongTensor).dtype is ag.int64
    assert torch.zeros(2).type(torch.LongTensor).dtype is torch.int64


def test_set_default_device():
    ag.set_default_device("cpu")
    ag.set_default_device(None)
    assert str(ag.get_default_device()) == str(torch.get_default_device()) == "cpu"
    with pytest.raises(RuntimeError, match="CPU only.*cuda"):
        ag.set_default_device("cuda")


def test_bfloat16_rounds_like_torch():
    pytest.importorskip("ml_dtypes")
    x = np.array([1.0, 1.00390625, 3.14159, -2.7e-3, 65504.0], dtype=np.float32)
    o = ag.tensor(x).to(ag.bfloat16)
    r = torch.tensor(x).to(torch.bfloat16)
    assert o.dtype is ag.bfloat16 and o.dtype.is_floating_point
    np.testing.assert_array_equal(_np(o.float()), r.float().numpy())
    assert (o + ag.tensor(x)).dtype is ag.float32  # bfloat16 + float32 -> float32


# --- samplers --------------------------------------------------------------------------------

def test_random_sampler_with_replacement_is_lazy_and_uniform():
    s = ag.utils.data.RandomSampler(range(10), replacement=True, num_samples=10 ** 12)
    assert len(s) == 10 ** 12
    draws = np.array(list(itertools.islice(iter(s), 20000)))
    counts = np.bincount(draws, minlength=10)
    assert draws.min() >= 0 and draws.max() <= 9
    chi2 = ((counts - 2000) ** 2 / 2000).sum()
    assert chi2 < 40  # chi-square, 9 dof: p ~ 4e-6
    loader = ag.utils.data.DataLoader(ag.utils.data.TensorDataset(ag.arange(10)), batch_size=4,
                                      sampler=s)
    assert tuple(next(iter(loader))[0].shape) == (4,)


def test_random_sampler_without_replacement_counts():
    for k in (7, 15, 21):
        got = list(ag.utils.data.RandomSampler(range(7), num_samples=k))
        assert len(got) == k
        assert sorted(got[:7 * (k // 7)]) == sorted(list(range(7)) * (k // 7))


@pytest.mark.parametrize("n,reps,drop", [(10, 3, False), (10, 3, True), (2, 4, False)])
def test_distributed_sampler_shards_like_torch(n, reps, drop):
    from torch.utils.data.distributed import DistributedSampler as T

    A = ag.utils.data.DistributedSampler
    for rank in range(reps):
        a = A(range(n), num_replicas=reps, rank=rank, shuffle=False, drop_last=drop)
        t = T(range(n), num_replicas=reps, rank=rank, shuffle=False, drop_last=drop)
        assert list(a) == list(t) and len(a) == len(t)
    shards = [list(A(range(n), reps, r, shuffle=True, seed=3, drop_last=drop))
              for r in range(reps)]
    flat = sorted(sum(shards, []))
    if not drop:
        assert set(flat) == set(range(n))
    s = A(range(n), reps, 0, seed=3)
    first = list(s)
    s.set_epoch(1)
    assert list(s) != first or n < 3
    with pytest.raises(RuntimeError, match="num_replicas"):
        A(range(n))


def test_generator_objects_accepted():
    g = ag.Generator().manual_seed(5)
    a = ag.randn(3, generator=g), ag.randperm(4, generator=g), ag.rand(2, generator=g)
    g2 = ag.Generator().manual_seed(5)
    b = ag.randn(3, generator=g2), ag.randperm(4, generator=g2), ag.rand(2, generator=g2)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(_np(x), _np(y))
    ds = ag.utils.data.TensorDataset(ag.arange(10))
    order = [list(ag.utils.data.DataLoader(ds, batch_size=10, shuffle=True,
                                           generator=ag.Generator().manual_seed(1)))
             for _ in range(2)]
    np.testing.assert_array_equal(_np(order[0][0][0]), _np(order[1][0][0]))
    parts = ag.utils.data.random_split(ds, [0.5, 0.5], generator=ag.Generator().manual_seed(2))
    assert sorted(list(parts[0].indices) + list(parts[1].indices)) == list(range(10))


def test_variable_alias_like_torch():
    from torch.autograd import Variable as TorchVariable

    t, tt = ag.ones(2), torch.ones(2)
    v, tv = ag.autograd.Variable(t, requires_grad=True), TorchVariable(tt, requires_grad=True)
    assert (v is t) == (tv is tt) and v.requires_grad == tv.requires_grad
    assert t.requires_grad == tt.requires_grad and v.grad_fn is None
    assert isinstance(t, ag.autograd.Variable) and not isinstance(3, ag.autograd.Variable)
    v.data[0] = 5  # shares t's data, as PyTorch's
    tv.data[0] = 5
    assert t[0].item() == tt[0].item() == 5
    assert ag.autograd.is_tensor_like(t) and not ag.autograd.is_tensor_like(3)
    with pytest.raises(TypeError):
        ag.autograd.Variable([1.0])
