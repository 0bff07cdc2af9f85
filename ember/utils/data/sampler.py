"""Samplers: iterables over dataset indices (or lists of indices), as
``torch.utils.data.sampler``. With the same seed they draw PyTorch's indices."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Generic, TypeVar

import ember

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]

_T_co = TypeVar("_T_co", covariant=True)

# RandomSampler with replacement draws its indices this many at a time.
_REPLACEMENT_CHUNK = 32


def _draw_seed(generator=None) -> int:
    """A fresh 64-bit seed from ``generator`` (the default one if None), drawn as PyTorch draws
    it: ``random_()`` on an empty int64 scalar."""
    return int(ember.empty((), dtype=ember.int64).random_(generator=generator).item())


def _check_positive_int(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


class Sampler(Generic[_T_co]):
    """Base class of samplers: ``__iter__`` yields indices (or batches of indices); ``__len__``
    is optional but needed for ``len(DataLoader)``."""

    def __iter__(self) -> Iterator[_T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order."""

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Indices in random order: a fresh permutation per pass over the data, or with
    ``replacement`` independent uniform draws.

    Args:
        data_source (Sized): the dataset whose indices are drawn.
        replacement (bool): draw with replacement. Default: False.
        num_samples (int): how many indices one iteration yields. Default: ``len(data_source)``.
        generator (Generator): source of randomness. Without one, each iteration seeds a new
            generator from the default generator.

    Example:
        >>> import ember
        >>> list(RandomSampler(range(4), generator=ember.Generator().manual_seed(0)))
        [0, 1, 3, 2]
    """

    data_source: Sized
    replacement: bool

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        size = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = ember.Generator()
            generator.manual_seed(_draw_seed())
        if self.replacement:
            full_chunks, rest = divmod(self.num_samples, _REPLACEMENT_CHUNK)
            for chunk in [_REPLACEMENT_CHUNK] * full_chunks + [rest]:
                yield from ember.randint(high=size, size=(chunk,), dtype=ember.int64,
                                         generator=generator).tolist()
        else:
            full_passes, rest = divmod(self.num_samples, size)
            for _ in range(full_passes):
                yield from ember.randperm(size, generator=generator).tolist()
            # The last permutation is drawn even when none of it is used (rest == 0).
            yield from ember.randperm(size, generator=generator).tolist()[:rest]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order (a new permutation each iteration)."""

    indices: Sequence[int]

    def __init__(self, indices: Sequence[int], generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for position in ember.randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[position]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """Indices ``0 .. len(weights) - 1`` drawn with probability proportional to ``weights``
    (``ember.multinomial`` over float64 weights).

    Args:
        weights (sequence): non-negative weights, need not sum to one.
        num_samples (int): how many indices to draw.
        replacement (bool): with replacement (default), or each index at most once.
        generator (Generator): source of randomness.
    """

    weights: ember.Tensor
    num_samples: int
    replacement: bool

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator=None) -> None:
        _check_positive_int("num_samples", num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}")
        weights = ember.as_tensor(weights, dtype=ember.double)
        if weights.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights.shape)}")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        drawn = ember.multinomial(self.weights, self.num_samples, self.replacement,
                                  generator=self.generator)
        yield from drawn.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last, shorter list
    is dropped when ``drop_last``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)
