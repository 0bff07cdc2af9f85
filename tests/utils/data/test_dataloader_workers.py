"""DataLoader with worker processes, against num_workers=0 and PyTorch.

torch is imported inside the tests that compare with it, so that spawned workers (which
import this module to unpickle its datasets) start quickly.
"""

import gc
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    get_worker_info,
)

START_METHODS = pytest.mark.parametrize("context", ["fork", "spawn", "forkserver"])


class SquaresDataset(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, index):
        return index, index * index


class WorkerStateDataset(Dataset):
    """Each sample: what the worker that loaded it knows and draws."""

    def __init__(self, library):
        self.library = library

    def __len__(self):
        return 4

    def __getitem__(self, index):
        info = self.library.utils.data.get_worker_info()
        return [info.id, info.num_workers, info.seed, random.random(),
                self.library.rand(()).item(), int(np.random.randint(1 << 30)),
                info.dataset is self]


class ShardedRange:
    """range(start, stop), split between the workers with the library's get_worker_info."""

    library = ember

    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        info = self.library.utils.data.get_worker_info()
        if info is None:
            return iter(range(self.start, self.stop))
        return iter(range(self.start + info.id, self.stop, info.num_workers))


class EmberShardedRange(ShardedRange, IterableDataset):
    pass


class FailingDataset(SquaresDataset):
    def __getitem__(self, index):
        if index == 3:
            raise ValueError("bad sample 3")
        return index


class KilledDataset(SquaresDataset):
    def __getitem__(self, index):
        if index == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return index


class SlowDataset(SquaresDataset):
    def __getitem__(self, index):
        time.sleep(1)
        return index


class PidDataset(SquaresDataset):
    def __getitem__(self, index):
        return index, os.getpid()


_init_marker = None


def _set_init_marker(worker_id):
    global _init_marker
    _init_marker = 100 + worker_id


class InitMarkerDataset(SquaresDataset):
    def __getitem__(self, index):
        return _init_marker


def _shared_memory_files():
    # Python's own semaphores (sem.mp-*) live there for a moment while any process,
    # such as another test worker, makes a queue; named storages (ember_*) are those of the
    # file_system strategy's tests, which check their own
    return {name for name in os.listdir("/dev/shm")
            if not name.startswith(("sem.mp-", "ember_"))}


@pytest.fixture(autouse=True)
def no_leftovers():
    shm_before = _shared_memory_files()
    yield
    gc.collect()
    assert multiprocessing.active_children() == []
    assert _shared_memory_files() <= shm_before


def _as_lists(batches):
    return [[part.tolist() for part in batch] for batch in batches]


@START_METHODS
def test_shuffled_batches_match_single_process_and_torch(context):
    import torch
    data = ember.arange(20.0).reshape(10, 2)
    ember.manual_seed(7)
    workers = _as_lists(DataLoader(TensorDataset(data, ember.arange(10)), batch_size=3,
                                   shuffle=True, num_workers=2, multiprocessing_context=context))
    after_workers = ember.rand(2).tolist()
    ember.manual_seed(7)
    single = _as_lists(DataLoader(TensorDataset(data, ember.arange(10)), batch_size=3,
                                  shuffle=True))
    torch.manual_seed(7)
    expected = _as_lists(torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.arange(20.0).reshape(10, 2), torch.arange(10)),
        batch_size=3, shuffle=True))
    assert workers == single == expected
    assert after_workers == pytest.approx(torch.rand(2).tolist())


def test_worker_seeds_and_rngs_match_torch():
    import torch
    ember.manual_seed(3)
    ours = list(DataLoader(WorkerStateDataset(ember), batch_size=None, num_workers=2,
                           multiprocessing_context="fork"))
    torch.manual_seed(3)
    theirs = list(torch.utils.data.DataLoader(WorkerStateDataset(torch), batch_size=None,
                                              num_workers=2, multiprocessing_context="fork"))
    assert ours == theirs
    assert [sample[0] for sample in ours] == [0, 1, 0, 1]
    assert ours[1][2] == ours[0][2] + 1  # seed = base_seed + worker_id


def test_iterable_dataset_sharded_by_worker_info_as_torch():
    import torch

    class TorchShardedRange(ShardedRange, torch.utils.data.IterableDataset):
        library = torch

    ours = [batch.tolist() for batch in DataLoader(EmberShardedRange(0, 11), batch_size=2,
                                                   num_workers=2)]
    theirs = [batch.tolist() for batch in torch.utils.data.DataLoader(
        TorchShardedRange(0, 11), batch_size=2, num_workers=2, multiprocessing_context="fork")]
    assert ours == theirs
    assert sorted(sum(ours, [])) == list(range(11))


def test_get_worker_info_is_none_in_main_process():
    assert get_worker_info() is None


def test_worker_init_fn_runs_in_each_worker():
    loader = DataLoader(InitMarkerDataset(), batch_size=None, num_workers=2,
                        worker_init_fn=_set_init_marker)
    assert list(loader) == [100, 101] * 5


def test_out_of_order_yields_every_batch():
    loader = DataLoader(SquaresDataset(), batch_size=2, num_workers=2, in_order=False)
    batches = [batch[0].tolist() for batch in loader]
    assert sorted(batches) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def test_worker_exception_reraised_with_its_traceback():
    loader = DataLoader(FailingDataset(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1"
                       ) as caught:
        list(loader)
    assert "Original Traceback (most recent call last)" in str(caught.value)
    assert "bad sample 3" in str(caught.value)


def test_killed_worker_raises_instead_of_hanging():
    loader = DataLoader(KilledDataset(), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           "unexpectedly"):
        list(loader)


def test_timeout():
    loader = DataLoader(SlowDataset(), batch_size=None, num_workers=1, timeout=0.2)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        next(iter(loader))


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(PidDataset(), batch_size=5, num_workers=2, persistent_workers=True)
    epochs = [_as_lists(loader) for _ in range(2)]
    iterator = iter(loader)
    next(iterator)  # an epoch left unfinished does not disturb the next
    epochs.append(_as_lists(loader))
    assert all(epoch == epochs[0] for epoch in epochs)
    assert [batch[0] for batch in epochs[0]] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert len({pid for batch in epochs[0] for pid in batch[1]}) == 2
    assert len(multiprocessing.active_children()) == 2
    del loader, iterator


def test_deleting_an_unfinished_iterator_stops_its_workers():
    iterator = iter(DataLoader(SquaresDataset(), batch_size=1, num_workers=2))
    assert next(iterator)[0].tolist() == [0]
    del iterator


def test_batches_arrive_in_shared_memory():
    ((batch,),) = DataLoader(TensorDataset(ember.ones(4, 3)), batch_size=4, num_workers=1)
    assert batch.is_shared() and batch.tolist() == [[1.0] * 3] * 4


_ORPHANING_SCRIPT = textwrap.dedent("""
    import os, signal
    import ember
    from ember.utils.data import DataLoader
    loader = DataLoader(range(6), num_workers=2, persistent_workers=True)
    next(iter(loader))
    print(*[process.pid for process in loader._iterator._workers], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_exit_when_the_main_process_dies():
    child = subprocess.run([sys.executable, "-c", _ORPHANING_SCRIPT], capture_output=True,
                           text=True, timeout=30)
    pids = [int(pid) for pid in child.stdout.split()]
    assert child.returncode == -signal.SIGKILL and len(pids) == 2
    deadline = time.monotonic() + 10
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, pids))
