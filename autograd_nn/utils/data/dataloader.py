"""``DataLoader``: batches from a dataset, as ``torch.utils.data.DataLoader``.

Loading always runs in the calling process: ``num_workers > 0`` is accepted (so PyTorch code
runs unchanged) and behaves as a single in-process worker (``worker_init_fn(0)`` is called once
per epoch; an ``IterableDataset`` is read once, not once per worker). ``pin_memory`` is a no-op.

Fast path: with the default collate function, a batch of a :class:`TensorDataset` (or a
:class:`Subset` chain over one) is taken with one fancy index per tensor rather than by stacking
per-sample rows; the result is identical to ``default_collate`` of the samples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

import numpy as np

from ...autograd import engine
from ...random import Generator
from ...tensor import Tensor
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info() -> None:
    """Always None: every sample is loaded in the main process."""
    return None


def _tensor_source(dataset: Any) -> tuple[tuple, list] | None:
    """``(tensors, index maps)`` when ``dataset`` is a TensorDataset, possibly under Subsets
    (the maps are the Subsets' indices, outermost first, as int64 arrays)."""
    maps: list = []
    while type(dataset) is Subset:
        maps.append(np.asarray(dataset.indices, dtype=np.int64))
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    return dataset.tensors, maps


def _take(t: Tensor, idx: np.ndarray) -> Tensor:
    if t.requires_grad and engine.is_grad_enabled():
        return t[idx]  # keep the graph, as stacking the rows would
    return Tensor._wrap(t._data[idx])


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Args:
        dataset: a map-style :class:`Dataset` (``__getitem__``, ``__len__``) or an
            :class:`IterableDataset`.
        batch_size: samples per batch (``None`` turns automatic batching off: each sample is
            passed through ``default_convert``).
        shuffle: reshuffle every epoch (a :class:`RandomSampler` over ``generator``).
        sampler: where the indices come from (excludes ``shuffle``).
        batch_sampler: yields whole index batches (excludes batch_size, shuffle, sampler,
            drop_last).
        num_workers: accepted for compatibility; loading is in-process (see the module doc).
        collate_fn: list of samples -> batch (default :func:`default_collate`).
        drop_last: drop the last incomplete batch.
        generator: the random source for ``shuffle`` (an ``autograd_nn.Generator``).

    ``len(loader)`` is the number of batches per epoch. A batch of ``(x, y)`` samples with
    ``x`` of shape ``(...)`` is ``[X (B, ...), Y (B,)]``.
    """

    _guarded = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                "persistent_workers")

    def __init__(self, dataset: Dataset | Iterable, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable[Sequence] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(f"multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={num_workers}")

        is_iterable = isinstance(dataset, IterableDataset)
        if is_iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None and not is_iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle  # type: ignore
                       else SequentialSampler(dataset))  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None and not is_iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._is_iterable = is_iterable
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.__initialized = True

    def __setattr__(self, attr: str, val: Any) -> None:
        if attr in self._guarded and self.__dict__.get("_DataLoader__initialized"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._is_iterable and
                                                  self.batch_size is not None)

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        src = self.batch_sampler if self.batch_sampler is not None else self.sampler
        return len(src)  # type: ignore[arg-type]

    def __iter__(self) -> _LoaderIter:
        if self.num_workers > 0 and self.worker_init_fn is not None:
            self.worker_init_fn(0)
        return _LoaderIter(self)


class _LoaderIter:
    """One epoch over a DataLoader."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._collate = loader.collate_fn
        self._dataset = loader.dataset
        self._fast = None
        if loader._is_iterable:
            self._next = self._next_iterable
            self._it = iter(loader.dataset)  # type: ignore[arg-type]
        elif loader.batch_sampler is not None:
            self._next = self._next_batch
            self._it = iter(loader.batch_sampler)
            if loader.collate_fn is default_collate:
                self._fast = _tensor_source(loader.dataset)
        else:
            self._next = self._next_sample
            self._it = iter(loader.sampler)  # type: ignore[arg-type]
        self._getitems = getattr(loader.dataset, "__getitems__", None)

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        return self._next()

    def _next_batch(self) -> Any:
        indices = next(self._it)
        if self._fast is not None:
            tensors, maps = self._fast
            idx = np.asarray(indices, dtype=np.int64)
            for m in maps:
                idx = m[idx]
            return [_take(t, idx) for t in tensors]
        if self._getitems is not None:
            data = self._getitems(list(indices))
        else:
            data = [self._dataset[i] for i in indices]  # type: ignore[index]
        return self._collate(data)

    def _next_sample(self) -> Any:
        return self._collate(self._dataset[next(self._it)])  # type: ignore[index]

    def _next_iterable(self) -> Any:
        bs = self._loader.batch_size
        if bs is None:
            return self._collate(next(self._it))
        batch = list(islice(self._it, bs))
        if not batch or (len(batch) < bs and self._loader.drop_last):
            raise StopIteration
        return self._collate(batch)

