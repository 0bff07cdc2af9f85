"""DistributedSampler: each of ``num_replicas`` processes reads its own share of a dataset,
as ``torch.utils.data.distributed``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TypeVar

import ember
from ember.utils.data.dataset import Dataset
from ember.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]

_T_co = TypeVar("_T_co", covariant=True)


class DistributedSampler(Sampler[_T_co]):
    """The indices of replica ``rank``: every ``num_replicas``-th index of one shared order,
    starting at ``rank``.

    The shared order is ``randperm(len(dataset))`` from a generator seeded with
    ``seed + epoch`` (call :meth:`set_epoch` before each epoch for a new order), or
    ``0 .. len - 1`` without ``shuffle``. It is padded by repeating its start so that every
    replica gets the same count, or cut short with ``drop_last``.

    Args:
        dataset: the dataset to share out.
        num_replicas (int): number of processes. ember has no process groups yet, so it
            must be given.
        rank (int): this process's rank, in ``[0, num_replicas - 1]``; must be given.
        shuffle (bool): shuffle the indices. Default: True.
        seed (int): seed of the shuffle, the same on every replica. Default: 0.
        drop_last (bool): drop the tail instead of padding. Default: False.

    Example:
        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(self, dataset: Dataset, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            # What PyTorch raises where torch.distributed is unavailable.
            raise RuntimeError("Requires distributed package to be available")
        if not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        size = len(dataset)
        if drop_last and size % num_replicas != 0:
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[_T_co]:
        size = len(self.dataset)
        if self.shuffle:
            generator = ember.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = ember.randperm(size, generator=generator).tolist()
        else:
            indices = list(range(size))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - size
            indices += (indices * math.ceil(padding / size))[:padding] if padding else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``seed + epoch`` for the next shuffle, so that each epoch has its own order."""
        self.epoch = epoch

