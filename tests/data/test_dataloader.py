"""utils.data against torch.utils.data (the oracle: same datasets and options, compare batches,
lengths, collate outputs and error messages) and closed forms (batch counts, split sizes)."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest

import autograd_nn as ag
from autograd_nn.utils import data as D

torch = pytest.importorskip("torch")
tdata = torch.utils.data

Point = namedtuple("Point", ["x", "label"])


def assert_same(ours, theirs):
    """Recursively: same container types and keys, same tensor dtypes, shapes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor), type(ours)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            assert_same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def to_torch(x):
    """The same sample with autograd_nn tensors replaced by torch tensors."""
    if isinstance(x, ag.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, dict):
        return {k: to_torch(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(to_torch(v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch(v) for v in x)
    return x


rng = np.random.default_rng(0)
SAMPLES = {
    "tensor": [ag.tensor(rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(3)],
    "int_tensor": [ag.tensor([i, i + 1]) for i in range(3)],
    "ndarray": [rng.standard_normal(4) for _ in range(3)],
    "ndarray_u8": [np.arange(4, dtype=np.uint8) + i for i in range(3)],
    "np_scalar_f32": [np.float32(i / 3) for i in range(3)],
    "np_scalar_i32": [np.int32(i) for i in range(3)],
    "np_bool": [np.bool_(i % 2) for i in range(3)],
    "float": [0.1, 2.5, -3.0],
    "int": [1, 2, 3],
    "bool": [True, False, True],
    "str": ["a", "bb", "ccc"],
    "bytes": [b"a", b"b", b"c"],
    "tuple": [(ag.tensor([float(i)]), i) for i in range(3)],
    "list": [[ag.tensor([float(i)]), i, "s"] for i in range(3)],
    "dict": [{"x": ag.tensor([float(i), 1.0]), "y": i, "name": f"n{i}"} for i in range(3)],
    "namedtuple": [Point(ag.tensor([i, 2 * i]), float(i)) for i in range(3)],
    "nested": [{"a": [(np.float64(i), {"b": i})], "c": (ag.tensor(float(i)),)} for i in range(3)],
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_default_collate_matches_torch(kind):
    batch = SAMPLES[kind]
    assert_same(D.default_collate(batch), tdata.default_collate([to_torch(b) for b in batch]))


@pytest.mark.parametrize("kind", ["tensor", "ndarray", "np_scalar_f32", "dict", "tuple",
                                  "namedtuple", "str", "list"])
def test_default_convert_matches_torch(kind):
    sample = SAMPLES[kind][1]
    assert_same(D.default_convert(sample), tdata.default_convert(to_torch(sample)))


def test_collate_errors_match_torch():
    cases = [
        [np.array(["a", "b"]), np.array(["c", "d"])],  # string arrays are not collatable
        [object(), object()],
        [[1, 2], [3]],  # ragged lists
        [ag.zeros(2), ag.zeros(3)],
    ]
    for batch in cases:
        with pytest.raises(Exception) as theirs:
            tdata.default_collate([to_torch(b) for b in batch])
        msg = str(theirs.value).split("\n")[0]
        with pytest.raises(type(theirs.value)) as ours:
            D.default_collate(batch)
        if "object" in msg:  # the type's repr names torch's vs our module path: compare prefix
            msg = msg.split("found")[0]
        assert str(ours.value).startswith(msg), (str(ours.value), msg)


def test_collate_keeps_graph():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    batch = D.default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [5.0, 5.0])


@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                            (9, 3, True), (2, 5, False), (2, 5, True)])
def test_batch_counts_and_contents(n, bs, drop_last):
    x = ag.arange(n * 2, dtype=ag.float32).reshape(n, 2)
    y = ag.arange(n)
    dl = D.DataLoader(D.TensorDataset(x, y), batch_size=bs, drop_last=drop_last)
    expect = n // bs if drop_last else math.ceil(n / bs)
    batches = list(dl)
    assert len(dl) == len(batches) == expect
    tdl = tdata.DataLoader(tdata.TensorDataset(to_torch(x), to_torch(y)), batch_size=bs,
                           drop_last=drop_last)
    assert len(tdl) == expect
    for ours, theirs in zip(batches, tdl):
        assert_same(ours, theirs)


def test_tensor_fast_path_equals_per_sample_collate():
    x = ag.randn(50, 3, 2)
    y = ag.randint(0, 5, (50,))
    ds = D.Subset(D.TensorDataset(x, y), list(range(49, -1, -2)))
    fast = D.DataLoader(ds, batch_size=7, shuffle=True, generator=ag.Generator().manual_seed(3))
    slow = D.DataLoader(ds, batch_size=7, shuffle=True, generator=ag.Generator().manual_seed(3),
                        collate_fn=lambda b: D.default_collate(b))
    for a, b in zip(fast, slow, strict=True):
        for ta, tb in zip(a, b):
            assert ta.dtype == tb.dtype
            np.testing.assert_array_equal(ta.numpy(), tb.numpy())


def test_shuffle_reproducible_and_varies_across_epochs():
    ds = D.TensorDataset(ag.arange(20))

    def epochs(seed, k=3):
        dl = D.DataLoader(ds, batch_size=4, shuffle=True,
                          generator=ag.Generator().manual_seed(seed))
        return [np.concatenate([b[0].numpy() for b in dl]).tolist() for _ in range(k)]

    a, b = epochs(0), epochs(0)
    assert a == b  # same seed, same order
    assert all(sorted(e) == list(range(20)) for e in a)  # each epoch is a permutation
    assert a[0] != a[1] and a[1] != a[2]  # reshuffled every epoch
    assert epochs(1)[0] != a[0]
    ag.manual_seed(5)  # without a generator: the global one
    g1 = [b[0].numpy().tolist() for b in D.DataLoader(ds, batch_size=20, shuffle=True)]
    ag.manual_seed(5)
    g2 = [b[0].numpy().tolist() for b in D.DataLoader(ds, batch_size=20, shuffle=True)]
    assert g1 == g2


def test_random_split_sizes_match_torch():
    ds = D.TensorDataset(ag.arange(10))
    tds = tdata.TensorDataset(torch.arange(10))
    for lengths in ([3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.25, 0.25, 0.25, 0.25], [1.0],
                    [0.5, 0.5]):
        ours = D.random_split(ds, lengths, generator=ag.Generator().manual_seed(0))
        theirs = tdata.random_split(tds, lengths, generator=torch.Generator().manual_seed(0))
        assert [len(s) for s in ours] == [len(s) for s in theirs]
        idx = sorted(i for s in ours for i in s.indices)
        assert idx == list(range(10))  # disjoint and complete
    a = D.random_split(ds, [5, 5], generator=ag.Generator().manual_seed(1))
    b = D.random_split(ds, [5, 5], generator=ag.Generator().manual_seed(1))
    assert a[0].indices == b[0].indices
    assert int(a[1][0][0].item()) == a[1].indices[0]
    for bad in ([3, 3], [0.5, 0.6], [-0.5, 1.5]):
        with pytest.raises(ValueError) as theirs:
            tdata.random_split(tds, bad)
        with pytest.raises(ValueError) as ours:
            D.random_split(ds, bad)
        assert str(ours.value).startswith(str(theirs.value).split(" (")[0])


CONFLICTS = [
    dict(batch_size=2, shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0, 1]], batch_size=2),
    dict(batch_sampler=[[0, 1]], shuffle=True),
    dict(batch_sampler=[[0, 1]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(persistent_workers=True),
]


@pytest.mark.parametrize("kw", CONFLICTS, ids=[str(sorted(k)) for k in CONFLICTS])
def test_conflicting_options_match_torch_messages(kw):
    with pytest.raises(ValueError) as theirs:
        tdata.DataLoader(tdata.TensorDataset(torch.arange(4)), **kw)
    with pytest.raises(ValueError) as ours:
        D.DataLoader(D.TensorDataset(ag.arange(4)), **kw)
    assert str(ours.value) == str(theirs.value)


class Stream(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("bs,drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_matches_torch(bs, drop_last):
    ours = D.DataLoader(Stream(7), batch_size=bs, drop_last=drop_last)
    theirs = tdata.DataLoader(TStream(7), batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert_same(a, b)
    for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError) as t_err:
            tdata.DataLoader(TStream(3), **kw)
        with pytest.raises(ValueError) as o_err:
            D.DataLoader(Stream(3), **kw)
        assert str(o_err.value) == str(t_err.value)


def test_loader_options_and_attributes():
    ds = D.TensorDataset(ag.arange(10))
    # batch_size=None: samples unbatched (default_convert)
    items = list(D.DataLoader(ds, batch_size=None))
    assert len(items) == 10 and items[3][0].item() == 3 and items[3][0].shape == ()
    # explicit batch_sampler
    dl = D.DataLoader(ds, batch_sampler=[[0, 1], [5, 6, 7]])
    assert [b[0].numpy().tolist() for b in dl] == [[0, 1], [5, 6, 7]]
    # sampler + custom collate; num_workers > 0 accepted, in-process
    seen = []
    dl = D.DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 6, 5], num_workers=2,
                      collate_fn=lambda b: [int(s[0].item()) for s in b],
                      worker_init_fn=seen.append)
    assert list(dl) == [[9, 8, 7, 6], [5]] and seen == [0]
    assert D.get_worker_info() is None
    with pytest.raises(ValueError) as theirs:
        tdata.DataLoader(tdata.TensorDataset(torch.arange(4))).batch_size = 3
    with pytest.raises(ValueError) as ours:
        D.DataLoader(ds).batch_size = 3
    assert str(ours.value) == str(theirs.value)
    it = iter(D.DataLoader(ds, batch_size=3))
    assert len(it) == 4 and iter(it) is it


class Squares(D.Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": np.float32(i), "y": i * i}

    def __len__(self):
        return self.n


def test_map_dataset_and_concat_subset():
    cat = Squares(3) + Squares(4)
    assert isinstance(cat, D.ConcatDataset) and len(cat) == 7
    assert cat[3]["y"] == 0 and cat[6]["y"] == 9 and cat[-1]["y"] == 9
    with pytest.raises(IndexError):
        cat[7]
    sub = D.Subset(cat, [6, 0, 2])
    batch = next(iter(D.DataLoader(sub, batch_size=3)))
    assert batch["y"].numpy().tolist() == [9, 0, 4] and str(batch["x"].dtype).endswith("float32")
    st = D.StackDataset(a=Squares(2), b=Squares(2))
    assert st[1] == {"a": Squares(2)[1], "b": Squares(2)[1]}
    with pytest.raises(AssertionError, match="Size mismatch"):
        D.TensorDataset(ag.zeros(3), ag.zeros(4))
    chain = Stream(2) + Stream(3)
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5


def test_samplers():
    g = ag.Generator().manual_seed(0)
    assert list(D.SequentialSampler(range(4))) == [0, 1, 2, 3]
    r = list(D.RandomSampler(range(5), num_samples=12, generator=g))
    assert len(r) == 12 and sorted(r[:5]) == list(range(5)) and sorted(r[5:10]) == list(range(5))
    rr = list(D.RandomSampler(range(5), replacement=True, num_samples=200, generator=g))
    assert len(rr) == 200 and set(rr) == set(range(5))
    s = list(D.SubsetRandomSampler([10, 20, 30], generator=g))
    assert sorted(s) == [10, 20, 30]
    # weighted: frequencies match the weights (binomial std < 0.005 at n = 20,000)
    w = [1.0, 3.0, 0.0, 6.0]
    draws = list(D.WeightedRandomSampler(w, 20000, generator=g))
    freq = np.bincount(draws, minlength=4) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.3, 0.0, 0.6], atol=0.02)
    nr = list(D.WeightedRandomSampler(w, 3, replacement=False, generator=g))
    assert sorted(nr) == [0, 1, 3]
    assert list(D.BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(D.BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
    assert len(D.BatchSampler(range(5), 2, False)) == 3
    # error messages as torch's
    for ours, theirs in [
        (lambda: D.RandomSampler(range(3), num_samples=0),
         lambda: tdata.RandomSampler(range(3), num_samples=0)),
        (lambda: D.BatchSampler(range(3), 0, False),
         lambda: tdata.BatchSampler(range(3), 0, False)),
        (lambda: D.BatchSampler(range(3), 2, 1), lambda: tdata.BatchSampler(range(3), 2, 1)),
        (lambda: D.WeightedRandomSampler([[1.0]], 2),
         lambda: tdata.WeightedRandomSampler([[1.0]], 2)),
    ]:
        with pytest.raises(Exception) as t_err:
            theirs()
        with pytest.raises(type(t_err.value)) as o_err:
            ours()
        assert str(o_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError, match="without replacement from 3 non-zero"):
        D.WeightedRandomSampler(w, 4, replacement=False)


def _loaders(lib, M):
    ds = M.TensorDataset(lib.arange(10))
    return [
        M.DataLoader(ds, batch_size=3, sampler=M.RandomSampler(ds, num_samples=11),
                     drop_last=True),
        M.DataLoader(ds, batch_size=3, sampler=M.RandomSampler(ds, num_samples=11)),
        M.DataLoader(ds, batch_sampler=M.BatchSampler(M.SequentialSampler(ds), 4, True)),
        M.DataLoader(ds, batch_sampler=M.BatchSampler(M.SequentialSampler(ds), 4, False)),
        M.DataLoader(ds, batch_size=None), M.DataLoader(ds, batch_size=1),
        M.DataLoader(M.Subset(ds, [1, 3, 5, 7]), batch_size=3, drop_last=True),
    ]


def test_len_loader_with_samplers_matches_torch():
    ours, theirs = _loaders(ag, D), _loaders(torch, tdata)
    assert [len(dl) for dl in ours] == [len(dl) for dl in theirs] == [3, 4, 2, 3, 10, 10, 1]
    assert [len(list(dl)) for dl in ours] == [len(dl) for dl in ours]  # len = iterations
    for lengths, n in (([0.1, 0.2, 0.7], 11), ([0.5, 0.5], 7), ([0.3, 0.3, 0.4], 1)):
        assert [len(s) for s in D.random_split(range(n), lengths)] == \
            [len(s) for s in tdata.random_split(range(n), lengths)]


class _Records:
    """A map-style dataset of dicts holding NumPy arrays, ints, floats and tuples."""

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"img": np.full((2, 2), i, dtype=np.float32), "label": i, "w": i / 2,
                "pair": (i, np.int64(i)), "name": f"r{i}"}


def test_loader_over_dict_records_matches_torch():
    ours = list(D.DataLoader(type("R", (_Records, D.Dataset), {})(D), batch_size=2))
    theirs = list(tdata.DataLoader(type("R", (_Records, tdata.Dataset), {})(tdata), batch_size=2))
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        assert_same(a, b)
