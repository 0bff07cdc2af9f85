"""default_collate in DataLoader workers stacks batches straight into shared memory."""

import gc
import os
import time

import pytest

import ember
import ember.multiprocessing as mp
from ember.utils.data import DataLoader, Dataset, default_collate


@pytest.fixture(autouse=True)
def collect_loaders():
    yield
    gc.collect()  # worker pipes of finished loaders: tests that count descriptors follow


class PairsDataset(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, index):
        return {"x": ember.tensor([index, index * index], dtype=ember.float32),
                "y": ember.tensor(index), "pid": os.getpid()}


def _collate_and_report(samples):
    """default_collate, and whether its tensors were shared as soon as it returned (in a
    worker: written into shared memory, not moved there when sent)."""
    batch = default_collate(samples)
    return batch, [batch[key].is_shared() for key in ("x", "y")]


def _files_of(pids):
    """The named shared-memory files that ember made in the processes ``pids`` (other test
    workers may be making their own)."""
    prefixes = tuple(f"ember_{pid}_" for pid in pids)
    return {name for name in os.listdir("/dev/shm") if name.startswith(prefixes)}


def _batches(loader):
    return [{key: batch[key].tolist() for key in ("x", "y")} for batch in loader]


def _shared(batches):
    return [batch[key].is_shared() for batch in batches for key in ("x", "y")]


def test_worker_batches_are_collated_into_shared_memory():
    import torch

    dataset = PairsDataset()
    results = list(DataLoader(dataset, batch_size=3, num_workers=2,
                              collate_fn=_collate_and_report))
    assert [shared for _, shared in results] == [[True, True]] * 3
    assert all(_shared(batch for batch, _ in results))
    in_main_process = list(DataLoader(dataset, batch_size=3))
    assert _batches(batch for batch, _ in results) == _batches(in_main_process)
    assert not any(_shared(in_main_process))
    theirs = next(iter(torch.utils.data.DataLoader(torch.arange(6.0), batch_size=3,
                                                   num_workers=2)))
    assert theirs.is_shared() and not torch.utils.data.default_collate([theirs]).is_shared()


def test_worker_batches_in_named_files_leave_nothing_behind():
    mp.set_sharing_strategy("file_system")  # forked workers inherit it
    try:
        batches = list(DataLoader(PairsDataset(), batch_size=2, num_workers=2,
                                  multiprocessing_context="fork"))
    finally:
        mp.set_sharing_strategy("file_descriptor")
    assert all(_shared(batches))
    assert _batches(batches) == _batches(DataLoader(PairsDataset(), batch_size=2))
    workers = {pid for batch in batches for pid in batch["pid"].tolist()}
    assert len(workers) == 2 and len(_files_of(workers)) == 3 * len(batches)
    del batches
    gc.collect()
    deadline = time.monotonic() + 10
    while _files_of(workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _files_of(workers)
