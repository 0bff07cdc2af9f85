"""Datasets: map-style (``__getitem__`` + ``__len__``) and iterable ones, and ways to combine
and split them, as ``torch.utils.data.dataset``."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

import ember
from ember._tensor import Tensor
from ember.random import Generator, default_generator

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


class Dataset(Generic[_T_co]):
    """A map from keys (usually indices) to samples. Subclasses define ``__getitem__`` and,
    for the default samplers of :class:`DataLoader`, ``__len__``. They may also define
    ``__getitems__(indices)`` to fetch a whole batch at once. ``a + b`` concatenates."""

    def __getitem__(self, index) -> _T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: Dataset[_T_co]) -> ConcatDataset[_T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[_T_co], Iterable[_T_co]):
    """A stream of samples: subclasses define ``__iter__``. ``a + b`` chains the streams."""

    def __add__(self, other: Dataset[_T_co]) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; all tensors share their first size.

    Example:
        >>> import ember
        >>> dataset = TensorDataset(ember.arange(6).view(3, 2), ember.tensor([0, 1, 0]))
        >>> len(dataset), dataset[1]
        (3, (tensor([2, 3]), tensor(1)))
    """

    tensors: tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        first_size = tensors[0].size(0)
        if any(tensor.size(0) != first_size for tensor in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


def _common_length(datasets) -> int:
    length = len(datasets[0])
    if any(len(dataset) != length for dataset in datasets):
        raise ValueError("Size mismatch between datasets")
    return length


class StackDataset(Dataset):
    """Sample ``i`` gathers sample ``i`` of every dataset: a tuple for positional datasets,
    a dict for keyword ones. All datasets have the same length.

    Example:
        >>> pairs = StackDataset(image=[10, 11], label=[0, 1])
        >>> pairs[1]
        {'image': 11, 'label': 1}
    """

    datasets: tuple | dict

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        self.datasets = args or kwargs
        self._length = _common_length(list(args or kwargs.values()))

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list):
        named = isinstance(self.datasets, dict)
        parts = self.datasets.items() if named else enumerate(self.datasets)
        # One column of samples per dataset, fetched in bulk where the dataset can.
        columns = {key: _checked_count(_fetch_many(dataset, indices), len(indices))
                   for key, dataset in parts}
        if named:
            return [{key: column[row] for key, column in columns.items()}
                    for row in range(len(indices))]
        return [tuple(column[row] for column in columns.values()) for row in range(len(indices))]

    def __len__(self) -> int:
        return self._length


def _fetch_many(dataset, indices: list) -> list:
    """Samples ``dataset[i]`` for ``i`` in ``indices``, through ``__getitems__`` if it has one."""
    if callable(getattr(dataset, "__getitems__", None)):
        return dataset.__getitems__(indices)
    return [dataset[index] for index in indices]


def _checked_count(samples: list, expected: int) -> list:
    if len(samples) != expected:
        raise ValueError(
            f"Nested dataset's output size mismatch. Expected {expected}, got {len(samples)}")
    return samples


class ConcatDataset(Dataset[_T_co]):
    """The datasets one after another: index ``i`` falls in the first dataset whose cumulative
    size exceeds it. Negative indices count from the end.

    Example:
        >>> joined = ConcatDataset([[1, 2], [3, 4, 5]])
        >>> len(joined), joined[2], joined[-1]
        (5, 3, 5)
    """

    datasets: list[Dataset[_T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence) -> list[int]:
        return list(itertools.accumulate(len(dataset) for dataset in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        if any(isinstance(dataset, IterableDataset) for dataset in self.datasets):
            raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx += len(self)
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[dataset_idx - 1] if dataset_idx else 0
        return self.datasets[dataset_idx][idx - start]

    @property
    def cummulative_sizes(self) -> list[int]:
        """Deprecated misspelling of :attr:`cumulative_sizes`."""
        warnings.warn("`cummulative_sizes` attribute is renamed to `cumulative_sizes`",
                      FutureWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterable datasets streamed one after another, without building a list of them."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for dataset in self.datasets:
            yield from _checked_iterable(dataset)

    def __len__(self) -> int:
        return sum(len(_checked_iterable(dataset)) for dataset in self.datasets)


def _checked_iterable(dataset):
    if not isinstance(dataset, IterableDataset):
        raise AssertionError("ChainDataset only supports IterableDataset")
    return dataset


class Subset(Dataset[_T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> Subset([10, 11, 12, 13], [3, 0])[0]
        13
    """

    dataset: Dataset[_T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[_T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        # DataLoader fetches batches through __getitems__, which would bypass an override.
        cls = type(self)
        if cls.__getitem__ is not Subset.__getitem__ and cls.__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{cls.__name__} overrides __getitem__ but not __getitems__. When subclassing "
                "Subset and overriding __getitem__, you must also override __getitems__ to "
                "ensure DataLoader works correctly with your custom logic. A simple "
                "implementation:\n\ndef __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[_T_co]:
        return _fetch_many(self.dataset, [self.indices[i] for i in indices])

    def __len__(self) -> int:
        return len(self.indices)


def _lengths_from_fractions(fractions: Sequence[float], total: int) -> list[int]:
    """Split ``total`` by fractions: each part is floored, then the leftover items go one at a
    time to the parts in order (round-robin)."""
    lengths = []
    for position, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"Fraction at index {position} is not between 0 and 1")
        lengths.append(math.floor(total * fraction))
    for extra in range(total - sum(lengths)):
        lengths[extra % len(lengths)] += 1
    for position, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {position} is 0. This might result in an "
                          "empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset: Dataset[_T], lengths: Sequence[int | float],
                 generator: Generator | None = default_generator) -> list[Subset[_T]]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    Lengths are item counts summing to ``len(dataset)``, or fractions summing to 1 (each
    part gets ``floor(len * fraction)`` and the remainder is dealt out round-robin). The
    shuffle is ``randperm(len(dataset), generator=generator)``.

    Example:
        >>> import ember
        >>> train, test = random_split(range(10), [0.7, 0.3], ember.Generator().manual_seed(0))
        >>> len(train), len(test)
        (7, 3)
    """
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = ember.randperm(sum(lengths), generator=generator).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]
