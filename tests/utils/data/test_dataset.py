"""Datasets and random_split against torch.utils.data."""

import re

import pytest

from tests.utils.data import same_error, same_under_seed


def _tensor_dataset(lib):
    return lib.utils.data.TensorDataset(lib.arange(12).view(6, 2), lib.arange(6) * 1.5)


class _Squares:
    """A map-style dataset that is not a Dataset subclass (DataLoader accepts any)."""

    def __init__(self, size):
        self.size = size

    def __getitem__(self, index):
        return index * index

    def __len__(self):
        return self.size


def _stream(lib, values):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter(values)

        def __len__(self):
            return len(values)

    return Stream()


def test_tensor_dataset():
    def run(lib):
        dataset = _tensor_dataset(lib)
        return len(dataset), dataset[2], dataset[-1], dataset[1:3]

    same_under_seed(run)


def test_tensor_dataset_size_mismatch():
    same_error(lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)),
               AssertionError, "Size mismatch between tensors")


def test_dataset_base_needs_getitem():
    same_error(lambda lib: lib.utils.data.Dataset()[0], NotImplementedError,
               "Subclasses of Dataset should implement __getitem__")


@pytest.mark.parametrize("index", [0, 1, 2, 3, 5, 6, 8, -1, -4, -9])
def test_concat_dataset_indexing(index):
    def run(lib):
        joined = lib.utils.data.ConcatDataset([[0, 1, 2], [], _Squares(4), [7, 8]])
        return len(joined), joined.cumulative_sizes, joined[index]

    same_under_seed(run)


def test_concat_dataset_old_attribute_name():
    def run(lib):
        joined = lib.utils.data.ConcatDataset([[0, 1], [2]])
        with pytest.warns(FutureWarning, match="`cummulative_sizes` attribute is renamed to "
                                               "`cumulative_sizes`"):
            return joined.cummulative_sizes

    same_under_seed(run)


def test_dataset_add_concatenates():
    def run(lib):
        joined = _tensor_dataset(lib) + _tensor_dataset(lib)
        return type(joined).__name__, len(joined), joined[7]

    same_under_seed(run)


@pytest.mark.parametrize("make, error, match", [
    (lambda lib: lib.utils.data.ConcatDataset([]), AssertionError,
     "datasets should not be an empty iterable"),
    (lambda lib: lib.utils.data.ConcatDataset([[1], _stream(lib, [2])]), AssertionError,
     "ConcatDataset does not support IterableDataset"),
    (lambda lib: lib.utils.data.ConcatDataset([[1], [2]])[-3], ValueError,
     "absolute value of index should not exceed dataset length"),
    (lambda lib: lib.utils.data.ConcatDataset([[1], [2]])[2], IndexError, "out of range"),
])
def test_concat_dataset_errors(make, error, match):
    same_error(make, error, match)


def test_chain_dataset():
    def run(lib):
        first, second = _stream(lib, [1, 2]), _stream(lib, [3])
        chained = first + second
        return type(chained).__name__, list(chained), len(chained)

    same_under_seed(run)


@pytest.mark.parametrize("use", [list, len])
def test_chain_dataset_refuses_map_style(use):
    same_error(lambda lib: use(lib.utils.data.ChainDataset([_stream(lib, [1]), [2]])),
               AssertionError, "ChainDataset only supports IterableDataset")


def test_subset():
    def run(lib):
        subset = lib.utils.data.Subset(_tensor_dataset(lib), [4, 0, 3])
        return len(subset), subset[0], subset[[2, 1]], subset.__getitems__([1, 2])

    same_under_seed(run)


def test_subset_through_plain_dataset():
    def run(lib):
        subset = lib.utils.data.Subset(_Squares(5), [4, 2])
        return subset[-1], subset.__getitems__([0, 1])

    same_under_seed(run)


def test_subset_subclass_must_override_getitems():
    def run(lib):
        class Doubled(lib.utils.data.Subset):
            def __getitem__(self, index):
                return 2 * super().__getitem__(index)

        Doubled([1, 2], [0])

    same_error(run, NotImplementedError,
               re.escape("Doubled overrides __getitem__ but not __getitems__."))


@pytest.mark.parametrize("named", [False, True])
def test_stack_dataset(named):
    def run(lib):
        parts = [_tensor_dataset(lib), _Squares(6), lib.utils.data.Subset(list("abcdef"),
                                                                         range(6))]
        stacked = (lib.utils.data.StackDataset(x=parts[0], y=parts[1], z=parts[2]) if named
                   else lib.utils.data.StackDataset(*parts))
        return len(stacked), stacked[3], stacked.__getitems__([5, 0])

    same_under_seed(run)


class _ShortBatches:
    def __getitem__(self, index):
        return index

    def __getitems__(self, indices):
        return indices[:-1]

    def __len__(self):
        return 3


@pytest.mark.parametrize("make, error, match", [
    (lambda data: data.StackDataset([1], a=[2]), ValueError, "but both types are given"),
    (lambda data: data.StackDataset(), ValueError, "At least one dataset should be passed"),
    (lambda data: data.StackDataset([1, 2], [3]), ValueError, "Size mismatch between datasets"),
    (lambda data: data.StackDataset(a=[1, 2], b=[3]), ValueError,
     "Size mismatch between datasets"),
    (lambda data: data.StackDataset(_ShortBatches()).__getitems__([0, 1]), ValueError,
     "Nested dataset's output size mismatch. Expected 2, got 1"),
])
def test_stack_dataset_errors(make, error, match):
    same_error(lambda lib: make(lib.utils.data), error, match)


@pytest.mark.parametrize("size, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]),
    (11, [0.25, 0.25, 0.25, 0.25]), (5, [5]), (3, [1.0]),
])
@pytest.mark.parametrize("seeded", [False, True])
def test_random_split(size, lengths, seeded):
    def run(lib):
        generator = lib.Generator().manual_seed(7) if seeded else lib.random.default_generator
        splits = lib.utils.data.random_split(range(size), lengths, generator=generator)
        return [(type(split).__name__, list(split.indices), list(split)) for split in splits]

    same_under_seed(run, seed=3)


def test_random_split_default_generator():
    same_under_seed(lambda lib: [split.indices
                                 for split in lib.utils.data.random_split(range(9), [4, 5])])


def test_random_split_warns_on_empty_split():
    def run(lib):
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0") as record:
            splits = lib.utils.data.random_split(range(3), [0.5, 0.1, 0.4])
        assert [entry.filename for entry in record] == [__file__]  # points at the caller
        return [split.indices for split in splits]

    assert [len(split[1]) for split in same_under_seed(run)[1]] == [2, 0, 1]


@pytest.mark.parametrize("lengths, match", [
    ([3, 3], "Sum of input lengths does not equal the length of the input dataset!"),
    ([1.5, -0.5], "Fraction at index 0 is not between 0 and 1"),
    ([0.5, 0.6], "Sum of input lengths does not equal"),
])
def test_random_split_errors(lengths, match):
    same_error(lambda lib: lib.utils.data.random_split(range(5), lengths), ValueError, match)
