"""DataLoader (num_workers=0) against torch.utils.data.DataLoader: the same batches from the
same seed, the default generator left in the same state, the same checks of its options."""

import multiprocessing
import re

import numpy as np
import pytest
import torch

import ember
from tests.utils.data import LIBS, plain, same_error, same_under_seed


def _tensor_dataset(lib):
    return lib.utils.data.TensorDataset(lib.arange(14).view(7, 2), lib.arange(7) % 3)


def _record_dataset(lib):
    class Records(lib.utils.data.Dataset):
        """Samples mixing tensors, NumPy arrays, numbers and strings."""

        def __getitem__(self, index):
            return {"image": np.full((2, 2), index, np.float32), "label": index % 2,
                    "weight": index / 4, "name": f"#{index}", "mask": lib.ones(3) * index}

        def __len__(self):
            return 5

    return Records()


def _stream(lib, size=7, with_len=True):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(size))

    class SizedStream(Stream):
        def __len__(self):
            return size

    return SizedStream() if with_len else Stream()


def _epochs(loader, count=2):
    """Batches of a few epochs, and the lengths the loader reports."""
    return [list(loader) for _ in range(count)], len(loader)


MAP_OPTIONS = {
    "default": lambda lib: {},
    "batch_size": lambda lib: dict(batch_size=3),
    "drop_last": lambda lib: dict(batch_size=3, drop_last=True),
    "shuffle": lambda lib: dict(batch_size=2, shuffle=True),
    "shuffle_drop_last": lambda lib: dict(batch_size=3, shuffle=True, drop_last=True),
    "shuffle_generator": lambda lib: dict(batch_size=2, shuffle=True,
                                          generator=lib.Generator().manual_seed(5)),
    "no_batching": lambda lib: dict(batch_size=None),
    "no_batching_shuffle": lambda lib: dict(batch_size=None, shuffle=True),
    "sampler": lambda lib: dict(batch_size=2, sampler=lib.utils.data.RandomSampler(
        range(7), replacement=True, num_samples=9)),
    "sampler_list": lambda lib: dict(sampler=[6, 0, 3]),
    "weighted_sampler": lambda lib: dict(batch_size=4, sampler=lib.utils.data
                                         .WeightedRandomSampler([1.0] * 7, 6)),
    "batch_sampler": lambda lib: dict(batch_sampler=[[0, 1], [5, 2, 4]]),
    "batch_sampler_random": lambda lib: dict(batch_sampler=lib.utils.data.BatchSampler(
        lib.utils.data.SubsetRandomSampler([1, 3, 5, 6]), 3, False)),
    "collate_fn": lambda lib: dict(batch_size=3, collate_fn=lambda batch: len(batch)),
    "worker_options": lambda lib: dict(batch_size=2, shuffle=True, timeout=0,
                                       worker_init_fn=lambda worker_id: None, in_order=False,
                                       persistent_workers=False, multiprocessing_context=None),
}


@pytest.mark.parametrize("make_dataset", [_tensor_dataset, _record_dataset],
                         ids=["tensors", "records"])
@pytest.mark.parametrize("option", MAP_OPTIONS)
def test_map_dataset(make_dataset, option):
    same_under_seed(lambda lib: _epochs(lib.utils.data.DataLoader(
        make_dataset(lib), **MAP_OPTIONS[option](lib))), seed=17)


def test_shuffle_follows_manual_seed():
    """The same seed gives the same epoch; PyTorch's example of reproducible shuffling."""
    def epoch(seed):
        ember.manual_seed(seed)
        loader = ember.utils.data.DataLoader(range(20), batch_size=5, shuffle=True)
        return [batch.tolist() for batch in loader]

    assert epoch(0) == epoch(0) != epoch(1)


def test_iterators_are_independent():
    def run(lib):
        loader = lib.utils.data.DataLoader(range(6), batch_size=2, shuffle=True)
        first, second = iter(loader), iter(loader)
        return [next(first), next(second), next(first), len(first), list(second)]

    same_under_seed(run)


@pytest.mark.parametrize("pin_memory_device", ["", "cuda"])
def test_pin_memory_is_a_no_op_without_accelerator(pin_memory_device):
    def run(lib):
        loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=4, pin_memory=True,
                                           pin_memory_device=pin_memory_device)
        with pytest.warns(UserWarning) as record:
            batches = list(loader)
        expected = ["'pin_memory' argument is set as true but no accelerator is found"]
        if pin_memory_device:
            expected.insert(0, "pin_memory_device is deprecated")
        assert [str(entry.message)[:len(start)] for entry, start in zip(record, expected)] == (
            expected)
        return batches

    same_under_seed(run)


ITERABLE_OPTIONS = {
    "default": {},
    "batch_size": dict(batch_size=3),
    "drop_last": dict(batch_size=3, drop_last=True),
    "exact_batches": dict(batch_size=7, drop_last=True),
    "no_batching": dict(batch_size=None),
    "shuffle_false": dict(batch_size=2, shuffle=False),
    "collate_fn": dict(batch_size=4, collate_fn=lambda batch: batch[::-1]),
}


@pytest.mark.parametrize("option", ITERABLE_OPTIONS)
def test_iterable_dataset(option):
    same_under_seed(lambda lib: _epochs(lib.utils.data.DataLoader(
        _stream(lib), **ITERABLE_OPTIONS[option])))


def test_iterable_dataset_without_len():
    def run(lib):
        loader = lib.utils.data.DataLoader(_stream(lib, with_len=False), batch_size=2)
        with pytest.raises(TypeError, match="has no len"):
            len(loader)
        return list(loader)

    same_under_seed(run)


def test_iterable_dataset_longer_than_reported():
    def run(lib):
        loader = lib.utils.data.DataLoader(_stream(lib), batch_size=None)
        assert len(loader) == 7
        loader.dataset.__class__.__len__ = lambda self: 5
        assert len(loader) == 5
        with pytest.warns(UserWarning) as record:
            batches = list(loader)
        assert [re.sub(r"<.*>", "<dataset>", str(entry.message)) for entry in record] == [
            f"Length of IterableDataset <dataset> was reported to be 5(when accessing "
            f"len(dataloader)), but {count} samples have been fetched. " for count in (6, 7)]
        return batches

    same_under_seed(run)


def test_chained_and_concatenated_datasets():
    def run(lib):
        chained = _stream(lib, 3) + _stream(lib, 2)
        joined = _tensor_dataset(lib) + _tensor_dataset(lib)
        return (_epochs(lib.utils.data.DataLoader(chained, batch_size=2)),
                _epochs(lib.utils.data.DataLoader(joined, batch_size=5, shuffle=True)))

    same_under_seed(run)


def test_random_split_then_load():
    def run(lib):
        train, _ = lib.utils.data.random_split(_record_dataset(lib), [0.6, 0.4])
        return _epochs(lib.utils.data.DataLoader(train, batch_size=2, shuffle=True))

    same_under_seed(run, seed=8)


def test_get_worker_info_in_main_process():
    for lib in LIBS:
        assert lib.utils.data.get_worker_info() is None


def test_exports():
    datapipes = {"DFIterDataPipe", "DataChunk", "IterDataPipe", "MapDataPipe",
                 "argument_validation", "functional_datapipe", "guaranteed_datapipes_determinism",
                 "non_deterministic", "runtime_validation", "runtime_validation_disabled"}
    assert set(ember.utils.data.__all__) == set(torch.utils.data.__all__) - datapipes
    assert ember.utils.data.DataLoader(range(3)).collate_fn is ember.utils.data.default_collate
    no_batching = ember.utils.data.DataLoader(range(3), batch_size=None)
    assert no_batching.collate_fn is ember.utils.data.default_convert


_STREAM = "stream"  # stands for an iterable dataset in the table below


@pytest.mark.parametrize("dataset, kwargs, match", [
    (range(3), dict(num_workers=-1), "num_workers option should be non-negative; use "
                                     "num_workers=0 to disable multiprocessing."),
    (range(3), dict(timeout=-1), "timeout option should be non-negative"),
    (range(3), dict(prefetch_factor=2), "prefetch_factor option could only be specified in "
                                        "multiprocessing.let num_workers > 0"),
    (range(3), dict(num_workers=1, prefetch_factor=-1),
     "prefetch_factor option should be non-negative"),
    (range(3), dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (range(3), dict(multiprocessing_context="spawn"),
     r"multiprocessing_context can only be used with multi-process loading \(num_workers > 0\), "
     r"but got num_workers=0"),
    (range(3), dict(num_workers=1, multiprocessing_context="teleport"),
     "multiprocessing_context option should specify a valid start method in"),
    (_STREAM, dict(shuffle=True), "DataLoader with IterableDataset: expected unspecified shuffle "
                                  "option, but got shuffle=True"),
    (_STREAM, dict(sampler=[0]), r"expected unspecified sampler option, but got sampler=\[0\]"),
    (_STREAM, dict(batch_sampler=[[0]]), r"expected unspecified batch_sampler option, but got "
                                         r"batch_sampler=\[\[0\]\]"),
    (range(3), dict(sampler=[0], shuffle=True),
     "sampler option is mutually exclusive with shuffle"),
    (range(3), dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually "
     "exclusive with batch_size, shuffle, sampler, and drop_last"),
    (range(3), dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually"),
    (range(3), dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually"),
    (range(3), dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually"),
    (range(3), dict(batch_size=None, drop_last=True), "batch_size=None option disables "
     "auto-batching and is mutually exclusive with drop_last"),
    (range(3), dict(batch_size=0), "batch_size should be a positive integer value"),
])
def test_option_errors(dataset, kwargs, match):
    same_error(lambda lib: lib.utils.data.DataLoader(
        _stream(lib) if dataset is _STREAM else dataset, **kwargs), ValueError, match)


def test_multiprocessing_context_type_error():
    same_error(lambda lib: lib.utils.data.DataLoader(range(3), num_workers=1,
                                                     multiprocessing_context=3),
               TypeError, "multiprocessing_context option should be a valid context object or "
                          "a string specifying the start method, but got "
                          "multiprocessing_context=3")


def test_worker_options_are_kept():
    for lib in LIBS:
        loader = lib.utils.data.DataLoader(range(3), num_workers=1,
                                           multiprocessing_context="spawn",
                                           persistent_workers=True)
        assert loader.prefetch_factor == 2
        assert isinstance(loader.multiprocessing_context, multiprocessing.context.BaseContext)
        assert loader.multiprocessing_context.get_start_method() == "spawn"


def test_too_many_workers_warn():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="This DataLoader will create 100000 worker "
                                             "processes in total. Our suggested max number"):
            lib.utils.data.DataLoader(range(3), num_workers=100000)


def test_timeout_needs_workers():
    same_error(lambda lib: iter(lib.utils.data.DataLoader(range(3), timeout=1.0)),
               AssertionError, "requires timeout == 0")


@pytest.mark.parametrize("name", ["batch_size", "batch_sampler", "sampler", "drop_last",
                                  "dataset", "persistent_workers"])
def test_fixed_attributes(name):
    def run(lib):
        setattr(lib.utils.data.DataLoader(range(3)), name, None)

    same_error(run, ValueError, f"{name} attribute should not be set after DataLoader is "
                                "initialized")


def test_other_attributes_stay_settable():
    for lib in LIBS:
        loader = lib.utils.data.DataLoader(range(4), batch_size=2)
        loader.collate_fn = lambda batch: sum(batch)
        assert list(loader) == [1, 5]


def test_iterator_cannot_be_pickled():
    import pickle

    same_error(lambda lib: pickle.dumps(iter(lib.utils.data.DataLoader(range(3)))),
               NotImplementedError, "cannot be pickled")


def test_default_generator_after_an_epoch_is_torchs():
    """The plain training loop: after a shuffled epoch the next random draws agree."""
    results = []
    for lib in LIBS:
        lib.manual_seed(0)
        loader = lib.utils.data.DataLoader(_tensor_dataset(lib), batch_size=3, shuffle=True)
        batches = [plain(batch) for batch in loader]
        results.append((batches, lib.rand(3).tolist(), lib.randperm(5).tolist()))
    assert results[0] == results[1]


def test_numpy_samples_become_tensors_without_batching():
    same_under_seed(lambda lib: list(lib.utils.data.DataLoader(
        [np.arange(2), (np.float32(1), "a")], batch_size=None)))
