"""The loop a DataLoader worker process runs, and what it sends back to the main process.

A worker reads ``(task_index, batch_indices)`` from its own index queue, fetches and collates
the batch, and puts ``(task_index, batch)`` on the shared result queue. Tensors travel as
shared memory through ember.multiprocessing's pickling: default_collate stacks them straight
into it, in the way the worker's sharing strategy says. ``None`` tells it to exit; a
:class:`_ResumeIteration` starts a new epoch of persistent workers.
"""

from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

import ember
from ember.utils.data import _utils

__all__ = ["ExceptionWrapper"]

# Seconds between two checks that the other side of a queue is still alive.
MP_STATUS_CHECK_INTERVAL = 0.5


class _KeyErrorMessage(str):
    """A KeyError shows ``repr`` of its message; this keeps the traceback's line breaks."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, with its formatted traceback, to raise again in the
    main process (exception objects and tracebacks do not always pickle)."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        exc_type, exc_value, exc_traceback = exc_info or sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
        self.where = where

    def reraise(self):
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except Exception:  # an exception class that does not take one message
            raise RuntimeError(message) from None
        raise exception


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose share of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Tells a persistent worker that a new epoch starts; the worker echoes it back."""


def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed ember's default generator, Python's ``random`` and NumPy's global generator as
    PyTorch seeds a worker; returns the worker's seed, ``base_seed + worker_id``.

    NumPy gets four 32-bit words hashed from (worker_id, base_seed) by NumPy's own
    SeedSequence, so that workers with close seeds still draw unrelated streams.
    """
    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    low_word, high_word = base_seed & 0xFFFFFFFF, base_seed >> 32
    np.random.seed(np.random.SeedSequence([worker_id, low_word, high_word]).generate_state(4))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers) -> None:
    """Serve batches until told to stop, or until the main process is gone: the process that
    started this one (the main process, or the fork server, which ends with it)."""
    parent_pid = os.getppid()
    import ember.multiprocessing  # noqa: F401  (registers the shared-memory pickling)
    from ember.utils.data.dataloader import _DatasetKind

    def create_fetcher():
        return _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                           drop_last)

    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = _seed_worker(base_seed, worker_id)
        _utils._worker_info = _utils.WorkerInfo(id=worker_id, num_workers=num_workers,
                                                seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher()
        except Exception:
            init_exception = ExceptionWrapper(where=where)

        iteration_end = False
        while os.getppid() == parent_pid:  # not reparented
            try:
                request = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    # The main process is shutting down without reaching us: its index queue
                    # was finalized first when garbage collection broke a reference cycle.
                    break
                continue
            if isinstance(request, _ResumeIteration):
                data_queue.put((request, None))
                iteration_end = False
                fetcher = create_fetcher()  # a fresh iterator over an iterable dataset
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # drain what is left until the None
            task_index, batch_indices = request
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(batch_indices)
                except Exception as error:
                    if (isinstance(error, StopIteration)
                            and dataset_kind == _DatasetKind.Iterable):
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=where)
            data_queue.put((task_index, data))
            del data, request, batch_indices  # shared memory goes once the main process is done
    except KeyboardInterrupt:
        pass  # the main process handles it
    if done_event.is_set():
        # Results nobody will read must not keep this process alive flushing them.
        data_queue.cancel_join_thread()
        data_queue.close()
