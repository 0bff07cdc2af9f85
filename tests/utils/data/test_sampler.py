"""Samplers against torch.utils.data: the same seeds draw the same indices."""

import pytest

import ember
from tests.utils.data import same_error, same_under_seed


def _drawn(sampler, epochs=2):
    """Indices of a few passes, and the length the sampler reports."""
    return [list(sampler) for _ in range(epochs)], len(sampler)


def test_sequential_sampler():
    same_under_seed(lambda lib: _drawn(lib.utils.data.SequentialSampler(range(5))))


@pytest.mark.parametrize("replacement, num_samples", [
    (False, None), (False, 3), (False, 10), (False, 12),
    (True, None), (True, 5), (True, 32), (True, 70),
])
@pytest.mark.parametrize("seeded", [False, True])
def test_random_sampler(replacement, num_samples, seeded):
    def run(lib):
        generator = lib.Generator().manual_seed(11) if seeded else None
        return _drawn(lib.utils.data.RandomSampler(range(4), replacement, num_samples,
                                                   generator=generator))

    same_under_seed(run, seed=5)


def test_random_sampler_without_generator_reseeds_each_epoch():
    sampler = ember.utils.data.RandomSampler(range(30))
    assert list(sampler) != list(sampler)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(replacement=1), TypeError, "replacement should be a boolean value, but got "
                                     "replacement=1"),
    (dict(num_samples=0), ValueError, "num_samples should be a positive integer value, but got "
                                      "num_samples=0"),
    (dict(num_samples=2.0), ValueError, "num_samples=2.0"),
])
def test_random_sampler_errors(kwargs, error, match):
    same_error(lambda lib: lib.utils.data.RandomSampler(range(3), **kwargs), error, match)


@pytest.mark.parametrize("seeded", [False, True])
def test_subset_random_sampler(seeded):
    def run(lib):
        generator = lib.Generator().manual_seed(2) if seeded else None
        return _drawn(lib.utils.data.SubsetRandomSampler([10, 3, 7, 5, 1], generator))

    same_under_seed(run, seed=1)


@pytest.mark.parametrize("replacement, num_samples", [(True, 5), (True, 40), (False, 6)])
@pytest.mark.parametrize("seeded", [False, True])
def test_weighted_random_sampler(replacement, num_samples, seeded):
    def run(lib):
        generator = lib.Generator().manual_seed(4) if seeded else None
        sampler = lib.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6],
                                                       num_samples, replacement, generator)
        return _drawn(sampler), sampler.weights

    same_under_seed(run, seed=9)


@pytest.mark.parametrize("weights, kwargs, match", [
    ([1.0, 2.0], dict(num_samples=True), "num_samples should be a positive integer value, but "
                                         "got num_samples=True"),
    ([1.0, 2.0], dict(num_samples=-1), "num_samples=-1"),
    ([1.0, 2.0], dict(num_samples=1, replacement=0), "replacement should be a boolean value, "
                                                     "but got replacement=0"),
    ([[1.0, 2.0]], dict(num_samples=1), r"weights should be a 1d sequence but given weights "
                                        r"have shape \(1, 2\)"),
])
def test_weighted_random_sampler_errors(weights, kwargs, match):
    same_error(lambda lib: lib.utils.data.WeightedRandomSampler(weights, **kwargs), ValueError,
               match)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 7, 8])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler(batch_size, drop_last):
    def run(lib):
        data = lib.utils.data
        shuffled = data.BatchSampler(data.RandomSampler(range(7)), batch_size, drop_last)
        from_list = data.BatchSampler(range(7), batch_size, drop_last)
        return _drawn(shuffled), list(from_list)

    same_under_seed(run, seed=2)


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0, drop_last=False), "batch_size should be a positive integer value, but "
                                          "got batch_size=0"),
    (dict(batch_size=True, drop_last=False), "batch_size=True"),
    (dict(batch_size=2, drop_last=None), "drop_last should be a boolean value, but got "
                                         "drop_last=None"),
])
def test_batch_sampler_errors(kwargs, match):
    same_error(lambda lib: lib.utils.data.BatchSampler(range(3), **kwargs), ValueError, match)


def test_sampler_base_needs_iter():
    same_error(lambda lib: iter(lib.utils.data.Sampler()), NotImplementedError, "^$")


@pytest.mark.parametrize("size, replicas", [(10, 3), (9, 3), (2, 5), (7, 2)])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler(size, replicas, shuffle, drop_last):
    def run(lib):
        shares = []
        for rank in range(replicas):
            sampler = lib.utils.data.DistributedSampler(range(size), replicas, rank, shuffle,
                                                        seed=3, drop_last=drop_last)
            first = list(sampler)
            sampler.set_epoch(1)
            shares.append((first, list(sampler), len(sampler), sampler.total_size))
        return shares

    same_under_seed(run)


@pytest.mark.parametrize("rank", [-1, 3])
def test_distributed_sampler_bad_rank(rank):
    same_error(lambda lib: lib.utils.data.DistributedSampler(range(4), 3, rank), ValueError,
               rf"Invalid rank {rank}, rank should be in the interval \[0, 2\]")


def test_distributed_sampler_needs_replicas_and_rank():
    # torch asks its process group here; ember has none, as torch without torch.distributed.
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        ember.utils.data.DistributedSampler(range(4))
