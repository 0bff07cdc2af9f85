"""DataLoader: batches from a dataset, as ``torch.utils.data.dataloader``.

Note [DataLoader iterators and the RNG]
``iter(loader)`` builds an iterator object that does the loading. Creating it first calls
``iter()`` on the index sampler (the sampler, or the BatchSampler around it; both are lazy, so
nothing is drawn yet), then draws a 64-bit ``_base_seed`` from the loader's generator (the
default generator if None), as PyTorch does. Only the first ``next()`` lets the sampler draw
(RandomSampler without a generator seeds its own from the default generator at that point).
Keeping this order makes shuffled batches, and the default generator's state after an epoch,
identical to PyTorch's. Worker ``i`` seeds itself with ``_base_seed + i``.

Loading in the main process is ``_SingleProcessDataLoaderIter``; worker processes
(``num_workers > 0``) are ``_MultiProcessingDataLoaderIter``: each worker runs the loop of
``_utils/worker.py`` with the same fetchers. Persistent workers keep the iterator, and so its
base seed, across epochs, as PyTorch does.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import queue
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import ember
from ember._storage import UntypedStorage
from ember.utils.data import _utils
from ember.utils.data._utils import worker as _worker
from ember.utils.data._utils.collate import default_collate, default_convert
from ember.utils.data.dataset import Dataset, IterableDataset, TensorDataset
from ember.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _draw_seed,
)

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

get_worker_info = _utils.get_worker_info

_T_co = TypeVar("_T_co", covariant=True)


class _MapDatasetFetcher:
    """Samples of a map-style dataset by index (or a list of them, collated)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if (self.collate_fn is default_collate and type(possibly_batched_index) is list
                and _plain_tensor_dataset(self.dataset)):
            # What default_collate makes of the samples, with one gather per tensor
            # instead of one view per sample and a stack.
            return [_gathered(tensor, possibly_batched_index) for tensor in self.dataset.tensors]
        if getattr(self.dataset, "__getitems__", None):
            samples = self.dataset.__getitems__(possibly_batched_index)
        else:
            samples = [self.dataset[index] for index in possibly_batched_index]
        return self.collate_fn(samples)


def _plain_tensor_dataset(dataset) -> bool:
    """Whether ``dataset`` fetches samples as :class:`TensorDataset` does (a subclass may
    redefine how), from tensors that autograd does not track (a stack of samples would
    record another graph than a gather)."""
    kind = type(dataset)
    return (isinstance(dataset, TensorDataset) and kind.__getitem__ is TensorDataset.__getitem__
            and getattr(kind, "__getitems__", None) is None
            and not any(tensor.requires_grad for tensor in dataset.tensors))


def _gathered(tensor, indices: list):
    """``tensor[indices]``; in a worker process, written straight into shared memory, as the
    batch will travel there anyway: sharing it afterwards would search for every tensor over
    its storage, which costs milliseconds."""
    batch = tensor[indices]
    if _utils.get_worker_info() is None:
        return batch
    storage = UntypedStorage._new_shared(batch.numel() * batch.element_size())
    return ember.empty(0, dtype=batch.dtype).set_(storage, 0, batch.shape).copy_(batch)


class _IterableDatasetFetcher:
    """The next sample (or ``len(batch_index)`` samples, collated) of an iterable dataset;
    raises StopIteration once it is exhausted, or at a short last batch with ``drop_last``."""

    def __init__(self, dataset, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        samples = []
        for _ in possibly_batched_index:
            try:
                samples.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(samples)


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        fetcher = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return fetcher(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """Endless ``None`` indices: an iterable dataset decides itself when it ends."""

    def __iter__(self):
        while True:
            yield None


def _cpu_count() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


class DataLoader(Generic[_T_co]):
    """Iterates over ``dataset`` in batches.

    Args:
        dataset (Dataset): map-style or iterable dataset.
        batch_size (int, optional): samples per batch; None turns automatic batching off
            (each sample goes through ``collate_fn`` alone). Default: 1.
        shuffle (bool, optional): a new random order each epoch (map-style only).
        sampler (Sampler or Iterable, optional): the order of indices; excludes ``shuffle``.
        batch_sampler (Sampler or Iterable, optional): yields lists of indices; excludes
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int, optional): worker processes; 0 loads in the main process.
        collate_fn (Callable, optional): list of samples -> batch. Default:
            :func:`default_collate` (:func:`default_convert` without automatic batching).
        pin_memory (bool, optional): accepted; without an accelerator nothing is pinned.
        drop_last (bool, optional): drop the last, shorter batch. Default: False.
        timeout (numeric, optional): seconds to wait for a worker's batch. Default: 0.
        worker_init_fn, multiprocessing_context, prefetch_factor, persistent_workers,
            in_order: options of worker loading, checked as PyTorch checks them.
        generator (Generator, optional): source of the shuffle and of the workers' base seed.
        pin_memory_device (str, optional): deprecated in PyTorch; accepted.

    Example:
        >>> import ember
        >>> data = ember.utils.data.TensorDataset(ember.arange(5))
        >>> [batch.tolist() for (batch,) in DataLoader(data, batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    dataset: Dataset[_T_co]
    batch_size: int | None
    num_workers: int
    pin_memory: bool
    drop_last: bool
    timeout: float
    sampler: Sampler | Iterable
    pin_memory_device: str
    prefetch_factor: int | None
    _initialized = False

    def __init__(self, dataset: Dataset[_T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler[list] | Iterable[list] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor,
                                                persistent_workers)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            _check_iterable_dataset_options(shuffle, sampler, batch_sampler)
        else:
            self._dataset_kind = _DatasetKind.Map
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True
        # len(dataset) of an iterable dataset, once len(loader) asked for it; iterators warn
        # when they yield more batches than that.
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got num_workers=0")
            if isinstance(context, str):
                start_methods = multiprocessing.get_all_start_methods()
                if context not in start_methods:
                    raise ValueError(
                        "multiprocessing_context option should specify a valid start method "
                        f"in {start_methods!r}, but got multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError(
                    "multiprocessing_context option should be a valid context object or a "
                    f"string specifying the start method, but got multiprocessing_context="
                    f"{context}")
        self._multiprocessing_context = context

    def __setattr__(self, name: str, value) -> None:
        if self._initialized and name in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(name, value)

    def _get_iterator(self) -> _BaseDataLoaderIter:
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self) -> _BaseDataLoaderIter:
        # Persistent workers keep one iterator (and its processes) across epochs.
        if not (self.persistent_workers and self.num_workers > 0):
            return self._get_iterator()
        if self._iterator is None:
            self._iterator = self._get_iterator()
        else:
            self._iterator._reset(self)
        return self._iterator

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Map:
            return len(self._index_sampler)
        length = self._IterableDataset_len_called = len(self.dataset)
        if self.batch_size is None:
            return length
        if self.drop_last:
            return length // self.batch_size
        return math.ceil(length / self.batch_size)

    def check_worker_number_rationality(self) -> None:
        """Warn when more workers are asked for than there are CPUs for this process."""
        if not self.num_workers:
            return
        cpus = _cpu_count()
        if cpus is not None and self.num_workers <= cpus:
            return
        if cpus is None:
            suggestion = ("DataLoader is not able to compute a suggested max number of worker "
                          "in current system.")
        else:
            cpuset_note = "" if hasattr(os, "sched_getaffinity") else (
                " (`cpuset` is not taken into account)")
            suggestion = (f"Our suggested max number of worker in current system is {cpus}"
                          f"{cpuset_note}, which is smaller than what this DataLoader is going "
                          "to create.")
        warnings.warn(
            f"This DataLoader will create {self.num_workers} worker processes in total. "
            f"{suggestion} Please be aware that excessive worker creation might get DataLoader "
            "running slow or even freeze, lower the worker number to avoid potential "
            "slowness/freeze if necessary.", stacklevel=2)


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    """PyTorch's checks of the worker options; returns the effective prefetch_factor."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _check_iterable_dataset_options(shuffle, sampler, batch_sampler) -> None:
    """An iterable dataset fixes its own order: no shuffle, sampler or batch_sampler."""
    prefix = "DataLoader with IterableDataset: expected unspecified"
    if shuffle not in {False, None}:
        raise ValueError(f"{prefix} shuffle option, but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"{prefix} sampler option, but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError(f"{prefix} batch_sampler option, but got batch_sampler={batch_sampler}")


class _BaseDataLoaderIter:
    """One pass over a DataLoader; subclasses say where batches are made (``_next_data``)."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._pin_memory = _use_pinned_memory(loader)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        # See Note [DataLoader iterators and the RNG] for why these two come in this order.
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self) -> _BaseDataLoaderIter:
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self) -> Any:
        data = self._next_data()
        self._num_yielded += 1
        reported = self._IterableDataset_len_called
        if (self._dataset_kind == _DatasetKind.Iterable and reported is not None
                and self._num_yielded > reported):
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{reported}(when accessing len(dataloader)), but "
                          f"{self._num_yielded} samples have been fetched. ", stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{type(self).__name__} cannot be pickled")


def _use_pinned_memory(loader: DataLoader) -> bool:
    """Whether batches are pinned: only with an accelerator; PyTorch's warnings otherwise."""
    if loader.pin_memory and loader.pin_memory_device:
        warnings.warn("pin_memory_device is deprecated, the current accelerator will be used as "
                      f"the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                      stacklevel=4)
    if loader.pin_memory and not ember.accelerator.is_available():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                      "device pinned memory won't be used.", stacklevel=4)
    return loader.pin_memory and ember.accelerator.is_available()


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Loads each batch in the calling process, when it is asked for."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()  # StopIteration ends the epoch
        return self._dataset_fetcher.fetch(index)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Loads batches in ``num_workers`` processes, ``prefetch_factor`` batches ahead each.

    Batch indices go to the workers round-robin, each tagged with its task index; results
    come back through one queue, in any order, and are yielded in task order (``in_order``)
    or as they arrive. Every wait on that queue is bounded, so a dead worker surfaces as a
    RuntimeError instead of a hang.
    """

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        import ember.multiprocessing  # noqa: F401  (tensors travel as shared memory)

        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._data_queue = context.Queue()
        self._workers_done_event = context.Event()
        self._index_queues = []
        self._workers = []
        self._shutdown = False
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            # Indices nobody will read must not keep this process alive at exit.
            index_queue.cancel_join_thread()
            process = context.Process(
                target=_worker._worker_loop, daemon=True,
                args=(self._dataset_kind, self._dataset, index_queue, self._data_queue,
                      self._workers_done_event, self._auto_collation, self._collate_fn,
                      self._drop_last, self._base_seed, loader.worker_init_fn, worker_id,
                      self._num_workers))
            process.start()
            self._index_queues.append(index_queue)
            self._workers.append(process)
        self._reset(loader, first_iter=True)

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0  # task index of the next batch sent to a worker
        self._rcvd_idx = 0  # task index of the next batch to yield
        # task index -> (worker_id,) while in flight, (worker_id, data) once it arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: wait until each has seen the new epoch begin; results of
            # the previous epoch still on their way are dropped.
            for index_queue in self._index_queues:
                index_queue.put(_worker._ResumeIteration())
            resumes_left = self._num_workers
            while resumes_left:
                task_index, _ = self._get_data()
                if isinstance(task_index, _worker._ResumeIteration):
                    resumes_left -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            # Out of order, a slow worker must not collect every free slot.
            if self._workers_status[worker_id] and (
                    self._in_order
                    or self._workers_num_tasks[worker_id] < self._prefetch_factor):
                break
        else:
            return  # no worker is left (all shards of an iterable dataset ended)
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._workers_num_tasks[worker_id] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _try_get_data(self, timeout: float):
        """(True, result) or (False, None) after ``timeout`` seconds; RuntimeError if a worker
        died meanwhile."""
        try:
            return True, self._data_queue.get(timeout=timeout)
        except Exception as error:
            failed = [process for worker_id, process in enumerate(self._workers)
                      if self._workers_status[worker_id] and not process.is_alive()]
            if failed:
                pids = ", ".join(str(process.pid) for process in failed)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited "
                                   "unexpectedly") from error
            if isinstance(error, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if not success:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            success, data = self._try_get_data(_worker.MP_STATUS_CHECK_INTERVAL)
            if success:
                return data

    def _next_data(self):
        while True:
            # Skip tasks already yielded (out of order) or lost with an ended worker.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:  # arrived earlier
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1], info[0])

            task_index, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _worker._IterableDatasetStopIteration):
                self._mark_worker_ended(data.worker_id)
                self._try_put_index()
                continue
            worker_id = self._task_info[task_index][0]
            if task_index == self._rcvd_idx:
                del self._task_info[task_index]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            if not self._in_order:
                del self._task_info[task_index]
                return self._process_data(data, worker_id)
            self._task_info[task_index] = (worker_id, data)

    def _process_data(self, data, worker_id: int):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_ended(self, worker_id: int) -> None:
        """A worker's share of an iterable dataset ended: send it nothing more (and, unless
        it is persistent, let it exit)."""
        self._workers_status[worker_id] = False
        if not self._persistent_workers:
            self._index_queues[worker_id].put(None)

    def _shutdown_workers(self) -> None:
        """Tell every worker to exit and wait for it (terminating stragglers)."""
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for index_queue in self._index_queues:
                index_queue.put(None)
            for process in self._workers:
                process.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL * 4)
            for each_queue in (*self._index_queues, self._data_queue):
                each_queue.cancel_join_thread()
                each_queue.close()
        finally:
            for process in self._workers:
                if process.is_alive():
                    process.terminate()
                    process.join()

    def __del__(self) -> None:
        if hasattr(self, "_shutdown"):  # not when __init__ failed before the workers
            self._shutdown_workers()
