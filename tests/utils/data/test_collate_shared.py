"""default_collate in DataLoader workers stacks batches straight into shared memory."""

import gc
import os
import time

import ember
import ember.multiprocessing as mp
from ember.utils.data import DataLoader, Dataset, default_collate


class PairsDataset(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, index):
        return {"x": ember.tensor([index, index * index], dtype=ember.float32),
                "y": ember.tensor(index)}


def _collate_and_report(samples):
    """default_collate, and whether its tensors were shared as soon as it returned (in a
    worker: written into shared memory, not moved there when sent)."""
    batch = default_collate(samples)
    return batch, [tensor.is_shared() for tensor in batch.values()]


def _new_ember_files(before):
    return {name for name in os.listdir("/dev/shm") if name.startswith("ember_")} - before


def _batches(loader):
    return [{key: tensor.tolist() for key, tensor in batch.items()} for batch in loader]


def test_worker_batches_are_collated_into_shared_memory():
    import torch

    dataset = PairsDataset()
    results = list(DataLoader(dataset, batch_size=3, num_workers=2,
                              collate_fn=_collate_and_report))
    assert [shared for _, shared in results] == [[True, True]] * 3
    assert all(tensor.is_shared() for batch, _ in results for tensor in batch.values())
    in_main_process = list(DataLoader(dataset, batch_size=3))
    assert _batches(batch for batch, _ in results) == _batches(in_main_process)
    assert not any(tensor.is_shared() for batch in in_main_process for tensor in batch.values())
    theirs = next(iter(torch.utils.data.DataLoader(torch.arange(6.0), batch_size=3,
                                                   num_workers=2)))
    assert theirs.is_shared() and not torch.utils.data.default_collate([theirs]).is_shared()


def test_worker_batches_in_named_files_leave_nothing_behind():
    before = _new_ember_files(set())
    mp.set_sharing_strategy("file_system")  # forked workers inherit it
    try:
        loader = DataLoader(PairsDataset(), batch_size=2, num_workers=2,
                            multiprocessing_context="fork")
        batches = list(loader)
        assert all(tensor.is_shared() for batch in batches for tensor in batch.values())
        assert _batches(batches) == _batches(DataLoader(PairsDataset(), batch_size=2))
        assert _new_ember_files(before)  # the batches live in named files
    finally:
        mp.set_sharing_strategy("file_descriptor")
    del loader, batches
    gc.collect()
    deadline = time.monotonic() + 10
    while _new_ember_files(before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _new_ember_files(before)
