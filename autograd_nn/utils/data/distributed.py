"""``torch.utils.data.distributed.DistributedSampler``: the shard of a dataset one of
``num_replicas`` processes reads. There is no process group here, so ``num_replicas`` and
``rank`` must be given (as PyTorch requires without an initialised group); the index logic
(seeded shuffle per epoch, padding or dropping to an even split, strided shards) is
PyTorch's."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from ...random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Indices ``rank, rank + num_replicas, ...`` of a (per-epoch shuffled, padded) index list.

    Args:
        dataset: the dataset (its length is used).
        num_replicas: the number of processes (required here).
        rank: this process's index in ``[0, num_replicas)`` (required here).
        shuffle: permute with ``seed + epoch`` (call :meth:`set_epoch` every epoch).
        seed: the shuffle seed, the same on every replica.
        drop_last: drop the tail instead of padding with repeated indices.
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise RuntimeError("DistributedSampler: requires distributed package to be "
                               "available to infer num_replicas and rank (autograd_nn has none: "
                               "pass num_replicas= and rank=)")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = g.rng.permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Make the next shuffle use ``seed + epoch``."""
        self.epoch = epoch
